import fs from "node:fs";

/**
 * Writes all of `text` at the descriptor's position (the end, for an append-mode descriptor) and returns the number
 * of bytes written. A regular file can accept fewer bytes than asked when the disk fills up midway; the remainder is
 * retried so nothing is silently cut. Throws the write error with `bytesWritten` recorded on it.
 */
export function writeText(fd: number, text: string, byteLength: number): number {
  const written = fs.writeSync(fd, text);
  if (written === byteLength) return written;
  return writeAll(fd, Buffer.from(text, "utf8"), written);
}

/**
 * {@link writeText} for event lines, without measuring them first: the UTF-16 length stands in for the byte length,
 * which is exact for ASCII. A short write of non-ASCII text that happens to equal its UTF-16 length goes unnoticed
 * here, but a short write means the disk is full, so the next write fails and the failure path cuts the torn tail
 * (see {@link truncateTornTail}).
 */
export function appendLines(fd: number, text: string): number {
  return writeText(fd, text, text.length);
}

/** Writes every byte of `encoded` from `alreadyWritten` on; throws the write error with `bytesWritten` on it. */
function writeAll(fd: number, encoded: Buffer, alreadyWritten: number): number {
  let offset = alreadyWritten;
  try {
    while (offset < encoded.length) {
      const written = fs.writeSync(fd, encoded, offset, encoded.length - offset);
      if (written <= 0) throw new Error(`write made no progress after ${offset} of ${encoded.length} bytes`);
      offset += written;
    }
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { bytesWritten: offset });
  }
  return offset;
}

export function bytesWrittenBefore(error: unknown): number {
  if (typeof error === "object" && error !== null && "bytesWritten" in error) {
    const written = (error as { bytesWritten: unknown }).bytesWritten;
    if (typeof written === "number") return written;
  }
  return 0;
}

const TAIL_SCAN_CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Cuts a torn last line (bytes after the last `\n`) off a JSONL file, so the log ends on a complete line. Best
 * effort: returns false when the file cannot be read or truncated (a device, a closed descriptor).
 */
export function truncateTornTail(fd: number): boolean {
  try {
    const size = fs.fstatSync(fd).size;
    let end = size;
    const chunk = Buffer.allocUnsafe(TAIL_SCAN_CHUNK);
    while (end > 0) {
      const start = Math.max(0, end - TAIL_SCAN_CHUNK);
      const length = fs.readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, length).lastIndexOf(NEWLINE);
      if (newline !== -1) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end < size) fs.ftruncateSync(fd, end);
    return true;
  } catch {
    return false;
  }
}

/** Like {@link truncateTornTail}, for when the writer's own descriptor is gone: reopens the file by path. */
export function truncateTornTailAt(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r+");
  } catch {
    return;
  }
  truncateTornTail(fd);
  closeQuietly(fd);
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or never valid: nothing left to release.
  }
}

export function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // The temporary file may never have been created.
  }
}

export function removeEmptyDirectory(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Gone already, never created, or still holding a file a failed write left behind.
  }
}

/** fsync a directory so the names created in it (renamed payload files) survive a power loss. */
export function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
