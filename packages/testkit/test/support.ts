import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RawTraceEvent, TraceManifest } from "@rollout-trace/schema";
import { referenceBinary, referenceRequired, repositoryRoot } from "../src/index.ts";

/** `../shared` next to the repository (reference material); null when this checkout has none. */
export function sharedDir(): string | null {
  const dir = path.resolve(repositoryRoot(), "../shared");
  return existsSync(dir) ? dir : null;
}

export interface BundleOnDisk {
  readonly name: string;
  readonly dir: string;
}

/** Bundle directories under `../shared/<relative>` (every sub-directory holding a `trace.jsonl`). */
export async function sharedBundles(relative: string): Promise<BundleOnDisk[]> {
  const shared = sharedDir();
  if (shared === null) return [];
  const base = path.join(shared, relative);
  if (!existsSync(base)) return [];
  const names = (await readdir(base)).sort();
  return names
    .map((name) => ({ name, dir: path.join(base, name) }))
    .filter((bundle) => existsSync(path.join(bundle.dir, "trace.jsonl")));
}

export interface ParsedBundle {
  readonly manifest: TraceManifest;
  readonly events: RawTraceEvent[];
  readonly payloads: Map<number, unknown>;
}

/** Reads a bundle directory into memory (payload ordinals taken from the file names). */
export async function readBundle(dir: string): Promise<ParsedBundle> {
  const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as TraceManifest;
  const log = await readFile(path.join(dir, "trace.jsonl"), "utf8");
  const events = log
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RawTraceEvent);
  const payloads = new Map<number, unknown>();
  const payloadDir = path.join(dir, "payloads");
  for (const file of existsSync(payloadDir) ? await readdir(payloadDir) : []) {
    const ordinal = Number(file.replace(/\.json$/, ""));
    payloads.set(ordinal, JSON.parse(await readFile(path.join(payloadDir, file), "utf8")));
  }
  return { manifest, events, payloads };
}

/** A scratch directory that is removed again by the returned cleanup function. */
export async function scratchDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `testkit-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Whether oracle tests can run for a schema. Without the binary they are skipped with a visible note, unless the
 * environment requires the reference (CI), in which case the test fails.
 */
export function referenceAvailable(schemaVersion: 1 | 2): boolean {
  if (referenceBinary(schemaVersion) !== null) return true;
  if (referenceRequired()) {
    throw new Error(
      `ROLLOUT_TRACE_REQUIRE_REFERENCE=1 but the schema-${schemaVersion} reference binary is missing`,
    );
  }
  console.warn(
    `[testkit] skipping schema-${schemaVersion} oracle tests: reference binary not found (run \`pnpm fetch-reference\`)`,
  );
  return false;
}
