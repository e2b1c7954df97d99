// One test (or a few) per conversion rule, on small hand-made schema-1 bundles.
import fs from "node:fs";
import fsPromises from "node:fs/promises";
import path from "node:path";
import { ReplayError, replayBundleSync } from "@rollout-trace/reducer";
import { referenceBinary, runReference } from "@rollout-trace/testkit";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { ConversionError, type ConversionReport, type ConvertOptions, convertBundle } from "../src/index.ts";
import {
  type HandBundle,
  MANIFEST_V1,
  payloadRef,
  pretty,
  ROLLOUT_ID,
  readEvents,
  SIMPLE_REQUEST,
  SIMPLE_RESPONSE,
  schema2Problems,
  scratchDir,
  simpleSession,
  THREAD_ID,
  TURN_ID,
  v1Event,
  writeHandBundle,
} from "./support.ts";

const scratch = scratchDir("rules");
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

let bundles = 0;

function sourceDir(bundle: HandBundle): string {
  return writeHandBundle(path.join(scratch, `source-${++bundles}`), bundle);
}

interface Converted {
  readonly source: string;
  readonly target: string;
  readonly report: ConversionReport;
  readonly events: Record<string, unknown>[];
  readonly payloads: Record<string, unknown>[];
}

async function convert(bundle: HandBundle, options: ConvertOptions = {}): Promise<Converted> {
  const source = sourceDir(bundle);
  const target = path.join(scratch, `target-${bundles}`);
  const report = await convertBundle(source, target, options);
  const events = readEvents(target);
  expect(schema2Problems(target)).toEqual([]);
  return {
    source,
    target,
    report,
    events,
    payloads: events.map((event) => event.payload as Record<string, unknown>),
  };
}

async function refusal(bundle: HandBundle | string, options: ConvertOptions = {}): Promise<ConversionError> {
  const source = typeof bundle === "string" ? bundle : sourceDir(bundle);
  const target = path.join(scratch, `refused-${++bundles}`);
  const error = await convertBundle(source, target, options).then(
    () => expect.fail("the conversion was expected to be refused"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConversionError);
  expect(fs.existsSync(target)).toBe(false);
  expect(leftovers(path.dirname(target))).toEqual([]);
  return error as ConversionError;
}

/** Staging directories a conversion left next to its target (there must be none). */
function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.includes(".converting-"));
}

function codes(notes: readonly { code: string }[]): string[] {
  return notes.map((note) => note.code);
}

function withLines(bundle: HandBundle, lines: HandBundle["lines"]): HandBundle {
  return { ...bundle, lines };
}

/** Our reducer's outcome on a bundle: its state, or the error message. */
function reduce(dir: string): { ok: true; state: Record<string, unknown> } | { ok: false; error: string } {
  try {
    return { ok: true, state: replayBundleSync(dir).state };
  } catch (error) {
    if (error instanceof ReplayError) return { ok: false, error: error.message };
    throw error;
  }
}

const referenceAvailable = referenceBinary(2) !== null;
if (!referenceAvailable) {
  console.info(
    "note: the Codex 0.169.0 reference reducer is not fetched; rule tests skip its acceptance checks",
  );
}

/** The Codex 0.169.0 reducer accepts the bundle (checked only when the binary was fetched). */
async function expectReferenceAccepts(dir: string): Promise<void> {
  if (!referenceAvailable) return;
  const result = await runReference(2, dir);
  expect(result.ok ? "" : result.error).toBe("");
}

