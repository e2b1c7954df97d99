// inspectState: the readable digest of a reduced state, checked against facts of real Codex recordings.
import fs from "node:fs";
import path from "node:path";
import type { RolloutTrace } from "@rollout-trace/schema";
import { describe, expect, it } from "vitest";
import { inspectState, replayBundleSync, SHORT_TEXT_LIMIT } from "../src/index.ts";
import { RECORDED_DIR, recordedBundles } from "./corpora.ts";

function recordedState(version: 1 | 2, scenario: string): RolloutTrace {
  return JSON.parse(fs.readFileSync(path.join(RECORDED_DIR, `v${version}`, scenario, "state.json"), "utf8"));
}

/** Threads/turns/inference calls/tool calls/code cells/compactions/edges per scenario, from the fixtures README. */
function documentedCounts(): Map<string, number[]> {
  const readme = fs.readFileSync(path.join(RECORDED_DIR, "README.md"), "utf8");
  const counts = new Map<string, number[]>();
  for (const row of readme.split("\n")) {
    const scenario = /^\| `([a-z0-9-]+)` \|/.exec(row)?.[1];
    if (scenario === undefined) continue;
    const cells = row.split("|").map((cell) => cell.trim());
    // The last four columns: v1 events, v1 counts, v2 events, v2 counts.
    const [v1, v2] = [cells.at(-4), cells.at(-2)];
    for (const [version, text] of [
      [1, v1],
      [2, v2],
    ] as const) {
      if (text !== undefined && /^\d+(\/\d+){6}$/.test(text))
        counts.set(`recorded/v${version}/${scenario}`, text.split("/").map(Number));
    }
  }
  return counts;
}

describe("counts of every recorded bundle", () => {
  const documented = documentedCounts();
  const bundles = [...recordedBundles(1), ...recordedBundles(2)];

  it("has documented counts for every recorded bundle", () => {
    expect(bundles.length).toBeGreaterThanOrEqual(60);
    for (const bundle of bundles) expect(documented.has(bundle.name), bundle.name).toBe(true);
  });

  it.each(bundles.map((bundle) => [bundle.name, bundle] as const))("%s", (name, bundle) => {
    const report = inspectState(JSON.parse(bundle.expectedState as string));
    const { counts } = report;
    expect([
      counts.threads,
      counts.turns,
      counts.inferenceCalls,
      counts.toolCalls,
      counts.codeCells,
      counts.compactions,
      counts.interactionEdges,
    ]).toEqual(documented.get(name));
    // Every thread, turn, call and transcript item lands in exactly one thread's section.
    const sum = (pick: (thread: (typeof report.threads)[number]) => number) =>
      report.threads.reduce((total, thread) => total + pick(thread), 0);
    expect(report.threads).toHaveLength(counts.threads);
    expect(sum((thread) => thread.turns.length)).toBe(counts.turns);
    expect(sum((thread) => thread.inferenceCalls.length)).toBe(counts.inferenceCalls);
    expect(sum((thread) => thread.toolCalls.length)).toBe(counts.toolCalls);
    expect(sum((thread) => thread.codeCells.length)).toBe(counts.codeCells);
    expect(sum((thread) => thread.terminalOperations.length)).toBe(counts.terminalOperations);
    expect(sum((thread) => thread.terminalSessions.length)).toBe(counts.terminalSessions);
  });

  it("reads the same from a replay in memory as from state.json", () => {
    for (const bundle of bundles.slice(0, 12)) {
      const fromReplay = inspectState(replayBundleSync(bundle.dir).state as unknown as RolloutTrace);
      const fromFile = inspectState(JSON.parse(bundle.expectedState as string));
      expect(JSON.parse(JSON.stringify(fromReplay))).toEqual(fromFile);
    }
  });
});

