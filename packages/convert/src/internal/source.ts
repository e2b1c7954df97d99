// The source bundle, read without ever leaving it: only regular files directly inside the bundle (and inside its
// `payloads/` directory) are opened, never through a symbolic link, and payload paths come from refs whose shape the
// schema restricts to `payloads/<n>.json`.
import { isUtf8 } from "node:buffer";
import type { Stats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE_NAME, PAYLOADS_DIR_NAME, RAW_EVENT_LOG_FILE_NAME } from "@rollout-trace/schema";
import { manifestValidator } from "@rollout-trace/schema/validate";
import { refuse } from "./errors.ts";
import { parseCodexJson } from "./json-check.ts";
import { type JsonObjectNode, parseJsonTree } from "./json-tree.ts";

/** Larger payloads are refused: a JavaScript string cannot hold much more, and Codex would struggle as well. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

const PAYLOAD_FILE_NAME = /^([0-9]+)\.json$/;

export interface SourceBundle {
  /** Absolute path of the bundle directory. */
  readonly dir: string;
  readonly manifest: JsonObjectNode;
  readonly rolloutId: string;
  /** Names of the payload files in `payloads/` (regular files named `<n>.json`), sorted by ordinal. */
  readonly payloadFiles: readonly string[];
  /** Other entries of `payloads/`, which are not copied. */
  readonly skippedEntries: readonly string[];
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Reads and checks the source's manifest and lists its payload files. */
export async function openSource(dir: string): Promise<SourceBundle> {
  const where = { file: "." };
  let stats: Stats;
  try {
    stats = await fs.stat(dir);
  } catch {
    return refuse("source_unreadable", `source bundle ${dir} does not exist`, where);
  }
  if (!stats.isDirectory()) refuse("source_unreadable", `source ${dir} is not a directory`, where);
  for (const name of [MANIFEST_FILE_NAME, RAW_EVENT_LOG_FILE_NAME]) {
    const file = await lstatOrNull(path.join(dir, name));
    if (file === null) refuse("source_unreadable", `${name} is missing: not a trace bundle`, { file: name });
    if (!file.isFile()) refuse("source_unreadable", `${name} is not a regular file`, { file: name });
  }
  const { manifest, rolloutId } = await readManifest(dir);
  const { payloadFiles, skippedEntries } = await listPayloads(dir);
  return { dir, manifest, rolloutId, payloadFiles, skippedEntries };
}

async function readManifest(dir: string): Promise<{ manifest: JsonObjectNode; rolloutId: string }> {
  const where = { file: MANIFEST_FILE_NAME };
  const bytes = await fs.readFile(path.join(dir, MANIFEST_FILE_NAME));
  if (!isUtf8(bytes)) refuse("manifest_invalid", "manifest.json is not UTF-8", where);
  const text = bytes.toString("utf8");
  const parsed = parseCodexJson(text);
  if (!parsed.ok) refuse("manifest_invalid", `manifest.json is not valid JSON: ${parsed.problem}`, where);
  const value = parsed.value;
  const version =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as { schema_version?: unknown }).schema_version
      : undefined;
  if (version === 2) {
    refuse("source_schema", "the source is already trace schema 2: there is nothing to convert", where);
  }
  if (typeof version === "number" && version !== 1) {
    refuse(
      "source_schema",
      `the source is trace schema ${version}; only trace schema 1 can be converted`,
      where,
    );
  }
  const checked = manifestValidator.safeParse(value);
  if (!checked.ok)
    refuse("manifest_invalid", `manifest.json is not a trace manifest: ${checked.error.message}`, where);
  return { manifest: parseJsonTree(text) as JsonObjectNode, rolloutId: checked.value.rollout_id };
}

async function listPayloads(dir: string): Promise<{ payloadFiles: string[]; skippedEntries: string[] }> {
  const payloadDir = path.join(dir, PAYLOADS_DIR_NAME);
  const stats = await lstatOrNull(payloadDir);
  if (stats === null) return { payloadFiles: [], skippedEntries: [] };
  if (!stats.isDirectory()) {
    refuse("source_unreadable", `${PAYLOADS_DIR_NAME} is not a directory inside the bundle`, {
      file: PAYLOADS_DIR_NAME,
    });
  }
  const payloadFiles: string[] = [];
  const skippedEntries: string[] = [];
  for (const entry of await fs.readdir(payloadDir, { withFileTypes: true })) {
    if (entry.isFile() && PAYLOAD_FILE_NAME.test(entry.name)) payloadFiles.push(entry.name);
    else skippedEntries.push(entry.name);
  }
  payloadFiles.sort((a, b) => compareOrdinals(ordinalOfFile(a), ordinalOfFile(b)));
  skippedEntries.sort();
  return { payloadFiles, skippedEntries };
}

export function ordinalOfFile(name: string): bigint {
  return BigInt(PAYLOAD_FILE_NAME.exec(name)?.[1] ?? "0");
}

function compareOrdinals(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type PayloadRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code: "payload_unreadable" | "payload_invalid"; readonly problem: string };

/** Reads a payload file by its bundle-relative path (already known to be `payloads/<n>.json`). */
export async function readPayloadText(dir: string, relativePath: string): Promise<PayloadRead> {
  const unreadable = (problem: string): PayloadRead => ({ ok: false, code: "payload_unreadable", problem });
  const file = path.join(dir, relativePath);
  let bytes: Buffer;
  try {
    const stats = await lstatOrNull(file);
    if (stats === null) return unreadable("the file does not exist");
    if (stats.isSymbolicLink())
      return unreadable("the file is a symbolic link; only files inside the bundle are read");
    if (!stats.isFile()) return unreadable("not a regular file");
    if (stats.size > MAX_PAYLOAD_BYTES) {
      return unreadable(`the file is ${stats.size} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`);
    }
    bytes = await fs.readFile(file);
  } catch (error) {
    return unreadable((error as Error).message);
  }
  if (!isUtf8(bytes)) return { ok: false, code: "payload_invalid", problem: "the file is not UTF-8" };
  return { ok: true, text: bytes.toString("utf8") };
}
