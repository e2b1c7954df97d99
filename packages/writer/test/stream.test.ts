import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { type BundleWriterOptions, createBundleWriter, type TraceEventChunk } from "../src/index.ts";
import { bundlePath, errorRecorder, expectReplayableBundle, readBundle } from "./support.ts";

const ids = { traceId: "trace-s", rolloutId: "rollout-s", rootThreadId: "thread-s" };

function chunk(n: number): TraceEventChunk {
  return {
    payload: { type: "codex_turn_started", codex_turn_id: `turn-${n}`, thread_id: "thread-s" },
    context: { threadId: "thread-s", codexTurnId: `turn-${n}` },
  };
}

function open(extra: Partial<BundleWriterOptions> = {}) {
  const dir = bundlePath();
  const recorder = errorRecorder();
  return {
    dir,
    ...recorder,
    writer: createBundleWriter({ dir, ...ids, onError: recorder.onError, ...extra }),
  };
}

describe("createStream", () => {
  it("signals backpressure at the high-water mark and drains without losing or reordering events", async () => {
    const { dir, writer } = open();
    const stream = writer.createStream();
    let refusedAt = -1;
    for (let n = 1; n <= 100; n++) {
      if (!stream.write(chunk(n)) && refusedAt === -1) refusedAt = n;
    }
    // The writer acknowledges on the next event-loop turn, so a burst queues up and write() says "wait".
    expect(refusedAt).toBe(stream.writableHighWaterMark);
    expect(stream.writableNeedDrain).toBe(true);
    await new Promise((resolve) => stream.once("drain", resolve));
    stream.end();
    await finished(stream);
    const codexTurnIds = readBundle(dir).events.map((event) => event.codex_turn_id);
    expect(codexTurnIds).toEqual(Array.from({ length: 100 }, (_, index) => `turn-${index + 1}`));
    await writer.close();
  });

  it("a producer honouring backpressure never has more than the high-water mark in flight", async () => {
    const { writer } = open();
    const stream = writer.createStream();
    let maxBuffered = 0;
    for (let n = 1; n <= 200; n++) {
      if (!stream.write(chunk(n))) await new Promise((resolve) => stream.once("drain", resolve));
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
    }
    stream.end();
    await finished(stream);
    expect(maxBuffered).toBeLessThanOrEqual(stream.writableHighWaterMark);
    expect(writer.stats().events).toBe(200);
    await writer.close();
  });

  it("finishes only once buffered lines are with the OS (batched mode)", async () => {
    const { dir, writer } = open({ mode: "batched", flushIntervalMs: 3_600_000 });
    await pipeline(
      Readable.from(Array.from({ length: 50 }, (_, index) => chunk(index + 1))),
      writer.createStream(),
    );
    expect(readBundle(dir).lines).toHaveLength(50);
    await writer.close();
    expect(expectReplayableBundle(dir).events).toHaveLength(51);
  });

  it("never emits 'error' into the pipeline: failures go to onError and the counters", async () => {
    const dir = bundlePath();
    fs.mkdirSync(dir);
    fs.symlinkSync("/dev/full", path.join(dir, "trace.jsonl"));
    const { errors, onError } = errorRecorder();
    const writer = createBundleWriter({ dir, ...ids, onError });
    const stream = writer.createStream();
    const streamErrors: unknown[] = [];
    stream.on("error", (error) => streamErrors.push(error));
    await pipeline(Readable.from([chunk(1), { nonsense: true }, chunk(2)]), stream);
    expect(streamErrors).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(writer.state).toBe("failed");
    expect(writer.stats()).toMatchObject({ events: 0, dropped: 3 });
  });

  it("counts malformed chunks as refused and keeps going", async () => {
    const { dir, writer, errors } = open();
    await pipeline(Readable.from([chunk(1), { nonsense: true }, "text", chunk(2)]), writer.createStream());
    expect(writer.stats()).toMatchObject({ events: 2, errors: 2 });
    expect(errors).toHaveLength(1);
    await writer.close();
    expect(expectReplayableBundle(dir).events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });
});
