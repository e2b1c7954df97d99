import { randomUUID } from "node:crypto";
import path from "node:path";
import { createBundleWriter } from "./bundle-writer.ts";
import type { BundleWriter, BundleWriterOptions } from "./types.ts";

/** Our variable naming the directory under which each session gets its bundle. Checked first. */
export const TRACE_ROOT_ENV = "ROLLOUT_TRACE_ROOT";
/** The variable Codex itself reads; honoured so one setting traces both. */
export const CODEX_TRACE_ROOT_ENV = "CODEX_ROLLOUT_TRACE_ROOT";

/**
 * The trace root from the environment: `ROLLOUT_TRACE_ROOT`, else `CODEX_ROLLOUT_TRACE_ROOT`, as an absolute path.
 * Unset or blank means tracing is off (null).
 */
export function resolveTraceRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const name of [TRACE_ROOT_ENV, CODEX_TRACE_ROOT_ENV]) {
    const value = env[name];
    if (typeof value === "string" && value.trim() !== "") return path.resolve(value);
  }
  return null;
}

// Ids become one path segment: anything that could separate, hide or traverse segments is percent-encoded.
// Codex ids (UUIDs, thread ids) contain none of these, so their names match Codex's exactly.
const UNSAFE_NAME_CHARACTERS = /[^A-Za-z0-9._~-]/g;

function nameSegment(id: string): string {
  return id.replace(UNSAFE_NAME_CHARACTERS, (character) =>
    Array.from(
      Buffer.from(character, "utf8"),
      (byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    ).join(""),
  );
}

/** `trace-<trace_id>-<root_thread_id>`, with any character unsafe in a file name percent-encoded. */
export function bundleDirectoryName(traceId: string, rootThreadId: string): string {
  return `trace-${nameSegment(String(traceId))}-${nameSegment(String(rootThreadId))}`;
}

export type RootBundleWriterOptions = Omit<BundleWriterOptions, "dir" | "traceId" | "rolloutId"> & {
  /** Trace root; defaults to {@link resolveTraceRoot} of `env`. */
  root?: string;
  /** Environment to read the root from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Defaults to a fresh UUID v4. */
  traceId?: string;
  /** Defaults to `rootThreadId`, as Codex does. */
  rolloutId?: string;
};

/**
 * Starts a new bundle `trace-<traceId>-<rootThreadId>` under the trace root, the way Codex does for each root
 * session. Returns null when tracing is off (no `root` and no root variable set). Never throws.
 */
export function createRootBundleWriter(options: RootBundleWriterOptions): BundleWriter | null {
  const { root, env, traceId, rolloutId, ...rest } = options ?? ({} as RootBundleWriterOptions);
  const traceRoot = root !== undefined && root !== "" ? path.resolve(String(root)) : resolveTraceRoot(env);
  if (traceRoot === null) return null;
  const bundleTraceId = traceId ?? randomUUID();
  return createBundleWriter({
    ...rest,
    dir: path.join(traceRoot, bundleDirectoryName(bundleTraceId, rest.rootThreadId)),
    traceId: bundleTraceId,
    rolloutId: rolloutId ?? rest.rootThreadId,
  });
}
