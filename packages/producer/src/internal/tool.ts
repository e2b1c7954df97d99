import { randomUUID } from "node:crypto";
import type { ExecutionStatus, RawToolCallRequester, ToolCallKind } from "@rollout-trace/schema";
import {
  checkResponseItem,
  checkRuntimeDocument,
  isInt32,
  isNonNegativeInteger,
  isObject,
  isUuid,
  type JsonObject,
  own,
  parseArguments,
} from "./checks.ts";
import { classifyTool, genericSummary, normalizeKind } from "./classify.ts";
import { DISABLED_MCP_CALL, DISABLED_TOOL } from "./disabled.ts";
import { durationDocument, errorMessage, execStatus, normalizeToolPayload, withoutId } from "./documents.ts";
import { guarded, NO_CONTEXT, type Recorder, UNRESOLVED } from "./recorder.ts";
import { acceptItems, type TurnScope } from "./scope.ts";
import type {
  AgentActivity,
  ExecEnd,
  ExecStart,
  Lazy,
  McpCallTrace,
  McpOutcome,
  McpStart,
  ModelItem,
  NestedToolInvocation,
  ToolCallTrace,
  ToolEndOptions,
  ToolInvocation,
  ToolPayload,
} from "./types.ts";

/** The key Codex adds to an MCP request's `_meta` to correlate it with the trace. */
export const MCP_CALL_ID_META_KEY = "codex_bridge_mcp_call_id";

const EXECUTION_STATUSES: ReadonlySet<string> = new Set([
  "running",
  "completed",
  "failed",
  "cancelled",
  "aborted",
]);

export function isExecutionStatus(value: unknown): value is ExecutionStatus {
  return typeof value === "string" && EXECUTION_STATUSES.has(value);
}

function isTerminalKind(kind: ToolCallKind): boolean {
  return kind.type === "exec_command" || kind.type === "write_stdin";
}

