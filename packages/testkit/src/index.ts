export type {
  Corruption,
  CorruptionKind,
  FeatureGroup,
  RolloutOptions,
  RolloutSize,
} from "./arbitraries.ts";
export { corruptionArbitrary, rolloutArbitrary, scriptArbitrary } from "./arbitraries.ts";
export type { BundleContent, GeneratedBundle, InferenceModel, RequestMode, ThreadModel } from "./bundle.ts";
export {
  markCompactJson,
  serializeEvent,
  serializeEventLog,
  serializePretty,
  writeBundleToDir,
} from "./bundle.ts";
export { compileScript } from "./internal/compiler.ts";
export { ERROR_INJECTIONS, SCHEMA_2_ERROR_INJECTIONS } from "./internal/errors.ts";
export type { RolloutFeature } from "./internal/features.ts";
export { ROLLOUT_FEATURES, SCHEMA_1_ONLY_FEATURES, SCHEMA_2_ONLY_FEATURES } from "./internal/features.ts";
export type {
  CallScript,
  ChildTurnScript,
  CompactionMode,
  ErrorInjection,
  ExecOutcome,
  InferenceOutcome,
  MultiAgentMode,
  NestedCallScript,
  ReasoningScript,
  RolloutScript,
  SessionScript,
  StepScript,
  TurnScript,
} from "./internal/script.ts";
export type { ReferenceBatchOptions, ReferenceResult, ReferenceRunOptions } from "./reference.ts";
export {
  referenceBinary,
  referenceRequired,
  referenceVersion,
  repositoryRoot,
  runReference,
  runReferenceBatch,
  trimReferenceError,
} from "./reference.ts";
