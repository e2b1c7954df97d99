export { createBundleWriter } from "./internal/bundle-writer.ts";
export { BundleWriterError, type BundleWriterErrorReason } from "./internal/errors.ts";
export {
  bundleDirectoryName,
  CODEX_TRACE_ROOT_ENV,
  createRootBundleWriter,
  type RootBundleWriterOptions,
  resolveTraceRoot,
  TRACE_ROOT_ENV,
} from "./internal/root.ts";
export type {
  BundleWriter,
  BundleWriterOptions,
  EventContext,
  TraceEventChunk,
  WriterState,
  WriterStats,
} from "./internal/types.ts";
