// Multi-agent interaction edges (spec §4.8). A delivery edge targets the exact recipient-side conversation item whose
// inter-agent fields (thread, author path, content) equal the sender's; until that item appears it waits as pending.
import {
  any,
  DecodeError,
  type Decoder,
  field,
  fromValue,
  invalidType,
  opt,
  str,
  stringEnum,
  struct,
  unknownVariant,
} from "./decode.ts";
import { fail, withContext } from "./errors.ts";
import type { EventPayload, TraceEvent } from "./events.ts";
import { get, hasKey, isObject, type JsonValue, objectKeys, parseJson } from "./json.ts";
import type {
  ConversationItem,
  InteractionEdge,
  InteractionEdgeKind,
  RawPayloadRef,
  ToolCall,
  TraceAnchor,
} from "./model.ts";
import { compareKeys } from "./order.ts";
import type { PendingEdge, ReplayState } from "./state.ts";
import { parseUuid } from "./uuid.ts";

type Payload<T extends EventPayload["type"]> = Extract<EventPayload, { type: T }>;

/** Protocol thread ids are UUIDs, printed back in lower-case hyphenated form whatever form they were written in. */
const threadId: Decoder<string> = (value) => {
  const parsed = parseUuid(str(value));
  if (!parsed.ok) throw new DecodeError(parsed.error);
  return parsed.uuid;
};

/** Checks a protocol `AgentPath`; returns the reason it is invalid, or null. */
export function agentPathProblem(path: string): string | null {
  if (path === "/morpheus") return null;
  if (path !== "/root" && !path.startsWith("/root/"))
    return "absolute agent paths must start with `/root` or be `/morpheus`";
  if (path.endsWith("/")) return "absolute agent path must not end with `/`";
  for (const name of path.split("/").slice(2)) {
    if (name === "") return "agent_name must not be empty";
    if (!/^[a-z0-9_]+$/.test(name))
      return "agent_name must use only lowercase letters, digits, and underscores";
  }
  return null;
}

const agentPath: Decoder<string> = (value) => {
  const path = str(value);
  const problem = agentPathProblem(path);
  if (problem !== null) throw new DecodeError(problem);
  return path;
};

const AGENT_STATUSES = [
  "pending_init",
  "running",
  "interrupted",
  "completed",
  "errored",
  "shutdown",
  "not_found",
];
const STATUSES_WITH_VALUE: ReadonlySet<string> = new Set(["completed", "errored"]);

/** The protocol `AgentStatus`: unit variants as strings, `completed`/`errored` as one-key maps. */
const agentStatus: Decoder<null> = (value) => {
  if (typeof value === "string") {
    if (!AGENT_STATUSES.includes(value)) throw unknownVariant(value, AGENT_STATUSES);
    if (STATUSES_WITH_VALUE.has(value))
      throw new DecodeError("invalid type: unit variant, expected newtype variant");
    return null;
  }
  if (!isObject(value)) throw invalidType(value, "string or map");
  const [variant, ...rest] = objectKeys(value);
  if (variant === undefined || rest.length > 0)
    throw new DecodeError("invalid value: map, expected map with a single key");
  if (!AGENT_STATUSES.includes(variant)) throw unknownVariant(variant, AGENT_STATUSES);
  if (variant === "completed") opt(str)(value[variant]!);
  else if (variant === "errored") str(value[variant]!);
  else throw new DecodeError("invalid type: newtype variant, expected unit variant");
  return null;
};

function toolPayloadIds(tool: ToolCall): string[] {
  const ids: string[] = [];
  if (tool.raw_invocation_payload_id !== null) ids.push(tool.raw_invocation_payload_id);
  for (const id of tool.raw_runtime_payload_ids) if (!ids.includes(id)) ids.push(id);
  if (tool.raw_result_payload_id !== null && !ids.includes(tool.raw_result_payload_id))
    ids.push(tool.raw_result_payload_id);
  return ids;
}

function agentPathOf(s: ReplayState, thread: string): string {
  return (
    s.collections.threads.get(thread)?.agent_path ?? fail(`agent edge referenced unknown thread ${thread}`)
  );
}

// ---- Inter-agent content of a recipient-side item -------------------------------------------------------------

interface InterAgent {
  author: string;
  content: string;
}

