#!/usr/bin/env node
// Reducer benchmark: `replayBundle` of @rollout-trace/reducer (built, from dist/) against the floor measured in the
// same run: stream every line of trace.jsonl and read every payload file the reducer needs, and JSON.parse them.
// Run with `pnpm bench:reducer` (builds first). Options: --events N (default 1,000,000), --schema 1|2 (default 2),
// --repeats N (default 3), --no-padded (skip the peak-RSS check on a trace.jsonl with padded lines).
//
// Each measurement runs in a fresh child process, so its peak RSS is its own. replayBundle reads payloads ahead on a
// worker thread; it is also measured without that (prefetch: false), and CPU time is reported next to wall time, so
// neither the single-threaded cost nor the second core's share is hidden. The last line printed is one JSON object:
// {"bench":"reducer","events":..,"ratio_vs_floor":..,"peak_rss_mb":..,...}.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);

// ---- child-process measurements ----------------------------------------------------------------------------------

async function measure(method, dir) {
  const { replayBundle } = method === "floor" ? {} : await import("@rollout-trace/reducer");
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let events = 0;
  if (method === "floor") {
    events = floor(dir);
  } else {
    const result = await replayBundle(dir, { prefetch: method === "replay" ? "auto" : false });
    events = result.eventCount;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, rssMb, events })}\n`);
}

/** Reads every line in 1 MiB chunks, parses it, and reads + parses each payload file it refers to once. */
function floor(dir) {
  const fd = fs.openSync(path.join(dir, "trace.jsonl"), "r");
  const chunk = Buffer.allocUnsafe(1 << 20);
  const seen = new Set();
  let carry = null;
  let events = 0;
  const onLine = (text) => {
    if (text.length === 0) return;
    const event = JSON.parse(text);
    events++;
    for (const ref of refsOf(event.payload)) {
      if (seen.has(ref.path)) continue;
      seen.add(ref.path);
      JSON.parse(fs.readFileSync(path.join(dir, ref.path), "utf8"));
    }
  };
  for (;;) {
    const read = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    let start = 0;
    let newline = chunk.indexOf(10, 0);
    while (newline !== -1 && newline < read) {
      const bytes = carry
        ? Buffer.concat([carry, chunk.subarray(start, newline)])
        : chunk.subarray(start, newline);
      carry = null;
      onLine(bytes.toString("utf8"));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < read)
      carry = carry
        ? Buffer.concat([carry, chunk.subarray(start, read)])
        : Buffer.from(chunk.subarray(start, read));
  }
  if (carry) onLine(carry.toString("utf8"));
  fs.closeSync(fd);
  return events;
}

function* refsOf(value) {
  if (value === null || typeof value !== "object") return;
  if (typeof value.raw_payload_id === "string" && typeof value.path === "string") {
    yield value;
    return;
  }
  for (const inner of Array.isArray(value) ? value : Object.values(value)) yield* refsOf(inner);
}

// ---- the synthetic bundle --------------------------------------------------------------------------------------

/** A deterministic xorshift generator, so every run measures the same bundle. */
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const WORDS =
  "the agent reads files runs tests edits code checks output and reports results to the user".split(" ");

/**
 * Real Codex requests carry long base instructions and the full tool list (about 40 KB in all); take both from a
 * request Codex 0.169.0 recorded, so the bench parses payloads of a realistic size.
 */
function realisticRequestParts() {
  const file = path.resolve(
    path.dirname(self),
    "../packages/reducer/test/fixtures/recorded/v2/exec-shell/payloads/5.json",
  );
  const request = JSON.parse(fs.readFileSync(file, "utf8"));
  const { input, ...rest } = request;
  return { base: input[0], rest };
}

function sentence(rand, words) {
  const out = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(" ");
}

/**
 * Writes a realistic session: a root thread doing many turns; each turn accepts the user's message, runs rounds of
 * full-snapshot requests whose history grows (reasoning, commentary, shell commands with runtime events and outputs),
 * ends with an answer, and compacts its history remotely when it grows long. Schema 2 adds acceptance events.
 */
function generate(dir, targetEvents, schema, padding) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "payloads"), { recursive: true });
  const rand = random(20261125);
  const rollout = "019b0000-0000-7000-8000-00000000b0b0";
  const trace = "5b0c3f2e-6a1d-4e8b-9c7f-1d2e3f4a5b6c";
  const manifest = {
    schema_version: schema,
    trace_id: trace,
    rollout_id: rollout,
    root_thread_id: rollout,
    started_at_unix_ms: 1_790_000_000_000,
    raw_event_log: "trace.jsonl",
    payloads_dir: "payloads",
  };
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  const log = fs.openSync(path.join(dir, "trace.jsonl"), "w");
  let buffer = "";
  let seq = 0;
  let payloadCount = 0;
  let clock = manifest.started_at_unix_ms;
  const pad = padding > 0 ? "x".repeat(padding) : null;
  const payload = (kind, value) => {
    const n = ++payloadCount;
    fs.writeFileSync(path.join(dir, "payloads", `${n}.json`), JSON.stringify(value, null, 2));
    return { raw_payload_id: `raw_payload:${n}`, kind: { type: kind }, path: `payloads/${n}.json` };
  };
  const emit = (body, thread = null, turn = null) => {
    clock += 1 + Math.floor(rand() * 20);
    const event = {
      schema_version: schema,
      seq: ++seq,
      wall_time_unix_ms: clock,
      rollout_id: rollout,
      thread_id: thread,
      codex_turn_id: turn,
      payload: body,
    };
    if (pad) event.padding = pad;
    buffer += `${JSON.stringify(event)}\n`;
    if (buffer.length > 1 << 20) {
      fs.writeSync(log, buffer);
      buffer = "";
    }
  };
  const accept = (id, turn) => {
    if (schema === 2) emit({ type: "history_item_accepted", item_id: id }, rollout, turn);
  };

  emit({ type: "rollout_started", trace_id: trace, root_thread_id: rollout });
  const metadata = payload("session_metadata", {
    thread_id: rollout,
    agent_path: "/root",
    task_name: null,
    nickname: null,
    agent_role: null,
    session_source: "exec",
    cwd: "/home/dev/project",
    rollout_path: null,
    model: "gpt-bench",
    provider_name: "bench",
    approval_policy: "never",
    sandbox_policy: "DangerFullAccess",
  });
  emit({ type: "thread_started", thread_id: rollout, agent_path: "/root", metadata_payload: metadata });
  const { base, rest: requestFields } = realisticRequestParts();
  let history = [];
  let turnNumber = 0;
  let callNumber = 0;
  let compactions = 0;
  while (seq < targetEvents) {
    const turn = `019b0000-0000-7000-8000-${String(++turnNumber).padStart(12, "0")}`;
    emit({ type: "codex_turn_started", codex_turn_id: turn, thread_id: rollout }, rollout, turn);
    emit({
      type: "protocol_event_observed",
      event_type: "turn_started",
      event_payload: payload("protocol_event", { type: "turn_started", turn_id: turn }),
    });
    const user = {
      type: "message",
      id: `msg_u${turnNumber}`,
      role: "user",
      content: [{ type: "input_text", text: sentence(rand, 25) }],
    };
    accept(user.id, turn);
    history.push(user);
    const rounds = 1 + Math.floor(rand() * 4);
    for (let round = 0; round < rounds; round++) {
      const inference = `inference-${turnNumber}-${round}`;
      const request = { ...requestFields, model: "gpt-bench", input: [base, ...history] };
      emit(
        {
          type: "inference_started",
          inference_call_id: inference,
          thread_id: rollout,
          codex_turn_id: turn,
          model: "gpt-bench",
          provider_name: "bench",
          request_payload: payload("inference_request", request),
        },
        rollout,
        turn,
      );
      const last = round === rounds - 1;
      const reasoning = {
        type: "reasoning",
        id: `rs_${inference}`,
        summary: [{ type: "summary_text", text: sentence(rand, 12) }],
        encrypted_content: `enc_${inference}`,
      };
      const calls = last
        ? []
        : Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, n) => ({
            type: "function_call",
            id: `fc_${inference}_${n}`,
            name: "exec_command",
            arguments: JSON.stringify({ cmd: sentence(rand, 4), yield_time_ms: 1000 }),
            call_id: `call_${++callNumber}`,
          }));
      const output = last
        ? [
            reasoning,
            {
              type: "message",
              id: `msg_${inference}`,
              role: "assistant",
              phase: "final_answer",
              content: [{ type: "output_text", text: sentence(rand, 40) }],
            },
          ]
        : [reasoning, ...calls];
      const response = {
        response_id: `resp_${inference}`,
        upstream_request_id: `req_${inference}`,
        token_usage: {
          input_tokens: 900 + history.length * 40,
          cached_input_tokens: 800,
          cache_write_input_tokens: 0,
          output_tokens: 60,
          reasoning_output_tokens: 20,
          total_tokens: 960,
        },
        output_items: output,
      };
      emit(
        {
          type: "inference_completed",
          inference_call_id: inference,
          response_id: response.response_id,
          upstream_request_id: response.upstream_request_id,
          response_payload: payload("inference_response", response),
        },
        rollout,
        turn,
      );
      for (const item of output) accept(item.id, turn);
      // Requests replay reasoning without its readable content.
      history.push({ ...reasoning }, ...output.slice(1));
      if (last) break;
      for (const call of calls) {
        const callId = call.call_id;
        const command = ["/bin/bash", "-lc", JSON.parse(call.arguments).cmd];
        const invocation = payload("tool_invocation", {
          tool_name: "exec_command",
          tool_namespace: null,
          payload: { type: "function", arguments: call.arguments },
        });
        emit(
          {
            type: "tool_call_started",
            tool_call_id: callId,
            model_visible_call_id: callId,
            code_mode_runtime_tool_id: null,
            requester: { type: "model" },
            kind: { type: "exec_command" },
            summary: {
              type: "generic",
              label: "exec_command",
              input_preview: command[2],
              output_preview: null,
            },
            invocation_payload: invocation,
          },
          rollout,
          turn,
        );
        const pid = String(10000 + (callNumber % 50000));
        const begin = payload("tool_runtime_event", {
          call_id: callId,
          process_id: pid,
          turn_id: turn,
          started_at_ms: clock,
          command,
          cwd: "/home/dev/project",
          parsed_cmd: [],
          source: "unified_exec_startup",
        });
        emit(
          schema === 2
            ? {
                type: "tool_call_runtime_started",
                tool_call_id: callId,
                kind: { type: "exec_command" },
                runtime_payload: begin,
              }
            : { type: "tool_call_runtime_started", tool_call_id: callId, runtime_payload: begin },
          rollout,
          turn,
        );
        const stdout = `${sentence(rand, 30)}\n`;
        const end = payload("tool_runtime_event", {
          call_id: callId,
          process_id: pid,
          turn_id: turn,
          completed_at_ms: clock,
          command,
          cwd: "/home/dev/project",
          parsed_cmd: [],
          source: "unified_exec_startup",
          stdout,
          stderr: "",
          aggregated_output: stdout,
          exit_code: 0,
          duration: { secs: 0, nanos: 5000 },
          formatted_output: stdout,
          status: "completed",
        });
        emit(
          {
            type: "tool_call_runtime_ended",
            tool_call_id: callId,
            status: "completed",
            runtime_payload: end,
          },
          rollout,
          turn,
        );
        const outputItem = {
          type: "function_call_output",
          id: `fco_${callId}`,
          call_id: callId,
          output: `Process exited with code 0\nOutput:\n${stdout}`,
        };
        emit(
          {
            type: "tool_call_ended",
            tool_call_id: callId,
            status: "completed",
            result_payload: payload("tool_result", { type: "direct_response", response_item: outputItem }),
          },
          rollout,
          turn,
        );
        accept(outputItem.id, turn);
        history.push(outputItem);
      }
    }
    if (history.length > 40) {
      const compaction = `compaction-${++compactions}`;
      const requestId = `compaction_request:${compactions}`;
      emit(
        {
          type: "compaction_request_started",
          compaction_id: compaction,
          compaction_request_id: requestId,
          thread_id: rollout,
          codex_turn_id: turn,
          model: "gpt-bench",
          provider_name: "bench",
          request_payload: payload("compaction_request", {
            model: "gpt-bench",
            input: [...history, { type: "compaction_trigger" }],
          }),
        },
        rollout,
        turn,
      );
      const summary = {
        type: "compaction",
        id: `cmp_${compactions}`,
        encrypted_content: `summary ${compactions}`,
      };
      emit(
        {
          type: "compaction_request_completed",
          compaction_id: compaction,
          compaction_request_id: requestId,
          response_payload: payload("compaction_response", { output_items: [summary] }),
        },
        rollout,
        turn,
      );
      const replacement = [history.find((item) => item.role === "user"), summary];
      emit(
        {
          type: "compaction_installed",
          compaction_id: compaction,
          checkpoint_payload: payload("compaction_checkpoint", {
            input_history: history,
            replacement_history: replacement,
          }),
        },
        rollout,
        turn,
      );
      history = replacement.map((item) => ({ ...item }));
    }
    emit({ type: "codex_turn_ended", codex_turn_id: turn, status: "completed" }, rollout, turn);
    emit({
      type: "protocol_event_observed",
      event_type: "turn_complete",
      event_payload: payload("protocol_event", { type: "turn_complete", turn_id: turn }),
    });
  }
  emit({ type: "thread_ended", thread_id: rollout, status: "completed" });
  emit({ type: "rollout_ended", status: "completed" });
  if (schema === 2) emit({ type: "recording_completed" });
  fs.writeSync(log, buffer);
  fs.closeSync(log);
  return { events: seq, payloads: payloadCount, traceBytes: fs.statSync(path.join(dir, "trace.jsonl")).size };
}

// ---- driver ------------------------------------------------------------------------------------------------------

function runChild(method, dir) {
  const child = spawnSync(process.execPath, ["--max-old-space-size=4096", self, "--run", method, dir], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`${method} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").pop());
}

