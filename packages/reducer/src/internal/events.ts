// One trace.jsonl line, decoded the way the reference's serde types read it. Schema 2 adds four variants and makes
// `tool_call_runtime_started.kind` required; schema 1 accepts the optional `request_input_mode` of later writers.
import {
  any,
  DecodeError,
  type Decoder,
  field,
  i64,
  invalidType,
  opt,
  seq,
  str,
  stringEnum,
  struct,
  tagOf,
  u32,
  u64,
} from "./decode.ts";
import { get, type JsonObject, type JsonValue } from "./json.ts";
import type {
  CodeCellRuntimeStatus,
  ExecutionStatus,
  RawPayloadRef,
  RolloutStatus,
  ToolCallKind,
  ToolCallSummary,
} from "./model.ts";

export type TraceVersion = 1 | 2;

// The tag lists below repeat the schema package's constants in the reference's declaration order (serde names them
// in that order in its errors). Replay keeps its own copies so it never loads TypeBox; test/events.test.ts checks
// that they stay equal.
export const RAW_PAYLOAD_KINDS = [
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
] as const;

const ROLLOUT_STATUSES = ["running", "completed", "failed", "aborted"] as const;
const EXECUTION_STATUSES = ["running", "completed", "failed", "cancelled", "aborted"] as const;
const CODE_CELL_STATUSES = ["starting", "running", "yielded", "completed", "failed", "terminated"] as const;
const TOOL_KINDS = [
  "exec_command",
  "write_stdin",
  "apply_patch",
  "mcp",
  "web",
  "image_generation",
  "spawn_agent",
  "assign_agent_task",
  "send_message",
  "wait_agent",
  "close_agent",
  "other",
] as const;
const SUMMARY_KINDS = ["terminal", "agent", "wait_agent", "generic"] as const;
const REQUESTER_KINDS = ["model", "code_cell"] as const;
const INPUT_MODES = ["full_snapshot", "incremental", "incremental_with_untraced_prefix"] as const;

export const V1_VARIANTS = [
  "rollout_started",
  "rollout_ended",
  "thread_started",
  "thread_ended",
  "codex_turn_started",
  "codex_turn_ended",
  "inference_started",
  "inference_completed",
  "inference_failed",
  "inference_cancelled",
  "tool_call_started",
  "mcp_tool_call_correlation_assigned",
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
] as const;

export const V2_VARIANTS = [
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
] as const;

export type RequestInputMode =
  | { type: "full_snapshot" }
  | { type: "incremental"; previous_response_id: string }
  | { type: "incremental_with_untraced_prefix"; previous_response_id: string; prefix_payload: RawPayloadRef };

export type RawRequester = { type: "model" } | { type: "code_cell"; runtime_cell_id: string };

