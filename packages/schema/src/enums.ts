import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "./internal/helpers.ts";
import { RawPayloadRef } from "./payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Status of a rollout or thread as reported by the producer. */
export const RolloutStatus = Type.Enum(["running", "completed", "failed", "aborted"], {
  title: "RolloutStatus",
  description: "Lifecycle status of a rollout or a thread.",
});

/** Status of an execution window (turn, inference, tool call, code cell ...). */
export const ExecutionStatus = Type.Enum(["running", "completed", "failed", "cancelled", "aborted"], {
  title: "ExecutionStatus",
  description: "Status of an execution window: `running` until a terminal event sets one of the others.",
});

/** Status reported by the code-mode JavaScript runtime for a code cell. */
export const CodeCellRuntimeStatus = Type.Enum(
  ["starting", "running", "yielded", "completed", "failed", "terminated"],
  {
    title: "CodeCellRuntimeStatus",
    description:
      "Code-mode runtime status of a cell: yielded responses give `yielded`, terminated ones `terminated`, results with error text `failed`, other results `completed`.",
  },
);

function toolKind<const Tag extends string>(tag: Tag, description: string) {
  return Type.Object({ type: Type.Literal(tag) }, { title: `ToolCallKind_${tag}`, description });
}

/** What a tool call does, derived from the tool name (internally tagged by `type`). */
export const ToolCallKind = Type.Union(
  [
    toolKind(
      "exec_command",
      "Runs a command in a terminal (`exec_command`, `local_shell`, `shell`, `shell_command`).",
    ),
    toolKind("write_stdin", "Writes to (or polls) a running terminal process."),
    toolKind("apply_patch", "Applies a patch to files."),
    Type.Object(
      {
        type: Type.Literal("mcp"),
        server: Text("MCP server name."),
        tool: Text("Tool name on that server."),
      },
      { title: "ToolCallKind_mcp", description: "Calls a tool of an MCP server." },
    ),
    toolKind("web", "Web search (`web_search`, `web_search_preview`)."),
    toolKind("image_generation", "Image generation (`image_generation`, `image_query`, `imagegen`)."),
    toolKind("spawn_agent", "Spawns a sub-agent thread."),
    toolKind("assign_agent_task", "Gives a task to an existing agent (`followup_task`, `assign_task`)."),
    toolKind("send_message", "Sends a message to another agent."),
    toolKind("wait_agent", "Waits for other agents."),
    toolKind("close_agent", "Closes or interrupts another agent (`close_agent`, `interrupt_agent`)."),
    Type.Object(
      { type: Type.Literal("other"), name: Text("The tool name.") },
      { title: "ToolCallKind_other", description: "Any other tool, by name." },
    ),
  ],
  {
    title: "ToolCallKind",
    description:
      'Classification of a tool call, tagged by `type`, e.g. `{"type":"exec_command"}`, `{"type":"mcp","server":"docs","tool":"search"}`, `{"type":"other","name":"wait"}`.',
  },
);