function interAgentFields(s: ReplayState, item: ConversationItem): InterAgent | null {
  if (item.role !== "assistant" || item.kind !== "message") return null;
  const parts = item.body.parts;
  let author: string;
  let recipient: string;
  let content: string;
  if (item.agent_message) {
    const [first, second] = parts;
    if (parts.length === 1 && first?.type === "text") content = first.text;
    else if (parts.length === 1 && first?.type === "encoded" && first.label === "encrypted_content")
      content = first.value;
    else if (
      parts.length === 2 &&
      first?.type === "text" &&
      second?.type === "encoded" &&
      second.label === "encrypted_content"
    ) {
      content = second.value;
    } else return null;
    author = item.agent_message.author;
    recipient = item.agent_message.recipient;
  } else {
    const only = parts[0];
    if (parts.length !== 1 || only?.type !== "text") return null;
    const legacy = legacyCommunication(only.text);
    if (!legacy) return null;
    ({ author, recipient, content } = legacy);
  }
  const thread = s.collections.threads.get(item.thread_id);
  if (!thread || thread.agent_path !== recipient) return null;
  return { author, content };
}

/** A protocol `InterAgentCommunication` serialized as the text of a message. */
function legacyCommunication(text: string): { author: string; recipient: string; content: string } | null {
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const author = get(value, "author");
  const recipient = get(value, "recipient");
  const others = get(value, "other_recipients");
  const content = get(value, "content");
  const trigger = get(value, "trigger_turn");
  const encrypted = get(value, "encrypted_content");
  if (typeof author !== "string" || typeof recipient !== "string" || typeof content !== "string") return null;
  if (agentPathProblem(author) !== null || agentPathProblem(recipient) !== null) return null;
  if (typeof trigger !== "boolean") return null;
  if (others !== undefined && !(Array.isArray(others) && others.every((o) => typeof o === "string")))
    return null;
  if (encrypted !== undefined && encrypted !== null && typeof encrypted !== "string") return null;
  return { author, recipient, content: typeof encrypted === "string" ? encrypted : content };
}

// ---- Queue, resolve, upsert ------------------------------------------------------------------------------------

function sameAnchor(a: TraceAnchor, b: TraceAnchor): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "conversation_item":
      return a.item_id === (b as typeof a).item_id;
    case "tool_call":
      return a.tool_call_id === (b as typeof a).tool_call_id;
    case "thread":
      return a.thread_id === (b as typeof a).thread_id;
  }
}

function mergeEnd(a: number | null, b: number | null): number | null {
  if (a !== null && b !== null) return Math.max(a, b);
  return a ?? b;
}

function union(target: string[], extra: readonly string[]): void {
  for (const id of extra) if (!target.includes(id)) target.push(id);
}

function upsertEdge(s: ReplayState, edge: InteractionEdge): void {
  const existing = s.collections.interaction_edges.get(edge.edge_id);
  if (!existing) {
    s.collections.interaction_edges.set(edge.edge_id, edge);
  } else {
    if (
      existing.kind !== edge.kind ||
      !sameAnchor(existing.source, edge.source) ||
      !sameAnchor(existing.target, edge.target)
    ) {
      fail(`interaction edge ${edge.edge_id} was observed with conflicting endpoints`);
    }
    existing.started_at_unix_ms = Math.min(existing.started_at_unix_ms, edge.started_at_unix_ms);
    existing.ended_at_unix_ms = mergeEnd(existing.ended_at_unix_ms, edge.ended_at_unix_ms);
    union(existing.carried_item_ids, edge.carried_item_ids);
    union(existing.carried_raw_payload_ids, edge.carried_raw_payload_ids);
  }
  if (edge.target.type === "conversation_item") s.edgeTargetItems.add(edge.target.item_id);
}

function deliver(s: ReplayState, pending: PendingEdge, itemId: string): void {
  upsertEdge(s, {
    edge_id: pending.edge_id,
    kind: pending.kind,
    source: pending.source,
    target: { type: "conversation_item", item_id: itemId },
    started_at_unix_ms: pending.started_at_unix_ms,
    ended_at_unix_ms: pending.ended_at_unix_ms,
    carried_item_ids: [itemId],
    carried_raw_payload_ids: [...pending.carried_raw_payload_ids],
  });
}

