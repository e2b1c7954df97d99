// Random sessions for the property tests. A program is a list of commands; the driver plays them like an agent
// runtime would (each thread keeps its history, model calls come from model output, children get their tasks as
// agent messages) and mixes in misuse: repeated terminal calls, calls on ended or refused handles, bad arguments,
// duplicate ids, calls after close. Handles are picked by index modulo what exists, so every command is playable.
import fc from "fast-check";
import type {
  CodeCellTrace,
  CompactionAttemptTrace,
  ExecutionStatus,
  InferenceTrace,
  ModelItem,
  ThreadTrace,
  ToolCallTrace,
  TraceSession,
  TurnTrace,
} from "../src/index.ts";

// Repeats weight the choice towards the tools with the most trace structure.
const TOOL_NAMES = [
  "exec_command",
  "exec_command",
  "exec_command",
  "write_stdin",
  "write_stdin",
  "echo",
  "echo",
  "spawn_agent",
  "spawn_agent",
  "followup_task",
  "send_message",
  "interrupt_agent",
  "wait_agent",
  "apply_patch",
  "web_search",
  "view_image",
  "exec",
  "exec",
  "exec",
  "wait",
] as const;
type ToolName = (typeof TOOL_NAMES)[number];

const MISUSES = [
  "repeat-inference",
  "repeat-tool",
  "repeat-turn-end",
  "request-without-input",
  "throwing-thunk",
  "bad-kind",
  "duplicate-call-id",
  "duplicate-turn-id",
  "duplicate-thread-id",
  "activity-in-runtime-end",
  "activity-wrong-kind",
  "stdin-across-threads",
  "duplicate-runtime-cell",
  "result-without-parent",
  "unknown-breadcrumb",
  "fractional-exit-code",
  "unserializable-request",
  "bad-output-item",
  "install-twice",
  "bad-cell-response",
  "accept-without-id",
  "tool-result-not-an-item",
  "bad-thread-status",
  "stdin-runtime-start",
] as const;

const STATUSES: readonly ExecutionStatus[] = [
  "completed",
  "completed",
  "completed",
  "failed",
  "cancelled",
  "aborted",
];

export type Command =
  | { readonly op: "turn"; readonly thread: number }
  | {
      readonly op: "infer";
      readonly turn: number;
      readonly outcome: "completed" | "failed" | "cancelled" | "running";
      readonly output: readonly { readonly kind: "message" | "reasoning" | "tool"; readonly tool: number }[];
      readonly request: "full" | "incremental" | "untraced-prefix" | "full-with-previous";
      /** When output items join the history: at completion, as they stream in, or when the runtime commits them. */
      readonly acceptance: "automatic" | "streamed" | "deferred";
    }
  | { readonly op: "dispatch"; readonly thread: number; readonly call: number }
  | { readonly op: "runtime"; readonly tool: number }
  | { readonly op: "finish"; readonly tool: number; readonly how: "completed" | "unsuccessful" | "failed" }
  | { readonly op: "nested"; readonly cell: number }
  | { readonly op: "cell"; readonly cell: number; readonly what: "yield" | "result" | "error" | "terminate" }
  | { readonly op: "compact"; readonly turn: number; readonly failFirst: boolean; readonly install: boolean }
  | { readonly op: "end-turn"; readonly turn: number; readonly status: number }
  | { readonly op: "result"; readonly thread: number }
  | { readonly op: "end-thread"; readonly thread: number }
  | { readonly op: "resume"; readonly thread: number }
  | { readonly op: "breadcrumb"; readonly thread: number }
  | { readonly op: "misuse"; readonly which: number; readonly target: number };

export interface Program {
  readonly commands: readonly Command[];
  /** Close the session before this command (modulo the length), so the rest of the program comes too late. */
  readonly closeBefore: number | null;
  /** End the root thread (and so the rollout) after the last command. */
  readonly endRoot: boolean;
}

