import { type Static, Type } from "typebox";
import { Nullable } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

function optionalText(description: string) {
  return Type.Optional(Type.String({ description }));
}

/** Document of payload kinds `tool_runtime_event` and `terminal_runtime_event`. */
export const ToolRuntimeEventPayload = Type.Object(
  {
    call_id: optionalText("Tool call id of the begin or end event."),
    process_id: Type.Optional(
      Nullable(Type.String(), "Exec: runtime process or session id (omitted when there is none)."),
    ),
    turn_id: optionalText("Exec and MCP: the Codex turn."),
    command: Type.Optional(Type.Array(Type.String(), { description: "Exec: command and arguments." })),
    cwd: optionalText("Exec: working directory."),
    interaction_input: Type.Optional(
      Nullable(
        Type.String(),
        "Exec: text written to stdin by a `write_stdin` interaction (omitted when absent).",
      ),
    ),
    stdout: optionalText("Exec end: standard output."),
    stderr: optionalText("Exec end: standard error."),
    aggregated_output: optionalText("Exec end: interleaved output."),
    exit_code: Type.Optional(Type.Integer({ description: "Exec end: exit code." })),
    formatted_output: optionalText("Exec end: output as shown to the model."),
    status: Type.Optional(
      Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())], {
        description:
          "End status: a string for exec/patch (`completed`, `failed`, `declined`), an agent status (string or object) for collab events.",
      }),
    ),
    sender_thread_id: optionalText("Collab: the thread that sent the request."),
    receiver_thread_id: optionalText("Collab: the thread that received it."),
    new_thread_id: Type.Optional(Nullable(Type.String(), "Collab spawn end: the new child thread, or null.")),
    prompt: optionalText("Collab: the message sent to the agent."),
    event_id: optionalText("Sub-agent activity: the activity id (the tool call id)."),
    occurred_at_ms: Type.Optional(Type.Integer({ description: "Sub-agent activity: when it happened." })),
    agent_thread_id: optionalText("Sub-agent activity: the agent's thread (its presence marks an activity)."),
    agent_path: optionalText("Sub-agent activity: the agent's path."),
    kind: optionalText("Sub-agent activity: `started`, `interacted`, `interrupted`, ..."),
  },
  {
    title: "ToolRuntimeEventPayload",
    description:
      "Document of payload kinds `tool_runtime_event` and `terminal_runtime_event`: a protocol observation of a tool's execution (exec, patch, MCP or collab begin/end, or sub-agent activity). The shape depends on the tool; the listed keys are typed where present and all others are kept as observed.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Document of payload kinds `tool_runtime_event` and `terminal_runtime_event`. */
export type ToolRuntimeEventPayload = Static<typeof ToolRuntimeEventPayload>;
