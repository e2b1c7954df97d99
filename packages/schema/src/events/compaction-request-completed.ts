import { type Static, Type } from "typebox";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `compaction_request_completed`: the compaction endpoint answered. */
export const CompactionRequestCompleted = Type.Object(
  {
    type: Type.Literal("compaction_request_completed"),
    compaction_id: Text("Must equal the `compaction_id` of the request's start."),
    compaction_request_id: Text("The request that completed."),
    response_payload: Described(RawPayloadRef, "The endpoint's output items (kind `compaction_response`)."),
  },
  {
    title: "CompactionRequestCompleted",
    description: "A compaction request completed. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `compaction_request_completed` event payload. */
export type CompactionRequestCompleted = Static<typeof CompactionRequestCompleted>;
