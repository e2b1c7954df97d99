// Bundle validation: unlike a replay, which stops at the first error as the reference does, this reads the whole
// bundle once and reports every problem it finds, each with the file, line, seq and JSON pointer it concerns.
import { isUtf8 } from "node:buffer";
import fs from "node:fs";
import path from "node:path";
import type { RawPayloadKindName } from "@rollout-trace/schema";
import type { Validator } from "@rollout-trace/schema/validate";
import { ReplayError } from "../errors.ts";
import type { TraceVersion } from "../events.ts";
import { get, isObject, JsonSyntaxError, type JsonValue, parseJson } from "../json.ts";
import { MANIFEST_FILE, TRACE_LOG_FILE } from "../replay.ts";
import { type ReplayProgress, replayBundle } from "./bundle.ts";
import { readLines } from "./lines.ts";
import { describeIoError } from "./os-error.ts";
import { MAX_PAYLOAD_BYTES } from "./payloads.ts";

/** `error`: the bundle breaks the format (the reference reducer may reject it); `warning`: suspicious but readable. */
export type ProblemSeverity = "error" | "warning";

/** What kind of problem was found; problems are capped per code. */
export type ProblemCode =
  | "bundle_missing"
  | "manifest_missing"
  | "manifest_unreadable"
  | "manifest_json"
  | "manifest_schema"
  | "manifest_version"
  | "manifest_layout"
  | "trace_missing"
  | "trace_unreadable"
  | "trace_encoding"
  | "trace_json"
  | "trace_torn"
  | "trace_unterminated"
  | "event_schema"
  | "event_version"
  | "event_seq"
  | "event_rollout"
  | "event_after_completion"
  | "recording_incomplete"
  | "payload_path"
  | "payload_ref_mismatch"
  | "payload_missing"
  | "payload_unreadable"
  | "payload_too_large"
  | "payload_json"
  | "payload_schema"
  | "replay";

export interface BundleProblem {
  readonly severity: ProblemSeverity;
  readonly code: ProblemCode;
  readonly message: string;
  /** Bundle-relative file the problem is in (for payloads: the path as the reference wrote it). */
  readonly file: string;
  /** 1-based line of trace.jsonl: where the problem is, or the event that referenced a payload. */
  readonly line?: number;
  readonly seq?: number;
  /** JSON pointer of the offending value inside the file's document (or the line's event). */
  readonly path?: string;
}

/** Problems beyond the per-code cap: counted, not listed. */
export interface OmittedProblems {
  readonly code: ProblemCode;
  readonly severity: ProblemSeverity;
  readonly count: number;
}

export interface ValidationStats {
  /** Size of trace.jsonl in bytes. */
  readonly bytes: number;
  /** Lines of trace.jsonl, blank lines included. */
  readonly lines: number;
  /** Non-blank lines, parseable or not. */
  readonly events: number;
  /** Payload references carried by the events. */
  readonly payloadRefs: number;
  /** Distinct payload files read. */
  readonly payloadFiles: number;
}

export interface BundleValidation {
  /** The trace schema checked against: the manifest's, else the first event's; null when neither says. */
  readonly schemaVersion: TraceVersion | null;
  /** True when no error was found (warnings allowed). */
  readonly ok: boolean;
  /** Every problem found, in file order, at most `maxProblemsPerCode` of each code. */
  readonly problems: readonly BundleProblem[];
  readonly omitted: readonly OmittedProblems[];
  /** Totals, omitted problems included. */
  readonly errors: number;
  readonly warnings: number;
  readonly stats: ValidationStats;
}

export interface ValidateOptions {
  /** Also replay the bundle and report the reducer's first error (the reference semantics stop there). */
  readonly replay?: boolean;
  /** How many problems of one code are listed before the rest are only counted (default 20). */
  readonly maxProblemsPerCode?: number;
  /** Called every few thousand lines and at the end of the trace. */
  readonly onProgress?: (progress: ReplayProgress) => void;
}

