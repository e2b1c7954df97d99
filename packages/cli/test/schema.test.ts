// `schema`: copies of the JSON Schema files shipped in @rollout-trace/schema.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPOSITORY_ROOT, removeTempDirs, run, tempDir } from "./support.ts";

afterEach(removeTempDirs);

const SOURCE = path.join(REPOSITORY_ROOT, "packages", "schema", "schemas");

describe("schema", () => {
  it("writes every schema file, byte for byte", () => {
    const out = path.join(tempDir(), "schemas");
    const result = run(["schema", "--out", out]);
    expect(result.status).toBe(0);
    const expected = fs
      .readdirSync(SOURCE)
      .filter((file) => file.endsWith(".schema.json"))
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(19);
    expect(fs.readdirSync(out).sort()).toEqual(expected);
    expect(result.stdout).toBe(expected.map((file) => `${path.join(out, file)}\n`).join(""));
    for (const file of expected)
      expect(fs.readFileSync(path.join(out, file), "utf8")).toBe(
        fs.readFileSync(path.join(SOURCE, file), "utf8"),
      );
  });

  it.each([1, 2])("writes only the files of trace schema %i with --version", (version) => {
    const out = tempDir();
    const result = run(["schema", "--out", out, "--version", String(version)]);
    expect(result.status).toBe(0);
    const written = fs.readdirSync(out).sort();
    const payloads = fs.readdirSync(SOURCE).filter((file) => file.startsWith("payload-"));
    expect(written).toEqual(
      [
        ...payloads,
        "manifest.schema.json",
        `event.v${version}.schema.json`,
        `state.v${version}.schema.json`,
      ].sort(),
    );
  });

  it("writes into ./rollout-trace-schemas by default", () => {
    const cwd = tempDir();
    const result = run(["schema", "--version", "2"], { cwd });
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, "rollout-trace-schemas", "event.v2.schema.json"))).toBe(true);
  });

  it("says so when it cannot write", () => {
    const file = path.join(tempDir(), "a-file");
    fs.writeFileSync(file, "");
    const result = run(["schema", "--out", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot write into .*a-file: /);
  });
});
