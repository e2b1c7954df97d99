// Rollout, thread and turn lifecycle (spec §4.2) and the schema-2 additions: thread resume, history acceptance
// and stdin target resolution.

import { linkItemToAgentEdges } from "./agents.ts";
import { endCodeCellsOfTurn } from "./code-cells.ts";
import { appendToThread, createItem } from "./conversation.ts";
import { any, field, opt, str, struct } from "./decode.ts";
import { contextualize, fail, ReplayError } from "./errors.ts";
import type { EventPayload, TraceEvent } from "./events.ts";
import { get, isObject, type JsonValue } from "./json.ts";
import { type AgentOrigin, type ExecutionStatus, endWindow, runningWindow } from "./model.ts";
import { normalizeItem } from "./normalize.ts";
import { pairKey, type ReplayState } from "./state.ts";
import { joinSession } from "./terminals.ts";

type Payload<T extends EventPayload["type"]> = Extract<EventPayload, { type: T }>;

interface ThreadMetadata {
  agent_path: string | null;
  task_name: string | null;
  nickname: string | null;
  agent_role: string | null;
  model: string | null;
  session_source: JsonValue | null;
}

function readMetadata(s: ReplayState, payload: Payload<"thread_started">): ThreadMetadata | null {
  const ref = payload.metadata_payload;
  if (!ref) return null;
  const document = s.readPayload(ref);
  try {
    const object = struct(document, "struct ThreadMetadata");
    return {
      agent_path: field(object, "agent_path", opt(str)),
      task_name: field(object, "task_name", opt(str)),
      nickname: field(object, "nickname", opt(str)),
      agent_role: field(object, "agent_role", opt(str)),
      model: field(object, "model", opt(str)),
      session_source: field(object, "session_source", opt(any)),
    };
  } catch (error) {
    throw contextualize(`parse thread metadata ${ref.raw_payload_id}`, error);
  }
}

function lastSegment(path: string): string | null {
  const segments = path.split("/").filter((segment) => segment !== "");
  return segments.length > 0 ? segments[segments.length - 1]! : null;
}

function stringField(object: JsonValue | undefined, key: string): string | null {
  const value = isObject(object) ? get(object, key) : undefined;
  return typeof value === "string" ? value : null;
}

export function threadStarted(s: ReplayState, event: TraceEvent, payload: Payload<"thread_started">): void {
  const id = payload.thread_id;
  if (s.collections.threads.has(id)) fail(`duplicate thread start for ${id}`);
  const metadata = readMetadata(s, payload);
  const source = metadata?.session_source ?? null;
  const subagent = isObject(source) ? get(source, "subagent") : undefined;
  const spawn = isObject(subagent) ? get(subagent, "thread_spawn") : undefined;
  const parent = stringField(spawn, "parent_thread_id");

  let origin: AgentOrigin = { type: "root" };
  let agentPath = metadata?.agent_path ?? payload.agent_path;
  if (isObject(spawn) && parent !== null) {
    const spawnPath = stringField(spawn, "agent_path") ?? metadata?.agent_path ?? null;
    const taskName =
      stringField(spawn, "task_name") ??
      metadata?.task_name ??
      (spawnPath === null ? null : lastSegment(spawnPath));
    const role = stringField(spawn, "agent_role") ?? metadata?.agent_role ?? null;
    agentPath = spawnPath ?? agentPath;
    origin = {
      type: "spawned",
      parent_thread_id: parent,
      spawn_edge_id: `edge:spawn:${parent}:${id}`,
      task_name: taskName ?? lastSegment(agentPath) ?? agentPath,
      agent_role: role ?? "",
    };
  }
  s.collections.threads.set(id, {
    thread_id: id,
    agent_path: agentPath,
    nickname: metadata?.nickname ?? null,
    origin,
    execution: runningWindow(event.wall_time_unix_ms, event.seq),
    default_model: metadata?.model ?? null,
    conversation_item_ids: [],
  });
}

export function threadEnded(s: ReplayState, event: TraceEvent, payload: Payload<"thread_ended">): void {
  const thread = s.thread(payload.thread_id);
  endWindow(thread.execution, event.wall_time_unix_ms, event.seq, payload.status);
}

export function threadResumed(s: ReplayState, payload: Payload<"thread_resumed">): void {
  const id = payload.thread_id;
  const thread = s.collections.threads.get(id);
  if (!thread) {
    throw new ReplayError(
      `cannot resume thread ${id}: it was not started in this trace; resuming threads from an earlier trace is not supported`,
      [`trace event referenced unknown thread ${id}`],
    );
  }
  if (thread.execution.ended_seq === null) fail(`resumed thread ${id} has not ended`);
  thread.execution.ended_at_unix_ms = null;
  thread.execution.ended_seq = null;
  thread.execution.status = "running";
}

