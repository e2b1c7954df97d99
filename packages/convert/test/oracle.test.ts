// The oracles decide: every schema-1 bundle available is converted (with and without inferred acceptance), and the
// result must (a) validate against the schema-2 schemas, (b) be reduced by the Codex 0.169.0 reference reducer, and
// (c) reduce with our reducer to a state.json byte-identical to the reference's. A source the schema-1 reducer
// already rejects must stay rejected, with the same error. The source bundle must come out untouched.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ReplayError, replayBundleSync } from "@rollout-trace/reducer";
import {
  referenceBinary,
  referenceRequired,
  rolloutArbitrary,
  runReference,
  trimReferenceError,
  writeBundleToDir,
} from "@rollout-trace/testkit";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { convertBundle } from "../src/index.ts";
import {
  inputModeMutationArbitrary,
  payloadProblems,
  recordedV1Bundles,
  schema2Problems,
  scratchDir,
  sharedAvailable,
  sharedV1Bundles,
  withInputModes,
} from "./support.ts";

const GENERATED_RUNS = Number(process.env.CONVERT_ORACLE_RUNS ?? 200);
const referenceAvailable = referenceBinary(2) !== null;
if (!referenceAvailable && referenceRequired()) {
  throw new Error(
    "the Codex 0.169.0 reference reducer is required (ROLLOUT_TRACE_REQUIRE_REFERENCE=1) but missing: run pnpm fetch-reference",
  );
}
if (!referenceAvailable) {
  console.info(
    "note: the Codex 0.169.0 reference reducer is not fetched (pnpm fetch-reference); oracle checks skipped",
  );
}
if (!sharedAvailable)
  console.info("note: ../shared not found; its real bundles and conformance cases are skipped");

const scratch = scratchDir("oracle");
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A digest of every file of a directory tree, to prove a conversion left its source alone. */
function treeDigest(dir: string): string {
  const hash = createHash("sha256");
  const walk = (current: string) => {
    for (const entry of fs
      .readdirSync(current, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(current, entry.name);
      hash.update(path.relative(dir, file));
      if (entry.isDirectory()) walk(file);
      else hash.update(fs.readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest("hex");
}

type Outcome = { ok: true; state: string } | { ok: false; error: string };

function ours(dir: string): Outcome {
  try {
    return { ok: true, state: replayBundleSync(dir).serialize() };
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error;
    return { ok: false, error: [error.message, ...error.causes].join("\n") };
  }
}

// serde positions ("at line 1 column 395") depend on byte offsets our reducer does not reproduce.
const withoutPositions = (text: string) => text.replace(/ at line \d+ column \d+/g, "");

let conversions = 0;

async function checkConversion(source: string, acceptOutputs: boolean): Promise<void> {
  const before = treeDigest(source);
  const target = path.join(scratch, `converted-${++conversions}`);
  try {
    await convertBundle(source, target, { acceptOutputs });
    expect(treeDigest(source)).toBe(before);
    expect(schema2Problems(target)).toEqual([]);
    // Payloads are copied as they are: the conversion adds no payload problem the source did not have.
    const inherited = new Set(payloadProblems(source));
    expect(payloadProblems(target).filter((problem) => !inherited.has(problem))).toEqual([]);
    if (!referenceAvailable) return;
    const sourceOutcome = ours(source);
    const reference = await runReference(2, target);
    const converted = ours(target);
    if (sourceOutcome.ok) {
      expect(reference.ok ? "" : reference.error).toBe("");
      expect(converted.ok ? "" : converted.error).toBe("");
      if (reference.ok && converted.ok) expect(converted.state === reference.state).toBe(true);
    } else {
      // Conversion does not repair a bundle: what schema 1 rejects, schema 2 rejects for the same reason.
      expect(reference.ok).toBe(false);
      expect(converted.ok).toBe(false);
      if (!reference.ok && !converted.ok) {
        expect(withoutPositions(converted.error)).toBe(withoutPositions(trimReferenceError(reference.error)));
        expect(converted.error).toBe(sourceOutcome.error);
      }
    }
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

const corpus = [...recordedV1Bundles(), ...sharedV1Bundles()];

describe("converted bundles are valid schema 2 that Codex 0.169.0 reduces like our reducer", () => {
  for (const acceptOutputs of [false, true]) {
    describe(acceptOutputs ? "with inferred acceptance" : "without acceptance", () => {
      for (const bundle of corpus) {
        it(bundle.name, async () => {
          await checkConversion(bundle.dir, acceptOutputs);
        });
      }

      it(`${GENERATED_RUNS} generated schema-1 bundles, some with explicit input modes`, {
        timeout: 900_000,
      }, async () => {
        await fc.assert(
          fc.asyncProperty(
            rolloutArbitrary({ schemaVersion: 1 }),
            fc.array(inputModeMutationArbitrary, { maxLength: 30 }),
            async (bundle, mutations) => {
              const source = path.join(scratch, `source-${++conversions}`);
              await writeBundleToDir(withInputModes(bundle, mutations), source);
              try {
                await checkConversion(source, acceptOutputs);
              } finally {
                fs.rmSync(source, { recursive: true, force: true });
              }
            },
          ),
          { numRuns: GENERATED_RUNS },
        );
      });
    });
  }
});