describe("a shell command (schema 2)", () => {
  const report = inspectState(recordedState(2, "exec-shell"));
  const [thread] = report.threads;

  it("has the rollout's status, duration and token totals", () => {
    expect(report).toMatchObject({
      schemaVersion: 2,
      status: "completed",
      recordingComplete: true,
      durationMs: 1795613023555 - 1795613023215,
    });
    expect(report.tokens).toEqual({
      input: 400,
      cachedInput: 100,
      cacheWriteInput: 0,
      output: 50,
      reasoningOutput: 0,
      callsWithUsage: 2,
    });
  });

  it("lists the turn and both inference calls with model, usage and latency", () => {
    expect(thread?.agentPath).toBe("/root");
    expect(thread?.origin).toEqual({ type: "root" });
    expect(thread?.turns).toEqual([
      {
        turnId: "01a212e0-5bfc-7560-82e3-ea51a770ecf6",
        status: "completed",
        startedAtUnixMs: 1795613023235,
        durationMs: 1795613023541 - 1795613023235,
        inferenceCalls: 2,
        toolCalls: 1,
      },
    ]);
    expect(
      thread?.inferenceCalls.map((call) => [call.model, call.provider, call.status, call.latencyMs]),
    ).toEqual([
      ["mock-model", "mock", "completed", 31],
      ["mock-model", "mock", "completed", 53],
    ]);
    expect(thread?.inferenceCalls[0]).toMatchObject({
      usage: { input: 100, cachedInput: 0, cacheWriteInput: 0, output: 20, reasoningOutput: 0 },
      requestItems: 4,
      responseItems: 3,
      toolCallIds: ["call_5mrif_1"],
    });
  });

  it("shows the tool call through its terminal operation", () => {
    expect(thread?.toolCalls).toEqual([
      expect.objectContaining({
        toolCallId: "call_5mrif_1",
        kind: "exec_command",
        status: "completed",
        requester: "model",
        label: { text: "/bin/bash -lc echo hi && ls", truncated: false },
        terminalOperationId: "terminal_operation:1",
      }),
    ]);
    expect(thread?.toolCallsByKind).toEqual([{ kind: "exec_command", total: 1, byStatus: { completed: 1 } }]);
    expect(thread?.terminalSessions).toEqual([
      {
        terminalId: "terminal_session:terminal_operation:1",
        createdByOperationId: "terminal_operation:1",
        operationIds: ["terminal_operation:1"],
      },
    ]);
    expect(thread?.terminalOperations).toEqual([
      {
        operationId: "terminal_operation:1",
        terminalId: "terminal_session:terminal_operation:1",
        kind: "exec_command",
        toolCallId: "call_5mrif_1",
        status: "completed",
        durationMs: 4,
        input: { text: "/bin/bash -lc echo hi && ls", truncated: false },
        exitCode: 0,
        output: { text: "hi\na.txt\nb.txt\n", truncated: false },
      },
    ]);
  });

  it("gives the model-visible transcript with acceptance", () => {
    const transcript = thread?.transcript ?? [];
    expect(transcript.map((entry) => [entry.role, entry.channel, entry.kind, entry.accepted])).toEqual([
      ["developer", null, "message", false],
      ["developer", null, "message", true],
      ["user", null, "message", true],
      ["user", null, "message", true],
      ["assistant", "analysis", "reasoning", true],
      ["assistant", "commentary", "message", true],
      ["assistant", "commentary", "function_call", true],
      ["tool", "commentary", "function_call_output", true],
      ["assistant", "final", "message", true],
    ]);
    expect(transcript[0]?.text.truncated).toBe(true);
    expect(transcript[0]?.text.text).toHaveLength(SHORT_TEXT_LIMIT);
    expect(transcript[3]?.text).toEqual({ text: "[[script:shell]] list the files", truncated: false });
    expect(transcript[4]?.text.text).toBe("I should list the files.\n[encrypted_content]");
    expect(transcript[6]).toMatchObject({
      itemId: "conversation_item:7",
      callId: "call_5mrif_1",
      toolCallId: "call_5mrif_1",
      text: { text: '{"cmd":"echo hi && ls","yield_time_ms":2000}', truncated: false },
    });
    expect(transcript[7]?.toolCallId).toBe("call_5mrif_1");
    expect(transcript[6]?.producedBy).toEqual([expect.stringMatching(/^inference /)]);
  });
});

