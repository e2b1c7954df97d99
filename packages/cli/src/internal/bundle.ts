// Shared by the commands that read a bundle: a clear message for a path that is not one, and a replay that shows
// progress on a terminal.
import fs from "node:fs";
import { type ReplayResult, replayBundle } from "@rollout-trace/reducer";
import { CliError } from "./errors.ts";
import { startProgress } from "./progress.ts";
import type { Terminal } from "./terminal.ts";

/** Fails with a readable message unless `dir` is a directory. */
export function requireDirectory(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    const reason =
      (error as { code?: string }).code === "ENOENT" ? "no such file or directory" : String(error);
    throw new CliError(`cannot open bundle ${dir}: ${reason}`);
  }
  if (!stat.isDirectory())
    throw new CliError(
      `${dir} is not a directory: a bundle is a directory holding manifest.json and trace.jsonl`,
    );
}

/** Replays a bundle in memory; ReplayError propagates to the top-level handler. */
export async function reduceBundle(terminal: Terminal, dir: string, partial: boolean): Promise<ReplayResult> {
  requireDirectory(dir);
  const progress = startProgress(terminal, "reducing");
  try {
    return await replayBundle(dir, { partial, onProgress: (update) => progress.update(update) });
  } finally {
    progress.stop();
  }
}