const DEFAULT_MAX_PER_CODE = 20;
const LINES_PER_BATCH = 4096;
/** Rust's `str::trim` whitespace, as the reducer uses to skip blank lines (JavaScript's trim differs by U+FEFF). */
const BLANK_LINE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
const PAYLOAD_ID = /^raw_payload:([0-9]+)$/;
const PAYLOAD_PATH = /^payloads\/([0-9]+)\.json$/;

/** The schema validators, loaded on first use: building them costs more than the rest of the reducer's startup. */
interface Schemas {
  readonly manifest: Validator<unknown>;
  readonly event: (version: TraceVersion | null) => Validator<unknown>;
  readonly payload: (kind: RawPayloadKindName) => Validator<unknown>;
  readonly kinds: ReadonlySet<string>;
}

async function loadSchemas(): Promise<Schemas> {
  const [schema, validate] = await Promise.all([
    import("@rollout-trace/schema"),
    import("@rollout-trace/schema/validate"),
  ]);
  return {
    manifest: validate.manifestValidator,
    event: (version) =>
      version === 1
        ? validate.eventV1Validator
        : version === 2
          ? validate.eventV2Validator
          : validate.eventValidator,
    payload: (kind) => validate.payloadValidator(kind),
    kinds: new Set(schema.RAW_PAYLOAD_KIND_NAMES),
  };
}

type Location = Pick<BundleProblem, "file" | "line" | "seq" | "path">;

class ProblemLog {
  readonly problems: BundleProblem[] = [];
  private readonly perCode = new Map<ProblemCode, { severity: ProblemSeverity; count: number }>();
  errors = 0;
  warnings = 0;

  private readonly cap: number;

  constructor(cap: number) {
    this.cap = cap;
  }

  add(severity: ProblemSeverity, code: ProblemCode, message: string, where: Location): void {
    if (severity === "error") this.errors++;
    else this.warnings++;
    const tally = this.perCode.get(code) ?? { severity, count: 0 };
    tally.count++;
    this.perCode.set(code, tally);
    if (tally.count > this.cap) return;
    const problem: { -readonly [K in keyof BundleProblem]: BundleProblem[K] } = {
      severity,
      code,
      message,
      file: where.file,
    };
    if (where.line !== undefined) problem.line = where.line;
    if (where.seq !== undefined) problem.seq = where.seq;
    if (where.path !== undefined) problem.path = where.path;
    this.problems.push(problem);
  }

  omitted(): OmittedProblems[] {
    const out: OmittedProblems[] = [];
    for (const [code, { severity, count }] of this.perCode)
      if (count > this.cap) out.push({ code, severity, count: count - this.cap });
    return out;
  }
}

interface PayloadRefSighting {
  readonly pointer: string;
  readonly id: string;
  readonly kind: string | undefined;
  readonly path: string;
}

interface ManifestFacts {
  readonly version: TraceVersion | null;
  readonly rolloutId: string | null;
  /** True when the reducer can at least start: the manifest parses, has every field and a known version. */
  readonly usable: boolean;
}

/** Checks a bundle directory against the trace format and reports every problem it finds. */
export async function validateBundle(
  bundleDir: string,
  options: ValidateOptions = {},
): Promise<BundleValidation> {
  const log = new ProblemLog(options.maxProblemsPerCode ?? DEFAULT_MAX_PER_CODE);
  const root = path.resolve(bundleDir);
  const stats = { bytes: 0, lines: 0, events: 0, payloadRefs: 0, payloadFiles: 0 };
  const finish = (schemaVersion: TraceVersion | null): BundleValidation => ({
    schemaVersion,
    ok: log.errors === 0,
    problems: log.problems,
    omitted: log.omitted(),
    errors: log.errors,
    warnings: log.warnings,
    stats,
  });

  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(root);
  } catch (error) {
    log.add("error", "bundle_missing", `cannot open the bundle directory: ${describeIoError(error)}`, {
      file: ".",
    });
    return finish(null);
  }
  if (!rootStat.isDirectory()) {
    log.add("error", "bundle_missing", "not a directory: a bundle is a directory holding manifest.json", {
      file: ".",
    });
    return finish(null);
  }

  const schemas = await loadSchemas();
  const manifest = checkManifest(root, log, schemas);
  const trace = new TraceChecker(root, manifest, log, stats, schemas);
  const traceOpened = await trace.run(options.onProgress);

  if (options.replay && manifest.usable && traceOpened) {
    try {
      await replayBundle(root);
    } catch (error) {
      if (!(error instanceof ReplayError)) throw error;
      const where = error.location;
      const message = [error.message, ...error.causes].join(": ");
      const location: { -readonly [K in keyof Location]: Location[K] } = {
        file: where?.payload ?? where?.file ?? TRACE_LOG_FILE,
      };
      if (where?.line !== undefined) location.line = where.line;
      if (where?.seq !== undefined) location.seq = where.seq;
      log.add("error", "replay", `the reducer stops here: ${message}`, location);
    }
  }
  return finish(trace.version);
}

