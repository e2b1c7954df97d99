import type {
  AgentStatus,
  CodeCellRuntimeStatus,
  ExecutionStatus,
  RolloutStatus,
  ToolCallKind,
} from "@rollout-trace/schema";
import type { BundleWriter, BundleWriterOptions, WriterStats } from "@rollout-trace/writer";

/** A value, or a function that builds it; the function only runs when tracing is enabled. */
export type Lazy<T> = T | (() => T);

/** A Responses API item exactly as the agent keeps it (`type` plus the fields of that type). */
export interface ModelItem {
  readonly type: string;
  /** Responses item id; schema 2 uses it to record which items the thread accepted into its history. */
  readonly id?: string;
  readonly [field: string]: unknown;
}

/** The provider request of one inference attempt (Responses style); `input` is what the model sees. */
export interface InferenceRequest {
  readonly input: readonly ModelItem[];
  readonly previous_response_id?: string | null;
  readonly [field: string]: unknown;
}

/** The request sent to a remote compaction endpoint. */
export interface CompactionRequest {
  readonly input: readonly ModelItem[];
  readonly [field: string]: unknown;
}

type WriterTuning = Pick<
  BundleWriterOptions,
  "mode" | "fsync" | "batchBytes" | "flushIntervalMs" | "maxPayloadBytes" | "validate" | "clock"
>;

/** Session-level facts every thread records in its `session_metadata` document. */
export interface ThreadDefaults {
  /** Default model of the thread (inference attempts may override it). */
  readonly model: string;
  /** Configured model provider id. */
  readonly providerName: string;
  /** Working directory of the session (default: `process.cwd()`). */
  readonly cwd?: string;
  readonly approvalPolicy?: string;
  readonly sandboxPolicy?: string;
  /** Path of the agent's own session log, if it keeps one. */
  readonly rolloutPath?: string | null;
}

export interface RootThreadOptions extends ThreadDefaults {
  /** Thread id of the root session (default: a fresh UUID v4). Also the rollout id. */
  readonly threadId?: string;
  /** Default `/root`. */
  readonly agentPath?: string;
  readonly nickname?: string | null;
  readonly agentRole?: string | null;
  readonly taskName?: string | null;
  /** How the session was started, as Codex serializes it (default `"exec"`). */
  readonly sessionSource?: string | Readonly<Record<string, unknown>>;
}

export interface ChildThreadOptions extends Partial<ThreadDefaults> {
  /** Thread id of the child; must be new in this bundle (a UUID, so agent activity can name it). */
  readonly threadId: string;
  /**
   * Routing path, e.g. `/root/reviewer`. Omit it for a child without a path of its own (Codex multi-agent v1
   * agents): the child then records its parent's path, as Codex does.
   */
  readonly agentPath?: string;
  readonly taskName?: string | null;
  readonly nickname?: string | null;
  readonly agentRole?: string | null;
  /** Spawn depth below the root (default: one more than the parent's). */
  readonly depth?: number;
}

export interface StartTraceOptions extends WriterTuning {
  /** Trace root directory; the bundle is created in a new `trace-<trace_id>-<thread_id>` directory below it. */
  readonly root?: string;
  /** Environment read for `ROLLOUT_TRACE_ROOT` / `CODEX_ROLLOUT_TRACE_ROOT` when `root` is absent. */
  readonly env?: NodeJS.ProcessEnv;
  /** Record into this writer instead of creating one (its schema version wins). */
  readonly writer?: BundleWriter;
  /** Trace schema: 2 (current Codex, default) or 1 (Codex 0.144 and older tools). */
  readonly schemaVersion?: 1 | 2;
  /** Trace id of a new bundle (default: a fresh UUID v4). */
  readonly traceId?: string;
  readonly rootThread: RootThreadOptions;
  /** Told about the first usage problem and about writer failures; never expected to throw. */
  readonly onError?: (error: Error) => void;
}

/** Counters of a session: the writer's, plus the calls the helpers declined. */
export interface TraceStats extends WriterStats {
  /** Calls refused for bad arguments or because they would make the bundle unreplayable. */
  refused: number;
  /** Second terminal calls (a completion after a completion, a second end, ...). */
  repeated: number;
  /** Calls skipped because the start they belong to was not recorded. */
  suppressed: number;
  /** Calls made after the session, thread or turn they belong to was over. */
  late: number;
}

