// Where output goes and how it looks: colours only on a terminal (never with NO_COLOR, always with FORCE_COLOR),
// data on stdout, messages on stderr.
import pc from "picocolors";
import { displayLines } from "./sanitize.ts";

export type Colors = ReturnType<typeof pc.createColors>;

/** NO_COLOR (non-empty) always wins; FORCE_COLOR turns colours on unless it is "0" or "false"; else a TTY decides. */
function colorsWanted(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

export class Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Colours for text written to stdout. */
  readonly out: Colors;
  /** Colours for text written to stderr. */
  readonly err: Colors;
  readonly outHasColors: boolean;
  readonly errHasColors: boolean;

  constructor(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, env: NodeJS.ProcessEnv) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.outHasColors = colorsWanted(stdout, env);
    this.errHasColors = colorsWanted(stderr, env);
    this.out = pc.createColors(this.outHasColors);
    this.err = pc.createColors(this.errHasColors);
  }

  /** Interactive extras (progress bars) only when a person watches stderr. */
  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }

  print(text = ""): void {
    this.stdout.write(`${text}\n`);
  }

  /** A message on stderr; its text may come from a trace, so every line is made safe. */
  note(text: string): void {
    this.stderr.write(`${displayLines(text)}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.err.yellow("warning:")} ${displayLines(text)}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${this.err.red(this.err.bold("error:"))} ${displayLines(text)}\n`);
  }
}
