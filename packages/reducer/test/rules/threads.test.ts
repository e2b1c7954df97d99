// Spec §4.2: thread and turn lifecycle, thread metadata and spawn origins, and what a turn end closes.
import { expect } from "vitest";
import { bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import { sessionMetadata, threadSpawnSource, user } from "../support/items.ts";

const { rule, fails } = ruleFile("threads");

const CHILD = "thread-child";

rule(
  "a thread without metadata takes the event's agent path and has a root origin",
  () => {
    const b = bundle();
    b.startThread(ROOT, { agentPath: "/root/from-event" });
    return b;
  },
  (view) =>
    expect(view.thread(ROOT)).toEqual({
      thread_id: ROOT,
      agent_path: "/root/from-event",
      nickname: null,
      origin: { type: "root" },
      execution: {
        started_at_unix_ms: wallTimeOf(1),
        started_seq: 1,
        ended_at_unix_ms: null,
        ended_seq: null,
        status: "running",
      },
      default_model: null,
      conversation_item_ids: [],
    }),
);

rule(
  "session metadata gives the agent path, nickname and default model",
  () => {
    const b = bundle();
    b.startThread(ROOT, {
      agentPath: "/ignored",
      metadata: sessionMetadata(ROOT, { agent_path: "/root/meta", nickname: "Ada", model: "gpt-meta" }),
    });
    return b;
  },
  (view) => {
    const thread = view.thread(ROOT);
    expect(thread.agent_path).toBe("/root/meta");
    expect(thread.nickname).toBe("Ada");
    expect(thread.default_model).toBe("gpt-meta");
    expect(thread.origin).toEqual({ type: "root" });
  },
);

rule(
  "a thread_spawn session source makes a spawned origin from its own fields",
  () => {
    const b = bundle();
    b.startThread(ROOT);
    b.startThread(CHILD, {
      agentPath: "/event/path",
      metadata: sessionMetadata(CHILD, {
        agent_path: "/root/meta_path",
        task_name: "meta_task",
        agent_role: "meta_role",
        session_source: threadSpawnSource({
          parent_thread_id: ROOT,
          depth: 1,
          agent_path: "/root/spawn_path",
          task_name: "spawn_task",
          agent_role: "spawn_role",
        }),
      }),
    });
    return b;
  },
  (view) => {
    const thread = view.thread(CHILD);
    expect(thread.agent_path).toBe("/root/spawn_path");
    expect(thread.origin).toEqual({
      type: "spawned",
      parent_thread_id: ROOT,
      spawn_edge_id: `edge:spawn:${ROOT}:${CHILD}`,
      task_name: "spawn_task",
      agent_role: "spawn_role",
    });
    expect(view.count("interaction_edges")).toBe(0);
  },
);

rule(
  "spawn fields fall back to the metadata's agent path, task name and role",
  () => {
    const b = bundle();
    b.startThread(CHILD, {
      metadata: sessionMetadata(CHILD, {
        agent_path: "/root/meta_path",
        task_name: "meta_task",
        agent_role: "meta_role",
        session_source: threadSpawnSource({ parent_thread_id: ROOT }),
      }),
    });
    return b;
  },
  (view) => {
    expect(view.thread(CHILD).agent_path).toBe("/root/meta_path");
    expect(view.thread(CHILD).origin).toMatchObject({ task_name: "meta_task", agent_role: "meta_role" });
  },
);

rule(
  "without task names the spawned task is the last non-empty segment of the agent path, and the role is empty",
  () => {
    const b = bundle();
    b.startThread(CHILD, {
      metadata: sessionMetadata(CHILD, {
        agent_path: "/root/ignored",
        session_source: threadSpawnSource({ parent_thread_id: ROOT, agent_path: "/root/repo_counter/" }),
      }),
    });
    return b;
  },
  (view) => {
    expect(view.thread(CHILD).agent_path).toBe("/root/repo_counter/");
    expect(view.thread(CHILD).origin).toMatchObject({ task_name: "repo_counter", agent_role: "" });
  },
);

rule(
  "a spawned thread without any agent path uses the event's path for the task name",
  () => {
    const b = bundle();
    b.startThread(CHILD, {
      agentPath: "/root/from_event",
      metadata: { session_source: threadSpawnSource({ parent_thread_id: ROOT }) },
    });
    return b;
  },
  (view) => {
    expect(view.thread(CHILD).agent_path).toBe("/root/from_event");
    expect(view.thread(CHILD).origin).toMatchObject({ task_name: "from_event" });
  },
);

rule(
  "an agent path without non-empty segments is its own task name",
  () => {
    const b = bundle();
    b.startThread(CHILD, {
      metadata: { session_source: threadSpawnSource({ parent_thread_id: ROOT, agent_path: "//" }) },
    });
    return b;
  },
  (view) => expect(view.thread(CHILD).origin).toMatchObject({ task_name: "//" }),
);

rule(
  "a thread_spawn without a string parent_thread_id is a root origin",
  () => {
    const b = bundle();
    b.startThread(CHILD, {
      agentPath: "/root/child",
      metadata: {
        session_source: threadSpawnSource({ parent_thread_id: 7, agent_path: "/root/spawn_path" }),
      },
    });
    return b;
  },
  (view) => {
    expect(view.thread(CHILD).origin).toEqual({ type: "root" });
    expect(view.thread(CHILD).agent_path).toBe("/root/child");
  },
);

rule(
  "metadata fields are all optional",
  () => {
    const b = bundle();
    b.startThread(ROOT, { agentPath: "/root/event", metadata: {} });
    return b;
  },
  (view) =>
    expect(view.thread(ROOT)).toMatchObject({
      agent_path: "/root/event",
      nickname: null,
      default_model: null,
      origin: { type: "root" },
    }),
);

fails(
  "metadata with a wrongly typed field cannot be parsed",
  () => {
    const b = bundle();
    b.startThread(ROOT, { metadata: sessionMetadata(ROOT, { nickname: 42 }) });
    return b;
  },
  "parse thread metadata raw_payload:1",
);

fails(
  "metadata that is not an object cannot be parsed",
  () => {
    const b = bundle();
    b.startThread(ROOT, { metadata: ["not", "an", "object"] });
    return b;
  },
  "parse thread metadata raw_payload:1",
);

fails(
  "a thread cannot start twice",
  () => {
    const b = bundle();
    b.startThread();
    b.startThread();
    return b;
  },
  `duplicate thread start for ${ROOT}`,
);

rule(
  "thread_ended closes the thread window without touching the rollout status",
  () => {
    const b = bundle();
    b.startThread();
    b.endThread(ROOT, "aborted");
    return b;
  },
  (view) => {
    expect(view.thread(ROOT).execution).toMatchObject({
      ended_at_unix_ms: wallTimeOf(2),
      ended_seq: 2,
      status: "aborted",
    });
    expect(view.state.status).toBe("running");
    expect(view.state.ended_at_unix_ms).toBeNull();
  },
);

fails(
  "thread_ended needs a known thread",
  () => {
    const b = bundle();
    b.endThread("ghost", "completed");
    return b;
  },
  "trace event referenced unknown thread ghost",
);

rule(
  "a turn records its thread and execution window; input_item_ids stays empty",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("hi")], []);
    b.endTurn(TURN, "completed");
    return b;
  },
  (view) =>
    expect(view.turn(TURN)).toEqual({
      codex_turn_id: TURN,
      thread_id: ROOT,
      execution: {
        started_at_unix_ms: wallTimeOf(2),
        started_seq: 2,
        ended_at_unix_ms: wallTimeOf(5),
        ended_seq: 5,
        status: "completed",
      },
      input_item_ids: [],
    }),
);

