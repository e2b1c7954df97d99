// Tool calls (spec §4.6): lifecycle, bidirectional links with model-visible call/output items, MCP correlation, and
// the hand-offs to terminals, code cells and agent edges.
import { agentEdgesFromRuntimeBegin, agentEdgesFromRuntimeEnd, attachResultToAgentEdge } from "./agents.ts";
import { addProducer } from "./conversation.ts";
import { contextualize, fail } from "./errors.ts";
import type { EventPayload, TraceEvent } from "./events.ts";
import { get, isObject, type JsonObject, parseJson } from "./json.ts";
import {
  type ConversationItem,
  endWindow,
  pushUnique,
  runningWindow,
  type ToolCall,
  type ToolCallRequester,
} from "./model.ts";
import { pairKey, pushIndex, type ReplayState } from "./state.ts";
import {
  createOperationFromInvocation,
  createOperationFromRuntimeBegin,
  endOperation,
  syncTerminalObservation,
} from "./terminals.ts";

type Payload<T extends EventPayload["type"]> = Extract<EventPayload, { type: T }>;

const CALL_KINDS: ReadonlySet<string> = new Set(["function_call", "custom_tool_call"]);
const OUTPUT_KINDS: ReadonlySet<string> = new Set(["function_call_output", "custom_tool_call_output"]);

/** The one tool call carrying this model-visible call id, in any thread. */
export function toolByModelCallId(s: ReplayState, callId: string): ToolCall | null {
  const ids = s.toolsByModelCallId.get(callId);
  if (!ids || ids.length === 0) return null;
  if (ids.length > 1) fail(`multiple tool calls matched model-visible call id ${callId}`);
  return s.tool(ids[0]!) ?? null;
}

export function toolStarted(s: ReplayState, event: TraceEvent, payload: Payload<"tool_call_started">): void {
  const id = payload.tool_call_id;
  if (s.collections.tool_calls.has(id)) fail(`duplicate tool call start for ${id}`);
  const modelCallId = payload.model_visible_call_id;
  if (modelCallId !== null && toolByModelCallId(s, modelCallId) !== null) {
    fail(`duplicate tool call for model-visible call id ${modelCallId}`);
  }

  let threadId = event.thread_id;
  const turnId = event.codex_turn_id;
  if (threadId === null) {
    if (turnId === null) fail("tool call start did not include thread or Codex turn context");
    threadId = s.turn(turnId)?.thread_id ?? fail(`tool call start referenced unknown Codex turn ${turnId}`);
  }
  if (!s.collections.threads.has(threadId)) fail(`tool call start referenced unknown thread ${threadId}`);
  if (turnId !== null) {
    const turn = s.turn(turnId) ?? fail(`tool call start referenced unknown Codex turn ${turnId}`);
    if (turn.thread_id !== threadId) {
      fail(`tool call start used thread ${threadId}, but Codex turn ${turnId} belongs to ${turn.thread_id}`);
    }
  }

  let requester: ToolCallRequester = { type: "model" };
  if (payload.requester.type === "code_cell") {
    const runtimeId = payload.requester.runtime_cell_id;
    const cellId =
      s.runtimeCells.get(pairKey(threadId, runtimeId)) ??
      fail(`code-mode nested tool referenced unknown runtime cell ${runtimeId} in thread ${threadId}`);
    requester = { type: "code_cell", code_cell_id: cellId };
  }

  const callItems: string[] = [];
  const outputItems: string[] = [];
  if (modelCallId !== null) {
    const existing = [...(s.itemsByCallId.get(pairKey(threadId, modelCallId)) ?? [])].sort((a, b) =>
      s.compareItems(a, b),
    );
    for (const itemId of existing) {
      const kind = s.item(itemId).kind;
      if (CALL_KINDS.has(kind)) callItems.push(itemId);
      else if (OUTPUT_KINDS.has(kind)) outputItems.push(itemId);
    }
  }

  const invocation = payload.invocation_payload;
  const operationId =
    payload.kind.type === "write_stdin" && invocation
      ? createOperationFromInvocation(s, event, id, threadId, invocation)
      : null;
  if (invocation) linkWaitTool(s, id, threadId, invocation.raw_payload_id, s.readPayload(invocation));

  const tool: ToolCall = {
    tool_call_id: id,
    mcp_call_id: null,
    model_visible_call_id: modelCallId,
    code_mode_runtime_tool_id: payload.code_mode_runtime_tool_id,
    started_code_cell_id: undefined,
    thread_id: threadId,
    started_by_codex_turn_id: turnId,
    execution: runningWindow(event.wall_time_unix_ms, event.seq),
    requester,
    kind: payload.kind,
    model_visible_call_item_ids: callItems,
    model_visible_output_item_ids: [],
    terminal_operation_id: operationId,
    summary: operationId === null ? payload.summary : { type: "terminal", operation_id: operationId },
    raw_invocation_payload_id: invocation?.raw_payload_id ?? null,
    raw_result_payload_id: null,
    raw_runtime_payload_ids: [],
  };
  s.collections.tool_calls.set(id, tool);
  if (modelCallId !== null) pushIndex(s.toolsByModelCallId, modelCallId, id);
  if (s.version === 2) linkStartedCodeCell(s, tool);
  if (requester.type === "code_cell") {
    pushIndex(s.toolsByRequesterCell, requester.code_cell_id, id);
    const cell = s.codeCell(requester.code_cell_id);
    if (cell) pushUnique(cell.nested_tool_call_ids, id);
  }
  linkToolToResponses(s, tool);
  for (const itemId of outputItems) {
    pushUnique(tool.model_visible_output_item_ids, itemId);
    addProducer(s.item(itemId), { type: "tool", tool_call_id: id });
  }
  syncTerminalObservation(s, tool);
}

