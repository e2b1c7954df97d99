// A small agent loop against a scripted fake model, instrumented with @rollout-trace/producer. It shows where each
// trace call goes: a shell command, a code cell whose JavaScript calls a tool, a child agent that reports back, and
// a remote compaction of the history. Nothing here talks to a real model or runs a real command.
//
// In your own project, import from "@rollout-trace/producer".
import type { ModelItem, ThreadTrace, ToolCallTrace, TraceSession, TurnTrace } from "../src/index.ts";

/** Thread ids of the example (Codex uses UUIDv7 thread ids; any UUID works). */
export const ROOT_THREAD_ID = "01a212f0-0000-7000-8000-000000000001";
export const REVIEWER_THREAD_ID = "01a212f0-0000-7000-8000-000000000002";

const MODEL = "fake-model";
const BASE_INSTRUCTIONS =
  "You are a careful coding agent. Use tools to inspect the project before answering.";
const FILES: Readonly<Record<string, string>> = {
  "README.md": "# demo\n\nFiles: src/index.ts\n",
  "src/index.ts": "export const answer = 42;\n",
  "package.json": '{ "name": "demo" }\n',
};

// ---- The world the agent acts on: a fake model and fake tools ----------------------------------------------------

/** Ids the agent gives history items, deterministic so two runs record the same content. */
function idMaker(prefix: string): (kind: string) => string {
  let next = 0;
  return (kind) => `${kind}_${prefix}${String(++next).padStart(4, "0")}`;
}

interface ModelReply {
  readonly responseId: string;
  readonly output: readonly ModelItem[];
}

/** Replies in script order; each reply depends only on how far the conversation got. */
class FakeModel {
  #responses = 0;
  readonly #script: readonly ((responseId: string) => readonly ModelItem[])[];

  constructor(script: readonly ((responseId: string) => readonly ModelItem[])[]) {
    this.#script = script;
  }

  async respond(): Promise<ModelReply> {
    const step = this.#script[this.#responses];
    const responseId = `resp_${this.#script.length}_${++this.#responses}`;
    if (step === undefined) throw new Error("the fake model ran out of script");
    return { responseId, output: step(responseId) };
  }
}

function say(id: string, text: string, phase: "commentary" | "final_answer"): ModelItem {
  return { type: "message", id, role: "assistant", content: [{ type: "output_text", text }], phase };
}

function userText(id: string, role: "user" | "developer", text: string): ModelItem {
  return { type: "message", id, role, content: [{ type: "input_text", text }] };
}

function callTool(id: string, callId: string, name: string, args: object): ModelItem {
  return { type: "function_call", id, name, arguments: JSON.stringify(args), call_id: callId };
}

/** A pretend shell: `ls` and `wc -l <file>` over {@link FILES}. */
function runShell(command: string): { output: string; exitCode: number } {
  if (command === "ls") return { output: `${Object.keys(FILES).join("\n")}\n`, exitCode: 0 };
  const file = /^wc -l (\S+)$/.exec(command)?.[1];
  const text = file === undefined ? undefined : FILES[file];
  if (text === undefined) return { output: `sh: cannot run ${command}\n`, exitCode: 1 };
  return { output: `${text.split("\n").length - 1} ${file}\n`, exitCode: 0 };
}

// ---- The agent -------------------------------------------------------------------------------------------------

/** One agent: its history, its model, and the trace handle of its thread. */
class Agent {
  readonly history: ModelItem[] = [];
  readonly thread: ThreadTrace;
  readonly path: string;
  readonly #model: FakeModel;
  readonly #newId: (kind: string) => string;

  constructor(thread: ThreadTrace, path: string, model: FakeModel, idPrefix: string) {
    this.thread = thread;
    this.path = path;
    this.#model = model;
    this.#newId = idMaker(idPrefix);
  }

  newId(kind: string): string {
    return this.#newId(kind);
  }