describe("the envelope", () => {
  it("writes schema_version 2, keeps every other manifest field, and refuses nothing in a clean bundle", async () => {
    const { target, report, events } = await convert(simpleSession());
    const manifest = JSON.parse(fs.readFileSync(path.join(target, "manifest.json"), "utf8"));
    expect(manifest).toEqual({ ...MANIFEST_V1, schema_version: 2 });
    expect(fs.readFileSync(path.join(target, "manifest.json"), "utf8")).toBe(pretty(manifest));
    expect(events.every((event) => event.schema_version === 2)).toBe(true);
    expect(codes(report.changes)).toEqual(["runtime_kind_inserted", "recording_completed_appended"]);
    expect(report.counts).toMatchObject({
      sourceLines: 12,
      sourceEvents: 12,
      targetEvents: 13,
      payloadsWritten: 0,
    });
    await expectReferenceAccepts(target);
  });

  it("renumbers seq 1..n in file order and reports each source seq that was out of step", async () => {
    const session = simpleSession();
    const seqs = [1, 2, 5, 5, 4, 7, 8, 9, 10, 11, 12, 13];
    const lines = session.lines.map((line, index) => ({ ...(line as object), seq: seqs[index] }));
    const { report, events } = await convert(withLines(session, lines));
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
    const renumbered = report.changes.filter((note) => note.code === "seq_renumbered");
    expect(renumbered.map((note) => [note.where.line, note.where.seq, note.message])).toEqual([
      [3, 5, "seq 5 became 3"],
      [4, 5, "seq 5 became 4"],
      [5, 4, "seq 4 became 5"],
      ...[6, 7, 8, 9, 10, 11, 12].map((line) => [line, line + 1, `seq ${line + 1} became ${line}`]),
    ]);
    expect(report.counts.byCode.seq_renumbered).toBe(10);
  });

  it("drops blank lines (CRLF endings included) and counts them", async () => {
    const session = simpleSession();
    const crlf = session.lines.map((line) => `${JSON.stringify(line)}\r`);
    const { report, events } = await convert(withLines(session, [crlf[0]!, "", "  \t", ...crlf.slice(1)]));
    expect(events).toHaveLength(13);
    expect(
      report.changes.filter((note) => note.code === "blank_line_dropped").map((note) => note.where.line),
    ).toEqual([2, 3]);
    expect(report.counts).toMatchObject({ sourceLines: 14, sourceEvents: 12 });
    expect(report.changes.some((note) => note.code === "seq_renumbered")).toBe(false);
  });

  it("writes the manifest's rollout_id into every event and reports the ones that differed", async () => {
    const session = simpleSession();
    const lines = session.lines.map((line, index) =>
      index === 4 ? { ...(line as object), rollout_id: "other" } : line,
    );
    const { report, events } = await convert(withLines(session, lines));
    expect(events.every((event) => event.rollout_id === ROLLOUT_ID)).toBe(true);
    expect(report.changes.filter((note) => note.code === "rollout_id_rewritten")).toEqual([
      {
        code: "rollout_id_rewritten",
        message: `rollout_id "other" is not the manifest's "${ROLLOUT_ID}"; written as the manifest's`,
        where: { file: "trace.jsonl", line: 5, seq: 5 },
      },
    ]);
  });

  it("writes absent thread_id and codex_turn_id as null and keeps unknown keys and number spellings", async () => {
    const session = simpleSession();
    const lines = session.lines.map((line, index) => {
      if (index !== 0) return line;
      const { thread_id: _thread, codex_turn_id: _turn, ...rest } = line as Record<string, unknown>;
      return rest;
    });
    const first = `${JSON.stringify(lines[0]).slice(0, -2)},"extra":{"2":1,"1":2.50,"__proto__":{"polluted":true}}}}`;
    const { report, target } = await convert(withLines(session, [first, ...lines.slice(1)]));
    const text = fs.readFileSync(path.join(target, "trace.jsonl"), "utf8").split("\n")[0];
    expect(text).toBe(
      `{"schema_version":2,"seq":1,"wall_time_unix_ms":1767225600010,"rollout_id":"${ROLLOUT_ID}","thread_id":null,"codex_turn_id":null,"payload":{"type":"rollout_started","trace_id":"${MANIFEST_V1.trace_id}","root_thread_id":"${THREAD_ID}","extra":{"2":1,"1":2.50,"__proto__":{"polluted":true}}}}`,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(report.changes[0]).toEqual({
      code: "envelope_context_written",
      message: "absent thread_id and codex_turn_id written as null",
      where: { file: "trace.jsonl", line: 1, seq: 1 },
    });
  });
});

describe("tool_call_runtime_started", () => {
  it("gets the kind of its tool call at tool_call_started, right after tool_call_id", async () => {
    const { report, target, payloads } = await convert(simpleSession());
    const runtime = payloads.find((payload) => payload.type === "tool_call_runtime_started")!;
    expect(Object.keys(runtime)).toEqual(["type", "tool_call_id", "kind", "runtime_payload"]);
    expect(runtime.kind).toEqual({ type: "other", name: "echo" });
    expect(report.changes.find((note) => note.code === "runtime_kind_inserted")).toEqual({
      code: "runtime_kind_inserted",
      message:
        'tool call call_1: kind {"type":"other","name":"echo"} taken from its tool_call_started at line 6',
      where: { file: "trace.jsonl", line: 7, seq: 7 },
    });
    const state = reduce(target);
    expect(state.ok && (state.state.tool_calls as Record<string, { kind: unknown }>).call_1?.kind).toEqual({
      type: "other",
      name: "echo",
    });
  });

  it("refuses a runtime start whose tool call never started, naming the line", async () => {
    const session = simpleSession();
    const lines = session.lines.filter(
      (line) => (line as { payload: { type: string } }).payload.type !== "tool_call_started",
    );
    const error = await refusal(withLines(session, lines));
    expect(error.code).toBe("runtime_kind_unknown");
    expect(error.problems[0]?.where).toEqual({ file: "trace.jsonl", line: 6, seq: 7 });
    expect(error.message).toContain("tool_call_runtime_started names tool call call_1");
  });
});

function inferenceStarted(
  mode: Record<string, unknown> | undefined,
  requestOrdinal = 1,
): Record<string, unknown> {
  return {
    type: "inference_started",
    inference_call_id: "inf-1",
    thread_id: THREAD_ID,
    codex_turn_id: TURN_ID,
    model: "gpt-test",
    provider_name: "test",
    ...(mode === undefined ? {} : { request_input_mode: mode }),
    request_payload: payloadRef(requestOrdinal, "inference_request"),
  };
}

/** `simpleSession` whose inference_started carries `mode`, with extra payload files. */
function sessionWithMode(mode: Record<string, unknown>, payloads: Record<string, unknown>): HandBundle {
  const session = simpleSession();
  const lines = session.lines.map((line) =>
    (line as { payload: { type: string } }).payload.type === "inference_started"
      ? { ...(line as object), payload: inferenceStarted(mode) }
      : line,
  );
  return { ...session, lines, payloads: { ...session.payloads, ...payloads } };
}

describe("request_input_mode", () => {
  it("rewrites an untraced-prefix request as a full snapshot in a new payload after the highest ordinal", async () => {
    // The delta payload keeps its key order; a stray higher payload file pushes the new ordinal past it.
    const delta = `{"model":"gpt-test","previous_response_id":"resp_untraced","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"and now"}]}],"temperature":1.0,"10":"ten"}`;
    const prefix = { input: SIMPLE_REQUEST.input };
    const bundle = sessionWithMode(
      {
        type: "incremental_with_untraced_prefix",
        previous_response_id: "resp_untraced",
        prefix_payload: payloadRef(5, "inference_request"),
      },
      { "1.json": delta, "5.json": prefix, "9.json": { stray: true } },
    );
    const { source, target, report, payloads } = await convert(bundle);
    const started = payloads.find((payload) => payload.type === "inference_started")!;
    expect(started.request_input_mode).toBeUndefined();
    expect(started.request_payload).toEqual(payloadRef(10, "inference_request"));
    expect(fs.readFileSync(path.join(target, "payloads", "10.json"), "utf8")).toBe(
      [
        "{",
        '  "model": "gpt-test",',
        '  "input": [',
        "    {",
        '      "type": "message",',
        '      "role": "user",',
        '      "content": [',
        "        {",
        '          "type": "input_text",',
        '          "text": "hello"',
        "        }",
        "      ]",
        "    },",
        "    {",
        '      "type": "message",',
        '      "role": "user",',
        '      "content": [',
        "        {",
        '          "type": "input_text",',
        '          "text": "and now"',
        "        }",
        "      ]",
        "    }",
        "  ],",
        '  "temperature": 1.0,',
        '  "10": "ten"',
        "}",
      ].join("\n"),
    );
    // Every source payload file is copied byte for byte, the replaced ones included.
    for (const name of ["1.json", "2.json", "3.json", "4.json", "5.json", "9.json"]) {
      expect(fs.readFileSync(path.join(target, "payloads", name))).toEqual(
        fs.readFileSync(path.join(source, "payloads", name)),
      );
    }
    expect(report.changes.find((note) => note.code === "untraced_prefix_merged")?.message).toBe(
      "request inf-1 continued an untraced response; schema 2 cannot express an untraced prefix, so it now carries payloads/10.json, a full snapshot of 1 prefix item (from payloads/5.json) and 1 delta item without previous_response_id",
    );
    expect(report.counts.payloadsWritten).toBe(1);
    const state = reduce(target);
    const calls = state.ok
      ? (state.state.inference_calls as Record<string, { request_item_ids: string[] }>)
      : {};
    expect(calls["inf-1"]?.request_item_ids).toHaveLength(2);
    await expectReferenceAccepts(target);
  });

  it("refuses an untraced-prefix request whose prefix payload has no input array", async () => {
    const bundle = sessionWithMode(
      {
        type: "incremental_with_untraced_prefix",
        previous_response_id: "resp_untraced",
        prefix_payload: payloadRef(5, "inference_request"),
      },
      { "1.json": { ...SIMPLE_REQUEST, previous_response_id: "resp_untraced" }, "5.json": { items: [] } },
    );
    const error = await refusal(bundle);
    expect(error.code).toBe("untraced_prefix_unusable");
    expect(error.problems[0]?.where).toEqual({
      file: "trace.jsonl",
      line: 4,
      seq: 4,
      payload: "payloads/5.json",
    });
  });

  it("removes previous_response_id from a full snapshot that names one, in a new payload", async () => {
    const bundle = sessionWithMode(
      { type: "full_snapshot" },
      { "1.json": { ...SIMPLE_REQUEST, previous_response_id: "resp_prewarm" } },
    );
    const { target, report, payloads } = await convert(bundle);
    expect(payloads.find((payload) => payload.type === "inference_started")?.request_payload).toEqual(
      payloadRef(5, "inference_request"),
    );
    expect(JSON.parse(fs.readFileSync(path.join(target, "payloads", "5.json"), "utf8"))).toEqual(
      SIMPLE_REQUEST,
    );
    expect(codes(report.changes)).toContain("previous_response_id_removed");
    await expectReferenceAccepts(target);
  });

  it("only drops the mode when the payload already reads the same way", async () => {
    const { report, payloads } = await convert(sessionWithMode({ type: "full_snapshot" }, {}));
    const started = payloads.find((payload) => payload.type === "inference_started")!;
    expect(started).toEqual(inferenceStarted(undefined));
    expect(report.changes.find((note) => note.code === "input_mode_dropped")?.message).toBe(
      "request inf-1: request_input_mode full_snapshot dropped (not part of schema 2); schema 2 reads the unchanged payload as a full snapshot",
    );
    expect(report.counts.payloadsWritten).toBe(0);
  });

  it("reports an incremental mode that disagrees with its payload", async () => {
    const { report } = await convert(
      sessionWithMode({ type: "incremental", previous_response_id: "resp_0" }, {}),
    );
    expect(report.losses.find((note) => note.code === "input_mode_mismatch")).toEqual({
      code: "input_mode_mismatch",
      message:
        'request inf-1: request_input_mode incremental recorded previous_response_id "resp_0", but its payload\'s is absent; schema 2 follows the payload (a schema-1 reader that honours input modes rejects this request)',
      where: { file: "trace.jsonl", line: 4, seq: 4, payload: "payloads/1.json" },
    });
  });
});

describe("carried payloads", () => {
  it("refuses a missing carried payload, naming every reference to it and its line", async () => {
    const session = simpleSession();
    const payloads = { ...session.payloads };
    delete payloads["3.json"];
    const error = await refusal({ ...session, payloads });
    expect(error.code).toBe("payload_unreadable");
    expect(error.problems).toEqual([
      {
        code: "payload_unreadable",
        message:
          "line 7 carries payload raw_payload:3 (payloads/3.json), which schema 2 reads: the file does not exist",
        where: { file: "trace.jsonl", line: 7, seq: 7, payload: "payloads/3.json" },
      },
    ]);
  });

  it("refuses carried payloads that are not JSON Codex can read", async () => {
    const deep = `${"[".repeat(128)}${"]".repeat(128)}`;
    const session = simpleSession();
    const error = await refusal({
      ...session,
      payloads: {
        ...session.payloads,
        "3.json": "{not json",
        "4.json": '{"text":"\\ud800"}',
        "2.json": deep,
      },
    });
    expect(error.problems.map((problem) => [problem.code, problem.where.payload])).toEqual([
      ["payload_invalid", "payloads/2.json"],
      ["payload_invalid", "payloads/3.json"],
      ["payload_invalid", "payloads/4.json"],
    ]);
    expect(error.problems[0]?.message).toContain("recursion limit exceeded");
    expect(error.problems[2]?.message).toContain("lone leading surrogate");
  });

  it("refuses a carried payload that is a symbolic link, even to a file inside the bundle", async () => {
    const source = sourceDir(simpleSession());
    fs.rmSync(path.join(source, "payloads", "3.json"));
    fs.symlinkSync(path.join(source, "payloads", "4.json"), path.join(source, "payloads", "3.json"));
    const error = await refusal(source);
    expect(error.code).toBe("payload_unreadable");
    expect(error.message).toContain("symbolic link");
  });

  it("copies every payload file byte for byte and skips what is not a payload file", async () => {
    const source = sourceDir(simpleSession());
    fs.writeFileSync(path.join(source, "payloads", "7.json"), "not carried, not JSON");
    fs.writeFileSync(path.join(source, "payloads", "notes.txt"), "x");
    fs.mkdirSync(path.join(source, "payloads", "sub"));
    const target = path.join(scratch, `target-copy-${++bundles}`);
    const report = await convertBundle(source, target);
    expect(fs.readdirSync(path.join(target, "payloads")).sort()).toEqual([
      "1.json",
      "2.json",
      "3.json",
      "4.json",
      "7.json",
    ]);
    expect(fs.readFileSync(path.join(target, "payloads", "7.json"), "utf8")).toBe("not carried, not JSON");
    expect(
      report.losses.filter((note) => note.code === "payload_file_skipped").map((note) => note.where.file),
    ).toEqual(["payloads/notes.txt", "payloads/sub"]);
    expect(report.counts.payloadsCopied).toBe(5);
  });
});

describe("recording_completed", () => {
  it("is appended last, with a null context and the latest wall time, when rollout_ended is present", async () => {
    const { events, report } = await convert(simpleSession());
    expect(events.at(-1)).toEqual({
      schema_version: 2,
      seq: 13,
      wall_time_unix_ms: 1767225600120,
      rollout_id: ROLLOUT_ID,
      thread_id: null,
      codex_turn_id: null,
      payload: { type: "recording_completed" },
    });
    expect(report.losses.some((note) => note.code === "recording_truncated")).toBe(false);
  });

  it("is left out and reported when the recording looks truncated", async () => {
    const session = simpleSession();
    const { target, events, report } = await convert(withLines(session, session.lines.slice(0, 8)));
    expect(events.some((event) => (event.payload as { type: string }).type === "recording_completed")).toBe(
      false,
    );
    expect(report.losses.find((note) => note.code === "recording_truncated")?.message).toContain(
      "recording_complete: false",
    );
    const state = reduce(target);
    expect(state.ok && state.state.recording_complete).toBe(false);
    await expectReferenceAccepts(target);
  });
});

describe("acceptance", () => {
  it("is not invented by default, and the report says so", async () => {
    const { events, report, target } = await convert(simpleSession());
    expect(events.some((event) => (event.payload as { type: string }).type === "history_item_accepted")).toBe(
      false,
    );
    expect(codes(report.losses)).toContain("acceptance_not_recorded");
    // The final answer is never sighted again, so it stays out of the thread transcript.
    const state = reduce(target);
    const thread = state.ok
      ? (state.state.threads as Record<string, { conversation_item_ids: string[] }>)[THREAD_ID]
      : null;
    expect(thread?.conversation_item_ids).toHaveLength(1);
  });

  it("with acceptOutputs, accepts output items with an id right after their inference ends, once per thread", async () => {
    const session = simpleSession();
    const failed = {
      type: "inference_failed",
      inference_call_id: "inf-2",
      upstream_request_id: null,
      error: "stream closed",
      partial_response_payload: payloadRef(6, "inference_response"),
    };
    const started = { ...inferenceStarted(undefined, 5), inference_call_id: "inf-2" };
    const lines = [
      ...session.lines.slice(0, 9),
      v1Event(10, started),
      v1Event(11, failed),
      ...session.lines.slice(9),
    ].map((line, index) => ({ ...(line as object), seq: index + 1 }));
    const partial = {
      response_id: null,
      upstream_request_id: null,
      token_usage: null,
      output_items: [
        { type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: "hi" }] },
        {
          type: "message",
          id: "msg_2",
          role: "assistant",
          content: [{ type: "output_text", text: "again" }],
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "no id" }] },
      ],
    };
    const request = {
      ...SIMPLE_REQUEST,
      input: [...SIMPLE_REQUEST.input, ...SIMPLE_RESPONSE.output_items.slice(0, 2)],
    };
    const { events, report, target } = await convert(
      { ...session, lines, payloads: { ...session.payloads, "5.json": request, "6.json": partial } },
      { acceptOutputs: true },
    );
    const accepted = events.filter(
      (event) => (event.payload as { type: string }).type === "history_item_accepted",
    );
    expect(accepted.map((event) => [event.seq, (event.payload as { item_id: string }).item_id])).toEqual([
      [6, "rs_1"],
      [7, "msg_1"],
      [8, "fc_1"],
      [15, "msg_2"],
    ]);
    expect(accepted[0]).toMatchObject({
      thread_id: THREAD_ID,
      codex_turn_id: TURN_ID,
      wall_time_unix_ms: 1767225600050,
    });
    expect(events.map((event) => event.seq)).toEqual(
      Array.from({ length: events.length }, (_, index) => index + 1),
    );
    expect(
      report.changes.filter((note) => note.code === "acceptance_inferred").map((note) => note.message),
    ).toEqual([
      "inference inf-1: acceptance of 3 output items (rs_1, msg_1, fc_1) inferred, not recorded; added as events 6-8, so later events' seq move up",
      "inference inf-2: acceptance of 1 output item (msg_2) inferred, not recorded; added as event 15, so later events' seq move up",
    ]);
    expect(report.changes.some((note) => note.code === "seq_renumbered")).toBe(false);
    const state = reduce(target);
    const items = state.ok
      ? Object.values(
          state.state.conversation_items as Record<
            string,
            { responses_item_id?: string; accepted_seq?: number }
          >,
        )
      : [];
    expect(items.find((item) => item.responses_item_id === "msg_2")?.accepted_seq).toBe(15);
    await expectReferenceAccepts(target);
  });

  it("with acceptOutputs, reports an inference that ended without a traced start", async () => {
    const session = simpleSession();
    const lines = session.lines.filter(
      (line) => (line as { payload: { type: string } }).payload.type !== "inference_started",
    );
    const { report, events } = await convert(withLines(session, lines), { acceptOutputs: true });
    expect(events.some((event) => (event.payload as { type: string }).type === "history_item_accepted")).toBe(
      false,
    );
    expect(report.losses.find((note) => note.code === "acceptance_skipped")?.where).toEqual({
      file: "trace.jsonl",
      line: 4,
      seq: 5,
    });
  });
});