/** A model-visible `wait` on a code cell joins that cell's wait list, if the cell has materialized. */
function linkWaitTool(
  s: ReplayState,
  toolId: string,
  threadId: string,
  payloadId: string,
  document: unknown,
): void {
  if (!isObject(document as never) || get(document as JsonObject, "tool_name") !== "wait") return;
  const inner = get(document as JsonObject, "payload");
  const args = isObject(inner) ? get(inner, "arguments") : undefined;
  if (typeof args !== "string")
    fail(`wait tool request payload ${payloadId} did not contain function arguments`);
  let parsed: ReturnType<typeof parseJson>;
  try {
    parsed = parseJson(args);
  } catch (error) {
    throw contextualize(`wait tool request payload ${payloadId} had invalid JSON arguments`, error);
  }
  const cellId = isObject(parsed) ? get(parsed, "cell_id") : undefined;
  if (typeof cellId !== "string") fail(`wait tool request payload ${payloadId} did not contain cell_id`);
  const codeCellId = s.runtimeCells.get(pairKey(threadId, cellId));
  const cell = codeCellId === undefined ? undefined : s.codeCell(codeCellId);
  if (cell) pushUnique(cell.wait_tool_call_ids, toolId);
}

/** Every inference call whose current response holds one of the tool's call items started that tool. */
export function linkToolToResponses(s: ReplayState, tool: ToolCall): void {
  for (const itemId of tool.model_visible_call_item_ids) {
    for (const inferenceId of s.inferencesByResponseItem.get(itemId) ?? []) {
      const call = s.inference(inferenceId);
      if (call) pushUnique(call.tool_call_ids_started_by_response, tool.tool_call_id);
    }
  }
}

/** A reconciled call or output item finds the tool call with its call id. */
export function linkItemToTool(s: ReplayState, item: ConversationItem): void {
  if (item.call_id === null) return;
  const isCall = CALL_KINDS.has(item.kind);
  const isOutput = OUTPUT_KINDS.has(item.kind);
  if (!isCall && !isOutput) return;
  const tool = toolByModelCallId(s, item.call_id);
  if (!tool) return;
  if (isCall) {
    pushUnique(tool.model_visible_call_item_ids, item.item_id);
    linkToolToResponses(s, tool);
  } else {
    pushUnique(tool.model_visible_output_item_ids, item.item_id);
    addProducer(item, { type: "tool", tool_call_id: tool.tool_call_id });
  }
  syncTerminalObservation(s, tool);
}

