// An in-memory trace bundle for tests: a manifest, trace.jsonl lines and payload documents, built with the same
// conventions as the conformance corpus (seq from 1, wall time = BASE_WALL_TIME + 10 * seq, payload ordinals from 1
// in the order the test writes them). It replays in memory through `Replay`, or is written to a directory for the
// Node adapter and for the reference reducer.
import fs from "node:fs";
import path from "node:path";
import {
  decodeManifest,
  PayloadReadError,
  parseJson,
  type RawPayloadRef,
  Replay,
  replayBundleSync,
  serializeState,
} from "../../src/index.ts";
import { type ReducedState, StateView } from "./view.ts";

export type TraceVersion = 1 | 2;

export type PayloadKind =
  | "inference_request"
  | "inference_response"
  | "compaction_request"
  | "compaction_checkpoint"
  | "compaction_response"
  | "tool_invocation"
  | "tool_result"
  | "tool_runtime_event"
  | "terminal_runtime_event"
  | "protocol_event"
  | "session_metadata"
  | "agent_result";

export type ExecutionStatus = "running" | "completed" | "failed" | "cancelled" | "aborted";
export type RolloutStatus = "running" | "completed" | "failed" | "aborted";
export type CodeCellStatus = "starting" | "running" | "yielded" | "completed" | "failed" | "terminated";

export type ToolKind =
  | { type: "exec_command" }
  | { type: "write_stdin" }
  | { type: "apply_patch" }
  | { type: "mcp"; server: string; tool: string }
  | { type: "web" }
  | { type: "image_generation" }
  | { type: "spawn_agent" }
  | { type: "assign_agent_task" }
  | { type: "send_message" }
  | { type: "wait_agent" }
  | { type: "close_agent" }
  | { type: "other"; name: string };

export type Requester = { type: "model" } | { type: "code_cell"; runtime_cell_id: string };

/** Envelope context; `undefined` means "the helper's default", `null` writes an explicit null. */
export interface Envelope {
  thread?: string | null;
  turn?: string | null;
}

export interface EventOptions extends Envelope {
  seq?: number;
  schemaVersion?: number;
  rolloutId?: string;
}

export const ROOT = "thread-root";
export const TURN = "turn-1";
export const BASE_WALL_TIME = 1767225600000;

/** The wall time the builder gives the event with this seq. */
export function wallTimeOf(seq: number): number {
  return BASE_WALL_TIME + 10 * seq;
}

/** A document to write as a payload, or a ref the test already made (for example a missing payload). */
export type PayloadSource = RawPayloadRef | object;

export interface Reduced {
  readonly text: string;
  readonly view: StateView;
}

const refs = new WeakSet<object>();

export class BundleBuilder {
  readonly version: TraceVersion;
  /** manifest.json as it will be written; tests may edit or delete fields. */
  readonly manifest: Record<string, unknown>;
  /** Bundle files `writeTo` leaves out. */
  readonly omitted = new Set<"manifest.json" | "trace.jsonl">();
  /** Whether the last line of trace.jsonl ends with a newline (a crash can leave it without one). */
  finalNewline = true;
  private readonly lines: (string | Uint8Array)[] = [];
  private readonly payloadFiles = new Map<string, string>();
  private readonly toolKinds = new Map<string, ToolKind>();
  private nextSeq = 1;
  private nextOrdinal = 1;

  constructor(
    options: {
      version?: TraceVersion;
      traceId?: string;
      rolloutId?: string;
      rootThreadId?: string;
      startedAt?: number;
    } = {},
  ) {
    this.version = options.version ?? 1;
    this.manifest = {
      schema_version: this.version,
      trace_id: options.traceId ?? "trace-1",
      rollout_id: options.rolloutId ?? "rollout-1",
      root_thread_id: options.rootThreadId ?? ROOT,
      started_at_unix_ms: options.startedAt ?? BASE_WALL_TIME,
      raw_event_log: "trace.jsonl",
      payloads_dir: "payloads",
    };
  }

  // ---- payloads ----------------------------------------------------------------------------------------------------

  /** Writes a payload document (pretty JSON, like the writer) and returns its ref. */
  payload(kind: PayloadKind, document: unknown): RawPayloadRef {
    return this.payloadText(kind, JSON.stringify(document, null, 2));
  }

  /** Writes a payload file with exactly this text (for key orders JavaScript objects cannot hold, or bad JSON). */
  payloadText(kind: PayloadKind, text: string): RawPayloadRef {
    const ref = this.missingPayload(kind);
    this.payloadFiles.set(ref.path, text);
    return ref;
  }

