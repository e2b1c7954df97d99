// The reference reducers: the real Codex binaries, run as `codex debug trace-reduce <bundle> -o <out>`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TraceVersion } from "./builder.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The Codex release whose reducer defines each trace schema. */
export const REFERENCE_RELEASES: Record<TraceVersion, string> = { 1: "0.144.6", 2: "0.169.0" };

export function referenceBinary(version: TraceVersion): string {
  return path.join(repoRoot, ".cache", "reference", REFERENCE_RELEASES[version], "codex");
}

export function referenceAvailable(version: TraceVersion): boolean {
  try {
    fs.accessSync(referenceBinary(version), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type ReferenceOutcome =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string; readonly causes: string[]; readonly output: string };

/**
 * Runs the reference reducer on a bundle directory. `home` must be a fresh directory outside the system temp
 * directory (the binary keeps state under `$HOME/.codex`).
 */
export function runReference(version: TraceVersion, bundleDir: string, home: string): ReferenceOutcome {
  const out = path.join(path.dirname(bundleDir), `${path.basename(bundleDir)}.state.json`);
  const run = spawnSync(referenceBinary(version), ["debug", "trace-reduce", bundleDir, "-o", out], {
    env: { PATH: process.env.PATH ?? "", HOME: home },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  if (run.status === 0) return { ok: true, text: fs.readFileSync(out, "utf8") };
  return { ok: false, ...parseAnyhowReport(run.stderr), output: `${run.stdout}${run.stderr}` };
}

/**
 * Splits an anyhow report (`Error: <message>`, then an optional `Caused by:` list, then the backtrace) into the
 * message and the cause chain.
 */
export function parseAnyhowReport(stderr: string): { message: string; causes: string[] } {
  const lines = stderr.split("\n");
  const start = lines.findIndex((line) => line.startsWith("Error: "));
  if (start === -1) return { message: stderr.trim(), causes: [] };
  const messageLines = [lines[start]!.slice("Error: ".length)];
  let i = start + 1;
  while (i < lines.length && lines[i] !== "") messageLines.push(lines[i++]!);
  const causes: string[] = [];
  while (i < lines.length && lines[i] === "") i++;
  if (lines[i] === "Caused by:") {
    for (i++; i < lines.length && lines[i] !== ""; i++) {
      causes.push(lines[i]!.replace(/^\s+(?:\d+: )?/, ""));
    }
  }
  return { message: messageLines.join("\n"), causes };
}
