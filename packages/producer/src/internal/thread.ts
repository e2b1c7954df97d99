import { randomUUID } from "node:crypto";
import type { AgentStatus, ExecutionStatus, RolloutStatus } from "@rollout-trace/schema";
import type { EventContext } from "@rollout-trace/writer";
import { isNonNegativeInteger, isObject, own } from "./checks.ts";
import { startCodeCell } from "./code-cell.ts";
import { startCompaction } from "./compaction.ts";
import {
  DISABLED_CODE_CELL,
  DISABLED_COMPACTION,
  DISABLED_INFERENCE,
  DISABLED_THREAD,
  DISABLED_TOOL,
  DISABLED_TURN,
} from "./disabled.ts";
import { startInference } from "./inference.ts";
import { guarded, NO_CONTEXT, type Recorder, type ThreadRecord, UNRESOLVED } from "./recorder.ts";
import { acceptItems, checkAcceptable, type TurnScope } from "./scope.ts";
import { isExecutionStatus, startTool } from "./tool.ts";
import type {
  AgentResult,
  ChildThreadOptions,
  CodeCellOptions,
  CodeCellTrace,
  CompactionOptions,
  CompactionTrace,
  InferenceOptions,
  InferenceRequest,
  InferenceTrace,
  Lazy,
  ModelItem,
  ProtocolEventType,
  RootThreadOptions,
  ThreadTrace,
  ToolCallTrace,
  ToolInvocation,
  TurnOptions,
  TurnTrace,
} from "./types.ts";

const ROLLOUT_STATUSES: ReadonlySet<string> = new Set(["running", "completed", "failed", "aborted"]);

/** Protocol event types as recorded, and the tag their documents carry (turns are `task_*` on the wire). */
const PROTOCOL_EVENT_TAGS: ReadonlyMap<string, string> = new Map([
  ["session_configured", "session_configured"],
  ["turn_started", "task_started"],
  ["turn_complete", "task_complete"],
  ["turn_aborted", "turn_aborted"],
  ["thread_rolled_back", "thread_rolled_back"],
  ["error", "error"],
  ["warning", "warning"],
  ["shutdown_complete", "shutdown_complete"],
]);

/** Everything a thread records in its `session_metadata` document, validated. */
interface ThreadFacts {
  readonly threadId: string;
  readonly agentPath: string;
  readonly taskName: string | null;
  readonly nickname: string | null;
  readonly agentRole: string | null;
  readonly sessionSource: unknown;
  readonly cwd: string;
  readonly rolloutPath: string | null;
  readonly model: string;
  readonly providerName: string;
  readonly approvalPolicy: string;
  readonly sandboxPolicy: string;
  readonly depth: number;
}

function optionalText(options: object, key: string, fallback: string | null): string | null | undefined {
  const value = own(options, key);
  if (value === undefined) return fallback;
  return value === null || typeof value === "string" ? value : undefined;
}

function requiredText(options: object, key: string, fallback: string | undefined): string | undefined {
  const value = own(options, key) ?? fallback;
  return typeof value === "string" ? value : undefined;
}

