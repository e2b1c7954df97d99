import type { Writable } from "node:stream";
import type {
  RawPayloadKindName,
  RawPayloadRef,
  RawTraceEvent,
  RawTraceEventPayload,
  TraceManifest,
} from "@rollout-trace/schema";

/** Envelope context of an event: which thread and Codex turn it belongs to (`null`/absent = none). */
export interface EventContext {
  readonly threadId?: string | null;
  readonly codexTurnId?: string | null;
}

/** One chunk of {@link BundleWriter.createStream}: an event payload and its optional envelope context. */
export interface TraceEventChunk {
  readonly payload: RawTraceEventPayload;
  readonly context?: EventContext;
}

/** Counters of everything the writer accepted, wrote, replaced or refused. */
export interface WriterStats {
  /** Event lines accepted (in batched mode, counted when buffered; lost if a later flush fails, then `dropped`). */
  events: number;
  /** Payload files written, placeholders included. */
  payloads: number;
  /** Bytes handed to the OS for `trace.jsonl` lines and payload files. */
  bytes: number;
  /** Calls ignored because the writer was `failed` or `closed`, plus buffered events a failed flush lost. */
  dropped: number;
  /** Refused values (unserializable, invalid) and I/O failures. */
  errors: number;
  /** Oversized payloads replaced by a placeholder document. */
  omitted: number;
}

export type WriterState = "open" | "failed" | "closed";

export interface BundleWriterOptions {
  /** Bundle directory; created with `payloads/` inside. Must not already hold a `manifest.json`. */
  dir: string;
  traceId: string;
  rolloutId: string;
  rootThreadId: string;
  /** Trace schema to write: 2 (current Codex, the default) or 1 (older tools). */
  schemaVersion?: 1 | 2;
  /** `sync` (default): each event reaches the OS before `append` returns. `batched`: bounded buffer. */
  mode?: "sync" | "batched";
  /** `never` (default), `batch` (group commit on each flush) or `event` (each event before `append` returns). */
  fsync?: "never" | "batch" | "event";
  /** Batched mode: flush once this many characters are buffered (default 64 KiB). */
  batchBytes?: number;
  /** Batched mode and `fsync: "batch"`: longest time data waits before a flush/sync, in ms (default 100). */
  flushIntervalMs?: number;
  /** Serialized size above which a payload is replaced by a placeholder document (default 64 MiB). */
  maxPayloadBytes?: number;
  /** Validate every event against the schema package before writing it (default false). */
  validate?: boolean;
  /** Told about the first refused value and about the failure that stops the writer (see the README). */
  onError?: (error: Error) => void;
  /** Wall clock in ms since the epoch (default `Date.now`). */
  clock?: () => number;
}

export interface BundleWriter {
  /** Absolute bundle directory. */
  readonly dir: string;
  readonly manifest: TraceManifest;
  readonly schemaVersion: 1 | 2;
  readonly state: WriterState;
  /** Writes `payloads/<n>.json` completely before returning its ref; null when refused, failed or closed. */
  writePayload(kind: RawPayloadKindName, value: unknown): RawPayloadRef | null;
  /** Appends one event line with the next seq; returns the event, or null when refused, failed or closed. */
  append(payload: RawTraceEventPayload, context?: EventContext): RawTraceEvent | null;
  /** Pushes buffered lines to the OS now, and fsyncs when the policy asks for it. */
  flush(): void;
  /** Flushes, ends a schema-2 bundle with `recording_completed`, syncs per policy and releases the file. Idempotent. */
  close(): Promise<void>;
  closeSync(): void;
  stats(): WriterStats;
  /** Object-mode Writable of {@link TraceEventChunk}s; never emits `'error'` for trace failures (see the README). */
  createStream(): Writable;
}
