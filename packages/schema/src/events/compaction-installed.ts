import { type Static, Type } from "typebox";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `compaction_installed`: compacted history replaced the thread's live history. */
export const CompactionInstalled = Type.Object(
  {
    type: Type.Literal("compaction_installed"),
    compaction_id: Text("The compaction checkpoint that was installed."),
    checkpoint_payload: Described(
      RawPayloadRef,
      "History before and after compaction (kind `compaction_checkpoint`).",
    ),
  },
  {
    title: "CompactionInstalled",
    description:
      "A compaction's replacement history became live. The envelope must carry both the thread and the turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `compaction_installed` event payload. */
export type CompactionInstalled = Static<typeof CompactionInstalled>;
