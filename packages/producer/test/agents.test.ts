import type { RolloutTraceV2 } from "@rollout-trace/schema";
import { describe, expect, it } from "vitest";
import type { ModelItem, ThreadTrace, TraceSession, TurnTrace } from "../src/index.ts";
import {
  agentMessage,
  CHILD_THREAD,
  events,
  functionCall,
  functionOutput,
  message,
  payloadOf,
  ROOT_THREAD,
  record,
  reduce,
  request,
} from "./support.ts";

const TASK = "Count the files in the working directory.";
const FINAL = "Message Type: FINAL_ANSWER\nSender: /root/counter\nPayload:\n3 files";

/** The task as the child receives it: a header, then the task as encrypted content (as Codex 0.169 sends it). */
function taskMessage(): ModelItem {
  return {
    type: "agent_message",
    id: "amsg_task",
    author: "/root",
    recipient: "/root/counter",
    content: [
      { type: "input_text", text: "Message Type: NEW_TASK\nSender: /root\nPayload:\n" },
      { type: "encrypted_content", encrypted_content: TASK },
    ],
  };
}

interface Spawned {
  readonly parentTurn: TurnTrace;
  readonly child: ThreadTrace;
}

/** The parent spawns a child that runs one turn on its task and reports back. */
function spawnAndReport(session: TraceSession): Spawned {
  const parentTurn = session.root.startTurn({ turnId: "parent-turn" });
  const call = functionCall("spawn_agent", { task_name: "counter", message: TASK }, "call_spawn", "fc_spawn");
  parentTurn
    .startInference(request([message("user", "count files", "msg_u")]))
    .completed({ responseId: "resp_p1", output: [call] });
  const spawn = parentTurn.startTool({
    name: "spawn_agent",
    namespace: "collaboration",
    payload: { type: "function", arguments: call.arguments as string },
    callId: "call_spawn",
  });
  const child = session.root.spawnChild({
    threadId: CHILD_THREAD,
    agentPath: "/root/counter",
    taskName: "counter",
  });
  spawn.agentActivity({ agent: child, kind: "started", model: "mock-model" });
  spawn.completed(functionOutput("call_spawn", '{"task_name":"/root/counter"}', "fco_spawn"));

  const childTurn = child.startTurn({ turnId: "child-turn" });
  childTurn.accept([taskMessage()]);
  childTurn
    .startInference(request([taskMessage()]))
    .completed({ responseId: "resp_c1", output: [message("assistant", "3 files", "msg_c_final")] });
  childTurn.end();
  childTurn.reportAgentResult({ message: FINAL, status: { completed: "3 files" } });
  return { parentTurn, child };
}

function itemWithText(state: RolloutTraceV2, thread: string, text: string): string {
  const found = state.threads[thread]!.conversation_item_ids.find((id) =>
    state.conversation_items[id]!.body.parts.some(
      (part) =>
        (part.type === "text" && part.text === text) || (part.type === "encoded" && part.value === text),
    ),
  );
  if (found === undefined) throw new Error(`no item with ${text} in ${thread}`);
  return found;
}

