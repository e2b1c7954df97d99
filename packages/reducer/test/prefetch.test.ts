// The payload prefetcher: the paths it picks out of trace.jsonl, the worker's answers, and the scanner it runs there.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, needsExactParser } from "../src/internal/json.ts";
import { PayloadPrefetcher, payloadPathsIn } from "../src/internal/node/prefetch.ts";

const dirs: string[] = [];
const prefetchers: PayloadPrefetcher[] = [];
afterEach(() => {
  for (const prefetcher of prefetchers.splice(0)) prefetcher.stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-prefetch-"));
  dirs.push(dir);
  return dir;
}

function started(): PayloadPrefetcher {
  const prefetcher = new PayloadPrefetcher();
  prefetchers.push(prefetcher);
  return prefetcher;
}

describe("payloadPathsIn", () => {
  const paths = (text: string, length = Buffer.byteLength(text)) => payloadPathsIn(Buffer.from(text), length);

  it("finds the payload paths producers write", () => {
    const lines = [
      '{"seq":1,"payload":{"type":"inference_started","request_payload":{"raw_payload_id":"raw_payload:1","kind":{"type":"inference_request"},"path":"payloads/1.json"}}}',
      '{"seq":2,"payload":{"type":"inference_completed","response_payload":{"raw_payload_id":"raw_payload:2","kind":{"type":"inference_response"},"path":"payloads/2.json"}}}',
    ].join("\n");
    expect(paths(lines)).toEqual(["payloads/1.json", "payloads/2.json"]);
  });

  it("leaves out paths with escapes or non-ASCII bytes, and empty ones", () => {
    expect(paths('{"path":"pay\\"loads/1.json"} {"path":"é.json"} {"path":""} {"path":"ok.json"}')).toEqual([
      "ok.json",
    ]);
  });

  it("reads only the valid part of a chunk", () => {
    const text = '{"path":"a.json"} {"path":"b.json"}';
    expect(paths(text, text.indexOf("b.json") + 3)).toEqual(["a.json"]);
    expect(paths(text, text.indexOf("a.json") + 6)).toEqual([]);
  });
});

describe("PayloadPrefetcher", () => {
  it("hands over the text of files it read, once, with the scanner's answer", () => {
    const dir = tempDir();
    const plain = path.join(dir, "plain.json");
    const float = path.join(dir, "float.json");
    fs.writeFileSync(plain, '{\n  "a": 1\n}');
    fs.writeFileSync(float, '{"a": 1.0}');
    const prefetcher = started();
    prefetcher.prefetch([plain, float]);
    expect(prefetcher.take(float)).toEqual({ text: '{"a": 1.0}', exact: true });
    expect(prefetcher.take(plain)).toEqual({ text: '{\n  "a": 1\n}', exact: false });
    expect(prefetcher.take(plain)).toBeUndefined();
  });

  it("leaves to the caller what it could not or should not read", () => {
    const dir = tempDir();
    const target = path.join(dir, "target.json");
    fs.writeFileSync(target, "{}");
    const link = path.join(dir, "link.json");
    fs.symlinkSync(target, link);
    const invalid = path.join(dir, "invalid.json");
    fs.writeFileSync(invalid, Buffer.from([0x22, 0xc3, 0x28, 0x22]));
    const large = path.join(dir, "large.json");
    fs.writeFileSync(large, `"${"x".repeat(1024 * 1024)}"`);
    const missing = path.join(dir, "missing.json");
    const files = [link, invalid, large, missing, dir];
    const prefetcher = started();
    prefetcher.prefetch(files);
    for (const file of files) expect(prefetcher.take(file), file).toBeUndefined();
    expect(prefetcher.take(path.join(dir, "never-asked.json"))).toBeUndefined();
  });

  it("serves many files in order, more than it keeps in flight", () => {
    const dir = tempDir();
    const files = Array.from({ length: 2000 }, (_, n) => path.join(dir, `${n}.json`));
    for (const [n, file] of files.entries())
      fs.writeFileSync(file, JSON.stringify({ n, text: "y".repeat(n * 40) }));
    const prefetcher = started();
    prefetcher.prefetch(files);
    for (const [n, file] of files.entries()) expect(JSON.parse(prefetcher.take(file)!.text).n).toBe(n);
  });

  it("stops waiting as soon as its worker is gone, and the caller reads the file itself", async () => {
    const dir = tempDir();
    const files = Array.from({ length: 500 }, (_, n) => path.join(dir, `${n}.json`));
    for (const file of files) fs.writeFileSync(file, "{}");
    const prefetcher = started();
    await (prefetcher as unknown as { worker: Worker }).worker.terminate();
    prefetcher.prefetch(files);
    // Not a speed check: a prefetcher that missed the exit would block for its whole 10 s stall limit instead.
    const start = Date.now();
    expect(prefetcher.take(files[0]!)).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(5000);
    expect(prefetcher.take(files[1]!)).toBeUndefined();
  });

  it("gives nothing after it is stopped", () => {
    const dir = tempDir();
    const file = path.join(dir, "1.json");
    fs.writeFileSync(file, "{}");
    const prefetcher = started();
    prefetcher.prefetch([file]);
    prefetcher.stop();
    expect(prefetcher.take(file)).toBeUndefined();
  });
});

describe("needsExactParser", () => {
  // The prefetcher runs the scanner's source text on its worker, where nothing from this module exists.
  it("runs from its own source text alone", () => {
    const isolated = new Function(
      `"use strict"; return (${needsExactParser.toString()});`,
    )() as typeof needsExactParser;
    const samples = [
      '{\n  "a": [1, 2, {"b": "c\\\\"}]\n}',
      '{"a": 1.5}',
      '{"a": 12345678901234567}',
      '{"10": 1}',
      '"\\ud800"',
      `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`,
      `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`,
      '{"a": "1.5 \\" 10e5", "b": -3}',
    ];
    for (const sample of samples) {
      expect(isolated(sample, MAX_JSON_DEPTH), sample).toBe(needsExactParser(sample, MAX_JSON_DEPTH));
    }
    expect(samples.map((sample) => needsExactParser(sample, MAX_JSON_DEPTH))).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
