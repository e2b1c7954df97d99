/** Where an error was found in a bundle: the file and, for trace.jsonl, the 1-based line and the event's seq. */
export interface ErrorLocation {
  readonly file: string;
  readonly line?: number;
  readonly seq?: number;
  /** The payload file (bundle-relative) being read when the error happened. */
  readonly payload?: string;
}

/**
 * A replay failure. `message` is the reference reducer's message (what `codex debug trace-reduce` prints after
 * `Error:`); `causes` is its `Caused by:` chain; `location` says where in the bundle it happened.
 */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  readonly causes: readonly string[];
  location: ErrorLocation | undefined;

  constructor(message: string, causes: readonly string[] = [], location?: ErrorLocation) {
    super(message);
    this.causes = causes;
    this.location = location;
  }

  /** The message, its causes and its location, as the CLI prints it. */
  describe(): string {
    const lines = [this.message];
    for (const cause of this.causes) lines.push(`  caused by: ${cause}`);
    const where = this.location;
    if (where) {
      const parts = [where.file];
      if (where.line !== undefined) parts.push(`line ${where.line}`);
      if (where.seq !== undefined) parts.push(`seq ${where.seq}`);
      if (where.payload !== undefined) parts.push(`payload ${where.payload}`);
      lines.push(`  at ${parts.join(", ")}`);
    }
    return lines.join("\n");
  }
}

/** Shorthand for a reducer invariant failure; the driver adds the location. */
export function fail(message: string, ...causes: string[]): never {
  throw new ReplayError(message, causes);
}

/** Re-throws an error with an outer context message, keeping the inner message as the first cause. */
export function withContext<T>(context: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw contextualize(context, error);
  }
}

export function contextualize(context: string, error: unknown): ReplayError {
  if (error instanceof ReplayError)
    return new ReplayError(context, [error.message, ...error.causes], error.location);
  const message = error instanceof Error ? error.message : String(error);
  return new ReplayError(context, [message]);
}
