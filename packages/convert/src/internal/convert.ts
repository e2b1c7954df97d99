// convertBundle: check the source completely, build the schema-2 bundle in a staging directory next to the target,
// then move it into place with one rename. The source is only ever read.
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { MANIFEST_FILE_NAME, PAYLOADS_DIR_NAME, RAW_EVENT_LOG_FILE_NAME } from "@rollout-trace/schema";
import { ConversionError, refuse } from "./errors.ts";
import { integerNode, stringifyPretty, withMember } from "./json-tree.ts";
import { readLogLines } from "./lines.ts";
import { type ConversionReport, ReportBuilder } from "./report.ts";
import { writeRewrittenRequest } from "./requests.ts";
import { openSource, type SourceBundle } from "./source.ts";
import { type ConversionPlan, surveySource } from "./survey.ts";
import { EventTransformer, type RewrittenRequest } from "./transform.ts";

export interface ConvertOptions {
  /** Target trace schema; only 2 exists. */
  readonly to?: 2;
  /**
   * Infer acceptance: add a `history_item_accepted` for every output item with a Responses `id` right after its
   * inference ends, as Codex 0.169.0 records it. Off by default, because schema 1 never recorded acceptance.
   */
  readonly acceptOutputs?: boolean;
  /** Replace an existing target (an empty directory or a trace bundle). Off by default. */
  readonly overwrite?: boolean;
}

/** Buffered trace.jsonl output: lines are written in batches of about this many characters. */
const WRITE_BATCH_CHARS = 1 << 20;

/**
 * Rewrites the trace-schema-1 bundle in `sourceDir` as a trace-schema-2 bundle in `targetDir`, and reports what it
 * changed and what could not be carried over. Throws a {@link ConversionError} (and writes nothing) when the source
 * is not schema 1, cannot be represented in schema 2, or the target cannot be written.
 */
export async function convertBundle(
  sourceDir: string,
  targetDir: string,
  options: ConvertOptions = {},
): Promise<ConversionReport> {
  if (options.to !== undefined && options.to !== 2) {
    refuse("invalid_options", `cannot convert to trace schema ${String(options.to)}: only 2 is supported`, {
      file: ".",
    });
  }
  const sourcePath = path.resolve(sourceDir);
  const targetPath = path.resolve(targetDir);
  try {
    const source = await openSource(sourcePath);
    const replacing = await checkTarget(sourcePath, targetPath, options.overwrite === true);
    const plan = await surveySource(source, options.acceptOutputs === true);
    const parent = path.dirname(targetPath);
    await fs.mkdir(parent, { recursive: true });
    const staging = await fs.mkdtemp(path.join(parent, `.${path.basename(targetPath)}.converting-`));
    try {
      const report = new ReportBuilder();
      const counts = await writeBundle(source, plan, staging, report, options.acceptOutputs === true);
      await install(staging, targetPath, replacing);
      return report.build(sourcePath, targetPath, counts);
    } catch (error) {
      await fs.rm(staging, { recursive: true, force: true });
      throw error;
    }
  } catch (error) {
    throw asConversionError(error);
  }
}

/** File-system failures become ConversionErrors (code `io`); anything else is a bug and stays as it is. */
function asConversionError(error: unknown): unknown {
  if (error instanceof ConversionError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== "string") return error;
  return new ConversionError([
    {
      code: "io",
      message: (error as Error).message,
      where: { file: "." },
    },
  ]);
}

/** The real path of `file`, or of its nearest existing ancestor joined with the rest. */
async function realPathOfPossiblyMissing(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    const parent = path.dirname(file);
    if (parent === file) return file;
    return path.join(await realPathOfPossiblyMissing(parent), path.basename(file));
  }
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return (
    relative !== "" &&
    !relative.startsWith(`..${path.sep}`) &&
    relative !== ".." &&
    !path.isAbsolute(relative)
  );
}

/** Refuses targets that would touch the source or clobber something that is not a bundle; true when replacing. */
async function checkTarget(sourcePath: string, targetPath: string, overwrite: boolean): Promise<boolean> {
  const where = { file: "." };
  const source = await fs.realpath(sourcePath);
  const target = await realPathOfPossiblyMissing(targetPath);
  if (target === source) {
    refuse(
      "target_refused",
      `the target ${targetPath} is the source bundle; a conversion never modifies its source`,
      where,
    );
  }
  if (isInside(source, target)) {
    refuse(
      "target_refused",
      `the target ${targetPath} lies inside the source bundle, which is never modified`,
      where,
    );
  }
  if (isInside(target, source)) {
    refuse("target_refused", `the target ${targetPath} contains the source bundle`, where);
  }
  const stats = await fs.lstat(targetPath).catch(() => null);
  if (stats === null) return false;
  if (!overwrite)
    refuse("target_exists", `the target ${targetPath} already exists (pass overwrite to replace it)`, where);
  if (!stats.isDirectory()) {
    refuse(
      "target_refused",
      `the target ${targetPath} exists and is not a directory; refusing to replace it`,
      where,
    );
  }
  const entries = await fs.readdir(targetPath);
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE_NAME)) {
    refuse(
      "target_refused",
      `the target ${targetPath} is neither empty nor a trace bundle; refusing to replace it`,
      where,
    );
  }
  return true;
}

