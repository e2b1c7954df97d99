import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `inference_completed`: the provider finished the response. */
export const InferenceCompleted = Type.Object(
  {
    type: Type.Literal("inference_completed"),
    inference_call_id: Text("The attempt that completed."),
    response_id: Nullable(Type.String(), "Responses `response.id`, or null."),
    upstream_request_id: Nullable(
      Type.String(),
      "Transport request id (the `x-request-id` header), or null.",
    ),
    response_payload: Described(
      RawPayloadRef,
      "Response summary (kind `inference_response`) with the completed output items and token usage.",
    ),
  },
  {
    title: "InferenceCompleted",
    description:
      "An inference attempt completed. Its output items enter the thread's conversation immediately. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** An `inference_completed` event payload. */
export type InferenceCompleted = Static<typeof InferenceCompleted>;