describe("refusals", () => {
  it("refuses a schema-2 source, saying which version it is", async () => {
    const error = await refusal({ ...simpleSession(), manifest: { ...MANIFEST_V1, schema_version: 2 } });
    expect(error.code).toBe("source_schema");
    expect(error.message).toContain("already trace schema 2");
    const unsupported = await refusal(simpleSession(), { to: 3 as 2 });
    expect(unsupported.code).toBe("invalid_options");
  });

  it("refuses a manifest of an unknown schema and a directory that is not a bundle", async () => {
    const future = await refusal({
      ...simpleSession(),
      manifest: { ...MANIFEST_V1, schema_version: 3 as 1 },
    });
    expect(future.message).toContain("trace schema 3; only trace schema 1 can be converted");
    const empty = path.join(scratch, `empty-${++bundles}`);
    fs.mkdirSync(empty);
    expect((await refusal(empty)).code).toBe("source_unreadable");
    expect((await refusal(path.join(scratch, "missing"))).code).toBe("source_unreadable");
  });

  it("refuses other events, unknown event types and lines that are not schema-1 events, naming each line", async () => {
    const session = simpleSession();
    const other = v1Event(4, { type: "other", kind: "note", summary: "s", payloads: [], metadata: null });
    const unknown = v1Event(5, { type: "mystery" });
    const schema2 = { ...v1Event(6, { type: "recording_completed" }), schema_version: 2 };
    const lines = [...session.lines.slice(0, 3), other, unknown, schema2, "{torn", ...session.lines.slice(3)];
    const error = await refusal(withLines(session, lines));
    expect(error.problems.map((problem) => [problem.code, problem.where.line])).toEqual([
      ["event_unsupported", 4],
      ["event_invalid", 5],
      ["event_invalid", 6],
      ["line_invalid", 7],
    ]);
    expect(error.problems[0]?.message).toContain("raw trace event has no reducer implementation");
    expect(error.problems[1]?.message).toContain('unknown event type "mystery"');
  });

  it("refuses a line that is not UTF-8", async () => {
    const source = sourceDir(simpleSession());
    const log = path.join(source, "trace.jsonl");
    fs.writeFileSync(log, Buffer.concat([fs.readFileSync(log), Buffer.from([0xff, 0xfe, 0x0a])]));
    const error = await refusal(source);
    expect(error.problems[0]).toMatchObject({ code: "line_invalid", where: { line: 13 } });
  });
});

