import { type GeneratedBundle, type InferenceModel, markCompactJson, type ThreadModel } from "../bundle.ts";
import {
  AGENT_NOTES,
  BASE_INSTRUCTIONS,
  CHILD_TASKS,
  COMMANDS,
  COMMENTARY,
  COMPACTION_SUMMARY_PREFIX,
  type CommandSample,
  environmentContext,
  FAILING_COMMANDS,
  FINAL_ANSWERS,
  FOLLOW_UP_PROMPTS,
  FOLLOW_UP_TASKS,
  FUNCTION_TOOLS,
  INFERENCE_ERRORS,
  INTERACTIVE_COMMANDS,
  type InteractiveSample,
  MCP_CALLS,
  type McpSample,
  MODELS,
  NICKNAMES,
  PATCHES,
  type PatchSample,
  PROJECT_DIRS,
  permissionsMessage,
  REASONING_CONTENT,
  REASONING_SUMMARIES,
  SKILLS_INSTRUCTIONS,
  TEAM_CHILD_INSTRUCTIONS,
  TEAM_MODE_NOTE,
  TEAM_ROOT_INSTRUCTIONS,
  TURN_ABORTED_NOTE,
  USER_PROMPTS,
  WEB_SEARCH_QUERIES,
} from "./corpus.ts";
import { injectError } from "./errors.ts";
import type { RolloutFeature } from "./features.ts";
import { ItemFactory, replayForm } from "./items.ts";
import { Rng } from "./random.ts";
import { BundleRecorder } from "./recorder.ts";
import type {
  CallScript,
  ChildTurnScript,
  CompactionMode,
  NestedCallScript,
  RolloutScript,
  StepScript,
} from "./script.ts";
import { buildToolList } from "./tools.ts";
import type {
  EventPayload,
  ExecutionStatusName,
  JsonObject,
  JsonValue,
  SchemaVersion,
  ToolKind,
  ToolRequester,
} from "./trace-types.ts";

/** 2026-01-01T00:00:00Z; generated sessions start within the following year. */
const EPOCH_2026_MS = 1_767_225_600_000;
const YEAR_MS = 365 * 24 * 3600 * 1000;
const PREVIEW_CHARS = 160;

function pickMod<T>(items: readonly T[], index: number): T {
  const item = items[((index % items.length) + items.length) % items.length];
  if (item === undefined) throw new Error("empty corpus list");
  return item;
}