fails(
  "a turn cannot start twice",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTurn();
    return b;
  },
  `duplicate codex turn start for ${TURN}`,
);

fails(
  "a turn needs a known thread",
  () => {
    const b = bundle();
    b.startTurn(TURN, "ghost");
    return b;
  },
  "trace event referenced unknown thread ghost",
);

fails(
  "a turn end whose envelope names another thread is rejected",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startThread(CHILD);
    b.endTurn(TURN, "completed", CHILD);
    return b;
  },
  `codex turn end for ${TURN} used thread ${CHILD}, but the turn belongs to ${ROOT}`,
);

rule(
  "a turn end without an envelope thread is accepted",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.endTurn(TURN, "failed", null);
    return b;
  },
  (view) => expect(view.turn(TURN).execution.status).toBe("failed"),
);

fails(
  "a turn end needs a known turn",
  () => {
    const b = bundle();
    b.startThread();
    b.endTurn("turn-ghost", "completed");
    return b;
  },
  "codex turn end referenced unknown turn turn-ghost",
);

for (const [turnStatus, inferenceStatus] of [
  ["completed", "cancelled"],
  ["cancelled", "cancelled"],
  ["failed", "failed"],
  ["aborted", "aborted"],
] as const) {
  rule(
    `a turn ended as ${turnStatus} closes its running inference calls as ${inferenceStatus}`,
    () => {
      const b = bundle();
      b.threadWithTurn();
      b.startInference("inference-open", [user("hi")]);
      b.exchange("inference-done", [user("hi")], []);
      b.endTurn(TURN, turnStatus);
      return b;
    },
    (view) => {
      expect(view.inference("inference-open").execution).toEqual({
        started_at_unix_ms: wallTimeOf(3),
        started_seq: 3,
        ended_at_unix_ms: wallTimeOf(6),
        ended_seq: 6,
        status: inferenceStatus,
      });
      expect(view.inference("inference-done").execution).toMatchObject({ ended_seq: 5, status: "completed" });
    },
  );
}

rule(
  "a turn ended as running leaves its inference calls running",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-open", [user("hi")]);
    b.endTurn(TURN, "running");
    return b;
  },
  (view) => {
    expect(view.turn(TURN).execution).toMatchObject({ ended_seq: 4, status: "running" });
    expect(view.inference("inference-open").execution).toMatchObject({ ended_seq: null, status: "running" });
  },
);

rule(
  "a turn end only closes inference calls of that turn",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTurn("turn-2");
    b.startInference("inference-turn-2", [user("hi")], { turn: "turn-2" });
    b.endTurn(TURN, "aborted");
    return b;
  },
  (view) => expect(view.inference("inference-turn-2").execution.status).toBe("running"),
);
