// Responses items (from requests, responses and compaction checkpoints) mapped onto conversation items: role,
// channel, kind, body parts and call id, exactly as the reference normalizes them.
import { type Decoder, field, seq, str, struct, tagOf } from "./decode.ts";
import { contextualize, fail } from "./errors.ts";
import {
  get,
  isObject,
  type JsonObject,
  type JsonValue,
  parseJson,
  stringifyCanonical,
  stringifyCompact,
} from "./json.ts";
import type {
  AgentMessageRoute,
  ConversationChannel,
  ConversationItemKind,
  ConversationPart,
  ConversationRole,
} from "./model.ts";
import { sha256Hex } from "./sha256.ts";

export interface NormalizedItem {
  role: ConversationRole;
  channel: ConversationChannel | null;
  kind: ConversationItemKind;
  agent_message: AgentMessageRoute | undefined;
  parts: ConversationPart[];
  call_id: string | null;
  /** The Responses item `id`; part of the identity in trace schema 2 only. */
  responses_item_id: string | undefined;
}

const ROLES: ReadonlySet<string> = new Set(["system", "developer", "user", "assistant", "tool"]);
const SUMMARY_LIMIT_BYTES = 240;

/** Where items come from: the payload they are read from and the trace schema, which changes a few rules. */
interface Source {
  payloadId: string;
  version: 1 | 2;
}

export function normalizeItems(
  items: readonly JsonValue[],
  payloadId: string,
  version: 1 | 2,
): NormalizedItem[] {
  const source = { payloadId, version };
  return items.map((item) => normalizeTyped(item, source));
}

export function normalizeItem(item: JsonValue, payloadId: string, version: 1 | 2): NormalizedItem {
  return normalizeTyped(item, { payloadId, version });
}

function normalizeTyped(value: JsonValue, source: Source): NormalizedItem {
  const type = isObject(value) ? get(value, "type") : undefined;
  if (!isObject(value) || typeof type !== "string") {
    return fail(`model item in payload ${source.payloadId} did not contain a string type`);
  }
  const normalized = normalizeByType(value, type, source);
  const id = get(value, "id");
  // Schema 2 makes the Responses item id part of an item's identity.
  if (source.version === 2 && typeof id === "string") normalized.responses_item_id = id;
  return normalized;
}

function make(
  role: ConversationRole,
  channel: ConversationChannel | null,
  kind: ConversationItemKind,
  parts: ConversationPart[],
  callId: string | null = null,
  agentMessage?: AgentMessageRoute,
): NormalizedItem {
  return {
    role,
    channel,
    kind,
    agent_message: agentMessage,
    parts,
    call_id: callId,
    responses_item_id: undefined,
  };
}

function normalizeByType(item: JsonObject, type: string, source: Source): NormalizedItem {
  const payloadId = source.payloadId;
  switch (type) {
    case "message": {
      const role = get(item, "role");
      if (typeof role !== "string")
        fail(`message item in payload ${payloadId} did not contain a string role`);
      if (!ROLES.has(role)) fail(`unsupported message role ${role} in payload ${payloadId}`);
      return make(
        role as ConversationRole,
        channelOfPhase(get(item, "phase")),
        "message",
        contentParts(get(item, "content"), source),
      );
    }
    case "agent_message": {
      const { route, parts } = agentMessage(item, payloadId);
      return make("assistant", "analysis", "message", parts, null, route);
    }
    case "reasoning":
      return make("assistant", "analysis", "reasoning", reasoningParts(item, payloadId));
    case "function_call":
      return make(
        "assistant",
        "commentary",
        "function_call",
        argumentParts(get(item, "arguments"), payloadId),
        stringOrNull(get(item, "call_id")),
      );
    case "function_call_output":
      return make(
        "tool",
        "commentary",
        "function_call_output",
        toolOutputParts(get(item, "output"), source),
        stringOrNull(get(item, "call_id")),
      );
    case "custom_tool_call":
      return make(
        "assistant",
        "commentary",
        "custom_tool_call",
        customToolCallParts(item, payloadId),
        stringOrNull(get(item, "call_id")),
      );
    case "custom_tool_call_output":
      return make(
        "tool",
        "commentary",
        "custom_tool_call_output",
        toolOutputParts(get(item, "output"), source),
        stringOrNull(get(item, "call_id")),
      );
    case "tool_search_call":
    case "web_search_call":
    case "image_generation_call":
    case "local_shell_call":
      return make(
        "assistant",
        "commentary",
        "function_call",
        [jsonPart(item, payloadId)],
        stringOrNull(get(item, "call_id")),
      );
    case "tool_search_output":
    case "mcp_tool_call_output":
      return make(
        "tool",
        "commentary",
        "function_call_output",
        [jsonPart(item, payloadId)],
        stringOrNull(get(item, "call_id")),
      );
    case "compaction":
    case "compaction_summary":
    case "context_compaction": {
      const encrypted = get(item, "encrypted_content");
      if (typeof encrypted !== "string") {
        fail(`compaction item in payload ${payloadId} did not contain string encrypted_content`);
      }
      return make("assistant", "summary", "message", [
        { type: "encoded", label: "encrypted_content", value: encrypted },
      ]);
    }
    default:
      return fail(`unsupported model item type ${type} in payload ${payloadId}`);
  }
}

