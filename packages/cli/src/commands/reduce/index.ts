// `reduce`: the reference `codex debug trace-reduce`, byte for byte: writes state.json (or -o FILE) and prints its
// path. Nothing is written unless the whole replay succeeds.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { reduceBundle } from "../../internal/bundle.ts";
import type { CommandContext } from "../../internal/context.ts";
import { CliError } from "../../internal/errors.ts";

interface ReduceOptions {
  readonly output?: string;
  readonly partial?: boolean;
}

/** Writes through a temporary file beside the target, so a failure never leaves a partial or stale file. */
export function writeFileAtomically(target: string, text: string): void {
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    fs.writeFileSync(temporary, text, { flag: "wx" });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot write ${target}: ${reason}`);
  }
}

export function registerReduce(program: Command, context: CommandContext): void {
  program
    .command("reduce")
    .summary("replay a bundle into state.json, byte-identical to `codex debug trace-reduce`")
    .description(
      "Replay a trace bundle (schema 1 or 2) into its reduced state and write it as state.json, byte-identical to the " +
        "file the matching Codex release writes with `codex debug trace-reduce`. Prints the path it wrote. On any " +
        "replay error nothing is written.",
    )
    .argument("<bundle>", "bundle directory (holding manifest.json and trace.jsonl)")
    .option("-o, --output <file>", "where to write the state (default: <bundle>/state.json)")
    .option(
      "--partial",
      "tolerate a torn last line or trailing garbage left by a crashed writer; the skipped tail is reported on stderr " +
        "and recorded in the state's replay_diagnostics",
    )
    .option("--debug", "print the stack trace of an internal error")
    .action(async (bundle: string, options: ReduceOptions) => {
      const { terminal } = context;
      const result = await reduceBundle(terminal, bundle, options.partial === true);
      const target = options.output ?? path.join(bundle, "state.json");
      writeFileAtomically(target, result.serialize());
      for (const diagnostic of result.diagnostics)
        terminal.warn(`${diagnostic.file} line ${diagnostic.line}: ${diagnostic.message}`);
      terminal.print(target);
    });
}
