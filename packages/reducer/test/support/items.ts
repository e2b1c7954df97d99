// Responses items and payload documents in the shapes Codex writes them, for building test bundles.

type Item = Record<string, unknown>;

/** Adds a Responses `id` (schema 2 identity) to an item. */
export function withId<T extends Item>(id: string, item: T): T & { id: string } {
  return { ...item, id };
}

export function message(role: string, text: string, options: { phase?: string } = {}): Item {
  const item: Item = { type: "message", role };
  if (options.phase !== undefined) item.phase = options.phase;
  item.content = [{ type: role === "assistant" ? "output_text" : "input_text", text }];
  return item;
}

export const user = (text: string): Item => message("user", text);
export const developer = (text: string): Item => message("developer", text);
export const assistant = (text: string, phase?: string): Item =>
  message("assistant", text, phase === undefined ? {} : { phase });

export function functionCall(callId: string, args: unknown = "{}", name = "lookup"): Item {
  return { type: "function_call", name, arguments: args, call_id: callId };
}

export function functionOutput(callId: string, output: unknown = "done"): Item {
  return { type: "function_call_output", call_id: callId, output };
}

export function customCall(callId: string, input: unknown, name = "exec"): Item {
  return { type: "custom_tool_call", name, call_id: callId, input };
}

export function customOutput(callId: string, output: unknown = "done"): Item {
  return { type: "custom_tool_call_output", call_id: callId, output };
}

export function reasoning(options: { text?: string[]; summary?: string[]; encrypted?: string | null }): Item {
  const item: Item = { type: "reasoning" };
  if (options.summary !== undefined)
    item.summary = options.summary.map((text) => ({ type: "summary_text", text }));
  if (options.text !== undefined)
    item.content = options.text.map((text) => ({ type: "reasoning_text", text }));
  if (options.encrypted !== undefined) item.encrypted_content = options.encrypted;
  return item;
}

/** A multi-agent v2 `agent_message` item whose content is one `input_text`. */
export function agentMessage(author: string, recipient: string, text: string): Item {
  return { type: "agent_message", author, recipient, content: [{ type: "input_text", text }] };
}

/**
 * A legacy inter-agent delivery: an assistant message whose only text is a protocol `InterAgentCommunication`
 * serialized as JSON.
 */
export function interAgentText(author: string, recipient: string, content: string): Item {
  return assistant(JSON.stringify({ author, recipient, other_recipients: [], content, trigger_turn: false }));
}

// ---- payload documents -------------------------------------------------------------------------------------------

/** A `tool_invocation` document for a function tool; object arguments are serialized to the JSON string. */
export function functionInvocation(toolName: string, args: unknown): Item {
  return {
    tool_name: toolName,
    tool_namespace: null,
    payload: { type: "function", arguments: typeof args === "string" ? args : JSON.stringify(args) },
  };
}

/** Session metadata as `ThreadStartedTraceMetadata` writes it. */
export function sessionMetadata(threadId: string, fields: Record<string, unknown> = {}): Item {
  return {
    thread_id: threadId,
    agent_path: "/root",
    task_name: null,
    nickname: null,
    agent_role: null,
    session_source: "exec",
    cwd: "/repo",
    rollout_path: null,
    model: "gpt-test",
    provider_name: "test-provider",
    approval_policy: "never",
    sandbox_policy: "DangerFullAccess",
    ...fields,
  };
}

/** `session_source` of a multi-agent v2 child. */
export function threadSpawnSource(spawn: Record<string, unknown>): Item {
  return { subagent: { thread_spawn: spawn } };
}

/** The protocol end shape of an exec runtime (schema-1 fields). */
export function execEnd(fields: Record<string, unknown> = {}): Item {
  return {
    call_id: "call",
    turn_id: "turn-1",
    command: ["echo", "hi"],
    cwd: "/repo",
    stdout: "hi\n",
    stderr: "",
    aggregated_output: "hi\n",
    exit_code: 0,
    formatted_output: "hi\n",
    status: "completed",
    ...fields,
  };
}

export function execBegin(fields: Record<string, unknown> = {}): Item {
  return { call_id: "call", turn_id: "turn-1", command: ["echo", "hi"], cwd: "/repo", ...fields };
}

export function directResponse(responseItem: unknown): Item {
  return { type: "direct_response", response_item: responseItem };
}

export function codeModeResponse(value: unknown): Item {
  return { type: "code_mode_response", value };
}

export function dispatchError(error: string): Item {
  return { type: "error", error };
}

/** Sub-agent activity, the runtime-end payload of multi-agent v2 tools. */
export function subAgentActivity(
  callId: string,
  agentThreadId: string,
  agentPath: string,
  kind: string,
): Item {
  return {
    event_id: callId,
    occurred_at_ms: 1234,
    agent_thread_id: agentThreadId,
    agent_path: agentPath,
    kind,
  };
}