/** A short, display-oriented summary of a tool call (internally tagged by `type`). */
export const ToolCallSummary = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal("terminal"),
        operation_id: Text("The terminal operation this call created."),
      },
      {
        title: "ToolCallSummary_terminal",
        description: "A call that ran a terminal operation (set by the reducer, not by producers).",
      },
    ),
    Type.Object(
      {
        type: Type.Literal("agent"),
        target_agent_path: Text("Agent path of the target agent."),
        task_name: Nullable(Type.String(), "Task name, if any."),
        message_preview: Text("Beginning of the message sent to the agent."),
      },
      {
        title: "ToolCallSummary_agent",
        description: "A call addressed to another agent (declared, never produced).",
      },
    ),
    Type.Object(
      {
        type: Type.Literal("wait_agent"),
        target_agent_path: Nullable(Type.String(), "Agent path waited for, if a single one."),
        timeout_ms: Nullable(Type.Integer({ minimum: 0 }), "Wait timeout in milliseconds, if any."),
      },
      { title: "ToolCallSummary_wait_agent", description: "A wait for agents (declared, never produced)." },
    ),
    Type.Object(
      {
        type: Type.Literal("generic"),
        label: Text("`namespace.tool_name` or `tool_name`."),
        input_preview: Nullable(
          Type.String(),
          "First 160 characters of the arguments, input, search query or joined command, with `...` appended when cut.",
        ),
        output_preview: Nullable(Type.String(), "Preview of the output (producers write `null`)."),
      },
      { title: "ToolCallSummary_generic", description: "The summary producers write for every tool call." },
    ),
  ],
  {
    title: "ToolCallSummary",
    description:
      "Summary of a tool call, tagged by `type`. Producers only write `generic`; the reducer replaces it by `terminal` when the call ran a terminal operation.",
  },
);

/** Who asked for a tool call, as recorded in `tool_call_started`. */
export const RawToolCallRequester = Type.Union(
  [
    Type.Object(
      { type: Type.Literal("model") },
      { title: "RawToolCallRequester_model", description: "The model asked for the call directly." },
    ),
    Type.Object(
      {
        type: Type.Literal("code_cell"),
        runtime_cell_id: Text("Runtime-local handle of the code cell whose JavaScript made the call."),
      },
      { title: "RawToolCallRequester_code_cell", description: "A code-mode cell made the call." },
    ),
  ],
  {
    title: "RawToolCallRequester",
    description:
      'Requester of a tool call: `{"type":"model"}` or `{"type":"code_cell","runtime_cell_id":...}`.',
  },
);

/** How the `input` of an inference request relates to the thread's model-visible history (schema 1, optional). */
export const InferenceRequestInputMode = Type.Union(
  [
    Type.Object(
      { type: Type.Literal("full_snapshot") },
      {
        title: "InferenceRequestInputMode_full_snapshot",
        description:
          "`input` is the complete model-visible snapshot, even if the request has a `previous_response_id`.",
      },
    ),
    Type.Object(
      {
        type: Type.Literal("incremental"),
        previous_response_id: Text("Id of the traced response that `input` continues."),
      },
      {
        title: "InferenceRequestInputMode_incremental",
        description: "`input` holds only the items appended after a traced earlier response.",
      },
    ),
    Type.Object(
      {
        type: Type.Literal("incremental_with_untraced_prefix"),
        previous_response_id: Text("Id of the untraced earlier response that `input` continues."),
        prefix_payload: Described(
          RawPayloadRef,
          'The omitted model-visible prefix, an `inference_request` document of the form `{"input": [...]}`.',
        ),
      },
      {
        title: "InferenceRequestInputMode_incremental_with_untraced_prefix",
        description:
          "`input` continues an untraced response; the missing prefix is stored in a separate payload.",
      },
    ),
  ],
  {
    title: "InferenceRequestInputMode",
    description:
      "Explicit request input mode (tagged by `type`). Absent means: incremental when the request has a string `previous_response_id`, else a full snapshot.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Status of a rollout or thread. */
export type RolloutStatus = Static<typeof RolloutStatus>;
/** Status of an execution window. */
export type ExecutionStatus = Static<typeof ExecutionStatus>;
/** Code-mode runtime status of a cell. */
export type CodeCellRuntimeStatus = Static<typeof CodeCellRuntimeStatus>;
/** Classification of a tool call. */
export type ToolCallKind = Static<typeof ToolCallKind>;
/** Summary of a tool call. */
export type ToolCallSummary = Static<typeof ToolCallSummary>;
/** Requester of a tool call as recorded in events. */
export type RawToolCallRequester = Static<typeof RawToolCallRequester>;
/** Explicit inference request input mode. */
export type InferenceRequestInputMode = Static<typeof InferenceRequestInputMode>;
