/** Exit codes of every command; documented in the README and in `--help`. */
export const EXIT_OK = 0;
/** Invalid data, a replay error, or a file that cannot be read or written. */
export const EXIT_DATA = 1;
/** Bad arguments. */
export const EXIT_USAGE = 2;

/** An expected failure: its message is printed as is (no stack) and the process exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT_DATA) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad argument: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}
