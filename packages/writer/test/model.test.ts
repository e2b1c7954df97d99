import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BundleWriter, createBundleWriter, type EventContext } from "../src/index.ts";
import {
  bundlePath,
  expectedLine,
  expectReplayableBundle,
  type PayloadRefShape,
  prettyJson,
  readBundle,
} from "./support.ts";

const ROLLOUT = "rollout-model";

/** What the bundle on disk must contain, kept by the test independently of the writer. */
interface Model {
  readonly schemaVersion: 1 | 2;
  readonly batched: boolean;
  lines: string[];
  /** Lines known to be with the OS in batched mode (after a flush or close). */
  flushedLines: number;
  payloads: Map<number, string>;
  lastRef: PayloadRefShape | null;
  seq: number;
  ordinal: number;
  closed: boolean;
  dropped: number;
  errors: number;
}

interface Real {
  writer: BundleWriter;
  dir: string;
  /** The writer's clock reads this; each command sets it first so the model knows every timestamp. */
  now: number;
}

function expectDiskMatchesModel(model: Model, real: Real): void {
  const bundle = readBundle(real.dir);
  expect(bundle.tornTail).toBe("");
  if (model.batched && !model.closed) {
    // Between flushes the log holds a whole-line prefix of the accepted lines, never less than what was flushed.
    const written = bundle.lines.length;
    expect(written).toBeGreaterThanOrEqual(model.flushedLines);
    expect(bundle.traceText).toBe(model.lines.slice(0, written).join(""));
  } else {
    expect(bundle.traceText).toBe(model.lines.join(""));
  }
  const expectedNames = [...model.payloads.keys()].map((ordinal) => `${ordinal}.json`).sort();
  expect([...bundle.payloadFiles.keys()].sort()).toEqual(expectedNames);
  for (const [ordinal, text] of model.payloads) expect(bundle.payloadFiles.get(`${ordinal}.json`)).toBe(text);
  // No temporary file outlives the call that wrote it, and the staging directory goes away on close.
  expect(bundle.stagedFiles).toEqual(model.closed ? null : []);
  const stats = real.writer.stats();
  expect(stats.events).toBe(model.lines.length);
  expect(stats.payloads).toBe(model.payloads.size);
  expect(stats.dropped).toBe(model.dropped);
  expect(stats.errors).toBe(model.errors);
  const payloadBytes = [...bundle.payloadFiles.values()].reduce(
    (sum, text) => sum + Buffer.byteLength(text),
    0,
  );
  expect(stats.bytes).toBe(Buffer.byteLength(bundle.traceText) + payloadBytes);
  expect(real.writer.state).toBe(model.closed ? "closed" : "open");
}

type PayloadMaker = (ref: PayloadRefShape | null) => Record<string, unknown>;

class AppendCommand implements fc.Command<Model, Real> {
  readonly makePayload: PayloadMaker;
  readonly context: EventContext | undefined;
  readonly at: number;
  constructor(makePayload: PayloadMaker, context: EventContext | undefined, at: number) {
    this.makePayload = makePayload;
    this.context = context;
    this.at = at;
  }
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    real.now = this.at;
    const payload = this.makePayload(model.lastRef);
    const event = real.writer.append(payload as never, this.context);
    if (model.closed) {
      expect(event).toBeNull();
      model.dropped++;
    } else {
      model.seq++;
      const threadId = this.context?.threadId ?? null;
      const turnId = this.context?.codexTurnId ?? null;
      const line = expectedLine(model.schemaVersion, model.seq, this.at, ROLLOUT, threadId, turnId, payload);
      expect(event === null ? null : `${JSON.stringify(event)}\n`).toBe(line);
      model.lines.push(line);
      if (!model.batched) model.flushedLines = model.lines.length;
    }
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return `append(${JSON.stringify(this.makePayload(null))}, ${JSON.stringify(this.context)})`;
  }
}

type ModelPayloadKind = "protocol_event" | "tool_result" | "agent_result";

class WritePayloadCommand implements fc.Command<Model, Real> {
  readonly kind: ModelPayloadKind;
  readonly value: unknown;
  constructor(kind: ModelPayloadKind, value: unknown) {
    this.kind = kind;
    this.value = value;
  }
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const ref = real.writer.writePayload(this.kind, this.value);
    if (model.closed) {
      expect(ref).toBeNull();
      model.dropped++;
    } else {
      const ordinal = ++model.ordinal;
      const expected = {
        raw_payload_id: `raw_payload:${ordinal}`,
        kind: { type: this.kind },
        path: `payloads/${ordinal}.json`,
      };
      expect(ref).toEqual(expected);
      // Complete under its final name before the call returns.
      expect(fs.readFileSync(path.join(real.dir, expected.path), "utf8")).toBe(prettyJson(this.value));
      model.payloads.set(ordinal, prettyJson(this.value));
      model.lastRef = expected;
    }
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return `writePayload(${this.kind}, ${JSON.stringify(this.value)})`;
  }
}

