import fs from "node:fs";
import path from "node:path";
import { createBundleWriter } from "@rollout-trace/writer";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTrace, TraceUsageError } from "../src/index.ts";
import {
  events,
  eventTypes,
  message,
  payloadOf,
  ROOT_THREAD,
  record,
  reduce,
  request,
  schemaProblems,
  scratchDir,
  sessionOptions,
} from "./support.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const hostile = new Proxy(
  {},
  {
    getOwnPropertyDescriptor() {
      throw new Error("hostile object");
    },
  },
);

describe.each([1, 2] as const)(
  "misuse never breaks the producer or the bundle (trace schema %i)",
  (version) => {
    it("should refuse bad arguments without throwing, report the first one, and keep the bundle replayable", async () => {
      // Arrange
      const reported: Error[] = [];
      const calls: [string, () => unknown][] = [];
      let refused = 0;

      // Act
      const dir = await record(
        version,
        (session) => {
          const turn = session.root.startTurn();
          const tool = turn.startTool({
            name: "exec_command",
            payload: { type: "function", arguments: "{}" },
            callId: "call_1",
          });
          const attempt = turn.startInference(request([message("user", "hi", "msg_1")]));
          calls.push(
            ["startTrace(null)", () => startTrace(null as never)],
            ["startTurn(42)", () => session.root.startTurn(42 as never)],
            ["startTurn(hostile)", () => session.root.startTurn(hostile as never)],
            ["spawnChild({})", () => session.root.spawnChild({} as never)],
            ["startInference(no input)", () => turn.startInference({ model: "m" } as never)],
            ["startInference(bad item)", () => turn.startInference({ input: [{ type: "telepathy" }] })],
            ["startInference(hostile)", () => turn.startInference(hostile as never)],
            ["startTool(null)", () => turn.startTool(null as never)],
            ["startTool(hostile)", () => turn.startTool(hostile as never)],
            [
              "startTool(bad payload)",
              () => turn.startTool({ name: "x", payload: { type: "fax" }, callId: "c" } as never),
            ],
            ["startCodeCell({})", () => turn.startCodeCell({} as never)],
            ["startCompaction(bad id)", () => turn.startCompaction({ compactionId: 7 } as never)],
            ["accept(hostile)", () => turn.accept(hostile as never)],
            ["completed(undefined)", () => attempt.completed(undefined as never)],
            [
              "completed(bad usage)",
              () =>
                attempt.completed({
                  responseId: "r",
                  usage: { inputTokens: -1, outputTokens: 1 },
                  output: [],
                }),
            ],
            ["execStarted(bad)", () => tool.execStarted({ command: "ls" } as never)],
            ["execEnded(hostile)", () => tool.execEnded(hostile as never)],
            ["runtimeEnded(bad status)", () => tool.runtimeEnded("exploded" as never, {})],
            ["mcpEnded(nothing)", () => tool.mcpEnded({} as never)],
            ["agentActivity(null)", () => tool.agentActivity(null as never)],
            ["stdinTarget(itself)", () => tool.stdinTarget(tool)],
            [
              "completed(hostile options)",
              () => tool.completed({ type: "function_call_output", call_id: "call_1" }, hostile as never),
            ],
            ["protocolEvent(bogus)", () => session.root.protocolEvent("bogus" as never)],
            ["end(bogus)", () => turn.end("bogus" as never)],
          );
          for (const [, call] of calls) call();
          refused = session.stats().refused;
          turn.end();
        },
        { onError: (error) => reported.push(error) },
      );

      // Assert: every call is refused but startTrace(null) (another session) and, in schema 1, accept and
      // stdinTarget, which record nothing there whatever their arguments.
      expect(refused).toBe(calls.length - (version === 1 ? 3 : 1));
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(TraceUsageError);
      expect(reported[0]!.message).toMatch(/^thread\.startTurn was not recorded: /);
      expect(() => reduce(dir)).not.toThrow();
      expect(schemaProblems(dir)).toEqual([]);
      expect(eventTypes(dir).filter((type) => type === "tool_call_ended")).toEqual([]);
    });

    it("should suppress the rest of an attempt whose start could not be recorded", async () => {
      let stats = { suppressed: 0, errors: 0 };
      const dir = await record(version, (session) => {
        const turn = session.root.startTurn();
        // The writer refuses a document it cannot serialize, so the attempt never starts in the bundle.
        const attempt = turn.startInference({ input: [], temperature: 1n } as never);
        attempt.completed({ responseId: "resp_1", output: [message("assistant", "hi", "msg_a")] });
        stats = session.stats();
      });
      expect(stats).toMatchObject({ suppressed: 1, errors: 1 });
      expect(eventTypes(dir)).not.toContain("inference_completed");
      expect(Object.keys(reduce(dir).state.inference_calls)).toEqual([]);
    });

    it("should keep what was written replayable when the disk fails mid-session", async () => {
      // Arrange: writes fail from the fourth one on.
      const original = fs.writeSync;
      let writes = 0;
      vi.spyOn(fs, "writeSync").mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
        if (++writes > 8) throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
        return (original as (...a: unknown[]) => number)(...args);
      }) as typeof fs.writeSync);
      const reported: Error[] = [];
      const session = startTrace(
        sessionOptions(version, scratchDir(), { onError: (error) => reported.push(error) }),
      );

      // Act
      const turn = session.root.startTurn({ turnId: "t", inputs: [message("user", "hi", "msg_1")] });
      const attempt = turn.startInference(request([message("user", "hi", "msg_1")]));
      attempt.completed({ responseId: "resp_1", output: [message("assistant", "hello", "msg_2")] });
      turn.end();
      session.root.end();
      await session.close();
      vi.restoreAllMocks();

      // Assert
      expect(reported.map((error) => error.message)).toEqual([expect.stringMatching(/EIO/)]);
      expect(session.stats().errors).toBe(1);
      expect(() => reduce(session.bundleDir!)).not.toThrow();
      expect(schemaProblems(session.bundleDir!)).toEqual([]);
    });

    it("should ignore calls after the session closed", async () => {
      let late = 0;
      let lines = 0;
      const dir = await record(version, async (session) => {
        const turn = session.root.startTurn();
        const attempt = turn.startInference(request([message("user", "hi", "msg_1")]));
        await session.close();
        lines = eventTypes(session.bundleDir!).length;
        attempt.completed({ responseId: "resp_1", output: [] });
        turn.end();
        session.root.startTurn();
        session.root.end();
        late = session.stats().late;
      });
      expect(late).toBe(4);
      expect(eventTypes(dir)).toHaveLength(lines);
      if (version === 2) expect(eventTypes(dir).at(-1)).toBe("recording_completed");
    });

    it("should not build lazy arguments that throw into an exception", async () => {
      let refused = 0;
      await record(version, (session) => {
        session.root.startTurn().startInference(() => {
          throw new Error("no request today");
        });
        refused = session.stats().refused;
      });
      expect(refused).toBe(1);
    });

    it("should keep __proto__ keys as plain data", async () => {
      const sneaky = JSON.parse('{"__proto__":{"polluted":true},"cmd":"ls"}') as Record<string, unknown>;
      const item = JSON.parse(
        '{"type":"message","id":"msg_p","role":"user","content":[{"type":"input_text","text":"hi"}],"__proto__":{"polluted":true}}',
      ) as { type: string };
      const dir = await record(version, (session) => {
        const turn = session.root.startTurn({ inputs: [item] });
        turn.startInference(request([item])).completed({ responseId: "resp_1", output: [] });
        turn.startTool({
          name: "exec_command",
          payload: { type: "function", arguments: JSON.stringify(sneaky) },
          callId: "c",
        });
        session.root.protocolEvent("warning", sneaky);
      });
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      const breadcrumb = events(dir).find((event) => event.payload.type === "protocol_event_observed")!;
      const document = payloadOf(dir, breadcrumb.payload.event_payload) as object;
      expect(Object.hasOwn(document, "__proto__")).toBe(true);
      expect(() => reduce(dir)).not.toThrow();
    });
  },
);

