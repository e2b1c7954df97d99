// Inference calls (spec §4.3) and the conversation their request and response payloads carry (§4.4.5).
import { appendToThread, reconcile, reconcileResponseV2 } from "./conversation.ts";
import { fail } from "./errors.ts";
import type { EventPayload, TraceEvent } from "./events.ts";
import { get, isInteger, isObject, JsonNumber, type JsonObject, type JsonValue, jsonEqual } from "./json.ts";
import {
  type ExecutionStatus,
  endWindow,
  type ProducerRef,
  type RawPayloadRef,
  runningWindow,
  type TokenUsage,
} from "./model.ts";
import { normalizeItem, normalizeItems } from "./normalize.ts";
import { compareKeys } from "./order.ts";
import { pushIndex, type ReplayState } from "./state.ts";

type Started = Extract<EventPayload, { type: "inference_started" }>;
type Terminal = Extract<
  EventPayload,
  { type: "inference_completed" | "inference_failed" | "inference_cancelled" }
>;

export function inferenceStarted(s: ReplayState, event: TraceEvent, payload: Started): void {
  const id = payload.inference_call_id;
  if (s.collections.inference_calls.has(id)) fail(`duplicate inference start for ${id}`);
  const turn = s.turn(payload.codex_turn_id);
  if (!turn) fail(`inference start ${id} referenced unknown codex turn ${payload.codex_turn_id}`);
  if (turn.thread_id !== payload.thread_id) {
    fail(
      `inference start ${id} used thread ${payload.thread_id}, but codex turn ${payload.codex_turn_id} belongs to ${turn.thread_id}`,
    );
  }
  const requestIds = reduceRequest(s, event, payload);
  s.thread(payload.thread_id);
  s.collections.inference_calls.set(id, {
    inference_call_id: id,
    thread_id: payload.thread_id,
    codex_turn_id: payload.codex_turn_id,
    execution: runningWindow(event.wall_time_unix_ms, event.seq),
    model: payload.model,
    provider_name: payload.provider_name,
    response_id: null,
    upstream_request_id: null,
    request_item_ids: requestIds,
    response_item_ids: [],
    tool_call_ids_started_by_response: [],
    usage: null,
    raw_request_payload_id: payload.request_payload.raw_payload_id,
    raw_response_payload_id: null,
  });
  pushIndex(s.inferencesByTurn, payload.codex_turn_id, id);
}

function requestInput(s: ReplayState, ref: RawPayloadRef): { payload: JsonObject; input: JsonValue[] } {
  const document = s.readPayload(ref);
  const input = isObject(document) ? get(document, "input") : undefined;
  if (input === undefined) fail(`inference request payload ${ref.raw_payload_id} did not contain input`);
  if (!Array.isArray(input)) fail(`inference request payload ${ref.raw_payload_id} had non-array input`);
  return { payload: document as JsonObject, input };
}

