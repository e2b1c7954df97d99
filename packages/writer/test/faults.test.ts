import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BundleWriterError, type BundleWriterOptions, createBundleWriter } from "../src/index.ts";
import { bundlePath, errorRecorder, expectReplayableBundle, readBundle, scratchDir } from "./support.ts";

const ids = { traceId: "trace-fault", rolloutId: "rollout-fault", rootThreadId: "thread-fault" };
const turnStarted = (n: number) =>
  ({ type: "codex_turn_started", codex_turn_id: `turn-${n}`, thread_id: "thread-fault" }) as const;

function writerIn(dir: string, extra: Partial<BundleWriterOptions> = {}) {
  const recorder = errorRecorder();
  const writer = createBundleWriter({ dir, ...ids, onError: recorder.onError, ...extra });
  return { writer, errors: recorder.errors };
}

function expectIoError(errors: Error[], pattern: RegExp): void {
  expect(errors).toHaveLength(1);
  const [error] = errors;
  expect(error).toBeInstanceOf(BundleWriterError);
  expect((error as BundleWriterError).reason).toBe("io");
  expect(error?.message).toMatch(pattern);
}

/** The descriptor this process holds on `file`, found through /proc (Linux). */
function descriptorOf(file: string): number {
  for (const entry of fs.readdirSync("/proc/self/fd")) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${entry}`) === file) return Number(entry);
    } catch {
      // The directory descriptor of readdir itself vanishes while we iterate.
    }
  }
  throw new Error(`no descriptor open on ${file}`);
}

const hasDevFull = fs.existsSync("/dev/full");
const hasProcFd = fs.existsSync("/proc/self/fd");

describe.skipIf(!hasDevFull)("disk full (trace.jsonl is /dev/full)", () => {
  function fullDiskBundle(): string {
    const dir = bundlePath();
    fs.mkdirSync(dir);
    fs.symlinkSync("/dev/full", path.join(dir, "trace.jsonl"));
    return dir;
  }

  it("sync mode: the append returns null, onError fires once, later calls are counted no-ops", async () => {
    const dir = fullDiskBundle();
    const { writer, errors } = writerIn(dir);
    expect(writer.state).toBe("open");
    expect(writer.writePayload("protocol_event", { type: "warning" })).not.toBeNull();

    expect(() => writer.append(turnStarted(1))).not.toThrow();
    expect(writer.state).toBe("failed");
    expectIoError(errors, /ENOSPC/);

    expect(writer.append(turnStarted(2))).toBeNull();
    expect(writer.writePayload("protocol_event", { type: "warning" })).toBeNull();
    writer.flush();
    await writer.close();
    expect(writer.state).toBe("failed");
    expect(errors).toHaveLength(1);
    expect(writer.stats()).toMatchObject({ events: 0, payloads: 1, dropped: 3, errors: 1 });
    // (trace.jsonl is the device, endless zeros to a reader, so only the manifest is read back.)
    expect(JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).trace_id).toBe("trace-fault");
  });

  it("batched mode: the lost batch is counted as dropped", () => {
    const dir = fullDiskBundle();
    const { writer, errors } = writerIn(dir, { mode: "batched" });
    for (let n = 1; n <= 3; n++) expect(writer.append(turnStarted(n))).not.toBeNull();
    expect(writer.stats().events).toBe(3);
    writer.flush();
    expect(writer.state).toBe("failed");
    expectIoError(errors, /ENOSPC/);
    expect(writer.stats()).toMatchObject({ events: 0, dropped: 3, errors: 1 });
  });
});

describe("bundle directory that cannot be created", () => {
  it("fails at creation, even for root, without throwing (a path under a regular file)", async () => {
    const file = path.join(scratchDir(), "regular-file");
    fs.writeFileSync(file, "not a directory");
    const { writer, errors } = writerIn(path.join(file, "bundle"));
    expect(writer.state).toBe("failed");
    expectIoError(errors, /ENOTDIR/);
    expect(writer.append(turnStarted(1))).toBeNull();
    expect(writer.writePayload("tool_result", {})).toBeNull();
    await expect(writer.close()).resolves.toBeUndefined();
    expect(writer.stats()).toMatchObject({ events: 0, payloads: 0, dropped: 2, errors: 1 });
    expect(errors).toHaveLength(1);
  });

  it("refuses a directory that already holds a bundle, leaving that bundle untouched", async () => {
    const dir = bundlePath();
    const first = writerIn(dir).writer;
    first.append(turnStarted(1));
    await first.close();
    const before = readBundle(dir).traceText;

    const { writer, errors } = writerIn(dir);
    expect(writer.state).toBe("failed");
    expectIoError(errors, /EEXIST/);
    expect(readBundle(dir).traceText).toBe(before);
  });
});

describe("directory removed mid-session", () => {
  it("payloads/ removed: the payload fails, earlier events stay replayable", () => {
    const dir = bundlePath();
    const { writer, errors } = writerIn(dir);
    writer.append(turnStarted(1));
    writer.append(turnStarted(2));
    fs.rmSync(path.join(dir, "payloads"), { recursive: true });

    expect(writer.writePayload("tool_result", { ok: true })).toBeNull();
    expect(writer.state).toBe("failed");
    expectIoError(errors, /ENOENT/);
    expect(writer.append(turnStarted(3))).toBeNull();
    expect(writer.stats()).toMatchObject({ events: 2, payloads: 0, dropped: 2, errors: 1 });
    expect(expectReplayableBundle(dir).events).toHaveLength(2);
  });

  it("batched mode: lines buffered before the failure are still written", () => {
    const dir = bundlePath();
    const { writer, errors } = writerIn(dir, { mode: "batched" });
    for (let n = 1; n <= 3; n++) writer.append(turnStarted(n));
    expect(readBundle(dir).lines).toHaveLength(0);
    fs.rmSync(path.join(dir, "payloads"), { recursive: true });

    expect(writer.writePayload("tool_result", { ok: true })).toBeNull();
    expectIoError(errors, /ENOENT/);
    expect(writer.stats()).toMatchObject({ events: 3, dropped: 1, errors: 1 });
    expect(expectReplayableBundle(dir).events).toHaveLength(3);
  });

  it("whole bundle removed: the next payload fails, and close() reports a log deleted under it", () => {
    const dir = bundlePath();
    const first = writerIn(dir);
    first.writer.append(turnStarted(1));
    fs.rmSync(dir, { recursive: true });
    expect(() => first.writer.writePayload("tool_result", { ok: true })).not.toThrow();
    expect(first.writer.state).toBe("failed");
    expectIoError(first.errors, /ENOENT/);

    const other = bundlePath();
    const second = writerIn(other);
    second.writer.append(turnStarted(1));
    fs.rmSync(other, { recursive: true });
    // Appends to an unlinked file succeed at the OS level; close() is where the loss is noticed.
    expect(second.writer.append(turnStarted(2))).not.toBeNull();
    second.writer.closeSync();
    expect(second.writer.state).toBe("failed");
    expectIoError(second.errors, /deleted/);
  });
});

describe.skipIf(!hasProcFd)("descriptor closed behind the writer's back", () => {
  it("fails once and cuts a torn last line back to the last complete one", () => {
    const dir = bundlePath();
    const { writer, errors } = writerIn(dir);
    writer.append(turnStarted(1));
    writer.append(turnStarted(2));
    const logPath = path.join(dir, "trace.jsonl");
    const complete = fs.readFileSync(logPath, "utf8");
    // What a write cut short by a crash or a full disk leaves behind.
    fs.appendFileSync(logPath, '{"schema_version":2,"seq":3,"wall_ti');
    fs.closeSync(descriptorOf(logPath));

    expect(writer.append(turnStarted(3))).toBeNull();
    expect(writer.state).toBe("failed");
    expectIoError(errors, /EBADF/);
    expect(fs.readFileSync(logPath, "utf8")).toBe(complete);
    expect(writer.stats()).toMatchObject({ events: 2, dropped: 1, errors: 1 });
    expect(expectReplayableBundle(dir).events).toHaveLength(2);
  });
});

describe("values the writer refuses", () => {
  it("BigInt and cycles are counted and reported once; the writer carries on with contiguous seqs", async () => {
    const dir = bundlePath();
    const { writer, errors } = writerIn(dir);
    const cyclic: Record<string, unknown> = { type: "codex_turn_started" };
    cyclic.loop = cyclic;

    expect(writer.append(turnStarted(1))?.seq).toBe(1);
    expect(writer.writePayload("tool_result", { value: 1n })).toBeNull();
    expect(writer.append(cyclic as never)).toBeNull();
    expect(writer.append({ type: "codex_turn_started", big: 2n } as never)).toBeNull();
    expect(writer.append(turnStarted(2))?.seq).toBe(2);
    // The failed payload consumed ordinal 1, as in the reference.
    expect(writer.writePayload("tool_result", { value: 1 })?.raw_payload_id).toBe("raw_payload:2");
    await writer.close();

    expect(writer.state).toBe("closed");
    expect(errors).toHaveLength(1);
    expect((errors[0] as BundleWriterError).reason).toBe("unserializable");
    expect(writer.stats()).toMatchObject({ events: 3, payloads: 1, errors: 3, dropped: 0 });
    expect(expectReplayableBundle(dir).events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it("refuses non-object payloads, bad context ids, unknown kinds and a hand-made recording_completed", () => {
    const dir = bundlePath();
    const { writer, errors } = writerIn(dir);
    const throwingContext = Object.defineProperty({}, "threadId", {
      get() {
        throw new Error("getter from trace content");
      },
    });
    expect(writer.append("rollout_started" as never)).toBeNull();
    expect(writer.append([1, 2] as never)).toBeNull();
    expect(writer.append(undefined as never)).toBeNull();
    expect(writer.append(turnStarted(1), { threadId: 42 as never })).toBeNull();
    expect(writer.append(turnStarted(1), throwingContext)).toBeNull();
    expect(writer.writePayload("not_a_kind" as never, {})).toBeNull();
    expect(writer.writePayload("tool_result", undefined)).toBeNull();
    expect(writer.append({ type: "recording_completed" })).toBeNull();

    expect(writer.state).toBe("open");
    expect(writer.stats()).toMatchObject({ events: 0, payloads: 0, errors: 8 });
    expect(errors).toHaveLength(1);
    expect(writer.append(turnStarted(1))?.seq).toBe(1);
  });

  it("survives hostile objects: throwing getters and traps in options, kinds and stream chunks", async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("get trap");
        },
        has() {
          throw new Error("has trap");
        },
      },
    );
    expect(createBundleWriter(hostile as never).state).toBe("failed");

    const dir = bundlePath();
    const { writer, errors } = writerIn(dir);
    const kind = {
      toString() {
        throw new Error("toString from trace content");
      },
    };
    expect(writer.writePayload(kind as never, {})).toBeNull();
    const stream = writer.createStream();
    expect(() => stream.write(hostile)).not.toThrow();
    stream.end();
    await new Promise((resolve) => stream.once("finish", resolve));
    expect(writer.state).toBe("open");
    expect(writer.stats().errors).toBe(2);
    expect(errors).toHaveLength(1);
    writer.closeSync();
  });

  it("a throwing onError does not reach the producer", () => {
    const writer = createBundleWriter({
      dir: bundlePath(),
      ...ids,
      onError() {
        throw new Error("handler bug");
      },
    });
    expect(() => writer.append(10n as never)).not.toThrow();
    expect(writer.stats().errors).toBe(1);
  });

  it("reports a bad option as a failed writer instead of throwing", () => {
    const base = { dir: bundlePath(), ...ids };
    const bad: Array<Record<string, unknown>> = [
      { ...base, schemaVersion: 3 },
      { ...base, mode: "async" },
      { ...base, fsync: "always" },
      { ...base, batchBytes: 0 },
      { ...base, flushIntervalMs: -1 },
      { ...base, maxPayloadBytes: Number.NaN },
      { ...base, traceId: "" },
      { ...base, rootThreadId: 7 },
      { ...base, dir: "" },
      { ...base, clock: "now" },
    ];
    for (const options of bad) {
      const { errors, onError } = errorRecorder();
      const writer = createBundleWriter({ ...options, onError } as never);
      expect(writer.state, JSON.stringify(options)).toBe("failed");
      expect((errors[0] as BundleWriterError).reason).toBe("invalid_argument");
      expect(writer.append(turnStarted(1))).toBeNull();
    }
    expect(fs.existsSync(base.dir)).toBe(false);
    expect(createBundleWriter(undefined as never).state).toBe("failed");
  });
});
