import fs from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import type {
  RawPayloadKindName,
  RawPayloadRef,
  RawTraceEvent,
  RawTraceEventPayload,
  TraceManifest,
} from "@rollout-trace/schema";
import { BundleWriterError, type BundleWriterErrorReason, describeError } from "./errors.ts";
import { createEventStream, type EventStreamTarget } from "./event-stream.ts";
import { type ExitFlushable, flushOnExit, stopFlushingOnExit } from "./exit-flush.ts";
import {
  appendLines,
  bytesWrittenBefore,
  closeQuietly,
  removeEmptyDirectory,
  syncDirectory,
  truncateTornTail,
  truncateTornTailAt,
  unlinkQuietly,
  writeText,
} from "./files.ts";
import { readSettings, type WriterSettings } from "./options.ts";
import { isPayloadKind } from "./payload-kinds.ts";
import { placeholderDocument } from "./placeholder.ts";
import type { BundleWriter, BundleWriterOptions, EventContext, WriterState, WriterStats } from "./types.ts";
import { type EventValidator, loadEventValidator } from "./validation.ts";

const MANIFEST_FILE = "manifest.json";
const EVENT_LOG_FILE = "trace.jsonl";
const PAYLOADS_DIR = "payloads";
// Payloads are written here, then renamed into payloads/. Creating files in this small directory instead of the
// large payloads/ one takes about half the cost of the rename off each payload.
const PAYLOAD_STAGING_DIR = ".tmp";
const CLOSE_BRACE = 0x7d;
// Largest valid JavaScript Date, in ms: anything beyond is not a wall-clock reading.
const MAX_WALL_TIME_MS = 8.64e15;

/** Creates the bundle and returns its writer. Never throws: a failure yields a writer in state `"failed"`. */
export function createBundleWriter(options: BundleWriterOptions): BundleWriter {
  return new TraceBundleWriter(options);
}

function wallTime(clock: () => number): number {
  const now = clock();
  // The reference clamps a clock before the epoch to 0; NaN and other non-times get the same treatment.
  return now > 0 && now <= MAX_WALL_TIME_MS ? Math.floor(now) : 0;
}

/** What can still be read from options that failed validation, to describe and report the failed writer. */
function salvageOptions(options: BundleWriterOptions): {
  schemaVersion: 1 | 2;
  dir: string;
  onError: ((error: Error) => void) | undefined;
} {
  try {
    return {
      schemaVersion: options.schemaVersion === 1 ? 1 : 2,
      dir: typeof options.dir === "string" ? path.resolve(options.dir) : "",
      onError: typeof options.onError === "function" ? options.onError : undefined,
    };
  } catch {
    // Not an object, or one whose properties throw: nothing to salvage.
    return { schemaVersion: 2, dir: "", onError: undefined };
  }
}

function contextId(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : undefined;
}

class TraceBundleWriter implements BundleWriter, EventStreamTarget, ExitFlushable {
  readonly dir: string;
  readonly manifest: TraceManifest;
  readonly schemaVersion: 1 | 2;

  #state: WriterState = "open";
  #settings: WriterSettings | undefined;
  #fd = -1;
  #logPath = "";
  #payloadsDir = "";
  #stagingDir = "";
  #clock: () => number = Date.now;
  #rolloutId = "";
  #maxPayloadBytes = 0;
  #fsync: WriterSettings["fsync"] = "never";
  #validator: EventValidator | null = null;

  #seq = 0;
  #payloadOrdinal = 0;
  #buffered = false;
  #batchBytes = 0;
  #buffer = "";
  #bufferedEvents = 0;
  #logUnsynced = false;
  #payloadDirUnsynced = false;
  #timer: NodeJS.Timeout | undefined;
  #refusalReported = false;
  readonly #stats: WriterStats = { events: 0, payloads: 0, bytes: 0, dropped: 0, errors: 0, omitted: 0 };

  constructor(options: BundleWriterOptions) {
    let settings: WriterSettings | undefined;
    let problem: BundleWriterError | undefined;
    try {
      settings = readSettings(options);
    } catch (error) {
      problem =
        error instanceof BundleWriterError
          ? error
          : new BundleWriterError(
              "invalid_argument",
              `options could not be read: ${describeError(error)}`,
              error,
            );
    }
    const fallback = settings === undefined ? salvageOptions(options) : undefined;
    this.schemaVersion = settings?.schemaVersion ?? fallback?.schemaVersion ?? 2;
    this.dir = settings?.dir ?? fallback?.dir ?? "";
    this.manifest = Object.freeze({
      schema_version: this.schemaVersion,
      trace_id: settings?.traceId ?? "",
      rollout_id: settings?.rolloutId ?? "",
      root_thread_id: settings?.rootThreadId ?? "",
      started_at_unix_ms: settings ? wallTime(settings.clock) : 0,
      raw_event_log: EVENT_LOG_FILE,
      payloads_dir: PAYLOADS_DIR,
    }) as TraceManifest;
    if (settings === undefined) {
      this.#state = "failed";
      this.#stats.errors++;
      this.#notify(problem!, fallback?.onError);
      return;
    }
    this.#settings = settings;
    this.#configure(settings);
    if (settings.validate) {
      try {
        this.#validator = loadEventValidator(settings.schemaVersion);
      } catch (error) {
        this.#state = "failed";
        this.#stats.errors++;
        const message = `validate: true needs @rollout-trace/schema/validate: ${describeError(error)}`;
        this.#notify(new BundleWriterError("invalid_argument", message, error), settings.onError);
        return;
      }
    }
    this.#createBundle();
  }

