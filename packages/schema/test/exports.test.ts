import { describe, expect, test } from "vitest";
import * as api from "../src/index.ts";
import * as validate from "../src/validate.ts";

// The names other packages import; keep in step with their briefs.
const REQUIRED_SCHEMAS = [
  "TraceManifest",
  "RawPayloadRef",
  "RawPayloadKind",
  "RawPayloadKindName",
  "RawTraceEventV1",
  "RawTraceEventV2",
  "RawTraceEvent",
  "RawTraceEventPayloadV1",
  "RawTraceEventPayloadV2",
  "RawTraceEventPayload",
  "RolloutStarted",
  "RolloutEnded",
  "ThreadStarted",
  "ThreadEnded",
  "ThreadResumed",
  "CodexTurnStarted",
  "CodexTurnEnded",
  "HistoryItemAccepted",
  "InferenceStarted",
  "InferenceStartedV1",
  "InferenceStartedV2",
  "InferenceCompleted",
  "InferenceFailed",
  "InferenceCancelled",
  "ToolCallStarted",
  "McpToolCallCorrelationAssigned",
  "StdinTargetResolved",
  "ToolCallRuntimeStarted",
  "ToolCallRuntimeStartedV1",
  "ToolCallRuntimeStartedV2",
  "ToolCallRuntimeEnded",
  "ToolCallEnded",
  "CodeCellStarted",
  "CodeCellInitialResponse",
  "CodeCellEnded",
  "CompactionRequestStarted",
  "CompactionRequestCompleted",
  "CompactionRequestFailed",
  "CompactionInstalled",
  "AgentResultObserved",
  "ProtocolEventObserved",
  "Other",
  "RecordingCompleted",
  "RolloutTraceV1",
  "RolloutTraceV2",
  "RolloutTrace",
  "AgentThread",
  "AgentOrigin",
  "CodexTurn",
  "ExecutionWindow",
  "ConversationItem",
  "ConversationPart",
  "ProducerRef",
  "InferenceCall",
  "TokenUsage",
  "ToolCall",
  "ToolCallRequester",
  "CodeCell",
  "TerminalSession",
  "TerminalOperation",
  "TerminalRequest",
  "TerminalResult",
  "TerminalModelObservation",
  "Compaction",
  "CompactionRequest",
  "InteractionEdge",
  "TraceAnchor",
  "RolloutStatus",
  "ExecutionStatus",
  "ToolCallKind",
  "ToolCallSummary",
  "RawToolCallRequester",
  "CodeCellRuntimeStatus",
  "InferenceRequestInputMode",
  "ThreadStartedTraceMetadata",
  "InferenceRequestPayload",
  "InferenceResponsePayload",
  "CompactionRequestPayload",
  "CompactionResponsePayload",
  "CompactionCheckpointPayload",
  "ToolInvocationPayload",
  "ToolResultPayload",
  "ToolRuntimeEventPayload",
  "ProtocolEventPayload",
  "AgentResultPayload",
] as const;

// Spec §1.6 and schema-2 §3 (serde declaration order).
const SPEC_PAYLOAD_KINDS = [
  "inference_request",
  "inference_response",
  "compaction_request",
  "compaction_checkpoint",
  "compaction_response",
  "tool_invocation",
  "tool_result",
  "tool_runtime_event",
  "terminal_runtime_event",
  "protocol_event",
  "session_metadata",
  "agent_result",
];
const SPEC_EVENT_TYPES_V2 = [
  "recording_completed",
  "rollout_started",
  "rollout_ended",
  "thread_started",
  "thread_ended",
  "thread_resumed",
  "codex_turn_started",
  "codex_turn_ended",
  "history_item_accepted",
  "inference_started",
  "inference_completed",
  "inference_failed",
  "inference_cancelled",
  "tool_call_started",
  "mcp_tool_call_correlation_assigned",
  "stdin_target_resolved",
  "tool_call_runtime_started",
  "tool_call_runtime_ended",
  "tool_call_ended",
  "code_cell_started",
  "code_cell_initial_response",
  "code_cell_ended",
  "compaction_request_started",
  "compaction_request_completed",
  "compaction_request_failed",
  "compaction_installed",
  "agent_result_observed",
  "protocol_event_observed",
  "other",
];
const SCHEMA_2_ONLY = [
  "recording_completed",
  "thread_resumed",
  "history_item_accepted",
  "stdin_target_resolved",
];

