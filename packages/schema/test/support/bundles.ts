import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Root of the repository checkout. */
export const repoRoot = path.resolve(here, "../../../..");
/** Shared reference material next to the checkout; absent on most machines. */
export const sharedRoot = path.resolve(repoRoot, "../shared");
/** This package's hand-written fixture bundles. */
export const fixturesRoot = path.resolve(here, "../fixtures");

/** A payload reference as found in an event (only the fields the tests need). */
export interface PayloadReference {
  readonly raw_payload_id: string;
  readonly kind: { readonly type: string };
  readonly path: string;
}

export interface LoadedPayload {
  readonly reference: PayloadReference;
  readonly document: unknown;
}

export interface LoadedBundle {
  /** `<collection>/<bundle directory>`, e.g. `fixtures/v1-session`. */
  readonly name: string;
  readonly manifest: unknown;
  readonly events: readonly { readonly line: number; readonly value: unknown }[];
  readonly payloads: readonly LoadedPayload[];
  readonly state: unknown;
}

const SAFE_PAYLOAD_PATH = /^payloads\/[0-9]+\.json$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every payload reference inside an event payload (objects carrying `raw_payload_id` and `kind`). */
export function referencesIn(value: unknown): PayloadReference[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (!isObject(value)) return [];
  if (typeof value.raw_payload_id === "string" && isObject(value.kind) && typeof value.path === "string") {
    return [value as unknown as PayloadReference];
  }
  return Object.values(value).flatMap(referencesIn);
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Reads a bundle directory: manifest, every event line, every referenced payload, and `state.json` if present. */
export function loadBundle(collection: string, dir: string): LoadedBundle {
  const events = fs
    .readFileSync(path.join(dir, "trace.jsonl"), "utf8")
    .split("\n")
    .flatMap((text, index) =>
      text.trim() === "" ? [] : [{ line: index + 1, value: JSON.parse(text) as unknown }],
    );
  const payloads: LoadedPayload[] = [];
  for (const event of events) {
    const payload = isObject(event.value) ? event.value.payload : undefined;
    for (const reference of referencesIn(payload)) {
      // Only bundle-relative payload paths are ever opened.
      if (!SAFE_PAYLOAD_PATH.test(reference.path)) continue;
      const file = path.join(dir, reference.path);
      if (fs.existsSync(file)) payloads.push({ reference, document: readJson(file) });
    }
  }
  const stateFile = path.join(dir, "state.json");
  return {
    name: `${collection}/${path.basename(dir)}`,
    manifest: readJson(path.join(dir, "manifest.json")),
    events,
    payloads,
    state: fs.existsSync(stateFile) ? readJson(stateFile) : undefined,
  };
}

function bundleDirs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort()
    .map((name) => path.join(root, name))
    .filter((dir) => fs.existsSync(path.join(dir, "manifest.json")));
}

/** The package's own fixture bundles. */
export function fixtureBundles(): LoadedBundle[] {
  return bundleDirs(fixturesRoot).map((dir) => loadBundle("fixtures", dir));
}

/** Shared corpora (conformance cases, real v1 and v2 bundles); empty when `../shared` does not exist. */
export function sharedBundles(): LoadedBundle[] {
  return [
    ["conformance", path.join(sharedRoot, "conformance/cases")],
    ["real-v1", path.join(sharedRoot, "real-bundles/v1")],
    ["real-v2", path.join(sharedRoot, "real-bundles/v2")],
  ].flatMap(([collection, root]) => bundleDirs(root!).map((dir) => loadBundle(collection!, dir)));
}
