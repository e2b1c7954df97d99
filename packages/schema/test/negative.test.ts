import { describe, expect, test } from "vitest";
import type { RawPayloadKindName } from "../src/index.ts";
import {
  eventV1Validator,
  eventV2Validator,
  eventValidator,
  manifestValidator,
  payloadValidator,
  stateV1Validator,
  stateV2Validator,
  stateValidator,
  type Validator,
} from "../src/validate.ts";
import { ajvErrorPaths, ajvValidator, payloadSchemaFile } from "./support/ajv.ts";
import { fixtureBundles } from "./support/bundles.ts";

type Json = Record<string, unknown>;

const ref = (n: number, kind: string) => ({
  raw_payload_id: `raw_payload:${n}`,
  kind: { type: kind },
  path: `payloads/${n}.json`,
});

function event(version: 1 | 2, payload: Json, context: Json = {}): Json {
  return {
    schema_version: version,
    seq: 7,
    wall_time_unix_ms: 1767225600070,
    rollout_id: "thread-root",
    thread_id: "thread-root",
    codex_turn_id: "turn-1",
    ...context,
    payload,
  };
}

const threadStarted = {
  type: "thread_started",
  thread_id: "thread-root",
  agent_path: "/root",
  metadata_payload: ref(1, "session_metadata"),
};
const inferenceCompleted = {
  type: "inference_completed",
  inference_call_id: "inference-1",
  response_id: "resp-1",
  upstream_request_id: null,
  response_payload: ref(3, "inference_response"),
};
const inferenceStarted = {
  type: "inference_started",
  inference_call_id: "inference-1",
  thread_id: "thread-root",
  codex_turn_id: "turn-1",
  model: "test-model",
  provider_name: "test-provider",
  request_payload: ref(2, "inference_request"),
};
const runtimeStarted = {
  type: "tool_call_runtime_started",
  tool_call_id: "call-1",
  runtime_payload: ref(4, "tool_runtime_event"),
};
const manifest = {
  schema_version: 2,
  trace_id: "trace-1",
  rollout_id: "thread-root",
  root_thread_id: "thread-root",
  started_at_unix_ms: 1767225600000,
  raw_event_log: "trace.jsonl",
  payloads_dir: "payloads",
};

const [stateV1, stateV2] = [1, 2].map((version) => {
  const bundle = fixtureBundles().find((candidate) => candidate.name === `fixtures/v${version}-session`);
  if (bundle?.state === undefined) throw new Error(`fixture state v${version} missing`);
  return bundle.state as Json;
}) as [Json, Json];

/** A copy of `value` with `change` applied to the object at `path` (a list of keys). */
function edit(value: Json, path: readonly string[], change: (target: Json) => void): Json {
  const copy = structuredClone(value);
  let target: Json = copy;
  for (const key of path) target = target[key] as Json;
  change(target);
  return copy;
}

function firstKey(value: Json, map: string): string {
  return Object.keys(value[map] as Json)[0]!;
}

interface NegativeCase {
  readonly name: string;
  readonly validator: Validator<unknown>;
  readonly schemaFile: string;
  readonly value: unknown;
  /** The JSON pointer an issue must name. */
  readonly path: string;
  /** A fragment the message of that issue must contain. */
  readonly message: string;
}

