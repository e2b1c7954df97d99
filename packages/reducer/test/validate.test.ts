// validateBundle: every problem of a bundle, each located by file, line, seq and JSON pointer.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BundleProblem, validateBundle } from "../src/index.ts";
import { RECORDED_DIR, recordedBundles, sharedAvailable, sharedBundles } from "./corpora.ts";

const ROLLOUT = "rollout-1";
const THREAD = "thread-root";
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function manifestText(version: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      schema_version: version,
      trace_id: "trace-1",
      rollout_id: ROLLOUT,
      root_thread_id: THREAD,
      started_at_unix_ms: 1000,
      raw_event_log: "trace.jsonl",
      payloads_dir: "payloads",
      ...overrides,
    },
    null,
    2,
  );
}

function event(
  seq: number,
  payload: object,
  options: { version?: number; rollout?: string; thread?: string | null } = {},
): string {
  return JSON.stringify({
    schema_version: options.version ?? 2,
    seq,
    wall_time_unix_ms: 1000 + seq,
    rollout_id: options.rollout ?? ROLLOUT,
    thread_id: options.thread ?? null,
    codex_turn_id: null,
    payload,
  });
}

function ref(n: number, kind: string, file = `payloads/${n}.json`) {
  return { raw_payload_id: `raw_payload:${n}`, kind: { type: kind }, path: file };
}

const metadata = {
  thread_id: THREAD,
  agent_path: "/root",
  task_name: null,
  nickname: null,
  agent_role: null,
  session_source: "exec",
  cwd: "/project",
  rollout_path: null,
  model: "mock-model",
  provider_name: "mock",
  approval_policy: "never",
  sandbox_policy: "DangerFullAccess",
};

const threadStarted = (metadataRef: object | null) => ({
  type: "thread_started",
  thread_id: THREAD,
  agent_path: "/root",
  metadata_payload: metadataRef,
});

function protocolEvent(n: number, file?: string) {
  return {
    type: "protocol_event_observed",
    event_type: "warning",
    event_payload: ref(n, "protocol_event", file),
  };
}

interface BundleSpec {
  manifest?: string | null;
  lines?: string[] | null;
  /** Raw text of trace.jsonl, instead of `lines`. */
  trace?: string | Buffer;
  payloads?: Record<string, unknown>;
}

function bundle(spec: BundleSpec): string {
  const dir = tempDir("rt-validate-");
  fs.mkdirSync(path.join(dir, "payloads"));
  if (spec.manifest !== null)
    fs.writeFileSync(path.join(dir, "manifest.json"), spec.manifest ?? manifestText(2));
  if (spec.trace !== undefined) fs.writeFileSync(path.join(dir, "trace.jsonl"), spec.trace);
  else if (spec.lines !== null) {
    const lines = spec.lines ?? [];
    fs.writeFileSync(path.join(dir, "trace.jsonl"), lines.map((line) => `${line}\n`).join(""));
  }
  for (const [name, value] of Object.entries(spec.payloads ?? {})) {
    fs.writeFileSync(
      path.join(dir, "payloads", name),
      typeof value === "string" ? value : JSON.stringify(value, null, 2),
    );
  }
  return dir;
}

/** The problems with only the fields a test compares. */
function summary(problems: readonly BundleProblem[]) {
  return problems.map(({ code, severity, file, line, seq, path: pointer }) => ({
    code,
    severity,
    file,
    ...(line !== undefined ? { line } : {}),
    ...(seq !== undefined ? { seq } : {}),
    ...(pointer !== undefined ? { path: pointer } : {}),
  }));
}