export type EventPayload =
  | { type: "recording_completed" }
  | { type: "rollout_started"; trace_id: string; root_thread_id: string }
  | { type: "rollout_ended"; status: RolloutStatus }
  | { type: "thread_started"; thread_id: string; agent_path: string; metadata_payload: RawPayloadRef | null }
  | { type: "thread_ended"; thread_id: string; status: RolloutStatus }
  | { type: "thread_resumed"; thread_id: string }
  | { type: "codex_turn_started"; codex_turn_id: string; thread_id: string }
  | { type: "codex_turn_ended"; codex_turn_id: string; status: ExecutionStatus }
  | { type: "history_item_accepted"; item_id: string; agent_message_payload: RawPayloadRef | null }
  | {
      type: "inference_started";
      inference_call_id: string;
      thread_id: string;
      codex_turn_id: string;
      model: string;
      provider_name: string;
      request_input_mode: RequestInputMode | null;
      request_payload: RawPayloadRef;
    }
  | {
      type: "inference_completed";
      inference_call_id: string;
      response_id: string | null;
      upstream_request_id: string | null;
      response_payload: RawPayloadRef;
    }
  | {
      type: "inference_failed";
      inference_call_id: string;
      upstream_request_id: string | null;
      error: string;
      partial_response_payload: RawPayloadRef | null;
    }
  | {
      type: "inference_cancelled";
      inference_call_id: string;
      upstream_request_id: string | null;
      reason: string;
      partial_response_payload: RawPayloadRef | null;
    }
  | {
      type: "tool_call_started";
      tool_call_id: string;
      model_visible_call_id: string | null;
      code_mode_runtime_tool_id: string | null;
      requester: RawRequester;
      kind: ToolCallKind;
      summary: ToolCallSummary;
      invocation_payload: RawPayloadRef | null;
    }
  | { type: "mcp_tool_call_correlation_assigned"; tool_call_id: string; mcp_call_id: string }
  | { type: "stdin_target_resolved"; tool_call_id: string; exec_tool_call_id: string }
  | {
      type: "tool_call_runtime_started";
      tool_call_id: string;
      kind: ToolCallKind | null;
      runtime_payload: RawPayloadRef;
    }
  | {
      type: "tool_call_runtime_ended";
      tool_call_id: string;
      status: ExecutionStatus;
      runtime_payload: RawPayloadRef;
    }
  | {
      type: "tool_call_ended";
      tool_call_id: string;
      status: ExecutionStatus;
      result_payload: RawPayloadRef | null;
    }
  | { type: "code_cell_started"; runtime_cell_id: string; model_visible_call_id: string; source_js: string }
  | {
      type: "code_cell_initial_response";
      runtime_cell_id: string;
      status: CodeCellRuntimeStatus;
      response_payload: RawPayloadRef | null;
    }
  | {
      type: "code_cell_ended";
      runtime_cell_id: string;
      status: CodeCellRuntimeStatus;
      response_payload: RawPayloadRef | null;
    }
  | {
      type: "compaction_request_started";
      compaction_id: string;
      compaction_request_id: string;
      thread_id: string;
      codex_turn_id: string;
      model: string;
      provider_name: string;
      request_payload: RawPayloadRef;
    }
  | {
      type: "compaction_request_completed";
      compaction_id: string;
      compaction_request_id: string;
      response_payload: RawPayloadRef;
    }
  | { type: "compaction_request_failed"; compaction_id: string; compaction_request_id: string; error: string }
  | { type: "compaction_installed"; compaction_id: string; checkpoint_payload: RawPayloadRef }
  | {
      type: "agent_result_observed";
      edge_id: string;
      child_thread_id: string;
      child_codex_turn_id: string;
      parent_thread_id: string;
      message: string;
      carried_payload: RawPayloadRef | null;
    }
  | { type: "protocol_event_observed"; event_type: string; event_payload: RawPayloadRef }
  | { type: "other"; kind: string; summary: string; payloads: RawPayloadRef[]; metadata: JsonValue };

export interface TraceEvent {
  schema_version: number;
  seq: number;
  wall_time_unix_ms: number;
  rollout_id: string;
  thread_id: string | null;
  codex_turn_id: string | null;
  payload: EventPayload;
}

const payloadKind = stringEnum(RAW_PAYLOAD_KINDS);

export const payloadRef: Decoder<RawPayloadRef> = (value) => {
  const object = struct(value, "struct RawPayloadRef");
  const raw_payload_id = field(object, "raw_payload_id", str);
  const kindObject = struct(field(object, "kind", any), "adjacently tagged enum RawPayloadKind");
  const kindTag = get(kindObject, "type");
  if (kindTag === undefined) throw new DecodeError("missing field `type`");
  return { raw_payload_id, kind: { type: payloadKind(kindTag) }, path: field(object, "path", str) };
};

const optRef = opt(payloadRef);

export const toolCallKind: Decoder<ToolCallKind> = (value) => {
  const object = struct(value, "internally tagged enum ToolCallKind");
  const type = tagOf(object, TOOL_KINDS);
  if (type === "mcp") return { type, server: field(object, "server", str), tool: field(object, "tool", str) };
  if (type === "other") return { type, name: field(object, "name", str) };
  return { type } as ToolCallKind;
};

const toolCallSummary: Decoder<ToolCallSummary> = (value) => {
  const object = struct(value, "internally tagged enum ToolCallSummary");
  switch (tagOf(object, SUMMARY_KINDS)) {
    case "terminal":
      return { type: "terminal", operation_id: field(object, "operation_id", str) };
    case "agent":
      return {
        type: "agent",
        target_agent_path: field(object, "target_agent_path", str),
        task_name: field(object, "task_name", opt(str)),
        message_preview: field(object, "message_preview", str),
      };
    case "wait_agent":
      return {
        type: "wait_agent",
        target_agent_path: field(object, "target_agent_path", opt(str)),
        timeout_ms: field(object, "timeout_ms", opt(u64)),
      };
    default:
      return {
        type: "generic",
        label: field(object, "label", str),
        input_preview: field(object, "input_preview", opt(str)),
        output_preview: field(object, "output_preview", opt(str)),
      };
  }
};

const requester: Decoder<RawRequester> = (value) => {
  const object = struct(value, "internally tagged enum RawToolCallRequester");
  if (tagOf(object, REQUESTER_KINDS) === "model") return { type: "model" };
  return { type: "code_cell", runtime_cell_id: field(object, "runtime_cell_id", str) };
};