function checkManifest(root: string, log: ProblemLog, schemas: Schemas): ManifestFacts {
  const where = { file: MANIFEST_FILE };
  const unusable: ManifestFacts = { version: null, rolloutId: null, usable: false };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(root, MANIFEST_FILE));
  } catch (error) {
    const missing = (error as { code?: string }).code === "ENOENT";
    log.add(
      "error",
      missing ? "manifest_missing" : "manifest_unreadable",
      missing ? "the bundle has no manifest.json" : `cannot read manifest.json: ${describeIoError(error)}`,
      where,
    );
    return unusable;
  }
  const value = parseDocument(bytes);
  if (value instanceof Error) {
    log.add("error", "manifest_json", `manifest.json is not valid JSON: ${value.message}`, where);
    return unusable;
  }

  const record = isObject(value) ? value : undefined;
  const declared = record && get(record, "schema_version");
  const version = declared === 1 || declared === 2 ? declared : null;
  let schemaErrors = 0;
  for (const issue of schemas.manifest.errors(value)) {
    // A present but unknown version gets its own problem below.
    if (issue.path === "/schema_version" && declared !== undefined) continue;
    schemaErrors++;
    log.add("error", "manifest_schema", issue.message, { ...where, path: issue.path });
  }
  if (declared !== undefined && version === null) {
    log.add(
      "error",
      "manifest_version",
      `unknown trace schema ${JSON.stringify(declared)}: the known trace schemas are 1 and 2`,
      { ...where, path: "/schema_version" },
    );
  }
  if (record !== undefined) {
    for (const [field, expected] of [
      ["raw_event_log", TRACE_LOG_FILE],
      ["payloads_dir", "payloads"],
    ] as const) {
      const actual = get(record, field);
      if (typeof actual === "string" && actual !== expected) {
        log.add(
          "warning",
          "manifest_layout",
          `${field} is ${JSON.stringify(actual)}, but readers always use ${JSON.stringify(expected)}`,
          { ...where, path: `/${field}` },
        );
      }
    }
  }
  const declaredRollout = record && get(record, "rollout_id");
  const rolloutId = typeof declaredRollout === "string" ? declaredRollout : null;
  return { version, rolloutId, usable: version !== null && schemaErrors === 0 };
}

/** Streams trace.jsonl once, checking each line and every payload the line refers to. */
class TraceChecker {
  version: TraceVersion | null;
  private readonly root: string;
  private realRoot: string | null = null;
  private readonly manifest: ManifestFacts;
  private readonly log: ProblemLog;
  private readonly schemas: Schemas;
  private readonly stats: { -readonly [K in keyof ValidationStats]: number };
  private lastSeq = 0;
  /** An unreadable line may have carried the next seq: the following gap is not reported again. */
  private seqUnknown = false;
  /** The seq before a jump forward, to recognise a single wrong seq when the sequence resumes after it. */
  private seqJumpedFrom: number | undefined;
  private recordingCompleted = false;
  private lastEventType: string | undefined;
  private readonly refsById = new Map<string, { path: string; kind: string | undefined; line: number }>();
  private readonly idsByPath = new Map<string, string>();
  /** Resolved payload files already read (each is read at most once). */
  private readonly payloadsRead = new Set<string>();

