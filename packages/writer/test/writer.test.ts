import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { isOmittedPayload, RAW_PAYLOAD_KIND_NAMES } from "@rollout-trace/schema";
import { payloadValidator } from "@rollout-trace/schema/validate";
import { referenceBinary, referenceRequired, runReference } from "@rollout-trace/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BundleWriterOptions, createBundleWriter } from "../src/index.ts";
import { bundlePath, expectReplayableBundle, readBundle } from "./support.ts";

const ids = { traceId: "trace-w", rolloutId: "rollout-w", rootThreadId: "thread-w" };
const turnStarted = { type: "codex_turn_started", codex_turn_id: "turn-1", thread_id: "thread-w" } as const;

function open(extra: Partial<BundleWriterOptions> = {}) {
  const dir = bundlePath();
  return { dir, writer: createBundleWriter({ dir, ...ids, ...extra }) };
}

describe("bundle creation", () => {
  it("creates the directory, payloads/ and the manifest in spec field order, pretty, without trailing newline", () => {
    const { dir, writer } = open({ clock: () => 1795610276453.9 });
    expect(fs.statSync(path.join(dir, "payloads")).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(
      [
        "{",
        '  "schema_version": 2,',
        '  "trace_id": "trace-w",',
        '  "rollout_id": "rollout-w",',
        '  "root_thread_id": "thread-w",',
        '  "started_at_unix_ms": 1795610276453,',
        '  "raw_event_log": "trace.jsonl",',
        '  "payloads_dir": "payloads"',
        "}",
      ].join("\n"),
    );
    expect(fs.readFileSync(path.join(dir, "trace.jsonl"), "utf8")).toBe("");
    expect(writer.manifest.started_at_unix_ms).toBe(1795610276453);
    expect(writer.dir).toBe(dir);
    writer.closeSync();
  });

  it("clamps clock readings before the epoch (or not a time at all) to 0, as the reference does", () => {
    let reading = -5;
    const { dir, writer } = open({ clock: () => reading });
    writer.append(turnStarted);
    reading = Number.NaN;
    writer.append(turnStarted);
    writer.closeSync();
    expect(readBundle(dir).events.map((event) => event.wall_time_unix_ms)).toEqual([0, 0, 0]);
  });
});

describe("schema 1 and schema 2 output", () => {
  it("schema 2 (default) stamps 2 and ends a closed bundle with recording_completed", async () => {
    const { dir, writer } = open();
    expect(writer.schemaVersion).toBe(2);
    expect(writer.append(turnStarted)?.schema_version).toBe(2);
    await writer.close();
    await writer.close();
    writer.closeSync();
    const bundle = expectReplayableBundle(dir);
    expect(bundle.events.map((event) => [event.schema_version, event.seq, event.payload.type])).toEqual([
      [2, 1, "codex_turn_started"],
      [2, 2, "recording_completed"],
    ]);
    expect(bundle.events[1]).toMatchObject({ thread_id: null, codex_turn_id: null });
    expect(writer.append(turnStarted)).toBeNull();
    expect(writer.stats()).toMatchObject({ events: 2, dropped: 1 });
  });

  it("schema 1 stamps 1 and adds nothing at close", async () => {
    const { dir, writer } = open({ schemaVersion: 1 });
    expect(JSON.parse(readBundle(dir).manifestText).schema_version).toBe(1);
    writer.append(turnStarted);
    await writer.close();
    const bundle = expectReplayableBundle(dir);
    expect(bundle.events.map((event) => [event.schema_version, event.payload.type])).toEqual([
      [1, "codex_turn_started"],
    ]);
  });
});

describe("payload kinds", () => {
  it("accepts exactly the schema's payload kinds, written as { type } objects", () => {
    const { dir, writer } = open();
    RAW_PAYLOAD_KIND_NAMES.forEach((kind, index) => {
      expect(writer.writePayload(kind, { index })).toEqual({
        raw_payload_id: `raw_payload:${index + 1}`,
        kind: { type: kind },
        path: `payloads/${index + 1}.json`,
      });
    });
    for (const notAKind of ["__proto__", "toString", "constructor", "Tool_Result", ""]) {
      expect(writer.writePayload(notAKind as never, {})).toBeNull();
    }
    writer.closeSync();
    expect(readBundle(dir).payloadFiles.size).toBe(RAW_PAYLOAD_KIND_NAMES.length);
  });
});

describe("oversized payloads", () => {
  const limit = 2048;
  const bigText = "é".repeat(3000);
  const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

  it.each([
    ["inference_request", { model: "m", input: [{ type: "message", content: bigText }] }, { input: [] }],
    [
      "inference_response",
      { response_id: "resp_1", output_items: [bigText] },
      { response_id: null, upstream_request_id: null, token_usage: null, output_items: [] },
    ],
    ["compaction_response", { output_items: [bigText] }, { output_items: [] }],
    [
      "compaction_checkpoint",
      { input_history: [bigText], replacement_history: [] },
      { input_history: [], replacement_history: [] },
    ],
    ["tool_result", { type: "code_mode_response", value: bigText }, {}],
  ] as const)("%s: replaced by a placeholder keeping the fields the reducer needs", (kind, value, kept) => {
    const { dir, writer } = open({ maxPayloadBytes: limit });
    const ref = writer.writePayload(kind, value);
    expect(ref).toEqual({ raw_payload_id: "raw_payload:1", kind: { type: kind }, path: "payloads/1.json" });
    const original = JSON.stringify(value, null, 2);
    const expected = {
      ...kept,
      rollout_trace_omitted: {
        reason: "payload_too_large",
        original_bytes: Buffer.byteLength(original, "utf8"),
        limit_bytes: limit,
        sha256: sha256(original),
      },
    };
    expect(fs.readFileSync(path.join(dir, "payloads/1.json"), "utf8")).toBe(
      JSON.stringify(expected, null, 2),
    );
    expect(writer.stats()).toMatchObject({ payloads: 1, omitted: 1, errors: 0 });
    writer.closeSync();
  });

  it.each(RAW_PAYLOAD_KIND_NAMES)("%s placeholder is a valid payload of its kind", (kind) => {
    const { dir, writer } = open({ maxPayloadBytes: 16 });
    writer.writePayload(kind, { padding: bigText });
    writer.closeSync();
    const placeholder = JSON.parse(fs.readFileSync(path.join(dir, "payloads/1.json"), "utf8"));
    expect(isOmittedPayload(placeholder)).toBe(true);
    expect(payloadValidator(kind).errors(placeholder)).toEqual([]);
  });

  describe.each([1, 2] as const)("schema %i", (schemaVersion) => {
    const binary = referenceBinary(schemaVersion);
    it.skipIf(binary === null && !referenceRequired())(
      `an inference whose request and response were replaced still reduces with the reference Codex${binary === null ? " (skipped: reference binary not fetched)" : ""}`,
      async () => {
        const thread = "01a212b7-cde5-7a03-8270-a64d6832b13f";
        const turn = { threadId: thread, codexTurnId: "turn-1" };
        const { dir, writer } = open({
          schemaVersion,
          rolloutId: thread,
          rootThreadId: thread,
          maxPayloadBytes: limit,
        });
        writer.append({ type: "rollout_started", trace_id: "trace-w", root_thread_id: thread });
        writer.append({
          type: "thread_started",
          thread_id: thread,
          agent_path: "/root",
          metadata_payload: null,
        });
        writer.append({ type: "codex_turn_started", codex_turn_id: "turn-1", thread_id: thread }, turn);
        const message = (role: string, type: string) => ({
          type: "message",
          role,
          content: [{ type, text: bigText }],
        });
        const request = writer.writePayload("inference_request", { input: [message("user", "input_text")] });
        const response = writer.writePayload("inference_response", {
          response_id: "resp_1",
          output_items: [message("assistant", "output_text")],
        });
        const call = { inference_call_id: "call-1", thread_id: thread, codex_turn_id: "turn-1" };
        writer.append(
          { type: "inference_started", ...call, model: "m", provider_name: "p", request_payload: request! },
          turn,
        );
        writer.append(
          {
            type: "inference_completed",
            inference_call_id: "call-1",
            response_id: "resp_1",
            upstream_request_id: null,
            response_payload: response!,
          },
          turn,
        );
        writer.append({ type: "codex_turn_ended", codex_turn_id: "turn-1", status: "completed" }, turn);
        writer.append({ type: "thread_ended", thread_id: thread, status: "completed" });
        writer.append({ type: "rollout_ended", status: "completed" });
        await writer.close();
        expect(writer.stats().omitted).toBe(2);
        expectReplayableBundle(dir);
        const result = await runReference(schemaVersion, dir);
        expect(result.ok ? "" : result.error).toBe("");
      },
    );
  });

  it("measures the limit in UTF-8 bytes of the pretty document, inclusive", () => {
    const value = { text: "é".repeat(100) };
    const size = Buffer.byteLength(JSON.stringify(value, null, 2), "utf8");
    const atLimit = open({ maxPayloadBytes: size });
    atLimit.writer.writePayload("tool_result", value);
    expect(atLimit.writer.stats().omitted).toBe(0);
    const overLimit = open({ maxPayloadBytes: size - 1 });
    overLimit.writer.writePayload("tool_result", value);
    expect(overLimit.writer.stats().omitted).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(overLimit.dir, "payloads/1.json"), "utf8"))).toMatchObject({
      rollout_trace_omitted: { original_bytes: size, limit_bytes: size - 1 },
    });
    atLimit.writer.closeSync();
    overLimit.writer.closeSync();
  });

  it("stages payloads in payloads/.tmp/ and leaves nothing behind", () => {
    const { dir, writer } = open();
    for (let n = 0; n < 5; n++) writer.writePayload("tool_result", { n });
    expect(readBundle(dir).stagedFiles).toEqual([]);
    writer.closeSync();
    expect(fs.readdirSync(path.join(dir, "payloads")).sort()).toEqual([
      "1.json",
      "2.json",
      "3.json",
      "4.json",
      "5.json",
    ]);
  });
});

