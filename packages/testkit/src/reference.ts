import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Oracle: the real Codex reducers (`codex debug trace-reduce`), fetched into `.cache/reference/<version>/codex` by
 * `scripts/fetch-reference.mjs`. Schema-1 bundles are reduced by 0.144.6, schema-2 bundles by 0.169.0.
 */

const REFERENCE_VERSIONS = { 1: "0.144.6", 2: "0.169.0" } as const;
const OVERRIDE_ENV = { 1: "ROLLOUT_TRACE_REFERENCE_V1", 2: "ROLLOUT_TRACE_REFERENCE_V2" } as const;
const DEFAULT_TIMEOUT_MS = 60_000;

export type ReferenceResult =
  | { readonly ok: true; readonly state: string; readonly durationMs: number }
  | { readonly ok: false; readonly error: string; readonly durationMs: number };

export interface ReferenceRunOptions {
  /** Kill the reference after this long and report a timeout (default 60 s). */
  readonly timeoutMs?: number;
}

export interface ReferenceBatchOptions extends ReferenceRunOptions {
  /** How many reference processes run at once (default: the number of CPUs, at most 2). */
  readonly concurrency?: number;
}

/** The monorepo root: the nearest ancestor of this file that holds `pnpm-workspace.yaml`. */
export function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the repository root (no pnpm-workspace.yaml above testkit)");
    dir = parent;
  }
}

/**
 * Path of the reference binary for a trace schema, or null when it is not there. The environment variables
 * `ROLLOUT_TRACE_REFERENCE_V1` / `ROLLOUT_TRACE_REFERENCE_V2` override the cached location.
 */
export function referenceBinary(schemaVersion: 1 | 2): string | null {
  const override = process.env[OVERRIDE_ENV[schemaVersion]];
  const candidate =
    override !== undefined && override !== ""
      ? path.resolve(override)
      : path.join(repositoryRoot(), ".cache", "reference", REFERENCE_VERSIONS[schemaVersion], "codex");
  return existsSync(candidate) ? candidate : null;
}

/** True in CI (`ROLLOUT_TRACE_REQUIRE_REFERENCE=1`): tests must fail rather than skip when a reference is missing. */
export function referenceRequired(): boolean {
  return process.env.ROLLOUT_TRACE_REQUIRE_REFERENCE === "1";
}

/** The Codex release that reduces bundles of a trace schema. */
export function referenceVersion(schemaVersion: 1 | 2): string {
  return REFERENCE_VERSIONS[schemaVersion];
}

/**
 * Codex needs a writable HOME that is not under the system temp directory (it refuses to install helper binaries
 * there). One directory under `.cache/reference/home/` is shared by every run.
 */
async function referenceHome(): Promise<string> {
  const home = path.join(repositoryRoot(), ".cache", "reference", "home");
  await mkdir(home, { recursive: true });
  return home;
}

/**
 * Reduces the message of an anyhow error report to its message lines: the `Error:` line and the `Caused by:` chain,
 * without the stack-backtrace section and without the cause numbering. Text that is not an anyhow report is
 * returned trimmed.
 */
export function trimReferenceError(stderr: string): string {
  const lines = stderr.replace(/\r\n/g, "\n").split("\n");
  const start = lines.findIndex((line) => line.startsWith("Error: "));
  if (start < 0) return stderr.trim();
  const kept: string[] = [];
  let section: "message" | "causes" = "message";
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("Stack backtrace:")) break;
    if (i === start) {
      kept.push(line.slice("Error: ".length));
      continue;
    }
    if (line.trim() === "Caused by:") {
      section = "causes";
      continue;
    }
    if (line.trim() === "") continue;
    if (section === "causes") {
      kept.push(line.trim().replace(/^\d+: /, ""));
    } else {
      kept.push(line);
    }
  }
  return kept.join("\n");
}

interface ProcessOutcome {
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly timedOut: boolean;
}

function runProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        timedOut,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

/**
 * Runs `<reference> debug trace-reduce <bundleDir> -o <out>` and returns the exact text of the state it wrote, or the
 * trimmed error report. Throws when the reference binary is missing (check {@link referenceBinary} first).
 */
export async function runReference(
  schemaVersion: 1 | 2,
  bundleDir: string,
  options: ReferenceRunOptions = {},
): Promise<ReferenceResult> {
  const binary = referenceBinary(schemaVersion);
  if (binary === null) {
    throw new Error(
      `reference reducer ${REFERENCE_VERSIONS[schemaVersion]} for trace schema ${schemaVersion} is missing`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const home = await referenceHome();
  const outDir = await mkdtemp(path.join(os.tmpdir(), "rollout-trace-reference-"));
  const out = path.join(outDir, "state.json");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CODEX_HOME: path.join(home, ".codex"),
    LANG: "C.UTF-8",
  };
  const started = performance.now();
  try {
    const result = await runProcess(
      binary,
      ["debug", "trace-reduce", path.resolve(bundleDir), "-o", out],
      env,
      timeoutMs,
    );
    const durationMs = performance.now() - started;
    if (result.timedOut)
      return { ok: false, error: `reference reducer timed out after ${timeoutMs} ms`, durationMs };
    if (result.code !== 0) {
      const report = result.stderr.trim() !== "" ? result.stderr : result.stdout;
      const error = trimReferenceError(report);
      return {
        ok: false,
        error: error === "" ? `reference reducer exited with status ${result.code}` : error,
        durationMs,
      };
    }
    return { ok: true, state: await readFile(out, "utf8"), durationMs };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Reduces many bundles with limited parallelism; results are in the order of `bundleDirs`. */
export async function runReferenceBatch(
  schemaVersion: 1 | 2,
  bundleDirs: readonly string[],
  options: ReferenceBatchOptions = {},
): Promise<ReferenceResult[]> {
  const concurrency = Math.max(1, options.concurrency ?? Math.min(2, os.availableParallelism()));
  const results: ReferenceResult[] = new Array(bundleDirs.length);
  let next = 0;
  const worker = async () => {
    while (next < bundleDirs.length) {
      const index = next++;
      const dir = bundleDirs[index];
      if (dir === undefined) break;
      results[index] = await runReference(schemaVersion, dir, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bundleDirs.length) }, worker));
  return results;
}
