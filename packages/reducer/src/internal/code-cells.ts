// Code-mode `exec` cells (spec §4.7). A cell materializes once the model's `custom_tool_call` that authored its JS
// is in the conversation; until then its start and lifecycle events wait in a queue.
import { addProducer } from "./conversation.ts";
import { fail } from "./errors.ts";
import type { EventPayload, TraceEvent } from "./events.ts";
import {
  type CodeCell,
  type CodeCellRuntimeStatus,
  type ConversationItem,
  type ExecutionStatus,
  endWindow,
  pushUnique,
  runningWindow,
} from "./model.ts";
import { compareKeys, sortKeys } from "./order.ts";
import {
  type PendingCellEvent,
  type PendingCellStart,
  pairKey,
  pushIndex,
  type ReplayState,
} from "./state.ts";
import { linkStartedCodeCell } from "./tools.ts";

type Payload<T extends EventPayload["type"]> = Extract<EventPayload, { type: T }>;

const EVENT_NAMES = {
  code_cell_started: "code cell start",
  code_cell_initial_response: "code cell initial response",
  code_cell_ended: "code cell end",
} as const;

function threadOfCellEvent(s: ReplayState, event: TraceEvent, name: string, runtimeId: string): string {
  if (event.thread_id !== null) return event.thread_id;
  if (event.codex_turn_id === null) fail(`${name} ${runtimeId} did not include a thread id`);
  return (
    s.turn(event.codex_turn_id)?.thread_id ??
    fail(`${name} ${runtimeId} referenced unknown Codex turn ${event.codex_turn_id}`)
  );
}

function sourceItems(
  s: ReplayState,
  threadId: string,
  callId: string,
  kind: ConversationItem["kind"],
): string[] {
  const ids = s.itemsByCallId.get(pairKey(threadId, callId)) ?? [];
  return ids.filter((id) => s.item(id).kind === kind).sort((a, b) => s.compareItems(a, b));
}

export function codeCellStarted(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"code_cell_started">,
): void {
  const threadId = threadOfCellEvent(s, event, EVENT_NAMES.code_cell_started, payload.runtime_cell_id);
  const cellId = `code_cell:${payload.model_visible_call_id}`;
  const key = pairKey(threadId, payload.runtime_cell_id);
  const mapped = s.runtimeCells.get(key);
  if (mapped !== undefined && mapped !== cellId) {
    fail(
      `runtime code cell ${payload.runtime_cell_id} in thread ${threadId} mapped to both ${mapped} and ${cellId}`,
    );
  }
  s.runtimeCells.set(key, cellId);
  const start: PendingCellStart = {
    code_cell_id: cellId,
    runtime_cell_id: payload.runtime_cell_id,
    model_visible_call_id: payload.model_visible_call_id,
    source_js: payload.source_js,
    thread_id: threadId,
    codex_turn_id: event.codex_turn_id,
    at: event.wall_time_unix_ms,
    seq: event.seq,
  };
  if (sourceItems(s, threadId, payload.model_visible_call_id, "custom_tool_call").length === 0) {
    if (s.collections.code_cells.has(cellId) || s.pendingCellStarts.has(cellId))
      fail(`duplicate code cell start for ${cellId}`);
    s.pendingCellStarts.set(cellId, start);
  } else {
    materialize(s, start);
  }
}

/** Materializes every queued start whose source item now exists (queue in code cell id order). */
export function materializePendingCodeCells(s: ReplayState): void {
  if (s.pendingCellStarts.size === 0) return;
  for (const cellId of sortKeys(s.pendingCellStarts.keys())) {
    const start = s.pendingCellStarts.get(cellId)!;
    if (sourceItems(s, start.thread_id, start.model_visible_call_id, "custom_tool_call").length === 0)
      continue;
    s.pendingCellStarts.delete(cellId);
    materialize(s, start);
  }
}

function materialize(s: ReplayState, start: PendingCellStart): void {
  const cellId = start.code_cell_id;
  if (s.collections.code_cells.has(cellId)) fail(`duplicate code cell start for ${cellId}`);
  const turnId = start.codex_turn_id ?? fail(`code cell start ${cellId} did not include a Codex turn id`);
  if (!s.collections.threads.has(start.thread_id))
    fail(`code cell start referenced unknown thread ${start.thread_id}`);
  const turn = s.turn(turnId) ?? fail(`code cell start referenced unknown Codex turn ${turnId}`);
  if (turn.thread_id !== start.thread_id) {
    fail(
      `code cell start used thread ${start.thread_id}, but Codex turn ${turnId} belongs to ${turn.thread_id}`,
    );
  }
  const source = sourceItems(s, start.thread_id, start.model_visible_call_id, "custom_tool_call")[0]!;
  const outputs = sourceItems(s, start.thread_id, start.model_visible_call_id, "custom_tool_call_output");
  const nested = [...(s.toolsByRequesterCell.get(cellId) ?? [])].sort(compareKeys);
  const v2 = s.version === 2;
  const cell: CodeCell = {
    code_cell_id: cellId,
    model_visible_call_id: start.model_visible_call_id,
    thread_id: start.thread_id,
    codex_turn_id: turnId,
    source_item_id: source,
    output_item_ids: outputs,
    runtime_cell_id: start.runtime_cell_id,
    execution: runningWindow(start.at, start.seq),
    runtime_status: "starting",
    initial_response_at_unix_ms: null,
    initial_response_seq: null,
    initial_response_status: v2 ? null : undefined,
    raw_initial_response_payload_id: v2 ? null : undefined,
    raw_result_payload_id: v2 ? null : undefined,
    yielded_at_unix_ms: null,
    yielded_seq: null,
    source_js: start.source_js,
    nested_tool_call_ids: nested,
    wait_tool_call_ids: [],
  };
  s.collections.code_cells.set(cellId, cell);
  pushIndex(s.codeCellsByTurn, turnId, cellId);
  for (const itemId of outputs) addProducer(s.item(itemId), { type: "code_cell", code_cell_id: cellId });
  if (v2) linkStartingTool(s, cell);
  const queued = s.pendingCellEvents.get(cellId);
  if (queued) {
    s.pendingCellEvents.delete(cellId);
    queued.sort((a, b) => a.seq - b.seq);
    for (const lifecycle of queued) applyLifecycle(cell, lifecycle, s.version);
  }
}

