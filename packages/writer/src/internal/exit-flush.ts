/** Something holding data that must reach the OS before the process exits. */
export interface ExitFlushable {
  flushBeforeExit(): void;
}

// One process listener for every open writer, so many writers never trip the max-listeners warning.
const pendingAtExit = new Set<ExitFlushable>();

function flushAllBeforeExit(): void {
  for (const writer of pendingAtExit) writer.flushBeforeExit();
}

export function flushOnExit(writer: ExitFlushable): void {
  if (pendingAtExit.size === 0) process.on("exit", flushAllBeforeExit);
  pendingAtExit.add(writer);
}

export function stopFlushingOnExit(writer: ExitFlushable): void {
  if (pendingAtExit.delete(writer) && pendingAtExit.size === 0) process.off("exit", flushAllBeforeExit);
}