  /** Takes the next payload ordinal without writing the file. */
  missingPayload(kind: PayloadKind): RawPayloadRef {
    const ordinal = this.nextOrdinal++;
    const ref: RawPayloadRef = {
      raw_payload_id: `raw_payload:${ordinal}`,
      kind: { type: kind },
      path: `payloads/${ordinal}.json`,
    };
    refs.add(ref);
    return ref;
  }

  /** A ref with any id, kind and path, pointing at whatever is (or is not) there. */
  customRef(rawPayloadId: string, kind: string, refPath: string): RawPayloadRef {
    const ref: RawPayloadRef = { raw_payload_id: rawPayloadId, kind: { type: kind }, path: refPath };
    refs.add(ref);
    return ref;
  }

  private refFor(kind: PayloadKind, source: PayloadSource): RawPayloadRef {
    return refs.has(source) ? (source as RawPayloadRef) : this.payload(kind, source);
  }

  private optionalRef(kind: PayloadKind, source: PayloadSource | null | undefined): RawPayloadRef | null {
    return source === null || source === undefined ? null : this.refFor(kind, source);
  }

  // ---- raw events --------------------------------------------------------------------------------------------------

  /** Appends one event; returns its seq. */
  event(payload: Record<string, unknown>, options: EventOptions = {}): number {
    const seq = options.seq ?? this.nextSeq;
    this.nextSeq = seq + 1;
    this.lines.push(
      JSON.stringify({
        schema_version: options.schemaVersion ?? this.version,
        seq,
        wall_time_unix_ms: wallTimeOf(seq),
        rollout_id: options.rolloutId ?? this.manifest.rollout_id,
        thread_id: options.thread ?? null,
        codex_turn_id: options.turn ?? null,
        payload,
      }),
    );
    return seq;
  }

  /** Appends a line exactly as given (blank, malformed, or raw bytes that are not UTF-8). */
  rawLine(line: string | Uint8Array): void {
    this.lines.push(line);
  }

  // ---- rollout, threads, turns -------------------------------------------------------------------------------------

  rolloutStarted(traceId: string, rootThreadId: string): number {
    return this.event({ type: "rollout_started", trace_id: traceId, root_thread_id: rootThreadId });
  }

  rolloutEnded(status: RolloutStatus): number {
    return this.event({ type: "rollout_ended", status });
  }

  /** `thread_started`; `metadata` is the session_metadata document (null writes no payload). */
  startThread(id = ROOT, options: { agentPath?: string; metadata?: PayloadSource | null } = {}): number {
    return this.event({
      type: "thread_started",
      thread_id: id,
      agent_path: options.agentPath ?? "/root",
      metadata_payload: this.optionalRef("session_metadata", options.metadata),
    });
  }

  endThread(id: string, status: RolloutStatus): number {
    return this.event({ type: "thread_ended", thread_id: id, status });
  }

  startTurn(id = TURN, thread = ROOT, envelope: Envelope = {}): number {
    return this.event(
      { type: "codex_turn_started", codex_turn_id: id, thread_id: thread },
      { thread: envelope.thread === undefined ? thread : envelope.thread, turn: envelope.turn ?? id },
    );
  }

  /** `codex_turn_ended`; the envelope names `thread` (default the root thread; null leaves it out). */
  endTurn(id: string, status: ExecutionStatus, thread: string | null = ROOT): number {
    return this.event({ type: "codex_turn_ended", codex_turn_id: id, status }, { thread, turn: id });
  }

  /** A thread with one running turn: the usual start of a test. */
  threadWithTurn(thread = ROOT, turn = TURN, options: { agentPath?: string } = {}): void {
    this.startThread(thread, options);
    this.startTurn(turn, thread);
  }

  // ---- inference ---------------------------------------------------------------------------------------------------

