// Payload files, read only when a reducer step needs them. A ref's `path` is untrusted: it must name a file inside
// the bundle directory (no absolute paths, no `..` escape, no symlink leading out), and nothing outside is opened.
import { isUtf8 } from "node:buffer";
import fs from "node:fs";
import path from "node:path";
import { JsonSyntaxError, type JsonValue, parseJson } from "../json.ts";
import type { RawPayloadRef } from "../model.ts";
import { PayloadReadError } from "../state.ts";
import { describeIoError } from "./os-error.ts";

/** Larger payloads are refused rather than risking the process (V8 strings stop at 512 MiB). */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
const CACHE_SIZE = 16;

export class BundlePayloadReader {
  private readonly root: string;
  private realRoot: string | null = null;
  // Some payloads are read by several reducer steps; a few recent ones are kept, never all of them.
  private readonly cache = new Map<string, JsonValue>();

  constructor(bundleDir: string) {
    this.root = path.resolve(bundleDir);
  }

  readonly read = (ref: RawPayloadRef): JsonValue => {
    const file = this.resolve(ref);
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached;
    let bytes: Buffer;
    try {
      const size = fs.statSync(file).size;
      if (size > MAX_PAYLOAD_BYTES) {
        throw new PayloadReadError(
          "open",
          [`payload file is ${size} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`],
          ref.path,
        );
      }
      bytes = fs.readFileSync(file);
    } catch (error) {
      if (error instanceof PayloadReadError) throw error;
      throw new PayloadReadError("open", [describeIoError(error)], ref.path);
    }
    let value: JsonValue;
    try {
      if (!isUtf8(bytes)) throw new JsonSyntaxError("invalid unicode code point");
      value = parseJson(bytes.toString("utf8"));
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      throw new PayloadReadError("parse", [error.message], ref.path);
    }
    this.cache.set(file, value);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return value;
  };

  private resolve(ref: RawPayloadRef): string {
    const relative = ref.path;
    const refuse = (why: string): never => {
      throw new PayloadReadError(
        "open",
        [`payload path ${JSON.stringify(relative)} ${why}; refusing to read outside the bundle`],
        relative,
      );
    };
    if (relative.includes("\0")) refuse("contains a NUL byte");
    if (path.isAbsolute(relative)) refuse("is absolute");
    const file = path.resolve(this.root, relative);
    if (!isInside(this.root, file)) refuse("leaves the bundle directory");
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      return file; // Missing: opening it reports the OS error.
    }
    this.realRoot ??= fs.realpathSync(this.root);
    if (!isInside(this.realRoot, real))
      refuse("resolves through a symbolic link to a file outside the bundle");
    return real;
  }
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return (
    relative !== "" &&
    relative !== ".." &&
    !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative)
  );
}