/** Schema 2: the model-visible `exec` tool call that started a cell points at it. */
function linkStartingTool(s: ReplayState, cell: CodeCell): void {
  for (const toolId of s.toolsByModelCallId.get(cell.model_visible_call_id) ?? []) {
    const tool = s.tool(toolId);
    if (tool) linkStartedCodeCell(s, tool);
  }
}

export function codeCellLifecycle(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"code_cell_initial_response" | "code_cell_ended">,
): void {
  const name = EVENT_NAMES[payload.type];
  const threadId = threadOfCellEvent(s, event, name, payload.runtime_cell_id);
  const cellId =
    s.runtimeCells.get(pairKey(threadId, payload.runtime_cell_id)) ??
    fail(`${name} referenced unknown runtime cell ${payload.runtime_cell_id} in thread ${threadId}`);
  const lifecycle: PendingCellEvent = {
    kind: payload.type === "code_cell_ended" ? "ended" : "initial_response",
    status: payload.status,
    response_payload_id: payload.response_payload?.raw_payload_id ?? null,
    at: event.wall_time_unix_ms,
    seq: event.seq,
  };
  const cell = s.codeCell(cellId);
  if (cell) {
    applyLifecycle(cell, lifecycle, s.version);
  } else if (s.pendingCellStarts.has(cellId)) {
    const queued = s.pendingCellEvents.get(cellId);
    if (queued) queued.push(lifecycle);
    else s.pendingCellEvents.set(cellId, [lifecycle]);
  } else {
    fail(`${name} referenced unknown cell ${cellId}`);
  }
}

const END_STATUS: Record<CodeCellRuntimeStatus, ExecutionStatus> = {
  starting: "running",
  running: "running",
  yielded: "running",
  completed: "completed",
  failed: "failed",
  terminated: "cancelled",
};

function applyLifecycle(cell: CodeCell, lifecycle: PendingCellEvent, version: 1 | 2): void {
  if (lifecycle.kind === "initial_response") {
    // Schema 2 lets a late initial response replace the end-event fallback, which leaves the status null.
    const unset =
      version === 2 ? cell.initial_response_status === null : cell.initial_response_at_unix_ms === null;
    if (unset) {
      cell.initial_response_at_unix_ms = lifecycle.at;
      cell.initial_response_seq = lifecycle.seq;
      if (version === 2) {
        cell.initial_response_status = lifecycle.status;
        cell.raw_initial_response_payload_id = lifecycle.response_payload_id;
      }
    }
    if (lifecycle.status === "yielded") {
      cell.yielded_at_unix_ms = lifecycle.at;
      cell.yielded_seq = lifecycle.seq;
    }
    cell.runtime_status = lifecycle.status;
    return;
  }
  if (cell.initial_response_at_unix_ms === null) {
    cell.initial_response_at_unix_ms = lifecycle.at;
    cell.initial_response_seq = lifecycle.seq;
  }
  if (version === 2) cell.raw_result_payload_id = lifecycle.response_payload_id;
  endWindow(cell.execution, lifecycle.at, lifecycle.seq, END_STATUS[lifecycle.status]);
  cell.runtime_status = lifecycle.status;
}

/** A `custom_tool_call_output` for `code_cell:<call id>` (any thread) is that cell's output. */
export function linkOutputToCodeCell(s: ReplayState, item: ConversationItem): void {
  if (item.kind !== "custom_tool_call_output" || item.call_id === null) return;
  const cell = s.codeCell(`code_cell:${item.call_id}`);
  if (!cell) return;
  pushUnique(cell.output_item_ids, item.item_id);
  addProducer(item, { type: "code_cell", code_cell_id: cell.code_cell_id });
}

/** Turn end closes the turn's still-running cells: failed turns fail them, cancelled or aborted turns terminate them. */
export function endCodeCellsOfTurn(
  s: ReplayState,
  event: TraceEvent,
  turnId: string,
  status: ExecutionStatus,
): void {
  let runtimeStatus: CodeCellRuntimeStatus;
  if (status === "failed") runtimeStatus = "failed";
  else if (status === "cancelled" || status === "aborted") runtimeStatus = "terminated";
  else return;
  for (const cellId of s.codeCellsByTurn.get(turnId) ?? []) {
    const cell = s.codeCell(cellId);
    if (cell?.execution.status !== "running") continue;
    applyLifecycle(
      cell,
      {
        kind: "ended",
        status: runtimeStatus,
        response_payload_id: null,
        at: event.wall_time_unix_ms,
        seq: event.seq,
      },
      s.version,
    );
  }
}