  /**
   * `inference_started` with a request payload `{ input, ...extra }`. `previousResponseId` puts a string
   * `previous_response_id` into the payload; `mode` writes `request_input_mode`.
   */
  startInference(
    id: string,
    input: unknown,
    options: {
      thread?: string | undefined;
      turn?: string | undefined;
      previousResponseId?: string | undefined;
      mode?: Record<string, unknown>;
      request?: PayloadSource;
      envelope?: Envelope;
    } = {},
  ): number {
    const thread = options.thread ?? ROOT;
    const turn = options.turn ?? TURN;
    const document: Record<string, unknown> = { model: "gpt-test" };
    if (options.previousResponseId !== undefined) document.previous_response_id = options.previousResponseId;
    document.input = input;
    const request = this.refFor("inference_request", options.request ?? document);
    const payload: Record<string, unknown> = {
      type: "inference_started",
      inference_call_id: id,
      thread_id: thread,
      codex_turn_id: turn,
      model: "gpt-test",
      provider_name: "test-provider",
    };
    if (options.mode !== undefined) payload.request_input_mode = options.mode;
    payload.request_payload = request;
    return this.event(payload, this.envelope(options.envelope, thread, turn));
  }

  /** `inference_completed` with a response payload `{ response_id, upstream_request_id, token_usage, output_items }`. */
  completeInference(
    id: string,
    output: unknown,
    options: {
      responseId?: string | null | undefined;
      upstreamRequestId?: string | null;
      usage?: unknown;
      response?: PayloadSource;
      envelope?: Envelope;
    } = {},
  ): number {
    const responseId = options.responseId === undefined ? `resp-${id}` : options.responseId;
    const upstream = options.upstreamRequestId ?? null;
    const response = this.refFor(
      "inference_response",
      options.response ?? {
        response_id: responseId,
        upstream_request_id: upstream,
        token_usage: options.usage ?? null,
        output_items: output,
      },
    );
    return this.event(
      {
        type: "inference_completed",
        inference_call_id: id,
        response_id: responseId,
        upstream_request_id: upstream,
        response_payload: response,
      },
      this.envelope(options.envelope, ROOT, TURN),
    );
  }

  /** `inference_failed` (or `inference_cancelled`) with an optional partial payload of output items. */
  endInferenceEarly(
    type: "inference_failed" | "inference_cancelled",
    id: string,
    options: { partial?: unknown[] | null; upstreamRequestId?: string | null; envelope?: Envelope } = {},
  ): number {
    const partial =
      options.partial === undefined || options.partial === null
        ? null
        : this.payload("inference_response", {
            response_id: null,
            upstream_request_id: null,
            token_usage: null,
            output_items: options.partial,
          });
    const payload: Record<string, unknown> = {
      type,
      inference_call_id: id,
      upstream_request_id: options.upstreamRequestId ?? null,
    };
    if (type === "inference_failed") payload.error = "stream failed";
    else payload.reason = "interrupted";
    payload.partial_response_payload = partial;
    return this.event(payload, this.envelope(options.envelope, ROOT, TURN));
  }

  /** A complete model exchange: a full (or incremental) request and its completed response. */
  exchange(
    id: string,
    input: unknown[],
    output: unknown[],
    options: {
      thread?: string | undefined;
      turn?: string | undefined;
      previousResponseId?: string | undefined;
      responseId?: string | undefined;
    } = {},
  ): void {
    const { thread, turn, previousResponseId, responseId } = options;
    this.startInference(id, input, { thread, turn, previousResponseId });
    this.completeInference(id, output, {
      responseId,
      envelope: { thread: thread ?? ROOT, turn: turn ?? TURN },
    });
  }

  // ---- tools -------------------------------------------------------------------------------------------------------

  startTool(
    id: string,
    options: {
      callId?: string | null;
      kind?: ToolKind;
      invocation?: PayloadSource | null;
      requester?: Requester;
      runtimeToolId?: string | null;
      summary?: Record<string, unknown>;
      envelope?: Envelope;
    } = {},
  ): number {
    const kind = options.kind ?? { type: "other", name: "lookup" };
    this.toolKinds.set(id, kind);
    return this.event(
      {
        type: "tool_call_started",
        tool_call_id: id,
        model_visible_call_id: options.callId === undefined ? id : options.callId,
        code_mode_runtime_tool_id: options.runtimeToolId ?? null,
        requester: options.requester ?? { type: "model" },
        kind,
        summary: options.summary ?? {
          type: "generic",
          label: kind.type === "other" ? kind.name : kind.type,
          input_preview: null,
          output_preview: null,
        },
        invocation_payload: this.optionalRef("tool_invocation", options.invocation),
      },
      this.envelope(options.envelope, ROOT, TURN),
    );
  }