describe("durability modes", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(["never", "batch", "event"] as const)(
    "sync mode with fsync %s writes each line before append returns",
    (fsync) => {
      const { dir, writer } = open({ fsync });
      writer.append(turnStarted);
      expect(readBundle(dir).lines).toHaveLength(1);
      writer.writePayload("tool_result", { ok: true });
      writer.append(turnStarted);
      expect(readBundle(dir).lines).toHaveLength(2);
      writer.closeSync();
      expect(expectReplayableBundle(dir).events).toHaveLength(3);
    },
  );

  it("batched mode buffers until the batch is full", () => {
    const { dir, writer } = open({ mode: "batched", batchBytes: 1000 });
    let appended = 0;
    while (readBundle(dir).lines.length === 0) {
      writer.append(turnStarted);
      appended++;
    }
    // Flushed on the append that crossed the threshold: all of it, nothing left behind.
    expect(readBundle(dir).lines).toHaveLength(appended);
    expect(readBundle(dir).traceText.length).toBeGreaterThanOrEqual(1000);
    writer.closeSync();
  });

  it("batched mode flushes on the interval timer", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { dir, writer } = open({ mode: "batched", flushIntervalMs: 250 });
    writer.append(turnStarted);
    vi.advanceTimersByTime(249);
    expect(readBundle(dir).lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(readBundle(dir).lines).toHaveLength(1);
    writer.closeSync();
  });

  it("batched mode flushes on flush() and close()", async () => {
    const { dir, writer } = open({ mode: "batched", fsync: "batch" });
    writer.append(turnStarted);
    expect(readBundle(dir).lines).toHaveLength(0);
    writer.flush();
    expect(readBundle(dir).lines).toHaveLength(1);
    writer.append(turnStarted);
    await writer.close();
    expect(expectReplayableBundle(dir).events).toHaveLength(3);
  });

  it("batched mode with fsync event behaves like sync mode", () => {
    const { dir, writer } = open({ mode: "batched", fsync: "event" });
    writer.append(turnStarted);
    expect(readBundle(dir).lines).toHaveLength(1);
    writer.closeSync();
  });

  it("the exit hook is installed only while a buffering writer is open", () => {
    const exitHooks = () =>
      process.listeners("exit").filter((listener) => listener.name === "flushAllBeforeExit");
    expect(exitHooks()).toHaveLength(0);
    const plain = open().writer;
    expect(exitHooks()).toHaveLength(0);
    const first = open({ mode: "batched" }).writer;
    const second = open({ fsync: "batch" }).writer;
    // One listener for all writers, however many are open.
    expect(exitHooks()).toHaveLength(1);
    first.closeSync();
    expect(exitHooks()).toHaveLength(1);
    second.closeSync();
    plain.closeSync();
    expect(exitHooks()).toHaveLength(0);
  });
});

describe("returned values and stats", () => {
  it("append returns the event it wrote; stats count events, payloads and bytes", () => {
    const { dir, writer } = open({ clock: () => 1000 });
    const ref = writer.writePayload("session_metadata", { thread_id: "thread-w" });
    const payload = {
      type: "thread_started" as const,
      thread_id: "thread-w",
      agent_path: "/root",
      metadata_payload: ref!,
    };
    const event = writer.append(payload, { threadId: "thread-w", codexTurnId: null });
    expect(event).toEqual({
      schema_version: 2,
      seq: 1,
      wall_time_unix_ms: 1000,
      rollout_id: "rollout-w",
      thread_id: "thread-w",
      codex_turn_id: null,
      payload,
    });
    const bundle = readBundle(dir);
    expect(bundle.lines[0]).toBe(JSON.stringify(event));
    const payloadBytes = fs.statSync(path.join(dir, "payloads/1.json")).size;
    expect(writer.stats()).toEqual({
      events: 1,
      payloads: 1,
      bytes: Buffer.byteLength(bundle.traceText) + payloadBytes,
      dropped: 0,
      errors: 0,
      omitted: 0,
    });
    writer.closeSync();
  });
});
