// I/O errors worded the way the reference (Rust std::io::Error) prints them, so messages match its output.
const OS_ERRORS: Record<string, [number, string]> = {
  ENOENT: [2, "No such file or directory"],
  EACCES: [13, "Permission denied"],
  EPERM: [1, "Operation not permitted"],
  EISDIR: [21, "Is a directory"],
  ENOTDIR: [20, "Not a directory"],
  ELOOP: [40, "Too many levels of symbolic links"],
  EMFILE: [24, "Too many open files"],
  EIO: [5, "Input/output error"],
};

export function describeIoError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  const known = code === undefined ? undefined : OS_ERRORS[code];
  if (known) return `${known[1]} (os error ${known[0]})`;
  return error instanceof Error ? error.message : String(error);
}