function reduceRequest(s: ReplayState, event: TraceEvent, payload: Started): string[] {
  const ref = payload.request_payload;
  const { payload: request, input } = requestInput(s, ref);
  const threadId = payload.thread_id;
  const payloadPrevious = get(request, "previous_response_id");
  const previousResponseId = typeof payloadPrevious === "string" ? payloadPrevious : null;
  const mode = payload.request_input_mode;
  const base = { threadId, turnId: payload.codex_turn_id, at: event.wall_time_unix_ms, producedBy: [] };
  const fullSnapshot = mode === null ? previousResponseId === null : mode.type === "full_snapshot";
  if (fullSnapshot) {
    const ids = reduceFullSnapshot(s, input, ref.raw_payload_id, base);
    appendToThread(s, threadId, ids);
    s.lastSnapshot.set(threadId, ids);
    return ids;
  }
  const items = normalizeItems(input, ref.raw_payload_id, s.version);
  let ids: string[];

  if (mode?.type === "incremental" || mode?.type === "incremental_with_untraced_prefix") {
    if (previousResponseId !== mode.previous_response_id) {
      const rendered = previousResponseId === null ? "None" : `Some(${JSON.stringify(previousResponseId)})`;
      fail(
        `incremental inference request ${payload.inference_call_id} recorded previous_response_id ${mode.previous_response_id}, but payload previous_response_id was ${rendered}`,
      );
    }
  }

  if (mode?.type === "incremental_with_untraced_prefix") {
    if (tracedResponse(s, threadId, mode.previous_response_id) !== null) {
      fail(
        `incremental inference request ${payload.inference_call_id} recorded untraced prefix for traced previous_response_id ${mode.previous_response_id}`,
      );
    }
    const prefixRef = mode.prefix_payload;
    const prefixItems = normalizeItems(requestInput(s, prefixRef).input, prefixRef.raw_payload_id, s.version);
    const prefixIds = reconcile(s, prefixItems, {
      ...base,
      mode: "full_snapshot",
      start: 0,
      previous: s.lastSnapshot.get(threadId) ?? [],
    });
    const delta = reconcile(s, items, {
      ...base,
      mode: "append_only",
      start: prefixIds.length,
      previous: prefixIds,
    });
    ids = [...prefixIds, ...delta];
  } else {
    const responseId =
      mode?.type === "incremental" ? mode.previous_response_id : (previousResponseId as string);
    const previousCall = tracedResponse(s, threadId, responseId);
    if (previousCall === null) {
      fail(
        `incremental inference request ${payload.inference_call_id} referenced unknown previous_response_id ${responseId}`,
      );
    }
    const call = s.inference(previousCall)!;
    const prefix = [...call.request_item_ids, ...call.response_item_ids];
    const delta = reconcile(s, items, {
      ...base,
      mode: "append_only",
      start: prefix.length,
      previous: s.lastSnapshot.get(threadId) ?? [],
    });
    ids = [...prefix, ...delta];
  }
  appendToThread(s, threadId, ids);
  s.lastSnapshot.set(threadId, ids);
  return ids;
}

/**
 * A full-snapshot request, reconciled against the pending compaction replacement or the thread's last snapshot.
 * Requests repeat what the model saw before, so the leading items equal to the thread's previous full request
 * (same document, and its item still at the same position of the snapshot) take the item chosen then: the same
 * inputs against the same positions give the same item. Only the rest is normalized and matched.
 */
/** An item with a payload-reference part matches only sightings in its own payload, so it cannot carry over. */
function identifiedByPayload(s: ReplayState, itemId: string): boolean {
  return s
    .item(itemId)
    .body.parts.some((part) => part.type === "payload_ref" && part.content_sha256 === undefined);
}

function reduceFullSnapshot(
  s: ReplayState,
  input: readonly JsonValue[],
  payloadId: string,
  pass: { threadId: string; turnId: string; at: number; producedBy: readonly ProducerRef[] },
): string[] {
  const replacement = s.pendingReplacement.get(pass.threadId);
  s.pendingReplacement.delete(pass.threadId);
  const previous = replacement ?? s.lastSnapshot.get(pass.threadId) ?? [];
  const earlier = s.lastFullRequests.get(pass.threadId);
  let same = 0;
  if (earlier) {
    const limit = Math.min(input.length, earlier.ids.length);
    while (
      same < limit &&
      previous[same] === earlier.ids[same] &&
      !identifiedByPayload(s, earlier.ids[same]!) &&
      jsonEqual(input[same]!, earlier.input[same]!)
    )
      same++;
  }
  const items = input.map((raw, k) => (k < same ? null : normalizeItem(raw, payloadId, s.version)));
  const ids = reconcile(s, items, { ...pass, mode: "full_snapshot", start: 0, previous });
  s.lastFullRequests.set(pass.threadId, { input, ids });
  return ids;
}

/** The first inference call (id order) of the thread whose response carried this Responses id. */
function tracedResponse(s: ReplayState, threadId: string, responseId: string): string | null {
  let best: string | null = null;
  for (const id of s.inferencesByResponseId.get(responseId) ?? []) {
    if (s.inference(id)?.thread_id !== threadId) continue;
    if (best === null || compareKeys(id, best) < 0) best = id;
  }
  return best;
}

const TERMINAL_STATUS: Record<Terminal["type"], ExecutionStatus> = {
  inference_completed: "completed",
  inference_failed: "failed",
  inference_cancelled: "cancelled",
};

