/**
 * Why a writer call failed.
 * - `io`: the file system refused a write; the writer is now `failed` and records nothing more.
 * - `unserializable`: `JSON.stringify` rejected a value (BigInt, cycle, ...) or did not yield the expected JSON shape.
 * - `invalid_event`: the event failed schema validation (`validate: true`) or breaks a bundle rule.
 * - `invalid_argument`: an option, id, payload kind or stream chunk has the wrong type or value.
 */
export type BundleWriterErrorReason = "io" | "unserializable" | "invalid_event" | "invalid_argument";

/** The error handed to `onError`; `cause` carries the underlying error when there is one. */
export class BundleWriterError extends Error {
  override readonly name = "BundleWriterError";
  readonly reason: BundleWriterErrorReason;

  constructor(reason: BundleWriterErrorReason, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