describe.each([1, 2] as const)("agents (trace schema %i)", (version) => {
  it("should link the spawn to the task the child received and the result to the parent's delivery", async () => {
    // Arrange + act: spawn, child turn, result delivered into the parent's next request.
    const delivery = agentMessage("/root/counter", "/root", FINAL, "amsg_final");
    const dir = await record(version, (session) => {
      const { parentTurn } = spawnAndReport(session);
      parentTurn.accept([delivery]);
      parentTurn.startInference(request([message("user", "count files", "msg_u"), delivery])).completed({
        responseId: "resp_p2",
        output: [message("assistant", "There are 3 files.", "msg_p_final")],
      });
    });

    // Assert
    const { state } = reduce(dir);
    const spawnEdge = state.interaction_edges[`edge:spawn:${ROOT_THREAD}:${CHILD_THREAD}`]!;
    const taskItem = itemWithText(state, CHILD_THREAD, TASK);
    expect(spawnEdge.kind).toBe("spawn_agent");
    expect(spawnEdge.source).toEqual({ type: "tool_call", tool_call_id: "call_spawn" });
    expect(spawnEdge.target).toEqual({ type: "conversation_item", item_id: taskItem });
    expect(state.conversation_items[taskItem]!.agent_message).toEqual({
      author: "/root",
      recipient: "/root/counter",
    });

    const resultId = `edge:agent_result:${CHILD_THREAD}:child-turn:${ROOT_THREAD}`;
    const resultEdge = state.interaction_edges[resultId]!;
    expect(resultEdge.kind).toBe("agent_result");
    expect(resultEdge.source).toEqual({
      type: "conversation_item",
      item_id: itemWithText(state, CHILD_THREAD, "3 files"),
    });
    expect(resultEdge.target).toEqual({
      type: "conversation_item",
      item_id: itemWithText(state, ROOT_THREAD, FINAL),
    });
    const observed = events(dir).find((event) => event.payload.type === "agent_result_observed")!;
    expect([observed.thread_id, observed.codex_turn_id]).toEqual([CHILD_THREAD, "child-turn"]);
    expect(payloadOf(dir, observed.payload.carried_payload)).toEqual({
      child_agent_path: "/root/counter",
      message: FINAL,
      status: { completed: "3 files" },
    });
    expect(resultEdge.carried_raw_payload_ids).toEqual([
      (observed.payload.carried_payload as { raw_payload_id: string }).raw_payload_id,
    ]);
  });

  it("should record a follow-up task as an assign edge and an interrupt as a close edge", async () => {
    const followUp = "Now count the directories.";
    const dir = await record(version, (session) => {
      const { parentTurn, child } = spawnAndReport(session);
      const follow = functionCall(
        "followup_task",
        { target: "/root/counter", message: followUp },
        "call_follow",
        "fc_follow",
      );
      const stop = functionCall("interrupt_agent", { target: "/root/counter" }, "call_stop", "fc_stop");
      parentTurn
        .startInference(request([message("user", "more", "msg_more")]))
        .completed({ responseId: "resp_p2", output: [follow, stop] });
      const assign = parentTurn.startTool({
        name: "followup_task",
        namespace: "collaboration",
        payload: { type: "function", arguments: follow.arguments as string },
        callId: "call_follow",
      });
      assign.agentActivity({ agent: child, kind: "interacted" });
      assign.completed(functionOutput("call_follow", "{}", "fco_follow"));
      const task: ModelItem = {
        type: "agent_message",
        id: "amsg_follow",
        author: "/root",
        recipient: "/root/counter",
        content: [
          { type: "input_text", text: "header" },
          { type: "encrypted_content", encrypted_content: followUp },
        ],
      };
      child
        .startTurn({ turnId: "child-turn-2", inputs: [task] })
        .startInference(request([taskMessage(), task]));
      const interrupt = parentTurn.startTool({
        name: "interrupt_agent",
        namespace: "collaboration",
        payload: { type: "function", arguments: stop.arguments as string },
        callId: "call_stop",
      });
      interrupt.agentActivity({ agent: child, kind: "interrupted" });
      interrupt.completed(functionOutput("call_stop", "{}", "fco_stop"));
    });

    const { state } = reduce(dir);
    const assign = state.interaction_edges["edge:tool:call_follow"]!;
    expect(assign.kind).toBe("assign_agent_task");
    expect(assign.target).toEqual({
      type: "conversation_item",
      item_id: itemWithText(state, CHILD_THREAD, followUp),
    });
    const close = state.interaction_edges["edge:tool:call_stop"]!;
    expect(close.kind).toBe("close_agent");
    expect(close.target).toEqual({ type: "thread", thread_id: CHILD_THREAD });
  });

  it("should refuse activity that contradicts the call and a second report of the same turn", async () => {
    let stats = { refused: 0, repeated: 0 };
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const shell = turn.startTool({
        name: "exec_command",
        payload: { type: "function", arguments: "{}" },
        callId: "call_sh",
      });
      shell.agentActivity({ agent: { threadId: CHILD_THREAD, agentPath: "/root/x" }, kind: "started" });
      const spawn = turn.startTool({
        name: "spawn_agent",
        payload: { type: "function", arguments: '{"task_name":"x"}' },
        callId: "call_spawn_without_message",
      });
      // The reducers take the task text from the invocation's `message` argument; without one, no spawn edge.
      spawn.agentActivity({ agent: { threadId: CHILD_THREAD, agentPath: "/root/x" }, kind: "started" });
      const child = session.root.spawnChild({ threadId: CHILD_THREAD, agentPath: "/root/x" });
      const childTurn = child.startTurn();
      childTurn.reportAgentResult({ message: "done" });
      childTurn.reportAgentResult({ message: "done again" });
      session.root.startTurn().reportAgentResult({ message: "the root has no parent" });
      stats = session.stats();
    });
    expect(stats).toMatchObject({ refused: 3, repeated: 1 });
    expect(events(dir).filter((event) => event.payload.type === "agent_result_observed")).toHaveLength(1);
    expect(Object.keys(reduce(dir).state.interaction_edges)).toHaveLength(0);
  });
});

describe("accepted agent messages (trace schema 2)", () => {
  it("should store the full agent message so the reducer creates the recipient's item on acceptance", async () => {
    const dir = await record(2, (session) => {
      spawnAndReport(session);
    });
    const lines = events(dir);
    const accepted = lines.find((event) => event.payload.item_id === "amsg_task")!;
    expect(accepted.thread_id).toBe(CHILD_THREAD);
    expect(payloadOf(dir, accepted.payload.agent_message_payload)).toEqual(taskMessage());
    const { state } = reduce(dir);
    const item = state.conversation_items[itemWithText(state, CHILD_THREAD, TASK)]!;
    expect(item.accepted_seq).toBe(lines.indexOf(accepted) + 1);
  });
});