/** Process (terminal session) ids as the reducers key them: decimal strings. */
function processIdOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && value !== "") return value;
  if (Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function optionalCount(value: unknown): boolean {
  return value === undefined || value === null || isNonNegativeInteger(value);
}

/** What the reducer reads from a `write_stdin` invocation to build its terminal operation (spec §4.6.4). */
function stdinSessionOf(name: string, payload: ToolPayload): string | null {
  if (name !== "write_stdin" || payload.type !== "function") return null;
  const args = parseArguments(payload.arguments);
  if (args === null) return null;
  const session = own(args, "session_id");
  const sessionId =
    typeof session === "string" || Number.isSafeInteger(session) ? processIdOf(session) : null;
  if (sessionId === null || sessionId === undefined) return null;
  if (!optionalCount(own(args, "yield_time_ms")) || !optionalCount(own(args, "max_output_tokens")))
    return null;
  return sessionId;
}

interface ToolSpec {
  readonly toolCallId: string;
  readonly modelCallId: string | null;
  readonly runtimeToolId: string | null;
  readonly requester: RawToolCallRequester;
  readonly name: string;
  readonly namespace: string | null;
  readonly payload: ToolPayload;
  readonly kind: ToolCallKind;
}

function readSpec(
  invocation: ToolInvocation | NestedToolInvocation,
  nested: { readonly runtimeCellId: string } | null,
): ToolSpec | string {
  if (!isObject(invocation)) return "the invocation must be an object";
  const name = own(invocation, "name");
  if (typeof name !== "string" || name === "") return "the tool name must be a non-empty string";
  const namespace = own(invocation, "namespace") ?? null;
  if (namespace !== null && typeof namespace !== "string") return "the namespace must be a string or null";
  const payload = normalizeToolPayload(own(invocation, "payload"));
  if (payload === null) return "the payload must be a function, tool_search, custom or local_shell payload";
  const explicitKind = own(invocation, "kind");
  const kind = explicitKind === undefined ? classifyTool(name) : normalizeKind(explicitKind);
  if (kind === null) return "kind is not a tool call kind";
  const givenId = own(invocation, "toolCallId");
  if (givenId !== undefined && (typeof givenId !== "string" || givenId === ""))
    return "toolCallId must be a non-empty string";
  if (nested !== null) {
    const runtimeToolId = own(invocation, "runtimeToolId");
    if (typeof runtimeToolId !== "string" || runtimeToolId === "")
      return "runtimeToolId must be a non-empty string";
    return {
      toolCallId: (givenId as string | undefined) ?? `exec-${randomUUID()}`,
      modelCallId: null,
      runtimeToolId,
      requester: { type: "code_cell", runtime_cell_id: nested.runtimeCellId },
      name,
      namespace,
      payload,
      kind,
    };
  }
  const callId = own(invocation, "callId");
  if (typeof callId !== "string" || callId === "") return "callId must be a non-empty string";
  return {
    toolCallId: (givenId as string | undefined) ?? callId,
    modelCallId: callId,
    runtimeToolId: null,
    requester: { type: "model" },
    name,
    namespace,
    payload,
    kind,
  };
}

const CODE_MODE_EXEC_HAS_NO_RUNTIME =
  "the code-mode exec call runs as a code cell and has no runtime observations";

/** The model's call of the public code-mode tool `exec`, whose JavaScript runs as a code cell. */
function isCodeModeExec(spec: ToolSpec): boolean {
  return (
    spec.requester.type === "model" &&
    spec.name === "exec" &&
    spec.namespace === null &&
    spec.payload.type === "custom"
  );
}

/** Problems the reducers would have with this invocation, given what the bundle already holds. */
function specProblem(recorder: Recorder, threadId: string, spec: ToolSpec): string | null {
  if (recorder.toolCallIds.has(spec.toolCallId)) return `tool call ${spec.toolCallId} was already started`;
  if (spec.modelCallId !== null && recorder.modelCallIds.has(spec.modelCallId))
    return `call id ${spec.modelCallId} already has a tool call`;
  // The reducers read every `wait` invocation for the code cell it waits on.
  if (spec.name === "wait") {
    const args = spec.payload.type === "function" ? parseArguments(spec.payload.arguments) : null;
    if (args === null || typeof own(args, "cell_id") !== "string")
      return "a wait call needs function arguments with a string cell_id";
  }
  if (spec.kind.type === "write_stdin") {
    const session = stdinSessionOf(spec.name, spec.payload);
    if (session === null)
      return "a write_stdin call needs the write_stdin function arguments with a session_id";
    const owner = recorder.processThreads.get(session);
    if (owner !== undefined && owner !== threadId) return `process ${session} belongs to another thread`;
  }
  return null;
}

/** Starts a tool call requested by the model or, with `nested`, by a code cell's JavaScript. */
export function startTool(
  scope: TurnScope,
  invocationArgument: Lazy<ToolInvocation | NestedToolInvocation>,
  nested: { readonly runtimeCellId: string } | null,
  call: string,
): ToolCallTrace {
  const recorder = scope.recorder;
  const invocation = recorder.resolve(invocationArgument, call);
  if (invocation === UNRESOLVED) return DISABLED_TOOL;
  const spec = readSpec(invocation, nested);
  if (typeof spec === "string") return refuse(recorder, call, spec);
  // Schema 1 Codex models the public `exec` tool as a code cell only; schema 2 traces the call as well.
  if (recorder.schemaVersion === 1 && isCodeModeExec(spec)) return DISABLED_TOOL;
  const problem = specProblem(recorder, scope.threadRecord.threadId, spec);
  if (problem !== null) return refuse(recorder, call, problem);

  const invocationRef = recorder.payload("tool_invocation", {
    tool_name: spec.name,
    tool_namespace: spec.namespace,
    payload: spec.payload,
  });
  const recorded = recorder.append(
    {
      type: "tool_call_started",
      tool_call_id: spec.toolCallId,
      model_visible_call_id: spec.modelCallId,
      code_mode_runtime_tool_id: spec.runtimeToolId,
      requester: spec.requester,
      kind: spec.kind,
      summary: genericSummary(spec.name, spec.namespace, spec.payload),
      invocation_payload: invocationRef,
    },
    scope.context,
  );
  if (recorded) {
    recorder.toolCallIds.add(spec.toolCallId);
    if (spec.modelCallId !== null) recorder.modelCallIds.add(spec.modelCallId);
  }
  return new LiveTool(scope, spec, recorded, invocationRef !== null);
}

function refuse(recorder: Recorder, call: string, problem: string): ToolCallTrace {
  recorder.refuse(call, problem);
  return DISABLED_TOOL;
}

interface ExecBeginFacts {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly parsedCommand: readonly unknown[];
  readonly source: string;
  readonly interactionInput: string | null;
}

/** A message the tool's begin observation delivers; its end must name the same recipient and content. */
interface Delivery {
  readonly target: string;
  readonly content: string;
}

/** One tool call: started, runtime observations, then completed or failed. */
class LiveTool implements ToolCallTrace {
  readonly enabled = true;
  readonly toolCallId: string;
  readonly #scope: TurnScope;
  readonly #spec: ToolSpec;
  readonly #recorded: boolean;
  readonly #invocationRecorded: boolean;
  /** The kind the reducer holds: schema 2 runtime observations refine it. */
  #kind: ToolCallKind;
  /** Whether the reducer built a terminal operation (write_stdin invocations, exec begin observations). */
  #hasOperation: boolean;
  #processId: string | null;
  #execBegin: ExecBeginFacts | null = null;
  #userShell = false;
  #runtimeStarted = false;
  #runtimeEnded = false;
  #ended = false;
  #mcpAssigned = false;
  #stdinResolved = false;
  #delivery: Delivery | null = null;
  #closeTarget: string | null = null;
  /** The model's code-mode `exec` call: its execution is recorded by its code cell. */
  readonly #isCodeModeExec: boolean;

  constructor(scope: TurnScope, spec: ToolSpec, recorded: boolean, invocationRecorded: boolean) {
    this.#scope = scope;
    this.#spec = spec;
    this.toolCallId = spec.toolCallId;
    this.#recorded = recorded;
    this.#invocationRecorded = invocationRecorded;
    this.#kind = spec.kind;
    this.#isCodeModeExec = isCodeModeExec(spec);
    const stdinSession = spec.kind.type === "write_stdin" ? stdinSessionOf(spec.name, spec.payload) : null;
    this.#hasOperation = recorded && invocationRecorded && stdinSession !== null;
    this.#processId = this.#hasOperation ? stdinSession : null;
    if (this.#hasOperation && stdinSession !== null)
      scope.recorder.processThreads.set(stdinSession, scope.threadRecord.threadId);
  }

  get #recorder(): Recorder {
    return this.#scope.recorder;
  }

  /** True for a model call (its output item is the model's to see), false for a code cell's nested call. */
  get #isModelCall(): boolean {
    return this.#spec.requester.type === "model";
  }

  // ---- runtime begin ------------------------------------------------------------------------------------------

  runtimeStarted(
    observation: Lazy<Readonly<Record<string, unknown>>>,
    options?: { readonly kind?: ToolCallKind },
  ): void {
    const call = "tool.runtimeStarted";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeStarted)) return;
      const document = this.#recorder.resolve(observation, call);
      if (document === UNRESOLVED) return;
      const given = options === undefined ? undefined : own(options, "kind");
      const kind = given === undefined ? this.#kind : normalizeKind(given);
      if (kind === null) {
        this.#recorder.refuse(call, "kind is not a tool call kind");
        return;
      }
      this.#recordRuntimeStart(document, kind, call);
    });
  }

  execStarted(exec: ExecStart): void {
    const call = "tool.execStarted";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeStarted)) return;
      const facts = readExecStart(exec);
      if (typeof facts === "string") {
        this.#recorder.refuse(call, facts);
        return;
      }
      // Codex does not trace commands the user runs in the shell themselves.
      if (facts.source === "user_shell") {
        this.#userShell = true;
        return;
      }
      const document: Record<string, unknown> = { call_id: this.toolCallId };
      if (facts.processId !== null) document.process_id = facts.processId;
      document.turn_id = this.#scope.turnId;
      document.started_at_ms = facts.startedAtMs ?? this.#recorder.now();
      document.command = [...facts.command];
      document.cwd = facts.cwd;
      document.parsed_cmd = [...facts.parsedCommand];
      document.source = facts.source;
      if (facts.interactionInput !== null) document.interaction_input = facts.interactionInput;
      const kind: ToolCallKind = isTerminalKind(this.#kind) ? this.#kind : { type: "exec_command" };
      if (this.#recordRuntimeStart(document, kind, call)) this.#execBegin = facts;
    });
  }

  mcpStarted(start: McpStart): void {
    const call = "tool.mcpStarted";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeStarted)) return;
      const server = isObject(start) ? own(start, "server") : undefined;
      const tool = isObject(start) ? own(start, "tool") : undefined;
      if (typeof server !== "string" || typeof tool !== "string") {
        this.#recorder.refuse(call, "server and tool must be strings");
        return;
      }
      const args = own(start, "arguments");
      const invocation = args === undefined ? { server, tool } : { server, tool, arguments: args };
      const document = { call_id: this.toolCallId, turn_id: this.#scope.turnId, invocation };
      this.#recordRuntimeStart(document, { type: "mcp", server, tool }, call);
    });
  }

  /**
   * Checks a begin observation against what the reducer will parse for its kind, then records it. Schema 2 writes
   * the runtime's kind, which refines the dispatch kind (an MCP tool becomes `mcp`, a shell call that applied a
   * patch `apply_patch`); schema 1 has no runtime kind, so there the call keeps its dispatch kind.
   */
  #recordRuntimeStart(document: unknown, requested: ToolCallKind, call: string): boolean {
    const recorder = this.#recorder;
    if (this.#isCodeModeExec) return recorder.refuse(call, CODE_MODE_EXEC_HAS_NO_RUNTIME);
    // What the reducer will hold: the refined kind in schema 2, the dispatch kind in schema 1.
    const kind = recorder.schemaVersion === 2 ? requested : this.#kind;
    const problem = checkRuntimeDocument(document) ?? this.#beginProblem(document as JsonObject, kind);
    if (problem !== null) return recorder.refuse(call, problem);
    const processId = isTerminalKind(kind) ? processIdOf(own(document as JsonObject, "process_id")) : null;
    this.#runtimeStarted = true;
    const ref = recorder.payload("tool_runtime_event", document);
    if (ref === null) return false;
    const recorded = recorder.append(
      recorder.schemaVersion === 2
        ? { type: "tool_call_runtime_started", tool_call_id: this.toolCallId, kind, runtime_payload: ref }
        : { type: "tool_call_runtime_started", tool_call_id: this.toolCallId, runtime_payload: ref },
      this.#scope.context,
    );
    if (!recorded) return false;
    this.#kind = kind;
    if (isTerminalKind(kind)) {
      this.#hasOperation = true;
      this.#processId = processId ?? null;
      if (processId) recorder.processThreads.set(processId, this.#scope.threadRecord.threadId);
    }
    const object = document as JsonObject;
    if (kind.type === "assign_agent_task" || kind.type === "send_message") {
      this.#delivery = {
        target: own(object, "receiver_thread_id") as string,
        content: own(object, "prompt") as string,
      };
    }
    if (kind.type === "close_agent") this.#closeTarget = own(object, "receiver_thread_id") as string;
    return true;
  }

  #beginProblem(document: JsonObject, kind: ToolCallKind): string | null {
    if (isTerminalKind(kind)) {
      if (this.#hasOperation) return "the call already has a terminal operation";
      if (!Array.isArray(own(document, "command")) || typeof own(document, "cwd") !== "string")
        return "a terminal begin observation needs command and cwd";
      return this.#processProblem(own(document, "process_id"));
    }
    if (kind.type === "assign_agent_task" || kind.type === "send_message" || kind.type === "close_agent") {
      if (typeof own(document, "call_id") !== "string") return "a collab begin observation needs a call_id";
      if (!isUuid(own(document, "sender_thread_id")) || !isUuid(own(document, "receiver_thread_id")))
        return "a collab begin observation needs sender and receiver thread UUIDs";
      if (kind.type !== "close_agent" && typeof own(document, "prompt") !== "string")
        return "a collab begin observation needs a prompt";
    }
    return null;
  }

  #processProblem(value: unknown): string | null {
    const processId = processIdOf(value);
    if (processId === undefined || (processId !== null && typeof value !== "string"))
      return "process_id must be a string";
    if (processId === null) return null;
    const owner = this.#recorder.processThreads.get(processId);
    if (owner !== undefined && owner !== this.#scope.threadRecord.threadId)
      return `process ${processId} belongs to another thread`;
    // Schema 1 keys terminals by process id: an operation must keep the one it started with.
    if (this.#processId !== null && this.#processId !== processId && this.#recorder.schemaVersion === 1)
      return `the terminal operation already belongs to process ${this.#processId}`;
    return null;
  }

  // ---- runtime end --------------------------------------------------------------------------------------------

  runtimeEnded(status: ExecutionStatus, observation: Lazy<Readonly<Record<string, unknown>>>): void {
    const call = "tool.runtimeEnded";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeEnded)) return;
      if (!isExecutionStatus(status)) {
        this.#recorder.refuse(call, "status must be an execution status");
        return;
      }
      const document = this.#recorder.resolve(observation, call);
      if (document === UNRESOLVED) return;
      if (isObject(document) && own(document, "agent_thread_id") !== undefined) {
        this.#recorder.refuse(call, "record sub-agent activity with agentActivity");
        return;
      }
      this.#recordRuntimeEnd(status, document, call);
    });
  }

  execEnded(exec: ExecEnd): void {
    const call = "tool.execEnded";
    guarded(this.#recorder, call, () => {
      if (this.#userShell) return;
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeEnded)) return;
      const facts = readExecEnd(exec);
      if (typeof facts === "string") {
        this.#recorder.refuse(call, facts);
        return;
      }
      const begin = this.#execBegin;
      const document: Record<string, unknown> = { call_id: this.toolCallId };
      if (this.#processId !== null) document.process_id = this.#processId;
      document.turn_id = this.#scope.turnId;
      document.completed_at_ms = facts.completedAtMs ?? this.#recorder.now();
      document.command = [...(begin?.command ?? [])];
      document.cwd = begin?.cwd ?? "";
      document.parsed_cmd = [...(begin?.parsedCommand ?? [])];
      document.source = begin?.source ?? "agent";
      if (begin !== null && begin.interactionInput !== null)
        document.interaction_input = begin.interactionInput;
      // Codex 0.144 wrote stdout, stderr and the formatted output; 0.169 writes only the aggregated output.
      if (this.#recorder.schemaVersion === 1) {
        document.stdout = facts.stdout;
        document.stderr = facts.stderr;
      }
      document.aggregated_output = facts.aggregatedOutput;
      document.exit_code = facts.exitCode;
      document.duration = durationDocument(facts.durationMs);
      if (this.#recorder.schemaVersion === 1) document.formatted_output = facts.formattedOutput;
      document.status = facts.status;
      this.#recordRuntimeEnd(execStatus(facts.status), document, call);
    });
  }

  mcpEnded(outcome: McpOutcome): void {
    const call = "tool.mcpEnded";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeEnded)) return;
      if (isObject(outcome) && Object.hasOwn(outcome, "ok")) {
        this.#recordRuntimeEnd("completed", { result: { Ok: own(outcome, "ok") } }, call);
        return;
      }
      const error = isObject(outcome) ? own(outcome, "error") : undefined;
      if (typeof error !== "string") {
        this.#recorder.refuse(call, "the outcome must be { ok } or { error: string }");
        return;
      }
      this.#recordRuntimeEnd("failed", { result: { Err: error } }, call);
    });
  }

  agentActivity(activity: AgentActivity): void {
    const call = "tool.agentActivity";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#runtimeEnded)) return;
      const facts = this.#readActivity(activity);
      if (typeof facts === "string") {
        this.#recorder.refuse(call, facts);
        return;
      }
      // Codex 0.169 added the agent's model and reasoning effort to the activity; 0.144 wrote neither.
      const document = {
        ...(this.#recorder.schemaVersion === 2
          ? { model: facts.model, reasoning_effort: facts.reasoningEffort }
          : {}),
        event_id: this.toolCallId,
        occurred_at_ms: facts.occurredAtMs ?? this.#recorder.now(),
        agent_thread_id: facts.threadId,
        agent_path: facts.agentPath,
        kind: facts.kind,
      };
      this.#runtimeEnded = true;
      const ref = this.#recorder.payload("tool_runtime_event", document);
      if (ref === null) return;
      const recorded = this.#recorder.append(
        {
          type: "tool_call_runtime_ended",
          tool_call_id: this.toolCallId,
          status: "completed",
          runtime_payload: ref,
        },
        this.#scope.context,
      );
      if (recorded && facts.edgeId !== null) this.#recorder.edgeIds.add(facts.edgeId);
    });
  }

  #readActivity(activity: AgentActivity) {
    if (!isObject(activity)) return "the activity must be an object";
    const kind = own(activity, "kind");
    const expected: Record<string, readonly string[]> = {
      started: ["spawn_agent"],
      interacted: ["assign_agent_task", "send_message"],
      interrupted: ["close_agent"],
    };
    if (typeof kind !== "string" || !Object.hasOwn(expected, kind))
      return "kind must be started, interacted or interrupted";
    if (!expected[kind]!.includes(this.#kind.type))
      return `${kind} activity does not fit a ${this.#kind.type} call`;
    const agent = own(activity, "agent");
    const threadId = isObject(agent) ? own(agent, "threadId") : undefined;
    const agentPath = isObject(agent) ? own(agent, "agentPath") : undefined;
    if (!isUuid(threadId) || typeof agentPath !== "string")
      return "the agent needs a UUID thread id and an agent path";
    const model = own(activity, "model") ?? null;
    const reasoningEffort = own(activity, "reasoningEffort") ?? null;
    if (
      (model !== null && typeof model !== "string") ||
      (reasoningEffort !== null && typeof reasoningEffort !== "string")
    )
      return "model and reasoningEffort must be strings or null";
    const occurredAtMs = own(activity, "occurredAtMs");
    if (occurredAtMs !== undefined && !isNonNegativeInteger(occurredAtMs))
      return "occurredAtMs must be a timestamp";
    let edgeId: string | null = null;
    if (kind !== "interrupted") {
      // The reducers take the delivered text from the `message` argument of the invocation.
      const args =
        this.#invocationRecorded && this.#spec.payload.type === "function"
          ? parseArguments(this.#spec.payload.arguments)
          : null;
      const message = args === null ? undefined : own(args, "message");
      if (typeof message !== "string") return "the call's recorded invocation has no string message argument";
      if (kind === "started") {
        edgeId = `edge:spawn:${this.#scope.threadRecord.threadId}:${threadId}`;
        if (this.#recorder.edgeIds.has(edgeId)) return `agent ${threadId} was already spawned by this thread`;
      } else if (
        this.#delivery !== null &&
        (this.#delivery.target !== threadId || this.#delivery.content !== message)
      ) {
        return "the activity does not match the message the call began to deliver";
      }
    } else if (this.#closeTarget !== null && this.#closeTarget !== threadId) {
      return "the activity does not match the agent the call began to close";
    }
    return {
      kind,
      threadId,
      agentPath,
      model: model as string | null,
      reasoningEffort: reasoningEffort as string | null,
      occurredAtMs: occurredAtMs as number | undefined,
      edgeId,
    };
  }

  #recordRuntimeEnd(status: ExecutionStatus, document: unknown, call: string): void {
    const recorder = this.#recorder;
    if (this.#isCodeModeExec) {
      recorder.refuse(call, CODE_MODE_EXEC_HAS_NO_RUNTIME);
      return;
    }
    const problem = checkRuntimeDocument(document) ?? this.#endProblem(document as JsonObject);
    if (problem !== null) {
      recorder.refuse(call, problem);
      return;
    }
    this.#runtimeEnded = true;
    const ref = recorder.payload("tool_runtime_event", document);
    if (ref === null) return;
    const recorded = recorder.append(
      { type: "tool_call_runtime_ended", tool_call_id: this.toolCallId, status, runtime_payload: ref },
      this.#scope.context,
    );
    if (!recorded) return;
    const object = document as JsonObject;
    if (this.#hasOperation) {
      const processId = processIdOf(own(object, "process_id"));
      if (processId) {
        this.#processId ??= processId;
        recorder.processThreads.set(processId, this.#scope.threadRecord.threadId);
      }
    }
    if (this.#kind.type === "spawn_agent") {
      const child = own(object, "new_thread_id");
      if (typeof child === "string")
        recorder.edgeIds.add(`edge:spawn:${own(object, "sender_thread_id")}:${child}`);
    }
  }

  /** What the reducers parse from an end observation for this call's kind (spec §4.6.4, §4.8.2). */
  #endProblem(document: JsonObject): string | null {
    const kind = this.#kind.type;
    if (this.#hasOperation) {
      if (!isInt32(own(document, "exit_code")))
        return "a terminal end observation needs an integer exit_code";
      const textFields =
        this.#recorder.schemaVersion === 2 ? ["aggregated_output"] : ["stdout", "stderr", "formatted_output"];
      for (const field of textFields) {
        if (typeof own(document, field) !== "string") return `a terminal end observation needs ${field}`;
      }
      return this.#processProblem(own(document, "process_id"));
    }
    if (
      kind === "spawn_agent" ||
      kind === "assign_agent_task" ||
      kind === "send_message" ||
      kind === "close_agent"
    ) {
      return this.#collabEndProblem(document, kind);
    }
    return null;
  }

  #collabEndProblem(document: JsonObject, kind: string): string | null {
    if (kind === "close_agent") {
      const receiver = own(document, "receiver_thread_id");
      if (!isUuid(receiver)) return "a close observation needs the receiver thread UUID";
      if (this.#closeTarget !== null && this.#closeTarget !== receiver)
        return "the close ended for another agent than it began with";
      return null;
    }
    if (typeof own(document, "call_id") !== "string") return "a collab end observation needs a call_id";
    if (!isUuid(own(document, "sender_thread_id")))
      return "a collab end observation needs the sender thread UUID";
    if (typeof own(document, "prompt") !== "string") return "a collab end observation needs a prompt";
    if (kind === "spawn_agent") {
      const child = own(document, "new_thread_id");
      if (child === undefined || child === null) return null;
      if (!isUuid(child)) return "new_thread_id must be a thread UUID or null";
      const edgeId = `edge:spawn:${own(document, "sender_thread_id")}:${child}`;
      return this.#recorder.edgeIds.has(edgeId) ? `agent ${child} was already spawned` : null;
    }
    const receiver = own(document, "receiver_thread_id");
    if (!isUuid(receiver)) return "a collab end observation needs the receiver thread UUID";
    if (
      this.#delivery !== null &&
      (this.#delivery.target !== receiver || this.#delivery.content !== own(document, "prompt"))
    )
      return "the observation does not match the message the call began to deliver";
    return null;
  }

  // ---- correlation --------------------------------------------------------------------------------------------

  startMcpCall(): McpCallTrace {
    const recorder = this.#recorder;
    try {
      if (!recorder.admitsOnce(this.#recorded, this.#mcpAssigned)) return DISABLED_MCP_CALL;
      this.#mcpAssigned = true;
      const mcpCallId = randomUUID();
      const recorded = recorder.append(
        { type: "mcp_tool_call_correlation_assigned", tool_call_id: this.toolCallId, mcp_call_id: mcpCallId },
        NO_CONTEXT,
      );
      return recorded ? new LiveMcpCall(mcpCallId) : DISABLED_MCP_CALL;
    } catch (error) {
      recorder.refuse("tool.startMcpCall", errorMessage(error));
      return DISABLED_MCP_CALL;
    }
  }

  stdinTarget(exec: ToolCallTrace): void {
    const call = "tool.stdinTarget";
    guarded(this.#recorder, call, () => {
      // Schema 1 has no such event: the reducer finds the terminal through the process id.
      if (this.#recorder.schemaVersion === 1) return;
      if (!this.#recorder.admitsOnce(this.#recorded, this.#stdinResolved)) return;
      const problem = this.#stdinProblem(exec);
      if (problem !== null) {
        this.#recorder.refuse(call, problem);
        return;
      }
      this.#stdinResolved = true;
      this.#recorder.append(
        { type: "stdin_target_resolved", tool_call_id: this.toolCallId, exec_tool_call_id: exec.toolCallId },
        this.#scope.context,
      );
    });
  }

  #stdinProblem(exec: ToolCallTrace): string | null {
    if (!(exec instanceof LiveTool) || exec.#scope.recorder !== this.#recorder || !exec.#recorded)
      return "the exec call is not a recorded call of this session";
    if (this.#kind.type !== "write_stdin") return "only a write_stdin call has a stdin target";
    if (exec.#kind.type !== "exec_command") return "the target is not an exec_command call";
    if (exec.#scope.threadRecord !== this.#scope.threadRecord)
      return "the exec call belongs to another thread";
    return null;
  }

  // ---- end ----------------------------------------------------------------------------------------------------

  completed(result: Lazy<unknown>, options?: ToolEndOptions & { readonly success?: boolean }): void {
    const call = "tool.completed";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#ended)) return;
      const value = this.#recorder.resolve(result, call);
      if (value === UNRESOLVED) return;
      const success = options === undefined ? undefined : own(options, "success");
      const accept = this.#acceptOption(options, call);
      if (accept === null) return;
      if (success !== undefined && typeof success !== "boolean") {
        this.#recorder.refuse(call, "success must be a boolean");
        return;
      }
      if (this.#isModelCall) {
        const problem = checkResponseItem(value);
        if (problem !== null) {
          this.#recorder.refuse(call, `the result must be the output item given to the model: ${problem}`);
          return;
        }
        const item = value as ModelItem;
        this.#end(
          success === false ? "failed" : "completed",
          { type: "direct_response", response_item: withoutId(item) },
          accept ? item : null,
        );
        return;
      }
      if (value === undefined) {
        this.#recorder.refuse(call, "a code cell call needs the value returned to the cell");
        return;
      }
      this.#end(success === false ? "failed" : "completed", { type: "code_mode_response", value }, null);
    });
  }

  failed(error: string | Error, options?: ToolEndOptions & { readonly output?: Lazy<ModelItem> }): void {
    const call = "tool.failed";
    guarded(this.#recorder, call, () => {
      if (!this.#recorder.admitsOnce(this.#recorded, this.#ended)) return;
      const accept = this.#acceptOption(options, call);
      if (accept === null) return;
      const given = options === undefined ? undefined : own(options, "output");
      const output = given === undefined ? undefined : this.#recorder.resolve(given as Lazy<ModelItem>, call);
      if (output === UNRESOLVED) return;
      if (output !== undefined && checkResponseItem(output) !== null) {
        this.#recorder.refuse(call, "output must be a Responses item");
        return;
      }
      const accepted = this.#isModelCall && accept ? (output ?? null) : null;
      this.#end("failed", { type: "error", error: errorMessage(error) }, accepted);
    });
  }

  /** Whether the output item is accepted into the history as the call ends (default), or null when malformed. */
  #acceptOption(options: ToolEndOptions | undefined, call: string): boolean | null {
    const accept = options === undefined ? undefined : own(options, "accept");
    if (accept === undefined) return true;
    if (typeof accept === "boolean") return accept;
    this.#recorder.refuse(call, "accept must be a boolean");
    return null;
  }

  /** `tool_call_ended` with its result; schema 2 then accepts the model's output item into the history. */
  #end(status: ExecutionStatus, result: Record<string, unknown>, modelOutput: ModelItem | null): void {
    this.#ended = true;
    const ref = this.#recorder.payload("tool_result", result);
    const recorded = this.#recorder.append(
      { type: "tool_call_ended", tool_call_id: this.toolCallId, status, result_payload: ref },
      this.#scope.context,
    );
    if (recorded && modelOutput !== null) acceptItems(this.#scope, [modelOutput], null);
  }
}

interface ExecStartFacts extends ExecBeginFacts {
  readonly processId: string | null;
  readonly startedAtMs: number | undefined;
}

function readExecStart(exec: ExecStart): ExecStartFacts | string {
  if (!isObject(exec)) return "the exec observation must be an object";
  const command = own(exec, "command");
  if (!Array.isArray(command) || !command.every((part) => typeof part === "string"))
    return "command must be an array of strings";
  const cwd = own(exec, "cwd");
  if (typeof cwd !== "string") return "cwd must be a string";
  const processId = processIdOf(own(exec, "processId"));
  if (processId === undefined) return "processId must be a non-empty string or an integer";
  const parsedCommand = own(exec, "parsedCommand") ?? [];
  if (!Array.isArray(parsedCommand)) return "parsedCommand must be an array";
  const source = own(exec, "source") ?? "agent";
  if (typeof source !== "string") return "source must be a string";
  const interactionInput = own(exec, "interactionInput") ?? null;
  if (interactionInput !== null && typeof interactionInput !== "string")
    return "interactionInput must be a string";
  const startedAtMs = own(exec, "startedAtMs");
  if (startedAtMs !== undefined && !isNonNegativeInteger(startedAtMs))
    return "startedAtMs must be a timestamp";
  return {
    command: command as string[],
    cwd,
    processId,
    parsedCommand,
    source,
    interactionInput,
    startedAtMs,
  };
}

interface ExecEndFacts {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly aggregatedOutput: string;
  readonly formattedOutput: string;
  readonly durationMs: number;
  readonly status: "completed" | "failed" | "declined";
  readonly completedAtMs: number | undefined;
}

function readExecEnd(exec: ExecEnd): ExecEndFacts | string {
  if (!isObject(exec)) return "the exec observation must be an object";
  const exitCode = own(exec, "exitCode");
  if (!isInt32(exitCode)) return "exitCode must be a 32-bit integer";
  const text = (key: string, fallback: string): string | null => {
    const value = own(exec, key) ?? fallback;
    return typeof value === "string" ? value : null;
  };
  const stdout = text("stdout", "");
  const stderr = text("stderr", "");
  if (stdout === null || stderr === null) return "stdout and stderr must be strings";
  const aggregatedOutput = text("aggregatedOutput", stdout + stderr);
  if (aggregatedOutput === null) return "aggregatedOutput must be a string";
  const formattedOutput = text("formattedOutput", aggregatedOutput);
  if (formattedOutput === null) return "formattedOutput must be a string";
  const durationMs = own(exec, "durationMs") ?? 0;
  if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0)
    return "durationMs must be a non-negative number";
  const status = own(exec, "status") ?? (exitCode === 0 ? "completed" : "failed");
  if (status !== "completed" && status !== "failed" && status !== "declined")
    return "status must be completed, failed or declined";
  const completedAtMs = own(exec, "completedAtMs");
  if (completedAtMs !== undefined && !isNonNegativeInteger(completedAtMs))
    return "completedAtMs must be a timestamp";
  return { exitCode, stdout, stderr, aggregatedOutput, formattedOutput, durationMs, status, completedAtMs };
}

class LiveMcpCall implements McpCallTrace {
  readonly enabled = true;
  readonly mcpCallId: string;

  constructor(mcpCallId: string) {
    this.mcpCallId = mcpCallId;
  }

  addRequestMeta<T>(meta: T): T | Record<string, unknown> {
    if (meta === undefined || meta === null) return { [MCP_CALL_ID_META_KEY]: this.mcpCallId };
    if (!isObject(meta)) return meta;
    return { ...meta, [MCP_CALL_ID_META_KEY]: this.mcpCallId };
  }
}
