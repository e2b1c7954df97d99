import type { Terminal } from "./terminal.ts";

/** What a command needs besides its arguments. */
export interface CommandContext {
  readonly terminal: Terminal;
  /** Set by a command that completes but must report failure (e.g. `validate` on an invalid bundle). */
  exitCode: number;
}
