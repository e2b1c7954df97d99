import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Corruption,
  type CorruptionKind,
  corruptionArbitrary,
  type GeneratedBundle,
  rolloutArbitrary,
  runReference,
  writeBundleToDir,
} from "../src/index.ts";
import { referenceAvailable, scratchDir } from "./support.ts";

let scratch: { dir: string; cleanup: () => Promise<void> };
let counter = 0;
beforeAll(async () => {
  scratch = await scratchDir("corruption");
});
afterAll(async () => {
  await scratch.cleanup();
});

/** Every file under `dir`, relative path -> content. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.set(path.relative(dir, full), await readFile(full));
    }
  };
  await walk(dir);
  return files;
}

function differs(before: Map<string, Buffer>, after: Map<string, Buffer>): boolean {
  if (before.size !== after.size) return true;
  for (const [name, bytes] of before) if (!after.get(name)?.equals(bytes)) return true;
  return false;
}

/** Writes the bundle into its own parent directory, so that anything written beside it would be noticed. */
async function writeFresh(bundle: GeneratedBundle): Promise<{ parent: string; dir: string }> {
  counter += 1;
  const parent = path.join(scratch.dir, `case-${counter}`);
  const dir = path.join(parent, "bundle");
  await writeBundleToDir(bundle, dir);
  return { parent, dir };
}

const bundleAndCorruption = rolloutArbitrary({ size: "small" }).chain((bundle) =>
  corruptionArbitrary(bundle).map((corruption) => ({ bundle, corruption })),
);

describe("corruptionArbitrary", () => {
  it("always changes the bundle and never writes outside its directory", async () => {
    await fc.assert(
      fc.asyncProperty(bundleAndCorruption, async ({ bundle, corruption }) => {
        const { parent, dir } = await writeFresh(bundle);
        const before = await snapshot(dir);
        await corruption.apply(dir);
        expect(corruption.description.length).toBeGreaterThan(10);
        expect(differs(before, await snapshot(dir)), corruption.description).toBe(true);
        expect(await readdir(parent)).toEqual(["bundle"]);
      }),
      { numRuns: 120 },
    );
  });

  it("produces every kind of corruption", () => {
    const kinds = new Set(
      fc.sample(bundleAndCorruption, { numRuns: 600, seed: 9 }).map(({ corruption }) => corruption.kind),
    );
    const all: CorruptionKind[] = [
      "truncate_log",
      "flip_byte",
      "delete_payload",
      "empty_payload",
      "garble_payload",
      "wrong_field_type",
      "duplicate_line",
      "remove_line",
      "escaping_payload_path",
      "absolute_payload_path",
      "deep_nesting",
      "huge_string",
      "prototype_key",
      "invalid_utf8",
    ];
    expect([...kinds].sort()).toEqual([...all].sort());
  });

  it("is deterministic for a seed", () => {
    const descriptions = (seed: number) =>
      fc.sample(bundleAndCorruption, { numRuns: 30, seed }).map(({ corruption }) => corruption.description);
    expect(descriptions(17)).toEqual(descriptions(17));
  });

  it("does what it says for payload paths, prototype keys and truncation", async () => {
    const sample = fc.sample(bundleAndCorruption, { numRuns: 400, seed: 23 });
    const firstOf = (kind: CorruptionKind) => sample.find(({ corruption }) => corruption.kind === kind);
    for (const kind of [
      "escaping_payload_path",
      "absolute_payload_path",
      "prototype_key",
      "truncate_log",
    ] as const) {
      const found = firstOf(kind);
      if (found === undefined) throw new Error(`no ${kind} in the sample`);
      const { dir } = await writeFresh(found.bundle);
      await found.corruption.apply(dir);
      const bytes = await readFile(path.join(dir, "trace.jsonl"));
      const log = bytes.toString("utf8");
      if (kind === "escaping_payload_path") expect(log).toContain('"path":"../outside.json"');
      if (kind === "absolute_payload_path") {
        expect(log).toContain(JSON.stringify(path.resolve(dir, "..", "outside.json")));
        expect(existsSync(path.resolve(dir, "..", "outside.json"))).toBe(false);
      }
      if (kind === "prototype_key") expect(log).toContain('"__proto__":{"polluted":true');
      if (kind === "truncate_log") {
        const offset = Number(/first (\d+) of/.exec(found.corruption.description)?.[1]);
        expect(bytes.length).toBe(offset);
      }
    }
  });
});

describe("corrupted bundles against the reference reducer", () => {
  const available = referenceAvailable(2);

  it.skipIf(!available)(
    "are reduced or rejected, never hang the harness",
    async () => {
      const sample = fc.sample(
        rolloutArbitrary({ schemaVersion: 2 }).chain((bundle) =>
          corruptionArbitrary(bundle).map((corruption: Corruption) => ({ bundle, corruption })),
        ),
        { numRuns: 24, seed: 31 },
      );
      for (const { bundle, corruption } of sample) {
        const { dir } = await writeFresh(bundle);
        await corruption.apply(dir);
        const result = await runReference(2, dir);
        if (!result.ok) expect(result.error.length, corruption.description).toBeGreaterThan(0);
        else expect(() => JSON.parse(result.state)).not.toThrow();
      }
    },
    120_000,
  );
});
