import { describe, expect, it } from "vitest";
import {
  CHILD_THREAD,
  events,
  eventTypes,
  message,
  payloadOf,
  ROOT_THREAD,
  record,
  reduce,
  request,
  schemaProblems,
} from "./support.ts";

describe.each([1, 2] as const)("sessions, threads and turns (trace schema %i)", (version) => {
  it("should start the rollout and the root thread with its session metadata", async () => {
    // Arrange + act
    let traceId: string | null = null;
    const dir = await record(version, (session) => {
      traceId = session.traceId;
      session.root.end("completed");
    });

    // Assert
    const { state } = reduce(dir);
    expect(state.trace_id).toBe(traceId);
    expect(state.root_thread_id).toBe(ROOT_THREAD);
    expect(state.status).toBe("completed");
    expect(state.ended_at_unix_ms).not.toBeNull();
    const root = state.threads[ROOT_THREAD]!;
    expect(root.origin).toEqual({ type: "root" });
    expect(root.agent_path).toBe("/root");
    expect(root.default_model).toBe("mock-model");
    expect(root.execution.status).toBe("completed");
    const started = events(dir)[1]!;
    expect(started.payload.type).toBe("thread_started");
    expect(payloadOf(dir, started.payload.metadata_payload)).toEqual({
      thread_id: ROOT_THREAD,
      agent_path: "/root",
      task_name: null,
      nickname: null,
      agent_role: null,
      session_source: "exec",
      cwd: "/srv/project",
      rollout_path: null,
      model: "mock-model",
      provider_name: "mock",
      approval_policy: "never",
      sandbox_policy: "DangerFullAccess",
    });
    expect(schemaProblems(dir)).toEqual([]);
    if (version === 2) expect((state as { recording_complete?: boolean }).recording_complete).toBe(true);
  });

  it("should record a spawned child in the root's bundle with a spawned origin", async () => {
    const dir = await record(version, (session) => {
      const child = session.root.spawnChild({
        threadId: CHILD_THREAD,
        agentPath: "/root/reviewer",
        taskName: "reviewer",
        nickname: "Ada",
        model: "small-model",
      });
      child.end("completed");
    });

    const { state } = reduce(dir);
    const child = state.threads[CHILD_THREAD]!;
    expect(child.agent_path).toBe("/root/reviewer");
    expect(child.nickname).toBe("Ada");
    expect(child.default_model).toBe("small-model");
    expect(child.origin).toEqual({
      type: "spawned",
      parent_thread_id: ROOT_THREAD,
      spawn_edge_id: `edge:spawn:${ROOT_THREAD}:${CHILD_THREAD}`,
      task_name: "reviewer",
      agent_role: "",
    });
    expect(child.execution.status).toBe("completed");
    // Ending a child does not end the rollout.
    expect(state.status).toBe("running");
    expect(eventTypes(dir)).not.toContain("rollout_ended");
  });

  it("should record a child without a routing path of its own under its parent's path, as Codex multi-agent v1 does", async () => {
    const dir = await record(version, (session) => {
      session.root.spawnChild({ threadId: CHILD_THREAD, nickname: "Godel" });
    });
    const started = events(dir).find((event) => event.payload.thread_id === CHILD_THREAD)!;
    const metadata = payloadOf(dir, started.payload.metadata_payload) as Record<string, unknown>;
    expect(metadata.agent_path).toBe("/root");
    expect(metadata.session_source).toEqual({
      subagent: {
        thread_spawn: {
          parent_thread_id: ROOT_THREAD,
          depth: 1,
          agent_path: null,
          agent_nickname: "Godel",
          agent_role: null,
        },
      },
    });
    expect(reduce(dir).state.threads[CHILD_THREAD]?.origin).toMatchObject({
      type: "spawned",
      task_name: "root",
    });
  });

  it("should end turns with the statuses Codex uses (complete, abort -> cancelled, failed)", async () => {
    const dir = await record(version, (session) => {
      session.root.startTurn({ turnId: "turn-done" }).end();
      session.root.startTurn({ turnId: "turn-interrupted" }).abort();
      session.root.startTurn({ turnId: "turn-failed" }).end("failed");
      session.root.startTurn({ turnId: "turn-open" });
    });

    const { state } = reduce(dir);
    const statusOf = (id: string) => state.codex_turns[id]?.execution.status;
    expect(statusOf("turn-done")).toBe("completed");
    expect(statusOf("turn-interrupted")).toBe("cancelled");
    expect(statusOf("turn-failed")).toBe("failed");
    expect(statusOf("turn-open")).toBe("running");
    expect(state.codex_turns["turn-done"]?.thread_id).toBe(ROOT_THREAD);
    const turnEvent = events(dir).find((event) => event.payload.type === "codex_turn_started")!;
    expect([turnEvent.thread_id, turnEvent.codex_turn_id]).toEqual([ROOT_THREAD, "turn-done"]);
  });

  it("should give every turn a fresh UUID v4 id when none is given", async () => {
    const ids: string[] = [];
    await record(version, (session) => {
      ids.push(session.root.startTurn().turnId, session.root.startTurn().turnId);
    });
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(2);
  });

  it("should record protocol breadcrumbs with Codex's wire tags and no envelope context", async () => {
    const dir = await record(version, (session) => {
      session.root.protocolEvent("turn_started", { turn_id: "t1" });
      session.root.protocolEvent("turn_complete", () => ({ turn_id: "t1", last_agent_message: "done" }));
      session.root.protocolEvent("shutdown_complete");
    });

    const breadcrumbs = events(dir).filter((event) => event.payload.type === "protocol_event_observed");
    expect(breadcrumbs.map((event) => event.payload.event_type)).toEqual([
      "turn_started",
      "turn_complete",
      "shutdown_complete",
    ]);
    expect(breadcrumbs.every((event) => event.thread_id === null && event.codex_turn_id === null)).toBe(true);
    expect(breadcrumbs.map((event) => payloadOf(dir, event.payload.event_payload))).toEqual([
      { type: "task_started", turn_id: "t1" },
      { type: "task_complete", turn_id: "t1", last_agent_message: "done" },
      { type: "shutdown_complete" },
    ]);
    const { state } = reduce(dir);
    expect(Object.keys(state.raw_payloads)).toHaveLength(4);
  });

  it("should start no turn in an ended thread", async () => {
    let late = 0;
    const dir = await record(version, (session) => {
      const child = session.root.spawnChild({ threadId: CHILD_THREAD, agentPath: "/root/helper" });
      child.end();
      child.startTurn({ turnId: "too-late" });
      late = session.stats().late;
    });
    expect(late).toBe(1);
    expect(reduce(dir).state.codex_turns["too-late"]).toBeUndefined();
  });
});

