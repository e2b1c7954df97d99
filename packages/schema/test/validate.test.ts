import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RAW_PAYLOAD_KIND_NAMES, type RawPayloadKindName } from "../src/index.ts";
import {
  eventV1Validator,
  eventV2Validator,
  eventValidator,
  manifestValidator,
  payloadValidator,
  SchemaError,
  stateValidator,
  type Validator,
} from "../src/validate.ts";
import { ajvValidator, payloadSchemaFile } from "./support/ajv.ts";
import { fixtureBundles } from "./support/bundles.ts";

const bundles = fixtureBundles();
const events = bundles.flatMap((bundle) => bundle.events.map(({ value }) => value));
const documents = bundles.flatMap((bundle) => bundle.payloads);
const states = bundles.flatMap((bundle) => (bundle.state === undefined ? [] : [bundle.state]));
const firstEvent = events[0] as Record<string, unknown>;

describe("Validator API", () => {
  test("parse returns the very value it was given, and safeParse wraps it", () => {
    expect(eventValidator.parse(firstEvent)).toBe(firstEvent);
    const result = eventValidator.safeParse(firstEvent);
    expect(result).toEqual({ ok: true, value: firstEvent });
    expect(result.ok && result.value).toBe(firstEvent);
  });

  test("parse throws a SchemaError whose message and issues name the path and the event type", () => {
    const broken = { ...firstEvent, payload: { type: "thread_started", thread_id: 1 } };
    let thrown: unknown;
    try {
      eventValidator.parse(broken);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaError);
    const error = thrown as SchemaError;
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SchemaError");
    expect(error.message).toContain("invalid RawTraceEvent");
    expect(error.message).toContain(
      '/payload/agent_path: thread_started event: missing required property "agent_path"; /payload/metadata_payload',
    );
    expect(error.issues).toEqual([
      {
        path: "/payload/agent_path",
        keyword: "required",
        message: 'thread_started event: missing required property "agent_path"',
      },
      {
        path: "/payload/metadata_payload",
        keyword: "required",
        message: 'thread_started event: missing required property "metadata_payload"',
      },
      { path: "/payload/thread_id", keyword: "type", message: "thread_started event: must be string" },
    ]);
    expect(Object.isFrozen(error.issues)).toBe(true);
  });

  test("safeParse reports the same error parse would throw", () => {
    const result = manifestValidator.safeParse({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(SchemaError);
    expect(result.error.issues.map((issue) => issue.path)).toEqual([
      "/schema_version",
      "/trace_id",
      "/rollout_id",
      "/root_thread_id",
      "/started_at_unix_ms",
      "/raw_event_log",
      "/payloads_dir",
    ]);
    expect(result.error.message).toMatch(/; and 4 more$/);
  });

  test("a union reports only the branch the value was meant for", () => {
    const line = {
      ...firstEvent,
      schema_version: 2,
      payload: {
        type: "tool_call_runtime_started",
        tool_call_id: "c",
        kind: { type: "other" },
        runtime_payload: null,
      },
    };
    expect(eventValidator.errors(line)).toEqual([
      {
        path: "/payload/kind/name",
        keyword: "required",
        message: 'tool_call_runtime_started event: missing required property "name"',
      },
      {
        path: "/payload/runtime_payload",
        keyword: "type",
        message: "tool_call_runtime_started event: must be object",
      },
    ]);
  });

  test("valid values have no issues", () => {
    for (const value of events) expect(eventValidator.errors(value)).toEqual([]);
    for (const state of states) expect(stateValidator.errors(state)).toEqual([]);
  });

  test("validators are named after what they accept", () => {
    expect(
      [eventValidator, eventV1Validator, eventV2Validator, stateValidator, manifestValidator].map(
        (v) => v.name,
      ),
    ).toEqual(["RawTraceEvent", "RawTraceEventV1", "RawTraceEventV2", "RolloutTrace", "TraceManifest"]);
    expect(payloadValidator("tool_result").name).toBe("tool_result payload");
  });

  test("payloadValidator returns one validator per kind and rejects unknown kinds", () => {
    for (const kind of RAW_PAYLOAD_KIND_NAMES) expect(payloadValidator(kind)).toBe(payloadValidator(kind));
    expect(() => payloadValidator("bogus" as RawPayloadKindName)).toThrow(RangeError);
    expect(() => payloadValidator("__proto__" as RawPayloadKindName)).toThrow(RangeError);
  });

  test("non-object input is rejected at the root, never thrown on", () => {
    for (const value of [null, undefined, 3, "line", [], true]) {
      for (const validator of [eventValidator, stateValidator, manifestValidator] as Validator<unknown>[]) {
        expect(validator.check(value)).toBe(false);
        expect(validator.errors(value)[0]?.path).toBe("");
      }
    }
  });
});

describe("omitted payload placeholders", () => {
  const note = {
    reason: "payload_too_large",
    original_bytes: 9_000_000,
    limit_bytes: 8_388_608,
    sha256: "0f".repeat(32),
  };
  const placeholders = RAW_PAYLOAD_KIND_NAMES.map((kind) => ({
    kind,
    value: { rollout_trace_omitted: note, ...(kind === "inference_request" ? { input: [] } : {}) },
  }));

  test("every kind accepts a placeholder, in the validator and in its JSON Schema file", () => {
    for (const { kind, value } of placeholders) {
      expect(payloadValidator(kind).errors(value), kind).toEqual([]);
      expect(ajvValidator(payloadSchemaFile(kind))(value), kind).toBe(true);
    }
  });

  test("a malformed note is reported at its field, by both", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...note, sha256: "XYZ" }, "/rollout_trace_omitted/sha256"],
      [{ ...note, original_bytes: -1 }, "/rollout_trace_omitted/original_bytes"],
      [{ ...note, limit_bytes: 1.5 }, "/rollout_trace_omitted/limit_bytes"],
      [{ ...note, reason: "" }, "/rollout_trace_omitted/reason"],
    ];
    for (const [broken, path] of cases) {
      const value = { rollout_trace_omitted: broken };
      expect(
        payloadValidator("tool_result")
          .errors(value)
          .map((issue) => issue.path),
      ).toEqual([path]);
      expect(ajvValidator(payloadSchemaFile("tool_result"))(value)).toBe(false);
    }
    const notAnObject = { rollout_trace_omitted: "too big" };
    expect(payloadValidator("agent_result").errors(notAnObject)[0]?.path).toBe("/rollout_trace_omitted");
  });

  test("a document without the key is still checked as its kind", () => {
    const issues = payloadValidator("session_metadata").errors({ thread_id: "t" });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.some((issue) => issue.path.startsWith("/rollout_trace_omitted"))).toBe(false);
    expect(ajvValidator(payloadSchemaFile("session_metadata"))({ thread_id: "t" })).toBe(false);
  });

  test("mutated placeholders get the same verdict from both", () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...placeholders)
          .chain(({ kind, value }) => mutated(value).map((mutant) => ({ kind, mutant }))),
        ({ kind, mutant }) => {
          expect(ajvValidator(payloadSchemaFile(kind))(mutant)).toBe(payloadValidator(kind).check(mutant));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("untrusted content", () => {
  test("__proto__ keys are plain data: accepted where extra keys are, and nothing is polluted", () => {
    const line = JSON.parse(
      '{"schema_version":2,"seq":1,"wall_time_unix_ms":1,"rollout_id":"r","thread_id":null,"codex_turn_id":null,' +
        '"payload":{"type":"rollout_ended","status":"completed","__proto__":{"polluted":true}},"__proto__":{"polluted":true}}',
    ) as unknown;
    expect(eventValidator.check(line)).toBe(true);
    expect(eventValidator.parse(line)).toBe(line);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  test("a state map keyed __proto__ is validated like any other key", () => {
    const state = structuredClone(states[0]) as { threads: Record<string, unknown> };
    const text = JSON.stringify(state).replace('"threads":{', '"threads":{"__proto__":{"thread_id":1},');
    const parsed = JSON.parse(text) as unknown;
    expect(stateValidator.check(parsed)).toBe(false);
    expect(stateValidator.errors(parsed)).toContainEqual(
      expect.objectContaining({ path: "/threads/__proto__/thread_id", message: "must be string" }),
    );
    expect(({} as { thread_id?: unknown }).thread_id).toBeUndefined();
  });
});

/** Random edits of a valid JSON value: replace, delete or add a key somewhere inside it. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    paths.push(path);
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...path, String(index)]);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    }
  };
  walk(base, []);
  const replacement = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(null, "", 0, -1, 1.5, [], {}, { type: "other" }, "raw_payload:1"),
  );
  return fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom("replace", "delete", "add"), replacement, fc.string())
    .map(([path, operation, value, key]) => {
      const copy = structuredClone(base);
      if (path.length === 0) return operation === "replace" ? value : copy;
      let parent = copy as Record<string, unknown>;
      for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (operation === "replace") parent[last] = value;
      else if (operation === "delete" && Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (operation === "delete") delete parent[last];
      else if (typeof parent[last] === "object" && parent[last] !== null && !Array.isArray(parent[last])) {
        (parent[last] as Record<string, unknown>)[key] = value;
      }
      return copy;
    });
}

describe("TypeBox validators and the generated JSON Schema agree", () => {
  const agree = (validator: Validator<unknown>, schemaFile: string, value: unknown) => {
    const accepted = validator.check(value);
    expect(ajvValidator(schemaFile)(value)).toBe(accepted);
    expect(validator.errors(value).length === 0).toBe(accepted);
    for (const issue of validator.errors(value)) {
      expect(issue.path === "" || issue.path.startsWith("/")).toBe(true);
      // Every rejection is explained by a real issue, never by the catch-all.
      expect(issue.keyword).not.toBe("schema");
    }
  };

  test("on mutated event lines", () => {
    fc.assert(
      fc.property(fc.constantFrom(...events).chain(mutated), (value) => {
        agree(eventValidator, "event.schema.json", value);
        agree(eventV1Validator, "event.v1.schema.json", value);
        agree(eventV2Validator, "event.v2.schema.json", value);
      }),
      { numRuns: 400 },
    );
  });

  test("on mutated payload documents", () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...documents)
          .chain(({ reference, document }) =>
            mutated(document).map((value) => ({ kind: reference.kind.type as RawPayloadKindName, value })),
          ),
        ({ kind, value }) => agree(payloadValidator(kind), payloadSchemaFile(kind), value),
      ),
      { numRuns: 400 },
    );
  });

  test("on mutated states", () => {
    fc.assert(
      fc.property(fc.constantFrom(...states).chain(mutated), (value) => {
        agree(stateValidator, "state.schema.json", value);
      }),
      { numRuns: 200 },
    );
  });
});
