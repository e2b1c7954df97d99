// The pure replay driver: a manifest, then trace.jsonl lines in file order, then the end-of-replay pass. It has no
// I/O of its own: payloads come from the reader the caller provides, lines from whatever reads the file.
import { agentResultObserved, resolveSpawnFallbacks } from "./agents.ts";
import { codeCellLifecycle, codeCellStarted } from "./code-cells.ts";
import { compactionInstalled, compactionRequestEnded, compactionRequestStarted } from "./compaction.ts";
import { DecodeError, field, i64, str, struct, u32 } from "./decode.ts";
import { type ErrorLocation, fail, ReplayError } from "./errors.ts";
import { decodeEvent, payloadRefsOf, type TraceEvent, type TraceVersion } from "./events.ts";
import { inferenceEnded, inferenceStarted } from "./inference.ts";
import { JsonSyntaxError, type JsonValue, parseJson } from "./json.ts";
import type { RolloutHeader } from "./model.ts";
import { sortKeys } from "./order.ts";
import { serializeState } from "./serialize.ts";
import { type PayloadReader, ReplayState } from "./state.ts";
import {
  historyItemAccepted,
  stdinTargetResolved,
  threadEnded,
  threadResumed,
  threadStarted,
  turnEnded,
  turnStarted,
} from "./threads.ts";
import {
  mcpCorrelationAssigned,
  toolEnded,
  toolRuntimeEnded,
  toolRuntimeStarted,
  toolStarted,
} from "./tools.ts";

export const SUPPORTED_TRACE_SCHEMAS: readonly TraceVersion[] = [1, 2];
export const TRACE_LOG_FILE = "trace.jsonl";
export const MANIFEST_FILE = "manifest.json";

export interface TraceManifestFields {
  schema_version: number;
  trace_id: string;
  rollout_id: string;
  root_thread_id: string;
  started_at_unix_ms: number;
  raw_event_log: string;
  payloads_dir: string;
}

/** Reads manifest fields the way the reference does: every field is required. */
export function decodeManifest(value: JsonValue): TraceManifestFields {
  const object = struct(value, "struct TraceManifest");
  return {
    schema_version: field(object, "schema_version", u32),
    trace_id: field(object, "trace_id", str),
    rollout_id: field(object, "rollout_id", str),
    root_thread_id: field(object, "root_thread_id", str),
    started_at_unix_ms: field(object, "started_at_unix_ms", i64),
    raw_event_log: field(object, "raw_event_log", str),
    payloads_dir: field(object, "payloads_dir", str),
  };
}

export function traceVersionOf(manifest: TraceManifestFields): TraceVersion {
  const version = manifest.schema_version;
  if (version === 1 || version === 2) return version;
  throw new ReplayError(
    `unsupported trace schema ${version}: this reducer reads trace schemas ${SUPPORTED_TRACE_SCHEMAS.join(" and ")}`,
  );
}

/** Rust's `str::trim` whitespace (Unicode White_Space), which differs from JavaScript's by U+FEFF. */
const BLANK_LINE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

export interface LineDiagnostic {
  readonly line: number;
  readonly message: string;
}

/** The reduced state: the plain object (built on first access) and its exact state.json text. */
export interface ReplayOutput {
  readonly schemaVersion: TraceVersion;
  readonly eventCount: number;
  /** The reduced graph as plain objects; id-keyed maps have their keys in state.json order. */
  readonly state: Record<string, unknown>;
  /** state.json exactly as the reference reducer writes it. */
  serialize(): string;
}

export class Replay {
  readonly version: TraceVersion;
  private readonly s: ReplayState;
  private readonly file: string;
  private expectedSeq = 1;
  private events = 0;

  constructor(
    manifest: TraceManifestFields,
    readPayload: PayloadReader,
    options: { traceFile?: string } = {},
  ) {
    this.version = traceVersionOf(manifest);
    this.file = options.traceFile ?? TRACE_LOG_FILE;
    const header: RolloutHeader = {
      schema_version: this.version,
      trace_id: manifest.trace_id,
      rollout_id: manifest.rollout_id,
      started_at_unix_ms: manifest.started_at_unix_ms,
      ended_at_unix_ms: null,
      status: "running",
      recording_complete: this.version === 2 ? false : undefined,
      root_thread_id: manifest.root_thread_id,
    };
    this.s = new ReplayState(this.version, header, readPayload);
  }

  get eventCount(): number {
    return this.events;
  }

  /** Applies one line of trace.jsonl (without its newline). Blank lines are skipped but count as lines. */
  applyLine(text: string, line: number): void {
    if (BLANK_LINE.test(text)) return;
    let event: TraceEvent;
    try {
      event = decodeEvent(parseJson(text), this.version);
    } catch (error) {
      if (error instanceof DecodeError || error instanceof JsonSyntaxError) {
        throw new ReplayError(`parse trace event line ${line}`, [error.message], { file: this.file, line });
      }
      throw error;
    }
    this.applyEvent(event, { file: this.file, line, seq: event.seq });
  }

