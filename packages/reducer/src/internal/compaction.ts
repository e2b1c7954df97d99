// Remote compaction (spec §4.5): requests to the compact endpoint and installed checkpoints. An installed
// checkpoint puts its input history, a marker and its replacement history into the thread, and the next full
// request is reconciled against the replacement history.
import { appendToThread, createItem, reconcileDetached } from "./conversation.ts";
import { fail } from "./errors.ts";
import type { EventPayload, TraceEvent } from "./events.ts";
import { get, isObject, type JsonValue } from "./json.ts";
import { endWindow, runningWindow } from "./model.ts";
import { normalizeItems } from "./normalize.ts";
import { sortKeys } from "./order.ts";
import { pushIndex, type ReplayState } from "./state.ts";

type Payload<T extends EventPayload["type"]> = Extract<EventPayload, { type: T }>;

export function compactionRequestStarted(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"compaction_request_started">,
): void {
  const id = payload.compaction_request_id;
  if (s.collections.compaction_requests.has(id)) fail(`duplicate compaction request start for ${id}`);
  s.thread(payload.thread_id);
  const turn =
    s.turn(payload.codex_turn_id) ??
    fail(`compaction request ${id} referenced unknown codex turn ${payload.codex_turn_id}`);
  if (turn.thread_id !== payload.thread_id) {
    fail(
      `compaction request ${id} used thread ${payload.thread_id}, but codex turn ${payload.codex_turn_id} belongs to ${turn.thread_id}`,
    );
  }
  s.collections.compaction_requests.set(id, {
    compaction_request_id: id,
    compaction_id: payload.compaction_id,
    thread_id: payload.thread_id,
    codex_turn_id: payload.codex_turn_id,
    execution: runningWindow(event.wall_time_unix_ms, event.seq),
    model: payload.model,
    provider_name: payload.provider_name,
    raw_request_payload_id: payload.request_payload.raw_payload_id,
    raw_response_payload_id: null,
  });
  pushIndex(s.compactionRequestsById, payload.compaction_id, id);
}

export function compactionRequestEnded(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"compaction_request_completed" | "compaction_request_failed">,
): void {
  const id = payload.compaction_request_id;
  const request =
    s.collections.compaction_requests.get(id) ??
    fail(`compaction request completion referenced unknown request ${id}`);
  if (request.compaction_id !== payload.compaction_id) {
    fail(
      `compaction request ${id} completion used compaction ${payload.compaction_id}, but start used ${request.compaction_id}`,
    );
  }
  const completed = payload.type === "compaction_request_completed";
  endWindow(request.execution, event.wall_time_unix_ms, event.seq, completed ? "completed" : "failed");
  request.raw_response_payload_id = completed ? payload.response_payload.raw_payload_id : null;
}

function historyArray(document: JsonValue, key: string, payloadId: string): JsonValue[] {
  const value = isObject(document) ? get(document, key) : undefined;
  if (!Array.isArray(value)) fail(`compaction checkpoint payload ${payloadId} did not contain array ${key}`);
  return value;
}

export function compactionInstalled(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"compaction_installed">,
): void {
  const id = payload.compaction_id;
  const threadId = event.thread_id ?? fail(`compaction installed event ${id} did not include a thread id`);
  const turnId =
    event.codex_turn_id ?? fail(`compaction installed event ${id} did not include a codex turn id`);
  if (s.collections.compactions.has(id)) fail(`duplicate compaction install for ${id}`);
  s.thread(threadId);
  const turn = s.turn(turnId) ?? fail(`compaction install ${id} referenced unknown codex turn ${turnId}`);
  if (turn.thread_id !== threadId)
    fail(
      `compaction install ${id} used thread ${threadId}, but codex turn ${turnId} belongs to ${turn.thread_id}`,
    );

  const ref = payload.checkpoint_payload;
  const document = s.readPayload(ref);
  const input = normalizeItems(
    historyArray(document, "input_history", ref.raw_payload_id),
    ref.raw_payload_id,
    s.version,
  );
  const replacement = normalizeItems(
    historyArray(document, "replacement_history", ref.raw_payload_id),
    ref.raw_payload_id,
    s.version,
  );
  const at = event.wall_time_unix_ms;
  const inputIds = reconcileDetached(
    s,
    input,
    { threadId, turnId, at, producedBy: [] },
    s.lastSnapshot.get(threadId) ?? [],
  );
  const producedBy = [{ type: "compaction" as const, compaction_id: id }];
  const markerId = createItem(
    s,
    {
      role: "assistant",
      channel: null,
      kind: "compaction_marker",
      agent_message: undefined,
      parts: [],
      call_id: null,
      responses_item_id: undefined,
    },
    { threadId, turnId, at, producedBy },
  );
  const replacementIds = reconcileDetached(s, replacement, { threadId, turnId, at, producedBy }, null);
  appendToThread(s, threadId, [...inputIds, markerId, ...replacementIds]);
  s.pendingReplacement.set(threadId, replacementIds);
  s.collections.compactions.set(id, {
    compaction_id: id,
    thread_id: threadId,
    codex_turn_id: turnId,
    installed_at_unix_ms: at,
    marker_item_id: markerId,
    request_ids: sortKeys(s.compactionRequestsById.get(id) ?? []),
    input_item_ids: inputIds,
    replacement_item_ids: replacementIds,
  });
}
