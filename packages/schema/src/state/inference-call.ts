import { type Static, Type } from "typebox";
import { IdList, Nullable, StrictObject, Text } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

function tokenCount(description: string) {
  return Type.Integer({ minimum: 0, description });
}

const inputTokens = {
  input_tokens: tokenCount("Input tokens."),
  cached_input_tokens: tokenCount("Input tokens served from the prompt cache."),
};

const outputTokens = {
  output_tokens: tokenCount("Output tokens."),
  reasoning_output_tokens: tokenCount("Output tokens spent on reasoning."),
};

/** Token usage of an inference call, schema 1 state. */
export const TokenUsageV1 = StrictObject(
  { ...inputTokens, ...outputTokens },
  {
    title: "TokenUsageV1",
    description:
      "Token usage of a response (schema 1 state); negative counts are clamped to 0, totals dropped.",
  },
);

/** Token usage of an inference call, schema 2 state. */
export const TokenUsageV2 = StrictObject(
  {
    ...inputTokens,
    cache_write_input_tokens: tokenCount("Input tokens written to the prompt cache."),
    ...outputTokens,
  },
  {
    title: "TokenUsageV2",
    description: "Token usage of a response (schema 2 state): adds `cache_write_input_tokens`.",
  },
);

/** Token usage of either state version. */
export const TokenUsage = StrictObject(
  {
    ...inputTokens,
    cache_write_input_tokens: Type.Optional(
      tokenCount("Schema 2: input tokens written to the prompt cache."),
    ),
    ...outputTokens,
  },
  {
    title: "TokenUsage",
    description: "Token usage of either state version; `cache_write_input_tokens` is present in schema 2.",
  },
);

function inferenceCallFields<Usage extends typeof TokenUsageV1 | typeof TokenUsageV2 | typeof TokenUsage>(
  usage: Usage,
) {
  return {
    inference_call_id: Text("Producer id of the attempt (a UUID v4)."),
    thread_id: Text("Thread of the attempt."),
    codex_turn_id: Text("Turn of the attempt."),
    execution: Type.With(ExecutionWindow, { description: "Attempt lifetime." }),
    model: Text("Upstream model of the attempt."),
    provider_name: Text("Configured model provider id."),
    response_id: Nullable(Type.String(), "Responses `response.id` (null for failed or cancelled attempts)."),
    upstream_request_id: Nullable(Type.String(), "Transport request id, or null."),
    request_item_ids: IdList(
      "The complete model-visible input in order, reconstructed for incremental requests.",
    ),
    response_item_ids: IdList("Output items in order (also from partial responses)."),
    tool_call_ids_started_by_response: IdList("Tool calls whose call item is among the response items."),
    usage: Nullable(usage, "Token usage, or null when the response reported none."),
    raw_request_payload_id: Type.With(RawPayloadId, { description: "The request payload." }),
    raw_response_payload_id: Nullable(RawPayloadId, "The response payload, or null."),
  };
}

/** One inference attempt, schema 1 state. */
export const InferenceCallV1 = StrictObject(inferenceCallFields(TokenUsageV1), {
  title: "InferenceCallV1",
  description: "One model request attempt (schema 1 state).",
});

/** One inference attempt, schema 2 state. */
export const InferenceCallV2 = StrictObject(inferenceCallFields(TokenUsageV2), {
  title: "InferenceCallV2",
  description: "One model request attempt (schema 2 state).",
});

/** One inference attempt of either state version. */
export const InferenceCall = StrictObject(inferenceCallFields(TokenUsage), {
  title: "InferenceCall",
  description: "One model request attempt, of either state version.",
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Token usage in schema 1 state. */
export type TokenUsageV1 = Static<typeof TokenUsageV1>;
/** Token usage in schema 2 state. */
export type TokenUsageV2 = Static<typeof TokenUsageV2>;
/** Token usage of either state version. */
export type TokenUsage = Static<typeof TokenUsage>;
/** An inference attempt in schema 1 state. */
export type InferenceCallV1 = Static<typeof InferenceCallV1>;
/** An inference attempt in schema 2 state. */
export type InferenceCallV2 = Static<typeof InferenceCallV2>;
/** An inference attempt of either state version. */
export type InferenceCall = Static<typeof InferenceCall>;