  /** Applies an already decoded event; `where` is used to locate errors. */
  applyEvent(event: TraceEvent, where: ErrorLocation): void {
    try {
      if (this.version === 2) this.checkLogRules(event, where.line ?? this.events + 1);
      this.events++;
      this.s.beginEvent();
      const refs = payloadRefsOf(event.payload);
      for (const ref of refs) this.s.collections.raw_payloads.set(ref.raw_payload_id, ref);
      this.dispatch(event);
      // Schema 2 also reads every carried payload no reducer step needed, so none can be missing or broken.
      if (this.version === 2) for (const ref of refs) this.s.checkPayload(ref);
    } catch (error) {
      if (error instanceof ReplayError && error.location?.line === undefined) {
        // Payload errors know their file; the event that needed the payload adds line and seq.
        const payload = error.location?.file;
        error.location = payload === undefined ? where : { ...where, payload };
      }
      throw error;
    }
  }

  private checkLogRules(event: TraceEvent, line: number): void {
    if (this.s.recordingCompleted) fail("trace event after recording completed");
    if (event.schema_version !== 2)
      fail(`unsupported trace event schema ${event.schema_version} at line ${line}`);
    if (event.seq !== this.expectedSeq) fail(`missing or reordered trace event ${this.expectedSeq}`);
    this.expectedSeq++;
    if (event.rollout_id !== this.s.header.rollout_id) fail("trace event belongs to another rollout");
  }

  private dispatch(event: TraceEvent): void {
    const s = this.s;
    const payload = event.payload;
    switch (payload.type) {
      case "recording_completed":
        s.recordingCompleted = true;
        s.header.recording_complete = true;
        break;
      case "rollout_started":
        s.header.trace_id = payload.trace_id;
        s.header.root_thread_id = payload.root_thread_id;
        break;
      case "rollout_ended":
        s.header.status = payload.status;
        s.header.ended_at_unix_ms = event.wall_time_unix_ms;
        break;
      case "thread_started":
        threadStarted(s, event, payload);
        break;
      case "thread_ended":
        threadEnded(s, event, payload);
        break;
      case "thread_resumed":
        threadResumed(s, payload);
        break;
      case "codex_turn_started":
        turnStarted(s, event, payload);
        break;
      case "codex_turn_ended":
        turnEnded(s, event, payload);
        break;
      case "history_item_accepted":
        historyItemAccepted(s, event, payload);
        break;
      case "inference_started":
        inferenceStarted(s, event, payload);
        break;
      case "inference_completed":
      case "inference_failed":
      case "inference_cancelled":
        inferenceEnded(s, event, payload);
        break;
      case "tool_call_started":
        toolStarted(s, event, payload);
        break;
      case "mcp_tool_call_correlation_assigned":
        mcpCorrelationAssigned(s, payload);
        break;
      case "stdin_target_resolved":
        stdinTargetResolved(s, payload);
        break;
      case "tool_call_runtime_started":
        toolRuntimeStarted(s, event, payload);
        break;
      case "tool_call_runtime_ended":
        toolRuntimeEnded(s, event, payload);
        break;
      case "tool_call_ended":
        toolEnded(s, event, payload);
        break;
      case "code_cell_started":
        codeCellStarted(s, event, payload);
        break;
      case "code_cell_initial_response":
      case "code_cell_ended":
        codeCellLifecycle(s, event, payload);
        break;
      case "compaction_request_started":
        compactionRequestStarted(s, event, payload);
        break;
      case "compaction_request_completed":
      case "compaction_request_failed":
        compactionRequestEnded(s, event, payload);
        break;
      case "compaction_installed":
        compactionInstalled(s, event, payload);
        break;
      case "agent_result_observed":
        agentResultObserved(s, event, payload);
        break;
      case "protocol_event_observed":
        break;
      case "other":
        fail("raw trace event has no reducer implementation");
    }
  }

  /**
   * Runs the end-of-replay pass and returns the state. `extra` top-level fields (partial-replay diagnostics) follow
   * the reference's fields, where readers of the reference shape ignore them.
   */
  finish(extra: Record<string, unknown> = {}): ReplayOutput {
    resolveSpawnFallbacks(this.s);
    const raw: Record<string, unknown> = { ...this.s.header, ...this.s.collections, ...extra };
    let state: Record<string, unknown> | undefined;
    return {
      schemaVersion: this.version,
      eventCount: this.events,
      get state() {
        state ??= materialize(raw);
        return state;
      },
      serialize: () => serializeState(raw),
    };
  }
}

/** Plain objects for the id-keyed maps, with keys inserted in state.json order. */
function materialize(raw: Record<string, unknown>): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!(value instanceof Map)) {
      state[name] = value;
      continue;
    }
    const object: Record<string, unknown> = Object.create(null);
    for (const key of sortKeys(value.keys())) object[key] = value.get(key);
    state[name] = object;
  }
  return state;
}

export { serializeState };
