// Payload prefetching for large bundles. Opening, reading, decoding and scanning payload files is a third of a
// replay's time, and none of it depends on the reducer: a worker thread reads the files that the upcoming lines of
// trace.jsonl name and scans their JSON, so the replay thread usually finds a payload's text ready to parse. The
// worker is only a cache in front of the ordinary reader: a file it could not read, or would read differently (a
// symlink, invalid UTF-8, too large), or did not get to is read by the replay thread as if there were no prefetcher,
// so results and error messages never depend on it.
import type { isUtf8 } from "node:buffer";
import type fs from "node:fs";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { MAX_JSON_DEPTH, needsExactParser } from "../json.ts";
import { OPEN_NO_FOLLOW, readIntoBuffer, SMALL_PAYLOAD_BYTES } from "./small-file.ts";

/** Files per request message; the worker answers a request in one or more replies, the last one marked. */
const BATCH_FILES = 64;
/** Requests the worker may have in hand at once: enough to stay ahead of the replay, few enough to bound memory. */
const BATCHES_IN_FLIGHT = 8;
/** Prefetched texts not yet taken (payloads the replay never reads) are dropped, oldest first, beyond this. */
const MAX_READY = 4 * BATCH_FILES * BATCHES_IN_FLIGHT;
/** Text per reply message (a two-byte string takes twice this), below V8's 100 KB old-generation threshold. */
const MAX_REPLY_CHARS = 40 * 1024;
const WAIT_SLICE_MS = 50;
/** A worker that has not answered for this long is given up on; the replay goes on reading files itself. */
const STALL_LIMIT_MS = 10_000;

// Shared counters: [0] replies sent, [1] 1 once the worker has failed (the worker's code uses the indexes as literals).
const REPLIES = 0;
const FAILED = 1;

/** A file, its text (null: the replay thread must read it) and whether it needs the exact JSON parser. */
type Entry = [file: string, text: string | null, exact: boolean];
/** Entries; `true` on the last reply to a request. */
type Reply = [entries: Entry[], last: boolean];

export interface PrefetchedText {
  readonly text: string;
  /** The {@link needsExactParser} answer for the text. */
  readonly exact: boolean;
}

/**
 * The worker's whole program, run from its source text (so it needs no module file of its own). It reads each
 * requested file the way the replay thread's small-file path does, and sends `null` for anything else.
 */
function prefetchWorker(
  files: typeof fs,
  utf8: typeof isUtf8,
  threads: typeof import("node:worker_threads"),
  scan: typeof needsExactParser,
  readInto: typeof readIntoBuffer,
): void {
  const { port, signal, flags, maxBytes, maxReplyChars, maxDepth } = threads.workerData as {
    port: MessagePort;
    signal: SharedArrayBuffer;
    flags: number;
    maxBytes: number;
    maxReplyChars: number;
    maxDepth: number;
  };
  const counters = new Int32Array(signal);
  const buffer = Buffer.allocUnsafe(maxBytes);
  // Longer files are left to the replay thread, which checks them against the payload size limit.
  const readText = (file: string): string | null => {
    const fd = files.openSync(file, flags);
    try {
      const length = readInto(files, fd, buffer);
      if (length === -1) return null;
      const bytes = buffer.subarray(0, length);
      return utf8(bytes) ? bytes.toString("utf8") : null;
    } finally {
      files.closeSync(fd);
    }
  };
  const post = (reply: Entry[], last: boolean): void => {
    port.postMessage([reply, last]);
    Atomics.add(counters, 0, 1);
    Atomics.notify(counters, 0);
  };
  port.on("message", (batch: string[]) => {
    try {
      let reply: Entry[] = [];
      let size = 0;
      for (const file of batch) {
        let text: string | null = null;
        try {
          text = readText(file);
        } catch {
          // The replay thread reads it again and reports the error itself.
        }
        const length = text === null ? 0 : text.length;
        // V8 places everything a message carries straight into the old generation when the message is over 100 KB,
        // where short-lived texts are expensive to collect: replies stay under that where they can.
        if (reply.length > 0 && size + length > maxReplyChars) {
          post(reply, false);
          reply = [];
          size = 0;
        }
        reply.push([file, text, text !== null && scan(text, maxDepth)]);
        size += length;
      }
      post(reply, true);
    } catch {
      Atomics.store(counters, 1, 1);
      Atomics.notify(counters, 0);
    }
  });
}