  get state(): WriterState {
    return this.#state;
  }

  #configure(settings: WriterSettings): void {
    this.#clock = settings.clock;
    this.#rolloutId = settings.rolloutId;
    this.#maxPayloadBytes = settings.maxPayloadBytes;
    this.#fsync = settings.fsync;
    this.#buffered = settings.mode === "batched" && settings.fsync !== "event";
    this.#batchBytes = settings.batchBytes;
    this.#logPath = path.join(this.dir, EVENT_LOG_FILE);
    this.#payloadsDir = path.join(this.dir, PAYLOADS_DIR);
    this.#stagingDir = path.join(this.#payloadsDir, PAYLOAD_STAGING_DIR);
  }

  #createBundle(): void {
    let step = `create ${this.#stagingDir}`;
    try {
      fs.mkdirSync(this.#stagingDir, { recursive: true });
      const manifestPath = path.join(this.dir, MANIFEST_FILE);
      step = `create ${manifestPath}`;
      // Exclusive create: writing into an existing bundle would restart seq at 1 and make it unreplayable.
      const manifestFd = fs.openSync(manifestPath, "wx");
      try {
        const manifest = JSON.stringify(this.manifest, null, 2);
        writeText(manifestFd, manifest, Buffer.byteLength(manifest, "utf8"));
      } finally {
        fs.closeSync(manifestFd);
      }
      step = `open trace event log ${this.#logPath}`;
      // Read access too, so a torn last line can be found and cut after a failed write.
      this.#fd = fs.openSync(this.#logPath, "a+");
    } catch (error) {
      this.#failIo(step, error, false);
      return;
    }
    if (this.#buffered || this.#fsync === "batch") flushOnExit(this);
  }

  writePayload(kind: RawPayloadKindName, value: unknown): RawPayloadRef | null {
    if (this.#state !== "open") {
      this.#stats.dropped++;
      return null;
    }
    // Consumed even when the write fails, like the reference: ordinals may have gaps, never repeats.
    const ordinal = ++this.#payloadOrdinal;
    try {
      return this.#writePayloadFile(ordinal, kind, value);
    } catch (error) {
      // A value the checks above cannot vouch for, such as a kind object whose toString throws.
      return this.#refuse("invalid_argument", `payload ${ordinal} was not written`, error);
    }
  }

  #writePayloadFile(ordinal: number, kind: RawPayloadKindName, value: unknown): RawPayloadRef | null {
    if (!isPayloadKind(kind)) {
      return this.#refuse("invalid_argument", `unknown payload kind ${JSON.stringify(String(kind))}`);
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value, null, 2);
    } catch (error) {
      return this.#refuse(
        "unserializable",
        `${kind} payload is not serializable: ${describeError(error)}`,
        error,
      );
    }
    if (text === undefined) return this.#refuse("unserializable", `${kind} payload has no JSON form`);
    let bytes = Buffer.byteLength(text, "utf8");
    if (bytes > this.#maxPayloadBytes) {
      text = JSON.stringify(placeholderDocument(kind, text, bytes, this.#maxPayloadBytes), null, 2);
      bytes = Buffer.byteLength(text, "utf8");
      this.#stats.omitted++;
    }
    const finalPath = `${this.#payloadsDir}/${ordinal}.json`;
    // Written under a temporary name and renamed, so the final name only ever holds a complete document.
    const tempPath = `${this.#stagingDir}/${ordinal}.json`;
    let fd = -1;
    try {
      fd = fs.openSync(tempPath, "wx");
      this.#stats.bytes += writeText(fd, text, bytes);
      if (this.#fsync !== "never") fs.fdatasyncSync(fd);
      fs.closeSync(fd);
      fd = -1;
      fs.renameSync(tempPath, finalPath);
      if (this.#fsync === "event") syncDirectory(this.#payloadsDir);
      else if (this.#fsync === "batch") this.#payloadDirUnsynced = true;
    } catch (error) {
      if (fd !== -1) closeQuietly(fd);
      unlinkQuietly(tempPath);
      this.#stats.dropped++;
      this.#failIo(`write ${PAYLOADS_DIR}/${ordinal}.json`, error, false);
      return null;
    }
    this.#stats.payloads++;
    return {
      raw_payload_id: `raw_payload:${ordinal}`,
      kind: { type: kind },
      path: `${PAYLOADS_DIR}/${ordinal}.json`,
    } as RawPayloadRef;
  }

  append(payload: RawTraceEventPayload, context?: EventContext): RawTraceEvent | null {
    if (this.#state !== "open") {
      this.#stats.dropped++;
      return null;
    }
    try {
      return this.#appendEvent(payload, context);
    } catch (error) {
      // A throwing getter on the payload or context, or a throwing injected clock.
      return this.#refuse("invalid_argument", "event was not appended", error);
    }
  }

  appendChunk(chunk: unknown): void {
    if (this.#state !== "open") {
      this.#stats.dropped++;
      return;
    }
    let payload: unknown;
    let context: unknown;
    try {
      if (typeof chunk === "object" && chunk !== null && "payload" in chunk) {
        ({ payload, context } = chunk as { payload: unknown; context?: unknown });
      }
    } catch (error) {
      this.#refuse("invalid_argument", "stream chunk could not be read", error);
      return;
    }
    if (payload === undefined) {
      this.#refuse("invalid_argument", "stream chunks must be objects of the form { payload, context? }");
      return;
    }
    this.append(payload as RawTraceEventPayload, context as EventContext | undefined);
  }

  #appendEvent(payload: RawTraceEventPayload, context: EventContext | undefined): RawTraceEvent | null {
    const threadId = contextId(context?.threadId);
    const codexTurnId = contextId(context?.codexTurnId);
    if (threadId === undefined || codexTurnId === undefined) {
      return this.#refuse("invalid_argument", "threadId and codexTurnId must be strings, null or absent");
    }
    const seq = this.#seq + 1;
    // Key order is the envelope order of the spec, so serializing this object yields the line itself.
    const event = {
      schema_version: this.schemaVersion,
      seq,
      wall_time_unix_ms: wallTime(this.#clock),
      rollout_id: this.#rolloutId,
      thread_id: threadId,
      codex_turn_id: codexTurnId,
      payload,
    } as RawTraceEvent;
    if (this.#validator !== null && !this.#validator.check(event)) return this.#refuseInvalid(event);
    let line: string;
    try {
      line = JSON.stringify(event);
    } catch (error) {
      return this.#refuse(
        "unserializable",
        `event payload is not serializable: ${describeError(error)}`,
        error,
      );
    }
    // An object payload makes the line end in "}}"; anything else (array, string, undefined) does not.
    if (line.charCodeAt(line.length - 2) !== CLOSE_BRACE) {
      return this.#refuse("unserializable", "event payload must serialize to a JSON object");
    }
    if ((payload as { type?: unknown }).type === "recording_completed") {
      return this.#refuse("invalid_event", "recording_completed is written by close(), not appended");
    }
    if (!this.#commitLine(`${line}\n`)) return null;
    this.#seq = seq;
    return event;
  }

  #refuseInvalid(event: RawTraceEvent): null {
    const validator = this.#validator!;
    const issues = validator.errors(event).slice(0, 3);
    const type = (event.payload as { type?: unknown } | null)?.type;
    const where = issues.map((issue) => `${issue.path || "/"}: ${issue.message}`).join("; ");
    return this.#refuse("invalid_event", `${JSON.stringify(type ?? null)} event failed validation: ${where}`);
  }

  /** Hands one line to the log (or the batch buffer); false when the writer failed on the way. */
  #commitLine(line: string): boolean {
    this.#stats.events++;
    if (this.#buffered) {
      if (this.#buffer.length === 0 && this.#timer === undefined) this.#armTimer();
      this.#buffer += line;
      this.#bufferedEvents++;
      return this.#buffer.length < this.#batchBytes || this.#flushBuffer();
    }
    if (!this.#writeLog(line, 1)) return false;
    if (this.#fsync === "event") return this.#syncLog();
    if (this.#fsync === "batch" && this.#timer === undefined) this.#armTimer();
    return true;
  }

  #flushBuffer(): boolean {
    if (this.#buffer.length === 0) return true;
    const text = this.#buffer;
    const events = this.#bufferedEvents;
    this.#buffer = "";
    this.#bufferedEvents = 0;
    if (!this.#writeLog(text, events)) return false;
    return this.#fsync === "never" || this.#syncLog();
  }

  #writeLog(text: string, events: number): boolean {
    try {
      this.#stats.bytes += appendLines(this.#fd, text);
    } catch (error) {
      this.#stats.bytes += bytesWrittenBefore(error);
      this.#stats.events -= events;
      this.#stats.dropped += events;
      this.#failIo(`append to ${EVENT_LOG_FILE}`, error, true);
      return false;
    }
    this.#logUnsynced = true;
    return true;
  }

  #syncLog(): boolean {
    try {
      // Payload names first: an event made durable must not reference a payload that is not.
      if (this.#payloadDirUnsynced) {
        syncDirectory(this.#payloadsDir);
        this.#payloadDirUnsynced = false;
      }
      fs.fdatasyncSync(this.#fd);
    } catch (error) {
      this.#failIo(`fsync ${EVENT_LOG_FILE}`, error, false);
      return false;
    }
    this.#logUnsynced = false;
    return true;
  }

  #armTimer(): void {
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#settings!.flushIntervalMs);
    // The trace must never keep the producer alive; the exit hook catches what the timer does not.
    timer.unref();
    this.#timer = timer;
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  flush(): void {
    if (this.#state !== "open") return;
    try {
      this.#clearTimer();
      if (!this.#flushBuffer()) return;
      if (this.#fsync !== "never" && (this.#logUnsynced || this.#payloadDirUnsynced)) this.#syncLog();
    } catch (error) {
      this.#failIo("flush", error, false);
    }
  }

  flushBeforeExit(): void {
    this.flush();
  }

  close(): Promise<void> {
    this.closeSync();
    return Promise.resolve();
  }

  closeSync(): void {
    if (this.#state !== "open") return;
    try {
      if (this.schemaVersion === 2) this.#appendRecordingCompleted();
      if (this.#state !== "open") return;
      this.flush();
      if (this.#state !== "open") return;
      // Appending to a deleted log succeeds silently; say so once rather than report a bundle that is gone.
      if (fs.fstatSync(this.#fd).nlink === 0) {
        this.#failIo(
          `close ${EVENT_LOG_FILE}`,
          new Error("the event log was deleted while recording"),
          false,
        );
        return;
      }
    } catch (error) {
      this.#failIo(`close ${EVENT_LOG_FILE}`, error, false);
      return;
    }
    this.#state = "closed";
    this.#release();
  }

  /** Schema 2 marks a complete recording with a last, context-free `recording_completed` event. */
  #appendRecordingCompleted(): void {
    const seq = this.#seq + 1;
    const event = {
      schema_version: this.schemaVersion,
      seq,
      wall_time_unix_ms: wallTime(this.#clock),
      rollout_id: this.#rolloutId,
      thread_id: null,
      codex_turn_id: null,
      payload: { type: "recording_completed" },
    };
    if (this.#commitLine(`${JSON.stringify(event)}\n`)) this.#seq = seq;
  }

  stats(): WriterStats {
    return { ...this.#stats };
  }

  createStream(): Writable {
    return createEventStream(this);
  }

  #refuse(reason: BundleWriterErrorReason, message: string, cause?: unknown): null {
    this.#stats.errors++;
    if (!this.#refusalReported) {
      this.#refusalReported = true;
      this.#notify(new BundleWriterError(reason, message, cause), this.#settings?.onError);
    }
    return null;
  }

  /**
   * Stops the writer after an I/O failure, leaving what is on disk replayable: buffered lines (which only reference
   * payloads already written) are still pushed out when the log itself is fine, and a torn last line is cut off.
   */
  #failIo(operation: string, error: unknown, logMayBeTorn: boolean): void {
    if (this.#state !== "open") return;
    this.#state = "failed";
    this.#stats.errors++;
    let tornLog = logMayBeTorn;
    if (!tornLog && this.#buffer.length > 0) {
      try {
        this.#stats.bytes += appendLines(this.#fd, this.#buffer);
        this.#bufferedEvents = 0;
      } catch (flushError) {
        this.#stats.bytes += bytesWrittenBefore(flushError);
        tornLog = true;
      }
    }
    this.#stats.events -= this.#bufferedEvents;
    this.#stats.dropped += this.#bufferedEvents;
    this.#buffer = "";
    this.#bufferedEvents = 0;
    if (tornLog && this.#fd !== -1 && !truncateTornTail(this.#fd)) truncateTornTailAt(this.#logPath);
    this.#release();
    const message = `${operation} failed: ${describeError(error)}`;
    this.#notify(new BundleWriterError("io", message, error), this.#settings?.onError);
  }

  #release(): void {
    this.#clearTimer();
    stopFlushingOnExit(this);
    if (this.#fd !== -1) closeQuietly(this.#fd);
    this.#fd = -1;
    removeEmptyDirectory(this.#stagingDir);
  }

  #notify(error: BundleWriterError, onError: ((error: Error) => void) | undefined): void {
    if (onError === undefined) return;
    try {
      onError(error);
    } catch {
      // The producer's handler failing must not turn into an exception in the producer.
    }
  }
}
