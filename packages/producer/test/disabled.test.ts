import fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTrace } from "../src/index.ts";
import { scratchDir } from "./support.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const rootThread = { threadId: "thread-1", model: "m", providerName: "p" };

describe("a session without a trace root", () => {
  it("should do no I/O and build no lazy argument, whatever is called", () => {
    // Arrange: watch every file-system entry point the writer uses.
    const watched = [
      "mkdirSync",
      "openSync",
      "writeSync",
      "writeFileSync",
      "renameSync",
      "fstatSync",
      "closeSync",
    ] as const;
    const spies = watched.map((name) => vi.spyOn(fs, name));
    const thunk = vi.fn(() => {
      throw new Error("must not be built");
    });

    // Act: a whole session's worth of calls, every lazy argument a thunk.
    const session = startTrace({ env: {}, rootThread });
    const turn = session.root.startTurn({ inputs: thunk });
    turn.accept(thunk);
    const attempt = turn.startInference(thunk);
    attempt.completed({ responseId: "r", output: thunk });
    attempt.failed("x", { output: thunk });
    const tool = turn.startTool(thunk);
    tool.runtimeStarted(thunk);
    tool.runtimeEnded("completed", thunk);
    tool.execStarted({ command: ["ls"], cwd: "/" });
    tool.execEnded({ exitCode: 0 });
    tool.agentActivity({ agent: session.root, kind: "started" });
    const mcp = tool.startMcpCall();
    const meta = { a: 1 };
    tool.stdinTarget(tool);
    tool.completed(thunk);
    tool.failed("x", { output: thunk });
    const cell = turn.startCodeCell({ runtimeCellId: "1", callId: "c", sourceJs: "" });
    cell.initialResponse(thunk);
    cell.startTool(thunk).completed(thunk);
    cell.ended(thunk);
    const compaction = turn.startCompaction();
    compaction.startAttempt(thunk).completed(thunk);
    compaction.installed(thunk);
    turn.reportAgentResult({ message: "m" });
    turn.end();
    const child = session.root.spawnChild({ threadId: "c", agentPath: "/root/c" });
    child.protocolEvent("warning", thunk);
    child.resume();
    session.root.end();
    session.flush();
    session.closeSync();

    // Assert
    expect(session.enabled).toBe(false);
    expect(session.bundleDir).toBeNull();
    expect(
      [turn, attempt, tool, cell, compaction, child, mcp].every((handle) => handle.enabled === false),
    ).toBe(true);
    expect(attempt.requestHeaders()).toEqual({});
    expect(mcp.addRequestMeta(meta)).toBe(meta);
    expect(thunk).not.toHaveBeenCalled();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(Object.values(session.stats()).every((value) => value === 0)).toBe(true);
  });

  it("should hand out the same handles every time, so calls allocate nothing", () => {
    const session = startTrace({ env: {}, rootThread });
    const turn = session.root.startTurn();
    expect(session.root.startTurn()).toBe(turn);
    expect(turn.startTool({} as never)).toBe(turn.startTool({} as never));
    expect(startTrace({ env: {}, rootThread })).toBe(session);
    expect(startTrace({ env: {}, schemaVersion: 1, rootThread }).schemaVersion).toBe(1);
  });
});

describe("enabling a trace", () => {
  it.each(["ROLLOUT_TRACE_ROOT", "CODEX_ROLLOUT_TRACE_ROOT"])(
    "should turn tracing on through %s",
    async (variable) => {
      const root = scratchDir();
      const session = startTrace({ env: { [variable]: root }, rootThread });
      await session.close();
      expect(session.enabled).toBe(true);
      expect(fs.readdirSync(root)).toEqual([`trace-${session.traceId}-thread-1`]);
    },
  );

  it("should prefer an explicit root over the environment", async () => {
    const explicit = scratchDir();
    const fromEnv = scratchDir();
    const session = startTrace({ root: explicit, env: { ROLLOUT_TRACE_ROOT: fromEnv }, rootThread });
    await session.close();
    expect(fs.readdirSync(explicit)).toHaveLength(1);
    expect(fs.readdirSync(fromEnv)).toHaveLength(0);
  });

  it("should stay off when the variable is blank", () => {
    expect(startTrace({ env: { ROLLOUT_TRACE_ROOT: "  " }, rootThread }).enabled).toBe(false);
  });
});
