import { type Static, Type } from "typebox";
import { ResponseItem } from "./response-item.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Document of payload kind `compaction_checkpoint`. */
export const CompactionCheckpointPayload = Type.Object(
  {
    input_history: Type.Array(ResponseItem, { description: "The live history before compaction." }),
    replacement_history: Type.Array(ResponseItem, {
      description:
        "The history that replaces it (fresh context, kept user messages, then the compaction item).",
    }),
  },
  {
    title: "CompactionCheckpointPayload",
    description:
      "Document of payload kind `compaction_checkpoint`, written when a compaction is installed (trace-only).",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Document of payload kind `compaction_checkpoint`. */
export type CompactionCheckpointPayload = Static<typeof CompactionCheckpointPayload>;
