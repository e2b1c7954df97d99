// The Node adapter: streaming line reading, payload confinement, partial mode and error locations.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PAYLOAD_BYTES, ReplayError, replayBundle, replayBundleSync } from "../src/index.ts";

const ROLLOUT = "rollout-1";
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function manifest(version: 1 | 2 = 1): string {
  return JSON.stringify(
    {
      schema_version: version,
      trace_id: "trace-1",
      rollout_id: ROLLOUT,
      root_thread_id: "thread-root",
      started_at_unix_ms: 1000,
      raw_event_log: "trace.jsonl",
      payloads_dir: "payloads",
    },
    null,
    2,
  );
}

function line(
  seq: number,
  payload: object,
  context: { thread?: string; turn?: string } = {},
  version = 1,
): string {
  return JSON.stringify({
    schema_version: version,
    seq,
    wall_time_unix_ms: 1000 + seq,
    rollout_id: ROLLOUT,
    thread_id: context.thread ?? null,
    codex_turn_id: context.turn ?? null,
    payload,
  });
}

function bundle(
  lines: string[],
  payloads: Record<string, unknown> = {},
  version: 1 | 2 = 1,
  trailer = "\n",
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-adapter-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "payloads"));
  fs.writeFileSync(path.join(dir, "manifest.json"), manifest(version));
  fs.writeFileSync(path.join(dir, "trace.jsonl"), lines.join("\n") + (lines.length > 0 ? trailer : ""));
  for (const [name, value] of Object.entries(payloads)) {
    fs.writeFileSync(
      path.join(dir, "payloads", name),
      typeof value === "string" ? value : JSON.stringify(value, null, 2),
    );
  }
  return dir;
}

const threadStarted = {
  type: "thread_started",
  thread_id: "thread-root",
  agent_path: "/root",
  metadata_payload: null,
};
const turnStarted = { type: "codex_turn_started", codex_turn_id: "turn-1", thread_id: "thread-root" };

function inferenceWith(path_: string) {
  return {
    type: "inference_started",
    inference_call_id: "inference-1",
    thread_id: "thread-root",
    codex_turn_id: "turn-1",
    model: "m",
    provider_name: "p",
    request_payload: { raw_payload_id: "raw_payload:1", kind: { type: "inference_request" }, path: path_ },
  };
}

const request = { input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }] };

function errorOf(run: () => unknown): ReplayError {
  try {
    run();
  } catch (error) {
    if (error instanceof ReplayError) return error;
    throw error;
  }
  throw new Error("expected a ReplayError");
}

describe("reading trace.jsonl", () => {
  it("accepts CRLF line endings, blank lines and a last line without newline", () => {
    const dir = bundle([line(1, threadStarted), "", "   ", line(2, turnStarted)], {}, 1, "");
    fs.writeFileSync(
      path.join(dir, "trace.jsonl"),
      `${line(1, threadStarted)}\r\n\r\n  \n${line(2, turnStarted)}`,
    );
    const result = replayBundleSync(dir);
    expect(Object.keys(result.state.codex_turns as object)).toEqual(["turn-1"]);
    expect(result.eventCount).toBe(2);
  });

  it("reads lines that span many read chunks", () => {
    const big = { ...threadStarted, padding: "x".repeat(3 * 1024 * 1024) };
    const dir = bundle([line(1, big), line(2, turnStarted)]);
    expect(replayBundleSync(dir).eventCount).toBe(2);
  });

  it("names the line of a malformed event, counting blank lines", () => {
    const dir = bundle([line(1, threadStarted), "", '{"schema_version":1,"seq":']);
    const error = errorOf(() => replayBundleSync(dir));
    expect(error.message).toBe("parse trace event line 3");
    expect(error.location).toMatchObject({ file: "trace.jsonl", line: 3 });
  });

  it("names the line and seq of a reducer error", () => {
    const dir = bundle([line(1, threadStarted), line(7, threadStarted)]);
    const error = errorOf(() => replayBundleSync(dir));
    expect(error.message).toBe("duplicate thread start for thread-root");
    expect(error.location).toEqual({ file: "trace.jsonl", line: 2, seq: 7 });
    expect(error.describe()).toContain("at trace.jsonl, line 2, seq 7");
  });

  it("reports invalid UTF-8 as a read error on its line", () => {
    const dir = bundle([line(1, threadStarted)]);
    fs.appendFileSync(path.join(dir, "trace.jsonl"), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    const error = errorOf(() => replayBundleSync(dir));
    expect(error.message).toBe("read trace event line 2");
    expect(error.causes).toEqual(["stream did not contain valid UTF-8"]);
  });

  it("reports a missing manifest and a missing log with the path", () => {
    const dir = bundle([line(1, threadStarted)]);
    fs.rmSync(path.join(dir, "trace.jsonl"));
    expect(errorOf(() => replayBundleSync(dir)).message).toBe(
      `open trace event log ${path.join(dir, "trace.jsonl")}`,
    );
    fs.rmSync(path.join(dir, "manifest.json"));
    const error = errorOf(() => replayBundleSync(dir));
    // The reference's bare I/O message; the location names the file.
    expect(error.message).toBe("No such file or directory (os error 2)");
    expect(error.location).toEqual({ file: "manifest.json" });
  });

  it("requires every manifest field", () => {
    const dir = bundle([]);
    const partial = JSON.parse(manifest()) as Record<string, unknown>;
    delete partial.payloads_dir;
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(partial));
    expect(errorOf(() => replayBundleSync(dir)).causes[0]).toBe("missing field `payloads_dir`");
  });

  it("refuses trace schema versions it does not know, naming them", () => {
    const dir = bundle([]);
    fs.writeFileSync(
      path.join(dir, "manifest.json"),
      manifest().replace('"schema_version": 1', '"schema_version": 3'),
    );
    expect(errorOf(() => replayBundleSync(dir)).message).toBe(
      "unsupported trace schema 3: this reducer reads trace schemas 1 and 2",
    );
  });

  it("replays asynchronously with progress reports", async () => {
    const dir = bundle([line(1, threadStarted), line(2, turnStarted)]);
    const seen: number[] = [];
    const result = await replayBundle(dir, { onProgress: (p) => seen.push(p.bytesRead) });
    expect(result.eventCount).toBe(2);
    expect(seen.at(-1)).toBe(fs.statSync(path.join(dir, "trace.jsonl")).size);
  });
});