describe("thread resume", () => {
  it("should reopen an ended thread in schema 2 and let it run new turns", async () => {
    // Arrange + act: a child ends, is resumed, runs a turn and ends again.
    const dir = await record(2, (session) => {
      const child = session.root.spawnChild({ threadId: CHILD_THREAD, agentPath: "/root/helper" });
      child.startTurn({ turnId: "first" }).end();
      child.end();
      child.resume();
      const turn = child.startTurn({ turnId: "second", inputs: [message("user", "again", "msg_again")] });
      turn.startInference(request([message("user", "again", "msg_again")])).completed({
        responseId: "resp_again",
        output: [message("assistant", "ok", "msg_ok")],
      });
      turn.end();
      child.end("completed");
    });

    // Assert
    const { state } = reduce(dir);
    expect(eventTypes(dir)).toContain("thread_resumed");
    expect(state.codex_turns.second?.execution.status).toBe("completed");
    const child = state.threads[CHILD_THREAD]!;
    expect(child.execution.status).toBe("completed");
    const resumedAt = events(dir).findIndex((event) => event.payload.type === "thread_resumed");
    expect(child.execution.ended_seq).toBeGreaterThan(resumedAt + 1);
  });

  it("should leave the thread ended in schema 1, which has no resume, and ignore its later turns", async () => {
    const dir = await record(1, (session) => {
      const child = session.root.spawnChild({ threadId: CHILD_THREAD, agentPath: "/root/helper" });
      child.end();
      child.resume();
      child.startTurn({ turnId: "after-resume" });
    });

    const { state } = reduce(dir);
    expect(eventTypes(dir)).not.toContain("thread_resumed");
    expect(state.codex_turns["after-resume"]).toBeUndefined();
    expect(state.threads[CHILD_THREAD]?.execution.status).toBe("completed");
  });
});