function queueOrResolve(s: ReplayState, pending: PendingEdge): void {
  const thread = s.collections.threads.get(pending.target_thread_id);
  for (const itemId of thread?.conversation_item_ids ?? []) {
    if (s.edgeTargetItems.has(itemId)) continue;
    const fields = interAgentFields(s, s.item(itemId));
    if (fields && fields.author === pending.author && fields.content === pending.content) {
      deliver(s, pending, itemId);
      return;
    }
  }
  const same = s.pendingEdges.find((edge) => edge.edge_id === pending.edge_id);
  if (!same) {
    s.pendingEdges.push(pending);
    return;
  }
  if (
    same.kind !== pending.kind ||
    !sameAnchor(same.source, pending.source) ||
    same.target_thread_id !== pending.target_thread_id ||
    same.author !== pending.author ||
    same.content !== pending.content ||
    same.spawn_fallback_thread_id !== pending.spawn_fallback_thread_id
  ) {
    fail(`pending interaction edge ${pending.edge_id} was observed with conflicting delivery data`);
  }
  same.started_at_unix_ms = Math.min(same.started_at_unix_ms, pending.started_at_unix_ms);
  same.ended_at_unix_ms = mergeEnd(same.ended_at_unix_ms, pending.ended_at_unix_ms);
  union(same.carried_raw_payload_ids, pending.carried_raw_payload_ids);
}

/** A newly reconciled item may be the delivery a pending edge waits for. */
export function linkItemToAgentEdges(s: ReplayState, item: ConversationItem): void {
  if (s.pendingEdges.length === 0 || s.edgeTargetItems.has(item.item_id)) return;
  const fields = interAgentFields(s, item);
  if (!fields) return;
  const index = s.pendingEdges.findIndex(
    (edge) =>
      edge.target_thread_id === item.thread_id &&
      edge.author === fields.author &&
      edge.content === fields.content,
  );
  if (index === -1) return;
  const [pending] = s.pendingEdges.splice(index, 1);
  deliver(s, pending!, item.item_id);
}

// ---- Tool runtime payloads ---------------------------------------------------------------------------------------

function messageEdge(
  s: ReplayState,
  tool: ToolCall,
  kind: InteractionEdgeKind,
  edgeId: string,
  targetThread: string,
  content: string,
  endedAt: number | null,
  fallback: string | null,
): PendingEdge {
  return {
    edge_id: edgeId,
    kind,
    source: { type: "tool_call", tool_call_id: tool.tool_call_id },
    target_thread_id: targetThread,
    author: agentPathOf(s, tool.thread_id),
    content,
    spawn_fallback_thread_id: fallback,
    started_at_unix_ms: tool.execution.started_at_unix_ms,
    ended_at_unix_ms: endedAt,
    carried_raw_payload_ids: toolPayloadIds(tool),
  };
}

function closeEdge(s: ReplayState, toolId: string, targetThread: string, endedAt: number | null): void {
  const tool = s.tool(toolId) ?? fail(`close edge referenced unknown tool call ${toolId}`);
  if (!s.collections.threads.has(targetThread)) return;
  upsertEdge(s, {
    edge_id: `edge:tool:${toolId}`,
    kind: "close_agent",
    source: { type: "tool_call", tool_call_id: toolId },
    target: { type: "thread", thread_id: targetThread },
    started_at_unix_ms: tool.execution.started_at_unix_ms,
    ended_at_unix_ms: endedAt,
    carried_item_ids: [],
    carried_raw_payload_ids: toolPayloadIds(tool),
  });
}

function readStruct(s: ReplayState, ref: RawPayloadRef): ReturnType<typeof struct> {
  return struct(s.readPayload(ref), "a map");
}

export function agentEdgesFromRuntimeBegin(s: ReplayState, tool: ToolCall, ref: RawPayloadRef): void {
  const kind = tool.kind.type;
  if (kind !== "assign_agent_task" && kind !== "send_message" && kind !== "close_agent") return;
  const document = s.readPayload(ref);
  const begin = decodeCollab(() => {
    const object = struct(document, "struct CollabBegin");
    field(object, "call_id", str);
    field(object, "sender_thread_id", threadId);
    const receiver = field(object, "receiver_thread_id", threadId);
    return { receiver, prompt: kind === "close_agent" ? "" : field(object, "prompt", str) };
  });
  if (kind === "close_agent") {
    closeEdge(s, tool.tool_call_id, begin.receiver, null);
    return;
  }
  queueOrResolve(
    s,
    messageEdge(s, tool, kind, `edge:tool:${tool.tool_call_id}`, begin.receiver, begin.prompt, null, null),
  );
}