describe("real bundles", () => {
  const corpora = [1, 2].flatMap((version) => [
    ...recordedBundles(version as 1 | 2),
    ...(sharedAvailable ? sharedBundles(version as 1 | 2).filter((b) => b.expectedState !== null) : []),
  ]);
  if (!sharedAvailable) console.info("note: ../shared is absent; only the recorded bundles were validated");

  it.each(corpora.map((bundle) => [bundle.name, bundle.dir] as const))(
    "%s is valid and replays",
    async (_name, dir) => {
      const result = await validateBundle(dir, { replay: true });
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.schemaVersion).toBe(
        JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).schema_version,
      );
      const lines = fs.readFileSync(path.join(dir, "trace.jsonl"), "utf8").split("\n").length - 1;
      expect(result.stats.lines).toBe(lines);
      expect(result.stats.events).toBe(lines);
      expect(result.stats.payloadFiles).toBe(fs.readdirSync(path.join(dir, "payloads")).length);
    },
  );

  it("reports the reference reducer's error for a bundle Codex 0.144.6 wrote but cannot reduce", async () => {
    const dir = path.join(RECORDED_DIR, "rejected", "v1", "exec-apply-patch-via-exec");
    const withoutReplay = await validateBundle(dir);
    expect(withoutReplay.ok).toBe(true);
    const result = await validateBundle(dir, { replay: true });
    expect(result.ok).toBe(false);
    expect(summary(result.problems)).toEqual([
      { code: "replay", severity: "error", file: "trace.jsonl", line: 10, seq: 10 },
    ]);
    const referenceError = fs.readFileSync(path.join(dir, "reference-error.txt"), "utf8");
    expect(referenceError).toContain("parse terminal runtime start payload raw_payload:8");
    expect(result.problems[0]?.message).toContain("parse terminal runtime start payload raw_payload:8");
    expect(result.problems[0]?.message).toContain("missing field `command`");
  });
});

describe("the manifest", () => {
  it("reports a missing bundle directory once", async () => {
    const result = await validateBundle(path.join(tempDir("rt-validate-"), "nope"));
    expect(summary(result.problems)).toEqual([{ code: "bundle_missing", severity: "error", file: "." }]);
    expect(result.problems[0]?.message).toContain("No such file or directory");
  });

  it("reports a missing manifest and still checks the events, taking the version from them", async () => {
    const dir = bundle({ manifest: null, lines: [event(1, { type: "recording_completed" }), event(3, {})] });
    const result = await validateBundle(dir);
    expect(result.schemaVersion).toBe(2);
    expect(summary(result.problems)).toEqual([
      { code: "manifest_missing", severity: "error", file: "manifest.json" },
      { code: "event_after_completion", severity: "error", file: "trace.jsonl", line: 2, seq: 3 },
      { code: "event_seq", severity: "error", file: "trace.jsonl", line: 2, seq: 3, path: "/seq" },
      {
        code: "event_schema",
        severity: "error",
        file: "trace.jsonl",
        line: 2,
        seq: 3,
        path: "/payload/type",
      },
      { code: "recording_incomplete", severity: "warning", file: "trace.jsonl", line: 2 },
    ]);
  });

  it("reports unparseable JSON", async () => {
    const result = await validateBundle(bundle({ manifest: '{"schema_version": 2,', lines: [] }));
    expect(summary(result.problems)).toEqual([
      { code: "manifest_json", severity: "error", file: "manifest.json" },
    ]);
  });

  it("reports every missing field and an unknown version", async () => {
    const result = await validateBundle(
      bundle({
        manifest: JSON.stringify({ schema_version: 3, trace_id: "t", rollout_id: ROLLOUT }),
        lines: [],
      }),
    );
    expect(result.schemaVersion).toBeNull();
    expect(summary(result.problems)).toEqual([
      { code: "manifest_schema", severity: "error", file: "manifest.json", path: "/root_thread_id" },
      { code: "manifest_schema", severity: "error", file: "manifest.json", path: "/started_at_unix_ms" },
      { code: "manifest_schema", severity: "error", file: "manifest.json", path: "/raw_event_log" },
      { code: "manifest_schema", severity: "error", file: "manifest.json", path: "/payloads_dir" },
      { code: "manifest_version", severity: "error", file: "manifest.json", path: "/schema_version" },
    ]);
    expect(result.problems[4]?.message).toBe("unknown trace schema 3: the known trace schemas are 1 and 2");
  });

  it("warns about layout names readers ignore", async () => {
    const result = await validateBundle(
      bundle({ manifest: manifestText(1, { raw_event_log: "events.jsonl" }), lines: [] }),
    );
    expect(result.ok).toBe(true);
    expect(summary(result.problems)).toEqual([
      { code: "manifest_layout", severity: "warning", file: "manifest.json", path: "/raw_event_log" },
    ]);
  });
});

