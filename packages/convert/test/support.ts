// Test support: the schema-1 corpora, scratch directories, checks that a converted bundle is valid schema 2, and a
// mutation that gives generated bundles the explicit request input modes some schema-1 writers recorded.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  RAW_EVENT_LOG_FILE_NAME,
  type RawPayloadRef,
  type RawTraceEventV1,
  type TraceManifest,
} from "@rollout-trace/schema";
import { eventV2Validator, manifestValidator, payloadValidator } from "@rollout-trace/schema/validate";
import { type GeneratedBundle, repositoryRoot } from "@rollout-trace/testkit";
import fc from "fast-check";

export interface CorpusBundle {
  readonly name: string;
  readonly dir: string;
}

function bundlesIn(dir: string, prefix: string): CorpusBundle[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, "manifest.json")))
    .sort()
    .map((name) => ({ name: `${prefix}/${name}`, dir: path.join(dir, name) }));
}

/** The shared reference material sits beside the checkout; CI always has it. */
export const SHARED_DIR = path.resolve(repositoryRoot(), "../shared");
export const sharedAvailable = fs.existsSync(SHARED_DIR);

/** Real Codex 0.144.6 bundles kept in the reducer's fixtures. */
export function recordedV1Bundles(): CorpusBundle[] {
  return bundlesIn(
    path.join(repositoryRoot(), "packages", "reducer", "test", "fixtures", "recorded", "v1"),
    "recorded/v1",
  );
}

/** `../shared` real schema-1 bundles and conformance cases (empty when `../shared` is absent). */
export function sharedV1Bundles(): CorpusBundle[] {
  return [
    ...bundlesIn(path.join(SHARED_DIR, "real-bundles", "v1"), "shared/real-bundles/v1"),
    ...bundlesIn(path.join(SHARED_DIR, "conformance", "cases"), "shared/conformance"),
  ];
}