function previewOf(input: string): string {
  const chars = [...input];
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join("")}...` : input;
}

interface LiveProcess {
  readonly pid: number;
  readonly execToolCallId: string;
  readonly turnId: string;
  readonly sample: InteractiveSample;
  readonly command: string[];
  nextInput: number;
  transcript: string;
  readonly startedAtMs: number;
}

interface YieldedCell {
  readonly runtimeCellId: string;
  readonly turnId: string;
  /** Completion work of nested tools that were still running when the cell yielded. */
  readonly pending: (() => void)[];
  readonly resultText: string;
  readonly fails: boolean;
}

interface InboxDelivery {
  readonly item: JsonObject;
  /** Schema 2: the agent-message acceptance carries the full item as a `protocol_event` payload. */
  readonly acceptWithPayload: boolean;
}

interface ThreadState {
  readonly id: string;
  readonly agentPath: string;
  readonly role: "root" | "team" | "collab";
  readonly parent: ThreadState | null;
  readonly taskName: string | null;
  readonly nickname: string | null;
  readonly baseInstructionsId: string;
  readonly tools: JsonValue[];
  history: JsonObject[];
  /** Items Codex re-injects at the start of the history after a compaction. */
  readonly contextTexts: readonly { role: "user" | "developer"; text: string }[];
  /** Set after a completed response; an incremental request may build on it while nothing rewrote the history. */
  lastExchange: { responseId: string; historyLength: number } | null;
  readonly liveProcesses: LiveProcess[];
  readonly yieldedCells: YieldedCell[];
  nextRuntimeCell: number;
  readonly inbox: InboxDelivery[];
  readonly children: ThreadState[];
  hadTurn: boolean;
  ended: boolean;
  closed: boolean;
  /** Schema 1 does not trace a collab helper after `resume_agent`. */
  traced: boolean;
  lastAnswer: string;
  readonly inferences: InferenceModel[];
  readonly accepted: string[];
}

interface TurnState {
  readonly id: string;
  readonly thread: ThreadState;
  readonly startedAtMs: number;
  lastAgentMessage: string | null;
  firstTokenMs: number | null;
}

interface PlannedCall {
  /** The call as it appears in the response payload. */
  readonly responseItem: JsonObject;
  /** Emits the dispatch events and returns the call's output item for the history. */
  readonly run: () => JsonObject;
}

interface Claims {
  readonly processes: Set<number>;
  readonly cells: Set<string>;
  readonly children: Set<string>;
}

type StepResult = "continue" | "final" | "ended";

export function compileScript(script: RolloutScript): GeneratedBundle {
  return new RolloutCompiler(script).compile();
}

class RolloutCompiler {
  readonly #script: RolloutScript;
  readonly #v: SchemaVersion;
  readonly #rng: Rng;
  readonly #rec: BundleRecorder;
  readonly #items: ItemFactory;
  readonly #features = new Set<RolloutFeature>();
  readonly #threads: ThreadState[] = [];
  readonly #root: ThreadState;
  readonly #model: string;
  readonly #provider: string;
  readonly #cwd: string;
  readonly #home: string;
  readonly #installationId: string;
  readonly #idPrefix: string;
  readonly #usedPids = new Set<number>();
  readonly #usedTaskNames = new Set<string>();
  #responseCounter = 0;
  #compactionCounter = 0;
  #nicknameCounter = 0;

  constructor(script: RolloutScript) {
    this.#script = script;
    this.#v = script.schemaVersion;
    this.#rng = new Rng(script.seed);
    const startedAt = EPOCH_2026_MS + (this.#rng.next() % (YEAR_MS / 1000)) * 1000 + this.#rng.int(0, 999);
    const rootId = this.#rng.uuidV7(startedAt - this.#rng.int(20, 400));
    this.#rec = new BundleRecorder(this.#v, this.#rng.uuidV4(), rootId, startedAt);
    this.#items = new ItemFactory(this.#v, this.#rng, () => this.#rec.now);
    this.#model = pickMod(MODELS, script.session.model);
    this.#provider = script.session.openAiProvider ? "OpenAI" : "mock";
    this.#cwd = pickMod(PROJECT_DIRS, script.session.project);
    this.#home = `/home/${this.#cwd.split("/")[2] ?? "dev"}`;
    this.#installationId = this.#rng.uuidV4();
    this.#idPrefix = this.#rng.base36(5);
    this.#root = this.#newThread(rootId, "/root", "root", null, null, null);
  }

  compile(): GeneratedBundle {
    const script = this.#script;
    this.#rec.append({
      type: "rollout_started",
      trace_id: this.#rec.manifest.trace_id,
      root_thread_id: this.#root.id,
    });
    this.#startThread(this.#root);
    this.#rec.advance(this.#rng.int(5, 40));
    if (script.session.warning) {
      this.#breadcrumb("warning", {
        type: "warning",
        message: `No model metadata is known for \`${this.#model}\`; falling back to defaults, which may reduce quality.`,
      });
    }

    let userTurns = 0;
    for (const turn of script.turns) {
      if (turn.kind === "user") {
        const prompt =
          userTurns === 0 ? pickMod(USER_PROMPTS, turn.prompt) : pickMod(FOLLOW_UP_PROMPTS, turn.prompt);
        userTurns += 1;
        this.#runUserTurn(this.#root, prompt, turn.steps, turn.interrupt);
      } else {
        this.#runCompactionTurn(this.#root, turn.mode);
      }
    }
    if (script.turns.length > 1) this.#features.add("multi_turn");

    if (script.ending === "clean") {
      this.#shutdown();
    } else {
      this.#features.add("crashed_recording");
    }

    const bundle: GeneratedBundle = {
      schemaVersion: this.#v,
      manifest: this.#rec.manifest,
      events: this.#rec.events,
      payloads: this.#rec.payloads,
      model: this.#threads.map((thread) => this.#threadModel(thread)),
      features: [],
      expectedError: null,
      script,
    };
    const injected = script.error === null ? null : injectError(bundle, script.error);
    if (injected !== null) this.#features.add("error_injection");
    return { ...bundle, features: [...this.#features].sort(), expectedError: injected };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Threads

  #newThread(
    id: string,
    agentPath: string,
    role: ThreadState["role"],
    parent: ThreadState | null,
    taskName: string | null,
    nickname: string | null,
  ): ThreadState {
    const permissions = permissionsMessage("never");
    const contextTexts: { role: "user" | "developer"; text: string }[] = [];
    contextTexts.push({
      role: "developer",
      text: this.#v === 2 ? `${SKILLS_INSTRUCTIONS}\n${permissions}` : permissions,
    });
    if (this.#script.session.multiAgent === "team") {
      contextTexts.push({
        role: "developer",
        text: role === "root" ? TEAM_ROOT_INSTRUCTIONS : TEAM_CHILD_INSTRUCTIONS,
      });
      contextTexts.push({ role: "developer", text: TEAM_MODE_NOTE });
    }
    const date = new Date(this.#rec.now).toISOString().slice(0, 10);
    contextTexts.push({ role: "user", text: environmentContext(this.#cwd, date) });
    const thread: ThreadState = {
      id,
      agentPath,
      role,
      parent,
      taskName,
      nickname,
      baseInstructionsId: `msg_${this.#rng.uuidV5()}`,
      tools: buildToolList(this.#v, this.#script.session),
      history: [],
      contextTexts,
      lastExchange: null,
      liveProcesses: [],
      yieldedCells: [],
      nextRuntimeCell: 1,
      inbox: [],
      children: [],
      hadTurn: false,
      ended: false,
      closed: false,
      traced: true,
      lastAnswer: "",
      inferences: [],
      accepted: [],
    };
    this.#threads.push(thread);
    return thread;
  }

  #rolloutPath(threadId: string): string {
    const stamp = new Date(this.#rec.now).toISOString().slice(0, 19).replace(/:/g, "-");
    const [date] = stamp.split("T");
    const [year, month, day] = (date ?? "").split("-");
    return `${this.#home}/.codex/sessions/${year}/${month}/${day}/rollout-${stamp}-${threadId}.jsonl`;
  }

  #startThread(thread: ThreadState): void {
    const parent = thread.parent;
    const sessionSource: JsonValue =
      parent === null
        ? this.#script.session.source
        : {
            subagent: {
              thread_spawn: {
                parent_thread_id: parent.id,
                depth: 1,
                agent_path: thread.role === "team" ? thread.agentPath : null,
                agent_nickname: thread.nickname,
                agent_role: null,
              },
            },
          };
    const metadata = this.#rec.writePayload("session_metadata", {
      thread_id: thread.id,
      agent_path: thread.agentPath,
      task_name: thread.taskName,
      nickname: thread.nickname,
      agent_role: null,
      session_source: sessionSource,
      cwd: this.#cwd,
      rollout_path: this.#rolloutPath(thread.id),
      model: this.#model,
      provider_name: this.#provider,
      approval_policy: "never",
      sandbox_policy: "DangerFullAccess",
    });
    this.#rec.append({
      type: "thread_started",
      thread_id: thread.id,
      agent_path: thread.agentPath,
      metadata_payload: metadata,
    });
    this.#rec.advance(this.#rng.int(1, 30));
    this.#breadcrumb("session_configured", {
      type: "session_configured",
      session_id: this.#root.id,
      thread_id: thread.id,
      ...(parent === null ? {} : { parent_thread_id: parent.id }),
      thread_source: parent === null ? "user" : "subagent",
      model: this.#model,
      model_provider_id: this.#provider === "OpenAI" ? "openai" : "mock",
      approval_policy: "never",
      approvals_reviewer: "user",
      permission_profile: { type: "disabled" },
      cwd: this.#cwd,
      rollout_path: this.#rolloutPath(thread.id),
    });
  }

  #endThread(thread: ThreadState): void {
    if (thread.ended || !thread.traced) return;
    this.#breadcrumb("shutdown_complete", { type: "shutdown_complete" });
    this.#rec.append({ type: "thread_ended", thread_id: thread.id, status: "completed" });
    thread.ended = true;
  }

  #shutdown(): void {
    this.#rec.advance(this.#rng.int(2, 20));
    const children = this.#threads.filter(
      (thread) => thread !== this.#root && !thread.ended && thread.traced,
    );
    // Helpers shut down concurrently with the root; some finish after the root, as in real recordings.
    const late = children.filter(() => this.#rng.chance(0.3));
    for (const child of children) if (!late.includes(child)) this.#endThread(child);
    this.#endThread(this.#root);
    this.#rec.append({ type: "rollout_ended", status: "completed" });
    for (const child of late) this.#endThread(child);
    if (this.#v === 2) {
      this.#rec.append({ type: "recording_completed" });
      this.#features.add("recording_completed");
    }
  }

  #threadModel(thread: ThreadState): ThreadModel {
    return {
      threadId: thread.id,
      agentPath: thread.agentPath,
      role: thread.role,
      parentThreadId: thread.parent?.id ?? null,
      inferences: thread.inferences,
      history: thread.history,
      acceptedItemIds: thread.accepted,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Small emit helpers

  #breadcrumb(eventType: string, document: JsonObject): void {
    const ref = this.#rec.writePayload("protocol_event", document);
    this.#rec.append({ type: "protocol_event_observed", event_type: eventType, event_payload: ref });
    this.#features.add("protocol_breadcrumbs");
  }

  #emit(turn: TurnState, payload: EventPayload): void {
    this.#rec.append(payload, { threadId: turn.thread.id, turnId: turn.id });
  }

  #tick(min: number, max: number): void {
    this.#rec.advance(this.#rng.int(min, max));
  }

  #accept(turn: TurnState, item: JsonObject, agentPayload: boolean): void {
    if (this.#v !== 2) return;
    const itemId = item.id;
    if (typeof itemId !== "string") return;
    this.#tick(0, 3);
    if (agentPayload) {
      const document: JsonObject = {
        ...item,
        internal_chat_message_metadata_passthrough: {
          turn_id: turn.id,
          create_time: Math.floor(this.#rec.now / 1000),
          content_item_metadata: [{ provenance: "agent" }],
        },
      };
      const ref = this.#rec.writePayload("protocol_event", document);
      this.#emit(turn, { type: "history_item_accepted", item_id: itemId, agent_message_payload: ref });
      this.#features.add("agent_message_accepted");
    } else {
      this.#emit(turn, { type: "history_item_accepted", item_id: itemId });
    }
    turn.thread.accepted.push(itemId);
    this.#features.add("history_item_accepted");
  }

  /** Appends items to the thread's history (and, in schema 2, records their acceptance). */
  #record(turn: TurnState, items: readonly JsonObject[]): void {
    for (const item of items) {
      turn.thread.history.push(item);
      this.#accept(turn, item, false);
    }
  }

  #newCallId(): string {
    return this.#script.session.openAiProvider
      ? `call_${this.#rng.base36(24)}`
      : `call_${this.#idPrefix}_${this.#rng.base36(6)}`;
  }

  #newPid(): number {
    for (;;) {
      const pid = this.#rng.int(1000, 65000);
      if (!this.#usedPids.has(pid)) {
        this.#usedPids.add(pid);
        return pid;
      }
    }
  }

  #nickname(): string {
    const base = pickMod(NICKNAMES, this.#nicknameCounter++);
    return this.#nicknameCounter > NICKNAMES.length
      ? `${base} ${Math.ceil(this.#nicknameCounter / NICKNAMES.length)}`
      : base;
  }

  #uniqueTaskName(base: string): string {
    let name = base;
    for (let n = 2; this.#usedTaskNames.has(name); n++) name = `${base}_${n}`;
    this.#usedTaskNames.add(name);
    return name;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Turns

  #beginTurn(thread: ThreadState, parentTurn: TurnState | null): TurnState {
    this.#tick(1, 15);
    const turn: TurnState = {
      id: this.#rng.uuidV7(this.#rec.now),
      thread,
      startedAtMs: this.#rec.now,
      lastAgentMessage: null,
      firstTokenMs: null,
    };
    this.#emit(turn, { type: "codex_turn_started", codex_turn_id: turn.id, thread_id: thread.id });
    this.#tick(1, 10);
    const rootTurnId = parentTurn?.id ?? turn.id;
    this.#breadcrumb("turn_started", {
      type: "task_started",
      ...(this.#v === 2
        ? {
            turn_attribution: {
              turn_id: turn.id,
              turn_trigger: this.#script.session.source === "vscode" ? null : "exec",
              parent_turn_id: parentTurn?.id ?? null,
              initiating_agent_path: null,
              root_turn_id: rootTurnId,
            },
          }
        : {}),
      turn_id: turn.id,
      ...(this.#v === 2 ? { root_turn_id: rootTurnId } : {}),
      started_at: Math.floor(turn.startedAtMs / 1000),
      model_context_window: 258400,
      collaboration_mode_kind: "default",
    });
    if (!thread.hadTurn) {
      thread.hadTurn = true;
      this.#tick(1, 5);
      this.#record(
        turn,
        thread.contextTexts.map((entry) => this.#items.message(entry.role, entry.text)),
      );
    }
    return turn;
  }

  #endTurn(turn: TurnState, status: ExecutionStatusName, parentTurn: TurnState | null): void {
    this.#tick(1, 8);
    this.#emit(turn, { type: "codex_turn_ended", codex_turn_id: turn.id, status });
    const durationMs = this.#rec.now - turn.startedAtMs;
    if (status === "cancelled") {
      this.#breadcrumb("turn_aborted", {
        type: "turn_aborted",
        ...(this.#v === 2 ? { root_turn_id: parentTurn?.id ?? turn.id } : {}),
        turn_id: turn.id,
        reason: "interrupted",
        ...(this.#v === 2 ? { started_at: Math.floor(turn.startedAtMs / 1000) } : {}),
        completed_at: Math.floor(this.#rec.now / 1000),
        duration_ms: durationMs,
      });
      return;
    }
    this.#breadcrumb("turn_complete", {
      type: "task_complete",
      ...(this.#v === 2 ? { root_turn_id: parentTurn?.id ?? turn.id } : {}),
      turn_id: turn.id,
      last_agent_message: turn.lastAgentMessage,
      ...(this.#v === 2 ? { started_at: Math.floor(turn.startedAtMs / 1000) } : {}),
      completed_at: Math.floor(this.#rec.now / 1000),
      duration_ms: durationMs,
      ...(turn.firstTokenMs === null ? {} : { time_to_first_token_ms: turn.firstTokenMs }),
    });
  }

  #runUserTurn(
    thread: ThreadState,
    prompt: string,
    steps: readonly StepScript[],
    interrupt: "none" | "streaming" | "streaming_partial",
  ): void {
    const turn = this.#beginTurn(thread, null);
    this.#record(turn, [this.#items.message("user", prompt)]);
    const result = this.#runSteps(turn, steps, interrupt, null);
    if (result === "ended") return;
    this.#finishYieldedCells(turn);
    this.#endTurn(turn, "completed", null);
  }

  /**
   * Runs the sampling loop of a turn: one response per scripted step while the model keeps calling tools, then a
   * final answer. With an interrupt, the sampling that would have produced the final answer is cancelled instead.
   * Returns "ended" when the turn was closed here (failure, interruption, failed compaction), else "final".
   */
  #runSteps(
    turn: TurnState,
    steps: readonly StepScript[],
    interrupt: "none" | "streaming" | "streaming_partial",
    parentTurn: TurnState | null,
  ): StepResult {
    for (let index = 0; ; index++) {
      const scripted = steps[index];
      const step = scripted ?? finalStepAfter(steps[steps.length - 1]);
      const result = this.#runStep(turn, step, scripted === undefined, interrupt, parentTurn);
      if (result !== "continue") return result;
    }
  }

  #runStep(
    turn: TurnState,
    step: StepScript,
    forceFinal: boolean,
    interrupt: "none" | "streaming" | "streaming_partial",
    parentTurn: TurnState | null,
  ): StepResult {
    const thread = turn.thread;
    const isChild = thread.role !== "root";
    const claims: Claims = { processes: new Set(), cells: new Set(), children: new Set() };
    const planned = forceFinal ? [] : step.calls.flatMap((call) => this.#planCall(turn, call, claims));
    if (planned.length === 0 && interrupt !== "none") {
      this.#interruptedSampling(turn, step, interrupt === "streaming_partial", parentTurn);
      return "ended";
    }
    const outcome =
      isChild && (step.outcome === "fail_partial" || step.outcome === "fail_empty") ? "ok" : step.outcome;

    const preamble = this.#preambleItems(step);
    const finalText = planned.length === 0 ? this.#finalAnswer(thread, step) : null;
    const output: JsonObject[] = [...preamble, ...planned.map((call) => call.responseItem)];
    if (finalText !== null) output.push(this.#finalMessage(finalText, step.phase));
    if (planned.length > 1) this.#features.add("parallel_tool_calls");

    if (outcome === "retry") {
      this.#sample(turn, { kind: "failed", partial: [], error: pickMod(INFERENCE_ERRORS, step.answer) });
      this.#features.add("inference_retry");
      this.#tick(100, 900);
    }
    if (outcome === "fail_partial" || outcome === "fail_empty") {
      const partial =
        outcome === "fail_partial"
          ? preamble.length > 0
            ? preamble
            : [this.#finalMessage((finalText ?? "Working on it now").split(" ").slice(0, 3).join(" "), false)]
          : [];
      const error = pickMod(INFERENCE_ERRORS, step.answer);
      this.#sample(turn, { kind: "failed", partial, error });
      this.#features.add(outcome === "fail_partial" ? "inference_failed_partial" : "inference_failed_empty");
      this.#breadcrumb("error", { type: "error", message: error, codex_error_info: "other" });
      this.#finishYieldedCells(turn);
      // Schema-1 Codex still reports the failed turn as completed; schema 2 reports it as failed.
      this.#endTurn(turn, this.#v === 2 ? "failed" : "completed", parentTurn);
      return "ended";
    }

    this.#sample(turn, { kind: "completed", output });
    if (finalText !== null) {
      turn.lastAgentMessage = finalText;
      thread.lastAnswer = finalText;
    }
    if (planned.length === 0) {
      this.#deliverInbox(turn);
      return "final";
    }

    for (const call of planned) {
      const outputItem = call.run();
      thread.history.push(outputItem);
      this.#accept(turn, outputItem, false);
    }
    this.#deliverInbox(turn);
    if (step.compactAfter !== null && !isChild) {
      const installed = this.#compact(turn, step.compactAfter, parentTurn);
      if (!installed) return "ended";
    }
    return "continue";
  }

  #interruptedSampling(
    turn: TurnState,
    step: StepScript,
    withPartial: boolean,
    parentTurn: TurnState | null,
  ): void {
    const preamble = this.#preambleItems(step);
    const partial = withPartial
      ? preamble.length > 0
        ? preamble
        : [this.#finalMessage("Let me check", false)]
      : [];
    this.#sample(turn, { kind: "cancelled", partial });
    this.#features.add(withPartial ? "inference_cancelled_partial" : "inference_cancelled");
    this.#features.add("turn_interrupted");
    this.#tick(1, 5);
    this.#record(turn, [this.#items.message("user", TURN_ABORTED_NOTE)]);
    // Interrupting the turn kills its unfinished code cells; the reducer terminates them at the turn end.
    turn.thread.yieldedCells.length = 0;
    this.#endTurn(turn, "cancelled", parentTurn);
  }

  #deliverInbox(turn: TurnState): void {
    const thread = turn.thread;
    while (thread.inbox.length > 0) {
      const delivery = thread.inbox.shift();
      if (delivery === undefined) break;
      thread.history.push(delivery.item);
      this.#accept(turn, delivery.item, delivery.acceptWithPayload);
    }
  }

  #preambleItems(step: StepScript): JsonObject[] {
    const items: JsonObject[] = [];
    const reasoning = step.reasoning;
    if (reasoning !== null) {
      // A reasoning item always carries some evidence: without a readable summary it is at least encrypted.
      const encrypted = reasoning.encrypted || reasoning.summaries === 0;
      const summaries: JsonValue[] = [];
      for (let i = 0; i < Math.min(2, reasoning.summaries); i++) {
        summaries.push({ type: "summary_text", text: pickMod(REASONING_SUMMARIES, reasoning.text + i) });
      }
      // Readable reasoning text only comes with encrypted content, as Codex always asks for it.
      const content: JsonValue =
        reasoning.content && encrypted
          ? [{ type: "reasoning_text", text: pickMod(REASONING_CONTENT, reasoning.text) }]
          : null;
      const item: JsonObject = {
        type: "reasoning",
        id: this.#outputId("rs"),
        summary: summaries,
        content,
      };
      if (encrypted) item.encrypted_content = this.#encryptedBlob(summaries.length + reasoning.text);
      items.push(item);
      if (encrypted) this.#features.add("reasoning_encrypted");
      if (summaries.length > 0) this.#features.add("reasoning_summary");
      if (content !== null) this.#features.add("reasoning_content");
    }
    if (step.commentary !== null) {
      items.push({
        type: "message",
        id: this.#outputId("msg"),
        role: "assistant",
        content: [this.#items.assistantText(pickMod(COMMENTARY, step.commentary))],
        phase: "commentary",
      });
      this.#features.add("message_commentary");
    }
    if (step.webSearch) {
      items.push({
        type: "web_search_call",
        id: this.#outputId("ws"),
        status: "completed",
        action: { type: "search", query: pickMod(WEB_SEARCH_QUERIES, step.answer) },
      });
      this.#features.add("web_search_call");
    }
    return items;
  }

  #finalAnswer(thread: ThreadState, step: StepScript): string {
    if (thread.role === "root") return pickMod(FINAL_ANSWERS, step.answer);
    return thread.lastAnswer !== "" ? thread.lastAnswer : pickMod(FINAL_ANSWERS, step.answer);
  }

  #finalMessage(text: string, phase: boolean): JsonObject {
    this.#features.add(phase ? "message_final_answer" : "message_without_phase");
    return {
      type: "message",
      id: this.#outputId("msg"),
      role: "assistant",
      content: [this.#items.assistantText(text)],
      ...(phase ? { phase: "final_answer" } : {}),
    };
  }

  #outputId(prefix: string): string {
    return this.#script.session.openAiProvider
      ? `${prefix}_${this.#rng.hex(48)}`
      : `${prefix}_${this.#idPrefix}_${this.#responseCounter + 1}_${this.#rng.base36(3)}`;
  }

  #encryptedBlob(salt: number): string {
    const raw = `enc:${this.#rng.hex(24)}:${salt}:${this.#rng.hex(40)}`;
    return Buffer.from(raw).toString("base64");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Inference

  #sample(
    turn: TurnState,
    result:
      | { kind: "completed"; output: JsonObject[] }
      | { kind: "failed"; partial: JsonObject[]; error: string }
      | { kind: "cancelled"; partial: JsonObject[] },
  ): void {
    const thread = turn.thread;
    this.#tick(5, 60);
    const fullInput = [...thread.history];
    const exchange = thread.lastExchange;
    const incremental =
      this.#v === 1 &&
      this.#script.session.websocket &&
      exchange !== null &&
      fullInput.length > exchange.historyLength;
    const input = incremental && exchange !== null ? fullInput.slice(exchange.historyLength) : fullInput;
    const callId = this.#rng.uuidV4();
    const previousResponseId = incremental && exchange !== null ? exchange.responseId : null;
    const requestRef = this.#rec.writePayload(
      "inference_request",
      this.#requestDocument(turn, input, previousResponseId),
    );
    this.#emit(turn, {
      type: "inference_started",
      inference_call_id: callId,
      thread_id: thread.id,
      codex_turn_id: turn.id,
      model: this.#model,
      provider_name: this.#provider,
      request_payload: requestRef,
    });
    if (incremental) this.#features.add("incremental_request");

    this.#rec.advance(this.#rng.int(15, 900));
    if (turn.firstTokenMs === null) turn.firstTokenMs = this.#rec.now - turn.startedAtMs;
    const upstreamRequestId = this.#script.session.openAiProvider
      ? `req_${this.#rng.hex(32)}`
      : `req_${this.#idPrefix}_${this.#responseCounter + 1}`;
    const base = {
      inferenceCallId: callId,
      codexTurnId: turn.id,
      requestMode: incremental ? ("incremental" as const) : ("full_snapshot" as const),
      previousResponseId,
      // Own arrays, so that editing a payload document in a test does not change the model (and vice versa).
      input: this.#v === 2 ? [this.#baseInstructions(thread), ...fullInput] : [...fullInput],
    };

    if (result.kind === "completed") {
      this.#responseCounter += 1;
      const responseId = this.#script.session.openAiProvider
        ? `resp_${this.#rng.hex(48)}`
        : `resp_${this.#idPrefix}_${this.#responseCounter}`;
      const responseRef = this.#rec.writePayload("inference_response", {
        response_id: responseId,
        upstream_request_id: upstreamRequestId,
        token_usage: this.#tokenUsage(fullInput, result.output),
        output_items: result.output,
      });
      this.#emit(turn, {
        type: "inference_completed",
        inference_call_id: callId,
        response_id: responseId,
        upstream_request_id: upstreamRequestId,
        response_payload: responseRef,
      });
      this.#recordOutput(turn, result.output);
      thread.lastExchange = { responseId, historyLength: thread.history.length };
      thread.inferences.push({ ...base, output: [...result.output], status: "completed", responseId });
      return;
    }

    // Failed or cancelled: the output items that arrived before the stream broke are already in the history.
    const partialRef =
      result.partial.length > 0
        ? this.#rec.writePayload("inference_response", {
            response_id: null,
            upstream_request_id: upstreamRequestId,
            token_usage: null,
            output_items: result.partial,
          })
        : null;
    if (result.kind === "failed") {
      this.#emit(turn, {
        type: "inference_failed",
        inference_call_id: callId,
        upstream_request_id: upstreamRequestId,
        error: result.error,
        partial_response_payload: partialRef,
      });
    } else {
      this.#emit(turn, {
        type: "inference_cancelled",
        inference_call_id: callId,
        upstream_request_id: upstreamRequestId,
        reason: "response stream dropped before provider terminal event",
        partial_response_payload: partialRef,
      });
    }
    this.#recordOutput(turn, result.partial);
    if (result.partial.length > 0) thread.lastExchange = null;
    thread.inferences.push({
      ...base,
      output: partialRef === null ? null : [...result.partial],
      status: result.kind,
      responseId: null,
    });
  }

  /** Model output enters the history in its replayed form; schema 2 accepts each item. */
  #recordOutput(turn: TurnState, output: readonly JsonObject[]): void {
    this.#record(
      turn,
      output.map((item) => replayForm(item, this.#v)),
    );
  }

  #baseInstructions(thread: ThreadState): JsonObject {
    return this.#items.baseInstructions(thread.baseInstructionsId, BASE_INSTRUCTIONS);
  }

  #clientMetadata(turn: TurnState): JsonObject {
    const thread = turn.thread;
    const windowId = `${thread.id}:0`;
    const turnMetadata = JSON.stringify({
      installation_id: this.#installationId,
      session_id: this.#root.id,
      thread_id: thread.id,
      turn_id: turn.id,
      window_id: windowId,
      request_kind: "turn",
      thread_source: thread.role === "root" ? "user" : "subagent",
      sandbox: "none",
      turn_started_at_unix_ms: turn.startedAtMs,
    });
    return {
      "x-codex-installation-id": this.#installationId,
      "x-codex-window-id": windowId,
      "x-codex-turn-metadata": turnMetadata,
      thread_id: thread.id,
      session_id: this.#root.id,
      turn_id: turn.id,
    };
  }

  #requestDocument(turn: TurnState, input: JsonObject[], previousResponseId: string | null): JsonObject {
    const thread = turn.thread;
    const promptCacheKey = thread.role === "collab" ? this.#root.id : thread.id;
    if (this.#v === 1) {
      return {
        ...(previousResponseId === null ? {} : { type: "response.create" }),
        model: this.#model,
        instructions: BASE_INSTRUCTIONS,
        ...(previousResponseId === null ? {} : { previous_response_id: previousResponseId }),
        input,
        tools: thread.tools,
        tool_choice: "auto",
        parallel_tool_calls: false,
        reasoning: null,
        store: false,
        stream: true,
        include: [],
        prompt_cache_key: promptCacheKey,
        client_metadata: this.#clientMetadata(turn),
      };
    }
    return {
      model: this.#model,
      stream: true,
      input: [this.#baseInstructions(thread), ...input],
      // Codex 0.169.0 keeps the tool list as pre-serialized JSON, so it lands compact in the pretty payload file.
      tools: markCompactJson(thread.tools),
      tool_choice: "auto",
      parallel_tool_calls: true,
      reasoning: { summary: "auto" },
      store: false,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: promptCacheKey,
      client_metadata: this.#clientMetadata(turn),
    };
  }

  #tokenUsage(input: readonly JsonObject[], output: readonly JsonObject[]): JsonObject {
    const inputTokens = Math.max(50, Math.round(JSON.stringify(input).length / 4));
    const outputTokens = Math.max(5, Math.round(JSON.stringify(output).length / 4));
    const cached = Math.floor(inputTokens * (this.#rng.int(0, 90) / 100));
    const reasoningTokens = output.some((item) => item.type === "reasoning") ? this.#rng.int(10, 400) : 0;
    return {
      input_tokens: inputTokens,
      cached_input_tokens: cached,
      ...(this.#v === 2 ? { cache_write_input_tokens: 0 } : {}),
      output_tokens: outputTokens,
      reasoning_output_tokens: reasoningTokens,
      total_tokens: inputTokens + outputTokens,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Compaction

  /** Returns false when the compaction failed and ended the turn. */
  #compact(turn: TurnState, requested: CompactionMode, parentTurn: TurnState | null): boolean {
    const thread = turn.thread;
    // Only an OpenAI provider gets remote compaction; every other provider compacts locally.
    const mode = this.#script.session.openAiProvider ? requested : "local";
    const keptUserMessages = thread.history.filter(
      (item) => item.type === "message" && item.role === "user" && !isContextText(thread, item),
    );
    const freshContext = thread.contextTexts.map((entry) => this.#items.message(entry.role, entry.text));

    if (mode === "local") {
      this.#tick(200, 1500);
      const summaryText = `${COMPACTION_SUMMARY_PREFIX}\nThe user asked for changes; the relevant files were inspected and commands were run.`;
      if (this.#v === 2) {
        // The summary the model wrote is accepted under the provider's id; it is re-sent as a new user message.
        const summaryId = this.#outputId("msg");
        this.#tick(0, 3);
        this.#emit(turn, { type: "history_item_accepted", item_id: summaryId });
        thread.accepted.push(summaryId);
        this.#features.add("history_item_accepted");
      } else {
        this.#breadcrumb("warning", {
          type: "warning",
          message:
            "Long conversations and repeated summaries can make the model less accurate; consider a new thread.",
        });
      }
      thread.history = [...freshContext, ...keptUserMessages, this.#items.message("user", summaryText)];
      thread.lastExchange = null;
      this.#features.add("local_compaction");
      return true;
    }

    this.#compactionCounter += 1;
    const compactionId = this.#rng.uuidV7(this.#rec.now);
    const requestId = `compaction_request:${this.#compactionCounter}`;
    this.#tick(2, 20);
    const requestRef = this.#rec.writePayload("compaction_request", {
      model: this.#model,
      instructions: BASE_INSTRUCTIONS,
      input: [...thread.history, { type: "compaction_trigger" }],
      parallel_tool_calls: this.#v === 2,
    });
    this.#emit(turn, {
      type: "compaction_request_started",
      compaction_id: compactionId,
      compaction_request_id: requestId,
      thread_id: thread.id,
      codex_turn_id: turn.id,
      model: this.#model,
      provider_name: this.#provider,
      request_payload: requestRef,
    });
    this.#tick(100, 2000);
    if (mode === "remote_failed") {
      const error = "remote compaction v2 expected exactly one compaction output item, got 0";
      this.#emit(turn, {
        type: "compaction_request_failed",
        compaction_id: compactionId,
        compaction_request_id: requestId,
        error,
      });
      this.#breadcrumb("error", { type: "error", message: error, codex_error_info: "other" });
      this.#features.add("remote_compaction_failed");
      this.#finishYieldedCells(turn);
      this.#endTurn(turn, this.#v === 2 ? "failed" : "completed", parentTurn);
      return false;
    }
    const compactionItem: JsonObject = {
      type: "compaction",
      id: `cmp_${this.#script.session.openAiProvider ? this.#rng.hex(48) : this.#idPrefix}`,
      encrypted_content: this.#encryptedBlob(this.#compactionCounter),
    };
    const responseRef = this.#rec.writePayload("compaction_response", { output_items: [compactionItem] });
    this.#emit(turn, {
      type: "compaction_request_completed",
      compaction_id: compactionId,
      compaction_request_id: requestId,
      response_payload: responseRef,
    });
    this.#tick(1, 10);
    const replacement = [...freshContext, ...keptUserMessages, compactionItem];
    const checkpointRef = this.#rec.writePayload("compaction_checkpoint", {
      input_history: thread.history,
      replacement_history: replacement,
    });
    this.#emit(turn, {
      type: "compaction_installed",
      compaction_id: compactionId,
      checkpoint_payload: checkpointRef,
    });
    thread.history = replacement;
    thread.lastExchange = null;
    this.#features.add("remote_compaction");
    return true;
  }

  #runCompactionTurn(thread: ThreadState, mode: CompactionMode): void {
    const turn = this.#beginTurn(thread, null);
    this.#features.add("manual_compaction_turn");
    if (!this.#compact(turn, mode, null)) return;
    this.#endTurn(turn, "completed", null);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Tool calls

  /** Resolves a scripted call against the current state; returns no call when its target does not exist. */
  #planCall(turn: TurnState, call: CallScript, claims: Claims): PlannedCall[] {
    const thread = turn.thread;
    const session = this.#script.session;
    const isRoot = thread.role === "root";
    switch (call.tool) {
      case "exec":
        return [this.#planExec(turn, call.command, call.outcome)];
      case "write_stdin": {
        const process = [...thread.liveProcesses].reverse().find((p) => !claims.processes.has(p.pid));
        if (process === undefined) return [];
        claims.processes.add(process.pid);
        return [this.#planWriteStdin(turn, process, call.finishes)];
      }
      case "apply_patch":
        return [this.#planApplyPatch(turn, pickMod(PATCHES, call.patch), call.ok)];
      case "mcp":
        return [this.#planMcp(turn, pickMod(MCP_CALLS, call.call), call.ok)];
      case "function":
        return [this.#planFunction(turn, pickMod(FUNCTION_TOOLS, call.sample))];
      case "code":
        if (!session.codeMode || !isRoot) return [];
        return [this.#planCodeCell(turn, call.nested, call.yields, call.fails)];
      case "wait_cell": {
        const cell = thread.yieldedCells.find((c) => !claims.cells.has(c.runtimeCellId));
        if (cell === undefined) return [];
        claims.cells.add(cell.runtimeCellId);
        return [this.#planWaitCell(turn, cell)];
      }
      case "spawn_agent":
        if (!isRoot) return [];
        if (session.multiAgent === "team") return [this.#planTeamSpawn(turn, call.task, call.child)];
        if (session.multiAgent === "collab") return [this.#planCollabSpawn(turn, call.task, call.child)];
        return [];
      case "wait_agent":
        if (!isRoot || thread.children.length === 0) return [];
        return [this.#planWaitAgent(turn)];
      case "followup_task": {
        if (!isRoot) return [];
        const child = this.#latestChild(thread, claims, (c) => !c.closed);
        if (child === undefined) return [];
        if (session.multiAgent === "team")
          return [this.#planTeamFollowup(turn, child, call.message, call.child)];
        return [this.#planSendInput(turn, child, pickMod(FOLLOW_UP_TASKS, call.message), call.child)];
      }
      case "send_message": {
        if (!isRoot || session.multiAgent !== "team") return [];
        const child = this.#latestChild(thread, claims, () => true);
        if (child === undefined) return [];
        return [this.#planTeamSendMessage(turn, child, call.message)];
      }
      case "close_agent": {
        if (!isRoot) return [];
        const child = this.#latestChild(thread, claims, (c) => !c.closed);
        if (child === undefined) return [];
        return [
          session.multiAgent === "team"
            ? this.#planTeamInterrupt(turn, child)
            : this.#planCollabClose(turn, child),
        ];
      }
      case "list_agents":
        if (!isRoot || session.multiAgent !== "team") return [];
        return [this.#planListAgents(turn)];
      case "resume_agent": {
        if (!isRoot || session.multiAgent !== "collab") return [];
        const child = this.#latestChild(thread, claims, (c) => c.closed);
        if (child === undefined) return [];
        // The model resumes the helper and hands it new input in the same response.
        return [
          this.#planCollabResume(turn, child),
          this.#planSendInput(turn, child, pickMod(FOLLOW_UP_TASKS, call.message), call.child),
        ];
      }
    }
  }

  #latestChild(
    thread: ThreadState,
    claims: Claims,
    eligible: (child: ThreadState) => boolean,
  ): ThreadState | undefined {
    const child = [...thread.children].reverse().find((c) => !claims.children.has(c.id) && eligible(c));
    if (child !== undefined) claims.children.add(child.id);
    return child;
  }

  #functionCall(callId: string, name: string, namespace: string | null, argumentsJson: string): JsonObject {
    return {
      type: "function_call",
      id: this.#outputId("fc"),
      name,
      ...(namespace === null ? {} : { namespace }),
      arguments: argumentsJson,
      call_id: callId,
    };
  }

  /** `tool_call_started` with its invocation payload, for a tool the model (or a code cell) asked for. */
  #startTool(
    turn: TurnState,
    toolCallId: string,
    modelVisibleCallId: string | null,
    requester: ToolRequester,
    runtimeToolId: string | null,
    kind: ToolKind,
    toolName: string,
    namespace: string | null,
    payload: JsonObject,
    previewSource: string,
  ): void {
    this.#tick(0, 4);
    const invocation = this.#rec.writePayload("tool_invocation", {
      tool_name: toolName,
      tool_namespace: namespace,
      payload,
    });
    this.#emit(turn, {
      type: "tool_call_started",
      tool_call_id: toolCallId,
      model_visible_call_id: modelVisibleCallId,
      code_mode_runtime_tool_id: runtimeToolId,
      requester,
      kind,
      summary: {
        type: "generic",
        label: namespace === null ? toolName : `${namespace}.${toolName}`,
        input_preview: previewOf(previewSource),
        output_preview: null,
      },
      invocation_payload: invocation,
    });
  }

  #runtimeStarted(turn: TurnState, toolCallId: string, kind: ToolKind, document: JsonObject): void {
    this.#tick(1, 40);
    const ref = this.#rec.writePayload("tool_runtime_event", document);
    this.#emit(
      turn,
      this.#v === 2
        ? { type: "tool_call_runtime_started", tool_call_id: toolCallId, kind, runtime_payload: ref }
        : { type: "tool_call_runtime_started", tool_call_id: toolCallId, runtime_payload: ref },
    );
  }

  #runtimeEnded(
    turn: TurnState,
    toolCallId: string,
    status: ExecutionStatusName,
    document: JsonObject,
  ): void {
    this.#tick(1, 40);
    const ref = this.#rec.writePayload("tool_runtime_event", document);
    this.#emit(turn, {
      type: "tool_call_runtime_ended",
      tool_call_id: toolCallId,
      status,
      runtime_payload: ref,
    });
  }

  #endTool(turn: TurnState, toolCallId: string, status: ExecutionStatusName, result: JsonObject): void {
    this.#tick(0, 5);
    const ref = this.#rec.writePayload("tool_result", result);
    this.#emit(turn, { type: "tool_call_ended", tool_call_id: toolCallId, status, result_payload: ref });
  }

  // Exec and terminals ---------------------------------------------------------------------------------------------

  #parsedCommand(sample: CommandSample): JsonObject {
    const words = sample.cmd.split(" ");
    const last = words[words.length - 1] ?? "";
    switch (sample.parsed) {
      case "list_files":
        return { type: "list_files", cmd: sample.cmd, path: null };
      case "read":
        return { type: "read", cmd: sample.cmd, name: last.split("/").pop() ?? last, path: last };
      case "search":
        return { type: "search", cmd: sample.cmd, query: words[2] ?? null, path: last };
      case "unknown":
        return { type: "unknown", cmd: sample.cmd };
    }
  }

  #execBegin(
    toolCallId: string,
    turn: TurnState,
    pid: number,
    command: string[],
    parsed: JsonObject,
  ): JsonObject {
    return {
      call_id: toolCallId,
      process_id: String(pid),
      turn_id: turn.id,
      started_at_ms: this.#rec.now,
      command,
      cwd: this.#cwd,
      parsed_cmd: [parsed],
      source: "unified_exec_startup",
    };
  }

  #execEnd(
    toolCallId: string,
    turnId: string,
    pid: number,
    command: string[],
    parsed: JsonObject,
    output: string,
    exitCode: number,
    startedAtMs: number,
  ): JsonObject {
    const elapsed = Math.max(0, this.#rec.now - startedAtMs);
    const duration = {
      secs: Math.floor(elapsed / 1000),
      nanos: (elapsed % 1000) * 1_000_000 + this.#rng.int(0, 999_999),
    };
    const common: JsonObject = {
      call_id: toolCallId,
      process_id: String(pid),
      turn_id: turnId,
      completed_at_ms: this.#rec.now,
      command,
      cwd: this.#cwd,
      parsed_cmd: [parsed],
      source: "unified_exec_startup",
    };
    if (this.#v === 1) {
      return {
        ...common,
        stdout: output,
        stderr: "",
        aggregated_output: output,
        exit_code: exitCode,
        duration,
        formatted_output: output,
        status: exitCode === 0 ? "completed" : "failed",
      };
    }
    return {
      ...common,
      aggregated_output: output,
      exit_code: exitCode,
      duration,
      status: exitCode === 0 ? "completed" : "failed",
    };
  }

  #unifiedExecOutput(
    output: string,
    exit: { code: number } | { runningPid: number },
    wallMs: number,
  ): string {
    const status =
      "code" in exit
        ? `Process exited with code ${exit.code}`
        : `Process running with session ID ${exit.runningPid}`;
    const tokens = Math.ceil(output.length / 4);
    return `Chunk ID: ${this.#rng.hex(6)}\nWall time: ${(wallMs / 1000).toFixed(4)} seconds\n${status}\nOriginal token count: ${tokens}\nOutput:\n${output}`;
  }

  #planExec(turn: TurnState, commandIndex: number, outcome: "ok" | "error" | "background"): PlannedCall {
    const callId = this.#newCallId();
    const interactive = outcome === "background" ? pickMod(INTERACTIVE_COMMANDS, commandIndex) : null;
    const run: "ok" | "error" | InteractiveSample = interactive ?? (outcome === "error" ? "error" : "ok");
    const sample =
      interactive !== null
        ? { cmd: interactive.cmd, output: interactive.banner, parsed: "unknown" as const }
        : outcome === "error"
          ? pickMod(FAILING_COMMANDS, commandIndex)
          : pickMod(COMMANDS, commandIndex);
    const args: JsonObject = { cmd: sample.cmd, yield_time_ms: interactive === null ? 10000 : 1000 };
    if (interactive !== null) args.tty = true;
    const argumentsJson = JSON.stringify(args);
    const responseItem = this.#functionCall(callId, "exec_command", null, argumentsJson);
    return {
      responseItem,
      run: () => {
        const text = this.#runExec(turn, callId, callId, { type: "model" }, null, sample, run, argumentsJson);
        return this.#items.functionOutput(callId, text);
      },
    };
  }

  /**
   * Runs an exec_command dispatch (model or code-cell requested) and returns the text the model gets back. With an
   * interactive sample the process keeps running in the background, waiting for `write_stdin`.
   */
  #runExec(
    turn: TurnState,
    toolCallId: string,
    modelVisibleCallId: string | null,
    requester: ToolRequester,
    runtimeToolId: string | null,
    sample: CommandSample,
    outcome: "ok" | "error" | InteractiveSample,
    argumentsJson: string,
  ): string {
    const thread = turn.thread;
    this.#startTool(
      turn,
      toolCallId,
      modelVisibleCallId,
      requester,
      runtimeToolId,
      { type: "exec_command" },
      "exec_command",
      null,
      { type: "function", arguments: argumentsJson },
      argumentsJson,
    );
    const pid = this.#newPid();
    const command = ["/bin/bash", "-lc", sample.cmd];
    const parsed = this.#parsedCommand(sample);
    const startedAt = this.#rec.now;
    this.#runtimeStarted(
      turn,
      toolCallId,
      { type: "exec_command" },
      this.#execBegin(toolCallId, turn, pid, command, parsed),
    );
    this.#features.add("exec_command");
    if (typeof outcome === "object") {
      this.#tick(300, 1200);
      thread.liveProcesses.push({
        pid,
        execToolCallId: toolCallId,
        turnId: turn.id,
        sample: outcome,
        command,
        nextInput: 0,
        transcript: sample.output,
        startedAtMs: startedAt,
      });
      const text = this.#unifiedExecOutput(sample.output, { runningPid: pid }, this.#rec.now - startedAt);
      this.#endTool(
        turn,
        toolCallId,
        "completed",
        this.#dispatchResult(requester, modelVisibleCallId, text, { output: sample.output }),
      );
      this.#features.add("exec_background_process");
      return text;
    }
    const exitCode = outcome === "error" ? (sample.cmd.startsWith("cat") ? 1 : 2) : 0;
    this.#tick(2, 1500);
    this.#runtimeEnded(
      turn,
      toolCallId,
      exitCode === 0 ? "completed" : "failed",
      this.#execEnd(toolCallId, turn.id, pid, command, parsed, sample.output, exitCode, startedAt),
    );
    const text = this.#unifiedExecOutput(sample.output, { code: exitCode }, this.#rec.now - startedAt);
    this.#endTool(
      turn,
      toolCallId,
      "completed",
      this.#dispatchResult(requester, modelVisibleCallId, text, {
        output: sample.output,
        exit_code: exitCode,
      }),
    );
    if (exitCode !== 0) this.#features.add("exec_command_error");
    return text;
  }

  /**
   * The `tool_result` document of a dispatch: a direct function output for the model, or the structured value a
   * code cell receives.
   */
  #dispatchResult(
    requester: ToolRequester,
    callId: string | null,
    text: string,
    structured: { output: string; exit_code?: number },
  ): JsonObject {
    if (requester.type === "code_cell" || callId === null) {
      return {
        type: "code_mode_response",
        value: {
          chunk_id: this.#rng.hex(6),
          wall_time_seconds: this.#rng.int(1, 900) / 1000,
          ...(structured.exit_code === undefined ? {} : { exit_code: structured.exit_code }),
          original_token_count: Math.ceil(structured.output.length / 4),
          output: structured.output,
        },
      };
    }
    return {
      type: "direct_response",
      response_item: { type: "function_call_output", call_id: callId, output: text },
    };
  }

  #planWriteStdin(turn: TurnState, process: LiveProcess, finishes: boolean): PlannedCall {
    const callId = this.#newCallId();
    const inputs = process.sample.inputs;
    const index = finishes ? inputs.length - 1 : Math.min(process.nextInput, inputs.length - 1);
    const input = inputs[index] ?? { chars: "", output: "" };
    const exits = index === inputs.length - 1;
    const args = {
      session_id: process.pid,
      chars: input.chars,
      yield_time_ms: input.chars === "" ? 5000 : 1000,
    };
    const argumentsJson = JSON.stringify(args);
    const responseItem = this.#functionCall(callId, "write_stdin", null, argumentsJson);
    return {
      responseItem,
      run: () => {
        const thread = turn.thread;
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "write_stdin" },
          "write_stdin",
          null,
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        if (this.#v === 2) {
          this.#tick(0, 2);
          this.#emit(turn, {
            type: "stdin_target_resolved",
            tool_call_id: callId,
            exec_tool_call_id: process.execToolCallId,
          });
          this.#features.add("stdin_target_resolved");
        }
        this.#features.add(input.chars === "" ? "write_stdin_poll" : "write_stdin");
        process.nextInput = index + 1;
        process.transcript += input.output;
        const writeStarted = this.#rec.now;
        this.#tick(50, 1500);
        if (exits) {
          // The process exits while write_stdin waits for output: the exec's runtime end lands in between.
          const execTurn: TurnState = { ...turn, id: process.turnId };
          this.#runtimeEnded(
            execTurn,
            process.execToolCallId,
            "completed",
            this.#execEnd(
              process.execToolCallId,
              process.turnId,
              process.pid,
              process.command,
              { type: "unknown", cmd: process.sample.cmd },
              process.transcript,
              0,
              process.startedAtMs,
            ),
          );
          thread.liveProcesses.splice(thread.liveProcesses.indexOf(process), 1);
        }
        const text = this.#unifiedExecOutput(
          input.output,
          exits ? { code: 0 } : { runningPid: process.pid },
          this.#rec.now - writeStarted,
        );
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output: text },
        });
        return this.#items.functionOutput(callId, text);
      },
    };
  }

  // Patches, MCP, plain functions ---------------------------------------------------------------------------------

  #patchText(patch: PatchSample): string {
    const header =
      patch.action === "add" ? "Add File" : patch.action === "update" ? "Update File" : "Delete File";
    return `*** Begin Patch\n*** ${header}: ${patch.path}\n${patch.body}*** End Patch\n`;
  }

  #planApplyPatch(turn: TurnState, patch: PatchSample, ok: boolean): PlannedCall {
    const callId = this.#newCallId();
    const input = this.#patchText(patch);
    const responseItem: JsonObject = {
      type: "custom_tool_call",
      id: this.#outputId("ctc"),
      status: "completed",
      call_id: callId,
      name: "apply_patch",
      input,
    };
    return {
      responseItem,
      run: () => {
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "apply_patch" },
          "apply_patch",
          null,
          { type: "custom", input },
          input,
        );
        const letter = patch.action === "add" ? "A" : patch.action === "update" ? "M" : "D";
        const absolute = `${this.#cwd}/${patch.path}`;
        let outputText: string;
        if (ok) {
          const change: JsonObject =
            patch.action === "update"
              ? { type: "update", unified_diff: patch.body, move_path: null }
              : { type: patch.action, content: patch.body.replace(/^\+/gm, "") };
          const changes: JsonObject = { [absolute]: change };
          this.#runtimeStarted(
            turn,
            callId,
            { type: "apply_patch" },
            {
              call_id: callId,
              turn_id: turn.id,
              auto_approved: true,
              changes,
            },
          );
          const stdout = `Success. Updated the following files:\n${letter} ${patch.path}\n`;
          this.#runtimeEnded(turn, callId, "completed", {
            call_id: callId,
            turn_id: turn.id,
            stdout,
            stderr: "",
            success: true,
            changes,
            status: "completed",
          });
          outputText = `Exit code: 0\nWall time: ${(this.#rng.int(1, 90) / 100).toFixed(1)} seconds\nOutput:\n${stdout}`;
        } else {
          outputText = `apply_patch verification failed: Failed to find expected lines in ${patch.path}`;
          this.#features.add("apply_patch_failed");
        }
        this.#endTool(turn, callId, ok ? "completed" : "failed", {
          type: "direct_response",
          response_item: { type: "custom_tool_call_output", call_id: callId, output: outputText },
        });
        this.#features.add("apply_patch");
        return this.#items.customOutput(callId, outputText);
      },
    };
  }

  #mcpNamespace(sample: McpSample): string {
    return this.#v === 2 ? `mcp__${sample.server}` : sample.server;
  }

  #planMcp(turn: TurnState, sample: McpSample, ok: boolean): PlannedCall {
    const callId = this.#newCallId();
    const namespace = this.#mcpNamespace(sample);
    const responseItem = this.#functionCall(callId, sample.tool, namespace, sample.argumentsJson);
    return {
      responseItem,
      run: () => {
        const output = this.#runMcp(turn, callId, callId, { type: "model" }, null, sample, ok);
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  /** Runs an MCP dispatch; returns the function output the model gets. */
  #runMcp(
    turn: TurnState,
    toolCallId: string,
    modelVisibleCallId: string | null,
    requester: ToolRequester,
    runtimeToolId: string | null,
    sample: McpSample,
    ok: boolean,
  ): JsonValue {
    const namespace = this.#mcpNamespace(sample);
    // Dispatch classifies MCP tools by bare name; the runtime begin reveals that it is MCP (schema 2 refines the kind).
    this.#startTool(
      turn,
      toolCallId,
      modelVisibleCallId,
      requester,
      runtimeToolId,
      { type: "other", name: sample.tool },
      sample.tool,
      namespace,
      { type: "function", arguments: sample.argumentsJson },
      sample.argumentsJson,
    );
    const invocation: JsonObject = {
      server: sample.server,
      tool: sample.tool,
      arguments: JSON.parse(sample.argumentsJson) as JsonValue,
    };
    const kind: ToolKind = { type: "mcp", server: sample.server, tool: sample.tool };
    const startedAt = this.#rec.now;
    this.#runtimeStarted(turn, toolCallId, kind, { call_id: toolCallId, turn_id: turn.id, invocation });
    if (this.#v === 2) this.#features.add("runtime_kind_refinement");
    this.#tick(0, 2);
    this.#rec.append({
      type: "mcp_tool_call_correlation_assigned",
      tool_call_id: toolCallId,
      mcp_call_id: this.#rng.uuidV4(),
    });
    this.#tick(3, 800);
    const result: JsonObject = ok
      ? { Ok: { content: [{ type: "text", text: sample.result }], isError: false } }
      : { Err: `tool call failed for \`${sample.server}/${sample.tool}\`: connection closed` };
    const elapsed = this.#rec.now - startedAt;
    this.#runtimeEnded(
      turn,
      toolCallId,
      ok ? "completed" : "failed",
      this.#v === 2
        ? { result }
        : {
            call_id: toolCallId,
            invocation,
            duration: { secs: Math.floor(elapsed / 1000), nanos: (elapsed % 1000) * 1_000_000 },
            result,
          },
    );
    const output: JsonValue = ok
      ? [
          { type: "input_text", text: `Wall time: ${(elapsed / 1000).toFixed(4)} seconds\nOutput:` },
          { type: "input_text", text: sample.result },
        ]
      : `tool call error: ${String(result.Err)}`;
    this.#endTool(
      turn,
      toolCallId,
      "completed",
      modelVisibleCallId === null
        ? {
            type: "code_mode_response",
            value: ok ? { content: [{ type: "text", text: sample.result }] } : { error: String(result.Err) },
          }
        : {
            type: "direct_response",
            response_item: { type: "function_call_output", call_id: modelVisibleCallId, output },
          },
    );
    this.#features.add(ok ? "mcp_tool_call" : "mcp_tool_call_failed");
    return output;
  }

  #planFunction(turn: TurnState, sample: (typeof FUNCTION_TOOLS)[number]): PlannedCall {
    const callId = this.#newCallId();
    const responseItem = this.#functionCall(callId, sample.name, null, sample.argumentsJson);
    return {
      responseItem,
      run: () => {
        this.#runFunction(turn, callId, callId, { type: "model" }, null, sample);
        return this.#items.functionOutput(callId, sample.output);
      },
    };
  }

  #runFunction(
    turn: TurnState,
    toolCallId: string,
    modelVisibleCallId: string | null,
    requester: ToolRequester,
    runtimeToolId: string | null,
    sample: (typeof FUNCTION_TOOLS)[number],
  ): void {
    this.#startTool(
      turn,
      toolCallId,
      modelVisibleCallId,
      requester,
      runtimeToolId,
      { type: "other", name: sample.name },
      sample.name,
      null,
      { type: "function", arguments: sample.argumentsJson },
      sample.argumentsJson,
    );
    this.#tick(1, 30);
    this.#endTool(
      turn,
      toolCallId,
      "completed",
      modelVisibleCallId === null
        ? { type: "code_mode_response", value: sample.output }
        : {
            type: "direct_response",
            response_item: {
              type: "function_call_output",
              call_id: modelVisibleCallId,
              output: sample.output,
            },
          },
    );
    this.#features.add("function_tool_call");
  }

  // Code cells ----------------------------------------------------------------------------------------------------

  #planCodeCell(
    turn: TurnState,
    nested: readonly NestedCallScript[],
    yields: boolean,
    fails: boolean,
  ): PlannedCall {
    const callId = this.#newCallId();
    const lines: string[] = [];
    nested.forEach((call, index) => {
      const name = `r${index + 1}`;
      if (call.tool === "exec") {
        const sample =
          call.outcome === "error"
            ? pickMod(FAILING_COMMANDS, call.command)
            : pickMod(COMMANDS, call.command);
        lines.push(`const ${name} = await tools.exec_command({ cmd: ${JSON.stringify(sample.cmd)} });`);
      } else if (call.tool === "mcp") {
        const sample = pickMod(MCP_CALLS, call.call);
        lines.push(`const ${name} = await tools.${sample.server}.${sample.tool}(${sample.argumentsJson});`);
      } else {
        const sample = pickMod(FUNCTION_TOOLS, call.sample);
        lines.push(`const ${name} = await tools.${sample.name}(${sample.argumentsJson});`);
      }
      lines.push(`text(${name});`);
    });
    if (fails) lines.push('throw new Error("unexpected report format");');
    if (lines.length === 0) lines.push('text("nothing to do");');
    const sourceJs = `${lines.join("\n")}\n`;
    const pragma = yields ? '// @exec: {"yield_time_ms": 300}\n' : "";
    const input = `${pragma}${sourceJs}`;
    const responseItem: JsonObject = {
      type: "custom_tool_call",
      id: this.#outputId("ctc"),
      call_id: callId,
      name: "exec",
      input,
    };
    return {
      responseItem,
      run: () => this.#runCodeCell(turn, callId, input, sourceJs, nested, yields, fails),
    };
  }

  #runCodeCell(
    turn: TurnState,
    callId: string,
    input: string,
    sourceJs: string,
    nested: readonly NestedCallScript[],
    yields: boolean,
    fails: boolean,
  ): JsonObject {
    const thread = turn.thread;
    const runtimeCellId = String(thread.nextRuntimeCell++);
    const requester: ToolRequester = { type: "code_cell", runtime_cell_id: runtimeCellId };
    // Schema-2 Codex also traces the model's `exec` call itself as a tool call.
    if (this.#v === 2) {
      this.#startTool(
        turn,
        callId,
        callId,
        { type: "model" },
        null,
        { type: "other", name: "exec" },
        "exec",
        null,
        { type: "custom", input },
        input,
      );
    }
    this.#tick(2, 20);
    this.#emit(turn, {
      type: "code_cell_started",
      runtime_cell_id: runtimeCellId,
      model_visible_call_id: callId,
      source_js: sourceJs,
    });
    this.#features.add("code_cell");

    // A yielding cell returns while its first nested command is still running; everything after it happens while
    // the model is busy elsewhere, and is emitted when the cell finishes.
    const results: string[] = [];
    const pending: (() => void)[] = [];
    nested.forEach((call, index) => {
      const toolCallId = `${call.tool === "exec" ? "exec" : call.tool === "mcp" ? "mcp" : "tool"}-${this.#rng.uuidV4()}`;
      const runtimeToolId = `tool-${index + 1}`;
      this.#features.add("code_cell_nested_tool");
      if (call.tool === "exec") {
        const sample =
          call.outcome === "error"
            ? pickMod(FAILING_COMMANDS, call.command)
            : pickMod(COMMANDS, call.command);
        const argumentsJson = JSON.stringify({ cmd: sample.cmd, yield_time_ms: 10000 });
        results.push(sample.output);
        if (yields && index === 0) {
          pending.push(
            this.#startLongExec(
              turn,
              toolCallId,
              requester,
              runtimeToolId,
              sample,
              call.outcome,
              argumentsJson,
            ),
          );
          return;
        }
        const run = () => {
          this.#runExec(
            turn,
            toolCallId,
            null,
            requester,
            runtimeToolId,
            sample,
            call.outcome,
            argumentsJson,
          );
        };
        if (yields) pending.push(run);
        else run();
      } else if (call.tool === "mcp") {
        const sample = pickMod(MCP_CALLS, call.call);
        results.push(sample.result);
        const run = () => {
          this.#runMcp(turn, toolCallId, null, requester, runtimeToolId, sample, true);
        };
        if (yields) pending.push(run);
        else run();
      } else {
        const sample = pickMod(FUNCTION_TOOLS, call.sample);
        results.push(sample.output);
        const run = () => this.#runFunction(turn, toolCallId, null, requester, runtimeToolId, sample);
        if (yields) pending.push(run);
        else run();
      }
    });

    const resultText = fails ? "Error: unexpected report format" : results.join("\n") || "nothing to do";
    this.#tick(20, 300);
    let outputValue: JsonValue;
    if (yields) {
      const yielded = { response: { Yielded: { cell_id: runtimeCellId, content_items: [] } } };
      const ref = this.#rec.writePayload("tool_result", yielded);
      this.#emit(turn, {
        type: "code_cell_initial_response",
        runtime_cell_id: runtimeCellId,
        status: "yielded",
        response_payload: ref,
      });
      thread.yieldedCells.push({ runtimeCellId, turnId: turn.id, pending, resultText, fails });
      outputValue = `Script running with cell ID ${runtimeCellId}\nWall time 0.3 seconds\nOutput:\n`;
    } else {
      const status = fails ? "failed" : "completed";
      const documentOf = () => ({
        response: {
          Result: {
            cell_id: runtimeCellId,
            content_items: [{ type: "input_text", text: resultText }],
            error_text: fails ? "unexpected report format" : null,
          },
        },
      });
      const initialRef = this.#rec.writePayload("tool_result", documentOf());
      this.#emit(turn, {
        type: "code_cell_initial_response",
        runtime_cell_id: runtimeCellId,
        status,
        response_payload: initialRef,
      });
      this.#tick(0, 2);
      const endRef = this.#rec.writePayload("tool_result", documentOf());
      this.#emit(turn, {
        type: "code_cell_ended",
        runtime_cell_id: runtimeCellId,
        status,
        response_payload: endRef,
      });
      if (fails) this.#features.add("code_cell_failed");
      outputValue = [
        {
          type: "input_text",
          text: `Script ${fails ? "failed" : "completed"}\nWall time ${(this.#rng.int(1, 9) / 10).toFixed(1)} seconds\nOutput:\n`,
        },
        { type: "input_text", text: resultText },
      ];
    }
    if (this.#v === 2) {
      this.#endTool(turn, callId, "completed", {
        type: "direct_response",
        response_item: { type: "custom_tool_call_output", call_id: callId, output: outputValue },
      });
    }
    return this.#items.customOutput(callId, outputValue);
  }

  /** Starts a nested exec that outlives the cell's initial response; returns the work that finishes it. */
  #startLongExec(
    turn: TurnState,
    toolCallId: string,
    requester: ToolRequester,
    runtimeToolId: string,
    sample: CommandSample,
    outcome: "ok" | "error",
    argumentsJson: string,
  ): () => void {
    this.#startTool(
      turn,
      toolCallId,
      null,
      requester,
      runtimeToolId,
      { type: "exec_command" },
      "exec_command",
      null,
      { type: "function", arguments: argumentsJson },
      argumentsJson,
    );
    const pid = this.#newPid();
    const command = ["/bin/bash", "-lc", sample.cmd];
    const parsed = this.#parsedCommand(sample);
    const startedAt = this.#rec.now;
    this.#runtimeStarted(
      turn,
      toolCallId,
      { type: "exec_command" },
      this.#execBegin(toolCallId, turn, pid, command, parsed),
    );
    this.#features.add("exec_command");
    const exitCode = outcome === "error" ? 1 : 0;
    return () => {
      this.#tick(50, 900);
      this.#runtimeEnded(
        turn,
        toolCallId,
        exitCode === 0 ? "completed" : "failed",
        this.#execEnd(toolCallId, turn.id, pid, command, parsed, sample.output, exitCode, startedAt),
      );
      this.#endTool(
        turn,
        toolCallId,
        "completed",
        this.#dispatchResult(requester, null, "", { output: sample.output, exit_code: exitCode }),
      );
    };
  }

  #finishCell(turn: TurnState, cell: YieldedCell): void {
    for (const work of cell.pending) work();
    this.#tick(1, 30);
    const status = cell.fails ? "failed" : "completed";
    const ref = this.#rec.writePayload("tool_result", {
      response: {
        Result: {
          cell_id: cell.runtimeCellId,
          content_items: [{ type: "input_text", text: cell.resultText }],
          error_text: cell.fails ? "unexpected report format" : null,
        },
      },
    });
    const cellTurn: TurnState = { ...turn, id: cell.turnId };
    this.#emit(cellTurn, {
      type: "code_cell_ended",
      runtime_cell_id: cell.runtimeCellId,
      status,
      response_payload: ref,
    });
    if (cell.fails) this.#features.add("code_cell_failed");
    turn.thread.yieldedCells.splice(turn.thread.yieldedCells.indexOf(cell), 1);
  }

  /** Cells nobody waited for keep running after the model moved on; they finish before the turn closes. */
  #finishYieldedCells(turn: TurnState): void {
    for (const cell of [...turn.thread.yieldedCells]) {
      this.#finishCell(turn, cell);
      this.#features.add("code_cell_left_running");
    }
  }

  #planWaitCell(turn: TurnState, cell: YieldedCell): PlannedCall {
    const callId = this.#newCallId();
    const argumentsJson = JSON.stringify({ cell_id: cell.runtimeCellId, yield_time_ms: 10000 });
    const responseItem = this.#functionCall(callId, "wait", null, argumentsJson);
    return {
      responseItem,
      run: () => {
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "other", name: "wait" },
          "wait",
          null,
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#finishCell(turn, cell);
        const output: JsonValue = [
          {
            type: "input_text",
            text: `Script ${cell.fails ? "failed" : "completed"}\nWall time ${(this.#rng.int(1, 30) / 10).toFixed(1)} seconds\nOutput:\n`,
          },
          { type: "input_text", text: cell.resultText },
        ];
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("code_cell_yield_wait");
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  // Multi-agent v2 ("team", namespace `collaboration`) -------------------------------------------------------------

  #activity(
    toolCallId: string,
    child: ThreadState,
    kind: "started" | "interacted" | "interrupted",
  ): JsonObject {
    return {
      ...(this.#v === 2 ? { model: this.#model, reasoning_effort: "medium" } : {}),
      event_id: toolCallId,
      occurred_at_ms: this.#rec.now,
      agent_thread_id: child.id,
      agent_path: child.agentPath,
      kind,
    };
  }

  #teamMessage(child: ThreadState, header: "NEW_TASK" | "MESSAGE", message: string): JsonObject {
    return this.#items.agentMessage(this.#root.agentPath, child.agentPath, [
      {
        type: "input_text",
        text: `Message Type: ${header}\nTask name: ${child.agentPath}\nSender: ${this.#root.agentPath}\nPayload:\n`,
      },
      { type: "encrypted_content", encrypted_content: message },
    ]);
  }

  #planTeamSpawn(turn: TurnState, taskIndex: number, childScript: ChildTurnScript): PlannedCall {
    const callId = this.#newCallId();
    const task = pickMod(CHILD_TASKS, taskIndex);
    const taskName = this.#uniqueTaskName(task.name);
    const argumentsJson = JSON.stringify({ task_name: taskName, message: task.message, fork_turns: "none" });
    const responseItem = this.#functionCall(callId, "spawn_agent", "collaboration", argumentsJson);
    return {
      responseItem,
      run: () => {
        const parent = turn.thread;
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "spawn_agent" },
          "spawn_agent",
          "collaboration",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#tick(2, 10);
        const child = this.#newThread(
          this.#rng.uuidV7(this.#rec.now),
          `/root/${taskName}`,
          "team",
          parent,
          taskName,
          this.#nickname(),
        );
        child.lastAnswer = task.answer;
        parent.children.push(child);
        this.#startThread(child);
        this.#runtimeEnded(turn, callId, "completed", this.#activity(callId, child, "started"));
        const output = JSON.stringify({ task_name: child.agentPath });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("spawn_agent_team");
        child.inbox.push({
          item: this.#teamMessage(child, "NEW_TASK", task.message),
          acceptWithPayload: true,
        });
        this.#runTeamChildTurn(child, childScript, turn);
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  #runTeamChildTurn(child: ThreadState, script: ChildTurnScript, parentTurn: TurnState): void {
    const turn = this.#beginTurn(child, parentTurn);
    this.#deliverInbox(turn);
    this.#runSteps(turn, script.steps, "none", parentTurn);
    this.#finishYieldedCells(turn);
    this.#endTurn(turn, "completed", parentTurn);
    // The child's final answer travels to the parent's mailbox as an agent message.
    const message = `Message Type: FINAL_ANSWER\nTask name: ${this.#root.agentPath}\nSender: ${child.agentPath}\nPayload:\n${child.lastAnswer}`;
    this.#tick(0, 3);
    const carried = this.#rec.writePayload("agent_result", {
      child_agent_path: child.agentPath,
      message,
      status: { completed: child.lastAnswer },
    });
    const parent = child.parent ?? this.#root;
    this.#emit(turn, {
      type: "agent_result_observed",
      edge_id: `edge:agent_result:${child.id}:${turn.id}:${parent.id}`,
      child_thread_id: child.id,
      child_codex_turn_id: turn.id,
      parent_thread_id: parent.id,
      message,
      carried_payload: carried,
    });
    this.#features.add("agent_result");
    parent.inbox.push({
      item: this.#items.agentMessage(child.agentPath, parent.agentPath, [
        { type: "input_text", text: message },
      ]),
      acceptWithPayload: true,
    });
  }

  #planTeamFollowup(
    turn: TurnState,
    child: ThreadState,
    messageIndex: number,
    childScript: ChildTurnScript,
  ): PlannedCall {
    const message = pickMod(FOLLOW_UP_TASKS, messageIndex);
    return this.#planTeamMessage(turn, child, "followup_task", "NEW_TASK", message, () =>
      this.#runTeamChildTurn(child, childScript, turn),
    );
  }

  #planTeamSendMessage(turn: TurnState, child: ThreadState, messageIndex: number): PlannedCall {
    // Delivered to the idle helper's mailbox; it shows up in the helper's history when it next runs.
    const message = pickMod(AGENT_NOTES, messageIndex);
    return this.#planTeamMessage(turn, child, "send_message", "MESSAGE", message, () => {});
  }

  /** A team collaboration call that puts `message` in the child's mailbox, then runs `afterDelivery`. */
  #planTeamMessage(
    turn: TurnState,
    child: ThreadState,
    tool: "followup_task" | "send_message",
    header: "NEW_TASK" | "MESSAGE",
    message: string,
    afterDelivery: () => void,
  ): PlannedCall {
    const callId = this.#newCallId();
    const argumentsJson = JSON.stringify({ target: child.taskName ?? child.agentPath, message });
    const responseItem = this.#functionCall(callId, tool, "collaboration", argumentsJson);
    const kind: ToolKind =
      tool === "followup_task" ? { type: "assign_agent_task" } : { type: "send_message" };
    return {
      responseItem,
      run: () => {
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          kind,
          tool,
          "collaboration",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#tick(1, 6);
        this.#runtimeEnded(turn, callId, "completed", this.#activity(callId, child, "interacted"));
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output: "" },
        });
        this.#features.add(tool);
        child.inbox.push({ item: this.#teamMessage(child, header, message), acceptWithPayload: true });
        afterDelivery();
        return this.#items.functionOutput(callId, "");
      },
    };
  }

  #planTeamInterrupt(turn: TurnState, child: ThreadState): PlannedCall {
    const callId = this.#newCallId();
    const argumentsJson = JSON.stringify({ target: child.taskName ?? child.agentPath });
    const responseItem = this.#functionCall(callId, "interrupt_agent", "collaboration", argumentsJson);
    return {
      responseItem,
      run: () => {
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "close_agent" },
          "interrupt_agent",
          "collaboration",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#tick(1, 6);
        this.#runtimeEnded(turn, callId, "completed", this.#activity(callId, child, "interrupted"));
        const output = JSON.stringify({ previous_status: { completed: child.lastAnswer } });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("interrupt_agent");
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  #planListAgents(turn: TurnState): PlannedCall {
    const callId = this.#newCallId();
    const responseItem = this.#functionCall(callId, "list_agents", "collaboration", "{}");
    return {
      responseItem,
      run: () => {
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "other", name: "list_agents" },
          "list_agents",
          "collaboration",
          { type: "function", arguments: "{}" },
          "{}",
        );
        const agents = [
          { agent_name: this.#root.agentPath, agent_status: "running", last_task_message: "Main thread" },
          ...turn.thread.children.map((child) => ({
            agent_name: child.agentPath,
            agent_status: { completed: child.lastAnswer },
            last_task_message: null,
          })),
        ];
        const output = JSON.stringify({ agents });
        this.#tick(1, 5);
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("list_agents");
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  #planWaitAgent(turn: TurnState): PlannedCall {
    const callId = this.#newCallId();
    const team = this.#script.session.multiAgent === "team";
    const targets = turn.thread.children.filter((child) => !child.closed);
    const argumentsJson = team
      ? JSON.stringify({ timeout_ms: 30000 })
      : JSON.stringify({ targets: targets.map((child) => child.id), timeout_ms: 30000 });
    const namespace = team ? "collaboration" : "multi_agent_v1";
    const responseItem = this.#functionCall(callId, "wait_agent", namespace, argumentsJson);
    return {
      responseItem,
      run: () => {
        const parent = turn.thread;
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "wait_agent" },
          "wait_agent",
          namespace,
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#runtimeStarted(
          turn,
          callId,
          { type: "wait_agent" },
          {
            started_at_ms: this.#rec.now,
            sender_thread_id: parent.id,
            receiver_thread_ids: team ? [] : targets.map((child) => child.id),
            ...(team
              ? {}
              : {
                  receiver_agents: targets.map((child) => ({
                    thread_id: child.id,
                    agent_nickname: child.nickname,
                  })),
                }),
            call_id: callId,
          },
        );
        this.#tick(5, 400);
        const statuses: JsonObject = {};
        for (const child of targets) statuses[child.id] = { completed: child.lastAnswer };
        this.#runtimeEnded(turn, callId, "completed", {
          sender_thread_id: parent.id,
          call_id: callId,
          completed_at_ms: this.#rec.now,
          ...(team
            ? {}
            : {
                agent_statuses: targets.map((child) => ({
                  thread_id: child.id,
                  agent_nickname: child.nickname,
                  status: { completed: child.lastAnswer },
                })),
              }),
          statuses: team ? {} : statuses,
        });
        const output = team
          ? JSON.stringify({ message: "Wait completed.", timed_out: false })
          : JSON.stringify({ status: statuses, timed_out: false });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("wait_agent");
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  // Multi-agent v1 ("collab", namespace `multi_agent_v1`) ----------------------------------------------------------

  #planCollabSpawn(turn: TurnState, taskIndex: number, childScript: ChildTurnScript): PlannedCall {
    const callId = this.#newCallId();
    const task = pickMod(CHILD_TASKS, taskIndex);
    const argumentsJson = JSON.stringify({ message: task.message });
    const responseItem = this.#functionCall(callId, "spawn_agent", "multi_agent_v1", argumentsJson);
    return {
      responseItem,
      run: () => {
        const parent = turn.thread;
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "spawn_agent" },
          "spawn_agent",
          "multi_agent_v1",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#runtimeStarted(
          turn,
          callId,
          { type: "spawn_agent" },
          {
            call_id: callId,
            started_at_ms: this.#rec.now,
            sender_thread_id: parent.id,
            prompt: task.message,
            model: "",
            reasoning_effort: "medium",
          },
        );
        this.#tick(2, 10);
        const child = this.#newThread(
          this.#rng.uuidV7(this.#rec.now),
          "/root",
          "collab",
          parent,
          null,
          this.#nickname(),
        );
        child.lastAnswer = task.answer;
        parent.children.push(child);
        this.#startThread(child);
        this.#runtimeEnded(turn, callId, "completed", {
          call_id: callId,
          completed_at_ms: this.#rec.now,
          sender_thread_id: parent.id,
          new_thread_id: child.id,
          new_agent_nickname: child.nickname,
          prompt: task.message,
          model: this.#model,
          reasoning_effort: "medium",
          status: "pending_init",
        });
        const output = JSON.stringify({ agent_id: child.id, nickname: child.nickname });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("spawn_agent_collab");
        this.#runCollabChildTurn(child, task.message, childScript, turn);
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  #runCollabChildTurn(
    child: ThreadState,
    prompt: string,
    script: ChildTurnScript,
    parentTurn: TurnState,
  ): void {
    if (child.traced) {
      const turn = this.#beginTurn(child, parentTurn);
      this.#record(turn, [this.#items.message("user", prompt)]);
      this.#runSteps(turn, script.steps, "none", parentTurn);
      this.#finishYieldedCells(turn);
      this.#endTurn(turn, "completed", parentTurn);
    }
    // Collab helpers report back through a notification message in the parent's history.
    const parent = child.parent ?? this.#root;
    const note = `<subagent_notification>\n${JSON.stringify({ agent_path: child.id, status: { completed: child.lastAnswer } })}\n</subagent_notification>`;
    parent.inbox.push({ item: this.#items.message("user", note), acceptWithPayload: false });
  }

  #planCollabClose(turn: TurnState, child: ThreadState): PlannedCall {
    const callId = this.#newCallId();
    const argumentsJson = JSON.stringify({ target: child.id });
    const responseItem = this.#functionCall(callId, "close_agent", "multi_agent_v1", argumentsJson);
    return {
      responseItem,
      run: () => {
        const parent = turn.thread;
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "close_agent" },
          "close_agent",
          "multi_agent_v1",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#runtimeStarted(
          turn,
          callId,
          { type: "close_agent" },
          {
            call_id: callId,
            started_at_ms: this.#rec.now,
            sender_thread_id: parent.id,
            receiver_thread_id: child.id,
          },
        );
        this.#tick(1, 6);
        this.#endThread(child);
        child.closed = true;
        this.#runtimeEnded(turn, callId, "completed", {
          call_id: callId,
          completed_at_ms: this.#rec.now,
          sender_thread_id: parent.id,
          receiver_thread_id: child.id,
          receiver_agent_nickname: child.nickname,
          status: { completed: child.lastAnswer },
        });
        const output = JSON.stringify({ previous_status: { completed: child.lastAnswer } });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("close_agent_collab");
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  #planSendInput(
    turn: TurnState,
    child: ThreadState,
    message: string,
    childScript: ChildTurnScript,
  ): PlannedCall {
    const callId = this.#newCallId();
    const argumentsJson = JSON.stringify({ target: child.id, message });
    const responseItem = this.#functionCall(callId, "send_input", "multi_agent_v1", argumentsJson);
    return {
      responseItem,
      run: () => {
        const parent = turn.thread;
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "other", name: "send_input" },
          "send_input",
          "multi_agent_v1",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#runtimeStarted(
          turn,
          callId,
          { type: "send_message" },
          {
            call_id: callId,
            started_at_ms: this.#rec.now,
            sender_thread_id: parent.id,
            receiver_thread_id: child.id,
            prompt: message,
          },
        );
        if (this.#v === 2) this.#features.add("runtime_kind_refinement");
        this.#tick(1, 6);
        const submissionId = this.#rng.uuidV7(this.#rec.now);
        this.#runtimeEnded(turn, callId, "completed", {
          call_id: callId,
          completed_at_ms: this.#rec.now,
          sender_thread_id: parent.id,
          receiver_thread_id: child.id,
          receiver_agent_nickname: child.nickname,
          prompt: message,
          status: "pending_init",
        });
        const output = JSON.stringify({ submission_id: submissionId });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("send_input_collab");
        this.#runCollabChildTurn(child, message, childScript, turn);
        return this.#items.functionOutput(callId, output);
      },
    };
  }

  #planCollabResume(turn: TurnState, child: ThreadState): PlannedCall {
    const callId = this.#newCallId();
    const argumentsJson = JSON.stringify({ id: child.id });
    const responseItem = this.#functionCall(callId, "resume_agent", "multi_agent_v1", argumentsJson);
    return {
      responseItem,
      run: () => {
        this.#startTool(
          turn,
          callId,
          callId,
          { type: "model" },
          null,
          { type: "other", name: "resume_agent" },
          "resume_agent",
          "multi_agent_v1",
          { type: "function", arguments: argumentsJson },
          argumentsJson,
        );
        this.#tick(2, 12);
        if (this.#v === 2) {
          this.#rec.append({ type: "thread_resumed", thread_id: child.id });
          child.ended = false;
          this.#features.add("thread_resumed");
          this.#breadcrumb("session_configured", {
            type: "session_configured",
            session_id: this.#root.id,
            thread_id: child.id,
            parent_thread_id: turn.thread.id,
            thread_source: "subagent",
            model: this.#model,
            model_provider_id: this.#provider === "OpenAI" ? "openai" : "mock",
            approval_policy: "never",
            approvals_reviewer: "user",
            permission_profile: { type: "disabled" },
            cwd: this.#cwd,
            rollout_path: this.#rolloutPath(child.id),
          });
        } else {
          // Schema-1 Codex gives a resumed helper a disabled trace context: nothing it does is recorded.
          child.traced = false;
        }
        child.closed = false;
        const output = JSON.stringify({ status: "pending_init" });
        this.#endTool(turn, callId, "completed", {
          type: "direct_response",
          response_item: { type: "function_call_output", call_id: callId, output },
        });
        this.#features.add("resume_agent_collab");
        return this.#items.functionOutput(callId, output);
      },
    };
  }
}

/** The final-answer sampling that follows the last scripted step when that step still called tools. */
function finalStepAfter(last: StepScript | undefined): StepScript {
  return {
    reasoning: null,
    commentary: null,
    webSearch: false,
    calls: [],
    answer: (last?.answer ?? 0) + 1,
    phase: last?.phase ?? true,
    outcome: "ok",
    compactAfter: null,
  };
}

function isContextText(thread: ThreadState, item: JsonObject): boolean {
  const content = item.content;
  if (!Array.isArray(content)) return false;
  const first = content[0];
  const text = first !== null && typeof first === "object" && !Array.isArray(first) ? first.text : undefined;
  return thread.contextTexts.some((entry) => entry.text === text);
}
