import fs from "node:fs";
import { referenceVersion, runReference } from "@rollout-trace/testkit";
import { describe, expect, it } from "vitest";
import { REVIEWER_THREAD_ID, ROOT_THREAD_ID, runAgentLoop } from "../examples/agent-loop.ts";
import { recordDemoSession } from "../src/demo.ts";
import { startTrace } from "../src/index.ts";
import { itWithReference, reduce, schemaProblems, scratchDir } from "./support.ts";

describe.each([1, 2] as const)("the example agent loop (trace schema %i)", (version) => {
  it("should record the whole session: shell, code cell, child agent, compaction", async () => {
    // Arrange + act
    const dir = await recordDemoSession(scratchDir(), { schemaVersion: version });

    // Assert: the reduced graph holds each part of the session.
    expect(schemaProblems(dir)).toEqual([]);
    const { state } = reduce(dir);
    expect(state.status).toBe("completed");
    expect(state.threads[REVIEWER_THREAD_ID]?.origin).toMatchObject({
      type: "spawned",
      parent_thread_id: ROOT_THREAD_ID,
    });

    const tools = Object.values(state.tool_calls);
    const shell = state.tool_calls.call_ls!;
    expect(state.terminal_operations[shell.terminal_operation_id!]?.request).toMatchObject({
      display_command: "/bin/sh -c ls",
    });
    const cell = state.code_cells["code_cell:call_cell"]!;
    expect(cell.execution.status).toBe("completed");
    const nested = state.tool_calls[cell.nested_tool_call_ids[0]!]!;
    expect(state.terminal_operations[nested.terminal_operation_id!]?.result?.stdout).toBe("3 README.md\n");
    expect(tools.map((tool) => tool.kind.type).sort()).toEqual(
      version === 2
        ? ["exec_command", "exec_command", "other", "spawn_agent", "wait_agent"]
        : ["exec_command", "exec_command", "spawn_agent", "wait_agent"],
    );

    const edges = Object.values(state.interaction_edges);
    expect(edges.map((edge) => [edge.kind, edge.target.type]).sort()).toEqual([
      ["agent_result", "conversation_item"],
      ["spawn_agent", "conversation_item"],
    ]);
    const [compaction] = Object.values(state.compactions);
    expect(compaction?.request_ids).toHaveLength(1);
    expect(compaction?.replacement_item_ids.length).toBeGreaterThan(0);

    const finalCall = Object.values(state.inference_calls).sort(
      (a, b) => b.execution.started_seq - a.execution.started_seq,
    )[0]!;
    const answer = state.conversation_items[finalCall.response_item_ids[0]!]!;
    expect(answer.body.parts[0]).toEqual({
      type: "text",
      text: "The project has 3 files; the README lists only src/index.ts.",
    });
  });

  itWithReference(
    version,
    `should reduce with Codex ${referenceVersion(version)} to the same state as ours`,
    async () => {
      const dir = await recordDemoSession(scratchDir(), { schemaVersion: version });
      const reference = await runReference(version, dir);
      expect(reference.ok ? "" : reference.error).toBe("");
      if (reference.ok) expect(reduce(dir).text).toBe(reference.state);
    },
  );
});

describe("the example without tracing", () => {
  it("should run the same agent, and give the same answer, with tracing off", async () => {
    const session = startTrace({ env: {}, rootThread: { model: "fake-model", providerName: "fake" } });
    const { answer } = await runAgentLoop(session);
    expect(answer).toBe("The project has 3 files; the README lists only src/index.ts.");
  });

  it("should reject when the bundle cannot be created", async () => {
    const file = `${scratchDir()}/not-a-directory`;
    fs.writeFileSync(file, "");
    await expect(recordDemoSession(file)).rejects.toThrow(/could not create a trace bundle/);
  });
});
