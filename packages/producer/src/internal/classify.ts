import type { ToolCallKind, ToolCallSummary } from "@rollout-trace/schema";
import { isObject, own } from "./checks.ts";
import type { ToolPayload } from "./types.ts";

const KIND_BY_TOOL_NAME: ReadonlyMap<string, ToolCallKind> = new Map<string, ToolCallKind>([
  ["exec_command", { type: "exec_command" }],
  ["local_shell", { type: "exec_command" }],
  ["shell", { type: "exec_command" }],
  ["shell_command", { type: "exec_command" }],
  ["write_stdin", { type: "write_stdin" }],
  ["apply_patch", { type: "apply_patch" }],
  ["web_search", { type: "web" }],
  ["web_search_preview", { type: "web" }],
  ["image_generation", { type: "image_generation" }],
  ["image_query", { type: "image_generation" }],
  ["imagegen", { type: "image_generation" }],
  ["spawn_agent", { type: "spawn_agent" }],
  ["send_message", { type: "send_message" }],
  ["followup_task", { type: "assign_agent_task" }],
  ["assign_task", { type: "assign_agent_task" }],
  ["wait_agent", { type: "wait_agent" }],
  ["close_agent", { type: "close_agent" }],
  ["interrupt_agent", { type: "close_agent" }],
]);

/**
 * What a tool call does, from the tool's name, as Codex classifies it (spec §5.8). MCP tools are not recognized by
 * name: they are `other` until their runtime observation says `mcp`.
 */
export function classifyTool(name: string): ToolCallKind {
  const known = KIND_BY_TOOL_NAME.get(name);
  return known === undefined ? { type: "other", name } : { ...known };
}

const PLAIN_KINDS: ReadonlySet<string> = new Set([
  "exec_command",
  "write_stdin",
  "apply_patch",
  "web",
  "image_generation",
  "spawn_agent",
  "assign_agent_task",
  "send_message",
  "wait_agent",
  "close_agent",
]);

/** A well-formed kind, copied to its documented fields (so nothing unexpected reaches the event). */
export function normalizeKind(kind: unknown): ToolCallKind | null {
  if (!isObject(kind)) return null;
  const type = own(kind, "type");
  if (typeof type !== "string") return null;
  if (PLAIN_KINDS.has(type)) return { type } as ToolCallKind;
  if (type === "mcp") {
    const server = own(kind, "server");
    const tool = own(kind, "tool");
    return typeof server === "string" && typeof tool === "string" ? { type, server, tool } : null;
  }
  if (type === "other") {
    const name = own(kind, "name");
    return typeof name === "string" ? { type, name } : null;
  }
  return null;
}

const PREVIEW_CHARACTERS = 160;

/** The first 160 characters (code points), with `...` appended when the text was longer. */
function preview(text: string): string {
  // Cheap exit before splitting into code points: 160 UTF-16 units are at most 160 code points.
  if (text.length <= PREVIEW_CHARACTERS) return text;
  const characters = Array.from(text);
  if (characters.length <= PREVIEW_CHARACTERS) return text;
  return `${characters.slice(0, PREVIEW_CHARACTERS).join("")}...`;
}

function inputText(payload: ToolPayload): string {
  switch (payload.type) {
    case "function":
      return payload.arguments;
    case "custom":
      return payload.input;
    case "tool_search": {
      const query = own(payload.arguments, "query");
      return typeof query === "string" ? query : JSON.stringify(payload.arguments);
    }
    case "local_shell":
      return payload.command.join(" ");
  }
}

/** The `generic` summary producers write: `namespace.name`, and a preview of the input. */
export function genericSummary(
  name: string,
  namespace: string | null,
  payload: ToolPayload,
): ToolCallSummary {
  return {
    type: "generic",
    label: namespace === null ? name : `${namespace}.${name}`,
    input_preview: preview(inputText(payload)),
    output_preview: null,
  };
}