export class PayloadPrefetcher {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counters: Int32Array;
  /** Files named by lines read so far and not yet sent to the worker. */
  private readonly backlog: string[] = [];
  private backlogStart = 0;
  /** Files sent to the worker whose text has not come back. */
  private readonly requested = new Set<string>();
  private readonly ready = new Map<string, PrefetchedText | null>();
  private batchesInFlight = 0;
  private repliesSeen = 0;
  private stopped = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(8);
    this.counters = new Int32Array(signal);
    this.port = port1;
    this.worker = new Worker(
      `(${prefetchWorker})(require("node:fs"), require("node:buffer").isUtf8, require("node:worker_threads"), ${needsExactParser}, ${readIntoBuffer})`,
      {
        eval: true,
        workerData: {
          port: port2,
          signal,
          flags: OPEN_NO_FOLLOW,
          maxBytes: SMALL_PAYLOAD_BYTES,
          maxReplyChars: MAX_REPLY_CHARS,
          maxDepth: MAX_JSON_DEPTH,
        },
        transferList: [port2],
      },
    );
    // The replay thread never waits on the event loop for the worker, and the worker must not keep a process alive.
    this.worker.on("error", () => this.stop());
    this.worker.unref();
    this.port.unref();
  }

  /** Queues files (absolute, already confined to the bundle) that upcoming lines name. */
  prefetch(files: readonly string[]): void {
    if (this.stopped) return;
    for (const file of files) this.backlog.push(file);
    this.send();
  }

  /**
   * The prefetched text of a file, or undefined when the caller must read the file itself. A file the worker is
   * reading right now is waited for.
   */
  take(file: string): PrefetchedText | undefined {
    if (this.stopped) return undefined;
    // Replies are taken off the port only when the replay needs them: until then they wait serialized, outside the
    // JavaScript heap, and the texts the replay thread holds at any time stay few.
    while (!this.ready.has(file) && this.requested.has(file)) {
      if (!this.receiveReply()) {
        this.stop();
        return undefined;
      }
    }
    const text = this.ready.get(file);
    this.ready.delete(file);
    return text ?? undefined;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ready.clear();
    this.requested.clear();
    this.backlog.length = 0;
    this.port.close();
    void this.worker.terminate();
  }

  private send(): void {
    while (this.batchesInFlight < BATCHES_IN_FLIGHT && this.backlogStart < this.backlog.length) {
      const batch = this.backlog.slice(this.backlogStart, this.backlogStart + BATCH_FILES);
      this.backlogStart += batch.length;
      for (const file of batch) this.requested.add(file);
      this.port.postMessage(batch);
      this.batchesInFlight++;
    }
    if (this.backlogStart === this.backlog.length) {
      this.backlog.length = 0;
      this.backlogStart = 0;
    }
  }

  /** Takes the next reply, waiting for it if need be; false when the worker failed or stalled. */
  private receiveReply(): boolean {
    let message = receiveMessageOnPort(this.port);
    while (message === undefined) {
      if (!this.waitForReply()) return false;
      message = receiveMessageOnPort(this.port);
    }
    const [entries, last] = message.message as Reply;
    for (const [file, text, exact] of entries) {
      this.requested.delete(file);
      this.ready.set(file, text === null ? null : { text, exact });
    }
    while (this.ready.size > MAX_READY) this.ready.delete(this.ready.keys().next().value as string);
    if (last) {
      this.batchesInFlight--;
      this.send();
    }
    return true;
  }

  /** Blocks until the worker has sent a reply not yet seen; false when it failed or stalled. */
  private waitForReply(): boolean {
    let waited = 0;
    while (Atomics.load(this.counters, REPLIES) === this.repliesSeen) {
      // A thread id of -1: the worker has exited (it was terminated, or its code could not run).
      const gone = this.worker.threadId === -1 || Atomics.load(this.counters, FAILED) === 1;
      if (gone || waited >= STALL_LIMIT_MS) return false;
      Atomics.wait(this.counters, REPLIES, this.repliesSeen, WAIT_SLICE_MS);
      waited += WAIT_SLICE_MS;
    }
    this.repliesSeen = Atomics.load(this.counters, REPLIES);
    return true;
  }
}

const PATH_KEY = Buffer.from('"path":"');

/**
 * The payload paths named in a chunk of trace.jsonl, as producers write them (`"path":"payloads/1.json"`). Paths with
 * escapes or non-ASCII bytes are skipped: the replay reads those files itself.
 */
export function payloadPathsIn(chunk: Buffer, length: number): string[] {
  const paths: string[] = [];
  let at = chunk.indexOf(PATH_KEY, 0);
  while (at !== -1 && at < length) {
    const start = at + PATH_KEY.length;
    let end = start;
    while (end < length && chunk[end] !== 0x22 && chunk[end] !== 0x5c && chunk[end]! < 0x80) end++;
    if (end < length && chunk[end] === 0x22 && end > start) paths.push(chunk.toString("latin1", start, end));
    at = chunk.indexOf(PATH_KEY, end);
  }
  return paths;
}