/** The root thread's facts from the producer's options, or a problem. */
export function rootThreadFacts(options: RootThreadOptions, threadId: string): ThreadFacts | string {
  if (!isObject(options)) return "rootThread must be an object";
  const agentPath = requiredText(options, "agentPath", "/root");
  const model = requiredText(options, "model", undefined);
  const providerName = requiredText(options, "providerName", undefined);
  const cwd = requiredText(options, "cwd", process.cwd());
  const approvalPolicy = requiredText(options, "approvalPolicy", "unspecified");
  const sandboxPolicy = requiredText(options, "sandboxPolicy", "unspecified");
  const taskName = optionalText(options, "taskName", null);
  const nickname = optionalText(options, "nickname", null);
  const agentRole = optionalText(options, "agentRole", null);
  const rolloutPath = optionalText(options, "rolloutPath", null);
  const sessionSource = own(options, "sessionSource") ?? "exec";
  if (model === undefined || providerName === undefined)
    return "rootThread needs model and providerName strings";
  if (agentPath === undefined || agentPath === "" || cwd === undefined)
    return "agentPath and cwd must be strings";
  if (approvalPolicy === undefined || sandboxPolicy === undefined) return "policies must be strings";
  if (
    taskName === undefined ||
    nickname === undefined ||
    agentRole === undefined ||
    rolloutPath === undefined
  )
    return "taskName, nickname, agentRole and rolloutPath must be strings or null";
  if (typeof sessionSource !== "string" && !isObject(sessionSource))
    return "sessionSource must be a string or an object";
  return {
    threadId,
    agentPath,
    taskName,
    nickname,
    agentRole,
    sessionSource,
    cwd,
    rolloutPath,
    model,
    providerName,
    approvalPolicy,
    sandboxPolicy,
    depth: 0,
  };
}

function childThreadFacts(options: ChildThreadOptions, parent: ThreadFacts): ThreadFacts | string {
  if (!isObject(options)) return "the child options must be an object";
  const threadId = own(options, "threadId");
  const routedPath = own(options, "agentPath");
  if (typeof threadId !== "string" || threadId === "") return "threadId must be a non-empty string";
  if (routedPath !== undefined && (typeof routedPath !== "string" || routedPath === ""))
    return "agentPath must be a non-empty string";
  // A child without a routing path of its own (Codex multi-agent v1) records its parent's path.
  const agentPath = routedPath ?? parent.agentPath;
  const model = requiredText(options, "model", parent.model);
  const providerName = requiredText(options, "providerName", parent.providerName);
  const cwd = requiredText(options, "cwd", parent.cwd);
  const approvalPolicy = requiredText(options, "approvalPolicy", parent.approvalPolicy);
  const sandboxPolicy = requiredText(options, "sandboxPolicy", parent.sandboxPolicy);
  const taskName = optionalText(options, "taskName", null);
  const nickname = optionalText(options, "nickname", null);
  const agentRole = optionalText(options, "agentRole", null);
  const rolloutPath = optionalText(options, "rolloutPath", null);
  const depth = own(options, "depth") ?? parent.depth + 1;
  if (model === undefined || providerName === undefined || cwd === undefined)
    return "model, providerName and cwd must be strings";
  if (approvalPolicy === undefined || sandboxPolicy === undefined) return "policies must be strings";
  if (
    taskName === undefined ||
    nickname === undefined ||
    agentRole === undefined ||
    rolloutPath === undefined
  )
    return "taskName, nickname, agentRole and rolloutPath must be strings or null";
  if (!isNonNegativeInteger(depth)) return "depth must be a non-negative integer";
  return {
    threadId,
    agentPath,
    taskName,
    nickname,
    agentRole,
    // How Codex describes a spawned multi-agent child; the reducers derive the thread's origin from it.
    sessionSource: {
      subagent: {
        thread_spawn: {
          parent_thread_id: parent.threadId,
          depth,
          agent_path: routedPath ?? null,
          agent_nickname: nickname,
          agent_role: agentRole,
        },
      },
    },
    cwd,
    rolloutPath,
    model,
    providerName,
    approvalPolicy,
    sandboxPolicy,
    depth,
  };
}