describe("partial mode", () => {
  it("stops at the last complete event when the last line is torn", () => {
    const lines = [line(1, threadStarted), line(2, turnStarted)];
    const dir = bundle(
      [...lines, line(3, { type: "rollout_ended", status: "completed" }).slice(0, 40)],
      {},
      1,
      "",
    );
    expect(errorOf(() => replayBundleSync(dir)).message).toBe("parse trace event line 3");
    const result = replayBundleSync(dir, { partial: true });
    expect(result.eventCount).toBe(2);
    expect(result.diagnostics).toEqual([
      { file: "trace.jsonl", line: 3, message: expect.stringContaining("torn last line") },
    ]);
    expect(result.state.status).toBe("running");
    expect(result.serialize()).toContain('"replay_diagnostics": [');
  });

  it("skips trailing garbage such as NUL padding", () => {
    const dir = bundle([line(1, threadStarted)]);
    fs.appendFileSync(path.join(dir, "trace.jsonl"), `${"\0".repeat(64)}\n${"\0".repeat(10)}`);
    const result = replayBundleSync(dir, { partial: true });
    expect(result.eventCount).toBe(1);
    expect(result.diagnostics).toHaveLength(1);
  });

  it("still fails on corruption followed by valid events", () => {
    const dir = bundle([line(1, threadStarted), "{garbage", line(3, turnStarted)]);
    expect(errorOf(() => replayBundleSync(dir, { partial: true })).message).toBe("parse trace event line 2");
  });

  it("leaves a clean bundle's state.json unchanged", () => {
    const dir = bundle([line(1, threadStarted), line(2, turnStarted)]);
    expect(replayBundleSync(dir, { partial: true }).serialize()).toBe(replayBundleSync(dir).serialize());
  });
});

