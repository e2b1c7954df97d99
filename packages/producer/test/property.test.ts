// Random sequences of helper calls, misuse included, always make a bundle that replays strictly and validates; and
// it reduces with the real Codex reducer to the same state.json as with ours.
import fs from "node:fs";
import { referenceVersion, runReference } from "@rollout-trace/testkit";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTrace } from "../src/index.ts";
import { Driver, type Program, programArbitrary } from "./driver.ts";
import {
  eventTypes,
  itWithReference,
  reduce,
  schemaProblems,
  scratchDir,
  sessionOptions,
} from "./support.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Makes every `fs.writeSync` after the first `writes` fail like a broken disk, for the writer to meet mid-session. */
function failWritesAfter(writes: number): void {
  const original = fs.writeSync;
  let count = 0;
  vi.spyOn(fs, "writeSync").mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
    if (++count > writes) throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
    return (original as (...a: unknown[]) => number)(...args);
  }) as typeof fs.writeSync);
}

interface Recorded {
  /** Null when the disk failed before the bundle existed: tracing then stays off. */
  readonly dir: string | null;
  readonly usedInputMode: boolean;
}

function recordProgram(
  version: 1 | 2,
  program: Program,
  failAfter: number | null,
  inputModes = true,
): Recorded {
  if (failAfter !== null) failWritesAfter(failAfter);
  try {
    const session = startTrace(sessionOptions(version, scratchDir()));
    const driver = new Driver(session, version, { inputModes });
    driver.run(program);
    session.closeSync();
    return { dir: session.bundleDir, usedInputMode: driver.usedInputMode };
  } finally {
    vi.restoreAllMocks();
  }
}

/** Usually a healthy disk; in one run of four it fails after a random number of writes. */
const failure = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.nat({ max: 150 }) },
);

describe.each([1, 2] as const)("trace schema %i", (version) => {
  it("every helper sequence, misuse and disk failures included, replays strictly and validates", () => {
    fc.assert(
      fc.property(programArbitrary, failure, (program, failAfter) => {
        // Arrange + act: play the program (a failing disk stops the writer part-way).
        const { dir } = recordProgram(version, program, failAfter);
        if (dir === null) return;
        // Assert: strict replay succeeds, every document fits the schema, nothing follows the end of recording.
        expect(() => reduce(dir)).not.toThrow();
        expect(schemaProblems(dir)).toEqual([]);
        const types = eventTypes(dir);
        const completed = types.indexOf("recording_completed");
        if (completed !== -1) expect(completed).toBe(types.length - 1);
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  });

  itWithReference(
    version,
    `differential: Codex ${referenceVersion(version)} reduces each bundle to the same state.json as ours`,
    async () => {
      let compared = 0;
      await fc.assert(
        fc.asyncProperty(programArbitrary, failure, async (program, failAfter) => {
          // Codex 0.144.6 predates `request_input_mode`: schema-1 programs leave explicit input modes out here.
          const { dir, usedInputMode } = recordProgram(version, program, failAfter, false);
          if (dir === null) return;
          expect(usedInputMode).toBe(false);
          const ours = reduce(dir);
          const reference = await runReference(version, dir);
          expect(reference.ok ? "" : reference.error).toBe("");
          if (reference.ok) expect(ours.text).toBe(reference.state);
          compared++;
          fs.rmSync(dir, { recursive: true, force: true });
        }),
        { numRuns: 120 },
      );
      expect(compared).toBeGreaterThanOrEqual(100);
    },
    600_000,
  );
});
