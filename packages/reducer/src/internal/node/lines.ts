// trace.jsonl is read in 1 MiB chunks and split on newline bytes, so a bundle of any size replays in memory that
// does not depend on the file's size. A line ends at `\n`; a trailing `\r` is dropped, as Rust's `lines()` does.

import { isUtf8 } from "node:buffer";
import fs from "node:fs";

const CHUNK_BYTES = 1 << 20;

export interface Line {
  /** 1-based line number. */
  readonly number: number;
  /** The line's text, or null when its bytes are not valid UTF-8. */
  readonly text: string | null;
  /** False for a last line that has no terminating newline (possibly torn by a crash). */
  readonly terminated: boolean;
  /** Bytes read so far, including this line. */
  readonly offset: number;
}

/** `onChunk` sees each chunk as it is read, before its lines are yielded (the first `length` bytes are valid). */
export function* readLines(fd: number, onChunk?: (chunk: Buffer, length: number) => void): Generator<Line> {
  let carry: Buffer | null = null;
  let number = 0;
  let offset = 0;
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (;;) {
    const read = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
    if (read === 0) break;
    onChunk?.(chunk, read);
    let start = 0;
    let newline = chunk.indexOf(10, 0);
    while (newline !== -1 && newline < read) {
      let bytes = chunk.subarray(start, newline);
      if (carry) {
        bytes = Buffer.concat([carry, bytes]);
        carry = null;
      }
      offset += newline - start + 1;
      yield toLine(bytes, ++number, true, offset);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < read) {
      const rest = chunk.subarray(start, read);
      // Copy: the chunk buffer is reused by the next read.
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      offset += read - start;
    }
  }
  if (carry && carry.length > 0) yield toLine(carry, ++number, false, offset);
}

function toLine(bytes: Buffer, number: number, terminated: boolean, offset: number): Line {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  const body = bytes.subarray(0, end);
  return { number, text: isUtf8(body) ? body.toString("utf8") : null, terminated, offset };
}
