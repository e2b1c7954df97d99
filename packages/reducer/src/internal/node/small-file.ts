// Reading a payload file the cheap way, shared by the replay thread's reader and the prefetch worker: one reused
// buffer, open/read/close and no stat. Files that fill the buffer take the reader's checked path instead.
import fs from "node:fs";

/** Payloads up to this size are read without a stat, into a buffer the reader reuses. */
export const SMALL_PAYLOAD_BYTES = 1024 * 1024;
// Opening with O_NOFOLLOW makes a symlinked file fail with ELOOP, so only symlinks pay for a full realpath.
export const OPEN_NO_FOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * Reads an open file from its start into `buffer`: the number of bytes, or -1 when the file fills the buffer (it may
 * be longer). Self-contained (it uses only its arguments), so the prefetch worker runs its source text.
 */
export function readIntoBuffer(files: typeof fs, fd: number, buffer: Buffer): number {
  let length = 0;
  for (;;) {
    const read = files.readSync(fd, buffer, length, buffer.length - length, length);
    if (read === 0) return length;
    length += read;
    if (length === buffer.length) return -1;
  }
}
