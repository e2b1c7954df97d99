/**
 * Behaviours a generated bundle can exhibit. The compiler records each one it actually emitted, so a test can tally
 * coverage over a batch and prove that every behaviour was exercised.
 */
export const ROLLOUT_FEATURES = [
  "multi_turn",
  "protocol_breadcrumbs",
  "reasoning_encrypted",
  "reasoning_summary",
  "reasoning_content",
  "message_commentary",
  "message_final_answer",
  "message_without_phase",
  "web_search_call",
  "parallel_tool_calls",
  "exec_command",
  "exec_command_error",
  "exec_background_process",
  "write_stdin",
  "write_stdin_poll",
  "apply_patch",
  "apply_patch_failed",
  "mcp_tool_call",
  "mcp_tool_call_failed",
  "function_tool_call",
  "code_cell",
  "code_cell_nested_tool",
  "code_cell_yield_wait",
  "code_cell_failed",
  "code_cell_left_running",
  "remote_compaction",
  "remote_compaction_failed",
  "local_compaction",
  "manual_compaction_turn",
  "inference_retry",
  "inference_failed_partial",
  "inference_failed_empty",
  "inference_cancelled",
  "inference_cancelled_partial",
  "turn_interrupted",
  "incremental_request",
  "spawn_agent_team",
  "followup_task",
  "send_message",
  "interrupt_agent",
  "list_agents",
  "wait_agent",
  "agent_result",
  "spawn_agent_collab",
  "close_agent_collab",
  "resume_agent_collab",
  "send_input_collab",
  "history_item_accepted",
  "agent_message_accepted",
  "stdin_target_resolved",
  "runtime_kind_refinement",
  "thread_resumed",
  "recording_completed",
  "crashed_recording",
  "error_injection",
] as const;

export type RolloutFeature = (typeof ROLLOUT_FEATURES)[number];

/** Features a schema-1 bundle can never show (they are schema-2 events or behaviours). */
export const SCHEMA_2_ONLY_FEATURES: readonly RolloutFeature[] = [
  "history_item_accepted",
  "agent_message_accepted",
  "stdin_target_resolved",
  "runtime_kind_refinement",
  "thread_resumed",
  "recording_completed",
];

/** Features a schema-2 bundle can never show. */
export const SCHEMA_1_ONLY_FEATURES: readonly RolloutFeature[] = ["incremental_request"];
