import { randomUUID } from "node:crypto";
import type { RolloutStatus } from "@rollout-trace/schema";
import { type BundleWriter, createRootBundleWriter, resolveTraceRoot } from "@rollout-trace/writer";
import { isObject, own } from "./checks.ts";
import { disabledSession } from "./disabled.ts";
import { errorMessage } from "./documents.ts";
import { TraceUsageError } from "./errors.ts";
import { NO_CONTEXT, Recorder } from "./recorder.ts";
import { type LiveThread, rootThreadFacts, startThread } from "./thread.ts";
import type { StartTraceOptions, ThreadTrace, TraceSession, TraceStats } from "./types.ts";

const WRITER_TUNING = [
  "mode",
  "fsync",
  "batchBytes",
  "flushIntervalMs",
  "maxPayloadBytes",
  "validate",
  "clock",
] as const;

function report(onError: ((error: Error) => void) | undefined, problem: string): void {
  try {
    onError?.(new TraceUsageError("startTrace", problem));
  } catch {
    // A failing handler must not turn tracing into an exception.
  }
}

/**
 * Starts recording a session. Tracing is on only with an explicit `root` (or `writer`), or when
 * `ROLLOUT_TRACE_ROOT` / `CODEX_ROLLOUT_TRACE_ROOT` is set; otherwise the returned session and every handle it
 * gives out do nothing. Writes `rollout_started` and the root thread's `thread_started`. Never throws.
 */
export function startTrace(options: StartTraceOptions): TraceSession {
  let onError: ((error: Error) => void) | undefined;
  let schemaVersion: 1 | 2 = 2;
  try {
    if (!isObject(options)) return disabledSession(2);
    const handler = own(options, "onError");
    onError = typeof handler === "function" ? (handler as (error: Error) => void) : undefined;
    schemaVersion = own(options, "schemaVersion") === 1 ? 1 : 2;
    const given = own(options, "writer") as BundleWriter | undefined;
    const root = own(options, "root");
    const traceRoot =
      given !== undefined
        ? null
        : typeof root === "string" && root !== ""
          ? root
          : resolveTraceRoot((own(options, "env") as NodeJS.ProcessEnv | undefined) ?? process.env);
    if (given === undefined && traceRoot === null) return disabledSession(schemaVersion);

    const rootOptions = own(options, "rootThread");
    if (!isObject(rootOptions)) {
      report(onError, "rootThread must be an object");
      return disabledSession(schemaVersion);
    }
    const requestedThreadId = own(rootOptions, "threadId");
    const threadId =
      requestedThreadId ?? (given !== undefined ? given.manifest.root_thread_id : undefined) ?? randomUUID();
    if (typeof threadId !== "string" || threadId === "") {
      report(onError, "rootThread.threadId must be a non-empty string");
      return disabledSession(schemaVersion);
    }
    const facts = rootThreadFacts(rootOptions as unknown as StartTraceOptions["rootThread"], threadId);
    if (typeof facts === "string") {
      report(onError, facts);
      return disabledSession(schemaVersion);
    }
    const writer = given ?? createWriter(options, traceRoot as string, threadId, schemaVersion, onError);
    if (writer === null || writer.state !== "open")
      return disabledSession(writer?.schemaVersion ?? schemaVersion);
    if (writer.manifest.root_thread_id !== threadId) {
      report(onError, "rootThread.threadId differs from the writer's root thread");
      return disabledSession(writer.schemaVersion);
    }
    const clock = own(options, "clock");
    const recorder = new Recorder(
      writer,
      typeof clock === "function" ? (clock as () => number) : Date.now,
      onError,
    );
    recorder.append(
      { type: "rollout_started", trace_id: writer.manifest.trace_id, root_thread_id: threadId },
      NO_CONTEXT,
    );
    const rootThread = startThread(recorder, facts, null);
    return new LiveSession(recorder, rootThread);
  } catch (error) {
    report(onError, `tracing could not start: ${errorMessage(error)}`);
    return disabledSession(schemaVersion);
  }
}

function createWriter(
  options: StartTraceOptions,
  traceRoot: string,
  rootThreadId: string,
  schemaVersion: 1 | 2,
  onError: ((error: Error) => void) | undefined,
): BundleWriter | null {
  const tuning: Record<string, unknown> = {};
  for (const key of WRITER_TUNING) {
    const value = own(options, key);
    if (value !== undefined) tuning[key] = value;
  }
  const traceId = own(options, "traceId");
  return createRootBundleWriter({
    ...tuning,
    root: traceRoot,
    rootThreadId,
    schemaVersion,
    ...(typeof traceId === "string" ? { traceId } : {}),
    ...(onError === undefined ? {} : { onError }),
  });
}

class LiveSession implements TraceSession {
  readonly enabled = true;
  readonly schemaVersion: 1 | 2;
  readonly bundleDir: string;
  readonly traceId: string;
  readonly root: ThreadTrace;
  readonly #recorder: Recorder;

  constructor(recorder: Recorder, root: LiveThread) {
    this.#recorder = recorder;
    this.root = root;
    this.schemaVersion = recorder.schemaVersion;
    this.bundleDir = recorder.writer.dir;
    this.traceId = recorder.writer.manifest.trace_id;
  }

  end(status: RolloutStatus = "completed"): Promise<void> {
    this.root.end(status);
    return this.close();
  }

  close(): Promise<void> {
    this.closeSync();
    return Promise.resolve();
  }

  closeSync(): void {
    if (!this.#recorder.open) return;
    // Handles stop recording first: the writer's closing `recording_completed` must be the last event.
    this.#recorder.open = false;
    this.#recorder.writer.closeSync();
  }

  flush(): void {
    this.#recorder.writer.flush();
  }

  stats(): TraceStats {
    return this.#recorder.stats();
  }
}