const index = fc.nat({ max: 50 });

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("turn" as const), thread: index }) },
  {
    weight: 9,
    arbitrary: fc.record({
      op: fc.constant("infer" as const),
      turn: index,
      outcome: fc.constantFrom("completed", "completed", "completed", "failed", "cancelled", "running"),
      output: fc.array(
        fc.record({ kind: fc.constantFrom("message", "reasoning", "tool", "tool"), tool: index }),
        { maxLength: 3 },
      ),
      request: fc.constantFrom(
        "full",
        "full",
        "full",
        "incremental",
        "untraced-prefix",
        "full-with-previous",
      ),
      acceptance: fc.constantFrom("automatic", "automatic", "streamed", "deferred"),
    }),
  },
  { weight: 9, arbitrary: fc.record({ op: fc.constant("dispatch" as const), thread: index, call: index }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("runtime" as const), tool: index }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("finish" as const),
      tool: index,
      how: fc.constantFrom("completed", "completed", "unsuccessful", "failed"),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("nested" as const), cell: index }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("cell" as const),
      cell: index,
      what: fc.constantFrom("yield", "result", "result", "error", "terminate"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("compact" as const),
      turn: index,
      failFirst: fc.boolean(),
      install: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("end-turn" as const), turn: index, status: index }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("result" as const), thread: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("end-thread" as const), thread: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("resume" as const), thread: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("breadcrumb" as const), thread: index }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("misuse" as const), which: index, target: index }) },
);

export const programArbitrary: fc.Arbitrary<Program> = fc.record({
  commands: fc.array(commandArbitrary, { minLength: 1, maxLength: 80, size: "large" }),
  closeBefore: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
  endRoot: fc.boolean(),
});

interface PendingCall {
  readonly item: ModelItem;
  readonly name: ToolName;
  readonly callId: string;
  readonly arguments: string;
  readonly target: string | null;
}

interface ThreadSlot {
  readonly trace: ThreadTrace;
  readonly id: string;
  readonly path: string;
  readonly parent: number | null;
  readonly history: ModelItem[];
  readonly pending: PendingCall[];
  /** Agent messages delivered to this thread, to join its next turn. */
  readonly inbox: ModelItem[];
  readonly turns: number[];
  readonly processes: string[];
  /** Exec calls of this thread by the process they started, for write_stdin to target. */
  readonly execs: Map<string, ToolCallTrace>;
  readonly children: number[];
  lastResponse: { readonly id: string; readonly length: number } | null;
  cells: number;
}

interface TurnSlot {
  readonly trace: TurnTrace;
  readonly thread: number;
  ended: boolean;
}

type RuntimePlan = "exec" | "mcp" | "generic" | "none";

interface ToolSlot {
  readonly trace: ToolCallTrace;
  readonly thread: number;
  readonly call: PendingCall | null;
  readonly plan: RuntimePlan;
  step: number;
  finished: boolean;
}

interface CellSlot {
  readonly trace: CodeCellTrace;
  readonly thread: number;
  readonly runtimeId: string;
  nested: number;
  ended: boolean;
}

function pick<T>(items: readonly T[], at: number): T | undefined {
  return items.length === 0 ? undefined : items[at % items.length];
}

/** Plays programs against a session. Only the commands' own arguments decide what happens: runs replay exactly. */
export class Driver {
  readonly #session: TraceSession;
  readonly #version: 1 | 2;
  readonly #threads: ThreadSlot[] = [];
  readonly #turns: TurnSlot[] = [];
  readonly #attempts: InferenceTrace[] = [];
  readonly #tools: ToolSlot[] = [];
  readonly #cells: CellSlot[] = [];
  readonly #compactionAttempts: CompactionAttemptTrace[] = [];
  readonly #callIds: string[] = [];
  #next = 0;
  /** Set when a schema-1 request used an explicit input mode (Codex 0.144.6 does not implement it). */
  usedInputMode = false;

  readonly #inputModes: boolean;