  constructor(
    root: string,
    manifest: ManifestFacts,
    log: ProblemLog,
    stats: { -readonly [K in keyof ValidationStats]: number },
    schemas: Schemas,
  ) {
    this.schemas = schemas;
    this.root = root;
    this.manifest = manifest;
    this.version = manifest.version;
    this.log = log;
    this.stats = stats;
  }

  /** Checks every line; false when trace.jsonl cannot be opened. */
  async run(onProgress: ValidateOptions["onProgress"]): Promise<boolean> {
    let fd: number;
    try {
      fd = fs.openSync(path.join(this.root, TRACE_LOG_FILE), "r");
    } catch (error) {
      const missing = (error as { code?: string }).code === "ENOENT";
      this.log.add(
        "error",
        "trace_missing",
        missing ? "the bundle has no trace.jsonl" : `cannot open trace.jsonl: ${describeIoError(error)}`,
        { file: TRACE_LOG_FILE },
      );
      return false;
    }
    try {
      const totalBytes = fs.fstatSync(fd).size;
      this.stats.bytes = totalBytes;
      let bytesRead = 0;
      const report = () => onProgress?.({ bytesRead, totalBytes, events: this.stats.events });
      for (const line of readLines(fd)) {
        bytesRead = line.offset;
        this.stats.lines = line.number;
        this.checkLine(line.text, line.number, line.terminated);
        if (line.number % LINES_PER_BATCH === 0) {
          report();
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      report();
    } catch (error) {
      if (typeof (error as { code?: unknown }).code !== "string") throw error;
      this.log.add("error", "trace_unreadable", `cannot read trace.jsonl: ${describeIoError(error)}`, {
        file: TRACE_LOG_FILE,
        line: this.stats.lines + 1,
      });
    } finally {
      fs.closeSync(fd);
    }
    if (this.version === 2 && this.stats.events > 0 && this.lastEventType !== "recording_completed") {
      this.log.add(
        "warning",
        "recording_incomplete",
        "the last event is not recording_completed: the recording was cut short (a crash or a copy made while it ran)",
        { file: TRACE_LOG_FILE, line: this.stats.lines },
      );
    }
    return true;
  }

  private checkLine(text: string | null, line: number, terminated: boolean): void {
    const where = { file: TRACE_LOG_FILE, line };
    if (text === null) {
      this.stats.events++;
      this.seqUnknown = true;
      this.log.add("error", "trace_encoding", "the line is not valid UTF-8", where);
      return;
    }
    if (BLANK_LINE.test(text)) return;
    this.stats.events++;
    let value: JsonValue;
    try {
      value = parseJson(text);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      this.seqUnknown = true;
      if (terminated) this.log.add("error", "trace_json", `not valid JSON: ${error.message}`, where);
      else
        this.log.add(
          "error",
          "trace_torn",
          `the last line is cut off (no newline, not valid JSON: ${error.message}); a crashed writer leaves this, and \`reduce --partial\` skips it`,
          where,
        );
      return;
    }
    if (!terminated) {
      this.log.add(
        "warning",
        "trace_unterminated",
        "the last line has no terminating newline (the writer ends every line with one)",
        where,
      );
    }

    const event = isObject(value) ? value : undefined;
    const rawSeq = event && get(event, "seq");
    const seq = typeof rawSeq === "number" && Number.isSafeInteger(rawSeq) ? rawSeq : undefined;
    const located = seq === undefined ? where : { ...where, seq };
    const declared = event && get(event, "schema_version");
    if (this.version === null && (declared === 1 || declared === 2)) this.version = declared;
    const version = this.version;
    // Schema 1 readers ignore the envelope's version, seq and rollout_id; schema 2 rejects the bundle.
    const strictness: ProblemSeverity = version === 2 ? "error" : "warning";

    if (version !== null && declared !== undefined && declared !== version) {
      this.log.add(
        strictness,
        "event_version",
        `event schema_version is ${JSON.stringify(declared)} in a trace schema ${version} bundle`,
        { ...located, path: "/schema_version" },
      );
    }
    if (this.recordingCompleted) {
      this.log.add("error", "event_after_completion", "event after recording_completed", located);
    }
    if (seq !== undefined) this.checkSeq(seq, strictness, located);
    const rolloutId = event && get(event, "rollout_id");
    if (
      this.manifest.rolloutId !== null &&
      typeof rolloutId === "string" &&
      rolloutId !== this.manifest.rolloutId
    ) {
      this.log.add(
        strictness,
        "event_rollout",
        `rollout_id ${JSON.stringify(rolloutId)} is not the manifest's ${JSON.stringify(this.manifest.rolloutId)}`,
        { ...located, path: "/rollout_id" },
      );
    }

    const rawPayload = event && get(event, "payload");
    const payload = isObject(rawPayload) ? rawPayload : undefined;
    const rawType = payload && get(payload, "type");
    const type = typeof rawType === "string" ? rawType : undefined;
    this.lastEventType = type;
    if (version === 2 && type === "recording_completed") this.recordingCompleted = true;

    const refs: PayloadRefSighting[] = [];
    if (payload !== undefined) collectRefs(payload, "/payload", refs);
    const refPointers = new Set<string>();
    for (const ref of refs) {
      this.stats.payloadRefs++;
      if (this.checkRef(ref, located)) refPointers.add(`${ref.pointer}/path`);
    }

    for (const issue of this.schemas.event(version).errors(value)) {
      if (issue.path === "/schema_version" && declared !== undefined) continue;
      // A ref whose path was refused above is already explained; its pattern error would repeat it.
      if (issue.keyword === "pattern" && refPointers.has(issue.path)) continue;
      this.log.add("error", "event_schema", issue.message, { ...located, path: issue.path });
    }
  }

  private checkSeq(seq: number, severity: ProblemSeverity, where: Location): void {
    const previous = this.lastSeq;
    const afterUnreadable = this.seqUnknown;
    const jumpedFrom = this.seqJumpedFrom;
    this.seqUnknown = false;
    this.seqJumpedFrom = undefined;
    // After a jump, the old sequence resuming means one seq was wrong, not that every later one is out of order.
    const resumes = jumpedFrom !== undefined && seq === jumpedFrom + 2;
    if (seq === previous + 1 || resumes || (afterUnreadable && seq > previous)) {
      this.lastSeq = seq;
      return;
    }
    let message: string;
    if (seq > previous + 1) {
      const missing = previous + 1 === seq - 1 ? `${previous + 1} is` : `${previous + 1} to ${seq - 1} are`;
      message =
        previous === 0
          ? `the first seq is ${seq}, not 1`
          : `seq ${seq} follows seq ${previous}: ${missing} missing`;
      this.seqJumpedFrom = previous;
      this.lastSeq = seq;
    } else if (seq === previous) {
      message = `seq ${seq} is repeated`;
    } else {
      message = `seq ${seq} comes after seq ${previous} (out of order)`;
    }
    this.log.add(severity, "event_seq", message, { ...where, path: "/seq" });
  }

  /** Checks one payload reference and, the first time it is seen, its file; true when its path was refused. */
  private checkRef(ref: PayloadRefSighting, where: Location): boolean {
    const at = (suffix: string): Location => ({ ...where, path: `${ref.pointer}${suffix}` });
    const idNumber = PAYLOAD_ID.exec(ref.id)?.[1];
    const pathNumber = PAYLOAD_PATH.exec(ref.path)?.[1];
    if (idNumber !== undefined && pathNumber !== undefined && idNumber !== pathNumber) {
      this.log.add(
        "error",
        "payload_ref_mismatch",
        `${ref.id} points at ${ref.path}, not payloads/${idNumber}.json`,
        at("/path"),
      );
    }
    const earlier = this.refsById.get(ref.id);
    if (earlier === undefined) {
      this.refsById.set(ref.id, { path: ref.path, kind: ref.kind, line: where.line ?? 0 });
    } else if (earlier.path !== ref.path || earlier.kind !== ref.kind) {
      this.log.add(
        "error",
        "payload_ref_mismatch",
        `${ref.id} was referenced at line ${earlier.line} as ${describeRef(earlier)}, here as ${describeRef(ref)}`,
        at(""),
      );
    }
    const otherId = this.idsByPath.get(ref.path);
    if (otherId === undefined) this.idsByPath.set(ref.path, ref.id);
    else if (otherId !== ref.id) {
      this.log.add(
        "error",
        "payload_ref_mismatch",
        `${ref.path} is referenced both as ${otherId} and as ${ref.id}`,
        at("/path"),
      );
    }

    const file = this.resolveRefPath(ref.path, at("/path"));
    if (file === null) return true;
    if (this.payloadsRead.has(file)) return false;
    this.payloadsRead.add(file);
    this.stats.payloadFiles++;
    this.checkPayloadFile(file, ref, where);
    return false;
  }

  /** The file a ref names, or null (after reporting) when it is not safely inside the bundle. */
  private resolveRefPath(relative: string, where: Location): string | null {
    const refuse = (why: string): null => {
      this.log.add("error", "payload_path", `payload path ${JSON.stringify(relative)} ${why}`, where);
      return null;
    };
    if (relative.includes("\0")) return refuse("contains a NUL byte");
    if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) return refuse("is absolute");
    const file = path.resolve(this.root, relative);
    if (!isInside(this.root, file)) return refuse("leaves the bundle directory");
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      return file; // Missing: reading it reports the problem.
    }
    this.realRoot ??= fs.realpathSync(this.root);
    if (!isInside(this.realRoot, real))
      return refuse("resolves through a symbolic link to a file outside the bundle");
    return real;
  }

