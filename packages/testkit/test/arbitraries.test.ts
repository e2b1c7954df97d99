import type { RawPayloadRef, RawTraceEvent } from "@rollout-trace/schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileScript,
  type GeneratedBundle,
  type InferenceModel,
  ROLLOUT_FEATURES,
  type RolloutSize,
  rolloutArbitrary,
  SCHEMA_1_ONLY_FEATURES,
  SCHEMA_2_ONLY_FEATURES,
  scriptArbitrary,
  serializeEventLog,
  serializePretty,
} from "../src/index.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function refsOf(event: RawTraceEvent): RawPayloadRef[] {
  return Object.values(event.payload).filter(
    (value): value is RawPayloadRef =>
      value !== null && typeof value === "object" && "raw_payload_id" in value,
  );
}

function ordinalOf(ref: RawPayloadRef): number {
  return Number(ref.raw_payload_id.slice("raw_payload:".length));
}

function payloadObject(bundle: GeneratedBundle, ref: RawPayloadRef): Record<string, Json> {
  const document = bundle.payloads.get(ordinalOf(ref));
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new Error(`${ref.raw_payload_id} is not an object`);
  }
  return document as Record<string, Json>;
}

/** How a response item comes back in later requests (see `InferenceModel.input`). */
function replayed(item: Json, schemaVersion: 1 | 2): Json {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === "id" && schemaVersion === 1) continue;
    out[key] = key === "content" && item.type === "reasoning" ? null : value;
  }
  return out;
}

const cases: { size: RolloutSize; runs: number }[] = [
  { size: "small", runs: 150 },
  { size: "medium", runs: 60 },
  { size: "large", runs: 15 },
];