  /** Starts a turn whose inputs join the history (and, in schema 2, are recorded as accepted). */
  startTurn(inputs: readonly ModelItem[]): TurnTrace {
    this.history.push(...inputs);
    return this.thread.startTurn({ inputs });
  }

  /** One model request: the base instructions, then the whole history. */
  async infer(turn: TurnTrace): Promise<readonly ModelItem[]> {
    // A thunk: the request object is only built when tracing is on.
    const attempt = turn.startInference(() => ({
      model: MODEL,
      stream: true,
      input: [userText("msg_base_instructions", "developer", BASE_INSTRUCTIONS), ...this.history],
    }));
    const reply = await this.#model.respond();
    attempt.completed({
      responseId: reply.responseId,
      upstreamRequestId: `req_${reply.responseId}`,
      usage: { inputTokens: 120 * this.history.length, cachedInputTokens: 100, outputTokens: 40 },
      output: reply.output,
    });
    this.history.push(...reply.output);
    return reply.output;
  }

  /** Hands a tool's output back to the model; schema 2 records it as accepted when the tool completes. */
  finishTool(tool: ToolCallTrace, callId: string, output: string): void {
    const item: ModelItem = { type: "function_call_output", id: this.newId("fco"), call_id: callId, output };
    tool.completed(item);
    this.history.push(item);
  }
}

/** The text of a message item's first content part. */
function textOf(item: ModelItem | undefined): string {
  const content = item?.content;
  const first: unknown = Array.isArray(content) ? content[0] : undefined;
  const text = typeof first === "object" && first !== null ? (first as { text?: unknown }).text : undefined;
  return typeof text === "string" ? text : "";
}

function functionCalls(output: readonly ModelItem[]): ModelItem[] {
  return output.filter((item) => item.type === "function_call" || item.type === "custom_tool_call");
}

/** The shell tool: the runtime's begin and end observations, then the output for the model. */
function shellTool(agent: Agent, turn: TurnTrace, call: ModelItem): void {
  const args = JSON.parse(call.arguments as string) as { cmd: string };
  const callId = call.call_id as string;
  const tool = turn.startTool({
    name: "exec_command",
    payload: { type: "function", arguments: call.arguments as string },
    callId,
  });
  tool.execStarted({ command: ["/bin/sh", "-c", args.cmd], cwd: "/project", source: "agent" });
  const { output, exitCode } = runShell(args.cmd);
  tool.execEnded({ exitCode, stdout: output, durationMs: 3 });
  agent.finishTool(tool, callId, output);
}

/** Code mode: the model's `exec` call runs JavaScript in a cell; the cell's own tool call is traced inside it. */
function codeCellTool(agent: Agent, turn: TurnTrace, call: ModelItem): void {
  const callId = call.call_id as string;
  const source = call.input as string;
  // Schema 2 traces the `exec` call itself; schema 1 records only the cell (the handle is then a no-op).
  const execTool = turn.startTool({ name: "exec", payload: { type: "custom", input: source }, callId });
  const cell = turn.startCodeCell({ runtimeCellId: "1", callId, sourceJs: source });
  const nested = cell.startTool({
    name: "exec_command",
    payload: { type: "function", arguments: JSON.stringify({ cmd: "wc -l README.md" }) },
    runtimeToolId: "tool-1",
  });
  nested.execStarted({ command: ["/bin/sh", "-c", "wc -l README.md"], cwd: "/project", source: "agent" });
  const counted = runShell("wc -l README.md");
  nested.execEnded({ exitCode: counted.exitCode, stdout: counted.output, durationMs: 2 });
  nested.completed({ output: counted.output, exit_code: counted.exitCode });
  const result = {
    Result: { cell_id: "1", content_items: [{ type: "input_text", text: counted.output }], error_text: null },
  };
  cell.initialResponse(result);
  cell.ended(result);
  const item: ModelItem = {
    type: "custom_tool_call_output",
    id: agent.newId("ctco"),
    call_id: callId,
    output: [{ type: "input_text", text: counted.output }],
  };
  execTool.completed(item);
  agent.history.push(item);
}

