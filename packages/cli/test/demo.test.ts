// `demo`: a new user's first command. It must record a bundle that is valid, that reduces exactly like the
// reference reducer, and print the report with a guide.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { referenceBinary, referenceRequired, runReference } from "@rollout-trace/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { removeTempDirs, run, tempDir } from "./support.ts";

afterEach(removeTempDirs);

/** The bundle directory the demo reports in its first line. */
function recordedBundle(stdout: string): string {
  const match = /^✓ recorded a demo session \(trace schema [12]\) into (.+)$/m.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return match?.[1] ?? "";
}

describe("demo", () => {
  it.each([2, 1] as const)(
    "records a valid schema %i bundle, reduces it and prints the report",
    async (version) => {
      const dir = tempDir();
      const result = run(["demo", dir, "--schema", String(version)]);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);

      const bundle = recordedBundle(result.stdout);
      expect(path.dirname(bundle)).toBe(dir);
      const stateFile = path.join(bundle, "state.json");
      expect(result.stdout).toContain(`✓ reduced it into ${stateFile}\n`);
      expect(JSON.parse(fs.readFileSync(path.join(bundle, "manifest.json"), "utf8")).schema_version).toBe(
        version,
      );

      // The report, then the guide.
      expect(result.stdout).toContain(`(trace schema ${version})`);
      expect(result.stdout).toMatch(/\nThreads\n {2}\/root {2}/);
      expect(result.stdout).toMatch(/\n {2}└ \/root\/\S+ {2}/);
      expect(result.stdout).toMatch(/\n {2}Transcript \(\d+ items/);
      expect(result.stdout).toContain("\nWhat you are looking at\n");
      expect(result.stdout).toContain(`rollout-trace validate ${bundle}`);

      // The state the demo wrote is the one `reduce` writes, and the bundle is valid.
      const again = path.join(tempDir(), "state.json");
      expect(run(["reduce", bundle, "-o", again]).status).toBe(0);
      expect(fs.readFileSync(stateFile, "utf8")).toBe(fs.readFileSync(again, "utf8"));
      const validation = run(["validate", bundle]);
      expect(validation.stdout).toContain("✓ valid: no problems found");
      expect(validation.status).toBe(0);

      // And the reference reducer of that schema agrees byte for byte, when it is available.
      if (referenceBinary(version) === null) {
        expect(referenceRequired(), "the reference reducer is required but missing").toBe(false);
        console.info(
          `note: no reference reducer for schema ${version}; the demo bundle was not compared with it`,
        );
        return;
      }
      const reference = await runReference(version, bundle);
      expect(reference.ok ? reference.state : reference.error).toBe(fs.readFileSync(stateFile, "utf8"));
    },
  );

  it("without a directory, records under the system temp directory and says where", () => {
    const result = run(["demo"]);
    expect(result.status).toBe(0);
    const bundle = recordedBundle(result.stdout);
    const root = path.dirname(bundle);
    try {
      expect(path.dirname(root)).toBe(os.tmpdir());
      expect(path.basename(root)).toMatch(/^rollout-trace-demo-/);
      expect(fs.existsSync(path.join(bundle, "state.json"))).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("says so when the directory cannot hold a bundle", () => {
    const file = path.join(tempDir(), "a-file");
    fs.writeFileSync(file, "");
    const result = run(["demo", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot record the demo session: /);
  });
});
