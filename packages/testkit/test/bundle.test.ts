import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { RawTraceEvent } from "@rollout-trace/schema";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileScript,
  markCompactJson,
  rolloutArbitrary,
  scriptArbitrary,
  serializeEvent,
  writeBundleToDir,
} from "../src/index.ts";
import { readBundle, scratchDir, sharedBundles, sharedDir } from "./support.ts";

let scratch: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  scratch = await scratchDir("bundle");
});
afterAll(async () => {
  await scratch.cleanup();
});

/** Every file of a bundle directory, relative path -> bytes. */
async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of ["manifest.json", "trace.jsonl"]) files.set(name, await readFile(path.join(dir, name)));
  const payloadDir = path.join(dir, "payloads");
  for (const name of existsSync(payloadDir) ? await readdir(payloadDir) : []) {
    files.set(`payloads/${name}`, await readFile(path.join(dir, "payloads", name)));
  }
  return files;
}

describe("writeBundleToDir", () => {
  it("lays a bundle out as Codex does: pretty manifest and payloads without trailing newline, one compact line per event", async () => {
    const script = fc.sample(scriptArbitrary({ schemaVersion: 2, size: "small" }), {
      numRuns: 1,
      seed: 42,
    })[0];
    if (script === undefined) throw new Error("no script sampled");
    const bundle = compileScript(script);
    const dir = path.join(scratch.dir, "layout");
    await writeBundleToDir(bundle, dir);

    const manifest = await readFile(path.join(dir, "manifest.json"), "utf8");
    expect(manifest.startsWith('{\n  "schema_version": 2,\n  "trace_id": ')).toBe(true);
    expect(manifest.endsWith("\n}")).toBe(true);
    expect(Object.keys(JSON.parse(manifest))).toEqual([
      "schema_version",
      "trace_id",
      "rollout_id",
      "root_thread_id",
      "started_at_unix_ms",
      "raw_event_log",
      "payloads_dir",
    ]);

    const log = await readFile(path.join(dir, "trace.jsonl"), "utf8");
    expect(log.endsWith("\n")).toBe(true);
    const lines = log.slice(0, -1).split("\n");
    expect(lines).toHaveLength(bundle.events.length);
    for (const line of lines) {
      expect(line).not.toContain("\n");
      expect(Object.keys(JSON.parse(line))).toEqual([
        "schema_version",
        "seq",
        "wall_time_unix_ms",
        "rollout_id",
        "thread_id",
        "codex_turn_id",
        "payload",
      ]);
    }
    const payloadFiles = (await readdir(path.join(dir, "payloads"))).sort(
      (a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10),
    );
    expect(payloadFiles).toEqual([...bundle.payloads.keys()].map((n) => `${n}.json`));
    const first = await readFile(path.join(dir, "payloads", "1.json"), "utf8");
    expect(first.startsWith("{\n  ")).toBe(true);
    expect(first.endsWith("}")).toBe(true);
  });

  it("writes null envelope context explicitly", () => {
    const [bundle] = fc.sample(rolloutArbitrary({ schemaVersion: 1 }), { numRuns: 1, seed: 7 });
    const first = bundle?.events[0];
    if (first === undefined) throw new Error("empty bundle");
    expect(serializeEvent(first)).toContain(
      '"thread_id":null,"codex_turn_id":null,"payload":{"type":"rollout_started"',
    );
  });

  const realSets = ["real-bundles/v1", "real-bundles/v2", "conformance/cases"];
  it.skipIf(sharedDir() === null)(
    "reproduces real Codex bundles byte for byte (../shared/real-bundles and the conformance corpus)",
    async () => {
      let compared = 0;
      for (const set of realSets) {
        for (const original of await sharedBundles(set)) {
          const parsed = await readBundle(original.dir);
          if (parsed.manifest.schema_version === 2) markRequestToolsCompact(parsed);
          const copy = path.join(scratch.dir, "real", set.replace("/", "-"), original.name);
          await writeBundleToDir(parsed, copy);
          const expected = await filesOf(original.dir);
          const actual = await filesOf(copy);
          expect([...actual.keys()].sort(), original.dir).toEqual([...expected.keys()].sort());
          for (const [name, bytes] of expected) {
            expect(actual.get(name)?.equals(bytes), `${set}/${original.name}/${name}`).toBe(true);
          }
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(20);
    },
  );
  if (sharedDir() === null)
    console.warn("[testkit] ../shared not found: skipping the real-bundle byte comparison");
});

/** Codex 0.169.0 embeds the request `tools` as compact JSON; mark them so the writer reproduces that. */
function markRequestToolsCompact(bundle: { events: RawTraceEvent[]; payloads: Map<number, unknown> }): void {
  for (const event of bundle.events) {
    if (event.payload.type !== "inference_started") continue;
    const document = bundle.payloads.get(Number(event.payload.request_payload.raw_payload_id.split(":")[1]));
    if (
      document !== null &&
      typeof document === "object" &&
      "tools" in document &&
      typeof document.tools === "object"
    ) {
      if (document.tools !== null) markCompactJson(document.tools);
    }
  }
}
