import type { ConversionErrorCode, ConversionLocation, ConversionNote } from "./report.ts";

/** A problem that stops a conversion. */
export type ConversionProblem = ConversionNote<ConversionErrorCode>;

/** How many problems a refusal lists; the rest are counted in `omitted`. */
const PROBLEMS_LISTED = 20;
/** How many of them the error message itself spells out. */
const PROBLEMS_IN_MESSAGE = 3;

function describeLocation(where: ConversionLocation): string {
  const parts = [where.file];
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.seq !== undefined) parts.push(`seq ${where.seq}`);
  if (where.payload !== undefined && where.payload !== where.file) parts.push(`payload ${where.payload}`);
  return parts.join(", ");
}

/**
 * The conversion was refused; nothing was written to the target. `problems` says why and where (the first
 * `PROBLEMS_LISTED` found; `omitted` counts the rest), `code` is the first problem's code.
 */
export class ConversionError extends Error {
  override readonly name = "ConversionError";
  readonly code: ConversionErrorCode;
  readonly problems: readonly ConversionProblem[];
  readonly omitted: number;

  constructor(problems: readonly ConversionProblem[], omitted = 0) {
    const first = problems[0];
    if (first === undefined) throw new RangeError("a ConversionError needs at least one problem");
    const shown = problems
      .slice(0, PROBLEMS_IN_MESSAGE)
      .map((problem) => `${problem.message} (${describeLocation(problem.where)})`);
    const more = problems.length + omitted - shown.length;
    super(`${shown.join("; ")}${more > 0 ? `; and ${more} more problem${more === 1 ? "" : "s"}` : ""}`);
    this.code = first.code;
    this.problems = problems;
    this.omitted = omitted;
  }
}

export function refuse(code: ConversionErrorCode, message: string, where: ConversionLocation): never {
  throw new ConversionError([{ code, message, where }]);
}

/** Collects every problem of a pass over the source, so one refusal names all of them. */
export class ProblemList {
  private readonly problems: ConversionProblem[] = [];
  private extra = 0;

  add(code: ConversionErrorCode, message: string, where: ConversionLocation): void {
    if (this.problems.length < PROBLEMS_LISTED) this.problems.push({ code, message, where });
    else this.extra++;
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConversionError(this.problems, this.extra);
  }
}
