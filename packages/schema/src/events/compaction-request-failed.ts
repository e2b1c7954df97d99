import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `compaction_request_failed`: the compaction request failed. */
export const CompactionRequestFailed = Type.Object(
  {
    type: Type.Literal("compaction_request_failed"),
    compaction_id: Text("Must equal the `compaction_id` of the request's start."),
    compaction_request_id: Text("The request that failed."),
    error: Text("Error message."),
  },
  {
    title: "CompactionRequestFailed",
    description: "A compaction request failed. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `compaction_request_failed` event payload. */
export type CompactionRequestFailed = Static<typeof CompactionRequestFailed>;
