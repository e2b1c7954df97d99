import path from "node:path";
import { BundleWriterError } from "./errors.ts";
import type { BundleWriterOptions } from "./types.ts";

const DEFAULT_BATCH_BYTES = 64 * 1024;
const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
// setTimeout clamps longer delays to 1 ms, which would turn a lazy timer into a busy one.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options after defaults, with every value checked. */
export interface WriterSettings {
  readonly dir: string;
  readonly traceId: string;
  readonly rolloutId: string;
  readonly rootThreadId: string;
  readonly schemaVersion: 1 | 2;
  readonly mode: "sync" | "batched";
  readonly fsync: "never" | "batch" | "event";
  readonly batchBytes: number;
  readonly flushIntervalMs: number;
  readonly maxPayloadBytes: number;
  readonly validate: boolean;
  readonly onError: ((error: Error) => void) | undefined;
  readonly clock: () => number;
}

function invalid(message: string): BundleWriterError {
  return new BundleWriterError("invalid_argument", message);
}

function requireId(options: BundleWriterOptions, key: "traceId" | "rolloutId" | "rootThreadId"): string {
  const value: unknown = options[key];
  if (typeof value !== "string" || value.length === 0) throw invalid(`${key} must be a non-empty string`);
  return value;
}

function oneOf<T extends string | number>(
  key: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw invalid(`${key} must be one of ${allowed.join(", ")}`);
  return value as T;
}

function positive(key: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || value > max) {
    throw invalid(`${key} must be a number between 0 (exclusive) and ${max}`);
  }
  return value;
}

/** Applies the defaults; throws a {@link BundleWriterError} (`invalid_argument`) naming the first bad option. */
export function readSettings(options: BundleWriterOptions): WriterSettings {
  if (typeof options !== "object" || options === null) throw invalid("options must be an object");
  if (typeof options.dir !== "string" || options.dir.length === 0)
    throw invalid("dir must be a non-empty string");
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw invalid("onError must be a function");
  }
  if (options.clock !== undefined && typeof options.clock !== "function")
    throw invalid("clock must be a function");
  return {
    dir: path.resolve(options.dir),
    traceId: requireId(options, "traceId"),
    rolloutId: requireId(options, "rolloutId"),
    rootThreadId: requireId(options, "rootThreadId"),
    schemaVersion: oneOf("schemaVersion", options.schemaVersion, [1, 2] as const, 2),
    mode: oneOf("mode", options.mode, ["sync", "batched"] as const, "sync"),
    fsync: oneOf("fsync", options.fsync, ["never", "batch", "event"] as const, "never"),
    batchBytes: positive("batchBytes", options.batchBytes, DEFAULT_BATCH_BYTES),
    flushIntervalMs: positive(
      "flushIntervalMs",
      options.flushIntervalMs,
      DEFAULT_FLUSH_INTERVAL_MS,
      MAX_TIMER_MS,
    ),
    maxPayloadBytes: positive("maxPayloadBytes", options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES),
    validate: options.validate === true,
    onError: options.onError,
    clock: options.clock ?? Date.now,
  };
}