export interface TraceSession {
  /** False when tracing is off: every handle is then a no-op that costs almost nothing. */
  readonly enabled: boolean;
  readonly schemaVersion: 1 | 2;
  /** Absolute bundle directory, or null when disabled. */
  readonly bundleDir: string | null;
  readonly traceId: string | null;
  /** The root thread, already started. */
  readonly root: ThreadTrace;
  /** Ends the root thread (and so the rollout) with `status`, then closes the session. */
  end(status?: RolloutStatus): Promise<void>;
  /** Closes the bundle (schema 2 ends it with `recording_completed`); later calls are ignored. Idempotent. */
  close(): Promise<void>;
  closeSync(): void;
  /** Pushes buffered lines to the OS (batched writers). */
  flush(): void;
  stats(): TraceStats;
}

/** The protocol breadcrumbs Codex records (high-volume events are deliberately left out). */
export type ProtocolEventType =
  | "session_configured"
  | "turn_started"
  | "turn_complete"
  | "turn_aborted"
  | "thread_rolled_back"
  | "error"
  | "warning"
  | "shutdown_complete";

export interface ThreadTrace {
  readonly enabled: boolean;
  readonly threadId: string;
  readonly agentPath: string;
  /** Starts a Codex turn (one activation of the agent); `inputs` are accepted into the history right away. */
  startTurn(options?: TurnOptions): TurnTrace;
  /** Starts a spawned sub-agent thread in the same bundle. */
  spawnChild(options: ChildThreadOptions): ThreadTrace;
  /** Records one protocol event as a breadcrumb; `body` holds its fields besides the type tag. */
  protocolEvent(type: ProtocolEventType, body?: Lazy<Readonly<Record<string, unknown>>>): void;
  /** Ends the thread; ending the root thread also ends the rollout. */
  end(status?: RolloutStatus): void;
  /** Schema 2: the ended thread becomes live again. Schema 1 has no resume: the thread stays ended. */
  resume(): void;
}

export interface TurnOptions {
  /** Codex turn (submission) id, unique in the bundle (default: a fresh UUID v4). */
  readonly turnId?: string;
  /** Items the turn starts with (context and user messages), accepted into the history in schema 2. */
  readonly inputs?: Lazy<readonly ModelItem[]>;
}

/** How an inference request relates to the history (schema 1 only; schema 2 infers it from the request). */
export type InferenceInputMode =
  | "full_snapshot"
  | "incremental"
  | { readonly untracedPrefix: Lazy<readonly ModelItem[]> };

export interface InferenceOptions {
  /** Default: the thread's model. */
  readonly model?: string;
  /** Default: the thread's provider. */
  readonly providerName?: string;
  readonly inputMode?: InferenceInputMode;
}

export interface TokenCounts {
  readonly inputTokens: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
  readonly outputTokens: number;
  readonly reasoningOutputTokens?: number;
  /** Default: input plus output tokens. */
  readonly totalTokens?: number;
}

export interface InferenceResponse {
  /** The provider's `response.id`. */
  readonly responseId: string | null;
  readonly upstreamRequestId?: string | null;
  readonly usage?: TokenCounts | null;
  /** Completed output items, in order (never stream deltas). */
  readonly output: Lazy<readonly ModelItem[]>;
  /**
   * Schema 2: accept the output items into the thread's history right after the completion (default true). Items
   * accepted earlier with `turn.accept` (as they streamed in) are not accepted twice. Pass false when the runtime
   * commits them later, and call `turn.accept` then.
   */
  readonly accept?: boolean;
}

export interface PartialResponse {
  readonly upstreamRequestId?: string | null;
  /** Output items completed before the attempt stopped. */
  readonly output?: Lazy<readonly ModelItem[]>;
  /** As for {@link InferenceResponse.accept}. */
  readonly accept?: boolean;
}

