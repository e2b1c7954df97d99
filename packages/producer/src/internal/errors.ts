/** What `onError` receives when a helper refuses a call: the call and why it would have broken the bundle. */
export class TraceUsageError extends Error {
  override readonly name = "TraceUsageError";
  /** The refused call, e.g. `turn.startInference`. */
  readonly call: string;

  constructor(call: string, problem: string) {
    super(`${call} was not recorded: ${problem}`);
    this.call = call;
  }
}
