// `validate`: every problem of a bundle, grouped by file, each with its line, seq and JSON path.
import { type BundleProblem, type BundleValidation, validateBundle } from "@rollout-trace/reducer";
import { type Command, InvalidArgumentError } from "commander";
import { requireDirectory } from "../../internal/bundle.ts";
import type { CommandContext } from "../../internal/context.ts";
import { EXIT_DATA } from "../../internal/errors.ts";
import { startProgress } from "../../internal/progress.ts";
import { displayText, safeJson } from "../../internal/sanitize.ts";
import type { Colors, Terminal } from "../../internal/terminal.ts";

interface ValidateOptions {
  readonly json?: boolean;
  readonly replay: boolean;
  readonly strict?: boolean;
  readonly maxProblems: number;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function locationOf(problem: BundleProblem): string {
  const parts: string[] = [];
  if (problem.line !== undefined) parts.push(`line ${problem.line}`);
  if (problem.seq !== undefined) parts.push(`seq ${problem.seq}`);
  return parts.join(", ");
}

function renderProblems(result: BundleValidation, bundle: string, c: Colors): string[] {
  const lines: string[] = [];
  const schema =
    result.schemaVersion === null ? "unknown trace schema" : `trace schema ${result.schemaVersion}`;
  const { stats } = result;
  lines.push(
    `${c.bold(displayText(bundle))}: checked as ${schema} · ${plural(stats.events, "event")} on ${plural(stats.lines, "line")} · ${plural(stats.payloadFiles, "payload file")}`,
  );

  // Grouped by file, files in the order their first problem was found.
  const byFile = new Map<string, BundleProblem[]>();
  for (const problem of result.problems) {
    const group = byFile.get(problem.file) ?? [];
    group.push(problem);
    byFile.set(problem.file, group);
  }
  for (const [file, problems] of byFile) {
    lines.push("", c.bold(displayText(file, { oneLine: true, max: 120 })));
    for (const problem of problems) {
      const severity = problem.severity === "error" ? c.red("error  ") : c.yellow("warning");
      const where = locationOf(problem);
      const pointer =
        problem.path === undefined || problem.path === ""
          ? ""
          : `${c.cyan(displayText(problem.path, { max: 80 }))}  `;
      lines.push(
        `  ${severity} ${where === "" ? "" : `${c.dim(where)}  `}${pointer}${displayText(problem.message, { oneLine: true, max: 240 })}  ${c.dim(`[${problem.code}]`)}`,
      );
    }
  }
  if (result.omitted.length > 0) {
    lines.push("");
    for (const omitted of result.omitted)
      lines.push(
        c.dim(
          `… and ${omitted.count} more ${omitted.code} ${omitted.severity}${omitted.count === 1 ? "" : "s"}`,
        ),
      );
  }

  lines.push("");
  if (result.errors === 0 && result.warnings === 0) lines.push(c.green("✓ valid: no problems found"));
  else if (result.errors === 0) lines.push(c.yellow(`✓ valid, with ${plural(result.warnings, "warning")}`));
  else
    lines.push(c.red(`✗ invalid: ${plural(result.errors, "error")}, ${plural(result.warnings, "warning")}`));
  return lines;
}

async function validateWithProgress(terminal: Terminal, bundle: string, options: ValidateOptions) {
  const progress = startProgress(terminal, "validating");
  try {
    return await validateBundle(bundle, {
      replay: options.replay,
      maxProblemsPerCode: options.maxProblems,
      onProgress: (update) => progress.update(update),
    });
  } finally {
    progress.stop();
  }
}

export function registerValidate(program: Command, context: CommandContext): void {
  program
    .command("validate")
    .summary("check a bundle against the trace format and report every problem")
    .description(
      "Check a trace bundle against the trace format (the schema its manifest names) and report every problem, not " +
        "only the first: the manifest, each line of trace.jsonl (JSON, event schema, seq order, rollout id, events " +
        "after recording_completed) and every payload file a line refers to. Then replay it and report the first " +
        "reducer error, if any. Exits 0 when no error was found (warnings allowed unless --strict).",
    )
    .argument("<bundle>", "bundle directory")
    .option("--json", "print the result as JSON")
    .option("--no-replay", "skip the replay; check the format only")
    .option("--strict", "fail on warnings too")
    .option(
      "--max-problems <n>",
      "problems listed per kind before the rest are only counted",
      positiveInteger,
      20,
    )
    .option("--debug", "print the stack trace of an internal error")
    .action(async (bundle: string, options: ValidateOptions) => {
      const { terminal } = context;
      requireDirectory(bundle);
      const result = await validateWithProgress(terminal, bundle, options);
      if (options.json) terminal.print(safeJson(result));
      else terminal.print(renderProblems(result, bundle, terminal.out).join("\n"));
      const failed = !result.ok || (options.strict === true && result.warnings > 0);
      if (failed) context.exitCode = EXIT_DATA;
    });
}
