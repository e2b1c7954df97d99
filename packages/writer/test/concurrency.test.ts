import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BundleWriter, createBundleWriter } from "../src/index.ts";
import { bundlePath, expectedLine, expectReplayableBundle, prettyJson, readBundle } from "./support.ts";

const ROLLOUT = "rollout-concurrent";

/** One step of an async producer: optionally a payload, then (after yielding) the event that refers to it. */
interface Step {
  readonly withPayload: boolean;
  readonly note: string;
}

interface Model {
  readonly batched: boolean;
  lines: string[];
  flushedLines: number;
  payloads: Map<number, string>;
  seq: number;
  ordinal: number;
  /** Per producer, the seqs of its events in the order its code appended them. */
  seqsByProducer: number[][];
}

interface Real {
  writer: BundleWriter;
  dir: string;
  scheduler: fc.Scheduler;
  producers: Promise<void>[];
  now: number;
}

function expectDiskMatchesModel(model: Model, real: Real): void {
  const bundle = readBundle(real.dir);
  expect(bundle.tornTail).toBe("");
  if (model.batched) {
    expect(bundle.lines.length).toBeGreaterThanOrEqual(model.flushedLines);
    expect(bundle.traceText).toBe(model.lines.slice(0, bundle.lines.length).join(""));
  } else {
    expect(bundle.traceText).toBe(model.lines.join(""));
  }
  expect(bundle.payloadFiles.size).toBe(model.payloads.size);
  for (const [ordinal, text] of model.payloads) expect(bundle.payloadFiles.get(`${ordinal}.json`)).toBe(text);
}

async function produce(model: Model, real: Real, producer: number, steps: readonly Step[]): Promise<void> {
  const { writer, scheduler } = real;
  const threadId = `thread-${producer}`;
  for (const [index, step] of steps.entries()) {
    let payload: Record<string, unknown> = {
      type: "codex_turn_started",
      codex_turn_id: step.note,
      thread_id: threadId,
    };
    if (step.withPayload) {
      const value = { type: "warning", message: `${producer}:${index}:${step.note}` };
      const ref = writer.writePayload("protocol_event", value);
      const ordinal = ++model.ordinal;
      expect(ref?.path).toBe(`payloads/${ordinal}.json`);
      // Payload before event: the file is complete before any event can refer to it.
      expect(fs.readFileSync(path.join(real.dir, `payloads/${ordinal}.json`), "utf8")).toBe(
        prettyJson(value),
      );
      model.payloads.set(ordinal, prettyJson(value));
      payload = { type: "protocol_event_observed", event_type: "warning", event_payload: ref };
      await scheduler.schedule(
        Promise.resolve(),
        `producer ${producer} step ${index}: between payload and event`,
      );
    }
    real.now += 7;
    const event = writer.append(payload as never, { threadId });
    const seq = ++model.seq;
    expect(event?.seq).toBe(seq);
    model.lines.push(expectedLine(2, seq, real.now, ROLLOUT, threadId, null, payload));
    if (!model.batched) model.flushedLines = model.lines.length;
    model.seqsByProducer[producer]!.push(seq);
    await scheduler.schedule(Promise.resolve(), `producer ${producer} step ${index}: after event`);
  }
}

class StartProducerCommand implements fc.AsyncCommand<Model, Real> {
  readonly steps: readonly Step[];
  constructor(steps: readonly Step[]) {
    this.steps = steps;
  }
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const producer = model.seqsByProducer.push([]) - 1;
    real.producers.push(produce(model, real, producer, this.steps));
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return `startProducer(${JSON.stringify(this.steps)})`;
  }
}

/** Lets the scheduler resolve one pending await of some producer, in the order fast-check picks. */
class StepCommand implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    if (real.scheduler.count() > 0) await real.scheduler.waitOne();
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return "step()";
  }
}

class FlushCommand implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    real.writer.flush();
    model.flushedLines = model.lines.length;
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return "flush()";
  }
}

const step = fc.record({ withPayload: fc.boolean(), note: fc.string({ maxLength: 6 }) });
const commands = fc.commands(
  [
    fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => new StartProducerCommand(steps)),
    fc.constant(new StepCommand()),
    fc.constant(new StepCommand()),
    fc.constant(new FlushCommand()),
  ],
  { maxCommands: 30 },
);

describe.each(["sync", "batched"] as const)("concurrent async producers, %s mode", (mode) => {
  it("get contiguous seqs in call order, file order = seq order, payloads before events", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), commands, async (scheduler, cmds) => {
        const dir = bundlePath();
        const real: Real = {
          dir,
          scheduler,
          producers: [],
          now: 1_800_000_000_000,
          writer: undefined as unknown as BundleWriter,
        };
        real.writer = createBundleWriter({
          dir,
          traceId: "trace-concurrent",
          rolloutId: ROLLOUT,
          rootThreadId: "thread-0",
          mode,
          batchBytes: 700,
          flushIntervalMs: 3_600_000,
          clock: () => real.now,
        });
        const model: Model = {
          batched: mode === "batched",
          lines: [],
          flushedLines: 0,
          payloads: new Map(),
          seq: 0,
          ordinal: 0,
          seqsByProducer: [],
        };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await scheduler.waitAll();
        await Promise.all(real.producers);
        real.now += 7;
        await real.writer.close();
        model.lines.push(
          expectedLine(2, model.seq + 1, real.now, ROLLOUT, null, null, { type: "recording_completed" }),
        );
        model.flushedLines = model.lines.length;
        expectDiskMatchesModel({ ...model, batched: false }, real);
        const bundle = expectReplayableBundle(dir);
        // Each producer's events keep its program order in the file.
        for (const seqs of model.seqsByProducer) {
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          for (const seq of seqs) {
            expect(bundle.events[seq - 1]?.thread_id).toBe(`thread-${model.seqsByProducer.indexOf(seqs)}`);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