/** A value JSON.stringify rejects: refused and counted, and the writer carries on with contiguous seqs. */
class UnserializableCommand implements fc.Command<Model, Real> {
  readonly asPayloadFile: boolean;
  constructor(asPayloadFile: boolean) {
    this.asPayloadFile = asPayloadFile;
  }
  check(model: Readonly<Model>): boolean {
    return !model.closed;
  }
  run(model: Model, real: Real): void {
    const cyclic: Record<string, unknown> = { type: "protocol_event_observed" };
    cyclic.self = cyclic;
    if (this.asPayloadFile) {
      expect(real.writer.writePayload("tool_result", { big: 10n })).toBeNull();
      model.ordinal++;
    } else {
      expect(real.writer.append(cyclic as never)).toBeNull();
    }
    model.errors++;
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return this.asPayloadFile ? "writePayload(BigInt)" : "append(cycle)";
  }
}

class FlushCommand implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    real.writer.flush();
    if (!model.closed) model.flushedLines = model.lines.length;
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return "flush()";
  }
}

class CloseCommand implements fc.Command<Model, Real> {
  readonly at: number;
  constructor(at: number) {
    this.at = at;
  }
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    real.now = this.at;
    real.writer.closeSync();
    if (!model.closed && model.schemaVersion === 2) {
      model.seq++;
      const completed = { type: "recording_completed" };
      model.lines.push(expectedLine(2, model.seq, this.at, ROLLOUT, null, null, completed));
    }
    model.closed = true;
    model.flushedLines = model.lines.length;
    expectDiskMatchesModel(model, real);
  }
  toString(): string {
    return "closeSync()";
  }
}

const text = fc.string({ unit: "binary", maxLength: 12 });
const context: fc.Arbitrary<EventContext | undefined> = fc.option(
  fc.record({ threadId: fc.option(text), codexTurnId: fc.option(text) }, { requiredKeys: [] }),
  { nil: undefined },
);
const time = fc.integer({ min: 0, max: 2 ** 45 });

const payloadMaker: fc.Arbitrary<PayloadMaker> = fc.oneof(
  fc.record({ turn: text, thread: text }).map(
    ({ turn, thread }): PayloadMaker =>
      () => ({ type: "codex_turn_started", codex_turn_id: turn, thread_id: thread }),
  ),
  fc.record({ thread: text, status: fc.constantFrom("running", "completed", "failed", "aborted") }).map(
    ({ thread, status }): PayloadMaker =>
      () => ({ type: "thread_ended", thread_id: thread, status }),
  ),
  fc.record({ eventType: text }).map(
    ({ eventType }): PayloadMaker =>
      (ref) =>
        ref === null
          ? { type: "rollout_ended", status: "completed" }
          : { type: "protocol_event_observed", event_type: eventType, event_payload: ref },
  ),
);

const jsonValue = fc.jsonValue({ maxDepth: 3 });

const commands = fc.commands(
  [
    fc.tuple(payloadMaker, context, time).map(([make, ctx, at]) => new AppendCommand(make, ctx, at)),
    fc
      .tuple(fc.constantFrom("protocol_event", "tool_result", "agent_result" as const), jsonValue)
      .map(([kind, value]) => new WritePayloadCommand(kind, value)),
    fc.boolean().map((asPayloadFile) => new UnserializableCommand(asPayloadFile)),
    fc.constant(new FlushCommand()),
    time.map((at) => new CloseCommand(at)),
  ],
  // "large" lets runs grow long enough to cross the batch threshold several times between explicit flushes.
  { maxCommands: 60, size: "large" },
);

function setup(schemaVersion: 1 | 2, batched: boolean): { model: Model; real: Real } {
  const dir = bundlePath();
  const real: Real = { dir, now: 0, writer: undefined as unknown as BundleWriter };
  real.writer = createBundleWriter({
    dir,
    traceId: "trace-model",
    rolloutId: ROLLOUT,
    rootThreadId: "thread-model",
    schemaVersion,
    mode: batched ? "batched" : "sync",
    // Small enough that runs cross the size threshold; the timer stays out of the way of these synchronous runs.
    batchBytes: 900,
    flushIntervalMs: 3_600_000,
    clock: () => real.now,
  });
  const model: Model = {
    schemaVersion,
    batched,
    lines: [],
    flushedLines: 0,
    payloads: new Map(),
    lastRef: null,
    seq: 0,
    ordinal: 0,
    closed: false,
    dropped: 0,
    errors: 0,
  };
  return { model, real };
}

describe.each([
  { schemaVersion: 1, mode: "sync" },
  { schemaVersion: 2, mode: "sync" },
  { schemaVersion: 1, mode: "batched" },
  { schemaVersion: 2, mode: "batched" },
] as const)("model-based: schema $schemaVersion, $mode mode", ({ schemaVersion, mode }) => {
  it("keeps the disk equal to the model after every step", () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        let real: Real | undefined;
        fc.modelRun(() => {
          const state = setup(schemaVersion, mode === "batched");
          real = state.real;
          return state;
        }, cmds);
        real!.writer.closeSync();
        expectReplayableBundle(real!.dir);
      }),
      { numRuns: 60 },
    );
  });
});
