// trace.jsonl is streamed in 1 MiB chunks and split on newline bytes, so memory does not grow with the log. A line
// ends at `\n`; a trailing `\r` is dropped, as Rust's `lines()` does.
import { isUtf8 } from "node:buffer";
import type { FileHandle } from "node:fs/promises";

const CHUNK_BYTES = 1 << 20;

export interface LogLine {
  /** 1-based line number. */
  readonly number: number;
  /** The line's text, or null when its bytes are not valid UTF-8. */
  readonly text: string | null;
}

export async function* readLogLines(handle: FileHandle): AsyncGenerator<LogLine> {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry: Buffer | null = null;
  let number = 0;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) break;
    let start = 0;
    let newline = chunk.indexOf(10, 0);
    while (newline !== -1 && newline < bytesRead) {
      let bytes = chunk.subarray(start, newline);
      if (carry) {
        bytes = Buffer.concat([carry, bytes]);
        carry = null;
      }
      yield toLine(bytes, ++number);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < bytesRead) {
      // Copied: the chunk buffer is reused by the next read.
      const rest = Buffer.from(chunk.subarray(start, bytesRead));
      carry = carry ? Buffer.concat([carry, rest]) : rest;
    }
  }
  if (carry && carry.length > 0) yield toLine(carry, ++number);
}

function toLine(bytes: Buffer, number: number): LogLine {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  const body = bytes.subarray(0, end);
  return { number, text: isUtf8(body) ? body.toString("utf8") : null };
}

/** Rust's `str::trim` whitespace (Unicode White_Space), which Codex uses to skip blank lines; JavaScript's differs. */
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

export function isBlankLine(text: string): boolean {
  return BLANK.test(text);
}