/** The reviewer child agent: runs one turn on the task it was given and reports the result to its parent. */
/** The reviewer child agent: one turn on the task it was given; returns the notification sent to its parent. */
async function runReviewer(reviewer: Agent, task: ModelItem): Promise<string> {
  const turn = reviewer.startTurn([
    userText(reviewer.newId("msg"), "developer", "You review documentation."),
  ]);
  // The task arrives as an agent message in the child's history (schema 2 records its acceptance).
  turn.accept([task]);
  reviewer.history.push(task);
  const output = await reviewer.infer(turn);
  turn.end();
  const answer = textOf(output[0]);
  const notification = `Message Type: FINAL_ANSWER\nSender: ${reviewer.path}\nPayload:\n${answer}`;
  turn.reportAgentResult({ message: notification, status: { completed: answer } });
  return notification;
}

const REVIEW_TASK = "Check that README.md mentions every source file.";

/** The main agent's multi-agent tools: spawning the reviewer, and waiting for its result. */
class Team {
  reviewer: Agent | null = null;
  readonly #main: Agent;
  readonly #reviewerModel: FakeModel;

  constructor(main: Agent, reviewerModel: FakeModel) {
    this.#main = main;
    this.#reviewerModel = reviewerModel;
  }

  spawn(turn: TurnTrace, call: ModelItem): void {
    const callId = call.call_id as string;
    const tool = turn.startTool({
      name: "spawn_agent",
      namespace: "collaboration",
      payload: { type: "function", arguments: call.arguments as string },
      callId,
    });
    const child = this.#main.thread.spawnChild({
      threadId: REVIEWER_THREAD_ID,
      agentPath: "/root/reviewer",
      taskName: "reviewer",
      nickname: "Ada",
    });
    this.reviewer = new Agent(child, "/root/reviewer", this.#reviewerModel, "reviewer");
    // What the spawn did to the child: the reducers link the spawn to the task message the child received.
    tool.agentActivity({ agent: child, kind: "started", model: MODEL });
    this.#main.finishTool(tool, callId, JSON.stringify({ task_name: "/root/reviewer" }));
  }

  /** Waits for the reviewer: it runs its turn meanwhile, and its result reaches the main agent as a message. */
  async wait(turn: TurnTrace, call: ModelItem): Promise<void> {
    const callId = call.call_id as string;
    const tool = turn.startTool({
      name: "wait_agent",
      namespace: "collaboration",
      payload: { type: "function", arguments: call.arguments as string },
      callId,
    });
    tool.runtimeStarted({
      call_id: callId,
      sender_thread_id: ROOT_THREAD_ID,
      receiver_thread_ids: [REVIEWER_THREAD_ID],
    });
    const reviewer = this.reviewer;
    if (reviewer === null) throw new Error("the model waited before spawning the reviewer");
    const task: ModelItem = {
      type: "agent_message",
      id: reviewer.newId("amsg"),
      author: "/root",
      recipient: reviewer.path,
      content: [
        { type: "input_text", text: "Message Type: NEW_TASK\nSender: /root\nPayload:\n" },
        { type: "encrypted_content", encrypted_content: REVIEW_TASK },
      ],
    };
    const notification = await runReviewer(reviewer, task);
    tool.runtimeEnded("completed", { call_id: callId, sender_thread_id: ROOT_THREAD_ID, statuses: {} });
    this.#main.finishTool(tool, callId, JSON.stringify({ message: "Wait completed.", timed_out: false }));
    const result: ModelItem = {
      type: "agent_message",
      id: this.#main.newId("amsg"),
      author: reviewer.path,
      recipient: "/root",
      content: [{ type: "input_text", text: notification }],
    };
    turn.accept([result]);
    this.#main.history.push(result);
  }
}

