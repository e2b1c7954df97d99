import { type Static, Type } from "typebox";
import { ToolCallKind } from "../enums.ts";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

const toolCallId = Text("The tool call the runtime began to execute.");
const runtimePayload = Described(
  RawPayloadRef,
  "The runtime begin observation (kind `tool_runtime_event`, or `terminal_runtime_event` in some producers).",
);

/** `tool_call_runtime_started` as written in schema 1 (no kind). */
export const ToolCallRuntimeStartedV1 = Type.Object(
  {
    type: Type.Literal("tool_call_runtime_started"),
    tool_call_id: toolCallId,
    runtime_payload: runtimePayload,
  },
  {
    title: "ToolCallRuntimeStartedV1",
    description:
      "Schema 1: the runtime began executing a tool (exec, patch, MCP or collab begin event). The envelope carries thread and turn.",
  },
);

/** `tool_call_runtime_started` as written in schema 2 (with the runtime's kind). */
export const ToolCallRuntimeStartedV2 = Type.Object(
  {
    type: Type.Literal("tool_call_runtime_started"),
    tool_call_id: toolCallId,
    kind: Described(
      ToolCallKind,
      "Required in schema 2: the runtime's classification, which refines the dispatch kind (e.g. `other` becomes `mcp`).",
    ),
    runtime_payload: runtimePayload,
  },
  {
    title: "ToolCallRuntimeStartedV2",
    description:
      "Schema 2: the runtime began executing a tool; `kind` is required. The envelope carries thread and turn.",
  },
);

/** `tool_call_runtime_started` of either schema version. */
export const ToolCallRuntimeStarted = Type.Union([ToolCallRuntimeStartedV1, ToolCallRuntimeStartedV2], {
  title: "ToolCallRuntimeStarted",
  description: "A `tool_call_runtime_started` event payload of either schema version.",
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A schema-1 `tool_call_runtime_started` event payload. */
export type ToolCallRuntimeStartedV1 = Static<typeof ToolCallRuntimeStartedV1>;
/** A schema-2 `tool_call_runtime_started` event payload. */
export type ToolCallRuntimeStartedV2 = Static<typeof ToolCallRuntimeStartedV2>;
/** A `tool_call_runtime_started` event payload of either schema version. */
export type ToolCallRuntimeStarted = Static<typeof ToolCallRuntimeStarted>;
