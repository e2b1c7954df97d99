import { existsSync } from "node:fs";
import { cp, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  referenceBinary,
  referenceRequired,
  referenceVersion,
  repositoryRoot,
  runReference,
  runReferenceBatch,
  trimReferenceError,
} from "../src/index.ts";
import { referenceAvailable, scratchDir, sharedBundles } from "./support.ts";

describe("trimReferenceError", () => {
  it("keeps the message of an anyhow report and drops the backtrace", () => {
    const report = [
      "Error: incremental inference request inference-1 referenced unknown previous_response_id resp-missing",
      "",
      "Stack backtrace:",
      "   0: <unknown>",
      "   1: <unknown>",
    ].join("\n");
    expect(trimReferenceError(report)).toBe(
      "incremental inference request inference-1 referenced unknown previous_response_id resp-missing",
    );
  });

  it("keeps the cause chain, one cause per line, without numbering", () => {
    const single = [
      "Error: parse payload raw_payload:5",
      "",
      "Caused by:",
      "    EOF while parsing a list at line 2 column 0",
      "",
      "Stack backtrace:",
      "   0: <unknown>",
    ].join("\n");
    expect(trimReferenceError(single)).toBe(
      "parse payload raw_payload:5\nEOF while parsing a list at line 2 column 0",
    );
    const chain = [
      "Error: read trace",
      "",
      "Caused by:",
      "    0: open payload raw_payload:3",
      "    1: No such file",
    ].join("\n");
    expect(trimReferenceError(chain)).toBe("read trace\nopen payload raw_payload:3\nNo such file");
  });

  it("returns other output (a panic, for example) trimmed", () => {
    const panic = "\nthread 'main' panicked at normalize.rs:499:17:\nassertion failed\n";
    expect(trimReferenceError(panic)).toBe(
      "thread 'main' panicked at normalize.rs:499:17:\nassertion failed",
    );
  });
});

describe("reference configuration", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("finds the repository root from the package location", () => {
    const root = repositoryRoot();
    expect(existsSync(path.join(root, "pnpm-workspace.yaml"))).toBe(true);
    expect(fileURLToPath(import.meta.url).startsWith(root)).toBe(true);
  });

  it("takes the binary from the environment when overridden, and reports a missing one as null", () => {
    process.env.ROLLOUT_TRACE_REFERENCE_V1 = fileURLToPath(import.meta.url);
    expect(referenceBinary(1)).toBe(fileURLToPath(import.meta.url));
    process.env.ROLLOUT_TRACE_REFERENCE_V2 = path.join(repositoryRoot(), "no-such-reference-binary");
    expect(referenceBinary(2)).toBeNull();
  });

  it("uses the cached release per schema by default", () => {
    delete process.env.ROLLOUT_TRACE_REFERENCE_V1;
    const binary = referenceBinary(1);
    const cached = path.join(repositoryRoot(), ".cache", "reference", referenceVersion(1), "codex");
    expect(binary).toBe(existsSync(cached) ? cached : null);
    expect(referenceVersion(2)).toBe("0.169.0");
  });

  it("requires the reference only when ROLLOUT_TRACE_REQUIRE_REFERENCE=1", () => {
    process.env.ROLLOUT_TRACE_REQUIRE_REFERENCE = "1";
    expect(referenceRequired()).toBe(true);
    process.env.ROLLOUT_TRACE_REQUIRE_REFERENCE = "0";
    expect(referenceRequired()).toBe(false);
  });
});

describe.each([1, 2] as const)("runReference (schema %i)", (schemaVersion) => {
  const available = referenceAvailable(schemaVersion);
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await scratchDir(`reference-v${schemaVersion}`);
  });
  afterAll(async () => {
    await scratch.cleanup();
  });

  it.skipIf(!available)(
    "reproduces the state.json that the same release wrote for each real bundle",
    async () => {
      const bundles = await sharedBundles(`real-bundles/v${schemaVersion}`);
      if (bundles.length === 0) console.warn("[testkit] ../shared/real-bundles missing: nothing to compare");
      for (const bundle of bundles) {
        // Reduce a copy without state.json, so the reference cannot be reading its own earlier output.
        const copy = path.join(scratch.dir, bundle.name);
        await cp(bundle.dir, copy, {
          recursive: true,
          filter: (source) => path.basename(source) !== "state.json",
        });
        const result = await runReference(schemaVersion, copy);
        if (!result.ok) throw new Error(`${bundle.name}: ${result.error}`);
        expect(result.state, bundle.name).toBe(await readFile(path.join(bundle.dir, "state.json"), "utf8"));
      }
    },
  );

  it.skipIf(!available)("reports a rejected bundle with the reference's error message", async () => {
    const bundles = await sharedBundles(`real-bundles/v${3 - schemaVersion}`);
    const other = bundles[0];
    if (other === undefined) return;
    const result = await runReference(schemaVersion, other.dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).not.toContain("Stack backtrace");
    expect(result.error).toContain(
      schemaVersion === 2 ? "trace schema 1 cannot establish accepted history" : "parse trace event line",
    );
  });

  it.skipIf(!available)("reports a timeout instead of waiting forever", async () => {
    const result = await runReference(schemaVersion, scratch.dir, { timeoutMs: 1 });
    expect(result).toMatchObject({ ok: false, error: "reference reducer timed out after 1 ms" });
  });
});

describe("runReferenceBatch", () => {
  const available = referenceAvailable(1);

  it.skipIf(!available)(
    "reduces the conformance corpus in order, matching every expected error",
    async () => {
      // Only cases of the reference revision R: the released 0.144.6 reducer predates `request_input_mode`
      // (V-input-mode), so it rejects the untraced-prefix case that the corpus expects to reduce.
      const cases: { name: string; dir: string }[] = [];
      for (const candidate of await sharedBundles("conformance/cases")) {
        const expectation = JSON.parse(await readFile(path.join(candidate.dir, "expect.json"), "utf8")) as {
          revision?: string;
        };
        if (expectation.revision === "R") cases.push(candidate);
      }
      if (cases.length === 0) return;
      const results = await runReferenceBatch(
        1,
        cases.map((c) => c.dir),
        { concurrency: 2 },
      );
      expect(results).toHaveLength(cases.length);
      for (const [index, conformanceCase] of cases.entries()) {
        const expectation = JSON.parse(
          await readFile(path.join(conformanceCase.dir, "expect.json"), "utf8"),
        ) as {
          expect: "ok" | "error";
          error_contains?: string;
        };
        const result = results[index];
        expect(result?.ok, conformanceCase.name).toBe(expectation.expect === "ok");
        if (result !== undefined && !result.ok) {
          expect(result.error.toLowerCase()).toContain((expectation.error_contains ?? "").toLowerCase());
        }
      }
    },
  );
});