/** Collab payload shape errors surface as the raw deserialization error, like the reference's. */
function decodeCollab<T>(run: () => T): T {
  try {
    return fromValue(run);
  } catch (error) {
    if (error instanceof DecodeError) fail(error.message);
    throw error;
  }
}

const activityKindV1 = stringEnum(["started", "interacted", "interrupted"]);
const activityKindV2 = stringEnum(["started", "interacted", "interrupted", "completed"]);

function debugName(snake: string): string {
  return snake
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

export function agentEdgesFromRuntimeEnd(
  s: ReplayState,
  event: TraceEvent,
  tool: ToolCall,
  ref: RawPayloadRef,
): void {
  const document = s.readPayload(ref);
  const kind = tool.kind.type;
  const at = event.wall_time_unix_ms;
  if (isObject(document) && hasKey(document, "agent_thread_id")) {
    const activity = decodeCollab(() => {
      const object = struct(document, "struct SubAgentActivityEvent");
      field(object, "event_id", str);
      field(object, "occurred_at_ms", opt(any));
      const agentThread = field(object, "agent_thread_id", threadId);
      field(object, "agent_path", agentPath);
      return { agentThread, kind: field(object, "kind", s.version === 2 ? activityKindV2 : activityKindV1) };
    });
    if (activity.kind === "completed") return;
    if (kind === "spawn_agent" && activity.kind === "started") {
      const content = activityMessage(s, tool);
      queueOrResolve(
        s,
        messageEdge(
          s,
          tool,
          "spawn_agent",
          `edge:spawn:${tool.thread_id}:${activity.agentThread}`,
          activity.agentThread,
          content,
          at,
          activity.agentThread,
        ),
      );
    } else if ((kind === "assign_agent_task" || kind === "send_message") && activity.kind === "interacted") {
      const content = activityMessage(s, tool);
      queueOrResolve(
        s,
        messageEdge(s, tool, kind, `edge:tool:${tool.tool_call_id}`, activity.agentThread, content, at, null),
      );
    } else if (kind === "close_agent" && activity.kind === "interrupted") {
      closeEdge(s, tool.tool_call_id, activity.agentThread, at);
    } else {
      fail(`sub-agent activity ${debugName(activity.kind)} does not match tool call kind ${debugName(kind)}`);
    }
    return;
  }
  if (kind === "spawn_agent") {
    const end = decodeCollab(() => {
      const object = struct(document, "struct CollabAgentSpawnEndEvent");
      field(object, "call_id", str);
      const spawned = {
        sender: field(object, "sender_thread_id", threadId),
        child: field(object, "new_thread_id", opt(threadId)),
        prompt: field(object, "prompt", str),
      };
      field(object, "model", str);
      field(object, "reasoning_effort", any);
      field(object, "status", agentStatus);
      return spawned;
    });
    if (end.child === null) return;
    queueOrResolve(
      s,
      messageEdge(
        s,
        tool,
        "spawn_agent",
        `edge:spawn:${end.sender}:${end.child}`,
        end.child,
        end.prompt,
        at,
        end.child,
      ),
    );
  } else if (kind === "assign_agent_task" || kind === "send_message") {
    const end = decodeCollab(() => {
      const object = struct(document, "struct CollabAgentInteractionEndEvent");
      field(object, "call_id", str);
      field(object, "sender_thread_id", threadId);
      const interaction = {
        receiver: field(object, "receiver_thread_id", threadId),
        prompt: field(object, "prompt", str),
      };
      field(object, "status", agentStatus);
      return interaction;
    });
    queueOrResolve(
      s,
      messageEdge(s, tool, kind, `edge:tool:${tool.tool_call_id}`, end.receiver, end.prompt, at, null),
    );
  } else if (kind === "close_agent") {
    const end = decodeCollab(() => {
      const object = struct(document, "struct CollabCloseEndEvent");
      field(object, "call_id", str);
      field(object, "sender_thread_id", threadId);
      const receiver = field(object, "receiver_thread_id", threadId);
      field(object, "status", agentStatus);
      return { receiver };
    });
    closeEdge(s, tool.tool_call_id, end.receiver, at);
  }
}

/** The `message` argument of the tool's invocation (sub-agent activity carries no text of its own). */
function activityMessage(s: ReplayState, tool: ToolCall): string {
  const id = tool.tool_call_id;
  const invocationId =
    tool.raw_invocation_payload_id ?? fail(`agent activity tool call ${id} missing invocation payload`);
  const ref =
    s.collections.raw_payloads.get(invocationId) ??
    fail(`agent activity tool call ${id} referenced missing invocation payload ${invocationId}`);
  const invocation = readStruct(s, ref);
  const inner = get(invocation, "payload");
  const args = isObject(inner) ? get(inner, "arguments") : undefined;
  if (typeof args !== "string") fail(`agent activity tool call ${id} missing function arguments`);
  const parsed = withContext(`parse agent activity tool call ${id} arguments`, () => {
    const value = parseJson(args);
    const object = struct(value, "struct AgentToolArguments");
    return field(object, "message", str);
  });
  return parsed;
}

/** A tool's result payload is evidence of the agent edge it drove. */
export function attachResultToAgentEdge(s: ReplayState, toolId: string, payloadId: string): void {
  let best: InteractionEdge | null = null;
  for (const edge of s.collections.interaction_edges.values()) {
    if (edge.source.type !== "tool_call" || edge.source.tool_call_id !== toolId) continue;
    if (best === null || compareKeys(edge.edge_id, best.edge_id) < 0) best = edge;
  }
  if (best) {
    if (!best.carried_raw_payload_ids.includes(payloadId)) best.carried_raw_payload_ids.push(payloadId);
    return;
  }
  const pending = s.pendingEdges.find(
    (edge) => edge.source.type === "tool_call" && edge.source.tool_call_id === toolId,
  );
  if (pending && !pending.carried_raw_payload_ids.includes(payloadId))
    pending.carried_raw_payload_ids.push(payloadId);
}

// ---- Agent results and the end-of-replay fallback ------------------------------------------------------------------

export function agentResultObserved(
  s: ReplayState,
  event: TraceEvent,
  payload: Payload<"agent_result_observed">,
): void {
  const author = agentPathOf(s, payload.child_thread_id);
  let source: TraceAnchor = { type: "thread", thread_id: payload.child_thread_id };
  let best: ConversationItem | null = null;
  for (const itemId of s.itemsByThread.get(payload.child_thread_id) ?? []) {
    const item = s.item(itemId);
    if (item.role !== "assistant" || item.kind !== "message" || item.agent_message !== undefined) continue;
    if (item.codex_turn_id !== payload.child_codex_turn_id) continue;
    if (
      best === null ||
      item.first_seen_at_unix_ms > best.first_seen_at_unix_ms ||
      (item.first_seen_at_unix_ms === best.first_seen_at_unix_ms &&
        compareKeys(item.item_id, best.item_id) > 0)
    ) {
      best = item;
    }
  }
  if (best) source = { type: "conversation_item", item_id: best.item_id };
  const at = event.wall_time_unix_ms;
  queueOrResolve(s, {
    edge_id: payload.edge_id,
    kind: "agent_result",
    source,
    target_thread_id: payload.parent_thread_id,
    author,
    content: payload.message,
    spawn_fallback_thread_id: null,
    started_at_unix_ms: at,
    ended_at_unix_ms: at,
    carried_raw_payload_ids: payload.carried_payload ? [payload.carried_payload.raw_payload_id] : [],
  });
}

export function resolveSpawnFallbacks(s: ReplayState): void {
  const pending = s.pendingEdges;
  s.pendingEdges = [];
  for (const edge of pending) {
    const child = edge.spawn_fallback_thread_id;
    if (child === null) continue;
    if (edge.kind !== "spawn_agent")
      fail(`non-spawn interaction edge ${edge.edge_id} carried a spawn fallback target`);
    if (!s.collections.threads.has(child)) continue;
    upsertEdge(s, {
      edge_id: edge.edge_id,
      kind: edge.kind,
      source: edge.source,
      target: { type: "thread", thread_id: child },
      started_at_unix_ms: edge.started_at_unix_ms,
      ended_at_unix_ms: edge.ended_at_unix_ms,
      carried_item_ids: [],
      carried_raw_payload_ids: edge.carried_raw_payload_ids,
    });
  }
}
