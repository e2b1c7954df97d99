// The reduced graph while it is being built. Objects are created with their fields in the reference's declaration
// order (state.json is written in that order); fields a trace schema does not have are `undefined` and left out.

export type RolloutStatus = "running" | "completed" | "failed" | "aborted";
export type ExecutionStatus = "running" | "completed" | "failed" | "cancelled" | "aborted";
export type CodeCellRuntimeStatus =
  | "starting"
  | "running"
  | "yielded"
  | "completed"
  | "failed"
  | "terminated";
export type ConversationRole = "system" | "developer" | "user" | "assistant" | "tool";
export type ConversationChannel = "analysis" | "commentary" | "final" | "summary";
export type ConversationItemKind =
  | "message"
  | "reasoning"
  | "function_call"
  | "function_call_output"
  | "custom_tool_call"
  | "custom_tool_call_output"
  | "compaction_marker";

export interface ExecutionWindow {
  started_at_unix_ms: number;
  started_seq: number;
  ended_at_unix_ms: number | null;
  ended_seq: number | null;
  status: ExecutionStatus;
}

export type AgentOrigin =
  | { type: "root" }
  | {
      type: "spawned";
      parent_thread_id: string;
      spawn_edge_id: string;
      task_name: string;
      agent_role: string;
    };

export interface AgentThread {
  thread_id: string;
  agent_path: string;
  nickname: string | null;
  origin: AgentOrigin;
  execution: ExecutionWindow;
  default_model: string | null;
  conversation_item_ids: string[];
}

export interface CodexTurn {
  codex_turn_id: string;
  thread_id: string;
  execution: ExecutionWindow;
  input_item_ids: string[];
}

export type ConversationPart =
  | { type: "text"; text: string }
  | { type: "summary"; text: string }
  | { type: "encoded"; label: string; value: string }
  | { type: "json"; summary: string; raw_payload_id: string }
  | { type: "code"; language: string; source: string }
  | { type: "payload_ref"; label: string; raw_payload_id: string; content_sha256?: string | undefined };

export type ProducerRef =
  | { type: "inference"; inference_call_id: string }
  | { type: "tool"; tool_call_id: string }
  | { type: "code_cell"; code_cell_id: string }
  | { type: "compaction"; compaction_id: string };

export interface AgentMessageRoute {
  author: string;
  recipient: string;
}

export interface ConversationItem {
  item_id: string;
  responses_item_id: string | undefined;
  accepted_at_unix_ms: number | undefined;
  accepted_seq: number | undefined;
  thread_id: string;
  codex_turn_id: string | null;
  first_seen_at_unix_ms: number;
  role: ConversationRole;
  channel: ConversationChannel | null;
  kind: ConversationItemKind;
  agent_message: AgentMessageRoute | undefined;
  body: { parts: ConversationPart[] };
  call_id: string | null;
  produced_by: ProducerRef[];
}