  /** `inputModes: false` keeps schema-1 requests free of explicit input modes (for comparing with Codex 0.144.6). */
  constructor(session: TraceSession, version: 1 | 2, options: { readonly inputModes?: boolean } = {}) {
    this.#session = session;
    this.#version = version;
    this.#inputModes = options.inputModes ?? true;
    this.#threads.push(this.#slot(session.root, session.root.threadId, "/root", null));
  }

  #id(prefix: string): string {
    return `${prefix}_${++this.#next}`;
  }

  #uuid(): string {
    return `00000000-0000-4000-8000-${String(++this.#next).padStart(12, "0")}`;
  }

  #slot(trace: ThreadTrace, id: string, path: string, parent: number | null): ThreadSlot {
    return {
      trace,
      id,
      path,
      parent,
      history: [],
      pending: [],
      inbox: [],
      turns: [],
      processes: [],
      execs: new Map(),
      children: [],
      lastResponse: null,
      cells: 0,
    };
  }

  run(program: Program): void {
    const closeAt = program.closeBefore === null ? -1 : program.closeBefore % program.commands.length;
    for (const [at, command] of program.commands.entries()) {
      if (at === closeAt) this.#session.closeSync();
      this.#play(command);
    }
    if (program.endRoot) this.#session.root.end();
  }

  #play(command: Command): void {
    switch (command.op) {
      case "turn":
        this.#startTurn(command.thread);
        break;
      case "infer":
        this.#infer(command);
        break;
      case "dispatch":
        this.#dispatch(command.thread, command.call);
        break;
      case "runtime":
        this.#runtime(command.tool);
        break;
      case "finish":
        this.#finish(command.tool, command.how);
        break;
      case "nested":
        this.#nested(command.cell);
        break;
      case "cell":
        this.#cell(command.cell, command.what);
        break;
      case "compact":
        this.#compact(command);
        break;
      case "end-turn":
        this.#endTurn(command.turn, command.status);
        break;
      case "result":
        this.#result(command.thread);
        break;
      case "end-thread":
        // Children come and go; the root ends with the program (ending it early only makes later calls late).
        pick(this.#threads.slice(1), command.thread)?.trace.end();
        break;
      case "resume":
        pick(this.#threads, command.thread)?.trace.resume();
        break;
      case "breadcrumb":
        pick(this.#threads, command.thread)?.trace.protocolEvent("warning", { message: "careful" });
        break;
      case "misuse":
        this.#misuse(command.which, command.target);
        break;
    }
  }

  #text(role: "user" | "developer" | "assistant", text: string): ModelItem {
    return {
      type: "message",
      id: this.#id("msg"),
      role,
      content: [{ type: role === "assistant" ? "output_text" : "input_text", text }],
    };
  }

  #startTurn(threadIndex: number): TurnSlot {
    const thread = pick(this.#threads, threadIndex)!;
    const inputs = [...thread.inbox.splice(0), this.#text("user", `task ${this.#next}`)];
    const trace = thread.trace.startTurn({ turnId: this.#id("turn"), inputs });
    thread.history.push(...inputs);
    thread.turns.push(this.#turns.length);
    const slot = { trace, thread: this.#threads.indexOf(thread), ended: false };
    this.#turns.push(slot);
    return slot;
  }

  /** The thread's newest turn that is still running, else its newest turn (calls on it are then late). */
  #latestTurn(thread: ThreadSlot): TurnSlot | undefined {
    const turns = thread.turns.map((at) => this.#turns[at]!);
    return turns.findLast((turn) => !turn.ended) ?? turns[turns.length - 1];
  }

  #infer(command: Extract<Command, { op: "infer" }>): void {
    // An agent runs inference inside a turn: pick a running one, or start one.
    const turn =
      pick(
        this.#turns.filter((slot) => !slot.ended),
        command.turn,
      ) ?? this.#startTurn(command.turn);
    const thread = this.#threads[turn.thread]!;
    const request = this.#request(thread, command.request);
    const attempt = turn.trace.startInference(request.body, request.options);
    this.#attempts.push(attempt);
    const output = command.output.map((spec) => this.#outputItem(thread, spec.kind, spec.tool));
    const responseId = this.#id("resp");
    if (command.acceptance === "streamed") turn.trace.accept(output.slice(0, 1));
    switch (command.outcome) {
      case "completed":
        attempt.completed({
          responseId,
          upstreamRequestId: this.#id("req"),
          usage: { inputTokens: 100, cachedInputTokens: 10, outputTokens: 20 },
          output,
          accept: command.acceptance !== "deferred",
        });
        if (command.acceptance === "deferred") turn.trace.accept(output);
        thread.history.push(...output);
        for (const item of output) this.#queueCall(thread, item);
        thread.lastResponse = { id: responseId, length: thread.history.length };
        return;
      case "failed":
      case "cancelled": {
        const partial = output.filter((item) => item.type === "message" || item.type === "reasoning");
        if (command.outcome === "failed") attempt.failed("stream disconnected", { output: partial });
        else attempt.cancelled("interrupted", { output: partial });
        thread.history.push(...partial);
        thread.lastResponse = null;
        return;
      }
      case "running":
        thread.lastResponse = null;
        return;
    }
  }

  #request(thread: ThreadSlot, shape: Extract<Command, { op: "infer" }>["request"]) {
    const base = { model: "mock-model", stream: true };
    const last = thread.lastResponse;
    if (shape === "incremental" && last !== null) {
      return {
        body: { ...base, previous_response_id: last.id, input: thread.history.slice(last.length) },
        options: undefined,
      };
    }
    if (shape === "untraced-prefix" && this.#version === 1 && this.#inputModes && thread.history.length > 0) {
      this.usedInputMode = true;
      const split = Math.floor(thread.history.length / 2);
      return {
        body: {
          ...base,
          previous_response_id: this.#id("resp_untraced"),
          input: thread.history.slice(split),
        },
        options: { inputMode: { untracedPrefix: thread.history.slice(0, split) } },
      };
    }
    if (shape === "full-with-previous" && this.#version === 1 && this.#inputModes && last !== null) {
      this.usedInputMode = true;
      return {
        body: { ...base, previous_response_id: last.id, input: [...thread.history] },
        options: { inputMode: "full_snapshot" as const },
      };
    }
    return { body: { ...base, input: [...thread.history] }, options: undefined };
  }

  #outputItem(thread: ThreadSlot, kind: "message" | "reasoning" | "tool", tool: number): ModelItem {
    if (kind === "message")
      return { ...this.#text("assistant", `answer ${this.#next}`), phase: "final_answer" };
    if (kind === "reasoning") {
      const id = this.#id("rs");
      return {
        type: "reasoning",
        id,
        summary: [{ type: "summary_text", text: `thinking ${id}` }],
        encrypted_content: Buffer.from(id).toString("base64"),
      };
    }
    const name = TOOL_NAMES[tool % TOOL_NAMES.length]!;
    const callId = this.#id("call");
    if (name === "exec") {
      return {
        type: "custom_tool_call",
        id: this.#id("ctc"),
        name,
        input: `text(${this.#next});\n`,
        call_id: callId,
      };
    }
    const args = JSON.stringify(this.#arguments(thread, name));
    return { type: "function_call", id: this.#id("fc"), name, arguments: args, call_id: callId };
  }

  #arguments(thread: ThreadSlot, name: ToolName): Record<string, unknown> {
    const child = pick(thread.children, this.#next);
    const childPath = child === undefined ? "/root/nobody" : this.#threads[child]!.path;
    switch (name) {
      case "exec_command":
        return { cmd: `echo ${this.#next}` };
      case "write_stdin":
        return {
          session_id: Number(pick(thread.processes, this.#next) ?? 90_000 + this.#next),
          chars: "y\n",
        };
      case "spawn_agent":
        return { task_name: `helper${this.#next}`, message: `please help ${this.#next}` };
      case "followup_task":
      case "send_message":
        return { target: childPath, message: `more work ${this.#next}` };
      case "interrupt_agent":
        return { target: childPath };
      case "wait":
        return { cell_id: String(Math.max(1, thread.cells)), yield_time_ms: 100 };
      default:
        return { query: `q${this.#next}` };
    }
  }

  #queueCall(thread: ThreadSlot, item: ModelItem): void {
    if (item.type !== "function_call" && item.type !== "custom_tool_call") return;
    const name = item.name as ToolName;
    const args = (item.type === "custom_tool_call" ? item.input : item.arguments) as string;
    const target =
      item.type === "function_call" ? ((JSON.parse(args) as { target?: string }).target ?? null) : null;
    thread.pending.push({ item, name, callId: item.call_id as string, arguments: args, target });
  }

  #dispatch(threadIndex: number, callIndex: number): void {
    const thread = pick(
      this.#threads.filter((slot) => slot.pending.length > 0),
      threadIndex,
    );
    if (thread === undefined) return;
    const call = pick(thread.pending, callIndex);
    const turn = this.#latestTurn(thread);
    if (call === undefined || turn === undefined) return;
    thread.pending.splice(thread.pending.indexOf(call), 1);
    this.#callIds.push(call.callId);
    const threadIndexOf = this.#threads.indexOf(thread);
    if (call.name === "exec") {
      const exec = turn.trace.startTool({
        name: "exec",
        payload: { type: "custom", input: call.arguments },
        callId: call.callId,
      });
      this.#tools.push({ trace: exec, thread: threadIndexOf, call, plan: "none", step: 0, finished: false });
      const runtimeId = String(++thread.cells);
      const cell = turn.trace.startCodeCell({
        runtimeCellId: runtimeId,
        callId: call.callId,
        sourceJs: call.arguments,
      });
      this.#cells.push({ trace: cell, thread: threadIndexOf, runtimeId, nested: 0, ended: false });
      return;
    }
    const mcp = call.name === "echo";
    const trace = turn.trace.startTool({
      name: call.name,
      namespace: mcp
        ? "mcp__docs"
        : call.name.includes("agent") || call.name === "followup_task" || call.name === "send_message"
          ? "collaboration"
          : null,
      payload: { type: "function", arguments: call.arguments },
      callId: call.callId,
    });
    const plan: RuntimePlan =
      call.name === "exec_command"
        ? "exec"
        : mcp
          ? "mcp"
          : call.name === "wait_agent" || call.name === "apply_patch"
            ? "generic"
            : "none";
    this.#tools.push({ trace, thread: threadIndexOf, call, plan, step: 0, finished: false });
    if (call.name === "write_stdin") {
      // Codex resolves which running exec the input goes to right after the call starts.
      const session = String((JSON.parse(call.arguments) as { session_id: number }).session_id);
      const exec = thread.execs.get(session);
      if (exec !== undefined) trace.stdinTarget(exec);
    }
    this.#agentEffects(thread, threadIndexOf, call, trace);
  }

  /** What multi-agent tools do to other threads: spawn a child, or send it a message. */
  #agentEffects(thread: ThreadSlot, threadIndex: number, call: PendingCall, trace: ToolCallTrace): void {
    const message = (JSON.parse(call.arguments) as { message?: string }).message ?? "";
    if (call.name === "spawn_agent") {
      const path = `${thread.path}/helper${this.#next}`;
      const id = this.#uuid();
      const child = thread.trace.spawnChild({
        threadId: id,
        agentPath: path,
        taskName: `helper${this.#next}`,
      });
      const slot = this.#slot(child, id, path, threadIndex);
      slot.inbox.push(this.#task(thread.path, path, message));
      thread.children.push(this.#threads.length);
      this.#threads.push(slot);
      trace.agentActivity({ agent: { threadId: id, agentPath: path }, kind: "started" });
      return;
    }
    const target = this.#threads.find((slot) => slot.path === call.target && slot.parent === threadIndex);
    if (target === undefined) return;
    if (call.name === "followup_task" || call.name === "send_message") {
      target.inbox.push(this.#task(thread.path, target.path, message));
      trace.agentActivity({ agent: { threadId: target.id, agentPath: target.path }, kind: "interacted" });
    }
    if (call.name === "interrupt_agent") trace.agentActivity({ agent: target.trace, kind: "interrupted" });
  }

  #task(author: string, recipient: string, message: string): ModelItem {
    return {
      type: "agent_message",
      id: this.#id("amsg"),
      author,
      recipient,
      content: [
        { type: "input_text", text: `Message Type: NEW_TASK\nSender: ${author}\nPayload:\n` },
        { type: "encrypted_content", encrypted_content: message },
      ],
    };
  }

  #runtime(toolIndex: number): void {
    const tool = pick(
      this.#tools.filter((slot) => slot.plan !== "none" && slot.step < 2),
      toolIndex,
    );
    if (tool === undefined) return;
    const step = tool.step++;
    const callId = tool.trace.toolCallId;
    const thread = this.#threads[tool.thread]!;
    if (tool.plan === "exec" && step === 0) {
      const processId = String(70_000 + this.#next++);
      thread.processes.push(processId);
      tool.trace.execStarted({ command: ["/bin/sh", "-c", "echo hi"], cwd: "/srv", processId });
      thread.execs.set(processId, tool.trace);
    } else if (tool.plan === "exec" && step === 1) {
      tool.trace.execEnded({ exitCode: step % 2, stdout: "hi\n", durationMs: 1.5 });
    } else if (tool.plan === "mcp" && step === 0) {
      tool.trace.mcpStarted({ server: "docs", tool: "echo", arguments: { text: "hello" } });
      tool.trace.startMcpCall().addRequestMeta({ progressToken: 1 });
    } else if (tool.plan === "mcp" && step === 1) {
      tool.trace.mcpEnded(
        this.#next % 2 === 0 ? { ok: { content: [{ type: "text", text: "hi" }] } } : { error: "boom" },
      );
    } else if (tool.plan === "generic" && step === 0) {
      tool.trace.runtimeStarted({ call_id: callId, started_at_ms: 1, sender_thread_id: thread.id });
    } else if (tool.plan === "generic" && step === 1) {
      tool.trace.runtimeEnded("completed", { call_id: callId, completed_at_ms: 2, statuses: {} });
    }
  }

  #finish(toolIndex: number, how: "completed" | "unsuccessful" | "failed"): void {
    const tool = pick(
      this.#tools.filter((slot) => !slot.finished),
      toolIndex,
    );
    if (tool === undefined) return;
    tool.finished = true;
    const call = tool.call;
    if (call === null) {
      if (how === "failed") tool.trace.failed("the cell's tool failed");
      else tool.trace.completed({ output: "ok", exit_code: 0 }, { success: how === "completed" });
      return;
    }
    const thread = this.#threads[tool.thread]!;
    const output: ModelItem =
      call.item.type === "custom_tool_call"
        ? {
            type: "custom_tool_call_output",
            id: this.#id("ctco"),
            call_id: call.callId,
            output: [{ type: "input_text", text: "done" }],
          }
        : {
            type: "function_call_output",
            id: this.#id("fco"),
            call_id: call.callId,
            output: `result of ${call.callId}`,
          };
    if (how === "failed") tool.trace.failed(new Error("dispatch failed"), { output });
    else if (how === "unsuccessful") {
      // The runtime commits this output itself, after the call ended.
      tool.trace.completed(output, { success: false, accept: false });
      this.#latestTurn(thread)?.trace.accept([output]);
    } else tool.trace.completed(output);
    thread.history.push(output);
  }

  #nested(cellIndex: number): void {
    const cell = pick(
      this.#cells.filter((slot) => !slot.ended),
      cellIndex,
    );
    if (cell === undefined) return;
    const trace = cell.trace.startTool({
      name: "exec_command",
      payload: { type: "function", arguments: JSON.stringify({ cmd: `ls ${cell.nested}` }) },
      runtimeToolId: `tool-${++cell.nested}`,
    });
    this.#tools.push({ trace, thread: cell.thread, call: null, plan: "exec", step: 0, finished: false });
  }

  #cell(cellIndex: number, what: "yield" | "result" | "error" | "terminate"): void {
    const cell = pick(
      this.#cells.filter((slot) => !slot.ended),
      cellIndex,
    );
    if (cell === undefined) return;
    cell.ended = what !== "yield";
    const body = { cell_id: cell.runtimeId, content_items: [{ type: "input_text", text: "out" }] };
    if (what === "yield") cell.trace.initialResponse({ Yielded: body });
    else if (what === "terminate") cell.trace.ended({ Terminated: body });
    else {
      const response = { Result: { ...body, error_text: what === "error" ? "ReferenceError: x" : null } };
      cell.trace.initialResponse(response);
      cell.trace.ended(response);
    }
  }

  #compact(command: Extract<Command, { op: "compact" }>): void {
    const turn = pick(
      this.#turns.filter((slot) => !slot.ended),
      command.turn,
    );
    if (turn === undefined) return;
    const thread = this.#threads[turn.thread]!;
    const compaction = turn.trace.startCompaction({ compactionId: this.#id("compaction") });
    const request = () => ({
      model: "mock-model",
      input: [...thread.history, { type: "compaction_trigger" }],
    });
    if (command.failFirst) {
      const first = compaction.startAttempt(request);
      first.failed("compact endpoint returned 500");
      this.#compactionAttempts.push(first);
    }
    const attempt = compaction.startAttempt(request);
    this.#compactionAttempts.push(attempt);
    const summary: ModelItem = {
      type: "compaction",
      id: this.#id("cmp"),
      encrypted_content: `summary ${this.#next}`,
    };
    attempt.completed([summary]);
    if (!command.install) return;
    const replacement = [
      this.#text("developer", "<environment_context>fresh</environment_context>"),
      ...thread.history.filter((item) => item.type === "message" && item.role === "user"),
      summary,
    ];
    compaction.installed({ inputHistory: [...thread.history], replacementHistory: replacement });
    thread.history.splice(0, thread.history.length, ...replacement);
    thread.lastResponse = null;
  }

  #endTurn(turnIndex: number, status: number): void {
    const turn = pick(
      this.#turns.filter((slot) => !slot.ended),
      turnIndex,
    );
    if (turn === undefined) return;
    turn.ended = true;
    const chosen = STATUSES[status % STATUSES.length]!;
    if (chosen === "cancelled") turn.trace.abort();
    else turn.trace.end(chosen);
  }

  /** A child reports its latest turn's result; the parent receives it as an agent message. */
  #result(threadIndex: number): void {
    const children = this.#threads.filter((slot) => slot.parent !== null);
    const child = pick(children, threadIndex);
    if (child === undefined) return;
    const turn = this.#latestTurn(child);
    if (turn === undefined) return;
    const message = `Message Type: FINAL_ANSWER\nSender: ${child.path}\nPayload:\nresult ${this.#next++}`;
    turn.trace.reportAgentResult({ message, status: { completed: "done" } });
    const parent = this.#threads[child.parent!]!;
    const delivery: ModelItem = {
      type: "agent_message",
      id: this.#id("amsg"),
      author: child.path,
      recipient: parent.path,
      content: [{ type: "input_text", text: message }],
    };
    const parentTurn = this.#latestTurn(parent);
    if (parentTurn === undefined) {
      parent.inbox.push(delivery);
      return;
    }
    parentTurn.trace.accept([delivery]);
    parent.history.push(delivery);
  }

  #misuse(which: number, target: number): void {
    const misuse = MISUSES[which % MISUSES.length]!;
    const turn = pick(this.#turns, target);
    const tool = pick(this.#tools, target);
    const thread = pick(this.#threads, target)!;
    switch (misuse) {
      case "repeat-inference":
        pick(this.#attempts, target)?.completed({ responseId: "resp_again", output: [] });
        return;
      case "repeat-tool":
        tool?.trace.failed("second end");
        return;
      case "repeat-turn-end":
        turn?.trace.end();
        turn?.trace.end();
        return;
      case "request-without-input":
        turn?.trace
          .startInference({ input: "not a list" } as never)
          .completed({ responseId: "r", output: [] });
        return;
      case "throwing-thunk":
        turn?.trace.startInference(() => {
          throw new Error("request builder failed");
        });
        return;
      case "bad-kind":
        turn?.trace.startTool({
          name: "x",
          payload: { type: "function", arguments: "{}" },
          callId: this.#id("call"),
          kind: { type: "teleport" } as never,
        });
        return;
      case "duplicate-call-id": {
        const callId = pick(this.#callIds, target);
        if (callId !== undefined)
          turn?.trace
            .startTool({ name: "web_search", payload: { type: "function", arguments: "{}" }, callId })
            .completed({ type: "function_call_output", call_id: callId, output: "x" });
        return;
      }
      case "duplicate-turn-id":
        if (turn !== undefined && turn.trace.turnId !== "")
          thread.trace.startTurn({ turnId: turn.trace.turnId }).end();
        return;
      case "duplicate-thread-id":
        thread.trace
          .spawnChild({ threadId: pick(this.#threads, target + 1)!.id, agentPath: "/root/again" })
          .end();
        return;
      case "activity-in-runtime-end":
        tool?.trace.runtimeEnded("completed", { agent_thread_id: thread.id, kind: "started" });
        return;
      case "activity-wrong-kind":
        tool?.trace.agentActivity({
          agent: thread.trace,
          kind: tool.call?.name === "spawn_agent" ? "interrupted" : "started",
        });
        return;
      case "stdin-across-threads": {
        const other = pick(this.#tools, target + 1);
        if (tool !== undefined && other !== undefined) tool.trace.stdinTarget(other.trace);
        return;
      }
      case "duplicate-runtime-cell": {
        const cell = pick(this.#cells, target);
        const cellTurn = cell === undefined ? undefined : this.#latestTurn(this.#threads[cell.thread]!);
        if (cell !== undefined)
          cellTurn?.trace.startCodeCell({
            runtimeCellId: cell.runtimeId,
            callId: this.#id("call"),
            sourceJs: "1",
          });
        return;
      }
      case "result-without-parent":
        this.#latestTurn(this.#threads[0]!)?.trace.reportAgentResult({ message: "no parent" });
        return;
      case "unknown-breadcrumb":
        thread.trace.protocolEvent("agent_message_delta" as never, { delta: "x" });
        return;
      case "fractional-exit-code":
        tool?.trace.execEnded({ exitCode: 1.5 });
        return;
      case "unserializable-request": {
        const attempt = turn?.trace.startInference({ input: [], seed: 10n } as never);
        attempt?.completed({ responseId: this.#id("resp"), output: [] });
        return;
      }
      case "bad-output-item":
        pick(this.#attempts, target)?.completed({ responseId: "r", output: [{ type: 42 } as never] });
        return;
      case "install-twice": {
        const compaction = turn?.trace.startCompaction();
        compaction?.installed({ inputHistory: [], replacementHistory: [] });
        compaction?.installed({ inputHistory: [], replacementHistory: [] });
        return;
      }
      case "bad-cell-response":
        pick(this.#cells, target)?.trace.initialResponse({ Exploded: {} } as never);
        return;
      case "accept-without-id":
        turn?.trace.accept([{ type: "message", role: "user", content: [] }]);
        return;
      case "tool-result-not-an-item":
        if (tool?.call !== null) tool?.trace.completed("plain text");
        return;
      case "bad-thread-status":
        thread.trace.end("exploded" as never);
        return;
      case "stdin-runtime-start":
        tool?.trace.runtimeStarted({ command: ["sh"], cwd: "/" }, { kind: { type: "write_stdin" } });
        return;
    }
  }
}