  /** `tool_call_runtime_started`; schema 2 requires `kind`, which defaults to the kind the tool started with. */
  toolRuntimeStarted(
    id: string,
    runtime: PayloadSource,
    options: { kind?: ToolKind; envelope?: Envelope } = {},
  ): number {
    const payload: Record<string, unknown> = { type: "tool_call_runtime_started", tool_call_id: id };
    const kind = options.kind ?? (this.version === 2 ? this.toolKinds.get(id) : undefined);
    if (kind !== undefined) payload.kind = kind;
    payload.runtime_payload = this.refFor("tool_runtime_event", runtime);
    return this.event(payload, this.envelope(options.envelope, ROOT, TURN));
  }

  toolRuntimeEnded(id: string, status: ExecutionStatus, runtime: PayloadSource, envelope?: Envelope): number {
    return this.event(
      {
        type: "tool_call_runtime_ended",
        tool_call_id: id,
        status,
        runtime_payload: this.refFor("tool_runtime_event", runtime),
      },
      this.envelope(envelope, ROOT, TURN),
    );
  }

  endTool(
    id: string,
    status: ExecutionStatus,
    result: PayloadSource | null = null,
    envelope?: Envelope,
  ): number {
    return this.event(
      {
        type: "tool_call_ended",
        tool_call_id: id,
        status,
        result_payload: this.optionalRef("tool_result", result),
      },
      this.envelope(envelope, ROOT, TURN),
    );
  }

  mcpCorrelation(toolId: string, mcpCallId: string): number {
    return this.event({
      type: "mcp_tool_call_correlation_assigned",
      tool_call_id: toolId,
      mcp_call_id: mcpCallId,
    });
  }

  // ---- code cells --------------------------------------------------------------------------------------------------

  startCodeCell(
    runtimeId: string,
    callId: string,
    source = "await tools.run()",
    envelope?: Envelope,
  ): number {
    return this.event(
      {
        type: "code_cell_started",
        runtime_cell_id: runtimeId,
        model_visible_call_id: callId,
        source_js: source,
      },
      this.envelope(envelope, ROOT, TURN),
    );
  }

  codeCellEvent(
    type: "code_cell_initial_response" | "code_cell_ended",
    runtimeId: string,
    status: CodeCellStatus,
    options: { response?: PayloadSource | null; envelope?: Envelope; seq?: number } = {},
  ): number {
    const envelope = this.envelope(options.envelope, ROOT, TURN);
    return this.event(
      {
        type,
        runtime_cell_id: runtimeId,
        status,
        response_payload: this.optionalRef("tool_result", options.response),
      },
      options.seq === undefined ? envelope : { ...envelope, seq: options.seq },
    );
  }

  // ---- compaction --------------------------------------------------------------------------------------------------

  startCompactionRequest(
    compactionId: string,
    requestId: string,
    options: { thread?: string; turn?: string; request?: PayloadSource } = {},
  ): number {
    const thread = options.thread ?? ROOT;
    const turn = options.turn ?? TURN;
    return this.event(
      {
        type: "compaction_request_started",
        compaction_id: compactionId,
        compaction_request_id: requestId,
        thread_id: thread,
        codex_turn_id: turn,
        model: "gpt-test",
        provider_name: "test-provider",
        request_payload: this.refFor("compaction_request", options.request ?? { input: [] }),
      },
      { thread, turn },
    );
  }

  completeCompactionRequest(compactionId: string, requestId: string, response: PayloadSource): number {
    return this.event(
      {
        type: "compaction_request_completed",
        compaction_id: compactionId,
        compaction_request_id: requestId,
        response_payload: this.refFor("compaction_response", response),
      },
      { thread: ROOT, turn: TURN },
    );
  }

  failCompactionRequest(compactionId: string, requestId: string): number {
    return this.event(
      {
        type: "compaction_request_failed",
        compaction_id: compactionId,
        compaction_request_id: requestId,
        error: "compact endpoint failed",
      },
      { thread: ROOT, turn: TURN },
    );
  }

  installCompaction(
    compactionId: string,
    checkpoint: { input_history: unknown; replacement_history: unknown } | PayloadSource,
    envelope?: Envelope,
  ): number {
    return this.event(
      {
        type: "compaction_installed",
        compaction_id: compactionId,
        checkpoint_payload: this.refFor("compaction_checkpoint", checkpoint),
      },
      this.envelope(envelope, ROOT, TURN),
    );
  }

  // ---- agents, breadcrumbs -----------------------------------------------------------------------------------------