const inputMode: Decoder<RequestInputMode> = (value) => {
  const object = struct(value, "internally tagged enum InferenceRequestInputMode");
  switch (tagOf(object, INPUT_MODES)) {
    case "full_snapshot":
      return { type: "full_snapshot" };
    case "incremental":
      return { type: "incremental", previous_response_id: field(object, "previous_response_id", str) };
    default:
      return {
        type: "incremental_with_untraced_prefix",
        previous_response_id: field(object, "previous_response_id", str),
        prefix_payload: field(object, "prefix_payload", payloadRef),
      };
  }
};

const rolloutStatus = stringEnum(ROLLOUT_STATUSES);
const executionStatus = stringEnum(EXECUTION_STATUSES);
const codeCellStatus = stringEnum(CODE_CELL_STATUSES);

function decodePayload(object: JsonObject, version: TraceVersion): EventPayload {
  const type = tagOf(object, version === 2 ? V2_VARIANTS : V1_VARIANTS);
  const f = <T>(name: string, decoder: Decoder<T>): T => field(object, name, decoder);
  switch (type) {
    case "recording_completed":
      return { type };
    case "rollout_started":
      return { type, trace_id: f("trace_id", str), root_thread_id: f("root_thread_id", str) };
    case "rollout_ended":
      return { type, status: f("status", rolloutStatus) };
    case "thread_started":
      return {
        type,
        thread_id: f("thread_id", str),
        agent_path: f("agent_path", str),
        metadata_payload: f("metadata_payload", optRef),
      };
    case "thread_ended":
      return { type, thread_id: f("thread_id", str), status: f("status", rolloutStatus) };
    case "thread_resumed":
      return { type, thread_id: f("thread_id", str) };
    case "codex_turn_started":
      return { type, codex_turn_id: f("codex_turn_id", str), thread_id: f("thread_id", str) };
    case "codex_turn_ended":
      return { type, codex_turn_id: f("codex_turn_id", str), status: f("status", executionStatus) };
    case "history_item_accepted":
      return { type, item_id: f("item_id", str), agent_message_payload: f("agent_message_payload", optRef) };
    case "inference_started":
      return {
        type,
        inference_call_id: f("inference_call_id", str),
        thread_id: f("thread_id", str),
        codex_turn_id: f("codex_turn_id", str),
        model: f("model", str),
        provider_name: f("provider_name", str),
        request_input_mode: version === 1 ? f("request_input_mode", opt(inputMode)) : null,
        request_payload: f("request_payload", payloadRef),
      };
    case "inference_completed":
      return {
        type,
        inference_call_id: f("inference_call_id", str),
        response_id: f("response_id", opt(str)),
        upstream_request_id: f("upstream_request_id", opt(str)),
        response_payload: f("response_payload", payloadRef),
      };
    case "inference_failed":
      return {
        type,
        inference_call_id: f("inference_call_id", str),
        upstream_request_id: f("upstream_request_id", opt(str)),
        error: f("error", str),
        partial_response_payload: f("partial_response_payload", optRef),
      };
    case "inference_cancelled":
      return {
        type,
        inference_call_id: f("inference_call_id", str),
        upstream_request_id: f("upstream_request_id", opt(str)),
        reason: f("reason", str),
        partial_response_payload: f("partial_response_payload", optRef),
      };
    case "tool_call_started":
      return {
        type,
        tool_call_id: f("tool_call_id", str),
        model_visible_call_id: f("model_visible_call_id", opt(str)),
        code_mode_runtime_tool_id: f("code_mode_runtime_tool_id", opt(str)),
        requester: f("requester", requester),
        kind: f("kind", toolCallKind),
        summary: f("summary", toolCallSummary),
        invocation_payload: f("invocation_payload", optRef),
      };
    case "mcp_tool_call_correlation_assigned":
      return { type, tool_call_id: f("tool_call_id", str), mcp_call_id: f("mcp_call_id", str) };
    case "stdin_target_resolved":
      return { type, tool_call_id: f("tool_call_id", str), exec_tool_call_id: f("exec_tool_call_id", str) };
    case "tool_call_runtime_started":
      return {
        type,
        tool_call_id: f("tool_call_id", str),
        kind: version === 2 ? f("kind", toolCallKind) : null,
        runtime_payload: f("runtime_payload", payloadRef),
      };
    case "tool_call_runtime_ended":
      return {
        type,
        tool_call_id: f("tool_call_id", str),
        status: f("status", executionStatus),
        runtime_payload: f("runtime_payload", payloadRef),
      };
    case "tool_call_ended":
      return {
        type,
        tool_call_id: f("tool_call_id", str),
        status: f("status", executionStatus),
        result_payload: f("result_payload", optRef),
      };
    case "code_cell_started":
      return {
        type,
        runtime_cell_id: f("runtime_cell_id", str),
        model_visible_call_id: f("model_visible_call_id", str),
        source_js: f("source_js", str),
      };
    case "code_cell_initial_response":
    case "code_cell_ended":
      return {
        type,
        runtime_cell_id: f("runtime_cell_id", str),
        status: f("status", codeCellStatus),
        response_payload: f("response_payload", optRef),
      };
    case "compaction_request_started":
      return {
        type,
        compaction_id: f("compaction_id", str),
        compaction_request_id: f("compaction_request_id", str),
        thread_id: f("thread_id", str),
        codex_turn_id: f("codex_turn_id", str),
        model: f("model", str),
        provider_name: f("provider_name", str),
        request_payload: f("request_payload", payloadRef),
      };
    case "compaction_request_completed":
      return {
        type,
        compaction_id: f("compaction_id", str),
        compaction_request_id: f("compaction_request_id", str),
        response_payload: f("response_payload", payloadRef),
      };
    case "compaction_request_failed":
      return {
        type,
        compaction_id: f("compaction_id", str),
        compaction_request_id: f("compaction_request_id", str),
        error: f("error", str),
      };
    case "compaction_installed":
      return {
        type,
        compaction_id: f("compaction_id", str),
        checkpoint_payload: f("checkpoint_payload", payloadRef),
      };
    case "agent_result_observed":
      return {
        type,
        edge_id: f("edge_id", str),
        child_thread_id: f("child_thread_id", str),
        child_codex_turn_id: f("child_codex_turn_id", str),
        parent_thread_id: f("parent_thread_id", str),
        message: f("message", str),
        carried_payload: f("carried_payload", optRef),
      };
    case "protocol_event_observed":
      return { type, event_type: f("event_type", str), event_payload: f("event_payload", payloadRef) };
    default:
      return {
        type: "other",
        kind: f("kind", str),
        summary: f("summary", str),
        payloads: f("payloads", seq(payloadRef)),
        metadata: f("metadata", any),
      };
  }
}