export function turnStarted(s: ReplayState, event: TraceEvent, payload: Payload<"codex_turn_started">): void {
  const id = payload.codex_turn_id;
  if (s.collections.codex_turns.has(id)) fail(`duplicate codex turn start for ${id}`);
  s.thread(payload.thread_id);
  s.collections.codex_turns.set(id, {
    codex_turn_id: id,
    thread_id: payload.thread_id,
    execution: runningWindow(event.wall_time_unix_ms, event.seq),
    input_item_ids: [],
  });
}

const INFERENCE_STATUS_AT_TURN_END: Partial<Record<ExecutionStatus, ExecutionStatus>> = {
  completed: "cancelled",
  cancelled: "cancelled",
  failed: "failed",
  aborted: "aborted",
};

export function turnEnded(s: ReplayState, event: TraceEvent, payload: Payload<"codex_turn_ended">): void {
  const id = payload.codex_turn_id;
  const turn = s.turn(id);
  if (event.thread_id !== null && turn && turn.thread_id !== event.thread_id) {
    fail(
      `codex turn end for ${id} used thread ${event.thread_id}, but the turn belongs to ${turn.thread_id}`,
    );
  }
  if (!turn) fail(`codex turn end referenced unknown turn ${id}`);
  endWindow(turn.execution, event.wall_time_unix_ms, event.seq, payload.status);
  endCodeCellsOfTurn(s, event, id, payload.status);
  const inferenceStatus = INFERENCE_STATUS_AT_TURN_END[payload.status];
  if (inferenceStatus === undefined) return;
  for (const callId of s.inferencesByTurn.get(id) ?? []) {
    const call = s.inference(callId);
    if (call && call.execution.status === "running") {
      endWindow(call.execution, event.wall_time_unix_ms, event.seq, inferenceStatus);
    }
  }
}

export function historyItemAccepted(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"history_item_accepted">,
): void {
  const threadId = event.thread_id ?? fail("history acceptance has no thread");
  s.thread(threadId);
  const key = pairKey(threadId, payload.item_id);
  if (!s.acceptances.has(key)) {
    const acceptance = { at: event.wall_time_unix_ms, seq: event.seq };
    s.acceptances.set(key, acceptance);
    for (const itemId of s.itemsByResponsesId.get(key) ?? []) {
      const item = s.item(itemId);
      if (item.accepted_at_unix_ms === undefined) {
        item.accepted_at_unix_ms = acceptance.at;
        item.accepted_seq = acceptance.seq;
      }
    }
    // An accepted response item joins the transcript.
    appendToThread(s, threadId, s.itemsByResponsesId.get(key) ?? []);
  }
  const ref = payload.agent_message_payload;
  if (!ref) return;
  const document = s.readPayload(ref);
  if (stringField(document, "id") !== payload.item_id)
    fail(`accepted agent message does not match receipt ${payload.item_id}`);
  // An accepted agent message the thread has not seen yet becomes an item now; the next sighting of its id claims it.
  if ((s.itemsByResponsesId.get(key)?.length ?? 0) > 0) return;
  const normalized = normalizeItem(document, ref.raw_payload_id, s.version);
  const itemId = createItem(s, normalized, {
    threadId,
    turnId: event.codex_turn_id,
    at: event.wall_time_unix_ms,
    producedBy: [],
  });
  s.unclaimedAgentMessages.set(key, itemId);
  appendToThread(s, threadId, [itemId]);
  linkItemToAgentEdges(s, s.item(itemId));
}

export function stdinTargetResolved(s: ReplayState, payload: Payload<"stdin_target_resolved">): void {
  const tool =
    s.tool(payload.tool_call_id) ?? fail(`stdin target referenced unknown call ${payload.tool_call_id}`);
  const exec =
    s.tool(payload.exec_tool_call_id) ??
    fail(`stdin target referenced unknown exec ${payload.exec_tool_call_id}`);
  s.stdinTargets.set(tool.tool_call_id, exec.tool_call_id);
  if (tool.terminal_operation_id === null || exec.terminal_operation_id === null) return;
  const operation = s.collections.terminal_operations.get(tool.terminal_operation_id)!;
  const execOperation = s.collections.terminal_operations.get(exec.terminal_operation_id)!;
  if (execOperation.terminal_id !== null) joinSession(s, operation, execOperation.terminal_id);
}
