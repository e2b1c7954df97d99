/**
 * @rollout-trace/cli: the `rollout-trace` command. `runCli` is the whole program; `bin/rollout-trace.js` calls it.
 * @packageDocumentation
 */
import { ReplayError } from "@rollout-trace/reducer";
import { Command, CommanderError } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { registerConvert } from "./commands/convert/index.ts";
import { registerDemo } from "./commands/demo/index.ts";
import { registerInspect } from "./commands/inspect/index.ts";
import { registerReduce } from "./commands/reduce/index.ts";
import { registerSchema } from "./commands/schema/index.ts";
import { registerValidate } from "./commands/validate/index.ts";
import type { CommandContext } from "./internal/context.ts";
import { CliError, EXIT_DATA, EXIT_OK, EXIT_USAGE } from "./internal/errors.ts";
import { Terminal } from "./internal/terminal.ts";

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  invalid data: a bundle that does not replay or validate, a file that cannot be read or written
  2  usage error: unknown command or option, bad or missing argument

Environment:
  NO_COLOR     never use colours
  FORCE_COLOR  use colours even when the output is not a terminal ("0" turns them off)`;

function buildProgram(context: CommandContext): Command {
  const { terminal } = context;
  const program = new Command("rollout-trace")
    .description(
      "Reduce, validate, inspect and convert Codex trace bundles (trace schema 1 and 2).\n" +
        "New here? Run `rollout-trace demo` to record a demo session and see its report.",
    )
    .version(packageJson.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--debug", "print the stack trace of an internal error")
    // Program options only before the command, so `schema --version 2` is the command's option.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => terminal.stdout.write(text),
      writeErr: (text) => terminal.stderr.write(text),
      getOutHasColors: () => terminal.outHasColors,
      getErrHasColors: () => terminal.errHasColors,
      outputError: (text, write) => write(terminal.err.red(text)),
    })
    .configureHelp({
      styleTitle: (text) => terminal.out.bold(text),
      styleCommandText: (text) => terminal.out.cyan(text),
    })
    .addHelpText("after", EXIT_CODES_HELP);
  program.addHelpCommand("help [command]", "show help for a command");

  registerReduce(program, context);
  registerValidate(program, context);
  registerInspect(program, context);
  registerConvert(program, context);
  registerDemo(program, context);
  registerSchema(program, context);
  return program;
}

/** Whether `--debug` was given anywhere before a `--` terminator. */
function debugRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--debug");
}

/** Runs the command line `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const terminal = new Terminal(process.stdout, process.stderr, process.env);
  const context: CommandContext = { terminal, exitCode: EXIT_OK };
  // A reader that stops early (`| head`) is not an error: stop writing and exit quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(context.exitCode);
  });
  try {
    await buildProgram(context).parseAsync([...argv], { from: "user" });
    return context.exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help text).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof CliError) {
      terminal.error(error.message);
      return error.exitCode;
    }
    if (error instanceof ReplayError) {
      terminal.error(error.describe());
      return EXIT_DATA;
    }
    const message = error instanceof Error ? error.message : String(error);
    terminal.error(`internal error, please report it (with the command you ran): ${message}`);
    if (debugRequested(argv) && error instanceof Error && error.stack) terminal.note(error.stack);
    else terminal.note("run again with --debug to see the stack trace");
    return EXIT_DATA;
  }
}
