import type { GeneratedBundle } from "../bundle.ts";
import type { ErrorInjection } from "./script.ts";
import { type EventPayload, type JsonObject, makeEvent, type TraceEvent } from "./trace-types.ts";

/** Injections that only make sense for schema 2 (they break rules only the schema-2 reducer enforces). */
export const SCHEMA_2_ERROR_INJECTIONS: readonly ErrorInjection[] = [
  "seq_gap",
  "foreign_rollout",
  "event_after_completion",
  "acceptance_without_thread",
  "resume_running_thread",
];

export const ERROR_INJECTIONS: readonly ErrorInjection[] = [
  "unknown_previous_response_id",
  "missing_request_input",
  "duplicate_thread_start",
  "other_event",
  "unknown_tool_end",
  "inference_unknown_turn",
  "unsupported_item_type",
  ...SCHEMA_2_ERROR_INJECTIONS,
];

function insertEvent(
  bundle: GeneratedBundle,
  index: number,
  payload: EventPayload,
  context: { threadId: string | null; turnId: string | null },
): void {
  const neighbour = bundle.events[Math.min(index, bundle.events.length - 1)];
  const envelope = {
    seq: 0,
    wall_time_unix_ms: neighbour?.wall_time_unix_ms ?? bundle.manifest.started_at_unix_ms,
    rollout_id: bundle.manifest.rollout_id,
    thread_id: context.threadId,
    codex_turn_id: context.turnId,
  };
  const event = makeEvent(bundle.schemaVersion, envelope, payload);
  bundle.events.splice(index, 0, event);
  bundle.events.forEach((e, i) => {
    e.seq = i + 1;
  });
}

function payloadOrdinal(path: string): number {
  return Number(path.slice("payloads/".length, -".json".length));
}

function requestPayload(
  bundle: GeneratedBundle,
  which: "first" | "last",
): { ordinal: number; event: TraceEvent } {
  const starts = bundle.events.filter((event) => event.payload.type === "inference_started");
  const event = which === "first" ? starts[0] : starts[starts.length - 1];
  if (event === undefined || event.payload.type !== "inference_started") {
    throw new Error("error injection needs a bundle with an inference request");
  }
  return { ordinal: payloadOrdinal(event.payload.request_payload.path), event };
}

function requestDocument(bundle: GeneratedBundle, ordinal: number): JsonObject {
  const document = bundle.payloads.get(ordinal);
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new Error(`request payload ${ordinal} is not an object`);
  }
  // Copy so that other holders of the original document (the thread model) are not changed.
  const copy = { ...(document as JsonObject) };
  bundle.payloads.set(ordinal, copy);
  return copy;
}

/**
 * Breaks a valid bundle in one documented way and returns a fragment of the error message the reference reducer
 * prints for it. Events are renumbered after insertions so that only the intended rule is broken.
 */
export function injectError(bundle: GeneratedBundle, injection: ErrorInjection): string {
  const root = bundle.manifest.root_thread_id;
  switch (injection) {
    case "unknown_previous_response_id": {
      const { ordinal, event } = requestPayload(bundle, "last");
      requestDocument(bundle, ordinal).previous_response_id = "resp_unknown_to_this_trace";
      const callId = event.payload.type === "inference_started" ? event.payload.inference_call_id : "";
      return `incremental inference request ${callId} referenced unknown previous_response_id resp_unknown_to_this_trace`;
    }
    case "missing_request_input": {
      const { ordinal } = requestPayload(bundle, "first");
      delete requestDocument(bundle, ordinal).input;
      return `inference request payload raw_payload:${ordinal} did not contain input`;
    }
    case "unsupported_item_type": {
      const { ordinal } = requestPayload(bundle, "first");
      const document = requestDocument(bundle, ordinal);
      const input = Array.isArray(document.input) ? document.input : [];
      document.input = [...input, { type: "mystery_item" }];
      return `unsupported model item type mystery_item in payload raw_payload:${ordinal}`;
    }
    case "inference_unknown_turn": {
      const { event } = requestPayload(bundle, "first");
      if (event.payload.type !== "inference_started") throw new Error("unreachable");
      const unknownTurn = "00000000-0000-7000-8000-000000000000";
      event.payload = { ...event.payload, codex_turn_id: unknownTurn };
      return `inference start ${event.payload.inference_call_id} referenced unknown codex turn ${unknownTurn}`;
    }
    case "duplicate_thread_start": {
      const index = bundle.events.findIndex((event) => event.payload.type === "thread_started");
      const original = bundle.events[index];
      if (original === undefined) throw new Error("bundle has no thread start");
      insertEvent(bundle, index + 1, structuredClone(original.payload), { threadId: null, turnId: null });
      return `duplicate thread start for ${root}`;
    }
    case "other_event":
      insertEvent(
        bundle,
        1,
        { type: "other", kind: "debug_marker", summary: "early instrumentation", payloads: [], metadata: {} },
        { threadId: null, turnId: null },
      );
      return "raw trace event has no reducer implementation";
    case "unknown_tool_end": {
      const index = bundle.events.findIndex((event) => event.payload.type === "codex_turn_started");
      const turnEvent = bundle.events[index];
      const callId = "call_never_started";
      insertEvent(
        bundle,
        index + 1,
        { type: "tool_call_ended", tool_call_id: callId, status: "completed", result_payload: null },
        { threadId: turnEvent?.thread_id ?? root, turnId: turnEvent?.codex_turn_id ?? null },
      );
      return `tool call end referenced unknown call ${callId}`;
    }
    case "seq_gap": {
      const from = Math.max(1, Math.floor(bundle.events.length / 2));
      const expected = from + 1;
      for (const event of bundle.events.slice(from)) event.seq += 1;
      return `missing or reordered trace event ${expected}`;
    }
    case "foreign_rollout": {
      const victim = bundle.events[Math.floor(bundle.events.length / 2)];
      if (victim !== undefined) victim.rollout_id = "01900000-0000-7000-8000-00000000beef";
      return "trace event belongs to another rollout";
    }
    case "event_after_completion": {
      const last = bundle.events[bundle.events.length - 1];
      if (last?.payload.type !== "recording_completed") {
        insertEvent(
          bundle,
          bundle.events.length,
          { type: "recording_completed" },
          { threadId: null, turnId: null },
        );
      }
      insertEvent(
        bundle,
        bundle.events.length,
        { type: "rollout_ended", status: "completed" },
        { threadId: null, turnId: null },
      );
      return "trace event after recording completed";
    }
    case "acceptance_without_thread":
      insertEvent(
        bundle,
        2,
        { type: "history_item_accepted", item_id: "msg_00000000-0000-7000-8000-000000000001" },
        { threadId: null, turnId: null },
      );
      return "history acceptance has no thread";
    case "resume_running_thread": {
      const index = bundle.events.findIndex((event) => event.payload.type === "thread_started");
      insertEvent(
        bundle,
        index + 1,
        { type: "thread_resumed", thread_id: root },
        { threadId: null, turnId: null },
      );
      return `resumed thread ${root} has not ended`;
    }
  }
}