export function scratchDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rt-convert-${label}-`));
}

export function readEvents(dir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(dir, RAW_EVENT_LOG_FILE_NAME), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function refsIn(value: unknown, out: RawPayloadRef[]): void {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, out);
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.raw_payload_id === "string" && typeof record.path === "string") {
      out.push(record as unknown as RawPayloadRef);
      return;
    }
    for (const key of Object.keys(record)) refsIn(record[key], out);
  }
}

/** Schema problems of a converted bundle's manifest and event lines (schema 2); empty when they are valid. */
export function schema2Problems(dir: string): string[] {
  const problems: string[] = [];
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as unknown;
  for (const issue of manifestValidator.errors(manifest))
    problems.push(`manifest.json ${issue.path}: ${issue.message}`);
  if ((manifest as { schema_version?: unknown }).schema_version !== 2)
    problems.push("manifest.json is not schema 2");
  readEvents(dir).forEach((event, index) => {
    for (const issue of eventV2Validator.errors(event)) {
      problems.push(`trace.jsonl line ${index + 1} ${issue.path}: ${issue.message}`);
    }
  });
  return problems;
}

/**
 * Schema problems of the payloads a bundle's events carry, each checked against the schema of its ref's kind. Hand-
 * written conformance cases carry a few deliberately incomplete payloads, which a conversion copies as they are.
 */
export function payloadProblems(dir: string): string[] {
  const problems: string[] = [];
  const checked = new Set<string>();
  for (const event of readEvents(dir)) {
    const refs: RawPayloadRef[] = [];
    refsIn(event.payload, refs);
    for (const ref of refs) {
      if (checked.has(ref.path)) continue;
      checked.add(ref.path);
      const document = JSON.parse(fs.readFileSync(path.join(dir, ref.path), "utf8")) as unknown;
      for (const issue of payloadValidator(ref.kind.type).errors(document)) {
        problems.push(`${ref.path} ${issue.path}: ${issue.message}`);
      }
    }
  }
  return problems;
}

/** Pretty JSON as Codex writes manifests and payloads. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export interface HandBundle {
  readonly manifest: TraceManifest;
  /** Lines of trace.jsonl: events (serialized compactly) or raw text (written as is). */
  readonly lines: ReadonlyArray<Record<string, unknown> | string>;
  readonly payloads: Readonly<Record<string, unknown>>;
}

/** Writes a hand-made bundle; payload keys are file names under `payloads/`, string payloads are written as is. */
export function writeHandBundle(dir: string, bundle: HandBundle): string {
  fs.mkdirSync(path.join(dir, "payloads"), { recursive: true });
  fs.writeFileSync(path.join(dir, "manifest.json"), pretty(bundle.manifest));
  for (const [name, document] of Object.entries(bundle.payloads)) {
    fs.writeFileSync(
      path.join(dir, "payloads", name),
      typeof document === "string" ? document : pretty(document),
    );
  }
  const text = bundle.lines
    .map((line) => (typeof line === "string" ? line : JSON.stringify(line)))
    .join("\n");
  fs.writeFileSync(path.join(dir, RAW_EVENT_LOG_FILE_NAME), `${text}\n`);
  return dir;
}

// -------------------------------------------------------------------------------------------------------------------
// Explicit request input modes (V-input-mode writers): generated schema-1 bundles do not have them, so a mutation
// adds them to full-snapshot requests.

type Mutation = "explicit_full" | "full_with_previous" | "untraced_prefix";

export interface InputModeMutation {
  readonly kind: Mutation;
  /** For an untraced prefix: how many leading items of the full input become the prefix (a fraction). */
  readonly split: number;
}

export const inputModeMutationArbitrary: fc.Arbitrary<InputModeMutation | null> = fc.option(
  fc.record({
    kind: fc.constantFrom<Mutation>("explicit_full", "full_with_previous", "untraced_prefix"),
    split: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { nil: null, freq: 2 },
);

/**
 * A copy of a generated schema-1 bundle in which the full-snapshot requests picked by `mutations` (one entry per
 * `inference_started`, in order) carry an explicit input mode: `explicit_full` marks the request as a full snapshot;
 * `full_with_previous` also gives its payload a `previous_response_id` the mode says to ignore; `untraced_prefix`
 * splits its input into an untraced prefix payload and a delta that continues an untraced response.
 */
export function withInputModes(
  bundle: GeneratedBundle,
  mutations: readonly (InputModeMutation | null)[],
): { manifest: TraceManifest; events: RawTraceEventV1[]; payloads: Map<number, unknown> } {
  const payloads = new Map(bundle.payloads);
  let nextOrdinal = Math.max(0, ...payloads.keys()) + 1;
  let started = 0;
  const events = (bundle.events as RawTraceEventV1[]).map((event): RawTraceEventV1 => {
    const payload = event.payload;
    if (payload.type !== "inference_started") return event;
    const mutation = mutations[started++] ?? null;
    const ordinal = Number(payload.request_payload.path.match(/(\d+)\.json$/)?.[1]);
    const request = payloads.get(ordinal) as Record<string, unknown>;
    if (mutation === null || typeof request.previous_response_id === "string") return event;
    const input = request.input as unknown[];
    const marker = `resp_untraced_${started}`;
    if (mutation.kind === "explicit_full") {
      return { ...event, payload: { ...payload, request_input_mode: { type: "full_snapshot" as const } } };
    }
    if (mutation.kind === "full_with_previous") {
      payloads.set(ordinal, { ...request, previous_response_id: marker });
      return { ...event, payload: { ...payload, request_input_mode: { type: "full_snapshot" as const } } };
    }
    const at = Math.round(mutation.split * input.length);
    const prefixOrdinal = nextOrdinal++;
    payloads.set(prefixOrdinal, { input: input.slice(0, at) });
    payloads.set(ordinal, { ...request, previous_response_id: marker, input: input.slice(at) });
    return {
      ...event,
      payload: {
        ...payload,
        request_input_mode: {
          type: "incremental_with_untraced_prefix" as const,
          previous_response_id: marker,
          prefix_payload: payloadRef(prefixOrdinal, "inference_request"),
        },
      },
    };
  });
  return { manifest: bundle.manifest, events, payloads };
}

// -------------------------------------------------------------------------------------------------------------------
// Hand-made schema-1 bundles for the rule tests.

export const ROLLOUT_ID = "019a0000-0000-7000-8000-000000000001";
export const THREAD_ID = ROLLOUT_ID;
export const TURN_ID = "019a0000-0000-7000-8000-0000000000aa";
const START_MS = 1_767_225_600_000;

export function payloadRef(ordinal: number, kind: RawPayloadRef["kind"]["type"]): RawPayloadRef {
  return { raw_payload_id: `raw_payload:${ordinal}`, kind: { type: kind }, path: `payloads/${ordinal}.json` };
}

/** A schema-1 event line; `context` defaults to the thread and turn (null for lifecycle events). */
export function v1Event(
  seq: number,
  payload: Record<string, unknown>,
  context: { thread?: string | null; turn?: string | null; wall?: number } = {},
): Record<string, unknown> {
  return {
    schema_version: 1,
    seq,
    wall_time_unix_ms: context.wall ?? START_MS + 10 * seq,
    rollout_id: ROLLOUT_ID,
    thread_id: context.thread === undefined ? THREAD_ID : context.thread,
    codex_turn_id: context.turn === undefined ? TURN_ID : context.turn,
    payload,
  };
}

export const MANIFEST_V1: TraceManifest = {
  schema_version: 1,
  trace_id: "5b0c1c9e-8c39-4a57-9d8e-000000000001",
  rollout_id: ROLLOUT_ID,
  root_thread_id: THREAD_ID,
  started_at_unix_ms: START_MS,
  raw_event_log: "trace.jsonl",
  payloads_dir: "payloads",
};

export const SIMPLE_REQUEST = {
  model: "gpt-test",
  input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hello" }] }],
};

export const SIMPLE_RESPONSE = {
  response_id: "resp_1",
  upstream_request_id: null,
  token_usage: {
    input_tokens: 10,
    cached_input_tokens: 0,
    output_tokens: 5,
    reasoning_output_tokens: 0,
    total_tokens: 15,
  },
  output_items: [
    {
      type: "reasoning",
      id: "rs_1",
      summary: [{ type: "summary_text", text: "thinking" }],
      encrypted_content: "enc",
    },
    { type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: "hi" }] },
    { type: "function_call", id: "fc_1", name: "echo", arguments: '{"text":"x"}', call_id: "call_1" },
  ],
};

/**
 * A small, complete schema-1 session: one turn with one inference and one MCP-like tool call that has runtime
 * events. `middle` replaces the events between the turn start and the turn end (seqs are renumbered 1..n).
 */
export function simpleSession(middle?: Record<string, unknown>[]): HandBundle {
  const payloads: Record<string, unknown> = {
    "1.json": SIMPLE_REQUEST,
    "2.json": SIMPLE_RESPONSE,
    "3.json": { call_id: "call_1", turn_id: TURN_ID, invocation: { server: "docs", tool: "echo" } },
    "4.json": { call_id: "call_1", result: { Ok: { content: [] } } },
  };
  const body = middle ?? [
    {
      type: "inference_started",
      inference_call_id: "inf-1",
      thread_id: THREAD_ID,
      codex_turn_id: TURN_ID,
      model: "gpt-test",
      provider_name: "test",
      request_payload: payloadRef(1, "inference_request"),
    },
    {
      type: "inference_completed",
      inference_call_id: "inf-1",
      response_id: "resp_1",
      upstream_request_id: null,
      response_payload: payloadRef(2, "inference_response"),
    },
    {
      type: "tool_call_started",
      tool_call_id: "call_1",
      model_visible_call_id: "call_1",
      code_mode_runtime_tool_id: null,
      requester: { type: "model" },
      kind: { type: "other", name: "echo" },
      summary: { type: "generic", label: "echo", input_preview: null, output_preview: null },
      invocation_payload: null,
    },
    {
      type: "tool_call_runtime_started",
      tool_call_id: "call_1",
      runtime_payload: payloadRef(3, "tool_runtime_event"),
    },
    {
      type: "tool_call_runtime_ended",
      tool_call_id: "call_1",
      status: "completed",
      runtime_payload: payloadRef(4, "tool_runtime_event"),
    },
    { type: "tool_call_ended", tool_call_id: "call_1", status: "completed", result_payload: null },
  ];
  const lifecycle = (payload: Record<string, unknown>) => ({
    payload,
    context: { thread: null, turn: null },
  });
  const entries: { payload: Record<string, unknown>; context?: { thread: null; turn: null } }[] = [
    lifecycle({ type: "rollout_started", trace_id: MANIFEST_V1.trace_id, root_thread_id: THREAD_ID }),
    lifecycle({ type: "thread_started", thread_id: THREAD_ID, agent_path: "/root", metadata_payload: null }),
    { payload: { type: "codex_turn_started", codex_turn_id: TURN_ID, thread_id: THREAD_ID } },
    ...body.map((payload) => ({ payload })),
    { payload: { type: "codex_turn_ended", codex_turn_id: TURN_ID, status: "completed" } },
    lifecycle({ type: "thread_ended", thread_id: THREAD_ID, status: "completed" }),
    lifecycle({ type: "rollout_ended", status: "completed" }),
  ];
  return {
    manifest: MANIFEST_V1,
    lines: entries.map((entry, index) => v1Event(index + 1, entry.payload, entry.context)),
    payloads,
  };
}
