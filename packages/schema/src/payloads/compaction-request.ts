import { type Static, Type } from "typebox";
import { ResponseItem } from "./response-item.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Document of payload kind `compaction_request`. */
export const CompactionRequestPayload = Type.Object(
  {
    input: Type.Array(ResponseItem, {
      description: "History sent for compaction; schema-2 requests end with a `compaction_trigger` item.",
    }),
    model: Type.Optional(Type.String({ description: "Requested model." })),
    instructions: Type.Optional(Type.String({ description: "Compaction instructions." })),
  },
  {
    title: "CompactionRequestPayload",
    description:
      "Document of payload kind `compaction_request`: the exact request sent for remote compaction. Other request keys are kept as sent.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Document of payload kind `compaction_request`. */
export type CompactionRequestPayload = Static<typeof CompactionRequestPayload>;