/** Decodes one parsed line; throws DecodeError with serde's wording. */
export function decodeEvent(value: JsonValue, version: TraceVersion): TraceEvent {
  const object = struct(value, "struct RawTraceEvent");
  const schemaVersion = field(object, "schema_version", u32);
  const seqNumber = field(object, "seq", u64);
  const wallTime = field(object, "wall_time_unix_ms", i64);
  const rolloutId = field(object, "rollout_id", str);
  const threadId = field(object, "thread_id", opt(str));
  const turnId = field(object, "codex_turn_id", opt(str));
  const payloadValue = field(object, "payload", any);
  if (typeof payloadValue !== "object" || payloadValue === null || Array.isArray(payloadValue)) {
    throw invalidType(payloadValue, "internally tagged enum RawTraceEventPayload");
  }
  return {
    schema_version: schemaVersion,
    seq: seqNumber,
    wall_time_unix_ms: wallTime,
    rollout_id: rolloutId,
    thread_id: threadId,
    codex_turn_id: turnId,
    payload: decodePayload(struct(payloadValue, "internally tagged enum RawTraceEventPayload"), version),
  };
}

/** Every payload ref an event carries; the reducer registers them all before handling the event. */
export function payloadRefsOf(payload: EventPayload): RawPayloadRef[] {
  switch (payload.type) {
    case "thread_started":
      return payload.metadata_payload ? [payload.metadata_payload] : [];
    case "history_item_accepted":
      return payload.agent_message_payload ? [payload.agent_message_payload] : [];
    case "inference_started": {
      const mode = payload.request_input_mode;
      return mode?.type === "incremental_with_untraced_prefix"
        ? [payload.request_payload, mode.prefix_payload]
        : [payload.request_payload];
    }
    case "inference_completed":
      return [payload.response_payload];
    case "inference_failed":
    case "inference_cancelled":
      return payload.partial_response_payload ? [payload.partial_response_payload] : [];
    case "tool_call_started":
      return payload.invocation_payload ? [payload.invocation_payload] : [];
    case "tool_call_runtime_started":
    case "tool_call_runtime_ended":
      return [payload.runtime_payload];
    case "tool_call_ended":
      return payload.result_payload ? [payload.result_payload] : [];
    case "code_cell_initial_response":
    case "code_cell_ended":
      return payload.response_payload ? [payload.response_payload] : [];
    case "compaction_request_started":
      return [payload.request_payload];
    case "compaction_request_completed":
      return [payload.response_payload];
    case "compaction_installed":
      return [payload.checkpoint_payload];
    case "agent_result_observed":
      return payload.carried_payload ? [payload.carried_payload] : [];
    case "protocol_event_observed":
      return [payload.event_payload];
    case "other":
      return payload.payloads;
    default:
      return [];
  }
}
