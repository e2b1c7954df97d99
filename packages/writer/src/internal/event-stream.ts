import { Writable } from "node:stream";

/** The writer side the stream feeds: both calls are synchronous and never throw. */
export interface EventStreamTarget {
  appendChunk(chunk: unknown): void;
  flush(): void;
}

/**
 * An object-mode Writable over the writer. Each batch of chunks is appended synchronously (so seqs follow write
 * order) and acknowledged on the next turn of the event loop; chunks written meanwhile queue up to the stream's
 * highWaterMark, after which `write()` returns false until `'drain'`. A producer honouring backpressure therefore
 * yields to the event loop regularly (letting the batched-mode timer and I/O run) and its memory stays bounded.
 *
 * Trace failures never surface as stream errors: a trace is a side channel and must not break the producer's
 * pipeline. They go to `onError` and the counters, like direct calls. `end()` (and `finished`) completes after a
 * flush, once everything written is with the OS (and synced, per the fsync policy).
 */
export function createEventStream(target: EventStreamTarget): Writable {
  return new Writable({
    objectMode: true,
    write(chunk: unknown, _encoding, callback) {
      target.appendChunk(chunk);
      setImmediate(callback);
    },
    writev(chunks, callback) {
      for (const { chunk } of chunks) target.appendChunk(chunk);
      setImmediate(callback);
    },
    final(callback) {
      target.flush();
      callback();
    },
  });
}
