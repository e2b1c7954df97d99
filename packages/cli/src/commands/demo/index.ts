// `demo`: the first thing a new user runs. Records a realistic agent session as a trace bundle, reduces it, writes
// state.json beside it and prints the report, with a short guide to what is on the screen and what to try next.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type InspectReport, inspectState } from "@rollout-trace/reducer";
import type { RolloutTrace } from "@rollout-trace/schema";
import { type Command, InvalidArgumentError } from "commander";
import { reduceBundle } from "../../internal/bundle.ts";
import type { CommandContext } from "../../internal/context.ts";
import { CliError } from "../../internal/errors.ts";
import { renderReport } from "../../internal/report.ts";
import { displayText } from "../../internal/sanitize.ts";
import type { Colors } from "../../internal/terminal.ts";
import { writeFileAtomically } from "../reduce/index.ts";

interface DemoOptions {
  readonly schema: 1 | 2;
}

function traceVersion(value: string): 1 | 2 {
  if (value === "1") return 1;
  if (value === "2") return 2;
  throw new InvalidArgumentError("the trace schema versions are 1 and 2");
}

/** A path as a shell would need it: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function guide(report: InspectReport, bundle: string, c: Colors): string[] {
  const where = displayText(shellWord(bundle));
  const child = report.threads.find((thread) => thread.depth > 0);
  const tryNext: [string, string][] = [
    ["the same report as JSON", `rollout-trace inspect ${where}/state.json --json`],
    ["check the bundle against the trace format", `rollout-trace validate ${where}`],
    ["replay it into a state.json of your own", `rollout-trace reduce ${where} -o state.json`],
    ["the JSON Schemas of every file in a bundle", "rollout-trace schema --out schemas"],
  ];
  if (child !== undefined) {
    const thread = displayText(shellWord(child.agentPath));
    tryNext.unshift(["only the child agent's thread", `rollout-trace inspect ${where} --thread ${thread}`]);
  }
  return [
    c.bold("What you are looking at"),
    "  An agent session was recorded, event by event, into a trace bundle: manifest.json, trace.jsonl (one event",
    "  per line) and payloads/ (the exact requests, responses and tool documents). The reducer replayed those events",
    "  into state.json, the graph this report is drawn from: the thread tree, each turn's inference calls with the",
    "  items the model saw and produced, the tool calls and the terminal or code cell that ran them, compactions,",
    "  and the edges along which parent and child agents passed work and results.",
    "",
    c.bold("Try next"),
    ...tryNext.flatMap(([what, command]) => [`  ${what}:`, `    ${c.cyan(command)}`]),
  ];
}

export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command("demo")
    .summary("record a demo agent session, reduce it and show its report")
    .description(
      "Record a realistic agent session (a shell command, a code cell with a nested tool call, a child agent that " +
        "reports back, a compaction) as a trace bundle, reduce it into state.json and print the report. Start here.",
    )
    .argument(
      "[dir]",
      "directory to create the bundle in (default: a new directory under the system temp dir)",
    )
    .option("--schema <1|2>", "trace schema to record", traceVersion, 2)
    .option("--debug", "print the stack trace of an internal error")
    .action(async (dir: string | undefined, options: DemoOptions) => {
      const { terminal } = context;
      const root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-demo-"));
      // Loaded here: only this command needs the producer and the writer.
      const { recordDemoSession } = await import("@rollout-trace/producer/demo");
      let bundle: string;
      try {
        bundle = await recordDemoSession(root, { schemaVersion: options.schema });
      } catch (error) {
        throw new CliError(
          `cannot record the demo session: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const result = await reduceBundle(terminal, bundle, false);
      const stateFile = path.join(bundle, "state.json");
      writeFileAtomically(stateFile, result.serialize());
      const report = inspectState(result.state as unknown as RolloutTrace);

      const c = terminal.out;
      terminal.print(
        `${c.green("✓")} recorded a demo session (trace schema ${options.schema}) into ${displayText(bundle)}`,
      );
      terminal.print(`${c.green("✓")} reduced it into ${displayText(stateFile)}`);
      terminal.print();
      terminal.print(renderReport(report, c));
      terminal.print();
      terminal.print(guide(report, bundle, c).join("\n"));
    });
}