export interface TurnTrace {
  readonly enabled: boolean;
  readonly turnId: string;
  readonly thread: ThreadTrace;
  /** Schema 2: the thread committed these items to its history (`agent_message` items with their payload). */
  accept(items: Lazy<readonly ModelItem[]>): void;
  startInference(request: Lazy<InferenceRequest>, options?: InferenceOptions): InferenceTrace;
  startTool(invocation: Lazy<ToolInvocation>): ToolCallTrace;
  startCodeCell(cell: CodeCellOptions): CodeCellTrace;
  startCompaction(options?: CompactionOptions): CompactionTrace;
  /** This (child) turn's result was delivered to the parent thread. */
  reportAgentResult(result: AgentResult): void;
  /** Ends the turn (default `completed`). */
  end(status?: ExecutionStatus): void;
  /** The turn was interrupted, replaced or stopped: ends it as `cancelled`, as Codex does. */
  abort(): void;
}

export interface InferenceTrace {
  readonly enabled: boolean;
  /** UUID v4 of this attempt ("" when disabled). */
  readonly inferenceCallId: string;
  /** The `x-codex-inference-call-id` header to send with the request (empty when disabled). */
  requestHeaders(): Record<string, string>;
  completed(response: InferenceResponse): void;
  failed(error: string | Error, partial?: PartialResponse): void;
  cancelled(reason: string, partial?: PartialResponse): void;
}

/** Tool arguments as the model (or a code cell) gave them, tagged by `type`. */
export type ToolPayload =
  | { readonly type: "function"; readonly arguments: string }
  | { readonly type: "tool_search"; readonly arguments: Readonly<Record<string, unknown>> }
  | { readonly type: "custom"; readonly input: string }
  | {
      readonly type: "local_shell";
      readonly command: readonly string[];
      readonly workdir?: string | null;
      readonly timeout_ms?: number | null;
      readonly sandbox_permissions?: unknown;
      readonly prefix_rule?: unknown;
      readonly additional_permissions?: unknown;
      readonly justification?: string | null;
    };

export interface ToolInvocation {
  readonly name: string;
  readonly namespace?: string | null;
  readonly payload: ToolPayload;
  /** The model's `call_id` for this tool call. */
  readonly callId: string;
  /** Default: `callId`. */
  readonly toolCallId?: string;
  /** Default: classified from the tool name. */
  readonly kind?: ToolCallKind;
}

export interface NestedToolInvocation {
  readonly name: string;
  readonly namespace?: string | null;
  readonly payload: ToolPayload;
  /** Id the code-mode runtime gave the call (e.g. `tool-1`). */
  readonly runtimeToolId: string;
  /** Default: `exec-<uuid>`. */
  readonly toolCallId?: string;
  readonly kind?: ToolCallKind;
}

/** The runtime's begin observation of a shell command. */
export interface ExecStart {
  readonly command: readonly string[];
  readonly cwd: string;
  /** Runtime process or session id, when the command keeps running. */
  readonly processId?: string | number | null;
  readonly parsedCommand?: readonly unknown[];
  /** e.g. `agent`, `unified_exec_startup`, `unified_exec_interaction`; `user_shell` commands are not traced. */
  readonly source?: string;
  readonly interactionInput?: string | null;
  readonly startedAtMs?: number;
}

/** The runtime's end observation of a shell command. */
export interface ExecEnd {
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Default: stdout followed by stderr. */
  readonly aggregatedOutput?: string;
  /** Default: the aggregated output. */
  readonly formattedOutput?: string;
  readonly durationMs?: number;
  /** Default: `completed` for exit code 0, else `failed`. `declined` records a cancelled command. */
  readonly status?: "completed" | "failed" | "declined";
  readonly completedAtMs?: number;
}

export interface McpStart {
  readonly server: string;
  readonly tool: string;
  readonly arguments?: unknown;
}

export type McpOutcome = { readonly ok: unknown } | { readonly error: string };

/** What a multi-agent tool did to another agent (`started` for spawn, `interacted` for messages/tasks). */
export interface AgentActivity {
  readonly agent: ThreadTrace | { readonly threadId: string; readonly agentPath: string };
  readonly kind: "started" | "interacted" | "interrupted";
  readonly model?: string | null;
  readonly reasoningEffort?: string | null;
  readonly occurredAtMs?: number;
}

