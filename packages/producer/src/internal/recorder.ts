import type { RawPayloadKindName, RawPayloadRef, RawTraceEventPayload } from "@rollout-trace/schema";
import type { BundleWriter, EventContext } from "@rollout-trace/writer";
import { TraceUsageError } from "./errors.ts";
import type { Lazy, TraceStats } from "./types.ts";

/** Envelope of events that belong to no thread (rollout, thread lifecycle, breadcrumbs, MCP correlation). */
export const NO_CONTEXT: EventContext = Object.freeze({});

/** Returned by {@link Recorder.resolve} when building a lazy argument threw. */
export const UNRESOLVED: unique symbol = Symbol("unresolved");

/** What the recorder knows about each thread of the bundle, for the checks that span threads. */
export interface ThreadRecord {
  readonly threadId: string;
  readonly agentPath: string;
  /** Runtime code-cell handles started in this thread (the reducer maps them per thread). */
  readonly runtimeCells: Set<string>;
  /** The inference call that last set the model-visible snapshot, and whether anything was appended since. */
  snapshotCall: string | null;
  snapshotExtended: boolean;
  /** The response an incremental request may continue: the last snapshot is exactly its request plus output. */
  incrementalBase: string | null;
  readonly tracedResponses: Set<string>;
  /** Responses item ids this thread accepted into its history (schema 2): each is accepted once. */
  readonly acceptedIds: Set<string>;
}

/**
 * State shared by every handle of one session: the writer, the counters, and the registries of ids the reducers
 * require to be unique or consistent across the bundle.
 */
export class Recorder {
  readonly writer: BundleWriter;
  readonly schemaVersion: 1 | 2;
  readonly clock: () => number;
  open = true;
  readonly counters = { refused: 0, repeated: 0, suppressed: 0, late: 0 };
  readonly threads = new Map<string, ThreadRecord>();
  readonly turnIds = new Set<string>();
  readonly toolCallIds = new Set<string>();
  /** Model-visible call ids are looked up across all threads by the reducers. */
  readonly modelCallIds = new Set<string>();
  /** `code_cell:<call id>` is global too. */
  readonly codeCellCallIds = new Set<string>();
  readonly compactionIds = new Set<string>();
  /** Terminal sessions are keyed by process id; a process belongs to one thread. */
  readonly processThreads = new Map<string, string>();
  /** Interaction edge ids already driven by a recorded event (a second, different sighting would conflict). */
  readonly edgeIds = new Set<string>();
  readonly #onError: ((error: Error) => void) | undefined;
  #reported = false;

  constructor(writer: BundleWriter, clock: () => number, onError: ((error: Error) => void) | undefined) {
    this.writer = writer;
    this.schemaVersion = writer.schemaVersion;
    this.clock = clock;
    this.#onError = onError;
  }

  /** The gate every call passes: false (and counted) after the session closed or when its start was not recorded. */
  admits(recorded: boolean): boolean {
    if (!this.open) {
      this.counters.late++;
      return false;
    }
    if (!recorded) {
      this.counters.suppressed++;
      return false;
    }
    return true;
  }

  /** Counts a refused call and reports the first one: a refusal is a producer bug worth one log line. */
  refuse(call: string, problem: string): false {
    this.counters.refused++;
    if (!this.#reported && this.#onError !== undefined) {
      this.#reported = true;
      try {
        this.#onError(new TraceUsageError(call, problem));
      } catch {
        // The producer's handler failing must not become an exception in the producer.
      }
    }
    return false;
  }

  /** `admits` for a one-shot call: once it is `done`, a repeat is ignored and counted as `repeated`. */
  admitsOnce(recorded: boolean, done: boolean): boolean {
    if (!this.admits(recorded)) return false;
    if (done) {
      this.counters.repeated++;
      return false;
    }
    return true;
  }

  repeated(): void {
    this.counters.repeated++;
  }

  late(): void {
    this.counters.late++;
  }

  resolve<T>(value: Lazy<T>, call: string): T | typeof UNRESOLVED {
    if (typeof value !== "function") return value;
    try {
      return (value as () => T)();
    } catch (error) {
      this.refuse(
        call,
        `building the argument threw: ${error instanceof Error ? error.message : String(error)}`,
      );
      return UNRESOLVED;
    }
  }

  payload(kind: RawPayloadKindName, value: unknown): RawPayloadRef | null {
    return this.writer.writePayload(kind, value);
  }

  append(payload: RawTraceEventPayload, context: EventContext): boolean {
    return this.writer.append(payload, context) !== null;
  }

  now(): number {
    try {
      const value = this.clock();
      return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
    } catch {
      return 0;
    }
  }

  stats(): TraceStats {
    return { ...this.writer.stats(), ...this.counters };
  }
}

/** Runs a handle method so that nothing it meets (throwing getters, proxies) escapes as an exception. */
export function guarded(recorder: Recorder, call: string, body: () => void): void {
  try {
    body();
  } catch (error) {
    recorder.refuse(call, `unexpected ${error instanceof Error ? error.message : String(error)}`);
  }
}