export function mcpCorrelationAssigned(
  s: ReplayState,
  payload: Payload<"mcp_tool_call_correlation_assigned">,
): void {
  const tool =
    s.tool(payload.tool_call_id) ??
    fail(`MCP correlation referenced unknown tool call ${payload.tool_call_id}`);
  if (tool.mcp_call_id !== null) fail(`duplicate MCP correlation for tool call ${payload.tool_call_id}`);
  tool.mcp_call_id = payload.mcp_call_id;
}

/**
 * Schema 2: the model's `exec` call names the code cell it started, whichever of the two was recorded first. Only a
 * call whose (possibly runtime-overridden) kind is still `other:exec` keeps the link.
 */
export function linkStartedCodeCell(s: ReplayState, tool: ToolCall): void {
  const cellId = tool.model_visible_call_id === null ? null : `code_cell:${tool.model_visible_call_id}`;
  const isExec = tool.kind.type === "other" && tool.kind.name === "exec";
  tool.started_code_cell_id = isExec && cellId !== null && s.codeCell(cellId) ? cellId : undefined;
}

function isTerminalKind(tool: ToolCall): boolean {
  return tool.kind.type === "exec_command" || tool.kind.type === "write_stdin";
}

export function toolRuntimeStarted(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"tool_call_runtime_started">,
): void {
  const tool =
    s.tool(payload.tool_call_id) ??
    fail(`tool runtime start referenced unknown call ${payload.tool_call_id}`);
  if (payload.kind !== null) {
    tool.kind = payload.kind;
    if (s.version === 2) linkStartedCodeCell(s, tool);
  }
  const ref = payload.runtime_payload;
  pushUnique(tool.raw_runtime_payload_ids, ref.raw_payload_id);
  if (isTerminalKind(tool)) {
    if (tool.terminal_operation_id !== null) {
      fail(`tool runtime start would create a second terminal operation for ${tool.tool_call_id}`);
    }
    const operationId = createOperationFromRuntimeBegin(s, event, tool, ref);
    tool.terminal_operation_id = operationId;
    tool.summary = { type: "terminal", operation_id: operationId };
    syncTerminalObservation(s, tool);
  }
  agentEdgesFromRuntimeBegin(s, tool, ref);
}

export function toolRuntimeEnded(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"tool_call_runtime_ended">,
): void {
  const tool =
    s.tool(payload.tool_call_id) ?? fail(`tool runtime end referenced unknown call ${payload.tool_call_id}`);
  const ref = payload.runtime_payload;
  pushUnique(tool.raw_runtime_payload_ids, ref.raw_payload_id);
  if (tool.terminal_operation_id !== null)
    endOperation(s, event, tool.terminal_operation_id, payload.status, ref);
  agentEdgesFromRuntimeEnd(s, event, tool, ref);
}

export function toolEnded(s: ReplayState, event: TraceEvent, payload: Payload<"tool_call_ended">): void {
  const tool =
    s.tool(payload.tool_call_id) ?? fail(`tool call end referenced unknown call ${payload.tool_call_id}`);
  endWindow(tool.execution, event.wall_time_unix_ms, event.seq, payload.status);
  const ref = payload.result_payload;
  tool.raw_result_payload_id = ref?.raw_payload_id ?? null;
  if (tool.terminal_operation_id !== null && tool.raw_runtime_payload_ids.length === 0) {
    endOperation(s, event, tool.terminal_operation_id, payload.status, ref);
  }
  if (ref) attachResultToAgentEdge(s, tool.tool_call_id, ref.raw_payload_id);
}
