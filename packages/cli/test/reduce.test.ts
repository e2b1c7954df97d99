// `reduce`: byte-identical state.json, nothing written on error, errors that name file, line and seq.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyRecorded, RECORDED_DIR, recordedState, removeTempDirs, run, tempDir } from "./support.ts";

afterEach(removeTempDirs);

describe("reduce", () => {
  it.each([
    [1, "exec-multi-agent-v1"],
    [1, "exec-code-mode"],
    [2, "exec-multi-agent-v2"],
    [2, "app-server-remote-compact"],
  ] as const)("writes <bundle>/state.json byte-identical to the reference (v%i %s)", (version, scenario) => {
    const bundle = copyRecorded(version, scenario);
    const result = run(["reduce", bundle]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const written = path.join(bundle, "state.json");
    expect(result.stdout).toBe(`${written}\n`);
    expect(fs.readFileSync(written, "utf8")).toBe(recordedState(version, scenario));
  });

  it("writes to -o FILE and leaves no temporary file behind", () => {
    const bundle = copyRecorded(2, "exec-shell");
    const out = path.join(tempDir(), "reduced.json");
    const result = run(["reduce", bundle, "-o", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${out}\n`);
    expect(fs.readFileSync(out, "utf8")).toBe(recordedState(2, "exec-shell"));
    expect(fs.readdirSync(path.dirname(out))).toEqual(["reduced.json"]);
    expect(fs.existsSync(path.join(bundle, "state.json"))).toBe(false);
  });

  it("writes nothing on a replay error and names the file, line and seq", () => {
    const bundle = copyRecorded(2, "exec-shell");
    const trace = path.join(bundle, "trace.jsonl");
    const lines = fs.readFileSync(trace, "utf8").split("\n");
    // Line 6 claims seq 7: the reference fails with "missing or reordered trace event 6".
    lines[5] = lines[5]!.replace('"seq":6,', '"seq":7,');
    fs.writeFileSync(trace, lines.join("\n"));
    const previous = "a state.json from an earlier run";
    fs.writeFileSync(path.join(bundle, "state.json"), previous);

    const result = run(["reduce", bundle]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("error: missing or reordered trace event 6");
    expect(result.stderr).toContain("at trace.jsonl, line 6, seq 7");
    expect(result.stderr).not.toMatch(/\n\s+at .*\.m?js:\d+/); // no stack trace
    expect(fs.readFileSync(path.join(bundle, "state.json"), "utf8")).toBe(previous);
    expect(fs.readdirSync(bundle).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("reports a corrupt line with its number", () => {
    const bundle = copyRecorded(1, "exec-plain");
    const trace = path.join(bundle, "trace.jsonl");
    const lines = fs.readFileSync(trace, "utf8").split("\n");
    lines[3] = "{this is not json";
    fs.writeFileSync(trace, lines.join("\n"));
    const result = run(["reduce", bundle]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("error: parse trace event line 4");
    expect(result.stderr).toContain("caused by: key must be a string at line 1 column 2");
    expect(result.stderr).toContain("at trace.jsonl, line 4");
    expect(fs.existsSync(path.join(bundle, "state.json"))).toBe(false);
  });

  it("fails like the reference on a bundle its own reducer rejects", () => {
    const bundle = copyRecorded("rejected/v1", "exec-apply-patch-via-exec");
    const reference = fs.readFileSync(
      path.join(RECORDED_DIR, "rejected", "v1", "exec-apply-patch-via-exec", "reference-error.txt"),
      "utf8",
    );
    expect(reference).toContain("Error: parse terminal runtime start payload raw_payload:8");
    const result = run(["reduce", bundle]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("error: parse terminal runtime start payload raw_payload:8");
    expect(result.stderr).toContain("caused by: missing field `command`");
    expect(result.stderr).toContain("at trace.jsonl, line 10, seq 10");
  });

  it("says so when the bundle does not exist", () => {
    const missing = path.join(tempDir(), "no-such-bundle");
    const result = run(["reduce", missing]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: cannot open bundle ${missing}: no such file or directory\n`);
  });

  it("says so when the output cannot be written", () => {
    const bundle = copyRecorded(1, "exec-plain");
    const out = path.join(tempDir(), "missing-dir", "state.json");
    const result = run(["reduce", bundle, "-o", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot write ${out.replaceAll("/", "\\/")}: ENOENT`));
  });

  it("with --partial, skips a torn last line and reports it on stderr", () => {
    const bundle = copyRecorded(2, "exec-plain");
    const trace = path.join(bundle, "trace.jsonl");
    const text = fs.readFileSync(trace, "utf8");
    const lineCount = text.split("\n").length - 1;
    fs.writeFileSync(trace, `${text}{"schema_version":2,"seq":`);

    const strict = run(["reduce", bundle]);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain(`parse trace event line ${lineCount + 1}`);

    const partial = run(["reduce", bundle, "--partial"]);
    expect(partial.status).toBe(0);
    expect(partial.stderr).toContain(`warning: trace.jsonl line ${lineCount + 1}: torn last line skipped`);
    const state = JSON.parse(fs.readFileSync(path.join(bundle, "state.json"), "utf8"));
    expect(state.replay_diagnostics).toEqual([
      expect.objectContaining({ file: "trace.jsonl", line: lineCount + 1 }),
    ]);
    const { replay_diagnostics: _skipped, ...rest } = state;
    expect(JSON.stringify(rest, null, 2)).toBe(recordedState(2, "exec-plain"));
  });
});
