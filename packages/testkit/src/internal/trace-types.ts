import type {
  CodeCellRuntimeStatus,
  ExecutionStatus,
  RawPayloadKindName,
  RawPayloadRef,
  RawToolCallRequester,
  RawTraceEvent,
  RawTraceEventPayload,
  RawTraceEventPayloadV1,
  RawTraceEventPayloadV2,
  RolloutStatus,
  ToolCallKind,
  TraceManifest,
} from "@rollout-trace/schema";

/** The on-disk format as `@rollout-trace/schema` describes it, under the short names the generator uses. */
export type SchemaVersion = 1 | 2;
export type Manifest = TraceManifest;
export type PayloadRef = RawPayloadRef;
export type PayloadKindName = RawPayloadKindName;
export type TraceEvent = RawTraceEvent;
export type EventPayload = RawTraceEventPayload;
export type ToolKind = ToolCallKind;
export type ToolRequester = RawToolCallRequester;
export type ExecutionStatusName = ExecutionStatus;
export type RolloutStatusName = RolloutStatus;
export type CodeCellStatusName = CodeCellRuntimeStatus;

/** JSON documents (payload files, Responses items). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const SCHEMA_2_ONLY_EVENTS = new Set<string>([
  "recording_completed",
  "thread_resumed",
  "history_item_accepted",
  "stdin_target_resolved",
]);

/** Whether an event payload is valid in a schema-1 log (no schema-2 event types, no runtime-start `kind`). */
export function isSchema1Payload(payload: EventPayload): payload is RawTraceEventPayloadV1 {
  if (SCHEMA_2_ONLY_EVENTS.has(payload.type)) return false;
  return payload.type !== "tool_call_runtime_started" || !("kind" in payload);
}

/** Whether an event payload is valid in a schema-2 log (a runtime start must name its `kind`). */
export function isSchema2Payload(payload: EventPayload): payload is RawTraceEventPayloadV2 {
  return payload.type !== "tool_call_runtime_started" || "kind" in payload;
}

export interface Envelope {
  readonly seq: number;
  readonly wall_time_unix_ms: number;
  readonly rollout_id: string;
  readonly thread_id: string | null;
  readonly codex_turn_id: string | null;
}

/** Builds an event line of the given schema version, refusing payloads that version cannot carry. */
export function makeEvent(version: SchemaVersion, envelope: Envelope, payload: EventPayload): TraceEvent {
  if (version === 1) {
    if (!isSchema1Payload(payload)) throw new Error(`${payload.type} cannot be written to a schema-1 bundle`);
    return { schema_version: 1, ...envelope, payload };
  }
  if (!isSchema2Payload(payload)) throw new Error(`${payload.type} is incomplete for a schema-2 bundle`);
  return { schema_version: 2, ...envelope, payload };
}
