import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eventValidator, manifestValidator } from "@rollout-trace/schema/validate";
import { afterAll, afterEach, expect } from "vitest";

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(packageRoot, "../..");
export const fixturesDir = path.join(packageRoot, "test", "fixtures");

const createdDirs: string[] = [];
afterAll(() => {
  for (const dir of createdDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh scratch directory, removed after the test file. */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-writer-"));
  createdDirs.push(dir);
  return dir;
}

const bundlesOfCurrentTest: string[] = [];

/**
 * A bundle path inside a fresh scratch directory (not created yet). Whatever bundle a test leaves there is checked
 * with {@link expectReplayableBundle} after the test, so every bundle the tests write is held to the schema.
 */
export function bundlePath(name = "bundle"): string {
  const dir = path.join(scratchDir(), name);
  bundlesOfCurrentTest.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of bundlesOfCurrentTest.splice(0)) {
    // Bundles a test deleted, never let the writer create, or pointed at a device have no log left to check.
    const log = fs.lstatSync(path.join(dir, "trace.jsonl"), { throwIfNoEntry: false });
    if (log?.isFile() && fs.existsSync(path.join(dir, "manifest.json"))) expectReplayableBundle(dir);
  }
});

/** A clock that starts at `start` and advances 1 ms per reading. */
export function steppingClock(start: number): () => number {
  let now = start;
  return () => now++;
}

export interface PayloadRefShape {
  raw_payload_id: string;
  kind: { type: string };
  path: string;
}

export interface BundleOnDisk {
  manifestText: string;
  traceText: string;
  /** Complete lines, without their `\n`. */
  lines: string[];
  /** Bytes after the last `\n`, when the log ends in a torn write. */
  tornTail: string;
  events: Array<Record<string, unknown> & { seq: number; payload: Record<string, unknown> }>;
  /** Files in `payloads/` by name. */
  payloadFiles: Map<string, string>;
  /** Names in the writer's staging directory `payloads/.tmp/` (null when it does not exist). */
  stagedFiles: string[] | null;
}

export function readBundle(dir: string): BundleOnDisk {
  const manifestText = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
  const logPath = path.join(dir, "trace.jsonl");
  const traceText = fs.existsSync(logPath) ? fs.readFileSync(logPath, "utf8") : "";
  const end = traceText.lastIndexOf("\n") + 1;
  const lines = traceText.slice(0, end).split("\n").slice(0, -1);
  const payloadFiles = new Map<string, string>();
  const payloadsDir = path.join(dir, "payloads");
  if (fs.existsSync(payloadsDir)) {
    for (const entry of fs.readdirSync(payloadsDir, { withFileTypes: true })) {
      if (entry.isFile())
        payloadFiles.set(entry.name, fs.readFileSync(path.join(payloadsDir, entry.name), "utf8"));
    }
  }
  const stagingDir = path.join(payloadsDir, ".tmp");
  return {
    manifestText,
    traceText,
    lines,
    tornTail: traceText.slice(end),
    events: lines.map((line) => JSON.parse(line)),
    payloadFiles,
    stagedFiles: fs.existsSync(stagingDir) ? fs.readdirSync(stagingDir) : null,
  };
}

/** Every payload ref an event carries, wherever it sits in the payload. */
export function payloadRefs(value: unknown): PayloadRefShape[] {
  if (typeof value !== "object" || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(payloadRefs);
  const record = value as Record<string, unknown>;
  if (typeof record.raw_payload_id === "string" && typeof record.path === "string") {
    return [record as unknown as PayloadRefShape];
  }
  return Object.values(record).flatMap(payloadRefs);
}

/**
 * The invariants every bundle the writer leaves behind must satisfy, crashed or not: a valid manifest, every complete
 * line a schema-valid event of the manifest's version and rollout, seqs 1, 2, 3, ... in file order, nothing after
 * `recording_completed`, and every referenced payload present and parseable.
 */
export function expectReplayableBundle(dir: string): BundleOnDisk {
  const bundle = readBundle(dir);
  const manifest = JSON.parse(bundle.manifestText);
  expect(manifestValidator.errors(manifest)).toEqual([]);
  bundle.events.forEach((event, index) => {
    expect(eventValidator.errors(event), `line ${index + 1}`).toEqual([]);
    expect(event.schema_version).toBe(manifest.schema_version);
    expect(event.rollout_id).toBe(manifest.rollout_id);
    expect(event.seq).toBe(index + 1);
    if (event.payload.type === "recording_completed") expect(index).toBe(bundle.events.length - 1);
    for (const ref of payloadRefs(event.payload)) {
      const name = ref.path.replace(/^payloads\//, "");
      const text = bundle.payloadFiles.get(name);
      expect(text, `${ref.raw_payload_id} referenced by seq ${event.seq}`).toBeDefined();
      expect(() => JSON.parse(text ?? "")).not.toThrow();
    }
  });
  return bundle;
}

/** Pretty JSON exactly as the spec describes payload files and the manifest: 2 spaces, no trailing newline. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** An event line built the way the spec describes it, from an object with the envelope keys in spec order. */
export function expectedLine(
  schemaVersion: 1 | 2,
  seq: number,
  wallTime: number,
  rolloutId: string,
  threadId: string | null,
  codexTurnId: string | null,
  payload: unknown,
): string {
  const envelope = {
    schema_version: schemaVersion,
    seq,
    wall_time_unix_ms: wallTime,
    rollout_id: rolloutId,
    thread_id: threadId,
    codex_turn_id: codexTurnId,
    payload,
  };
  return `${JSON.stringify(envelope)}\n`;
}

/** Collects what `onError` receives. */
export function errorRecorder(): { errors: Error[]; onError: (error: Error) => void } {
  const errors: Error[] = [];
  return { errors, onError: (error) => errors.push(error) };
}