describe("schema 1", () => {
  it("lists a one-shot command that ran in no terminal session", () => {
    const report = inspectState(recordedState(1, "exec-shell-command-tool"));
    const [thread] = report.threads;
    expect(thread?.terminalSessions).toEqual([]);
    expect(thread?.terminalOperations).toEqual([
      expect.objectContaining({ terminalId: null, kind: "exec_command", status: "completed", exitCode: 0 }),
    ]);
  });

  it("has no acceptance and no cache-write tokens", () => {
    const report = inspectState(recordedState(1, "exec-shell"));
    expect(report.recordingComplete).toBeNull();
    expect(report.tokens.cacheWriteInput).toBeNull();
    for (const entry of report.threads[0]?.transcript ?? []) expect(entry.accepted).toBeNull();
  });
});

describe("multi-agent v2", () => {
  const report = inspectState(recordedState(2, "exec-multi-agent-v2"));

  it("orders the thread tree from the root", () => {
    expect(report.threads.map((thread) => [thread.agentPath, thread.depth, thread.origin.type])).toEqual([
      ["/root", 0, "root"],
      ["/root/file_counter", 1, "spawned"],
    ]);
    expect(report.threads[0]?.childThreadIds).toEqual([report.threads[1]?.threadId]);
    expect(report.threads[1]?.origin).toMatchObject({ taskName: "file_counter", agentRole: "" });
  });

  it("tallies tool calls by kind and status", () => {
    expect(report.threads[0]?.toolCallsByKind).toEqual([
      { kind: "wait_agent", total: 2, byStatus: { completed: 2 } },
      { kind: "assign_agent_task", total: 1, byStatus: { completed: 1 } },
      { kind: "other list_agents", total: 1, byStatus: { completed: 1 } },
      { kind: "send_message", total: 1, byStatus: { completed: 1 } },
      { kind: "spawn_agent", total: 1, byStatus: { completed: 1 } },
    ]);
    const labels = report.threads[0]?.toolCalls.map((tool) => tool.label.text);
    expect(labels).toContain('collaboration.wait_agent: {"timeout_ms":30000}');
  });

  it("resolves interaction edges to threads and agent paths", () => {
    const spawn = report.interactionEdges.find((edge) => edge.kind === "spawn_agent");
    expect(spawn?.source).toMatchObject({ type: "tool_call", id: "call_5nkd0_1", agentPath: "/root" });
    expect(spawn?.target).toMatchObject({
      type: "conversation_item",
      id: "conversation_item:10",
      agentPath: "/root/file_counter",
    });
    expect(report.interactionEdges.map((edge) => edge.kind).sort()).toEqual([
      "agent_result",
      "agent_result",
      "assign_agent_task",
      "spawn_agent",
    ]);
    const results = report.interactionEdges.filter((edge) => edge.kind === "agent_result");
    for (const edge of results) {
      expect(edge.source.agentPath).toBe("/root/file_counter");
      expect(edge.target.agentPath).toBe("/root");
    }
    const child = report.threads[1]?.transcript ?? [];
    expect(child.some((entry) => entry.agentMessage?.author === "/root")).toBe(true);
  });
});

describe("code cells and compactions", () => {
  it("reports a code cell with its nested and wait calls", () => {
    const report = inspectState(recordedState(2, "exec-code-mode"));
    expect(report.threads[0]?.codeCells).toEqual([
      {
        codeCellId: "code_cell:call_5npo0_1",
        callId: "call_5npo0_1",
        turnId: "01a212e1-0926-79a1-883c-6e61c0574e88",
        runtimeStatus: "completed",
        status: "completed",
        durationMs: 1795613068827 - 1795613067758,
        yielded: true,
        source: expect.objectContaining({ truncated: false }),
        nestedToolCallIds: ["exec-6908115a-4291-4398-b304-cb2ad19ba1d4"],
        waitToolCallIds: ["call_5npo0_2"],
      },
    ]);
    const nested = report.threads[0]?.toolCalls.find(
      (tool) => tool.toolCallId === "exec-6908115a-4291-4398-b304-cb2ad19ba1d4",
    );
    expect(nested?.requester).toBe("code_cell code_cell:call_5npo0_1");
  });

  it("reports a failed remote compaction that installed nothing", () => {
    const report = inspectState(recordedState(2, "exec-compact-remote-failed"));
    expect(report.threads[0]?.compactions).toEqual([
      {
        compactionId: "01a212e2-43c1-7271-8992-a6ae082d1421",
        turnId: "01a212e2-431d-7330-be98-361baebd5c55",
        installed: false,
        installedAtUnixMs: null,
        markerItemId: null,
        inputItems: 0,
        replacementItems: 0,
        requests: [
          {
            requestId: "compaction_request:1",
            model: "mock-model",
            provider: "OpenAI",
            status: "failed",
            durationMs: 28,
          },
        ],
      },
    ]);
  });

  it("reports an installed remote compaction", () => {
    const report = inspectState(recordedState(2, "exec-compact-remote"));
    const [compaction] = report.threads[0]?.compactions ?? [];
    expect(compaction?.installed).toBe(true);
    expect(compaction?.requests.map((request) => request.status)).toEqual(["completed"]);
    expect(compaction?.replacementItems).toBeGreaterThan(0);
  });
});

