/**
 * @rollout-trace/reducer: replays a Codex trace bundle (trace schema 1 or 2) into its reduced graph, byte-identical
 * to the reference reducer's state.json.
 * @packageDocumentation
 */

export type { ErrorLocation } from "./internal/errors.ts";
export { ReplayError } from "./internal/errors.ts";
export type { TraceVersion } from "./internal/events.ts";
export type {
  AnchorReport,
  CodeCellReport,
  CompactionReport,
  CompactionRequestReport,
  EdgeReport,
  InferenceReport,
  InspectCounts,
  InspectReport,
  OriginReport,
  ShortText,
  TerminalOperationReport,
  TerminalSessionReport,
  ThreadReport,
  TokenTotals,
  TokenUsageReport,
  ToolCallReport,
  ToolKindTally,
  TranscriptEntry,
  TurnReport,
} from "./internal/inspect.ts";
export { inspectState, SHORT_TEXT_LIMIT } from "./internal/inspect.ts";
export type { JsonValue } from "./internal/json.ts";
export { parseJson } from "./internal/json.ts";
export type { RawPayloadRef } from "./internal/model.ts";
export type {
  ReplayDiagnostic,
  ReplayOptions,
  ReplayProgress,
  ReplayResult,
} from "./internal/node/bundle.ts";
export { readBundleManifest, replayBundle, replayBundleSync } from "./internal/node/bundle.ts";
export { MAX_PAYLOAD_BYTES } from "./internal/node/payloads.ts";
export type {
  BundleProblem,
  BundleValidation,
  OmittedProblems,
  ProblemCode,
  ProblemSeverity,
  ValidateOptions,
  ValidationStats,
} from "./internal/node/validate.ts";
export { validateBundle } from "./internal/node/validate.ts";
export type { ReplayOutput, TraceManifestFields } from "./internal/replay.ts";
export {
  decodeManifest,
  Replay,
  SUPPORTED_TRACE_SCHEMAS,
  traceVersionOf,
} from "./internal/replay.ts";
export { serializeState } from "./internal/serialize.ts";
export type { PayloadReader } from "./internal/state.ts";
export { PayloadReadError } from "./internal/state.ts";
