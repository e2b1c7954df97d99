// Every bundle the rule tests build, reduced by the real reference reducer (Codex 0.144.6 for schema 1, 0.169.0
// for schema 2): an ok case must give the same state.json bytes as ours and satisfy the rule test's own checks; an
// error case must fail with the same top-level message (and causes, where the rule test pins them). Without the
// binaries the suite is skipped with a note, unless ROLLOUT_TRACE_REQUIRE_REFERENCE=1.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { ReplayError, replayBundleSync } from "../../src/index.ts";
import { reducedFrom, withDefaultVersion } from "../support/builder.ts";
import { collectRuleCases, type Expectation, type RuleCase, withTempDir } from "../support/cases.ts";
import {
  REFERENCE_RELEASES,
  type ReferenceOutcome,
  referenceAvailable,
  referenceBinary,
  runReference,
} from "../support/reference.ts";

const rulesDir = path.dirname(fileURLToPath(import.meta.url));
const ruleModules = fs
  .readdirSync(rulesDir)
  .filter((name) => name.endsWith(".test.ts") && name !== path.basename(fileURLToPath(import.meta.url)))
  .sort();

const cases = await collectRuleCases(() =>
  Promise.all(ruleModules.map((name) => import(pathToFileURL(path.join(rulesDir, name)).href))),
);

const required = process.env.ROLLOUT_TRACE_REQUIRE_REFERENCE === "1";

// The binary keeps state under $HOME/.codex and wants a HOME outside the system temp directory.
let home: string | null = null;
function referenceHome(): string {
  home ??= fs.mkdtempSync(path.join(os.homedir(), ".rollout-trace-oracle-"));
  return home;
}
afterAll(() => {
  if (home !== null) fs.rmSync(home, { recursive: true, force: true });
});

test("every rule test file declares cases", () => {
  expect(ruleModules.length).toBeGreaterThanOrEqual(10);
  for (const name of ruleModules) {
    const file = name.replace(/\.test\.ts$/, "");
    expect(
      cases.some((c) => c.file === file),
      `${name} declares no cases`,
    ).toBe(true);
  }
});

// The schema-1 rule bundles relabelled as schema 2 (same events and payloads): a differential check of the schema-2
// reduction against Codex 0.169.0 on every rule the schema-1 tests exercise. There is no expectation of our own here.
const relabelled = cases.filter(
  (c) => c.build().version === 1 && withDefaultVersion(2, c.build).version === 2 && c.reference === undefined,
);
for (const version of [1, 2] as const) {
  const release = REFERENCE_RELEASES[version];
  const ofVersion = cases.filter((c) => c.build().version === version);
  const checks = ofVersion.length + (version === 2 ? relabelled.length : 0);
  if (!referenceAvailable(version)) {
    const reason = `reference reducer ${release} not found at ${path.relative(process.cwd(), referenceBinary(version))}`;
    if (required) {
      test(`schema ${version} reference reducer is present`, () => {
        throw new Error(`${reason} (ROLLOUT_TRACE_REQUIRE_REFERENCE=1)`);
      });
    } else {
      test.skip(`schema ${version}: ${reason}; ${checks} oracle checks skipped`, () => {});
    }
    continue;
  }
  describe(`schema ${version} against Codex ${release}`, () => {
    for (const ruleCase of ofVersion) {
      test(`${ruleCase.file}: ${ruleCase.name}`, () => checkAgainstReference(ruleCase));
    }
  });
}

if (referenceAvailable(2)) {
  describe("schema-1 rule bundles relabelled as schema 2, against Codex 0.169.0", () => {
    for (const ruleCase of relabelled) {
      test(`${ruleCase.file}: ${ruleCase.name}`, () =>
        withTempDir((dir) => {
          const bundleDir = path.join(dir, "bundle");
          withDefaultVersion(2, ruleCase.build).writeTo(bundleDir);
          const outcome = runReference(2, bundleDir, referenceHome());
          let ours: string;
          try {
            ours = `ok\n${replayBundleSync(bundleDir).serialize()}`;
          } catch (caught) {
            if (!(caught instanceof ReplayError)) throw caught;
            ours = `error: ${caught.message}`;
          }
          expect(ours).toBe(outcome.ok ? `ok\n${outcome.text}` : `error: ${outcome.message}`);
        }));
    }
  });
}

function checkAgainstReference(ruleCase: RuleCase): void {
  withTempDir((dir) => {
    const bundleDir = path.join(dir, "bundle");
    const builder = ruleCase.build();
    builder.writeTo(bundleDir);
    const outcome = runReference(builder.version, bundleDir, referenceHome());
    const expected = ruleCase.reference?.expected ?? ruleCase.expected;
    expectOutcome(outcome, expected, bundleDir);
    // Where the reference deliberately differs there is nothing of ours to compare it with.
    if (ruleCase.reference !== undefined) return;
    if (outcome.ok) {
      expect(replayBundleSync(bundleDir).serialize(), "our state.json differs from the reference's").toBe(
        outcome.text,
      );
    } else {
      expect(() => replayBundleSync(bundleDir)).toThrow(ReplayError);
      try {
        replayBundleSync(bundleDir);
      } catch (caught) {
        expect((caught as ReplayError).message).toBe(outcome.message);
      }
    }
  });
}

function expectOutcome(outcome: ReferenceOutcome, expected: Expectation, bundleDir: string): void {
  if (expected.kind === "ok") {
    if (!outcome.ok) throw new Error(`the reference reducer failed:\n${outcome.output}`);
    const reduced = reducedFrom(outcome.text);
    expected.check(reduced.view, reduced);
    return;
  }
  if (outcome.ok) throw new Error("the reference reducer accepted the bundle");
  if (expected.kind === "panic") {
    expect(outcome.output).toContain("panicked at");
    expect(outcome.output).toContain(expected.fragment);
    return;
  }
  const message = typeof expected.message === "string" ? expected.message : expected.message(bundleDir);
  expect(outcome.message).toBe(message);
  if (expected.causes !== undefined)
    expect(outcome.causes.slice(0, expected.causes.length)).toEqual(expected.causes);
}