function stringOrNull(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function channelOfPhase(phase: JsonValue | undefined): ConversationChannel | null {
  if (phase === "commentary") return "commentary";
  if (phase === "final_answer") return "final";
  if (phase === "summary") return "summary";
  return null;
}

/**
 * Message content and array tool outputs. Schema 2 identifies an opaque content entry (an image, say) by the SHA-256
 * of its canonical JSON, and leaves an empty content list empty.
 */
function contentParts(content: JsonValue | undefined, source: Source): ConversationPart[] {
  const payloadId = source.payloadId;
  if (!Array.isArray(content)) return [{ type: "payload_ref", label: "content", raw_payload_id: payloadId }];
  const parts: ConversationPart[] = [];
  for (const entry of content) {
    const type = isObject(entry) ? get(entry, "type") : undefined;
    if (type === "input_text" || type === "output_text" || type === "text") {
      const text = get(entry as JsonObject, "text");
      if (typeof text === "string") parts.push({ type: "text", text });
      continue;
    }
    const label = typeof type === "string" ? type : "content";
    parts.push(
      source.version === 2
        ? {
            type: "payload_ref",
            label,
            raw_payload_id: payloadId,
            content_sha256: sha256Hex(stringifyCanonical(entry)),
          }
        : { type: "payload_ref", label, raw_payload_id: payloadId },
    );
  }
  if (parts.length === 0 && source.version === 1) {
    parts.push({ type: "payload_ref", label: "empty_content", raw_payload_id: payloadId });
  }
  return parts;
}

function toolOutputParts(output: JsonValue | undefined, source: Source): ConversationPart[] {
  if (output === undefined)
    return [{ type: "payload_ref", label: "tool_output", raw_payload_id: source.payloadId }];
  if (typeof output === "string") return [{ type: "text", text: output }];
  if (Array.isArray(output)) return contentParts(output, source);
  return [jsonPart(output, source.payloadId)];
}

function argumentParts(args: JsonValue | undefined, payloadId: string): ConversationPart[] {
  if (args === undefined) return [{ type: "payload_ref", label: "payload", raw_payload_id: payloadId }];
  if (typeof args !== "string") return [jsonPart(args, payloadId)];
  const summary = argumentSummary(args);
  if (summary === null) return [{ type: "text", text: args }];
  return [{ type: "json", summary, raw_payload_id: payloadId }];
}

// Every full request repeats the calls made so far, so the same arguments text is summarized again and again.
let argumentSummaries = new Map<string, string | null>();
const ARGUMENT_SUMMARY_CACHE = 4096;

/** The JSON summary of a function call's arguments text, or null when the text is not JSON. */
function argumentSummary(args: string): string | null {
  let summary = argumentSummaries.get(args);
  if (summary !== undefined) return summary;
  try {
    summary = jsonSummary(parseJson(args));
  } catch {
    summary = null;
  }
  // A new map rather than `clear()`, which leaves the old entries reachable to the GC (see ReplayState.beginEvent).
  if (argumentSummaries.size >= ARGUMENT_SUMMARY_CACHE) argumentSummaries = new Map();
  argumentSummaries.set(args, summary);
  return summary;
}

function customToolCallParts(item: JsonObject, payloadId: string): ConversationPart[] {
  const input = get(item, "input");
  if (typeof input !== "string") return [jsonPart(item, payloadId)];
  if (get(item, "name") === "exec") return [{ type: "code", language: "javascript", source: input }];
  return [{ type: "text", text: input }];
}

export function jsonPart(value: JsonValue, payloadId: string): ConversationPart {
  return { type: "json", summary: jsonSummary(value), raw_payload_id: payloadId };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Compact JSON cut to 240 UTF-8 bytes (at a character boundary) plus `...` when longer. */
export function jsonSummary(value: JsonValue): string {
  let text: string;
  try {
    text = stringifyCompact(value);
  } catch {
    return "<unserializable json>";
  }
  // Fast path: 240 UTF-16 units of which none is multi-byte cannot exceed 240 bytes.
  if (text.length <= SUMMARY_LIMIT_BYTES / 3) return text;
  const bytes = encoder.encode(text);
  if (bytes.length <= SUMMARY_LIMIT_BYTES) return text;
  let cut = SUMMARY_LIMIT_BYTES;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return `${decoder.decode(bytes.subarray(0, cut))}...`;
}

function reasoningParts(item: JsonObject, payloadId: string): ConversationPart[] {
  const text = reasoningEntries(item, "content", payloadId).map(
    (t): ConversationPart => ({ type: "text", text: t }),
  );
  const summary = reasoningEntries(item, "summary", payloadId).map(
    (t): ConversationPart => ({ type: "summary", text: t }),
  );
  const parts = [...text, ...summary];
  const encrypted = get(item, "encrypted_content");
  if (encrypted !== undefined && encrypted !== null) {
    if (typeof encrypted !== "string")
      fail(`reasoning item in payload ${payloadId} had non-string encrypted_content`);
    parts.push({ type: "encoded", label: "encrypted_content", value: encrypted });
  }
  if (parts.length === 0) {
    fail(`reasoning item in payload ${payloadId} contained no content, summary, or encrypted_content`);
  }
  return parts;
}

function reasoningEntries(item: JsonObject, key: "content" | "summary", payloadId: string): string[] {
  const entries = get(item, key);
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) fail(`reasoning item in payload ${payloadId} had non-array ${key}`);
  const allowed = key === "content" ? ["reasoning_text", "text"] : ["summary_text"];
  return entries.map((entry) => {
    const type = isObject(entry) ? get(entry, "type") : undefined;
    if (typeof type !== "string")
      fail(`reasoning item in payload ${payloadId} had ${key} entry without string type`);
    if (!allowed.includes(type))
      fail(`reasoning item in payload ${payloadId} had unsupported ${key} type ${type}`);
    const text = get(entry as JsonObject, "text");
    if (typeof text !== "string")
      fail(`reasoning item in payload ${payloadId} had ${key} entry without string text`);
    return text;
  });
}

const agentMessageContent: Decoder<ConversationPart> = (value) => {
  const entry = struct(value, "internally tagged enum AgentMessageContent");
  if (tagOf(entry, ["input_text", "encrypted_content"]) === "input_text") {
    return { type: "text", text: field(entry, "text", str) };
  }
  return { type: "encoded", label: "encrypted_content", value: field(entry, "encrypted_content", str) };
};

/** The reference reads `agent_message` items with the protocol's strict types; routing paths are not checked. */
function agentMessage(
  item: JsonObject,
  payloadId: string,
): { route: AgentMessageRoute; parts: ConversationPart[] } {
  let decoded: { route: AgentMessageRoute; parts: ConversationPart[] };
  try {
    decoded = {
      route: { author: field(item, "author", str), recipient: field(item, "recipient", str) },
      parts: field(item, "content", seq(agentMessageContent)),
    };
  } catch (error) {
    throw contextualize(`failed to parse agent_message item in payload ${payloadId}`, error);
  }
  const parts = decoded.parts;
  if (parts.length === 0) fail(`agent_message item in payload ${payloadId} contained no content`);
  return decoded;
}