describe("hand-made states", () => {
  const window = (seq: number, ended = true) => ({
    started_at_unix_ms: 1000 + seq,
    started_seq: seq,
    ended_at_unix_ms: ended ? 2000 + seq : null,
    ended_seq: ended ? seq + 100 : null,
    status: ended ? ("completed" as const) : ("running" as const),
  });
  const thread = (id: string, seq: number, parent: string | null) => ({
    thread_id: id,
    agent_path: parent === null ? "/root" : `/root/${id}`,
    nickname: null,
    origin:
      parent === null
        ? { type: "root" as const }
        : {
            type: "spawned" as const,
            parent_thread_id: parent,
            spawn_edge_id: `edge:spawn:${parent}:${id}`,
            task_name: id,
            agent_role: "",
          },
    execution: window(seq),
    default_model: null,
    conversation_item_ids: [],
  });
  const base = {
    schema_version: 1 as const,
    trace_id: "t",
    rollout_id: "r",
    started_at_unix_ms: 1000,
    ended_at_unix_ms: null,
    status: "running" as const,
    root_thread_id: "root",
    codex_turns: {},
    conversation_items: {},
    inference_calls: {},
    code_cells: {},
    tool_calls: {},
    terminal_sessions: {},
    terminal_operations: {},
    compactions: {},
    compaction_requests: {},
    interaction_edges: {},
    raw_payloads: {},
  };

  it("puts the root first, children after their parent by start, and keeps orphans and cycles", () => {
    const report = inspectState({
      ...base,
      threads: {
        a: thread("a", 5, "root"),
        b: thread("b", 3, "root"),
        c: thread("c", 4, "b"),
        orphan: thread("orphan", 1, "gone"),
        root: thread("root", 2, null),
        x: thread("x", 6, "y"),
        y: thread("y", 7, "x"),
      },
    });
    expect(report.threads.map((t) => [t.threadId, t.depth])).toEqual([
      ["root", 0],
      ["b", 1],
      ["c", 2],
      ["a", 1],
      ["orphan", 0],
      ["x", 0],
      ["y", 1],
    ]);
    expect(report.durationMs).toBeNull();
    expect(report.status).toBe("running");
  });

  it("passes partial-replay diagnostics through", () => {
    const diagnostics = [{ file: "trace.jsonl", line: 9, message: "torn last line skipped: EOF" }];
    const report = inspectState({ ...base, threads: {}, replay_diagnostics: diagnostics });
    expect(report.replayDiagnostics).toEqual(diagnostics);
  });

  it("cuts long texts on code points, never inside a surrogate pair", () => {
    const text = "😀".repeat(SHORT_TEXT_LIMIT + 5);
    const report = inspectState({
      ...base,
      threads: { root: { ...thread("root", 1, null), conversation_item_ids: ["conversation_item:1"] } },
      conversation_items: {
        "conversation_item:1": {
          item_id: "conversation_item:1",
          thread_id: "root",
          codex_turn_id: null,
          first_seen_at_unix_ms: 1,
          role: "user",
          channel: null,
          kind: "message",
          body: { parts: [{ type: "text", text }] },
          call_id: null,
          produced_by: [],
        },
      },
    });
    const entry = report.threads[0]?.transcript[0];
    expect(entry?.text.truncated).toBe(true);
    expect(Array.from(entry?.text.text ?? "")).toHaveLength(SHORT_TEXT_LIMIT);
    expect(entry?.text.text).toBe("😀".repeat(SHORT_TEXT_LIMIT));
  });
});