export function inferenceEnded(s: ReplayState, event: TraceEvent, payload: Terminal): void {
  const id = payload.inference_call_id;
  const call = s.inference(id);
  if (!call) fail(`inference completion referenced unknown call ${id}`);
  const ref =
    payload.type === "inference_completed" ? payload.response_payload : payload.partial_response_payload;
  let responseIds: string[] | null = null;
  if (ref) responseIds = reduceResponse(s, event, id, ref);
  setResponseId(s, id, payload.type === "inference_completed" ? payload.response_id : null);
  if (call.execution.status === "running") {
    endWindow(call.execution, event.wall_time_unix_ms, event.seq, TERMINAL_STATUS[payload.type]);
  }
  if (payload.upstream_request_id !== null) call.upstream_request_id = payload.upstream_request_id;
  if (ref && responseIds) {
    call.raw_response_payload_id = ref.raw_payload_id;
    for (const itemId of call.response_item_ids) s.inferencesByResponseItem.get(itemId)?.delete(id);
    call.response_item_ids = responseIds;
    for (const itemId of responseIds) {
      let set = s.inferencesByResponseItem.get(itemId);
      if (!set) {
        set = new Set();
        s.inferencesByResponseItem.set(itemId, set);
      }
      set.add(id);
    }
  }
}

function setResponseId(s: ReplayState, callId: string, responseId: string | null): void {
  const call = s.inference(callId)!;
  if (call.response_id !== null) s.inferencesByResponseId.get(call.response_id)?.delete(callId);
  call.response_id = responseId;
  if (responseId !== null) {
    let set = s.inferencesByResponseId.get(responseId);
    if (!set) {
      set = new Set();
      s.inferencesByResponseId.set(responseId, set);
    }
    set.add(callId);
  }
}

function reduceResponse(s: ReplayState, event: TraceEvent, callId: string, ref: RawPayloadRef): string[] {
  const call = s.inference(callId) ?? fail(`inference response referenced unknown call ${callId}`);
  const document = s.readPayload(ref);
  const output = isObject(document) ? get(document, "output_items") : undefined;
  if (!Array.isArray(output))
    fail(`inference response payload ${ref.raw_payload_id} did not contain output_items`);
  const items = normalizeItems(output, ref.raw_payload_id, s.version);
  const threadId = call.thread_id;
  const snapshot = s.lastSnapshot.get(threadId) ?? [];
  const pass = {
    threadId,
    turnId: call.codex_turn_id,
    at: event.wall_time_unix_ms,
    producedBy: [{ type: "inference" as const, inference_call_id: callId }],
  };
  let ids: string[];
  if (s.version === 2) {
    ids = reconcileResponseV2(s, items, pass);
  } else {
    ids = reconcile(s, items, { ...pass, mode: "append_only", start: snapshot.length, previous: snapshot });
    appendToThread(s, threadId, ids);
  }
  // Schema 2 leaves the snapshot alone while a compaction replacement waits for the next full request.
  if (s.version === 1 || !s.pendingReplacement.has(threadId))
    s.lastSnapshot.set(threadId, [...snapshot, ...ids]);
  const usage = tokenUsage(s, get(document as JsonObject, "token_usage"));
  if (usage) call.usage = usage;
  return ids;
}

function clampedInteger(value: JsonValue | undefined): number | null {
  if (!isInteger(value)) return null;
  if (value instanceof JsonNumber) {
    const exact = BigInt(value.text);
    if (exact > 9223372036854775807n) return null;
    return exact < 0n ? 0 : Number(exact);
  }
  return Math.max(0, value);
}

function tokenUsage(s: ReplayState, value: JsonValue | undefined): TokenUsage | null {
  if (!isObject(value)) return null;
  const input = clampedInteger(get(value, "input_tokens"));
  const cached = clampedInteger(get(value, "cached_input_tokens"));
  const output = clampedInteger(get(value, "output_tokens"));
  const reasoning = clampedInteger(get(value, "reasoning_output_tokens"));
  if (input === null || cached === null || output === null || reasoning === null) return null;
  return {
    input_tokens: input,
    cached_input_tokens: cached,
    cache_write_input_tokens:
      s.version === 2 ? (clampedInteger(get(value, "cache_write_input_tokens")) ?? 0) : undefined,
    output_tokens: output,
    reasoning_output_tokens: reasoning,
  };
}