export interface AgentLoopResult {
  /** The final answer of the root agent. */
  readonly answer: string;
}

/**
 * Runs the example session on `trace` (its root thread is the main agent) and ends both threads. The caller
 * closes the session.
 */
export async function runAgentLoop(trace: TraceSession): Promise<AgentLoopResult> {
  const mainModel = new FakeModel([
    () => [
      {
        type: "reasoning",
        id: "rs_1",
        summary: [{ type: "summary_text", text: "List the files first." }],
        encrypted_content: "ZmlsZXM=",
      },
      say("msg_r1", "Listing the project files.", "commentary"),
      callTool("fc_1", "call_ls", "exec_command", { cmd: "ls" }),
    ],
    () => [
      {
        type: "custom_tool_call",
        id: "ctc_2",
        name: "exec",
        input: 'const r = await tools.exec_command({ cmd: "wc -l README.md" });\ntext(r.output);\n',
        call_id: "call_cell",
      },
    ],
    () => [callTool("fc_3", "call_spawn", "spawn_agent", { task_name: "reviewer", message: REVIEW_TASK })],
    () => [callTool("fc_4", "call_wait", "wait_agent", { timeout_ms: 30000 })],
    () => [say("msg_r5", "The project has 3 files; the README lists only src/index.ts.", "final_answer")],
  ]);
  const reviewerModel = new FakeModel([
    () => [say("msg_c1", "README.md does not mention package.json.", "final_answer")],
  ]);

  const root = trace.root;
  root.protocolEvent("session_configured", { model: MODEL, cwd: "/project" });
  const main = new Agent(root, "/root", mainModel, "main");
  const team = new Team(main, reviewerModel);
  const turn = main.startTurn([
    userText(main.newId("msg"), "developer", "<environment_context>cwd: /project</environment_context>"),
    userText(main.newId("msg"), "user", "How many files does the project have, and is the README complete?"),
  ]);
  root.protocolEvent("turn_started", { turn_id: turn.turnId });

  // The loop: ask the model, run the tools it calls, repeat until it answers.
  let answer = "";
  for (;;) {
    const output = await main.infer(turn);
    const calls = functionCalls(output);
    if (calls.length === 0) {
      answer = textOf(output[0]);
      break;
    }
    for (const call of calls) {
      if (call.type === "custom_tool_call") codeCellTool(main, turn, call);
      else if (call.name === "exec_command") shellTool(main, turn, call);
      else if (call.name === "spawn_agent") team.spawn(turn, call);
      else if (call.name === "wait_agent") {
        await team.wait(turn, call);
        // The history grew long: compact it before the next request.
        compactHistory(main, turn);
      }
    }
  }
  turn.end();
  root.protocolEvent("turn_complete", { turn_id: turn.turnId, last_agent_message: answer });
  team.reviewer?.thread.end();
  root.protocolEvent("shutdown_complete");
  root.end();
  return { answer };
}

/** Remote compaction: the endpoint summarizes the history, which is then replaced by a shorter one. */
function compactHistory(agent: Agent, turn: TurnTrace): void {
  const compaction = turn.startCompaction();
  const attempt = compaction.startAttempt(() => ({
    model: MODEL,
    instructions: "Summarize the conversation so far.",
    input: [...agent.history, { type: "compaction_trigger" }],
  }));
  const summary: ModelItem = {
    type: "compaction",
    id: "cmp_1",
    encrypted_content: "c3VtbWFyeSBvZiB0aGUgd29yaw==",
  };
  attempt.completed([summary]);
  const kept = agent.history.filter((item) => item.type === "message" && item.role === "user");
  const replacement = [
    userText(agent.newId("msg"), "developer", "<environment_context>cwd: /project</environment_context>"),
    ...kept,
    summary,
  ];
  compaction.installed({ inputHistory: [...agent.history], replacementHistory: replacement });
  agent.history.splice(0, agent.history.length, ...replacement);
}