const eventCases = (validator: Validator<unknown>, schemaFile: string): NegativeCase[] => [
  {
    name: "wrong field type",
    validator,
    schemaFile,
    value: event(2, { ...threadStarted, thread_id: 42 }),
    path: "/payload/thread_id",
    message: "thread_started event: must be string",
  },
  {
    name: "missing required field",
    validator,
    schemaFile,
    value: event(2, { ...inferenceCompleted, response_payload: undefined }),
    path: "/payload/response_payload",
    message: 'missing required property "response_payload"',
  },
  {
    name: "absent where null is required",
    validator,
    schemaFile,
    value: event(2, { ...inferenceCompleted, upstream_request_id: undefined }),
    path: "/payload/upstream_request_id",
    message: 'missing required property "upstream_request_id"',
  },
  {
    name: "unknown event type",
    validator,
    schemaFile,
    value: event(2, { type: "thread_paused", thread_id: "thread-root" }),
    path: "/payload/type",
    message: 'unknown event type "thread_paused"',
  },
  {
    name: "payload nested one level too deep",
    validator,
    schemaFile,
    value: event(2, { payload: threadStarted }),
    path: "/payload/type",
    message: 'missing required property "type"',
  },
  {
    name: "payload kind as a bare string",
    validator,
    schemaFile,
    value: event(2, { ...threadStarted, metadata_payload: { ...ref(1, ""), kind: "session_metadata" } }),
    path: "/payload/metadata_payload/kind",
    message: "must be object",
  },
  {
    name: "unknown payload kind",
    validator,
    schemaFile,
    value: event(2, { ...threadStarted, metadata_payload: ref(1, "session_meta") }),
    path: "/payload/metadata_payload/kind/type",
    message: "must be one of",
  },
  {
    name: "payload path escaping the bundle",
    validator,
    schemaFile,
    value: event(2, {
      ...threadStarted,
      metadata_payload: { ...ref(1, "session_metadata"), path: "../../etc/passwd" },
    }),
    path: "/payload/metadata_payload/path",
    message: "must match pattern",
  },
  {
    name: "reference instead of null-or-reference given a string",
    validator,
    schemaFile,
    value: event(2, { ...threadStarted, metadata_payload: "payloads/1.json" }),
    path: "/payload/metadata_payload",
    message: "must be object or null",
  },
  {
    name: "schema 2 runtime start without kind",
    validator,
    schemaFile,
    value: event(2, runtimeStarted),
    path: "/payload/kind",
    message: 'tool_call_runtime_started event: missing required property "kind"',
  },
  {
    name: "tool kind missing a variant field",
    validator,
    schemaFile,
    value: event(2, { ...runtimeStarted, kind: { type: "mcp", server: "docs" } }),
    path: "/payload/kind/tool",
    message: 'missing required property "tool"',
  },
  {
    name: "envelope context of the wrong type",
    validator,
    schemaFile,
    value: event(2, { type: "recording_completed" }, { thread_id: 7 }),
    path: "/thread_id",
    message: "must be string or null",
  },
  {
    name: "fractional seq",
    validator,
    schemaFile,
    value: event(2, { type: "recording_completed" }, { seq: 1.5 }),
    path: "/seq",
    message: "must be integer",
  },
  {
    name: "an array instead of an event",
    validator,
    schemaFile,
    value: [event(2, { type: "recording_completed" })],
    path: "",
    message: "must be",
  },
];

