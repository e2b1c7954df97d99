// Runs the real executable (bin/rollout-trace.js over the built dist), as a user would, with or without a terminal.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = path.resolve(here, "..");
export const REPOSITORY_ROOT = path.resolve(PACKAGE_DIR, "..", "..");
export const BIN = path.join(PACKAGE_DIR, "bin", "rollout-trace.js");
export const RECORDED_DIR = path.join(REPOSITORY_ROOT, "packages", "reducer", "test", "fixtures", "recorded");
export const SHARED_DIR = path.resolve(REPOSITORY_ROOT, "..", "shared");

if (!fs.existsSync(path.join(PACKAGE_DIR, "dist", "index.mjs"))) {
  throw new Error(
    "packages/cli/dist is missing: build first (`npx tsdown` in packages/cli; turbo does it before tests)",
  );
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a plain, non-interactive run: no colour variables from the caller's shell. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["NO_COLOR", "FORCE_COLOR", "CI", "COLUMNS"]) delete env[name];
  return { ...env, TERM: "xterm-256color", ...extra };
}

export function run(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPOSITORY_ROOT,
    env: baseEnv(options.env ?? {}),
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** util-linux `script` gives the command a real pseudo-terminal on stdin, stdout and stderr. */
export const scriptAvailable = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

/** Runs under a pseudo-terminal; stdout and stderr arrive merged, with the terminal's \r\n line ends. */
export function runInTerminal(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd: REPOSITORY_ROOT,
    env: baseEnv(env),
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const temporaryDirs: string[] = [];

export function tempDir(prefix = "rt-cli-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of temporaryDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A copy of a recorded bundle without its state.json, so a test can write one. */
export function copyRecorded(version: 1 | 2 | "rejected/v1", scenario: string): string {
  const source = path.join(RECORDED_DIR, typeof version === "number" ? `v${version}` : version, scenario);
  const target = path.join(tempDir(), scenario);
  fs.cpSync(source, target, { recursive: true });
  fs.rmSync(path.join(target, "state.json"), { force: true });
  return target;
}

export function recordedState(version: 1 | 2, scenario: string): string {
  return fs.readFileSync(path.join(RECORDED_DIR, `v${version}`, scenario, "state.json"), "utf8");
}

export const ESC = "\u001b";

/** One of our own colour sequences (SGR), the only escape sequences the CLI may print. */
export const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);

export function stripSgr(text: string): string {
  return text.replace(new RegExp(SGR.source, "g"), "");
}

/**
 * Characters a terminal acts on or that reorder text: C0 controls (newline aside), DEL, C1 controls, line and
 * paragraph separators, bidirectional embeddings, overrides and isolates.
 */
export function unsafeCharacters(text: string): string[] {
  return Array.from(text).filter((character) => {
    const code = character.codePointAt(0) ?? 0;
    return (
      (code < 0x20 && code !== 0x0a) ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });
}
