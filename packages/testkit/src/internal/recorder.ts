import {
  type EventPayload,
  type JsonValue,
  type Manifest,
  makeEvent,
  type PayloadKindName,
  type PayloadRef,
  type SchemaVersion,
  type TraceEvent,
} from "./trace-types.ts";

export interface EventContext {
  readonly threadId?: string | null;
  readonly turnId?: string | null;
}

/**
 * In-memory stand-in for Codex's `TraceWriter`: one seq counter and one payload ordinal counter per bundle, payloads
 * registered before the event that refers to them, and a wall clock that only moves forward.
 */
export class BundleRecorder {
  readonly events: TraceEvent[] = [];
  readonly payloads = new Map<number, JsonValue>();
  readonly manifest: Manifest;
  #clock: number;
  #nextOrdinal = 1;

  constructor(schemaVersion: SchemaVersion, traceId: string, rootThreadId: string, startedAtUnixMs: number) {
    this.manifest = {
      schema_version: schemaVersion,
      trace_id: traceId,
      rollout_id: rootThreadId,
      root_thread_id: rootThreadId,
      started_at_unix_ms: startedAtUnixMs,
      raw_event_log: "trace.jsonl",
      payloads_dir: "payloads",
    };
    this.#clock = startedAtUnixMs;
  }

  get schemaVersion(): SchemaVersion {
    return this.manifest.schema_version;
  }

  /** Current wall-clock reading in ms. */
  get now(): number {
    return this.#clock;
  }

  advance(ms: number): number {
    this.#clock += Math.max(0, Math.floor(ms));
    return this.#clock;
  }

  writePayload(kind: PayloadKindName, value: JsonValue): PayloadRef {
    const ordinal = this.#nextOrdinal++;
    this.payloads.set(ordinal, value);
    return {
      raw_payload_id: `raw_payload:${ordinal}`,
      kind: { type: kind },
      path: `payloads/${ordinal}.json`,
    };
  }

  append(payload: EventPayload, context: EventContext = {}): TraceEvent {
    const envelope = {
      seq: this.events.length + 1,
      wall_time_unix_ms: this.#clock,
      rollout_id: this.manifest.rollout_id,
      thread_id: context.threadId ?? null,
      codex_turn_id: context.turnId ?? null,
    };
    const event = makeEvent(this.manifest.schema_version, envelope, payload);
    this.events.push(event);
    return event;
  }
}
