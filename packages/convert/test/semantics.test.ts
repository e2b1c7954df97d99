// Semantics preserved where the information allows: the schema-1 reduction of a source (our reducer) and the schema-2
// reduction of its conversion agree on everything both schemas express (see projection.ts for what is left out and
// why). Runs over the real schema-1 corpora and generated bundles, with and without inferred acceptance.
import fs from "node:fs";
import path from "node:path";
import { ReplayError, replayBundleSync } from "@rollout-trace/reducer";
import { rolloutArbitrary, writeBundleToDir } from "@rollout-trace/testkit";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { convertBundle } from "../src/index.ts";
import { firstDifference, mapSeqs, semanticProjection, transcriptContents } from "./projection.ts";
import {
  inputModeMutationArbitrary,
  readEvents,
  recordedV1Bundles,
  scratchDir,
  sharedAvailable,
  sharedV1Bundles,
  withInputModes,
} from "./support.ts";

const scratch = scratchDir("semantics");
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
if (!sharedAvailable)
  console.info("note: ../shared not found; its real bundles and conformance cases are skipped");

type Outcome = { ok: true; state: Record<string, unknown> } | { ok: false; error: string };

function reduce(dir: string): Outcome {
  try {
    return { ok: true, state: replayBundleSync(dir).state };
  } catch (error) {
    if (error instanceof ReplayError)
      return { ok: false, error: [error.message, ...error.causes].join("\n") };
    throw error;
  }
}

/**
 * Payload ids only one side carries (the request payloads a rewrite replaced, their untraced prefixes, and the new
 * ones), and whether any untraced prefix was merged.
 */
function rewrites(
  source: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { replaced: Set<string>; mergedPrefixes: boolean } {
  const replaced = new Set<string>();
  let mergedPrefixes = false;
  const callsBefore = before.inference_calls as Record<string, { raw_request_payload_id: string }>;
  const callsAfter = after.inference_calls as Record<string, { raw_request_payload_id: string }>;
  for (const [id, call] of Object.entries(callsBefore)) {
    const converted = callsAfter[id];
    if (converted && converted.raw_request_payload_id !== call.raw_request_payload_id) {
      replaced.add(call.raw_request_payload_id).add(converted.raw_request_payload_id);
    }
  }
  for (const event of readEvents(source)) {
    const mode = (event.payload as { request_input_mode?: { prefix_payload?: { raw_payload_id: string } } })
      .request_input_mode;
    if (mode?.prefix_payload) {
      replaced.add(mode.prefix_payload.raw_payload_id);
      mergedPrefixes = true;
    }
  }
  return { replaced, mergedPrefixes };
}

/** Events the conversion adds; every other converted event is a source event, in the same order. */
const ADDED_EVENTS = new Set(["history_item_accepted", "recording_completed"]);

/** Maps a seq of the converted log to the seq its event had in the source. */
function sourceSeqOf(source: string, target: string): (seq: number) => number {
  const sourceSeqs = readEvents(source).map((event) => event.seq as number);
  const map = new Map<number, number>();
  let next = 0;
  for (const event of readEvents(target)) {
    const type = (event.payload as { type: string }).type;
    if (!ADDED_EVENTS.has(type)) map.set(event.seq as number, sourceSeqs[next++]!);
  }
  return (seq) => map.get(seq) ?? Number.NaN;
}

/** True when every output item of every inference response the source carries has a Responses `id`. */
function everyOutputHasId(source: string): boolean {
  return readEvents(source).every((event) => {
    const payload = event.payload as {
      type: string;
      response_payload?: { path: string } | null;
      partial_response_payload?: { path: string } | null;
    };
    const ref = payload.type.startsWith("inference_")
      ? (payload.response_payload ?? payload.partial_response_payload)
      : null;
    if (!ref) return true;
    const document = JSON.parse(fs.readFileSync(path.join(source, ref.path), "utf8")) as {
      output_items?: unknown[];
    };
    return (document.output_items ?? []).every((item) => typeof (item as { id?: unknown }).id === "string");
  });
}

/**
 * Transcripts (as sets of contents): schema 2 holds a subset of schema 1's, since model output joins a schema-2
 * transcript only once accepted or sighted again. With inferred acceptance they are equal, unless some output item
 * has no Responses id to accept.
 */
function expectTranscripts(
  source: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  acceptOutputs: boolean,
  mergedPrefixes: boolean,
): void {
  const schema1 = transcriptContents(before, mergedPrefixes);
  const schema2 = transcriptContents(after, mergedPrefixes);
  for (const [thread, items] of Object.entries(schema2)) {
    const known = new Set(schema1[thread]);
    expect(
      items.filter((item) => !known.has(item)),
      `thread ${thread}`,
    ).toEqual([]);
  }
  if (acceptOutputs && everyOutputHasId(source)) expect(schema2).toEqual(schema1);
}

let conversions = 0;

/** Converts `source` and checks both reductions agree; a source our schema-1 reducer rejects must stay rejected. */
async function expectSameSemantics(source: string, acceptOutputs: boolean): Promise<void> {
  const target = path.join(scratch, `converted-${++conversions}`);
  await convertBundle(source, target, { acceptOutputs });
  try {
    const before = reduce(source);
    const after = reduce(target);
    if (!before.ok) {
      expect(after).toEqual({ ok: false, error: before.error });
      return;
    }
    expect(after.ok, after.ok ? "" : after.error).toBe(true);
    if (!after.ok) return;
    const { replaced, mergedPrefixes } = rewrites(source, before.state, after.state);
    const difference = firstDifference(
      semanticProjection(before.state, replaced, mergedPrefixes),
      mapSeqs(semanticProjection(after.state, replaced, mergedPrefixes), sourceSeqOf(source, target)),
    );
    if (difference !== null) expect.fail(difference);
    expectTranscripts(source, before.state, after.state, acceptOutputs, mergedPrefixes);
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

const corpus = [...recordedV1Bundles(), ...sharedV1Bundles()];

describe("schema-1 and schema-2 reductions agree on what both express", () => {
  it("has the recorded corpus", () => {
    expect(recordedV1Bundles().length).toBe(36);
  });

  for (const acceptOutputs of [false, true]) {
    describe(acceptOutputs ? "with inferred acceptance" : "without acceptance", () => {
      for (const bundle of corpus) {
        it(bundle.name, async () => {
          await expectSameSemantics(bundle.dir, acceptOutputs);
        });
      }

      it("generated schema-1 bundles, some with explicit input modes", { timeout: 600_000 }, async () => {
        await fc.assert(
          fc.asyncProperty(
            rolloutArbitrary({ schemaVersion: 1 }),
            fc.array(inputModeMutationArbitrary, { maxLength: 30 }),
            async (bundle, mutations) => {
              const source = path.join(scratch, `source-${++conversions}`);
              await writeBundleToDir(withInputModes(bundle, mutations), source);
              try {
                await expectSameSemantics(source, acceptOutputs);
              } finally {
                fs.rmSync(source, { recursive: true, force: true });
              }
            },
          ),
          { numRuns: 100 },
        );
      });
    });
  }
});
