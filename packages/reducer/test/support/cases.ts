// Rule cases: a bundle plus what reducing it must give. Each rule test file declares its cases through `ruleFile`,
// which registers a vitest test per case and also records the case, so that `rules/oracle.test.ts` can run the very
// same bundles and expectations through the reference reducer.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { ReplayError } from "../../src/index.ts";
import type { BundleBuilder, Reduced } from "./builder.ts";
import type { StateView } from "./view.ts";

export type Check = (view: StateView, reduced: Reduced) => void;

export type Expectation =
  | { readonly kind: "ok"; readonly check: Check }
  | {
      readonly kind: "error";
      /** The exact top-level message; a function when it names the bundle directory. */
      readonly message: string | ((bundleDir: string) => string);
      /** The leading entries of the "Caused by" chain, exactly, when the test pins them. */
      readonly causes?: readonly string[];
    }
  /** Only for `reference`: the reference binary crashes (a Rust panic) with this text in its output. */
  | { readonly kind: "panic"; readonly fragment: string };

export interface RuleCase {
  readonly file: string;
  readonly name: string;
  readonly build: () => BundleBuilder;
  readonly expected: Expectation;
  /** Replay through the Node adapter from a directory (driver rules about files and bytes). */
  readonly disk: boolean;
  /** Where the reference reducer deliberately behaves otherwise: what it does instead, and why. */
  readonly reference?: { readonly note: string; readonly expected: Expectation };
}

export interface CaseOptions {
  disk?: boolean;
  reference?: { note: string; expected: Expectation };
}

const registry: RuleCase[] = [];
let collecting = false;

/** Imports rule test modules without registering their tests, and returns every case they declare. */
export async function collectRuleCases(load: () => Promise<unknown>): Promise<RuleCase[]> {
  collecting = true;
  try {
    await load();
  } finally {
    collecting = false;
  }
  return [...registry];
}

export function ok(check: Check): Expectation {
  return { kind: "ok", check };
}

export function panic(fragment: string): Expectation {
  return { kind: "panic", fragment };
}

export function error(
  message: string | ((bundleDir: string) => string),
  causes?: readonly string[],
): Expectation {
  return causes === undefined ? { kind: "error", message } : { kind: "error", message, causes };
}

/** Declares the rule cases of one test file. */
export function ruleFile(file: string) {
  const declare = (name: string, build: () => BundleBuilder, expected: Expectation, options: CaseOptions) => {
    const ruleCase: RuleCase = {
      file,
      name,
      build,
      expected,
      disk: options.disk ?? false,
      ...(options.reference === undefined ? {} : { reference: options.reference }),
    };
    registry.push(ruleCase);
    if (!collecting) test(name, () => runRuleCase(ruleCase));
  };
  return {
    /** A bundle that replays; `check` asserts the reduced objects. */
    rule(name: string, build: () => BundleBuilder, check: Check, options: CaseOptions = {}): void {
      declare(name, build, ok(check), options);
    },
    /** A bundle the reducer rejects with exactly this message (and these causes, when given). */
    fails(
      name: string,
      build: () => BundleBuilder,
      message: string | ((bundleDir: string) => string),
      options: CaseOptions & { causes?: readonly string[] } = {},
    ): void {
      declare(name, build, error(message, options.causes), options);
    },
  };
}

export function withTempDir<T>(run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-rules-"));
  try {
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runRuleCase(ruleCase: RuleCase): void {
  withTempDir((dir) => {
    const bundleDir = path.join(dir, "bundle");
    const reduce = () =>
      ruleCase.disk ? ruleCase.build().reduceFromDisk(bundleDir) : ruleCase.build().reduce();
    const expected = ruleCase.expected;
    if (expected.kind === "ok") {
      const reduced = reduce();
      expected.check(reduced.view, reduced);
      return;
    }
    if (expected.kind === "panic") throw new Error("a panic can only be what the reference does");
    let thrown: unknown;
    try {
      reduce();
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown, "replay should fail").toBeInstanceOf(ReplayError);
    const replayError = thrown as ReplayError;
    const message = typeof expected.message === "string" ? expected.message : expected.message(bundleDir);
    expect(replayError.message).toBe(message);
    if (expected.causes !== undefined)
      expect(replayError.causes.slice(0, expected.causes.length)).toEqual(expected.causes);
  });
}