describe("starting a trace", () => {
  it("should record into a writer the producer already has", async () => {
    const dir = path.join(scratchDir(), "bundle");
    const writer = createBundleWriter({
      dir,
      traceId: "trace-1",
      rolloutId: ROOT_THREAD,
      rootThreadId: ROOT_THREAD,
    });
    const session = startTrace({ writer, rootThread: { model: "m", providerName: "p" } });
    session.root.startTurn().end();
    await session.end();
    expect(session.bundleDir).toBe(dir);
    expect(reduce(dir).state.threads[ROOT_THREAD]?.execution.status).toBe("completed");
  });

  it("should stay off and say why when the root thread options are unusable", () => {
    const reported: Error[] = [];
    const session = startTrace({
      root: scratchDir(),
      rootThread: { model: 42 } as never,
      onError: (error) => reported.push(error),
    });
    expect(session.enabled).toBe(false);
    expect(reported[0]).toBeInstanceOf(TraceUsageError);
  });

  it("should refuse a root thread that is not the writer's", () => {
    const reported: Error[] = [];
    const writer = createBundleWriter({
      dir: path.join(scratchDir(), "b"),
      traceId: "t",
      rolloutId: "r",
      rootThreadId: "r",
    });
    const session = startTrace({
      writer,
      rootThread: { threadId: "someone-else", model: "m", providerName: "p" },
      onError: (error) => reported.push(error),
    });
    expect(session.enabled).toBe(false);
    expect(reported).toHaveLength(1);
    writer.closeSync();
  });

  it("should survive an onError handler that throws", async () => {
    const dir = await record(
      1,
      (session) => {
        session.root.startTurn(5 as never);
      },
      {
        onError: () => {
          throw new Error("handler bug");
        },
      },
    );
    expect(() => reduce(dir)).not.toThrow();
  });

  it("should write the bundle under the root in a trace-<trace id>-<thread id> directory", async () => {
    const root = scratchDir();
    const session = startTrace(sessionOptions(2, root));
    await session.close();
    expect(session.bundleDir).toBe(path.join(root, `trace-${session.traceId}-${ROOT_THREAD}`));
    expect(fs.readdirSync(root)).toEqual([path.basename(session.bundleDir!)]);
  });
});
