// `schema`: copies the JSON Schema files shipped in @rollout-trace/schema, for validators in other languages.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import type { CommandContext } from "../../internal/context.ts";
import { CliError } from "../../internal/errors.ts";

interface SchemaOptions {
  readonly out: string;
  readonly version?: 1 | 2;
}

const DEFAULT_OUT = "rollout-trace-schemas";

function traceVersion(value: string): 1 | 2 {
  if (value === "1") return 1;
  if (value === "2") return 2;
  throw new InvalidArgumentError("the trace schema versions are 1 and 2");
}

/** The `schemas/` folder of the installed @rollout-trace/schema package. */
function schemaDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@rollout-trace/schema/package.json")), "schemas");
}

/** Files describing one trace schema version: its event and state schemas plus the shared ones. */
function belongsTo(file: string, version: 1 | 2 | undefined): boolean {
  if (version === undefined) return true;
  if (file === "manifest.schema.json" || file.startsWith("payload-")) return true;
  return file === `event.v${version}.schema.json` || file === `state.v${version}.schema.json`;
}

export function registerSchema(program: Command, context: CommandContext): void {
  program
    .command("schema")
    .summary("write the JSON Schema files of the trace format")
    .description(
      "Write the draft 2020-12 JSON Schema files of the trace format (manifest, trace.jsonl events, payload " +
        "documents, state.json) into a directory, for validators in other languages. Without --version, the files of " +
        "both trace schemas are written, including event.schema.json and state.schema.json, which accept either.",
    )
    .option("--out <dir>", "directory to write into (created if missing)", DEFAULT_OUT)
    .option("--version <1|2>", "only the files of this trace schema version", traceVersion)
    .option("--debug", "print the stack trace of an internal error")
    .action((options: SchemaOptions) => {
      const source = schemaDirectory();
      const files = fs
        .readdirSync(source)
        .filter((file) => file.endsWith(".schema.json") && belongsTo(file, options.version))
        .sort();
      try {
        fs.mkdirSync(options.out, { recursive: true });
        for (const file of files) fs.copyFileSync(path.join(source, file), path.join(options.out, file));
      } catch (error) {
        throw new CliError(
          `cannot write into ${options.out}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      for (const file of files) context.terminal.print(path.join(options.out, file));
    });
}
