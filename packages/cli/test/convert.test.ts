// `convert --to 2`: a schema-1 bundle becomes a schema-2 bundle that reduces (here, and in Codex 0.169.0 when the
// reference binary is fetched), with a report of what changed and what was lost.
import fs from "node:fs";
import path from "node:path";
import { referenceBinary, referenceRequired, runReference } from "@rollout-trace/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { copyRecorded, removeTempDirs, run, tempDir } from "./support.ts";

afterEach(removeTempDirs);

function manifestVersion(dir: string): number {
  return JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).schema_version;
}

describe("convert", () => {
  it("writes <bundle>.schema2 beside the source, which then reduces and validates as schema 2", () => {
    const bundle = copyRecorded(1, "exec-shell");
    const before = fs.readFileSync(path.join(bundle, "trace.jsonl"), "utf8");
    const result = run(["convert", "--to", "2", bundle]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const target = `${bundle}.schema2`;
    expect(result.stdout).toContain("(trace schema 1) →");
    expect(result.stdout).toContain("runtime_kind_inserted");
    expect(result.stdout).toContain("Not carried over");
    expect(result.stdout).toContain("acceptance_not_recorded");
    expect(manifestVersion(target)).toBe(2);
    expect(fs.readFileSync(path.join(bundle, "trace.jsonl"), "utf8")).toBe(before);
    const validate = run(["validate", target]);
    expect(validate.stdout).toContain("trace schema 2");
    expect(validate.status).toBe(0);
    const reduced = run(["reduce", target]);
    expect(reduced.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(target, "state.json"), "utf8")).schema_version).toBe(2);
  });

  it.skipIf(referenceBinary(2) === null && !referenceRequired())(
    "produces what Codex 0.169.0 reduces to the same state.json as ours",
    async () => {
      const bundle = copyRecorded(1, "exec-multi-agent-v2");
      const target = path.join(tempDir(), "converted");
      expect(run(["convert", "--to", "2", "--accept-outputs", bundle, "-o", target]).status).toBe(0);
      const reference = await runReference(2, target);
      expect(reference.ok).toBe(true);
      const ours = run(["reduce", target, "-o", path.join(tempDir(), "ours.json")]);
      expect(ours.status).toBe(0);
      if (reference.ok) expect(fs.readFileSync(ours.stdout.trim(), "utf8")).toBe(reference.state);
    },
  );

  it("prints the report as JSON", () => {
    const bundle = copyRecorded(1, "exec-plain");
    const target = path.join(tempDir(), "out");
    const result = run(["convert", "--to", "2", bundle, "-o", target, "--json"]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ fromSchema: 1, toSchema: 2, targetDir: path.resolve(target) });
    expect(report.counts.sourceEvents).toBeGreaterThan(0);
  });

  it("refuses a schema-2 source and an existing target, writing nothing", () => {
    const v2 = copyRecorded(2, "exec-plain");
    const refused = run(["convert", "--to", "2", v2, "-o", path.join(tempDir(), "x")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("cannot convert");
    expect(refused.stderr).toMatch(/schema 2/);

    const bundle = copyRecorded(1, "exec-plain");
    const target = tempDir();
    fs.writeFileSync(path.join(target, "keep.txt"), "mine");
    const exists = run(["convert", "--to", "2", bundle, "-o", target]);
    expect(exists.status).toBe(1);
    expect(fs.readdirSync(target)).toEqual(["keep.txt"]);
  });

  it("is a usage error without --to 2", () => {
    const bundle = copyRecorded(1, "exec-plain");
    expect(run(["convert", bundle]).status).toBe(2);
    const three = run(["convert", "--to", "3", bundle]);
    expect(three.status).toBe(2);
    expect(three.stderr).toContain("only trace schema 2");
  });
});
