// The Node adapter: reads a bundle directory and feeds the pure replay, streaming trace.jsonl.
import fs from "node:fs";
import path from "node:path";
import { contextualize, ReplayError } from "../errors.ts";
import { decodeEvent, type TraceVersion } from "../events.ts";
import { JsonSyntaxError, parseJson } from "../json.ts";
import {
  decodeManifest,
  MANIFEST_FILE,
  Replay,
  type ReplayOutput,
  TRACE_LOG_FILE,
  type TraceManifestFields,
} from "../replay.ts";
import { readLines } from "./lines.ts";
import { describeIoError } from "./os-error.ts";
import { BundlePayloadReader } from "./payloads.ts";
import { PayloadPrefetcher } from "./prefetch.ts";

export interface ReplayProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly events: number;
}

export interface ReplayOptions {
  /**
   * Tolerate a torn last line or trailing garbage left by a crashed producer: replay stops at the last complete
   * event and the skipped tail is reported in `diagnostics` (and in the state's `replay_diagnostics` field).
   */
  readonly partial?: boolean;
  /** Called every few thousand events and at the end. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /**
   * Read payload files ahead of the replay on a worker thread. The default, `"auto"`, does so when trace.jsonl is
   * at least 8 MiB, where the worker's start-up cost pays for itself. The result is the same either way.
   */
  readonly prefetch?: boolean | "auto";
}

export interface ReplayDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface ReplayResult extends ReplayOutput {
  readonly diagnostics: readonly ReplayDiagnostic[];
}

const PROGRESS_EVERY = 4096;
const PREFETCH_MIN_LOG_BYTES = 8 * 1024 * 1024;

export function readBundleManifest(bundleDir: string): TraceManifestFields {
  const file = path.join(bundleDir, MANIFEST_FILE);
  const where = { file: MANIFEST_FILE };
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    // The reference reports an unreadable manifest with the bare I/O error; the location names the file.
    throw new ReplayError(describeIoError(error), [], where);
  }
  try {
    return decodeManifest(parseJson(text));
  } catch (error) {
    const wrapped = contextualize(`read ${file}`, error);
    wrapped.location = where;
    throw wrapped;
  }
}

/** Replays a bundle directory into its reduced state (synchronously). */
export function replayBundleSync(bundleDir: string, options: ReplayOptions = {}): ReplayResult {
  const run = startReplay(bundleDir, options);
  for (;;) if (run.step(Number.POSITIVE_INFINITY)) return run.result();
}

/** Replays a bundle directory into its reduced state, yielding to the event loop between batches of events. */
export async function replayBundle(bundleDir: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const run = startReplay(bundleDir, options);
  while (!run.step(PROGRESS_EVERY * 4)) await new Promise((resolve) => setImmediate(resolve));
  return run.result();
}

function startReplay(bundleDir: string, options: ReplayOptions) {
  const manifest = readBundleManifest(bundleDir);
  const traceFile = path.join(bundleDir, TRACE_LOG_FILE);
  const reader = new BundlePayloadReader(bundleDir);
  const replay = new Replay(manifest, reader.read, { traceFile: TRACE_LOG_FILE });
  let fd: number;
  try {
    fd = fs.openSync(traceFile, "r");
  } catch (error) {
    throw new ReplayError(`open trace event log ${traceFile}`, [describeIoError(error)], {
      file: TRACE_LOG_FILE,
    });
  }
  const totalBytes = fs.fstatSync(fd).size;
  const prefetch = options.prefetch ?? "auto";
  const prefetcher =
    prefetch === true || (prefetch === "auto" && totalBytes >= PREFETCH_MIN_LOG_BYTES)
      ? startPrefetcher()
      : undefined;
  if (prefetcher) reader.prefetchWith(prefetcher);
  const lines = readLines(
    fd,
    prefetcher && ((chunk, length) => prefetcher.prefetch(reader.filesNamedIn(chunk, length))),
  );
  const diagnostics: ReplayDiagnostic[] = [];
  let bytesRead = 0;
  let done = false;
  let closed = false;
  const close = () => {
    if (!closed) {
      fs.closeSync(fd);
      prefetcher?.stop();
    }
    closed = true;
  };
  const report = () => options.onProgress?.({ bytesRead, totalBytes, events: replay.eventCount });

  /** Applies up to `budget` lines; true when the log is exhausted. */
  const step = (budget: number): boolean => {
    try {
      for (let n = 0; n < budget; n++) {
        const next = lines.next();
        if (next.done) {
          done = true;
          close();
          report();
          return true;
        }
        const line = next.value;
        bytesRead = line.offset;
        if (line.text === null) {
          throw new ReplayError(
            `read trace event line ${line.number}`,
            ["stream did not contain valid UTF-8"],
            {
              file: TRACE_LOG_FILE,
              line: line.number,
            },
          );
        }
        try {
          replay.applyLine(line.text, line.number);
        } catch (error) {
          if (!options.partial || !isParseError(error) || !tailIsGarbage(lines, replay.version)) throw error;
          diagnostics.push({
            file: TRACE_LOG_FILE,
            line: line.number,
            message: `${line.terminated ? "unparseable trailing line" : "torn last line"} skipped: ${(error as ReplayError).causes[0] ?? ""}`,
          });
          done = true;
          close();
          report();
          return true;
        }
        if (replay.eventCount % PROGRESS_EVERY === 0) report();
      }
      return false;
    } catch (error) {
      close();
      throw error;
    }
  };

  const result = (): ReplayResult => {
    if (!done) throw new Error("replay has not finished");
    const output = replay.finish(diagnostics.length === 0 ? {} : { replay_diagnostics: diagnostics });
    return {
      schemaVersion: output.schemaVersion,
      eventCount: output.eventCount,
      diagnostics,
      get state() {
        return output.state;
      },
      serialize: output.serialize,
    };
  };
  return { step, result };
}

/** A prefetcher, or none where worker threads are unavailable (the replay then reads every file itself). */
function startPrefetcher(): PayloadPrefetcher | undefined {
  try {
    return new PayloadPrefetcher();
  } catch {
    return undefined;
  }
}

function isParseError(error: unknown): error is ReplayError {
  return error instanceof ReplayError && error.message.startsWith("parse trace event line ");
}

/** True when no line after a failed one is a well-formed event: the damage is a crash's tail, not a corrupt middle. */
function tailIsGarbage(lines: Generator<{ text: string | null }>, version: TraceVersion): boolean {
  for (const line of lines) {
    if (line.text === null || line.text.trim() === "") continue;
    try {
      decodeEvent(parseJson(line.text), version);
      return false;
    } catch (error) {
      if (!(error instanceof JsonSyntaxError) && !(error instanceof Error && error.name === "DecodeError"))
        throw error;
    }
  }
  return true;
}