/**
 * Writes the freshly generated bundle's dirty pages out before measuring, so the kernel's background writeback does
 * not compete with the runs. Best effort: `sync` may be missing, and the runs are still valid without it.
 */
function flushToDisk() {
  spawnSync("sync", [], { stdio: "ignore" });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(argv) {
  if (argv[0] === "--run") return measure(argv[1], argv[2]);
  const option = (name, fallback) => {
    const index = argv.indexOf(name);
    return index === -1 ? fallback : Number(argv[index + 1]);
  };
  const targetEvents = option("--events", 1_000_000);
  const schema = option("--schema", 2);
  const repeats = option("--repeats", 3);
  const padded = !argv.includes("--no-padded");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-bench-reducer-"));
  try {
    const dir = path.join(root, "bundle");
    let start = Date.now();
    const shape = generate(dir, targetEvents, schema, 0);
    flushToDisk();
    console.log(
      `generated schema-${schema} bundle: ${shape.events} events, ${shape.payloads} payload files, trace.jsonl ${(shape.traceBytes / 1e6).toFixed(0)} MB (${((Date.now() - start) / 1000).toFixed(1)} s)`,
    );
    // "replay" is replayBundle as users get it: it reads payloads ahead on a worker thread. "replay-direct" turns
    // that off, so the single-threaded cost stays visible.
    const methods = ["floor", "replay", "replay-direct"];
    const runs = Object.fromEntries(methods.map((method) => [method, []]));
    runChild("floor", dir); // warm the page cache
    for (let i = 0; i < repeats; i++) for (const method of methods) runs[method].push(runChild(method, dir));
    const row = (method) => ({
      ms: median(runs[method].map((r) => r.ms)),
      cpuMs: median(runs[method].map((r) => r.cpuMs)),
      rssMb: Math.max(...runs[method].map((r) => r.rssMb)),
      events: runs[method][0].events,
    });
    const floorRow = row("floor");
    const replayRow = row("replay");
    const directRow = row("replay-direct");
    for (const r of [replayRow, directRow])
      if (r.events !== shape.events)
        throw new Error(`replay saw ${r.events} events, expected ${shape.events}`);
    console.log("\nmethod                             median ms   CPU ms   events/s  peak RSS MB");
    for (const [name, r] of [
      ["floor (read + JSON.parse)", floorRow],
      ["replayBundle", replayRow],
      ["replayBundle, prefetch: false", directRow],
    ]) {
      console.log(
        `${name.padEnd(34)}${r.ms.toFixed(0).padStart(10)}${r.cpuMs.toFixed(0).padStart(9)}${Math.round(
          (r.events / r.ms) * 1000,
        )
          .toString()
          .padStart(11)}${r.rssMb.toFixed(0).padStart(13)}`,
      );
    }
    const ratio = (a, b) => Number((a / b).toFixed(3));
    const result = {
      bench: "reducer",
      schema,
      events: shape.events,
      payloads: shape.payloads,
      ratio_vs_floor: ratio(replayRow.ms, floorRow.ms),
      peak_rss_mb: Math.round(replayRow.rssMb),
      floor_ms: Math.round(floorRow.ms),
      replay_ms: Math.round(replayRow.ms),
      cpu_ratio_vs_floor: ratio(replayRow.cpuMs, floorRow.cpuMs),
      direct_ratio_vs_floor: ratio(directRow.ms, floorRow.ms),
      direct_cpu_ratio_vs_floor: ratio(directRow.cpuMs, floorRow.cpuMs),
    };
    if (padded) {
      // The same events with an ignored 700-byte field on every line: trace.jsonl grows, the state does not.
      fs.rmSync(dir, { recursive: true, force: true });
      start = Date.now();
      const paddedShape = generate(dir, targetEvents, schema, 700);
      flushToDisk();
      console.log(
        `\npadded trace.jsonl ${(paddedShape.traceBytes / 1e6).toFixed(0)} MB (${((Date.now() - start) / 1000).toFixed(1)} s)`,
      );
      const paddedRun = runChild("replay", dir);
      console.log(
        `replayBundle on the padded log: ${paddedRun.ms.toFixed(0)} ms, peak RSS ${paddedRun.rssMb.toFixed(0)} MB (unpadded ${replayRow.rssMb.toFixed(0)} MB)`,
      );
      result.padded_trace_mb = Math.round(paddedShape.traceBytes / 1e6);
      result.padded_peak_rss_mb = Math.round(paddedRun.rssMb);
    }
    console.log(JSON.stringify(result));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