  agentResult(options: {
    child: string;
    childTurn: string;
    parent: string;
    message: string;
    carried?: PayloadSource | null;
    edgeId?: string;
  }): number {
    return this.event(
      {
        type: "agent_result_observed",
        edge_id:
          options.edgeId ?? `edge:agent_result:${options.child}:${options.childTurn}:${options.parent}`,
        child_thread_id: options.child,
        child_codex_turn_id: options.childTurn,
        parent_thread_id: options.parent,
        message: options.message,
        carried_payload: this.optionalRef("agent_result", options.carried),
      },
      { thread: options.child, turn: options.childTurn },
    );
  }

  protocolEvent(eventType: string, document: PayloadSource): number {
    return this.event({
      type: "protocol_event_observed",
      event_type: eventType,
      event_payload: this.refFor("protocol_event", document),
    });
  }

  // ---- schema 2 ----------------------------------------------------------------------------------------------------

  recordingCompleted(): number {
    return this.event({ type: "recording_completed" });
  }

  /** `history_item_accepted`; an agent message document is written as its `agent_message_payload`. */
  accept(itemId: string, options: { agentMessage?: PayloadSource; envelope?: Envelope } = {}): number {
    const payload: Record<string, unknown> = { type: "history_item_accepted", item_id: itemId };
    if (options.agentMessage !== undefined)
      payload.agent_message_payload = this.refFor("protocol_event", options.agentMessage);
    return this.event(payload, this.envelope(options.envelope, ROOT, TURN));
  }

  resumeThread(id: string): number {
    return this.event({ type: "thread_resumed", thread_id: id });
  }

  resolveStdinTarget(toolId: string, execToolId: string, envelope?: Envelope): number {
    return this.event(
      { type: "stdin_target_resolved", tool_call_id: toolId, exec_tool_call_id: execToolId },
      this.envelope(envelope, ROOT, TURN),
    );
  }

  private envelope(given: Envelope | undefined, thread: string, turn: string): Envelope {
    return {
      thread: given?.thread === undefined ? thread : given.thread,
      turn: given?.turn === undefined ? turn : given.turn,
    };
  }

  // ---- output ------------------------------------------------------------------------------------------------------

  /** Writes manifest.json, trace.jsonl (every line newline-terminated) and payloads/ into `dir`. */
  writeTo(dir: string): void {
    fs.mkdirSync(path.join(dir, "payloads"), { recursive: true });
    if (!this.omitted.has("manifest.json"))
      fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(this.manifest, null, 2));
    const chunks = this.lines.flatMap((line, index) => {
      const bytes = typeof line === "string" ? Buffer.from(line) : Buffer.from(line);
      const last = index === this.lines.length - 1;
      return last && !this.finalNewline ? [bytes] : [bytes, Buffer.from("\n")];
    });
    if (!this.omitted.has("trace.jsonl"))
      fs.writeFileSync(path.join(dir, "trace.jsonl"), Buffer.concat(chunks));
    for (const [file, text] of this.payloadFiles) fs.writeFileSync(path.join(dir, file), text);
  }

  /** Replays the bundle in memory through `Replay`; the payload reader is a lookup by ref path. */
  reduce(): Reduced {
    const replay = new Replay(decodeManifest(parseJson(JSON.stringify(this.manifest))), (ref) =>
      this.readPayload(ref),
    );
    this.lines.forEach((line, index) => {
      if (typeof line !== "string") throw new Error("raw byte lines can only be replayed from disk");
      replay.applyLine(line, index + 1);
    });
    return reducedFrom(serializeState(replay.finish().state));
  }

  /** Writes the bundle into `dir` and replays it through the Node adapter. */
  reduceFromDisk(dir: string): Reduced {
    this.writeTo(dir);
    return reducedFrom(replayBundleSync(dir).serialize());
  }

  private readPayload(ref: RawPayloadRef) {
    const text = this.payloadFiles.get(ref.path);
    if (text === undefined)
      throw new PayloadReadError("open", ["No such file or directory (os error 2)"], ref.path);
    try {
      return parseJson(text);
    } catch (error) {
      throw new PayloadReadError("parse", [(error as Error).message], ref.path);
    }
  }
}

export function reducedFrom(text: string): Reduced {
  return { text, view: new StateView(JSON.parse(text) as ReducedState) };
}

let defaultVersion: TraceVersion = 1;

/** Runs `build` with `bundle()` defaulting to another trace schema. */
export function withDefaultVersion<T>(version: TraceVersion, build: () => T): T {
  const previous = defaultVersion;
  defaultVersion = version;
  try {
    return build();
  } finally {
    defaultVersion = previous;
  }
}

export function bundle(version: TraceVersion = defaultVersion): BundleBuilder {
  return new BundleBuilder({ version });
}
