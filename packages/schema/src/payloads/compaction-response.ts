import { type Static, Type } from "typebox";
import { ResponseOutputItem } from "./response-item.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Document of payload kind `compaction_response`. */
export const CompactionResponsePayload = Type.Object(
  {
    output_items: Type.Array(ResponseOutputItem, {
      description: "Items returned by the compaction endpoint (schema 2: exactly one `compaction` item).",
    }),
  },
  {
    title: "CompactionResponsePayload",
    description: "Document of payload kind `compaction_response`: what the compaction endpoint returned.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Document of payload kind `compaction_response`. */
export type CompactionResponsePayload = Static<typeof CompactionResponsePayload>;
