// Random corruption of valid bundles (truncation, byte flips, missing or garbled payloads, wrong types, hostile
// paths, deep nesting, huge strings, invalid UTF-8) never crashes the replay: it either still reduces or fails with
// a ReplayError that names where (file, and for trace.jsonl the line), and the same with payload prefetching.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { corruptionArbitrary, rolloutArbitrary, writeBundleToDir } from "@rollout-trace/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ReplayError, replayBundleSync } from "../src/index.ts";

let scratch = "";
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rt-fuzz-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const damaged = fc
  .oneof(rolloutArbitrary({ schemaVersion: 1 }), rolloutArbitrary({ schemaVersion: 2 }))
  .chain((bundle) => fc.tuple(fc.constant(bundle), corruptionArbitrary(bundle)));

it("never crashes on a corrupted bundle and always says where it failed", async () => {
  const outsideFile = path.join(scratch, "outside.json");
  fs.writeFileSync(outsideFile, JSON.stringify({ input: [] }));
  let failures = 0;
  await fc.assert(
    fc.asyncProperty(damaged, async ([bundle, corruption]) => {
      const dir = path.join(scratch, "bundle");
      fs.rmSync(dir, { recursive: true, force: true });
      await writeBundleToDir(bundle, dir);
      await corruption.apply(dir);
      try {
        for (const partial of [false, true]) {
          const outcome = (prefetch: boolean) => {
            try {
              return replayBundleSync(dir, { partial, prefetch }).serialize();
            } catch (error) {
              return error instanceof ReplayError ? `error: ${error.describe()}` : error;
            }
          };
          // Reading payloads ahead on a worker changes nothing, not even an error.
          const direct = outcome(false);
          expect(outcome(true), corruption.description).toEqual(direct);
          replayBundleSync(dir, { partial, prefetch: false });
        }
      } catch (error) {
        if (!(error instanceof ReplayError))
          throw new Error(`${corruption.description}: not a ReplayError: ${String(error)}`);
        failures++;
        expect(error.location, corruption.description).toBeDefined();
        const where = error.location!;
        expect(
          ["trace.jsonl", "manifest.json"].includes(where.file) || where.file.startsWith("payloads"),
          corruption.description,
        ).toBe(true);
        if (where.file === "trace.jsonl") expect(where.line, corruption.description).toBeGreaterThan(0);
        expect(error.describe()).toContain(error.message);
      }
      expect(fs.readFileSync(outsideFile, "utf8")).toBe(JSON.stringify({ input: [] }));
    }),
    { numRuns: Number(process.env.FC_NUM_RUNS ?? 150) },
  );
  // The corruptions are real: most of them break the replay.
  expect(failures).toBeGreaterThan(0);
});
