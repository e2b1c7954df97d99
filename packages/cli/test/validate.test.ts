// `validate`: every problem, grouped by file with line, seq and JSON path; exit 0 only for a valid bundle.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyRecorded, ESC, removeTempDirs, run } from "./support.ts";

afterEach(removeTempDirs);

function editLines(bundle: string, edit: (lines: string[]) => void): void {
  const trace = path.join(bundle, "trace.jsonl");
  const lines = fs.readFileSync(trace, "utf8").split("\n");
  edit(lines);
  fs.writeFileSync(trace, lines.join("\n"));
}

describe("validate", () => {
  it("passes a real bundle and names the schema it checked", () => {
    const bundle = copyRecorded(2, "exec-shell");
    const result = run(["validate", bundle]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const payloads = fs.readdirSync(path.join(bundle, "payloads")).length;
    expect(result.stdout).toBe(
      `${bundle}: checked as trace schema 2 · 28 events on 28 lines · ${payloads} payload files\n\n✓ valid: no problems found\n`,
    );
  });

  it("lists every problem of a corrupt bundle, grouped by file, and exits 1", () => {
    const bundle = copyRecorded(1, "exec-shell");
    editLines(bundle, (lines) => {
      lines[2] = "{broken";
      lines[4] = lines[4]!.replace('"seq":5,', '"seq":50,');
      lines[6] = lines[6]!.replace('"thread_id":"', '"thread_id":7,"x":"');
    });
    fs.rmSync(path.join(bundle, "payloads", "3.json"));
    fs.writeFileSync(path.join(bundle, "payloads", "4.json"), "{");

    const result = run(["validate", bundle]);
    expect(result.status).toBe(1);
    const lines = result.stdout.split("\n");
    // 14 payloads, one per line from line 2 on; the broken line 3 refers to payloads/2.json, which goes unchecked.
    expect(lines[0]).toBe(`${bundle}: checked as trace schema 1 · 19 events on 19 lines · 13 payload files`);
    const trace = lines.indexOf("trace.jsonl");
    expect(trace).toBeGreaterThan(0);
    expect(lines[trace + 1]).toMatch(/^ {2}error {3}line 3 {2}not valid JSON: .* \[trace_json\]$/);
    expect(lines[trace + 2]).toMatch(
      /^ {2}warning line 5, seq 50 {2}\/seq {2}seq 50 follows seq 4: 5 to 49 are missing {2}\[event_seq\]$/,
    );
    expect(result.stdout).toMatch(
      /line 7, seq 7 {2}\/thread_id {2}inference_started event: must be string or null {2}\[event_schema\]/,
    );
    expect(result.stdout).toContain(
      "payloads/3.json\n  error   line 4, seq 4  raw_payload:3 has no file payloads/3.json",
    );
    expect(result.stdout).toMatch(
      /payloads\/4\.json\n {2}error {3}line 6, seq 6 {2}raw_payload:4 is not valid JSON/,
    );
    expect(result.stdout).toContain("[replay]");
    expect(lines.at(-2)).toMatch(/^✗ invalid: \d+ errors, 1 warning$/);
  });

  it("prints the result as JSON", () => {
    const bundle = copyRecorded(2, "exec-plain");
    fs.rmSync(path.join(bundle, "payloads", "3.json"));
    const result = run(["validate", bundle, "--json", "--no-replay"]);
    expect(result.status).toBe(1);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ schemaVersion: 2, ok: false, errors: 1, warnings: 0 });
    expect(parsed.problems).toEqual([
      {
        severity: "error",
        code: "payload_missing",
        message: "raw_payload:3 has no file payloads/3.json",
        file: "payloads/3.json",
        line: 4,
        seq: 4,
      },
    ]);
  });

  it("passes with warnings, and fails on them with --strict", () => {
    const bundle = copyRecorded(1, "exec-plain");
    editLines(bundle, (lines) => {
      lines[1] = lines[1]!.replace('"seq":2,', '"seq":3,');
      for (let i = 2; i < lines.length - 1; i++)
        lines[i] = lines[i]!.replace(/"seq":(\d+),/, (_m, n) => `"seq":${Number(n) + 1},`);
    });
    const lenient = run(["validate", bundle]);
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toContain("✓ valid, with 1 warning");
    const strict = run(["validate", bundle, "--strict"]);
    expect(strict.status).toBe(1);
  });

  it("lists a bounded number of problems per kind", () => {
    const bundle = copyRecorded(2, "exec-plain");
    editLines(bundle, (lines) => {
      for (let i = 0; i < lines.length - 1; i++) lines[i] = "garbage";
    });
    const result = run(["validate", bundle, "--max-problems", "3", "--no-replay"]);
    expect(result.status).toBe(1);
    expect(result.stdout.match(/\[trace_json\]/g)).toHaveLength(3);
    expect(result.stdout).toContain("… and 16 more trace_json errors");
  });

  it("escapes control characters that come from the bundle", () => {
    const bundle = copyRecorded(2, "exec-plain");
    editLines(bundle, (lines) => {
      lines[0] = lines[0]!.replace(
        /"rollout_id":"[^"]*"/,
        `"rollout_id":"\\u001b[2J\\u001b]0;owned\\u0007\\u202e"`,
      );
    });
    const result = run(["validate", bundle]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain("\u0007");
    expect(result.stdout).not.toContain("\u202e");
    expect(result.stdout).toContain(
      'rollout_id "\\u001b[2J\\u001b]0;owned\\u0007\\u{202e}" is not the manifest',
    );
  });

  it("rejects a bad --max-problems as a usage error", () => {
    const result = run(["validate", "somewhere", "--max-problems", "zero"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "error: option '--max-problems <n>' argument 'zero' is invalid. expected a positive integer",
    );
  });
});