describe.each(cases)("rolloutArbitrary ($size)", ({ size, runs }) => {
  const bundles = rolloutArbitrary({ size });

  it("writes a well-formed log: contiguous seq from 1, one rollout id, time never going back", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        expect(bundle.manifest.schema_version).toBe(bundle.schemaVersion);
        expect(bundle.manifest.rollout_id).toBe(bundle.manifest.root_thread_id);
        let previousTime = bundle.manifest.started_at_unix_ms;
        bundle.events.forEach((event, index) => {
          expect(event.seq).toBe(index + 1);
          expect(event.schema_version).toBe(bundle.schemaVersion);
          expect(event.rollout_id).toBe(bundle.manifest.rollout_id);
          expect(event.wall_time_unix_ms).toBeGreaterThanOrEqual(previousTime);
          previousTime = event.wall_time_unix_ms;
        });
        expect(bundle.events[0]?.payload.type).toBe("rollout_started");
        expect(bundle.events[1]?.payload.type).toBe("thread_started");
        const last = bundle.events[bundle.events.length - 1]?.payload.type;
        const clean = bundle.script.ending === "clean";
        if (bundle.schemaVersion === 2) expect(last === "recording_completed").toBe(clean);
        if (!clean) expect(bundle.events.some((event) => event.payload.type === "rollout_ended")).toBe(false);
      }),
      { numRuns: runs },
    );
  });

  it("writes every payload once, in order, before the event that refers to it", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        const seen: number[] = [];
        for (const event of bundle.events) {
          for (const ref of refsOf(event)) {
            expect(ref.path).toBe(`payloads/${ordinalOf(ref)}.json`);
            expect(bundle.payloads.has(ordinalOf(ref))).toBe(true);
            seen.push(ordinalOf(ref));
          }
        }
        // Ordinals are handed out as payloads are written, so first use in event order must count 1, 2, 3, ...
        expect(seen).toEqual(seen.map((_, i) => i + 1));
        expect(seen).toHaveLength(bundle.payloads.size);
      }),
      { numRuns: runs },
    );
  });

  it("uses unique ids for threads, turns, inference calls, tool calls and responses", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        const ids = new Map<string, string[]>();
        const add = (kind: string, id: string) => ids.set(kind, [...(ids.get(kind) ?? []), id]);
        for (const { payload } of bundle.events) {
          if (payload.type === "thread_started") add("thread", payload.thread_id);
          if (payload.type === "codex_turn_started") add("turn", payload.codex_turn_id);
          if (payload.type === "inference_started") add("inference", payload.inference_call_id);
          if (payload.type === "tool_call_started") add("tool", payload.tool_call_id);
          if (payload.type === "tool_call_started" && payload.model_visible_call_id !== null) {
            add("call", payload.model_visible_call_id);
          }
          if (payload.type === "inference_completed" && payload.response_id !== null)
            add("response", payload.response_id);
        }
        for (const [kind, list] of ids) expect(new Set(list).size, kind).toBe(list.length);
      }),
      { numRuns: runs },
    );
  });

  it("describes every inference attempt in the thread model exactly as the payloads carry it", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        const starts = new Map<string, RawTraceEvent>();
        const ends = new Map<string, RawTraceEvent>();
        for (const event of bundle.events) {
          const { payload } = event;
          if (payload.type === "inference_started") starts.set(payload.inference_call_id, event);
          if (
            payload.type === "inference_completed" ||
            payload.type === "inference_failed" ||
            payload.type === "inference_cancelled"
          ) {
            ends.set(payload.inference_call_id, event);
          }
        }
        let described = 0;
        for (const thread of bundle.model) {
          const byResponse = new Map<string, InferenceModel>();
          for (const inference of thread.inferences) {
            described += 1;
            const start = starts.get(inference.inferenceCallId);
            if (start?.payload.type !== "inference_started") throw new Error("inference without start event");
            expect(start.payload.thread_id).toBe(thread.threadId);
            expect(start.payload.codex_turn_id).toBe(inference.codexTurnId);
            const request = payloadObject(bundle, start.payload.request_payload);
            if (inference.requestMode === "full_snapshot") {
              expect(request.input).toEqual(inference.input);
              expect(request.previous_response_id).toBeUndefined();
            } else {
              const previous = byResponse.get(inference.previousResponseId ?? "");
              if (previous?.output == null)
                throw new Error("incremental request without a traced previous response");
              expect(request.previous_response_id).toBe(inference.previousResponseId);
              const delta = request.input as Json[];
              expect(inference.input).toEqual([
                ...previous.input,
                ...previous.output.map((item) => replayed(item as Json, bundle.schemaVersion)),
                ...delta,
              ]);
            }
            const end = ends.get(inference.inferenceCallId);
            if (end === undefined) throw new Error("inference without terminal event");
            const endPayload = end.payload;
            const responseRef =
              endPayload.type === "inference_completed"
                ? endPayload.response_payload
                : endPayload.type === "inference_failed" || endPayload.type === "inference_cancelled"
                  ? endPayload.partial_response_payload
                  : null;
            if (responseRef === null) {
              expect(inference.output).toBeNull();
            } else {
              expect(payloadObject(bundle, responseRef).output_items).toEqual(inference.output);
            }
            expect(inference.status).toBe(
              endPayload.type === "inference_completed"
                ? "completed"
                : endPayload.type === "inference_failed"
                  ? "failed"
                  : "cancelled",
            );
            if (inference.responseId !== null) byResponse.set(inference.responseId, inference);
          }
        }
        expect(described).toBe(starts.size);
      }),
      { numRuns: runs },
    );
  });

  it("lists accepted history items per thread (schema 2) and feature names that fit the schema", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        const accepted = new Map<string, string[]>();
        for (const event of bundle.events) {
          if (event.payload.type !== "history_item_accepted" || event.thread_id == null) continue;
          accepted.set(event.thread_id, [...(accepted.get(event.thread_id) ?? []), event.payload.item_id]);
        }
        for (const thread of bundle.model) {
          expect(thread.acceptedItemIds).toEqual(accepted.get(thread.threadId) ?? []);
        }
        for (const feature of bundle.features) expect(ROLLOUT_FEATURES).toContain(feature);
        const foreign = bundle.schemaVersion === 1 ? SCHEMA_2_ONLY_FEATURES : SCHEMA_1_ONLY_FEATURES;
        for (const feature of foreign) expect(bundle.features).not.toContain(feature);
      }),
      { numRuns: runs },
    );
  });

  it("keeps byte 240 of every JSON-summarised function argument on a character boundary", () => {
    // The schema-1 reference truncates JSON summaries with a byte slice and panics inside a multi-byte character.
    fc.assert(
      fc.property(bundles, (bundle) => {
        for (const event of bundle.events) {
          const { payload } = event;
          if (payload.type !== "inference_completed") continue;
          const output = payloadObject(bundle, payload.response_payload).output_items as Json[];
          for (const item of output) {
            if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
            if (item.type !== "function_call" || typeof item.arguments !== "string") continue;
            const bytes = Buffer.from(JSON.stringify(JSON.parse(item.arguments)));
            if (bytes.length > 240) expect((bytes[240] ?? 0) & 0xc0).not.toBe(0x80);
          }
        }
      }),
      { numRuns: runs },
    );
  });
});