/** Records `thread_started` with its metadata document and returns the thread's handle. */
export function startThread(recorder: Recorder, facts: ThreadFacts, parent: LiveThread | null): LiveThread {
  const metadata = recorder.payload("session_metadata", {
    thread_id: facts.threadId,
    agent_path: facts.agentPath,
    task_name: facts.taskName,
    nickname: facts.nickname,
    agent_role: facts.agentRole,
    session_source: facts.sessionSource,
    cwd: facts.cwd,
    rollout_path: facts.rolloutPath,
    model: facts.model,
    provider_name: facts.providerName,
    approval_policy: facts.approvalPolicy,
    sandbox_policy: facts.sandboxPolicy,
  });
  const recorded = recorder.append(
    {
      type: "thread_started",
      thread_id: facts.threadId,
      agent_path: facts.agentPath,
      metadata_payload: metadata,
    },
    NO_CONTEXT,
  );
  const record: ThreadRecord = {
    threadId: facts.threadId,
    agentPath: facts.agentPath,
    runtimeCells: new Set(),
    snapshotCall: null,
    snapshotExtended: false,
    incrementalBase: null,
    tracedResponses: new Set(),
    acceptedIds: new Set(),
  };
  if (recorded) recorder.threads.set(facts.threadId, record);
  return new LiveThread(recorder, facts, record, parent, recorded);
}

export class LiveThread implements ThreadTrace {
  readonly enabled = true;
  readonly threadId: string;
  readonly agentPath: string;
  readonly facts: ThreadFacts;
  readonly record: ThreadRecord;
  readonly parent: LiveThread | null;
  readonly #recorder: Recorder;
  readonly #recorded: boolean;
  #ended = false;