describe("the target", () => {
  it("is never overwritten unless asked, and then only when it is a bundle or empty", async () => {
    const source = sourceDir(simpleSession());
    const target = path.join(scratch, `existing-${bundles}`);
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "keep.txt"), "mine");
    const refused = await convertBundle(source, target).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "target_exists" });
    expect(fs.readdirSync(target)).toEqual(["keep.txt"]);
    const notBundle = await convertBundle(source, target, { overwrite: true }).catch(
      (error: unknown) => error,
    );
    expect(notBundle).toMatchObject({ code: "target_refused" });
    expect(fs.readdirSync(target)).toEqual(["keep.txt"]);

    fs.rmSync(path.join(target, "keep.txt"));
    await convertBundle(source, target, { overwrite: true });
    fs.writeFileSync(path.join(target, "state.json"), "stale");
    await convertBundle(source, target, { overwrite: true });
    expect(fs.readdirSync(target).sort()).toEqual(["manifest.json", "payloads", "trace.jsonl"]);
    expect(leftovers(scratch)).toEqual([]);
  });

  it("is refused when it is the source or lies inside it, and the source is left alone", async () => {
    const source = sourceDir(simpleSession());
    const before = fs.readFileSync(path.join(source, "trace.jsonl"));
    for (const target of [source, path.join(source, "converted"), path.join(source, "payloads", "x")]) {
      const error = await convertBundle(source, target, { overwrite: true }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: "target_refused" });
    }
    expect(fs.readFileSync(path.join(source, "trace.jsonl"))).toEqual(before);
    expect(fs.readdirSync(source).sort()).toEqual(["manifest.json", "payloads", "trace.jsonl"]);
  });

  it("is not half-written when the conversion fails at the last step", async () => {
    const source = sourceDir(simpleSession());
    const target = path.join(scratch, `failing-${bundles}`);
    vi.spyOn(fsPromises, "rename").mockRejectedValueOnce(
      Object.assign(new Error("EIO: disk gone"), { code: "EIO" }),
    );
    const error = await convertBundle(source, target).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConversionError);
    expect(error).toMatchObject({ code: "io" });
    expect(fs.existsSync(target)).toBe(false);
    expect(leftovers(scratch)).toEqual([]);
  });

  it("keeps the previous target when replacing it fails", async () => {
    const source = sourceDir(simpleSession());
    const target = path.join(scratch, `replaced-${bundles}`);
    await convertBundle(source, target);
    const before = fs.readFileSync(path.join(target, "trace.jsonl"));
    const rename = fsPromises.rename;
    let calls = 0;
    vi.spyOn(fsPromises, "rename").mockImplementation(async (from, to) => {
      // The first rename moves the old target aside; the second, staging into place, fails.
      if (++calls === 2) throw Object.assign(new Error("EIO: disk gone"), { code: "EIO" });
      return rename(from, to);
    });
    const error = await convertBundle(source, target, { overwrite: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "io" });
    expect(fs.readFileSync(path.join(target, "trace.jsonl"))).toEqual(before);
    expect(
      fs.readdirSync(scratch).filter((name) => name.includes(".converting-") || name.includes(".previous")),
    ).toEqual([]);
  });
});
