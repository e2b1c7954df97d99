/**
 * @rollout-trace/convert: rewrites a Codex trace-schema-1 bundle as a trace-schema-2 bundle that current Codex
 * (0.165.0 and later) accepts, and reports what it changed and what could not be carried over.
 * @packageDocumentation
 */

export type { ConvertOptions } from "./internal/convert.ts";
export { convertBundle } from "./internal/convert.ts";
export type { ConversionProblem } from "./internal/errors.ts";
export { ConversionError } from "./internal/errors.ts";
export type {
  ChangeCode,
  ConversionCode,
  ConversionCounts,
  ConversionErrorCode,
  ConversionLocation,
  ConversionNote,
  ConversionReport,
  LossCode,
  OmittedNotes,
} from "./internal/report.ts";
export { NOTES_PER_CODE } from "./internal/report.ts";
