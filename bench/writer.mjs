#!/usr/bin/env node
// Writer benchmark: @rollout-trace/writer (built, from dist/) against baselines measured in the same run.
// Run with `pnpm bench:writer` (builds first). Prints a table per section and, as the very last line, one JSON object
// {"bench":"writer","ratios":{...}} where each ratio is our time / the baseline's time (lower is better).
//
// Sections are independent entries of SECTIONS below; another package (the producer) can append its own, e.g. the
// cost of a producer call while tracing is disabled. A section gets the shared context and returns table rows and
// ratios: { title, rows: [{ method, ms: number[], unit, perItem }], ratios: { name: number } }.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { startTrace } from "@rollout-trace/producer";
import { createBundleWriter, createRootBundleWriter } from "@rollout-trace/writer";
import pino from "pino";

const EVENTS = 200_000;
const PAYLOADS = 20_000;
const REPEATS = 3;
const PAYLOAD_BLOCK = 100;

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc");

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-bench-writer-"));
let scratchCounter = 0;
function freshPath(name) {
  return path.join(scratch, `${name}-${++scratchCounter}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic data. Ids are built per event by concatenation (V8 cons-strings), as a producer formatting ids does:
// the first serialization has to flatten them, which is part of the real cost.
// ---------------------------------------------------------------------------------------------------------------

function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (random, digits) =>
  Math.floor(random() * 16 ** digits)
    .toString(16)
    .padStart(digits, "0");
const uuid = (random) =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;
const ROLLOUT = "01a212b7-cde5-7a03-8270-a64d6832b13f";
const THREAD_SUFFIXES = ["7a03-8270-a64d6832b13f", "7b11-91aa-0c2e44f1d7a0", "7c52-a0d3-5e8f19b2c6d4"];
const KINDS = ["exec_command", "apply_patch", "web", "spawn_agent"];
const ref = (n, kind) => ({
  raw_payload_id: `raw_payload:${n}`,
  kind: { type: kind },
  path: `payloads/${n}.json`,
});

/** One event in the shape a producer passes to append(): payload + context, about 300 bytes once enveloped. */
function makeEvent(random, i) {
  const threadId = `01a212b7-cde5-${THREAD_SUFFIXES[i % THREAD_SUFFIXES.length]}`;
  const turnId = `01a212b8-${hex(random, 4)}-7${hex(random, 3)}-b21a-5d97b5548d66`;
  const context = { threadId, codexTurnId: turnId };
  switch (i % 5) {
    case 0:
      return { context, payload: { type: "codex_turn_started", codex_turn_id: turnId, thread_id: threadId } };
    case 1:
      return { context, payload: { type: "history_item_accepted", item_id: `msg_${uuid(random)}` } };
    case 2:
      return {
        context,
        payload: {
          type: "tool_call_started",
          tool_call_id: `call_${hex(random, 12)}`,
          model_visible_call_id: `fc_${hex(random, 10)}`,
          code_mode_runtime_tool_id: null,
          requester: { type: "model" },
          kind: { type: KINDS[i % KINDS.length] },
          summary: {
            type: "generic",
            label: "exec_command",
            input_preview: `ls -la src/${i}`,
            output_preview: null,
          },
          invocation_payload: null,
        },
      };
    case 3:
      return {
        context,
        payload: {
          type: "inference_completed",
          inference_call_id: uuid(random),
          response_id: `resp_${hex(random, 10)}`,
          upstream_request_id: null,
          response_payload: ref(i, "inference_response"),
        },
      };
    default:
      return {
        context: { threadId: null },
        payload: {
          type: "protocol_event_observed",
          event_type: "turn_started",
          event_payload: ref(i, "protocol_event"),
        },
      };
  }
}

function makeEvents(count, seed) {
  const random = prng(seed);
  const events = new Array(count);
  for (let i = 0; i < count; i++) events[i] = makeEvent(random, i);
  return events;
}

const WORDS = [
  "const",
  "return",
  "import",
  "src/index.ts",
  "ok",
  "error:",
  "value",
  "=>",
  "{",
  "}",
  "await",
  "file",
];

/** A tool-result document of about 4 KB. `flat` round-trips it through JSON, like text read from a pipe or parsed. */
function makePayload(random, i, flat) {
  let stdout = "";
  for (let w = 0; w < 420; w++)
    stdout += WORDS[Math.floor(random() * WORDS.length)] + (w % 14 === 13 ? "\n" : " ");
  const value = {
    type: "direct_response",
    response_item: {
      type: "function_call_output",
      call_id: `call_${hex(random, 12)}`,
      output: { content: stdout, success: true },
    },
    metadata: {
      exit_code: i % 7 === 0 ? 1 : 0,
      duration_ms: Math.floor(random() * 5000),
      cwd: "/home/dev/project",
    },
  };
  return flat ? JSON.parse(JSON.stringify(value)) : value;
}

function makePayloads(count, seed, flat) {
  const random = prng(seed);
  return Array.from({ length: count }, (_, i) => makePayload(random, i, flat));
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function envelope(i, item) {
  return {
    schema_version: 2,
    seq: i + 1,
    wall_time_unix_ms: Date.now(),
    rollout_id: ROLLOUT,
    thread_id: item.context.threadId ?? null,
    codex_turn_id: item.context.codexTurnId ?? null,
    payload: item.payload,
  };
}

function countLines(file) {
  const buffer = fs.readFileSync(file);
  let lines = 0;
  for (let index = buffer.indexOf(10); index !== -1; index = buffer.indexOf(10, index + 1)) lines++;
  return lines;
}

function check(condition, message) {
  if (!condition) throw new Error(`benchmark self-check failed: ${message}`);
}

function perItem(microseconds) {
  return microseconds < 1 ? `${(microseconds * 1000).toFixed(1)} ns` : `${microseconds.toFixed(2)} µs`;
}

function printTable(title, rows) {
  console.log(`\n${title}`);
  const header = ["method", "median ms", "min-max ms", "per item"];
  const body = rows.map((row) => [
    row.method,
    median(row.ms).toFixed(1),
    `${Math.min(...row.ms).toFixed(1)}-${Math.max(...row.ms).toFixed(1)}`,
    perItem((median(row.ms) * 1000) / row.items),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((line) => line[column].length)),
  );
  const format = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ");
  console.log(format(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of body) console.log(format(line));
}

// ---------------------------------------------------------------------------------------------------------------
// Section: events. The machine is shared and noisy, so the methods behind the tight targets run interleaved: each
// gets its own fresh copy of the events and processes them in blocks of EVENT_BLOCK, the methods taking turns, and
// its time is the sum over its blocks plus its open and close. A load spike then hits every method alike instead of
// deciding a ratio. pino completes its writes in the background on the libuv pool, so it runs whole and alone.
// ---------------------------------------------------------------------------------------------------------------

const EVENT_BLOCK = 5_000;

const interleavedEventMethods = [
  {
    name: "JSON.stringify only (floor)",
    open() {
      let bytes = 0;
      return {
        write(events, from, to) {
          for (let i = from; i < to; i++) bytes += JSON.stringify(envelope(i, events[i])).length;
        },
        finish() {},
        verify(count) {
          check(bytes > count * 200, "stringify produced too little");
        },
      };
    },
  },
  {
    name: "fs.writeSync per line (reference)",
    open() {
      const file = freshPath("writesync.jsonl");
      const fd = fs.openSync(file, "a");
      return {
        write(events, from, to) {
          for (let i = from; i < to; i++) fs.writeSync(fd, `${JSON.stringify(envelope(i, events[i]))}\n`);
        },
        finish() {
          fs.closeSync(fd);
        },
        verify(count) {
          check(countLines(file) === count, "writeSync line count");
        },
      };
    },
  },
  {
    // The best raw batching from docs/perf-baselines.md §7, without any writer: what batching itself costs here.
    name: "raw batching: string buffer, writeSync per 64 KiB",
    open() {
      const file = freshPath("raw-batched.jsonl");
      const fd = fs.openSync(file, "a");
      let buffer = "";
      return {
        write(events, from, to) {
          for (let i = from; i < to; i++) {
            buffer += `${JSON.stringify(envelope(i, events[i]))}\n`;
            if (buffer.length >= 65536) {
              fs.writeSync(fd, buffer);
              buffer = "";
            }
          }
        },
        finish() {
          if (buffer.length > 0) fs.writeSync(fd, buffer);
          fs.closeSync(fd);
        },
        verify(count) {
          check(countLines(file) === count, "raw batched line count");
        },
      };
    },
  },
  ...[
    ["writer, sync mode (default)", "sync"],
    ["writer, batched mode", "batched"],
  ].map(([name, mode]) => ({
    name,
    open() {
      const dir = freshPath(`bundle-${mode}`);
      const writer = createBundleWriter({
        dir,
        traceId: "bench",
        rolloutId: ROLLOUT,
        rootThreadId: ROLLOUT,
        mode,
      });
      return {
        write(events, from, to) {
          for (let i = from; i < to; i++) writer.append(events[i].payload, events[i].context);
        },
        finish() {
          writer.closeSync();
        },
        verify(count) {
          check(writer.state === "closed", `${mode} writer ended ${writer.state}`);
          check(countLines(path.join(dir, "trace.jsonl")) === count + 1, `${mode} writer line count`);
        },
      };
    },
  })),
];

const PINO = "pino, async destination, until flushed";

async function pinoRun(events) {
  const file = freshPath("pino.jsonl");
  const destination = pino.destination({ dest: file, sync: false });
  // No base fields and no timestamp: the closest pino gets to writing the same objects (it adds "level").
  const logger = pino({ base: null, timestamp: false }, destination);
  for (let i = 0; i < events.length; i++) logger.info(envelope(i, events[i]));
  await new Promise((resolve, reject) => {
    destination.once("close", resolve);
    destination.once("error", reject);
    destination.end();
  });
  return () => check(countLines(file) === events.length, "pino line count");
}

function elapsedMs(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One interleaved pass over `count` events; returns each method's total ms. */
function interleavedPass(count, seed) {
  const methods = interleavedEventMethods;
  // Same content for every method, but separate objects: cons-string ids must not arrive pre-flattened.
  const data = methods.map(() => makeEvents(count, seed));
  const totals = methods.map(() => 0);
  collectGarbage();
  const states = methods.map((method, index) => {
    const start = process.hrtime.bigint();
    const state = method.open();
    totals[index] += elapsedMs(start);
    return state;
  });
  for (let from = 0, round = 0; from < count; from += EVENT_BLOCK, round++) {
    const to = Math.min(count, from + EVENT_BLOCK);
    for (let k = 0; k < methods.length; k++) {
      const index = (k + round) % methods.length;
      const start = process.hrtime.bigint();
      states[index].write(data[index], from, to);
      totals[index] += elapsedMs(start);
    }
  }
  states.forEach((state, index) => {
    const start = process.hrtime.bigint();
    state.finish();
    totals[index] += elapsedMs(start);
    state.verify(count);
  });
  return totals;
}

async function timedPino(count, seed) {
  const events = makeEvents(count, seed);
  collectGarbage();
  const start = process.hrtime.bigint();
  const verify = await pinoRun(events);
  const ms = elapsedMs(start);
  verify();
  return ms;
}

async function eventsSection() {
  // Warm-up: every path runs on a smaller set first, so the JIT has seen it before anything is timed.
  interleavedPass(20_000, 100);
  await timedPino(20_000, 101);
  const times = new Map([...interleavedEventMethods.map((method) => [method.name, []]), [PINO, []]]);
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const totals = interleavedPass(EVENTS, 7 + repeat);
    interleavedEventMethods.forEach((method, index) => {
      times.get(method.name).push(totals[index]);
    });
    times.get(PINO).push(await timedPino(EVENTS, 7 + repeat));
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch);
  }
  // Ratios per repeat (methods measured side by side), then the median over repeats.
  const ratio = (ours, baseline) =>
    median(times.get(ours).map((value, index) => value / times.get(baseline)[index]));
  return {
    title: `Events: ${EVENTS.toLocaleString("en")} per run, ~300 B each, blocks of ${EVENT_BLOCK} interleaved, median of ${REPEATS}`,
    rows: [...times].map(([method, ms]) => ({ method, ms, items: EVENTS })),
    ratios: {
      default_vs_writesync: ratio("writer, sync mode (default)", "fs.writeSync per line (reference)"),
      batched_vs_stringify: ratio("writer, batched mode", "JSON.stringify only (floor)"),
      default_vs_pino: ratio("writer, sync mode (default)", PINO),
      batched_vs_pino: ratio("writer, batched mode", PINO),
      raw_batching_vs_stringify: ratio(
        "raw batching: string buffer, writeSync per 64 KiB",
        "JSON.stringify only (floor)",
      ),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Section: payload files. File creation on this kind of VM comes in slow bursts (docs/perf-baselines.md §3.4), so
// the methods take turns in blocks of PAYLOAD_BLOCK files, in one shared directory, and each total is summed over
// its blocks: a burst hits every method alike instead of deciding the ratio. The raw row is the same temporary
// name + rename without the writer, to show what the rename itself costs here.
// ---------------------------------------------------------------------------------------------------------------

async function payloadsSection() {
  const rows = [];
  const ratios = {};
  const createdDirs = [];
  for (const flat of [true, false]) {
    const label = flat ? "flat strings" : "fresh concatenated strings";
    const methods = [
      { name: `fs.writeFileSync per payload (${label})`, ms: [] },
      { name: `writer.writePayload: staged + renamed (${label})`, ms: [] },
      { name: `raw: writeFileSync to .tmp/ + renameSync, no writer (${label})`, ms: [] },
    ];
    for (let repeat = -1; repeat < REPEATS; repeat++) {
      const warmUp = repeat < 0;
      const count = warmUp ? 2_000 : PAYLOADS;
      const values = methods.map(() => makePayloads(count, 31 + repeat, flat));
      const dir = freshPath("bundle-payloads");
      const writer = createBundleWriter({ dir, traceId: "bench", rolloutId: ROLLOUT, rootThreadId: ROLLOUT });
      // The baselines write into the same directory under other names: creation cost depends on the directory
      // (its size and where the file system placed it), so sharing one keeps the comparison about the method.
      const payloadsDir = path.join(dir, "payloads");
      const write = [
        (i) =>
          fs.writeFileSync(`${payloadsDir}/baseline-${i + 1}.json`, JSON.stringify(values[0][i], null, 2)),
        (i) => writer.writePayload("tool_result", values[1][i]),
        (i) => {
          const staged = `${payloadsDir}/.tmp/raw-${i + 1}.json`;
          fs.writeFileSync(staged, JSON.stringify(values[2][i], null, 2));
          fs.renameSync(staged, `${payloadsDir}/raw-${i + 1}.json`);
        },
      ];
      const totals = methods.map(() => 0);
      collectGarbage();
      for (let block = 0, round = 0; block < count; block += PAYLOAD_BLOCK, round++) {
        const end = Math.min(count, block + PAYLOAD_BLOCK);
        for (let k = 0; k < methods.length; k++) {
          const method = (k + round) % methods.length;
          const start = process.hrtime.bigint();
          for (let i = block; i < end; i++) write[method](i);
          totals[method] += elapsedMs(start);
        }
      }
      check(writer.stats().payloads === count, "payload count");
      const last = (name) => fs.readFileSync(path.join(payloadsDir, name), "utf8");
      check(
        last(`${count}.json`) === last(`baseline-${count}.json`),
        "payload bytes differ from the baseline's",
      );
      writer.closeSync();
      if (!warmUp) {
        for (const [index, method] of methods.entries()) method.ms.push(totals[index]);
      }
      // Nothing is deleted until the section ends: mass deletes are what sets off the slow-creation bursts.
      createdDirs.push(dir);
    }
    for (const method of methods) rows.push({ method: method.name, ms: method.ms, items: PAYLOADS });
    const ratio = (ours, baseline) => median(ours.ms.map((value, index) => value / baseline.ms[index]));
    const suffix = flat ? "" : "_fresh_strings";
    ratios[`payload_vs_writefilesync${suffix}`] = ratio(methods[1], methods[0]);
    ratios[`raw_tmp_rename_vs_writefilesync${suffix}`] = ratio(methods[2], methods[0]);
  }
  for (const dir of createdDirs) fs.rmSync(dir, { recursive: true, force: true });
  return {
    title: `Payload files: ${PAYLOADS.toLocaleString("en")} of ~4 KB per run, blocks of ${PAYLOAD_BLOCK} in turn, median of ${REPEATS}`,
    rows,
    ratios,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Section: tracing disabled. What a producer pays per call site when no trace root is set: the writer is null and
// the call is skipped by optional chaining. Measured against the same loop without the call.
// ---------------------------------------------------------------------------------------------------------------

async function disabledSection() {
  const calls = 10_000_000;
  // Held in an object, as a producer would, so the optimizer cannot treat the writer as a known constant.
  const producer = { trace: createRootBundleWriter({ rootThreadId: ROLLOUT, env: {} }) };
  check(producer.trace === null, "tracing should be off without a root");
  const payload = { type: "codex_turn_started", codex_turn_id: "turn", thread_id: ROLLOUT };
  const context = { threadId: ROLLOUT };
  const loops = {
    "empty loop": () => {
      let sink = 0;
      for (let i = 0; i < calls; i++) sink += i & 1;
      return sink;
    },
    "writer?.append(...) with tracing off": () => {
      let sink = 0;
      for (let i = 0; i < calls; i++) {
        sink += i & 1;
        producer.trace?.append(payload, context);
      }
      return sink;
    },
  };
  const rows = [];
  for (const [name, loop] of Object.entries(loops)) {
    loop();
    const ms = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const start = process.hrtime.bigint();
      loop();
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    rows.push({ method: name, ms, items: calls });
  }
  return { title: `Tracing disabled: ${calls.toLocaleString("en")} calls`, rows, ratios: {} };
}

// ---------------------------------------------------------------------------------------------------------------
// Section: producer helpers while tracing is off. Every @rollout-trace/producer handle of a disabled session is a
// shared no-op; a call should cost about as much as calling an empty function. Each loop makes the same number of
// calls; the baseline calls an empty function held the same way. Reported as ns per call (loop included).
// ---------------------------------------------------------------------------------------------------------------

async function disabledProducerSection() {
  const calls = 10_000_000;
  const session = startTrace({ env: {}, rootThread: { model: "m", providerName: "p" } });
  check(!session.enabled, "the producer should be off without a root");
  // Held in an object, as an agent loop holds its handles, so the optimizer cannot treat them as constants.
  const turn = session.root.startTurn();
  const held = {
    empty: (_value) => {},
    turn,
    tool: turn.startTool({
      name: "exec_command",
      payload: { type: "function", arguments: "{}" },
      callId: "c",
    }),
  };
  const request = { input: [] };
  const output = { type: "function_call_output", call_id: "c", output: "ok" };
  const loops = {
    "empty function call (baseline)": () => {
      let sink = 0;
      for (let i = 0; i < calls; i++) {
        sink += i & 1;
        held.empty(request);
      }
      return sink;
    },
    "turn.startInference(request), tracing off": () => {
      let sink = 0;
      for (let i = 0; i < calls; i++) {
        sink += i & 1;
        held.turn.startInference(request);
      }
      return sink;
    },
    "tool.completed(output), tracing off": () => {
      let sink = 0;
      for (let i = 0; i < calls; i++) {
        sink += i & 1;
        held.tool.completed(output);
      }
      return sink;
    },
    "turn.startTool(() => invocation).execStarted(...), tracing off": () => {
      let sink = 0;
      for (let i = 0; i < calls; i++) {
        sink += i & 1;
        held.turn.startTool(() => request).execStarted(request);
      }
      return sink;
    },
  };
  const rows = [];
  const nsPerCall = {};
  for (const [name, loop] of Object.entries(loops)) {
    loop();
    const ms = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const start = process.hrtime.bigint();
      loop();
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    rows.push({ method: name, ms, items: calls });
    nsPerCall[name] = (median(ms) * 1e6) / calls;
  }
  const [baseline, ...producerCalls] = Object.values(nsPerCall);
  const slowest = Math.max(...producerCalls);
  return {
    title: `Producer helpers, tracing disabled: ${calls.toLocaleString("en")} calls per method, median of ${REPEATS}`,
    rows,
    ratios: { disabled_call_ns: slowest, disabled_call_vs_empty_call: slowest / baseline },
  };
}

const SECTIONS = [eventsSection, payloadsSection, disabledSection, disabledProducerSection];

const ratios = {};
try {
  for (const section of SECTIONS) {
    const result = await section();
    printTable(result.title, result.rows);
    Object.assign(ratios, result.ratios);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

const targets = {
  default_vs_writesync: 1.1,
  batched_vs_stringify: 1.3,
  default_vs_pino: 1,
  batched_vs_pino: 1,
  payload_vs_writefilesync: 1.3,
  disabled_call_ns: 50,
};
console.log("\nratio (ours / baseline)                 value  target");
for (const [name, value] of Object.entries(ratios)) {
  const target = targets[name];
  const verdict = target === undefined ? "" : `<= ${target} ${value <= target ? "ok" : "MISSED"}`;
  console.log(`${name.padEnd(40)}${value.toFixed(3).padStart(6)}  ${verdict}`);
}
const rounded = Object.fromEntries(
  Object.entries(ratios).map(([name, value]) => [name, Number(value.toFixed(3))]),
);
console.log(JSON.stringify({ bench: "writer", ratios: rounded }));
