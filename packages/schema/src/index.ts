// Schema values and their static types share a name: `ThreadStarted` is both a TypeBox schema and a TS type.

export type { TSchema } from "typebox";
export {
  CodeCellRuntimeStatus,
  ExecutionStatus,
  InferenceRequestInputMode,
  RawToolCallRequester,
  RolloutStatus,
  ToolCallKind,
  ToolCallSummary,
} from "./enums.ts";
export { RawTraceEvent, RawTraceEventV1, RawTraceEventV2 } from "./envelope.ts";
export { AgentResultObserved } from "./events/agent-result-observed.ts";
export { CodeCellEnded } from "./events/code-cell-ended.ts";
export { CodeCellInitialResponse } from "./events/code-cell-initial-response.ts";
export { CodeCellStarted } from "./events/code-cell-started.ts";
export { CodexTurnEnded } from "./events/codex-turn-ended.ts";
export { CodexTurnStarted } from "./events/codex-turn-started.ts";
export { CompactionInstalled } from "./events/compaction-installed.ts";
export { CompactionRequestCompleted } from "./events/compaction-request-completed.ts";
export { CompactionRequestFailed } from "./events/compaction-request-failed.ts";
export { CompactionRequestStarted } from "./events/compaction-request-started.ts";
export { HistoryItemAccepted } from "./events/history-item-accepted.ts";
export type { RawTraceEventType, RawTraceEventTypeV1, RawTraceEventTypeV2 } from "./events/index.ts";
export {
  RAW_TRACE_EVENT_TYPES_V1,
  RAW_TRACE_EVENT_TYPES_V2,
  RawTraceEventPayload,
  RawTraceEventPayloadV1,
  RawTraceEventPayloadV2,
} from "./events/index.ts";
export { InferenceCancelled } from "./events/inference-cancelled.ts";
export { InferenceCompleted } from "./events/inference-completed.ts";
export { InferenceFailed } from "./events/inference-failed.ts";
export { InferenceStarted, InferenceStartedV1, InferenceStartedV2 } from "./events/inference-started.ts";
export { McpToolCallCorrelationAssigned } from "./events/mcp-tool-call-correlation-assigned.ts";
export { Other } from "./events/other.ts";
export { ProtocolEventObserved } from "./events/protocol-event-observed.ts";
export { RecordingCompleted } from "./events/recording-completed.ts";
export { RolloutEnded } from "./events/rollout-ended.ts";
export { RolloutStarted } from "./events/rollout-started.ts";
export { StdinTargetResolved } from "./events/stdin-target-resolved.ts";
export { ThreadEnded } from "./events/thread-ended.ts";
export { ThreadResumed } from "./events/thread-resumed.ts";
export { ThreadStarted } from "./events/thread-started.ts";
export { ToolCallEnded } from "./events/tool-call-ended.ts";
export { ToolCallRuntimeEnded } from "./events/tool-call-runtime-ended.ts";
export {
  ToolCallRuntimeStarted,
  ToolCallRuntimeStartedV1,
  ToolCallRuntimeStartedV2,
} from "./events/tool-call-runtime-started.ts";
export { ToolCallStarted } from "./events/tool-call-started.ts";
export {
  MANIFEST_FILE_NAME,
  PAYLOADS_DIR_NAME,
  RAW_EVENT_LOG_FILE_NAME,
  REDUCED_STATE_FILE_NAME,
  TraceManifest,
} from "./manifest.ts";
export {
  RAW_PAYLOAD_KIND_NAMES,
  RawPayloadId,
  RawPayloadKind,
  RawPayloadKindName,
  RawPayloadRef,
} from "./payload-ref.ts";
export { AgentResultPayload, AgentStatus } from "./payloads/agent-result.ts";
export { CompactionCheckpointPayload } from "./payloads/compaction-checkpoint.ts";
export { CompactionRequestPayload } from "./payloads/compaction-request.ts";
export { CompactionResponsePayload } from "./payloads/compaction-response.ts";
export type { PayloadDocument } from "./payloads/index.ts";
export { PAYLOAD_DOCUMENT_SCHEMAS } from "./payloads/index.ts";
export { InferenceRequestPayload } from "./payloads/inference-request.ts";
export { InferenceResponsePayload, ProtocolTokenUsage } from "./payloads/inference-response.ts";
export { isOmittedPayload, OmittedPayload, OmittedPayloadNote } from "./payloads/omitted-payload.ts";
export { ProtocolEventPayload } from "./payloads/protocol-event.ts";
export { ResponseItem, ResponseOutputItem, SerializationErrorItem } from "./payloads/response-item.ts";
export { SessionSource, ThreadSpawnSource, ThreadStartedTraceMetadata } from "./payloads/session-metadata.ts";
export { ToolDispatchPayload, ToolInvocationPayload } from "./payloads/tool-invocation.ts";
export { CodeCellRuntimeResult, ToolDispatchResult, ToolResultPayload } from "./payloads/tool-result.ts";
export { ToolRuntimeEventPayload } from "./payloads/tool-runtime-event.ts";
export { AgentOrigin, AgentThread } from "./state/agent-thread.ts";
export { CodeCell, CodeCellV1, CodeCellV2 } from "./state/code-cell.ts";
export { CodexTurn } from "./state/codex-turn.ts";
export { Compaction, CompactionRequest } from "./state/compaction.ts";
export {
  AgentMessageRouting,
  ConversationBody,
  ConversationChannel,
  ConversationItem,
  ConversationItemKind,
  ConversationItemV1,
  ConversationItemV2,
  ConversationPart,
  ConversationRole,
  ProducerRef,
} from "./state/conversation.ts";
export { ExecutionWindow } from "./state/execution-window.ts";
export {
  InferenceCall,
  InferenceCallV1,
  InferenceCallV2,
  TokenUsage,
  TokenUsageV1,
  TokenUsageV2,
} from "./state/inference-call.ts";
export { InteractionEdge, InteractionEdgeKind, TraceAnchor } from "./state/interaction-edge.ts";
export { ReplayDiagnostics, RolloutTrace, RolloutTraceV1, RolloutTraceV2 } from "./state/rollout-trace.ts";
export {
  TerminalModelObservation,
  TerminalObservationSource,
  TerminalOperation,
  TerminalOperationKind,
  TerminalRequest,
  TerminalResult,
  TerminalSession,
} from "./state/terminal.ts";
export { ToolCall, ToolCallRequester, ToolCallV1, ToolCallV2 } from "./state/tool-call.ts";
export { LATEST_TRACE_SCHEMA_VERSION, TRACE_SCHEMA_VERSIONS, TraceSchemaVersion } from "./versions.ts";
