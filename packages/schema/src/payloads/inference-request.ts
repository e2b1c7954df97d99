import { type Static, Type } from "typebox";
import { Nullable } from "../internal/helpers.ts";
import { ResponseItem } from "./response-item.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Document of payload kind `inference_request`: a provider request or an untraced prefix. */
export const InferenceRequestPayload = Type.Object(
  {
    input: Type.Array(ResponseItem, { description: "The model-visible input items, in order." }),
    model: Type.Optional(Type.String({ description: "Requested model." })),
    instructions: Type.Optional(Type.String({ description: "Base instructions, when sent separately." })),
    previous_response_id: Type.Optional(
      Nullable(
        Type.String(),
        "Set when `input` continues an earlier response (incremental request); decides the legacy input mode.",
      ),
    ),
    type: Type.Optional(Type.String({ description: '`"response.create"` for websocket transport.' })),
    tools: Type.Optional(
      Type.Array(Type.Unknown(), { description: "Tool definitions offered to the model." }),
    ),
    stream: Type.Optional(Type.Boolean({ description: "Whether the response is streamed." })),
    store: Type.Optional(Type.Boolean({ description: "Whether the provider stores the response." })),
    parallel_tool_calls: Type.Optional(
      Type.Boolean({ description: "Whether parallel tool calls are allowed." }),
    ),
  },
  {
    title: "InferenceRequestPayload",
    description:
      'Document of payload kind `inference_request`: the exact provider request of an attempt (Responses style; keys other than `input` are kept as sent), or the untraced prefix `{"input": [...]}` of a schema-1 `incremental_with_untraced_prefix` request. Only `input` is required.',
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Document of payload kind `inference_request`. */
export type InferenceRequestPayload = Static<typeof InferenceRequestPayload>;