export interface TokenUsage {
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_input_tokens: number | undefined;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export interface InferenceCall {
  inference_call_id: string;
  thread_id: string;
  codex_turn_id: string;
  execution: ExecutionWindow;
  model: string;
  provider_name: string;
  response_id: string | null;
  upstream_request_id: string | null;
  request_item_ids: string[];
  response_item_ids: string[];
  tool_call_ids_started_by_response: string[];
  usage: TokenUsage | null;
  raw_request_payload_id: string;
  raw_response_payload_id: string | null;
}

export type ToolCallKind =
  | { type: "exec_command" }
  | { type: "write_stdin" }
  | { type: "apply_patch" }
  | { type: "mcp"; server: string; tool: string }
  | { type: "web" }
  | { type: "image_generation" }
  | { type: "spawn_agent" }
  | { type: "assign_agent_task" }
  | { type: "send_message" }
  | { type: "wait_agent" }
  | { type: "close_agent" }
  | { type: "other"; name: string };

export type ToolCallSummary =
  | { type: "terminal"; operation_id: string }
  | { type: "agent"; target_agent_path: string; task_name: string | null; message_preview: string }
  | { type: "wait_agent"; target_agent_path: string | null; timeout_ms: number | null }
  | { type: "generic"; label: string; input_preview: string | null; output_preview: string | null };

export type ToolCallRequester = { type: "model" } | { type: "code_cell"; code_cell_id: string };

export interface ToolCall {
  tool_call_id: string;
  mcp_call_id: string | null;
  model_visible_call_id: string | null;
  code_mode_runtime_tool_id: string | null;
  started_code_cell_id: string | undefined;
  thread_id: string;
  started_by_codex_turn_id: string | null;
  execution: ExecutionWindow;
  requester: ToolCallRequester;
  kind: ToolCallKind;
  model_visible_call_item_ids: string[];
  model_visible_output_item_ids: string[];
  terminal_operation_id: string | null;
  summary: ToolCallSummary;
  raw_invocation_payload_id: string | null;
  raw_result_payload_id: string | null;
  raw_runtime_payload_ids: string[];
}

export interface CodeCell {
  code_cell_id: string;
  model_visible_call_id: string;
  thread_id: string;
  codex_turn_id: string;
  source_item_id: string;
  output_item_ids: string[];
  runtime_cell_id: string | null;
  execution: ExecutionWindow;
  runtime_status: CodeCellRuntimeStatus;
  initial_response_at_unix_ms: number | null;
  initial_response_seq: number | null;
  initial_response_status: CodeCellRuntimeStatus | null | undefined;
  raw_initial_response_payload_id: string | null | undefined;
  raw_result_payload_id: string | null | undefined;
  yielded_at_unix_ms: number | null;
  yielded_seq: number | null;
  source_js: string;
  nested_tool_call_ids: string[];
  wait_tool_call_ids: string[];
}

export interface TerminalSession {
  terminal_id: string;
  thread_id: string;
  created_by_operation_id: string;
  operation_ids: string[];
  execution: ExecutionWindow;
}

export type TerminalRequest =
  | {
      type: "exec_command";
      command: string[];
      display_command: string;
      cwd: string;
      yield_time_ms: number | null;
      max_output_tokens: number | null;
    }
  | { type: "write_stdin"; stdin: string; yield_time_ms: number | null; max_output_tokens: number | null };

export interface TerminalResult {
  exit_code: number | null;
  stdout: string;
  stderr: string;
  formatted_output: string | null;
  original_token_count: number | null;
  chunk_id: string | null;
}

export interface TerminalModelObservation {
  call_item_ids: string[];
  output_item_ids: string[];
  source: "direct_tool_call" | "code_cell_output";
}

export interface TerminalOperation {
  operation_id: string;
  terminal_id: string | null;
  tool_call_id: string;
  kind: "exec_command" | "write_stdin";
  execution: ExecutionWindow;
  request: TerminalRequest;
  result: TerminalResult | null;
  model_observations: TerminalModelObservation[];
  raw_payload_ids: string[];
}

export interface Compaction {
  compaction_id: string;
  thread_id: string;
  codex_turn_id: string;
  installed_at_unix_ms: number;
  marker_item_id: string;
  request_ids: string[];
  input_item_ids: string[];
  replacement_item_ids: string[];
}

export interface CompactionRequest {
  compaction_request_id: string;
  compaction_id: string;
  thread_id: string;
  codex_turn_id: string;
  execution: ExecutionWindow;
  model: string;
  provider_name: string;
  raw_request_payload_id: string;
  raw_response_payload_id: string | null;
}

export type TraceAnchor =
  | { type: "conversation_item"; item_id: string }
  | { type: "tool_call"; tool_call_id: string }
  | { type: "thread"; thread_id: string };

export type InteractionEdgeKind =
  | "spawn_agent"
  | "assign_agent_task"
  | "send_message"
  | "agent_result"
  | "close_agent";

export interface InteractionEdge {
  edge_id: string;
  kind: InteractionEdgeKind;
  source: TraceAnchor;
  target: TraceAnchor;
  started_at_unix_ms: number;
  ended_at_unix_ms: number | null;
  carried_item_ids: string[];
  carried_raw_payload_ids: string[];
}

export interface RawPayloadRef {
  raw_payload_id: string;
  kind: { type: string };
  path: string;
}

/** The collections of the reduced state, in state.json order. */
export interface Collections {
  threads: Map<string, AgentThread>;
  codex_turns: Map<string, CodexTurn>;
  conversation_items: Map<string, ConversationItem>;
  inference_calls: Map<string, InferenceCall>;
  code_cells: Map<string, CodeCell>;
  tool_calls: Map<string, ToolCall>;
  terminal_sessions: Map<string, TerminalSession>;
  terminal_operations: Map<string, TerminalOperation>;
  compactions: Map<string, Compaction>;
  compaction_requests: Map<string, CompactionRequest>;
  interaction_edges: Map<string, InteractionEdge>;
  raw_payloads: Map<string, RawPayloadRef>;
}

export const COLLECTION_NAMES = [
  "threads",
  "codex_turns",
  "conversation_items",
  "inference_calls",
  "code_cells",
  "tool_calls",
  "terminal_sessions",
  "terminal_operations",
  "compactions",
  "compaction_requests",
  "interaction_edges",
  "raw_payloads",
] as const satisfies readonly (keyof Collections)[];

export interface RolloutHeader {
  schema_version: 1 | 2;
  trace_id: string;
  rollout_id: string;
  started_at_unix_ms: number;
  ended_at_unix_ms: number | null;
  status: RolloutStatus;
  recording_complete: boolean | undefined;
  root_thread_id: string;
}

export function runningWindow(at: number, seq: number): ExecutionWindow {
  return {
    started_at_unix_ms: at,
    started_seq: seq,
    ended_at_unix_ms: null,
    ended_seq: null,
    status: "running",
  };
}

export function endWindow(window: ExecutionWindow, at: number, seq: number, status: ExecutionStatus): void {
  window.ended_at_unix_ms = at;
  window.ended_seq = seq;
  window.status = status;
}

/** Appends when absent; the reference keeps these lists free of duplicates in first-insertion order. */
export function pushUnique<T>(list: T[], value: T): void {
  if (!list.includes(value)) list.push(value);
}