export interface ToolCallTrace {
  readonly enabled: boolean;
  readonly toolCallId: string;
  /** Records the runtime's begin observation; schema 2 writes `kind` (default: the call's kind). */
  runtimeStarted(
    observation: Lazy<Readonly<Record<string, unknown>>>,
    options?: { readonly kind?: ToolCallKind },
  ): void;
  runtimeEnded(status: ExecutionStatus, observation: Lazy<Readonly<Record<string, unknown>>>): void;
  execStarted(exec: ExecStart): void;
  execEnded(exec: ExecEnd): void;
  mcpStarted(call: McpStart): void;
  mcpEnded(outcome: McpOutcome): void;
  agentActivity(activity: AgentActivity): void;
  /** Assigns the MCP call id that correlates this call with the MCP server's request. */
  startMcpCall(): McpCallTrace;
  /** Schema 2: this `write_stdin` call targets the process of `exec`. */
  stdinTarget(exec: ToolCallTrace): void;
  /**
   * The call finished: `result` is the output item returned to the model (model calls) or the value returned to
   * the code cell (nested calls).
   */
  completed(result: Lazy<unknown>, options?: ToolEndOptions & { readonly success?: boolean }): void;
  /** Dispatch failed; `output` is the item the model was given instead, if any. */
  failed(error: string | Error, options?: ToolEndOptions & { readonly output?: Lazy<ModelItem> }): void;
}

export interface ToolEndOptions {
  /**
   * Schema 2: accept the model's output item into the thread's history as the call ends (default true). Pass false
   * when the runtime commits outputs later (parallel calls, say) and call `turn.accept` at that point.
   */
  readonly accept?: boolean;
}

export interface McpCallTrace {
  readonly enabled: boolean;
  readonly mcpCallId: string | null;
  /** Adds the correlation key to an MCP request `_meta` object (a copy; non-objects are returned unchanged). */
  addRequestMeta<T>(meta: T): T | Record<string, unknown>;
}

export interface CodeCellOptions {
  /** Runtime-local cell handle (e.g. `"1"`). */
  readonly runtimeCellId: string;
  /** `call_id` of the model's `exec` custom tool call. */
  readonly callId: string;
  readonly sourceJs: string;
}

/** A code-mode runtime response. */
export type CodeModeResponse =
  | { readonly Yielded: Readonly<Record<string, unknown>> }
  | { readonly Terminated: Readonly<Record<string, unknown>> }
  | { readonly Result: { readonly error_text?: string | null; readonly [field: string]: unknown } };

export interface CodeCellTrace {
  readonly enabled: boolean;
  readonly runtimeCellId: string;
  initialResponse(response: Lazy<CodeModeResponse>): void;
  ended(response: Lazy<CodeModeResponse>): void;
  /** A tool call made by the cell's JavaScript. */
  startTool(invocation: Lazy<NestedToolInvocation>): ToolCallTrace;
}

export interface CompactionOptions {
  /** Checkpoint id, unique in the bundle (default: a fresh UUID v4). */
  readonly compactionId?: string;
  readonly model?: string;
  readonly providerName?: string;
}

export interface CompactionCheckpoint {
  readonly inputHistory: readonly ModelItem[];
  readonly replacementHistory: readonly ModelItem[];
}

export interface CompactionTrace {
  readonly enabled: boolean;
  readonly compactionId: string;
  startAttempt(
    request: Lazy<CompactionRequest>,
    options?: { readonly model?: string; readonly providerName?: string },
  ): CompactionAttemptTrace;
  /** The replacement history became live. */
  installed(checkpoint: Lazy<CompactionCheckpoint>): void;
}

export interface CompactionAttemptTrace {
  readonly enabled: boolean;
  /** `compaction_request:<n>` ("" when disabled). */
  readonly compactionRequestId: string;
  completed(output: Lazy<readonly ModelItem[]>): void;
  failed(error: string | Error): void;
}

export interface AgentResult {
  /** The notification text delivered to the parent. */
  readonly message: string;
  /** The child's protocol status (default `{ completed: null }`). */
  readonly status?: AgentStatus;
  /** Default: the thread that spawned this one. */
  readonly parent?: ThreadTrace | string;
}

export type { CodeCellRuntimeStatus, ExecutionStatus, RolloutStatus, ToolCallKind };
