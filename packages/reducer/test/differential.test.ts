// Differential tests against the real reference reducers (the Codex CLI's `codex debug trace-reduce`): every recorded
// and shared bundle, and hundreds of generated ones, must reduce to byte-identical state.json, or fail with the same
// error text. Fetch the binaries with `pnpm fetch-reference`; CI requires them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type GeneratedBundle,
  referenceBinary,
  referenceRequired,
  repositoryRoot,
  rolloutArbitrary,
  runReferenceBatch,
  trimReferenceError,
  writeBundleToDir,
} from "@rollout-trace/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplayError, replayBundleSync } from "../src/index.ts";
import { recordedBundles, sharedBundles } from "./corpora.ts";

const GENERATED_PER_VERSION = Number(process.env.DIFFERENTIAL_RUNS ?? 260);
const binaries = { 1: referenceBinary(1), 2: referenceBinary(2) } as const;
const available = binaries[1] !== null && binaries[2] !== null;

if (!available && referenceRequired()) {
  throw new Error(
    "the reference reducers are required (ROLLOUT_TRACE_REQUIRE_REFERENCE=1) but missing: run pnpm fetch-reference",
  );
}
if (!available)
  console.info("note: reference reducers not fetched (pnpm fetch-reference); differential tests skipped");

/** Our outcome in the reference's terms: state.json text, or the error's message and causes, one per line. */
function ours(dir: string): { ok: true; state: string } | { ok: false; error: string } {
  try {
    return { ok: true, state: replayBundleSync(dir).serialize() };
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error;
    return { ok: false, error: [error.message, ...error.causes].join("\n") };
  }
}

// serde positions ("at line 1 column 395") depend on byte offsets we do not reproduce.
const withoutPositions = (text: string) => text.replace(/ at line \d+ column \d+/g, "");

/** The one intended difference: we accept `request_input_mode`, which Codex 0.144.6 does not implement. */
function usesRequestInputMode(dir: string): boolean {
  return fs.readFileSync(path.join(dir, "trace.jsonl"), "utf8").includes('"request_input_mode"');
}

/** Mismatching bundles are kept (git-ignored) so a failure can be replayed and inspected. */
const FAILURES_DIR = path.join(repositoryRoot(), ".cache", "differential-failures");

function keep(dir: string): string {
  const target = path.join(FAILURES_DIR, `${path.basename(path.dirname(dir))}-${path.basename(dir)}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(dir, target, { recursive: true });
  return path.relative(repositoryRoot(), target);
}

async function compareAll(dirs: readonly string[], version: 1 | 2): Promise<string[]> {
  const results = await runReferenceBatch(version, dirs);
  const mismatches: string[] = [];
  dirs.forEach((dir, index) => {
    const before = mismatches.length;
    const reference = results[index]!;
    const mine = ours(dir);
    if (reference.ok && mine.ok) {
      if (reference.state !== mine.state) mismatches.push(`${dir}: state.json differs`);
    } else if (!reference.ok && !mine.ok) {
      if (withoutPositions(trimReferenceError(reference.error)) !== withoutPositions(mine.error)) {
        mismatches.push(
          `${dir}: reference failed with\n${reference.error}\nbut we failed with\n${mine.error}`,
        );
      }
    } else if (!(mine.ok && !reference.ok && usesRequestInputMode(dir))) {
      mismatches.push(
        `${dir}: reference ${reference.ok ? "succeeded" : `failed: ${reference.error}`}, we ${mine.ok ? "succeeded" : `failed: ${mine.error}`}`,
      );
    }
    if (mismatches.length > before) mismatches[before] += ` (kept in ${keep(dir)})`;
  });
  return mismatches;
}

describe.skipIf(!available)("differential against the reference reducers", () => {
  let scratch = "";
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rt-differential-"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  for (const version of [1, 2] as const) {
    it(`recorded and shared schema-${version} bundles`, { timeout: 300_000 }, async () => {
      const dirs = [...recordedBundles(version), ...sharedBundles(version)].map((bundle) => bundle.dir);
      expect(dirs.length).toBeGreaterThan(20);
      expect(await compareAll(dirs, version)).toEqual([]);
    });

    it(`${GENERATED_PER_VERSION} generated schema-${version} bundles, valid and broken`, {
      timeout: 600_000,
    }, async () => {
      const valid = fc.sample(rolloutArbitrary({ schemaVersion: version }), GENERATED_PER_VERSION - 40);
      const broken = fc.sample(rolloutArbitrary({ schemaVersion: version, errors: true }), 40);
      const dirs = await Promise.all(
        [...valid, ...broken].map(async (bundle: GeneratedBundle, index) => {
          const dir = path.join(scratch, `v${version}-${index}`);
          await writeBundleToDir(bundle, dir);
          return dir;
        }),
      );
      const mismatches = await compareAll(dirs, version);
      expect(mismatches.slice(0, 5)).toEqual([]);
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});
