// The shared conformance corpus, run through the real executable exactly as the repository's test runner does.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPOSITORY_ROOT, SHARED_DIR } from "./support.ts";

const checker = path.join(SHARED_DIR, "conformance", "check.mjs");
const available = fs.existsSync(checker);
if (!available) console.info("note: ../shared is absent; the conformance corpus was not run");

describe.skipIf(!available)("conformance corpus", () => {
  it("passes every case with `reduce {bundle} -o {out}`", { timeout: 600_000 }, () => {
    const result = spawnSync(
      process.execPath,
      [checker, "--cmd", "node packages/cli/bin/rollout-trace.js reduce {bundle} -o {out}"],
      { cwd: REPOSITORY_ROOT, encoding: "utf8", timeout: 590_000 },
    );
    const summary = /(\d+) passed, (\d+) failed/.exec(result.stdout);
    expect(summary, result.stdout + result.stderr).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(30);
    expect(result.stdout.match(/^FAIL .*$/gm) ?? []).toEqual([]);
    expect(Number(summary?.[2])).toBe(0);
    expect(result.status).toBe(0);
  });
});
