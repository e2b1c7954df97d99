import { type ChildProcess, fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bundlePath, expectReplayableBundle, fixturesDir, packageRoot, readBundle } from "./support.ts";

const child = path.join(fixturesDir, "crash-child.mjs");
const builtEntry = path.join(packageRoot, "dist", "index.mjs");
const built = fs.existsSync(builtEntry);

interface ChildRun {
  /** Highest seq the child saw `append` return before it died. */
  lastReportedSeq: number;
  done: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child; when `killAfterMs` is set, SIGKILLs it that long after it reported ready. */
function runChild(
  dir: string,
  mode: string,
  events: number,
  finish: string,
  killAfterMs?: number,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const run: ChildRun = { lastReportedSeq: 0, done: false, exitCode: null, signal: null };
    // Plain node, no test-runner flags: the child resolves @rollout-trace/writer to dist/ like any consumer.
    const proc: ChildProcess = fork(child, [dir, mode, String(events), finish], {
      execArgv: [],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    proc.on("message", (message: { seq?: number; ready?: boolean; done?: boolean }) => {
      if (message.ready && killAfterMs !== undefined) setTimeout(() => proc.kill("SIGKILL"), killAfterMs);
      if (message.seq !== undefined) run.lastReportedSeq = Math.max(run.lastReportedSeq, message.seq);
      if (message.done) run.done = true;
    });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      run.exitCode = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

describe.skipIf(!built)(`kill -9 of a producer${built ? "" : " (skipped: build the package first)"}`, () => {
  it("sync mode: nothing appended is lost, the bundle stays replayable (50 trials)", async () => {
    let killedMidway = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), async (killAfterMs) => {
        const dir = bundlePath();
        const run = await runChild(dir, "sync", 1500, "hang", killAfterMs);
        expect(run.signal).toBe("SIGKILL");
        if (!run.done) killedMidway++;
        const bundle = expectReplayableBundle(dir);
        // Every event whose append returned is on disk, complete.
        expect(bundle.events.length).toBeGreaterThanOrEqual(run.lastReportedSeq);
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 50 },
    );
    // The trials must actually interrupt the producer, or they prove nothing.
    expect(killedMidway).toBeGreaterThan(10);
  });

  it("batched mode: the bundle stays replayable, only a bounded tail is lost (50 trials)", async () => {
    let killedMidway = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), async (killAfterMs) => {
        const dir = bundlePath();
        const run = await runChild(dir, "batched", 1500, "hang", killAfterMs);
        expect(run.signal).toBe("SIGKILL");
        if (!run.done) killedMidway++;
        // A torn last line is allowed; every complete line parses, seqs are contiguous, payloads exist.
        expectReplayableBundle(dir);
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 50 },
    );
    expect(killedMidway).toBeGreaterThan(10);
  });

  it("batched mode: lines still buffered reach the file when the process exits without close()", async () => {
    const dir = bundlePath();
    const run = await runChild(dir, "batched", 40, "exit");
    expect(run.exitCode).toBe(0);
    expect(run.done).toBe(true);
    const bundle = expectReplayableBundle(dir);
    expect(bundle.events).toHaveLength(40);
    expect(bundle.tornTail).toBe("");
  });

  it("a closed schema-2 bundle ends with recording_completed", async () => {
    const dir = bundlePath();
    const run = await runChild(dir, "sync", 10, "close");
    expect(run.exitCode).toBe(0);
    const bundle = readBundle(dir);
    expect(bundle.events.map((event) => event.payload.type).at(-1)).toBe("recording_completed");
    expect(bundle.events).toHaveLength(11);
  });
});
