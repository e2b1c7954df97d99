// `inspect`: a readable report of a bundle (reduced in memory) or of a state.json.
import fs from "node:fs";
import { type InspectReport, inspectState } from "@rollout-trace/reducer";
import type { RolloutTrace } from "@rollout-trace/schema";
import type { Command } from "commander";
import { reduceBundle } from "../../internal/bundle.ts";
import type { CommandContext } from "../../internal/context.ts";
import { CliError, UsageError } from "../../internal/errors.ts";
import { renderReport } from "../../internal/report.ts";
import { displayText, safeJson } from "../../internal/sanitize.ts";

interface InspectOptions {
  readonly thread?: string;
  readonly json?: boolean;
  readonly partial?: boolean;
}

const SHOWN_ISSUES = 5;

async function readState(file: string): Promise<RolloutTrace> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${file} is not JSON (${(error as Error).message}); give a bundle directory or a state.json`,
    );
  }
  // Loaded only here: building the validators costs more than the rest of the startup.
  const { stateValidator } = await import("@rollout-trace/schema/validate");
  if (!stateValidator.check(value)) {
    const issues = stateValidator.errors(value);
    const shown = issues
      .slice(0, SHOWN_ISSUES)
      .map((issue) => `  ${issue.path || "(root)"}: ${issue.message}`);
    const more = issues.length > SHOWN_ISSUES ? [`  … and ${issues.length - SHOWN_ISSUES} more`] : [];
    throw new CliError(
      [
        `${file} is not a rollout-trace state (a state.json as \`reduce\` writes it):`,
        ...shown,
        ...more,
      ].join("\n"),
    );
  }
  return value;
}

/** The report narrowed to one thread (by id or agent path) and the edges that touch it. */
function selectThread(report: InspectReport, wanted: string): InspectReport {
  const thread =
    report.threads.find((candidate) => candidate.threadId === wanted) ??
    report.threads.find((candidate) => candidate.agentPath === wanted);
  if (thread === undefined) {
    const known = report.threads.map((candidate) => `${candidate.agentPath} (${candidate.threadId})`);
    throw new UsageError(
      `no thread ${displayText(wanted, { oneLine: true, max: 80 })} in this trace; threads: ${known.join(", ") || "none"}`,
    );
  }
  const touches = (threadId: string | null) => threadId === thread.threadId;
  return {
    ...report,
    threads: [thread],
    interactionEdges: report.interactionEdges.filter(
      (edge) => touches(edge.source.threadId) || touches(edge.target.threadId),
    ),
  };
}

async function loadReport(context: CommandContext, target: string, partial: boolean): Promise<InspectReport> {
  let isDirectory: boolean;
  try {
    isDirectory = fs.statSync(target).isDirectory();
  } catch {
    throw new CliError(`cannot open ${target}: no such file or directory`);
  }
  if (!isDirectory) return inspectState(await readState(target));
  const result = await reduceBundle(context.terminal, target, partial);
  // The reducer's state has the shape of state.json (it is what `serialize()` writes).
  return inspectState(result.state as unknown as RolloutTrace);
}

export function registerInspect(program: Command, context: CommandContext): void {
  program
    .command("inspect")
    .summary("print a readable report of a bundle or a state.json")
    .description(
      "Print a readable report: rollout status and duration, the thread tree with agent paths, and per thread its " +
        "turns, inference calls (model, tokens, latency, status), tool calls by kind and status, code cells, terminal " +
        "sessions, compactions, and the model-visible conversation as a transcript; then the interaction edges " +
        "between threads. A bundle is reduced in memory first; a state.json is read as is.",
    )
    .argument("<bundle-or-state>", "bundle directory, or a state.json written by `reduce`")
    .option("--thread <id>", "only this thread (a thread id or an agent path such as /root/worker)")
    .option("--json", "print the report as JSON")
    .option("--partial", "when reducing a bundle, tolerate a torn last line (see `reduce --partial`)")
    .option("--debug", "print the stack trace of an internal error")
    .action(async (target: string, options: InspectOptions) => {
      const { terminal } = context;
      let report = await loadReport(context, target, options.partial === true);
      if (options.thread !== undefined) report = selectThread(report, options.thread);
      terminal.print(options.json ? safeJson(report) : renderReport(report, terminal.out));
    });
}
