import { type Static, Type } from "typebox";
import { ToolCallKind, ToolCallSummary } from "../enums.ts";
import { IdList, Nullable, StrictObject, Text } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Who asked for a tool call, in the reduced state. */
export const ToolCallRequester = Type.Union(
  [
    StrictObject(
      { type: Type.Literal("model") },
      { title: "ToolCallRequester_model", description: "The model asked for the call." },
    ),
    StrictObject(
      {
        type: Type.Literal("code_cell"),
        code_cell_id: Text("The code cell whose JavaScript made the call."),
      },
      { title: "ToolCallRequester_code_cell", description: "A code cell made the call." },
    ),
  ],
  {
    title: "ToolCallRequester",
    description: 'Requester of a tool call: `{"type":"model"}` or `{"type":"code_cell","code_cell_id":...}`.',
  },
);

const leadingFields = {
  tool_call_id: Text("Producer id of the call."),
  mcp_call_id: Nullable(Type.String(), "MCP correlation id, or null."),
  model_visible_call_id: Nullable(
    Type.String(),
    "Responses `call_id` when the model asked for the call, else null.",
  ),
  code_mode_runtime_tool_id: Nullable(Type.String(), "Runtime id of a nested code-mode call, else null."),
};

const startedCodeCell = {
  started_code_cell_id: Type.Optional(
    Text("Schema 2: the code cell this model-visible `exec` call started. Omitted when absent."),
  ),
};

const trailingFields = {
  thread_id: Text("Thread of the call."),
  started_by_codex_turn_id: Nullable(Type.String(), "Envelope turn of `tool_call_started`, or null."),
  execution: Type.With(ExecutionWindow, { description: "From `tool_call_started` to `tool_call_ended`." }),
  requester: ToolCallRequester,
  kind: Type.With(ToolCallKind, {
    description: "Kind from the start event (schema 2: refined by the runtime start's `kind`).",
  }),
  model_visible_call_item_ids: IdList("Call items (`function_call` / `custom_tool_call`) with the call id."),
  model_visible_output_item_ids: IdList("Output items with the call id."),
  terminal_operation_id: Nullable(Type.String(), "The terminal operation the call ran, or null."),
  summary: Type.With(ToolCallSummary, {
    description: "Producer summary, replaced by `terminal` when the call ran a terminal operation.",
  }),
  raw_invocation_payload_id: Nullable(RawPayloadId, "The invocation payload, or null."),
  raw_result_payload_id: Nullable(RawPayloadId, "The result payload of the last `tool_call_ended`, or null."),
  raw_runtime_payload_ids: Type.Array(RawPayloadId, {
    description: "Runtime begin/end payloads, unique, in order.",
  }),
};

/** A tool call, schema 1 state. */
export const ToolCallV1 = StrictObject(
  { ...leadingFields, ...trailingFields },
  { title: "ToolCallV1", description: "A tool call (schema 1 state)." },
);

/** A tool call, schema 2 state. */
export const ToolCallV2 = StrictObject(
  { ...leadingFields, ...startedCodeCell, ...trailingFields },
  {
    title: "ToolCallV2",
    description: "A tool call (schema 2 state): adds `started_code_cell_id`, omitted when absent.",
  },
);

/** A tool call of either state version. */
export const ToolCall = StrictObject(
  { ...leadingFields, ...startedCodeCell, ...trailingFields },
  {
    title: "ToolCall",
    description: "A tool call of either state version (`started_code_cell_id` only appears in schema 2).",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Requester of a tool call in the reduced state. */
export type ToolCallRequester = Static<typeof ToolCallRequester>;
/** A tool call in schema 1 state. */
export type ToolCallV1 = Static<typeof ToolCallV1>;
/** A tool call in schema 2 state. */
export type ToolCallV2 = Static<typeof ToolCallV2>;
/** A tool call of either state version. */
export type ToolCall = Static<typeof ToolCall>;
