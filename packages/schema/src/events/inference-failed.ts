import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `inference_failed`: the attempt failed. */
export const InferenceFailed = Type.Object(
  {
    type: Type.Literal("inference_failed"),
    inference_call_id: Text("The attempt that failed."),
    upstream_request_id: Nullable(Type.String(), "Transport request id, or null."),
    error: Text("Error message."),
    partial_response_payload: Nullable(
      Described(RawPayloadRef, "Items received before the failure (kind `inference_response`)."),
      "Items received before the failure (kind `inference_response`), or null when there were none.",
    ),
  },
  {
    title: "InferenceFailed",
    description:
      "An inference attempt failed. Unknown extra keys (some forks add `http_status_code` and similar) are ignored. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** An `inference_failed` event payload. */
export type InferenceFailed = Static<typeof InferenceFailed>;