describe("trace.jsonl", () => {
  it("reports every broken line of a schema 2 log, not only the first", async () => {
    const dir = bundle({
      lines: [
        event(1, threadStarted(ref(1, "session_metadata"))),
        "{not json",
        event(3, { type: "thread_resumed", thread_id: 7 }),
        event(6, { type: "thread_resumed", thread_id: THREAD }),
        event(6, { type: "thread_resumed", thread_id: THREAD }),
        event(5, { type: "thread_resumed", thread_id: THREAD }),
        event(7, { type: "thread_resumed", thread_id: THREAD }, { rollout: "other" }),
        event(8, { type: "thread_resumed", thread_id: THREAD }, { version: 1 }),
        event(9, { type: "recording_completed" }),
        event(10, { type: "rollout_ended", status: "completed" }),
      ],
      payloads: { "1.json": metadata },
    });
    const result = await validateBundle(dir);
    expect(result.ok).toBe(false);
    const at = (line: number, seq: number) => ({ file: "trace.jsonl", line, seq });
    expect(summary(result.problems)).toEqual([
      { code: "trace_json", severity: "error", file: "trace.jsonl", line: 2 },
      { code: "event_schema", severity: "error", ...at(3, 3), path: "/payload/thread_id" },
      { code: "event_seq", severity: "error", ...at(4, 6), path: "/seq" },
      { code: "event_seq", severity: "error", ...at(5, 6), path: "/seq" },
      { code: "event_seq", severity: "error", ...at(6, 5), path: "/seq" },
      { code: "event_rollout", severity: "error", ...at(7, 7), path: "/rollout_id" },
      { code: "event_version", severity: "error", ...at(8, 8), path: "/schema_version" },
      { code: "event_after_completion", severity: "error", ...at(10, 10) },
      { code: "recording_incomplete", severity: "warning", file: "trace.jsonl", line: 10 },
    ]);
    const messages = result.problems.map((problem) => problem.message);
    expect(messages[1]).toBe("thread_resumed event: must be string");
    expect(messages[2]).toBe("seq 6 follows seq 3: 4 to 5 are missing");
    expect(messages[3]).toBe("seq 6 is repeated");
    expect(messages[4]).toBe("seq 5 comes after seq 6 (out of order)");
    expect(messages[5]).toBe('rollout_id "other" is not the manifest\'s "rollout-1"');
    expect(messages[6]).toBe("event schema_version is 1 in a trace schema 2 bundle");
    expect(result.stats).toMatchObject({ lines: 10, events: 10, payloadRefs: 1, payloadFiles: 1 });
  });

  it("reports a single wrong seq once when the sequence resumes after it", async () => {
    const dir = bundle({
      lines: [
        event(1, threadStarted(null)),
        event(50, { type: "thread_resumed", thread_id: THREAD }),
        event(3, { type: "thread_resumed", thread_id: THREAD }),
        event(4, { type: "recording_completed" }),
      ],
    });
    const result = await validateBundle(dir);
    expect(summary(result.problems)).toEqual([
      { code: "event_seq", severity: "error", file: "trace.jsonl", line: 2, seq: 50, path: "/seq" },
    ]);
  });

  it("does not blame the next event's seq on an unreadable line", async () => {
    const dir = bundle({
      lines: [event(1, threadStarted(null)), "garbage", event(3, { type: "recording_completed" })],
    });
    const result = await validateBundle(dir);
    expect(summary(result.problems)).toEqual([
      { code: "trace_json", severity: "error", file: "trace.jsonl", line: 2 },
    ]);
  });

  it("treats what schema 1 readers tolerate as warnings", async () => {
    const dir = bundle({
      manifest: manifestText(1),
      lines: [
        event(2, threadStarted(null), { version: 1 }),
        event(
          5,
          { type: "thread_ended", thread_id: THREAD, status: "completed" },
          { version: 1, rollout: "x" },
        ),
        event(6, { type: "rollout_ended", status: "completed" }, { version: 2 }),
      ],
    });
    const result = await validateBundle(dir);
    expect(result.ok).toBe(true);
    expect(result.warnings).toBe(4);
    expect(summary(result.problems)).toEqual([
      { code: "event_seq", severity: "warning", file: "trace.jsonl", line: 1, seq: 2, path: "/seq" },
      { code: "event_seq", severity: "warning", file: "trace.jsonl", line: 2, seq: 5, path: "/seq" },
      {
        code: "event_rollout",
        severity: "warning",
        file: "trace.jsonl",
        line: 2,
        seq: 5,
        path: "/rollout_id",
      },
      {
        code: "event_version",
        severity: "warning",
        file: "trace.jsonl",
        line: 3,
        seq: 6,
        path: "/schema_version",
      },
    ]);
    expect(result.problems[0]?.message).toBe("the first seq is 2, not 1");
  });

  it("counts blank lines as lines and skips them like the reducer", async () => {
    const dir = bundle({
      trace: `${event(1, threadStarted(null))}\n   \n\u00a0\n${event(2, { type: "recording_completed" })}\n`,
    });
    const result = await validateBundle(dir);
    expect(result.problems).toEqual([]);
    expect(result.stats).toMatchObject({ lines: 4, events: 2 });
  });

  it("tells a torn last line from a complete one without its newline", async () => {
    const torn = await validateBundle(
      bundle({ trace: `${event(1, threadStarted(null))}\n{"schema_version":2,"se` }),
    );
    expect(summary(torn.problems)).toEqual([
      { code: "trace_torn", severity: "error", file: "trace.jsonl", line: 2 },
      { code: "recording_incomplete", severity: "warning", file: "trace.jsonl", line: 2 },
    ]);
    expect(torn.problems[0]?.message).toContain("--partial");

    const unterminated = await validateBundle(
      bundle({ trace: `${event(1, threadStarted(null))}\n${event(2, { type: "recording_completed" })}` }),
    );
    expect(unterminated.ok).toBe(true);
    expect(summary(unterminated.problems)).toEqual([
      { code: "trace_unterminated", severity: "warning", file: "trace.jsonl", line: 2 },
    ]);
  });

  it("reports a line that is not UTF-8", async () => {
    const good = Buffer.from(`${event(1, threadStarted(null))}\n`);
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    const result = await validateBundle(bundle({ trace: Buffer.concat([good, bad]) }));
    expect(summary(result.problems)).toContainEqual({
      code: "trace_encoding",
      severity: "error",
      file: "trace.jsonl",
      line: 2,
    });
  });

  it("reports a missing trace.jsonl", async () => {
    const result = await validateBundle(bundle({ lines: null }));
    expect(summary(result.problems)).toEqual([
      { code: "trace_missing", severity: "error", file: "trace.jsonl" },
    ]);
  });

  it("lists a bounded number of problems per code and counts the rest", async () => {
    const lines = [event(1, threadStarted(null))];
    for (let i = 0; i < 30; i++) lines.push("garbage");
    const result = await validateBundle(bundle({ lines }), { maxProblemsPerCode: 5 });
    expect(result.problems.filter((problem) => problem.code === "trace_json")).toHaveLength(5);
    expect(result.omitted).toEqual([{ code: "trace_json", severity: "error", count: 25 }]);
    expect(result.errors).toBe(30);
  });

  it("streams the log instead of reading it whole", async () => {
    const readFile = vi.spyOn(fs, "readFileSync");
    const dir = bundle({ lines: [event(1, threadStarted(null)), event(2, { type: "recording_completed" })] });
    const result = await validateBundle(dir);
    expect(result.ok).toBe(true);
    const traceReads = readFile.mock.calls.filter(([file]) => String(file).endsWith("trace.jsonl"));
    expect(traceReads).toEqual([]);
  });

  it("reports progress up to the whole file", async () => {
    const lines = [event(1, threadStarted(null))];
    for (let seq = 2; seq <= 5000; seq++)
      lines.push(event(seq, { type: "thread_resumed", thread_id: THREAD }));
    const dir = bundle({ lines });
    const seen: { bytesRead: number; totalBytes: number; events: number }[] = [];
    await validateBundle(dir, { onProgress: (progress) => seen.push(progress) });
    const size = fs.statSync(path.join(dir, "trace.jsonl")).size;
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toEqual({ bytesRead: size, totalBytes: size, events: 5000 });
  });

  it("does not let __proto__ keys pollute prototypes", async () => {
    const line = `{"__proto__":{"polluted":true},"schema_version":2,"seq":1,"wall_time_unix_ms":1,"rollout_id":"${ROLLOUT}","thread_id":null,"codex_turn_id":null,"payload":{"type":"recording_completed","__proto__":{"polluted":true}}}`;
    const result = await validateBundle(bundle({ lines: [line] }));
    expect(result.ok).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("payloads", () => {
  it("reports missing, unparseable and schema-breaking payloads, and refs whose id and path disagree", async () => {
    const dir = bundle({
      lines: [
        event(1, threadStarted(ref(1, "session_metadata"))),
        event(2, protocolEvent(2)),
        event(3, protocolEvent(3)),
        event(4, protocolEvent(4, "payloads/5.json")),
        event(5, { type: "recording_completed" }),
      ],
      payloads: {
        "1.json": { ...metadata, agent_path: 42 },
        "3.json": '{"type": "warning",',
        "5.json": { type: "warning", message: "m" },
      },
    });
    const result = await validateBundle(dir);
    expect(summary(result.problems)).toEqual([
      {
        code: "payload_schema",
        severity: "error",
        file: "payloads/1.json",
        line: 1,
        seq: 1,
        path: "/agent_path",
      },
      { code: "payload_missing", severity: "error", file: "payloads/2.json", line: 2, seq: 2 },
      { code: "payload_json", severity: "error", file: "payloads/3.json", line: 3, seq: 3 },
      {
        code: "payload_ref_mismatch",
        severity: "error",
        file: "trace.jsonl",
        line: 4,
        seq: 4,
        path: "/payload/event_payload/path",
      },
    ]);
    expect(result.problems[0]?.message).toBe("session_metadata payload: must be string");
    expect(result.problems[3]?.message).toBe("raw_payload:4 points at payloads/5.json, not payloads/4.json");
  });

  it("accepts a writer's placeholder for an omitted payload, and checks its note", async () => {
    const note = {
      reason: "payload_too_large",
      original_bytes: 20,
      limit_bytes: 10,
      sha256: "ab".repeat(32),
    };
    const dir = bundle({
      lines: [
        event(1, threadStarted(ref(1, "session_metadata"))),
        event(2, protocolEvent(2)),
        event(3, { type: "recording_completed" }),
      ],
      payloads: {
        "1.json": { rollout_trace_omitted: note },
        "2.json": { rollout_trace_omitted: { ...note, original_bytes: "20" } },
      },
    });
    const result = await validateBundle(dir);
    expect(summary(result.problems)).toEqual([
      {
        code: "payload_schema",
        severity: "error",
        file: "payloads/2.json",
        line: 2,
        seq: 2,
        path: "/rollout_trace_omitted/original_bytes",
      },
    ]);
  });

  it("refuses paths that leave the bundle, without reading them", async () => {
    const outside = tempDir("rt-outside-");
    fs.writeFileSync(path.join(outside, "secret.json"), JSON.stringify({ type: "warning" }));
    const dir = bundle({
      lines: [
        event(1, protocolEvent(1, "../secret.json")),
        event(2, protocolEvent(2, path.join(outside, "secret.json"))),
        event(3, protocolEvent(3)),
        event(4, { type: "recording_completed" }),
      ],
    });
    fs.symlinkSync(path.join(outside, "secret.json"), path.join(dir, "payloads", "3.json"));
    const readFile = vi.spyOn(fs, "readFileSync");
    const result = await validateBundle(dir);
    expect(summary(result.problems)).toEqual([
      {
        code: "payload_path",
        severity: "error",
        file: "trace.jsonl",
        line: 1,
        seq: 1,
        path: "/payload/event_payload/path",
      },
      {
        code: "payload_path",
        severity: "error",
        file: "trace.jsonl",
        line: 2,
        seq: 2,
        path: "/payload/event_payload/path",
      },
      {
        code: "payload_path",
        severity: "error",
        file: "trace.jsonl",
        line: 3,
        seq: 3,
        path: "/payload/event_payload/path",
      },
    ]);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      'payload path "../secret.json" leaves the bundle directory',
      `payload path ${JSON.stringify(path.join(outside, "secret.json"))} is absolute`,
      'payload path "payloads/3.json" resolves through a symbolic link to a file outside the bundle',
    ]);
    const outsideReads = readFile.mock.calls.filter(([file]) => String(file).includes(outside));
    expect(outsideReads).toEqual([]);
  });

  it("reads each payload file once, however often it is referenced", async () => {
    const dir = bundle({
      lines: [
        event(1, protocolEvent(1)),
        event(2, protocolEvent(1)),
        event(3, { type: "recording_completed" }),
      ],
      payloads: { "1.json": { type: "warning", message: "m" } },
    });
    const readFile = vi.spyOn(fs, "readFileSync");
    const result = await validateBundle(dir);
    expect(result.problems).toEqual([]);
    expect(result.stats).toMatchObject({ payloadRefs: 2, payloadFiles: 1 });
    const payloadReads = readFile.mock.calls.filter(([file]) => String(file).endsWith("1.json"));
    expect(payloadReads).toHaveLength(1);
  });

  it("reports a payload referenced with two different kinds", async () => {
    const dir = bundle({
      lines: [
        event(1, protocolEvent(1)),
        event(2, threadStarted(ref(1, "session_metadata"))),
        event(3, { type: "recording_completed" }),
      ],
      payloads: { "1.json": { type: "warning", message: "m" } },
    });
    const result = await validateBundle(dir);
    expect(summary(result.problems)).toEqual([
      {
        code: "payload_ref_mismatch",
        severity: "error",
        file: "trace.jsonl",
        line: 2,
        seq: 2,
        path: "/payload/metadata_payload",
      },
    ]);
    expect(result.problems[0]?.message).toBe(
      "raw_payload:1 was referenced at line 1 as protocol_event at payloads/1.json, here as session_metadata at payloads/1.json",
    );
  });
});

describe("the replay option", () => {
  it("adds the reducer's first error, located", async () => {
    const dir = bundle({
      lines: [
        event(1, threadStarted(null)),
        event(2, { type: "codex_turn_started", codex_turn_id: "turn-1", thread_id: "thread-missing" }),
        event(3, { type: "recording_completed" }),
      ],
    });
    expect((await validateBundle(dir)).ok).toBe(true);
    const result = await validateBundle(dir, { replay: true });
    expect(summary(result.problems)).toEqual([
      { code: "replay", severity: "error", file: "trace.jsonl", line: 2, seq: 2 },
    ]);
    expect(result.problems[0]?.message).toMatch(/unknown thread thread-missing/);
  });

  it("does not replay when the manifest cannot start a replay", async () => {
    const result = await validateBundle(bundle({ manifest: "[]", lines: [] }), { replay: true });
    expect(result.problems.map((problem) => problem.code)).toEqual(["manifest_schema"]);
  });
});