type Schema = {
  title?: unknown;
  description?: unknown;
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
};

function exported(name: string): Schema {
  return (api as unknown as Record<string, Schema>)[name]!;
}

describe("public exports", () => {
  test.each(REQUIRED_SCHEMAS)("%s is exported as a titled, described schema", (name) => {
    const schema = exported(name);
    expect(schema).toBeTypeOf("object");
    expect(schema.title).toBe(name);
    expect(schema.description).toBeTypeOf("string");
  });

  test("every exported schema is titled after its export name", () => {
    for (const [name, value] of Object.entries(api)) {
      if (typeof value !== "object" || value === null || Array.isArray(value) || !("title" in value))
        continue;
      expect((value as Schema).title, name).toBe(name);
      expect((value as Schema).description, name).toBeTypeOf("string");
    }
  });

  test("versions and constants", () => {
    expect(api.TRACE_SCHEMA_VERSIONS).toEqual([1, 2]);
    expect(api.LATEST_TRACE_SCHEMA_VERSION).toBe(2);
    expect(api.RAW_PAYLOAD_KIND_NAMES).toEqual(SPEC_PAYLOAD_KINDS);
    expect([
      api.MANIFEST_FILE_NAME,
      api.RAW_EVENT_LOG_FILE_NAME,
      api.PAYLOADS_DIR_NAME,
      api.REDUCED_STATE_FILE_NAME,
    ]).toEqual(["manifest.json", "trace.jsonl", "payloads", "state.json"]);
  });

  test("event types follow the specs: schema 2 adds four, schema 1 has the rest", () => {
    expect(api.RAW_TRACE_EVENT_TYPES_V2).toEqual(SPEC_EVENT_TYPES_V2);
    expect(api.RAW_TRACE_EVENT_TYPES_V1).toEqual(
      SPEC_EVENT_TYPES_V2.filter((type) => !SCHEMA_2_ONLY.includes(type)),
    );
  });

  test("every payload kind has a document schema; terminal runtime events share the runtime one", () => {
    expect(Object.keys(api.PAYLOAD_DOCUMENT_SCHEMAS)).toEqual(SPEC_PAYLOAD_KINDS);
    expect(api.PAYLOAD_DOCUMENT_SCHEMAS.terminal_runtime_event).toBe(api.ToolRuntimeEventPayload);
    expect(api.PAYLOAD_DOCUMENT_SCHEMAS.session_metadata).toBe(api.ThreadStartedTraceMetadata);
  });

  test("every field of every event and payload document is described", () => {
    const variants = [...(exported("RawTraceEventPayload").anyOf ?? [])];
    const documents = Object.values(api.PAYLOAD_DOCUMENT_SCHEMAS) as Schema[];
    for (const schema of [...variants, ...documents]) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        if (
          field === "type" &&
          schema !== api.InferenceRequestPayload &&
          schema !== api.ProtocolEventPayload
        ) {
          continue; // the event tag
        }
        expect(property.description, `${String(schema.title)}.${field}`).toBeTypeOf("string");
      }
    }
  });

  test("the validate entry point exports the validators and SchemaError", () => {
    expect(Object.keys(validate).sort()).toEqual(
      [
        "SchemaError",
        "eventV1Validator",
        "eventV2Validator",
        "eventValidator",
        "manifestValidator",
        "payloadValidator",
        "stateV1Validator",
        "stateV2Validator",
        "stateValidator",
      ].sort(),
    );
  });
});