describe.each([false, true])("hostile payload paths (prefetch: %s)", (prefetch) => {
  it.each([
    ["../outside.json", "leaves the bundle directory"],
    ["payloads/../../outside.json", "leaves the bundle directory"],
    ["/etc/passwd", "is absolute"],
  ])("refuses %s without reading it", (hostile, why) => {
    const dir = bundle([line(1, threadStarted), line(2, turnStarted), line(3, inferenceWith(hostile))]);
    fs.writeFileSync(path.join(dir, "..", "outside.json"), JSON.stringify(request));
    dirs.push(path.join(dir, "..", "outside.json"));
    const error = errorOf(() => replayBundleSync(dir, { prefetch }));
    expect(error.message).toBe("open payload raw_payload:1");
    expect(error.causes[0]).toContain(why);
  });

  it("refuses a symlink that leads out of the bundle", () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "rt-outside-"));
    dirs.push(outside);
    fs.writeFileSync(path.join(outside, "request.json"), JSON.stringify(request));
    const dir = bundle([
      line(1, threadStarted),
      line(2, turnStarted),
      line(3, inferenceWith("payloads/1.json")),
    ]);
    fs.symlinkSync(path.join(outside, "request.json"), path.join(dir, "payloads", "1.json"));
    expect(errorOf(() => replayBundleSync(dir, { prefetch })).causes[0]).toContain("symbolic link");
  });

  it("follows a symlink that stays inside the bundle", () => {
    const dir = bundle(
      [line(1, threadStarted), line(2, turnStarted), line(3, inferenceWith("payloads/1.json"))],
      { "real.json": request },
    );
    fs.symlinkSync("real.json", path.join(dir, "payloads", "1.json"));
    expect(Object.keys(replayBundleSync(dir, { prefetch }).state.conversation_items as object)).toHaveLength(
      1,
    );
  });

  it("reports a missing payload the way the reference does", () => {
    const dir = bundle([
      line(1, threadStarted),
      line(2, turnStarted),
      line(3, inferenceWith("payloads/1.json")),
    ]);
    const error = errorOf(() => replayBundleSync(dir, { prefetch }));
    expect(error.message).toBe("open payload raw_payload:1");
    expect(error.causes).toEqual(["No such file or directory (os error 2)"]);
    expect(error.location).toEqual({ file: "trace.jsonl", line: 3, seq: 3, payload: "payloads/1.json" });
  });

  it("fails cleanly on deeply nested and non-UTF-8 payloads", () => {
    const deep = `{"input":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    const dir = bundle(
      [line(1, threadStarted), line(2, turnStarted), line(3, inferenceWith("payloads/1.json"))],
      {
        "1.json": deep,
      },
    );
    expect(errorOf(() => replayBundleSync(dir, { prefetch })).causes[0]).toMatch(/recursion limit exceeded/);
    fs.writeFileSync(
      path.join(dir, "payloads", "1.json"),
      Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    );
    expect(errorOf(() => replayBundleSync(dir, { prefetch })).message).toBe("parse payload raw_payload:1");
  });
});

describe.each([false, true])("payload sizes (prefetch: %s)", (prefetch) => {
  const requestOf = (text: string) => ({
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text }] }],
  });
  const textOf = (dir: string) =>
    Object.values(
      replayBundleSync(dir, { prefetch }).state.conversation_items as Record<string, { body: unknown }>,
    ).map((item) => JSON.stringify(item.body));

  // Small payloads go through a reused 1 MiB buffer and larger ones are read whole: both must give the whole text,
  // including one that fills the buffer exactly, and a small payload read after a large one.
  it.each([10, 1024 * 1024 - 80, 1024 * 1024, 3 * 1024 * 1024])(
    "reads a payload of about %i bytes whole",
    (size) => {
      const text = "é".repeat(Math.floor(size / 2));
      const dir = bundle(
        [
          line(1, threadStarted),
          line(2, turnStarted),
          line(3, inferenceWith("payloads/1.json")),
          line(4, {
            type: "inference_completed",
            inference_call_id: "inference-1",
            response_id: "resp-1",
            upstream_request_id: null,
            response_payload: {
              raw_payload_id: "raw_payload:2",
              kind: { type: "inference_response" },
              path: "payloads/2.json",
            },
          }),
        ],
        {
          "1.json": requestOf(text),
          "2.json": {
            output_items: [
              { type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] },
            ],
          },
        },
      );
      expect(textOf(dir)).toEqual([
        JSON.stringify({ parts: [{ type: "text", text }] }),
        JSON.stringify({ parts: [{ type: "text", text: "ok" }] }),
      ]);
    },
  );

  it("refuses a payload over the size limit without reading it", () => {
    const dir = bundle([
      line(1, threadStarted),
      line(2, turnStarted),
      line(3, inferenceWith("payloads/1.json")),
    ]);
    // A sparse file: its size is over the limit, but it takes no disk space and is never read.
    const fd = fs.openSync(path.join(dir, "payloads", "1.json"), "w");
    fs.ftruncateSync(fd, MAX_PAYLOAD_BYTES + 1);
    fs.closeSync(fd);
    const error = errorOf(() => replayBundleSync(dir, { prefetch }));
    expect(error.message).toBe("open payload raw_payload:1");
    expect(error.causes).toEqual([
      `payload file is ${MAX_PAYLOAD_BYTES + 1} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`,
    ]);
  });

  it("reports a payload path that names a directory", () => {
    const dir = bundle([
      line(1, threadStarted),
      line(2, turnStarted),
      line(3, inferenceWith("payloads/1.json")),
    ]);
    fs.mkdirSync(path.join(dir, "payloads", "1.json"));
    const error = errorOf(() => replayBundleSync(dir, { prefetch }));
    expect(error.message).toBe("open payload raw_payload:1");
    expect(error.causes).toEqual(["Is a directory (os error 21)"]);
  });
});

describe("ids are data, never object keys that JavaScript interprets", () => {
  it("keeps __proto__ and constructor ids as ordinary map entries", () => {
    const threads = ["__proto__", "constructor", "hasOwnProperty"];
    const lines = threads.map((id, i) => line(i + 1, { ...threadStarted, thread_id: id }));
    lines.push(line(4, { type: "codex_turn_started", codex_turn_id: "__proto__", thread_id: "constructor" }));
    const result = replayBundleSync(bundle(lines));
    const state = result.state as { threads: Record<string, { thread_id: string }> };
    expect(Object.keys(state.threads)).toEqual(["__proto__", "constructor", "hasOwnProperty"]);
    expect(Object.hasOwn(state.threads, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).thread_id).toBeUndefined();
    const turns = JSON.parse(result.serialize()).codex_turns;
    expect(Object.getOwnPropertyDescriptor(turns, "__proto__")?.value.thread_id).toBe("constructor");
  });
});
