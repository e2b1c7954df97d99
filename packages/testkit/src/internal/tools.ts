import { MCP_CALLS } from "./corpus.ts";
import type { SessionScript } from "./script.ts";
import type { JsonObject, JsonValue, SchemaVersion } from "./trace-types.ts";

function functionTool(
  name: string,
  description: string,
  properties: JsonObject,
  required: string[],
): JsonObject {
  return {
    type: "function",
    name,
    description,
    strict: false,
    parameters: { type: "object", properties, required, additionalProperties: false },
  };
}

function namespaceTool(name: string, description: string, tools: JsonObject[]): JsonObject {
  return { type: "namespace", name, description, tools };
}

const stringProperty = (description: string): JsonObject => ({ type: "string", description });
const numberProperty = (description: string): JsonObject => ({ type: "number", description });

/** The `tools` array of an inference request for a session (descriptions are short, parameters realistic). */
export function buildToolList(version: SchemaVersion, session: SessionScript): JsonValue[] {
  const tools: JsonValue[] = [];
  if (session.codeMode) {
    tools.push({
      type: "custom",
      name: "exec",
      description: "Run a JavaScript cell that can call the other tools through `tools.<name>(args)`.",
      format: { type: "text" },
    });
    tools.push(
      functionTool(
        "wait",
        "Wait for a running JavaScript cell to produce more output or finish.",
        { cell_id: stringProperty("Cell to wait for."), yield_time_ms: numberProperty("How long to wait.") },
        ["cell_id"],
      ),
    );
  }
  tools.push(
    functionTool(
      "exec_command",
      "Run a shell command and return its output, or a session id while it keeps running.",
      {
        cmd: stringProperty("Command line to run."),
        tty: { type: "boolean", description: "Allocate a terminal for interactive programs." },
        workdir: stringProperty("Directory to run in."),
        yield_time_ms: numberProperty("How long to wait for output before returning."),
      },
      ["cmd"],
    ),
    functionTool(
      "write_stdin",
      "Send characters to a running command session and return new output; empty input just polls.",
      {
        session_id: numberProperty("Session returned by exec_command."),
        chars: stringProperty("Characters to write."),
        yield_time_ms: numberProperty("How long to wait for output."),
      },
      ["session_id"],
    ),
    {
      type: "custom",
      name: "apply_patch",
      description: "Edit files with a patch in the `*** Begin Patch` envelope format.",
      format: { type: "text" },
    },
  );
  if (version === 1) {
    tools.push(
      functionTool(
        "update_plan",
        "Record the current step-by-step plan.",
        {
          explanation: stringProperty("Why the plan changed."),
          plan: { type: "array", items: { type: "object" } },
        },
        ["plan"],
      ),
    );
  }
  tools.push(
    functionTool(
      "view_image",
      "Attach a local image to the conversation.",
      { path: stringProperty("Image path.") },
      ["path"],
    ),
    functionTool("list_mcp_resources", "List resources offered by MCP servers.", {}, []),
    functionTool("get_goal", "Return the current goal, if one was set.", {}, []),
  );
  const servers = [...new Set(MCP_CALLS.map((call) => call.server))];
  for (const server of servers) {
    tools.push(
      namespaceTool(
        version === 2 ? `mcp__${server}` : server,
        `Tools of the ${server} MCP server.`,
        MCP_CALLS.filter((call) => call.server === server).map((call) =>
          functionTool(call.tool, `${call.tool} on ${server}.`, {}, []),
        ),
      ),
    );
  }
  if (session.multiAgent === "collab") {
    tools.push(
      namespaceTool("multi_agent_v1", "Start and manage helper agents.", [
        functionTool(
          "spawn_agent",
          "Start a helper agent with a task.",
          { message: stringProperty("Task.") },
          ["message"],
        ),
        functionTool(
          "send_input",
          "Send a message to a helper.",
          { target: stringProperty("Agent id."), message: stringProperty("Text.") },
          ["target", "message"],
        ),
        functionTool("resume_agent", "Reopen a closed helper.", { id: stringProperty("Agent id.") }, ["id"]),
        functionTool(
          "wait_agent",
          "Wait for helpers to finish.",
          { targets: { type: "array", items: { type: "string" } } },
          [],
        ),
        functionTool("close_agent", "Shut a helper down.", { target: stringProperty("Agent id.") }, [
          "target",
        ]),
      ]),
    );
  } else if (session.multiAgent === "team") {
    tools.push(
      namespaceTool("collaboration", "Delegate work to helper agents and coordinate with them.", [
        functionTool(
          "spawn_agent",
          "Start a helper agent for a named task.",
          {
            task_name: stringProperty("Short task name."),
            message: stringProperty("Task."),
            fork_turns: stringProperty("History to share."),
          },
          ["task_name", "message"],
        ),
        functionTool(
          "send_message",
          "Send a note to a helper.",
          { target: stringProperty("Task name."), message: stringProperty("Text.") },
          ["target", "message"],
        ),
        functionTool(
          "followup_task",
          "Give a helper another task.",
          { target: stringProperty("Task name."), message: stringProperty("Task.") },
          ["target", "message"],
        ),
        functionTool(
          "wait_agent",
          "Wait for helper results.",
          { timeout_ms: numberProperty("Timeout.") },
          [],
        ),
        functionTool(
          "interrupt_agent",
          "Stop a helper's current work.",
          { target: stringProperty("Task name.") },
          ["target"],
        ),
        functionTool("list_agents", "List helpers and their status.", {}, []),
      ]),
    );
  }
  tools.push({ type: "web_search" });
  return tools;
}
