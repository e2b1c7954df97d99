import { type Static, Type } from "typebox";
import { Nullable } from "../internal/helpers.ts";
import { ResponseOutputItem } from "./response-item.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

function tokenCount(description: string) {
  return Type.Integer({ description });
}

/** Token usage as the Codex protocol reports it. */
export const ProtocolTokenUsage = Type.Object(
  {
    input_tokens: tokenCount("Input tokens."),
    cached_input_tokens: tokenCount("Input tokens served from the prompt cache."),
    cache_write_input_tokens: Type.Optional(
      tokenCount("Input tokens written to the prompt cache (written by schema-2 producers)."),
    ),
    output_tokens: tokenCount("Output tokens."),
    reasoning_output_tokens: tokenCount("Output tokens spent on reasoning."),
    total_tokens: tokenCount("Total tokens (dropped by the reducer)."),
  },
  {
    title: "ProtocolTokenUsage",
    description: "Token usage of one response as the Codex protocol reports it.",
  },
);

/** Document of payload kind `inference_response`. */
export const InferenceResponsePayload = Type.Object(
  {
    response_id: Type.Optional(
      Nullable(Type.String(), "Responses `response.id`; null for failed or cancelled partial responses."),
    ),
    upstream_request_id: Type.Optional(
      Nullable(Type.String(), "Transport request id (`x-request-id`), or null."),
    ),
    token_usage: Type.Optional(Nullable(ProtocolTokenUsage, "Token usage, or null when unknown.")),
    output_items: Type.Array(ResponseOutputItem, {
      description: "Completed output items in order (never stream deltas).",
    }),
  },
  {
    title: "InferenceResponsePayload",
    description:
      "Document of payload kind `inference_response`: the non-delta summary of a completed response, or the partial items of a failed or cancelled one. Nullable fields may also be absent.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Token usage as the Codex protocol reports it. */
export type ProtocolTokenUsage = Static<typeof ProtocolTokenUsage>;
/** Document of payload kind `inference_response`. */
export type InferenceResponsePayload = Static<typeof InferenceResponsePayload>;
