import { type Static, type TSchema, Type } from "typebox";
import { AgentResultObserved } from "./agent-result-observed.ts";
import { CodeCellEnded } from "./code-cell-ended.ts";
import { CodeCellInitialResponse } from "./code-cell-initial-response.ts";
import { CodeCellStarted } from "./code-cell-started.ts";
import { CodexTurnEnded } from "./codex-turn-ended.ts";
import { CodexTurnStarted } from "./codex-turn-started.ts";
import { CompactionInstalled } from "./compaction-installed.ts";
import { CompactionRequestCompleted } from "./compaction-request-completed.ts";
import { CompactionRequestFailed } from "./compaction-request-failed.ts";
import { CompactionRequestStarted } from "./compaction-request-started.ts";
import { HistoryItemAccepted } from "./history-item-accepted.ts";
import { InferenceCancelled } from "./inference-cancelled.ts";
import { InferenceCompleted } from "./inference-completed.ts";
import { InferenceFailed } from "./inference-failed.ts";
import { InferenceStartedV1, InferenceStartedV2 } from "./inference-started.ts";
import { McpToolCallCorrelationAssigned } from "./mcp-tool-call-correlation-assigned.ts";
import { Other } from "./other.ts";
import { ProtocolEventObserved } from "./protocol-event-observed.ts";
import { RecordingCompleted } from "./recording-completed.ts";
import { RolloutEnded } from "./rollout-ended.ts";
import { RolloutStarted } from "./rollout-started.ts";
import { StdinTargetResolved } from "./stdin-target-resolved.ts";
import { ThreadEnded } from "./thread-ended.ts";
import { ThreadResumed } from "./thread-resumed.ts";
import { ThreadStarted } from "./thread-started.ts";
import { ToolCallEnded } from "./tool-call-ended.ts";
import { ToolCallRuntimeEnded } from "./tool-call-runtime-ended.ts";
import { ToolCallRuntimeStartedV1, ToolCallRuntimeStartedV2 } from "./tool-call-runtime-started.ts";
import { ToolCallStarted } from "./tool-call-started.ts";

// Variant lists follow the reference's declaration order (schema 2 order from its serde variant list).
const variantsV1 = [
  RolloutStarted,
  RolloutEnded,
  ThreadStarted,
  ThreadEnded,
  CodexTurnStarted,
  CodexTurnEnded,
  InferenceStartedV1,
  InferenceCompleted,
  InferenceFailed,
  InferenceCancelled,
  ToolCallStarted,
  McpToolCallCorrelationAssigned,
  ToolCallRuntimeStartedV1,
  ToolCallRuntimeEnded,
  ToolCallEnded,
  CodeCellStarted,
  CodeCellInitialResponse,
  CodeCellEnded,
  CompactionRequestStarted,
  CompactionRequestCompleted,
  CompactionRequestFailed,
  CompactionInstalled,
  AgentResultObserved,
  ProtocolEventObserved,
  Other,
] as const;

const variantsV2 = [
  RecordingCompleted,
  RolloutStarted,
  RolloutEnded,
  ThreadStarted,
  ThreadEnded,
  ThreadResumed,
  CodexTurnStarted,
  CodexTurnEnded,
  HistoryItemAccepted,
  InferenceStartedV2,
  InferenceCompleted,
  InferenceFailed,
  InferenceCancelled,
  ToolCallStarted,
  McpToolCallCorrelationAssigned,
  StdinTargetResolved,
  ToolCallRuntimeStartedV2,
  ToolCallRuntimeEnded,
  ToolCallEnded,
  CodeCellStarted,
  CodeCellInitialResponse,
  CodeCellEnded,
  CompactionRequestStarted,
  CompactionRequestCompleted,
  CompactionRequestFailed,
  CompactionInstalled,
  AgentResultObserved,
  ProtocolEventObserved,
  Other,
] as const;

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Any event payload of trace schema 1, tagged by `type`. */
export const RawTraceEventPayloadV1 = Type.Union([...variantsV1], {
  title: "RawTraceEventPayloadV1",
  description:
    "Event payload of trace schema 1: internally tagged by `type`; unknown extra keys are ignored.",
});

/** Any event payload of trace schema 2, tagged by `type`. */
export const RawTraceEventPayloadV2 = Type.Union([...variantsV2], {
  title: "RawTraceEventPayloadV2",
  description:
    "Event payload of trace schema 2: internally tagged by `type`; unknown extra keys are ignored.",
});

/** Any event payload of either schema version. */
export const RawTraceEventPayload = Type.Union(
  [
    RecordingCompleted,
    RolloutStarted,
    RolloutEnded,
    ThreadStarted,
    ThreadEnded,
    ThreadResumed,
    CodexTurnStarted,
    CodexTurnEnded,
    HistoryItemAccepted,
    InferenceStartedV1,
    InferenceStartedV2,
    InferenceCompleted,
    InferenceFailed,
    InferenceCancelled,
    ToolCallStarted,
    McpToolCallCorrelationAssigned,
    StdinTargetResolved,
    ToolCallRuntimeStartedV1,
    ToolCallRuntimeStartedV2,
    ToolCallRuntimeEnded,
    ToolCallEnded,
    CodeCellStarted,
    CodeCellInitialResponse,
    CodeCellEnded,
    CompactionRequestStarted,
    CompactionRequestCompleted,
    CompactionRequestFailed,
    CompactionInstalled,
    AgentResultObserved,
    ProtocolEventObserved,
    Other,
  ],
  {
    title: "RawTraceEventPayload",
    description: "Event payload of either trace schema version.",
  },
);

/** Event `type` tags of trace schema 1, in declaration order. */
export const RAW_TRACE_EVENT_TYPES_V1 = variantsV1.map((variant) => variant.properties.type.const);

/** Event `type` tags of trace schema 2, in declaration order. */
export const RAW_TRACE_EVENT_TYPES_V2 = variantsV2.map((variant) => variant.properties.type.const);

/** Payload schema of every event type, per trace schema version (used by validators and the generator). */
export const EVENT_PAYLOAD_VARIANTS: { readonly [V in 1 | 2]: ReadonlyMap<string, TSchema> } = {
  1: new Map(variantsV1.map((variant) => [variant.properties.type.const, variant])),
  2: new Map(variantsV2.map((variant) => [variant.properties.type.const, variant])),
};

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Any event payload of trace schema 1. */
export type RawTraceEventPayloadV1 = Static<typeof RawTraceEventPayloadV1>;
/** Any event payload of trace schema 2. */
export type RawTraceEventPayloadV2 = Static<typeof RawTraceEventPayloadV2>;
/** Any event payload of either schema version. */
export type RawTraceEventPayload = Static<typeof RawTraceEventPayload>;
/** An event `type` tag of trace schema 1. */
export type RawTraceEventTypeV1 = RawTraceEventPayloadV1["type"];
/** An event `type` tag of trace schema 2. */
export type RawTraceEventTypeV2 = RawTraceEventPayloadV2["type"];
/** An event `type` tag of either schema version. */
export type RawTraceEventType = RawTraceEventPayload["type"];