  private checkPayloadFile(file: string, ref: PayloadRefSighting, event: Location): void {
    const where: Location = { ...event, file: ref.path };
    let bytes: Buffer;
    try {
      const stat = fs.statSync(file);
      if (stat.isDirectory()) {
        this.log.add("error", "payload_unreadable", `${ref.id} names a directory, not a file`, where);
        return;
      }
      if (stat.size > MAX_PAYLOAD_BYTES) {
        this.log.add(
          "error",
          "payload_too_large",
          `${ref.id} is ${stat.size} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`,
          where,
        );
        return;
      }
      bytes = fs.readFileSync(file);
    } catch (error) {
      const missing = (error as { code?: string }).code === "ENOENT";
      this.log.add(
        "error",
        missing ? "payload_missing" : "payload_unreadable",
        missing ? `${ref.id} has no file ${ref.path}` : `cannot read ${ref.id}: ${describeIoError(error)}`,
        where,
      );
      return;
    }
    const document = parseDocument(bytes);
    if (document instanceof Error) {
      this.log.add("error", "payload_json", `${ref.id} is not valid JSON: ${document.message}`, where);
      return;
    }
    if (ref.kind === undefined || !this.schemas.kinds.has(ref.kind)) return; // The event's schema error names it.
    for (const issue of this.schemas.payload(ref.kind as RawPayloadKindName).errors(document)) {
      this.log.add("error", "payload_schema", `${ref.kind} payload: ${issue.message}`, {
        ...where,
        path: issue.path,
      });
    }
  }
}

/** Payload references anywhere in an event payload: objects with a string id and path and a `{type}` kind. */
function collectRefs(value: JsonValue, pointer: string, out: PayloadRefSighting[]): void {
  if (Array.isArray(value)) {
    value.forEach((element, index) => {
      collectRefs(element, `${pointer}/${index}`, out);
    });
    return;
  }
  if (!isObject(value)) return;
  const id = get(value, "raw_payload_id");
  const file = get(value, "path");
  const kindObject = get(value, "kind");
  if (typeof id === "string" && typeof file === "string" && isObject(kindObject)) {
    const kind = get(kindObject, "type");
    out.push({ pointer, id, path: file, kind: typeof kind === "string" ? kind : undefined });
    return;
  }
  for (const key of Object.keys(value))
    collectRefs(value[key] as JsonValue, `${pointer}/${escapePointer(key)}`, out);
}

function describeRef(ref: { path: string; kind: string | undefined }): string {
  return `${ref.kind ?? "(no kind)"} at ${ref.path}`;
}

function parseDocument(bytes: Buffer): JsonValue | Error {
  if (!isUtf8(bytes)) return new JsonSyntaxError("the file is not valid UTF-8");
  try {
    return parseJson(bytes.toString("utf8"));
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
}

function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
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
