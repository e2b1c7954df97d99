// `convert --to 2`: rewrites a trace-schema-1 bundle as a schema-2 bundle current Codex reads, and says what changed
// and what could not be carried over. The work is @rollout-trace/convert's; this prints its report.
import path from "node:path";
import {
  ConversionError,
  type ConversionLocation,
  type ConversionNote,
  type ConversionReport,
  convertBundle,
} from "@rollout-trace/convert";
import { type Command, InvalidArgumentError } from "commander";
import { requireDirectory } from "../../internal/bundle.ts";
import type { CommandContext } from "../../internal/context.ts";
import { CliError } from "../../internal/errors.ts";
import { displayText, safeJson } from "../../internal/sanitize.ts";
import type { Colors } from "../../internal/terminal.ts";

interface ConvertOptions {
  readonly to: 2;
  readonly output?: string;
  readonly acceptOutputs?: boolean;
  readonly overwrite?: boolean;
  readonly json?: boolean;
}

function targetSchema(value: string): 2 {
  if (value !== "2") throw new InvalidArgumentError("only trace schema 2 is a conversion target");
  return 2;
}

function where(location: ConversionLocation): string {
  const parts = [location.file];
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.seq !== undefined) parts.push(`seq ${location.seq}`);
  if (location.payload !== undefined) parts.push(location.payload);
  return parts.join(", ");
}

function renderNotes(
  title: string,
  notes: readonly ConversionNote[],
  report: ConversionReport,
  c: Colors,
): string[] {
  if (notes.length === 0) return [];
  const lines = ["", c.bold(title)];
  const codes = [...new Set(notes.map((note) => note.code))];
  for (const code of codes) {
    const total = report.counts.byCode[code] ?? 0;
    lines.push(`  ${c.cyan(code)} ×${total}`);
    for (const note of notes.filter((n) => n.code === code)) {
      lines.push(
        `    ${displayText(note.message, { oneLine: true, max: 160 })}  ${c.dim(displayText(where(note.where), { oneLine: true, max: 80 }))}`,
      );
    }
    const omitted = report.omitted.find((entry) => entry.code === code);
    if (omitted) lines.push(c.dim(`    … and ${omitted.count} more`));
  }
  return lines;
}

export function registerConvert(program: Command, context: CommandContext): void {
  program
    .command("convert")
    .summary("rewrite a schema-1 bundle as a schema-2 bundle that current Codex reads")
    .description(
      "Rewrite a trace-schema-1 bundle (Codex up to 0.164.0) as a trace-schema-2 bundle that current Codex " +
        "(0.165.0 and later) reads, and report every change and everything that could not be carried over. The source " +
        "is never modified; the target is written completely or not at all.",
    )
    .argument("<bundle>", "schema-1 bundle directory")
    .requiredOption("--to <schema>", "target trace schema (2)", targetSchema)
    .option(
      "-o, --output <dir>",
      "where to write the converted bundle (default: <bundle>.schema2 beside the source)",
    )
    .option(
      "--accept-outputs",
      "infer history acceptance for model output items, as Codex 0.169.0 records it (schema 1 does not record it)",
    )
    .option("--overwrite", "replace an existing target bundle")
    .option("--json", "print the conversion report as JSON")
    .option("--debug", "print the stack trace of an internal error")
    .action(async (bundle: string, options: ConvertOptions) => {
      const { terminal } = context;
      requireDirectory(bundle);
      const target = options.output ?? `${path.resolve(bundle)}.schema2`;
      let report: ConversionReport;
      try {
        report = await convertBundle(bundle, target, {
          to: options.to,
          acceptOutputs: options.acceptOutputs === true,
          overwrite: options.overwrite === true,
        });
      } catch (error) {
        if (!(error instanceof ConversionError)) throw error;
        const lines = error.problems.map((problem) => `${problem.message} (${where(problem.where)})`);
        if (error.omitted > 0) lines.push(`… and ${error.omitted} more`);
        throw new CliError(`cannot convert ${bundle}:\n${lines.join("\n")}`);
      }
      if (options.json) {
        terminal.print(safeJson(report));
        return;
      }
      const c = terminal.out;
      const { counts } = report;
      terminal.print(
        `${c.bold("converted")} ${displayText(bundle)} (trace schema 1) → ${displayText(target)} (trace schema 2): ` +
          `${counts.sourceEvents} events in, ${counts.targetEvents} out · ${counts.payloadsCopied} payloads copied` +
          (counts.payloadsWritten > 0 ? `, ${counts.payloadsWritten} rewritten` : ""),
      );
      for (const line of renderNotes("Changed", report.changes, report, c)) terminal.print(line);
      for (const line of renderNotes("Not carried over", report.losses, report, c)) terminal.print(line);
    });
}