describe("compileScript", () => {
  it("is deterministic: the same script always gives the same bytes", () => {
    fc.assert(
      fc.property(scriptArbitrary({ size: "medium" }), (script) => {
        const first = compileScript(script);
        const second = compileScript(script);
        expect(serializeEventLog(second.events)).toBe(serializeEventLog(first.events));
        expect(serializePretty(second.manifest)).toBe(serializePretty(first.manifest));
        expect([...second.payloads].map(([n, doc]) => [n, serializePretty(doc)])).toEqual(
          [...first.payloads].map(([n, doc]) => [n, serializePretty(doc)]),
        );
        expect(second.model).toEqual(first.model);
      }),
      { numRuns: 40 },
    );
  });
});

describe("options", () => {
  it("generates only the requested schema version", () => {
    for (const schemaVersion of [1, 2] as const) {
      const sample = fc.sample(rolloutArbitrary({ schemaVersion }), { numRuns: 30, seed: 11 });
      for (const bundle of sample) expect(bundle.schemaVersion).toBe(schemaVersion);
    }
  });

  it("leaves out switched-off behaviour", () => {
    const sample = fc.sample(
      rolloutArbitrary({
        size: "medium",
        features: {
          codeMode: false,
          multiAgentTeam: false,
          multiAgentCollab: false,
          compaction: false,
          inferenceFailures: false,
          interrupts: false,
          crashes: false,
          interactiveShell: false,
        },
      }),
      { numRuns: 120, seed: 5 },
    );
    const banned = [
      "code_cell",
      "spawn_agent_team",
      "spawn_agent_collab",
      "remote_compaction",
      "local_compaction",
      "inference_failed_partial",
      "inference_failed_empty",
      "inference_retry",
      "turn_interrupted",
      "crashed_recording",
      "write_stdin",
      "exec_background_process",
    ];
    for (const bundle of sample) for (const feature of banned) expect(bundle.features).not.toContain(feature);
    expect(sample.some((bundle) => bundle.features.includes("exec_command"))).toBe(true);
  });

  it("breaks every bundle in a documented way when errors are requested", () => {
    const sample = fc.sample(rolloutArbitrary({ errors: true }), { numRuns: 60, seed: 3 });
    for (const bundle of sample) {
      expect(bundle.expectedError).toEqual(expect.any(String));
      expect(bundle.features).toContain("error_injection");
    }
    const clean = fc.sample(rolloutArbitrary(), { numRuns: 60, seed: 3 });
    for (const bundle of clean) expect(bundle.expectedError).toBeNull();
  });
});

describe("shrinking", () => {
  it("shrinks a failing session down to the behaviour that triggers the failure", () => {
    const result = fc.check(
      fc.property(
        rolloutArbitrary({ size: "large" }),
        (bundle) => !bundle.features.includes("code_cell_nested_tool"),
      ),
      { seed: 4242, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    const [bundle] = result.counterexample ?? [];
    if (bundle === undefined) throw new Error("no counterexample");
    const { script } = bundle;
    expect(script.turns).toHaveLength(1);
    const turn = script.turns[0];
    if (turn?.kind !== "user") throw new Error("the remaining turn must be a user turn");
    const calls = turn.steps.flatMap((step) => step.calls);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.tool).toBe("code");
    expect(bundle.events.length).toBeLessThan(40);
  });
});