  constructor(
    recorder: Recorder,
    facts: ThreadFacts,
    record: ThreadRecord,
    parent: LiveThread | null,
    recorded: boolean,
  ) {
    this.#recorder = recorder;
    this.facts = facts;
    this.record = record;
    this.parent = parent;
    this.threadId = facts.threadId;
    this.agentPath = facts.agentPath;
    this.#recorded = recorded;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Gate for starting something in this thread: the session is open, the thread recorded and not ended. */
  #admitsStart(): boolean {
    if (!this.#recorder.admits(this.#recorded)) return false;
    if (this.#ended) {
      this.#recorder.late();
      return false;
    }
    return true;
  }

  startTurn(options?: TurnOptions): TurnTrace {
    const recorder = this.#recorder;
    const call = "thread.startTurn";
    try {
      if (!this.#admitsStart()) return DISABLED_TURN;
      if (options !== undefined && !isObject(options)) {
        recorder.refuse(call, "options must be an object");
        return DISABLED_TURN;
      }
      const given = options === undefined ? undefined : own(options, "turnId");
      if (given !== undefined && (typeof given !== "string" || given === "")) {
        recorder.refuse(call, "turnId must be a non-empty string");
        return DISABLED_TURN;
      }
      const turnId = (given as string | undefined) ?? randomUUID();
      if (recorder.turnIds.has(turnId)) {
        recorder.refuse(call, `turn ${turnId} was already started`);
        return DISABLED_TURN;
      }
      const inputArgument = options === undefined ? undefined : own(options, "inputs");
      const inputs =
        inputArgument === undefined
          ? []
          : recorder.resolve(inputArgument as Lazy<readonly ModelItem[]>, call);
      if (inputs === UNRESOLVED) return DISABLED_TURN;
      const problem = checkAcceptable(inputs);
      if (problem !== null) {
        recorder.refuse(call, problem);
        return DISABLED_TURN;
      }
      const context: EventContext = { threadId: this.threadId, codexTurnId: turnId };
      const recorded = recorder.append(
        { type: "codex_turn_started", codex_turn_id: turnId, thread_id: this.threadId },
        context,
      );
      if (recorded) recorder.turnIds.add(turnId);
      const turn = new LiveTurn(recorder, this, turnId, context, recorded);
      if (recorded) acceptItems(turn, inputs, call);
      return turn;
    } catch (error) {
      recorder.refuse(call, error instanceof Error ? error.message : String(error));
      return DISABLED_TURN;
    }
  }

  spawnChild(options: ChildThreadOptions): ThreadTrace {
    const recorder = this.#recorder;
    const call = "thread.spawnChild";
    try {
      if (!this.#admitsStart()) return DISABLED_THREAD;
      const facts = childThreadFacts(options, this.facts);
      if (typeof facts === "string") {
        recorder.refuse(call, facts);
        return DISABLED_THREAD;
      }
      if (recorder.threads.has(facts.threadId)) {
        recorder.refuse(call, `thread ${facts.threadId} was already started in this bundle`);
        return DISABLED_THREAD;
      }
      return startThread(recorder, facts, this);
    } catch (error) {
      recorder.refuse(call, error instanceof Error ? error.message : String(error));
      return DISABLED_THREAD;
    }
  }

  protocolEvent(type: ProtocolEventType, body?: Lazy<Readonly<Record<string, unknown>>>): void {
    const recorder = this.#recorder;
    const call = "thread.protocolEvent";
    guarded(recorder, call, () => {
      if (!recorder.admits(this.#recorded)) return;
      const tag = PROTOCOL_EVENT_TAGS.get(type);
      if (tag === undefined) {
        recorder.refuse(call, `${String(type)} is not a recorded protocol event type`);
        return;
      }
      const fields = body === undefined ? {} : recorder.resolve(body, call);
      if (fields === UNRESOLVED) return;
      if (!isObject(fields)) {
        recorder.refuse(call, "the body must be an object");
        return;
      }
      const { type: _ignoredTag, ...rest } = fields;
      const ref = recorder.payload("protocol_event", { type: tag, ...rest });
      if (ref === null) return;
      recorder.append({ type: "protocol_event_observed", event_type: type, event_payload: ref }, NO_CONTEXT);
    });
  }

  end(status: RolloutStatus = "completed"): void {
    const recorder = this.#recorder;
    guarded(recorder, "thread.end", () => {
      if (!recorder.admitsOnce(this.#recorded, this.#ended)) return;
      if (!ROLLOUT_STATUSES.has(status)) {
        recorder.refuse("thread.end", "status must be running, completed, failed or aborted");
        return;
      }
      this.#ended = true;
      recorder.append({ type: "thread_ended", thread_id: this.threadId, status }, NO_CONTEXT);
      // Codex ends the rollout with its root thread.
      if (this.parent === null) recorder.append({ type: "rollout_ended", status }, NO_CONTEXT);
    });
  }

  resume(): void {
    const recorder = this.#recorder;
    guarded(recorder, "thread.resume", () => {
      // Schema 1 cannot express a resume; Codex 0.144 gave resumed threads no trace at all.
      if (recorder.schemaVersion === 1) return;
      if (!recorder.admits(this.#recorded)) return;
      if (!this.#ended) {
        recorder.repeated();
        return;
      }
      if (recorder.append({ type: "thread_resumed", thread_id: this.threadId }, NO_CONTEXT))
        this.#ended = false;
    });
  }
}

class LiveTurn implements TurnTrace, TurnScope {
  readonly enabled = true;
  readonly turnId: string;
  readonly recorder: Recorder;
  readonly context: EventContext;
  readonly #thread: LiveThread;
  readonly #recorded: boolean;
  #endStatus: ExecutionStatus | null = null;
  readonly #resultsDelivered = new Set<string>();

  constructor(
    recorder: Recorder,
    thread: LiveThread,
    turnId: string,
    context: EventContext,
    recorded: boolean,
  ) {
    this.recorder = recorder;
    this.#thread = thread;
    this.turnId = turnId;
    this.context = context;
    this.#recorded = recorded;
  }

  get thread(): ThreadTrace {
    return this.#thread;
  }

  get threadRecord(): ThreadRecord {
    return this.#thread.record;
  }

  get model(): string {
    return this.#thread.facts.model;
  }

  get providerName(): string {
    return this.#thread.facts.providerName;
  }

  get active(): boolean {
    return this.#endStatus === null && !this.#thread.ended;
  }

  get closedCells(): boolean {
    return this.#endStatus === "failed" || this.#endStatus === "cancelled" || this.#endStatus === "aborted";
  }

  /** Gate for anything that starts inside the turn. */
  #admitsStart(): boolean {
    if (!this.recorder.admits(this.#recorded)) return false;
    if (!this.active) {
      this.recorder.late();
      return false;
    }
    return true;
  }

  accept(items: Lazy<readonly ModelItem[]>): void {
    const call = "turn.accept";
    guarded(this.recorder, call, () => {
      if (this.recorder.schemaVersion === 1) return;
      if (!this.recorder.admits(this.#recorded)) return;
      const resolved = this.recorder.resolve(items, call);
      if (resolved === UNRESOLVED) return;
      const problem = checkAcceptable(resolved);
      if (problem !== null) {
        this.recorder.refuse(call, problem);
        return;
      }
      acceptItems(this, resolved, call);
    });
  }

  startInference(request: Lazy<InferenceRequest>, options?: InferenceOptions): InferenceTrace {
    return this.#start("turn.startInference", DISABLED_INFERENCE, () =>
      startInference(this, request, options),
    );
  }

  startTool(invocation: Lazy<ToolInvocation>): ToolCallTrace {
    return this.#start("turn.startTool", DISABLED_TOOL, () =>
      startTool(this, invocation, null, "turn.startTool"),
    );
  }

  startCodeCell(cell: CodeCellOptions): CodeCellTrace {
    return this.#start("turn.startCodeCell", DISABLED_CODE_CELL, () => startCodeCell(this, cell));
  }

  startCompaction(options?: CompactionOptions): CompactionTrace {
    return this.#start("turn.startCompaction", DISABLED_COMPACTION, () => startCompaction(this, options));
  }

  #start<T>(call: string, disabled: T, start: () => T): T {
    try {
      return this.#admitsStart() ? start() : disabled;
    } catch (error) {
      this.recorder.refuse(call, error instanceof Error ? error.message : String(error));
      return disabled;
    }
  }

  reportAgentResult(result: AgentResult): void {
    const recorder = this.recorder;
    const call = "turn.reportAgentResult";
    guarded(recorder, call, () => {
      if (!recorder.admits(this.#recorded)) return;
      if (!isObject(result)) {
        recorder.refuse(call, "the result must be an object");
        return;
      }
      const message = own(result, "message");
      const status = own(result, "status") ?? { completed: null };
      const parent = own(result, "parent") ?? this.#thread.parent ?? undefined;
      const parentThreadId =
        typeof parent === "string" ? parent : (parent as ThreadTrace | undefined)?.threadId;
      if (typeof message !== "string") {
        recorder.refuse(call, "message must be a string");
        return;
      }
      if (typeof status !== "string" && !isObject(status)) {
        recorder.refuse(call, "status must be an agent status (a string or an object)");
        return;
      }
      if (typeof parentThreadId !== "string" || parentThreadId === "") {
        recorder.refuse(call, "the thread has no parent to report to");
        return;
      }
      const edgeId = `edge:agent_result:${this.#thread.threadId}:${this.turnId}:${parentThreadId}`;
      if (this.#resultsDelivered.has(edgeId)) {
        recorder.repeated();
        return;
      }
      this.#resultsDelivered.add(edgeId);
      const ref = recorder.payload("agent_result", {
        child_agent_path: this.#thread.agentPath,
        message,
        status: status as AgentStatus,
      });
      recorder.append(
        {
          type: "agent_result_observed",
          edge_id: edgeId,
          child_thread_id: this.#thread.threadId,
          child_codex_turn_id: this.turnId,
          parent_thread_id: parentThreadId,
          message,
          carried_payload: ref,
        },
        this.context,
      );
    });
  }

  end(status: ExecutionStatus = "completed"): void {
    const recorder = this.recorder;
    guarded(recorder, "turn.end", () => {
      if (!recorder.admitsOnce(this.#recorded, this.#endStatus !== null)) return;
      if (!isExecutionStatus(status)) {
        recorder.refuse("turn.end", "status must be an execution status");
        return;
      }
      this.#endStatus = status;
      recorder.append({ type: "codex_turn_ended", codex_turn_id: this.turnId, status }, this.context);
    });
  }

  abort(): void {
    this.end("cancelled");
  }
}
