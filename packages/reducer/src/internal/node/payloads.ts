// Payload files, read only when a reducer step needs them. A ref's `path` is untrusted: it must name a file inside
// the bundle directory (no absolute paths, no `..` escape, no symlink leading out), and nothing outside is opened.
import { isUtf8 } from "node:buffer";
import fs from "node:fs";
import path from "node:path";
import { JsonSyntaxError, type JsonValue, parseJson, parseJsonScanned } from "../json.ts";
import type { RawPayloadRef } from "../model.ts";
import { PayloadReadError } from "../state.ts";
import { describeIoError } from "./os-error.ts";
import { type PayloadPrefetcher, payloadPathsIn } from "./prefetch.ts";
import { OPEN_NO_FOLLOW, readIntoBuffer, SMALL_PAYLOAD_BYTES } from "./small-file.ts";

/** Larger payloads are refused rather than risking the process (V8 strings stop at 512 MiB). */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export class BundlePayloadReader {
  private readonly root: string;
  private realRoot: string | null = null;
  /** Real path of each directory payloads were read from (usually just `payloads/`). */
  private readonly realDirectories = new Map<string, string>();
  private readonly buffer = Buffer.allocUnsafe(SMALL_PAYLOAD_BYTES);
  private prefetcher: PayloadPrefetcher | undefined;

  constructor(bundleDir: string) {
    this.root = path.resolve(bundleDir);
  }

  /** Takes files' text from the prefetcher when it has it; the result is the same as reading them here. */
  prefetchWith(prefetcher: PayloadPrefetcher): void {
    this.prefetcher = prefetcher;
  }

  readonly read = (ref: RawPayloadRef): JsonValue => {
    const file = this.confine(ref.path);
    try {
      const prefetched = this.prefetcher?.take(file);
      if (prefetched !== undefined) return parseJsonScanned(prefetched.text, prefetched.exact);
      const bytes = this.readConfined(ref, file);
      if (!isUtf8(bytes)) throw new JsonSyntaxError("invalid unicode code point");
      return parseJson(bytes.toString("utf8"));
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      throw new PayloadReadError("parse", [error.message], ref.path);
    }
  };

  /** The files that payload paths in a chunk of trace.jsonl name, for the prefetcher; refused paths are left out. */
  filesNamedIn(chunk: Buffer, length: number): string[] {
    const files: string[] = [];
    for (const relative of payloadPathsIn(chunk, length)) {
      try {
        files.push(this.confine(relative));
      } catch (error) {
        if (!(error instanceof PayloadReadError)) throw error;
      }
    }
    return files;
  }

  private refuse(relative: string, why: string): never {
    throw new PayloadReadError(
      "open",
      [`payload path ${JSON.stringify(relative)} ${why}; refusing to read outside the bundle`],
      relative,
    );
  }

  /** The absolute path a payload path names, once it is known not to leave the bundle by its text or directories. */
  private confine(relative: string): string {
    if (relative.includes("\0")) this.refuse(relative, "contains a NUL byte");
    if (path.isAbsolute(relative)) this.refuse(relative, "is absolute");
    const file = path.resolve(this.root, relative);
    if (!isInside(this.root, file)) this.refuse(relative, "leaves the bundle directory");
    const directory = path.dirname(file);
    let realDirectory = this.realDirectories.get(directory);
    if (realDirectory === undefined) {
      try {
        realDirectory = fs.realpathSync(directory);
      } catch {
        return file; // Missing: opening it reports the OS error.
      }
      this.realRoot ??= fs.realpathSync(this.root);
      if (realDirectory !== this.realRoot && !isInside(this.realRoot, realDirectory)) {
        this.refuse(relative, "resolves through a symbolic link to a directory outside the bundle");
      }
      this.realDirectories.set(directory, realDirectory);
    }
    return file;
  }

  /**
   * The file's bytes. Most payloads are small, so they are read into one reused buffer (open, read, close: no stat and
   * no allocation per file); a file that fills the buffer is read again whole after its size is checked. The result
   * is valid only until the next read.
   */
  private readConfined(ref: RawPayloadRef, file: string): Buffer {
    let fd: number;
    try {
      fd = fs.openSync(file, OPEN_NO_FOLLOW);
    } catch (error) {
      if ((error as { code?: string }).code !== "ELOOP")
        throw new PayloadReadError("open", [describeIoError(error)], ref.path);
      fd = this.openSymlink(ref, file);
    }
    try {
      const length = readIntoBuffer(fs, fd, this.buffer);
      if (length !== -1) return this.buffer.subarray(0, length);
      const size = fs.fstatSync(fd).size;
      if (size > MAX_PAYLOAD_BYTES) {
        throw new PayloadReadError(
          "open",
          [`payload file is ${size} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`],
          ref.path,
        );
      }
      return fs.readFileSync(fd);
    } catch (error) {
      if (error instanceof PayloadReadError) throw error;
      throw new PayloadReadError("open", [describeIoError(error)], ref.path);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** A payload file that is a symlink is followed only when its target is inside the bundle. */
  private openSymlink(ref: RawPayloadRef, file: string): number {
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch (error) {
      throw new PayloadReadError("open", [describeIoError(error)], ref.path);
    }
    this.realRoot ??= fs.realpathSync(this.root);
    if (!isInside(this.realRoot, real))
      this.refuse(ref.path, "resolves through a symbolic link to a file outside the bundle");
    try {
      return fs.openSync(real, "r");
    } catch (error) {
      throw new PayloadReadError("open", [describeIoError(error)], ref.path);
    }
  }
}

function isInside(root: string, file: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  return file.length > prefix.length && file.startsWith(prefix);
}