/** Moves the finished staging directory to the target; a replaced target is removed only after the move worked. */
async function install(staging: string, targetPath: string, replacing: boolean): Promise<void> {
  if (!replacing) {
    // Checked again right before the rename: renaming onto an empty directory would silently replace it.
    if ((await fs.lstat(targetPath).catch(() => null)) !== null) {
      refuse("target_exists", `the target ${targetPath} appeared during the conversion`, { file: "." });
    }
    await fs.rename(staging, targetPath);
    return;
  }
  const previous = `${staging}.previous`;
  await fs.rename(targetPath, previous);
  try {
    await fs.rename(staging, targetPath);
  } catch (error) {
    await fs.rename(previous, targetPath);
    throw error;
  }
  await fs.rm(previous, { recursive: true, force: true });
}

async function writeBundle(
  source: SourceBundle,
  plan: ConversionPlan,
  staging: string,
  report: ReportBuilder,
  acceptOutputs: boolean,
): Promise<Parameters<ReportBuilder["build"]>[2]> {
  await fs.mkdir(path.join(staging, PAYLOADS_DIR_NAME));
  for (const name of source.payloadFiles) {
    await fs.copyFile(
      path.join(source.dir, PAYLOADS_DIR_NAME, name),
      path.join(staging, PAYLOADS_DIR_NAME, name),
      fsConstants.COPYFILE_EXCL,
    );
  }
  for (const name of source.skippedEntries) {
    const file = `${PAYLOADS_DIR_NAME}/${name}`;
    report.note(
      "payload_file_skipped",
      `${file} is not a payload file (a regular file named <n>.json) and was not copied`,
      {
        file,
      },
    );
  }

  const rewrittenRequests = new Map<number, RewrittenRequest>();
  let ordinal = plan.highestOrdinal;
  for (const [line, request] of [...plan.requests].sort(([a], [b]) => a - b)) {
    if (request.rewrite === "keep") continue;
    ordinal += 1n;
    rewrittenRequests.set(line, await writeRewrittenRequest(source.dir, staging, request, ordinal));
  }

  const targetEvents = await writeEvents(source, plan, staging, report, acceptOutputs, rewrittenRequests);
  const manifest = withMember(source.manifest, "schema_version", integerNode(2));
  await fs.writeFile(path.join(staging, MANIFEST_FILE_NAME), stringifyPretty(manifest), { flag: "wx" });

  noteBundleLosses(plan, report, acceptOutputs);
  return {
    sourceLines: plan.sourceLines,
    sourceEvents: plan.sourceEvents,
    targetEvents,
    payloadsCopied: source.payloadFiles.length,
    payloadsWritten: rewrittenRequests.size,
  };
}

async function writeEvents(
  source: SourceBundle,
  plan: ConversionPlan,
  staging: string,
  report: ReportBuilder,
  acceptOutputs: boolean,
  rewrittenRequests: ReadonlyMap<number, RewrittenRequest>,
): Promise<number> {
  const input = await fs.open(path.join(source.dir, RAW_EVENT_LOG_FILE_NAME), "r");
  const output = await fs.open(path.join(staging, RAW_EVENT_LOG_FILE_NAME), "wx");
  try {
    let pending: string[] = [];
    let pendingChars = 0;
    const transformer = new EventTransformer(
      { plan, rolloutId: source.rolloutId, report, acceptOutputs, rewrittenRequests },
      (line) => {
        pending.push(line, "\n");
        pendingChars += line.length + 1;
      },
    );
    const flush = async () => {
      if (pending.length === 0) return;
      await output.write(pending.join(""));
      pending = [];
      pendingChars = 0;
    };
    for await (const line of readLogLines(input)) {
      // The first pass refused any line that is not UTF-8.
      transformer.line(line.number, line.text!);
      if (pendingChars >= WRITE_BATCH_CHARS) await flush();
    }
    transformer.finish();
    await flush();
    return transformer.written;
  } finally {
    await output.close();
    await input.close();
  }
}

/** Losses that concern the bundle as a whole rather than one line. */
function noteBundleLosses(plan: ConversionPlan, report: ReportBuilder, acceptOutputs: boolean): void {
  const log = { file: RAW_EVENT_LOG_FILE_NAME };
  report.note(
    "acceptance_not_recorded",
    acceptOutputs
      ? "schema 1 does not record which items Codex committed to history: acceptance of output items was inferred (see acceptance_inferred), but turn inputs, tool outputs and agent messages carry no acceptance in schema-2 readers"
      : "schema 1 does not record which items Codex committed to history, and none was invented: schema-2 readers show no accepted_* fields, and model output items that no later request sights again stay out of the thread transcripts (acceptOutputs infers their acceptance)",
    log,
  );
  const usage = plan.usageWithoutCacheWrite;
  if (usage.first !== null) {
    report.note(
      "cache_write_tokens_unknown",
      `${usage.count} inference response${usage.count === 1 ? "" : "s"} record token usage without cache_write_input_tokens (schema 1 has no such count); schema-2 readers show 0`,
      usage.first,
    );
  }
}