const cases: NegativeCase[] = [
  ...eventCases(eventValidator, "event.schema.json"),
  ...eventCases(eventV2Validator, "event.v2.schema.json"),
  {
    name: "unsupported schema_version",
    validator: eventValidator,
    schemaFile: "event.schema.json",
    value: event(2, { type: "recording_completed" }, { schema_version: 3 }),
    path: "/schema_version",
    message: "must be 1 or 2",
  },
  {
    name: "schema 1 line given to the schema 2 validator",
    validator: eventV2Validator,
    schemaFile: "event.v2.schema.json",
    value: event(1, { type: "rollout_ended", status: "completed" }),
    path: "/schema_version",
    message: "must be 2",
  },
  {
    name: "schema 2 event type in a schema 1 line",
    validator: eventValidator,
    schemaFile: "event.schema.json",
    value: event(1, { type: "thread_resumed", thread_id: "thread-root" }),
    path: "/payload/type",
    message: "exists only in trace schema 2",
  },
  {
    name: "null where the key must be absent (request_input_mode)",
    validator: eventV1Validator,
    schemaFile: "event.v1.schema.json",
    value: event(1, { ...inferenceStarted, request_input_mode: null }),
    path: "/payload/request_input_mode",
    message: "must be object",
  },
  {
    name: "unknown input mode",
    validator: eventV1Validator,
    schemaFile: "event.v1.schema.json",
    value: event(1, { ...inferenceStarted, request_input_mode: { type: "sometimes" } }),
    path: "/payload/request_input_mode/type",
    message: "must be one of",
  },
  {
    name: "manifest without payloads_dir",
    validator: manifestValidator,
    schemaFile: "manifest.schema.json",
    value: { ...manifest, payloads_dir: undefined },
    path: "/payloads_dir",
    message: 'missing required property "payloads_dir"',
  },
  {
    name: "manifest schema_version as a string",
    validator: manifestValidator,
    schemaFile: "manifest.schema.json",
    value: { ...manifest, schema_version: "2" },
    path: "/schema_version",
    message: "must be one of 1, 2",
  },
  {
    name: "schema 2 field in a schema 1 state",
    validator: stateV1Validator,
    schemaFile: "state.v1.schema.json",
    value: { ...stateV1, recording_complete: true },
    path: "/recording_complete",
    message: 'unexpected property "recording_complete"',
  },
  {
    name: "schema 2 state without recording_complete",
    validator: stateV2Validator,
    schemaFile: "state.v2.schema.json",
    value: { ...stateV2, recording_complete: undefined },
    path: "/recording_complete",
    message: 'missing required property "recording_complete"',
  },
  {
    name: "null where the key must be absent (agent_message)",
    validator: stateValidator,
    schemaFile: "state.schema.json",
    value: edit(stateV1, ["conversation_items", firstKey(stateV1, "conversation_items")], (item) => {
      item.agent_message = null;
    }),
    path: `/conversation_items/${firstKey(stateV1, "conversation_items").replaceAll("/", "~1")}/agent_message`,
    message: "must be object",
  },
  {
    name: "absent where null is required (ended_seq)",
    validator: stateValidator,
    schemaFile: "state.schema.json",
    value: edit(stateV2, ["threads", firstKey(stateV2, "threads"), "execution"], (execution) => {
      delete execution.ended_seq;
    }),
    path: `/threads/${firstKey(stateV2, "threads")}/execution/ended_seq`,
    message: 'missing required property "ended_seq"',
  },
  {
    name: "unknown conversation part",
    validator: stateV2Validator,
    schemaFile: "state.v2.schema.json",
    value: edit(stateV2, ["conversation_items", firstKey(stateV2, "conversation_items"), "body"], (body) => {
      body.parts = [{ type: "image", url: "x" }];
    }),
    path: `/conversation_items/${firstKey(stateV2, "conversation_items")}/body/parts/0/type`,
    message: "must be one of",
  },
  {
    name: "schema 2 usage without cache_write_input_tokens",
    validator: stateV2Validator,
    schemaFile: "state.v2.schema.json",
    value: edit(stateV2, ["inference_calls", firstKey(stateV2, "inference_calls"), "usage"], (usage) => {
      delete usage.cache_write_input_tokens;
    }),
    path: `/inference_calls/${firstKey(stateV2, "inference_calls")}/usage/cache_write_input_tokens`,
    message: 'missing required property "cache_write_input_tokens"',
  },
  ...(
    [
      ["inference_request", { model: "m" }, "/input", 'missing required property "input"'],
      [
        "inference_request",
        { input: [{ role: "user" }] },
        "/input/0/type",
        'missing required property "type"',
      ],
      [
        "tool_invocation",
        { tool_name: "exec_command", payload: { type: "function", arguments: { cmd: "ls" } } },
        "/payload/arguments",
        "must be string",
      ],
      [
        "tool_result",
        { type: "direct_response" },
        "/response_item",
        'missing required property "response_item"',
      ],
      [
        "agent_result",
        { child_agent_path: "/root/a", message: "done" },
        "/status",
        'missing required property "status"',
      ],
      ["session_metadata", { thread_id: "t" }, "/agent_path", 'missing required property "agent_path"'],
      ["protocol_event", { event: { type: "turn_complete" } }, "/type", 'missing required property "type"'],
      ["compaction_checkpoint", { input_history: [] }, "/replacement_history", "missing required property"],
    ] as const
  ).map(([kind, value, path, message]) => ({
    name: `${kind} document: ${message}`,
    validator: payloadValidator(kind as RawPayloadKindName) as Validator<unknown>,
    schemaFile: payloadSchemaFile(kind),
    value,
    path,
    message,
  })),
];

describe("negative corpus", () => {
  test.each(cases.map((entry) => [`${entry.validator.name}: ${entry.name}`, entry] as const))(
    "%s is rejected by TypeBox and ajv, naming the path",
    (_name, entry) => {
      // `undefined` marks a deleted key; JSON drops it, as a file would not contain it.
      const value = JSON.parse(JSON.stringify(entry.value)) as unknown;
      const issues = entry.validator.errors(value);
      expect(entry.validator.check(value)).toBe(false);
      expect(issues).toContainEqual(
        expect.objectContaining({ path: entry.path, message: expect.stringContaining(entry.message) }),
      );
      const validate = ajvValidator(entry.schemaFile);
      expect(validate(value)).toBe(false);
      expect(ajvErrorPaths(validate.errors)).toContain(entry.path);
    },
  );
});
