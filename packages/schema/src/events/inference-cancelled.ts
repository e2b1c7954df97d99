import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `inference_cancelled`: the attempt was cancelled before the provider finished. */
export const InferenceCancelled = Type.Object(
  {
    type: Type.Literal("inference_cancelled"),
    inference_call_id: Text("The attempt that was cancelled."),
    upstream_request_id: Nullable(Type.String(), "Transport request id, or null."),
    reason: Text("Why the attempt was cancelled, e.g. the response stream was dropped."),
    partial_response_payload: Nullable(
      Described(RawPayloadRef, "Items received before cancellation (kind `inference_response`)."),
      "Items received before cancellation (kind `inference_response`), or null when there were none.",
    ),
  },
  {
    title: "InferenceCancelled",
    description: "An inference attempt was cancelled. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** An `inference_cancelled` event payload. */
export type InferenceCancelled = Static<typeof InferenceCancelled>;
