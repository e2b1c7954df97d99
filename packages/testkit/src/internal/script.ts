/**
 * The high-level "script" of a session that fast-check generates and the compiler turns into a bundle. Scripts only
 * say WHAT happens (a user asks, the model reasons and calls a tool, a helper agent is started...). Which process a
 * `write_stdin` talks to, which cell a `wait` waits for or which helper a follow-up goes to is resolved while
 * compiling, so any script, including every shrunk one, compiles to a consistent bundle: a call whose target does not
 * exist yet is simply left out.
 *
 * Numbers that pick text (`prompt`, `command`, ...) are indices taken modulo the size of the matching corpus list.
 */

export type MultiAgentMode = "none" | "collab" | "team";

export interface SessionScript {
  /** Session source recorded in the metadata (`codex exec`, the TUI, or an IDE through the app server). */
  readonly source: "exec" | "cli" | "vscode";
  readonly model: number;
  /** A provider named "OpenAI": remote compaction is available and request ids look like the real service's. */
  readonly openAiProvider: boolean;
  /** Websocket transport: schema-1 requests after a completed response are sent incrementally (`previous_response_id`). */
  readonly websocket: boolean;
  /** Code mode: the model gets the `exec` (JavaScript cell) and `wait` tools. */
  readonly codeMode: boolean;
  /** Multi-agent tools: none, the `multi_agent_v1` collab namespace, or the multi-agent v2 `collaboration` namespace. */
  readonly multiAgent: MultiAgentMode;
  readonly project: number;
  /** Record the "model metadata not found" style warning breadcrumb. */
  readonly warning: boolean;
}

export interface ReasoningScript {
  /** Number of readable summary entries (0-2). */
  readonly summaries: number;
  /** Readable reasoning text in the response (dropped again when the item is replayed in a request). */
  readonly content: boolean;
  readonly encrypted: boolean;
  readonly text: number;
}

export type ExecOutcome = "ok" | "error" | "background";

export type CallScript =
  | { readonly tool: "exec"; readonly command: number; readonly outcome: ExecOutcome }
  | { readonly tool: "write_stdin"; readonly finishes: boolean }
  | { readonly tool: "apply_patch"; readonly patch: number; readonly ok: boolean }
  | { readonly tool: "mcp"; readonly call: number; readonly ok: boolean }
  | { readonly tool: "function"; readonly sample: number }
  | {
      readonly tool: "code";
      readonly nested: readonly NestedCallScript[];
      readonly yields: boolean;
      readonly fails: boolean;
    }
  | { readonly tool: "wait_cell" }
  | { readonly tool: "spawn_agent"; readonly task: number; readonly child: ChildTurnScript }
  | { readonly tool: "wait_agent" }
  | { readonly tool: "followup_task"; readonly message: number; readonly child: ChildTurnScript }
  | { readonly tool: "send_message"; readonly message: number }
  | { readonly tool: "close_agent" }
  | { readonly tool: "list_agents" }
  | { readonly tool: "resume_agent"; readonly message: number; readonly child: ChildTurnScript };

export type NestedCallScript =
  | { readonly tool: "exec"; readonly command: number; readonly outcome: "ok" | "error" }
  | { readonly tool: "mcp"; readonly call: number }
  | { readonly tool: "function"; readonly sample: number };

export type InferenceOutcome = "ok" | "retry" | "fail_partial" | "fail_empty";
export type CompactionMode = "remote" | "remote_failed" | "local";

export interface StepScript {
  readonly reasoning: ReasoningScript | null;
  readonly commentary: number | null;
  readonly webSearch: boolean;
  /** Tool calls of this response; none makes it the turn's final answer. */
  readonly calls: readonly CallScript[];
  readonly answer: number;
  /** Whether the final answer message carries `phase: "final_answer"`. */
  readonly phase: boolean;
  readonly outcome: InferenceOutcome;
  /** Automatic compaction once this step's tool outputs are in the history. */
  readonly compactAfter: CompactionMode | null;
}

export interface ChildTurnScript {
  readonly steps: readonly StepScript[];
}

export type TurnScript =
  | {
      readonly kind: "user";
      readonly prompt: number;
      readonly steps: readonly StepScript[];
      /** The user interrupts the turn while its last response is streaming. */
      readonly interrupt: "none" | "streaming" | "streaming_partial";
    }
  | { readonly kind: "compact"; readonly mode: CompactionMode };

/** Documented reducer error paths; only generated when asked for (`errors: true`). */
export type ErrorInjection =
  | "unknown_previous_response_id"
  | "missing_request_input"
  | "duplicate_thread_start"
  | "other_event"
  | "unknown_tool_end"
  | "inference_unknown_turn"
  | "unsupported_item_type"
  | "seq_gap"
  | "foreign_rollout"
  | "event_after_completion"
  | "acceptance_without_thread"
  | "resume_running_thread";

export interface RolloutScript {
  readonly schemaVersion: 1 | 2;
  /** Seeds ids, timings and filler choices. */
  readonly seed: number;
  readonly session: SessionScript;
  readonly turns: readonly TurnScript[];
  /** `crash`: the recording stops after the last turn, without shutdown, thread/rollout end or completion marker. */
  readonly ending: "clean" | "crash";
  readonly error: ErrorInjection | null;
}
