// Shape checks on producer-supplied values. Each returns a problem description, or null when the value is fine.
// They mirror what the reference reducers reject (spec §4.4.1 and the schema of each document), so a value that
// passes can never make a bundle unreplayable.

/** A plain JSON-style object (not an array, not null). */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own properties only: JSON serialization ignores inherited ones, so checks must too. */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as JsonObject)[key] : undefined;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

const MESSAGE_ROLES: ReadonlySet<string> = new Set(["system", "developer", "user", "assistant", "tool"]);
const PLAIN_ITEM_TYPES: ReadonlySet<string> = new Set([
  "function_call",
  "function_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "tool_search_call",
  "web_search_call",
  "image_generation_call",
  "local_shell_call",
  "tool_search_output",
  "mcp_tool_call_output",
]);
const COMPACTION_ITEM_TYPES: ReadonlySet<string> = new Set([
  "compaction",
  "compaction_summary",
  "context_compaction",
]);

/** Any Responses item as the schema describes it: an object with a string `type` and an optional string `id`. */
export function checkResponseItem(item: unknown): string | null {
  if (!isObject(item)) return "an item is not an object";
  if (typeof own(item, "type") !== "string") return "an item has no string type";
  const id = own(item, "id");
  if (id !== undefined && typeof id !== "string") return "an item id is not a string";
  return null;
}

function checkReasoningEntries(item: JsonObject, key: "content" | "summary"): string | null {
  const entries = own(item, key);
  if (isAbsent(entries)) return null;
  if (!Array.isArray(entries)) return `reasoning ${key} is not an array`;
  const allowed = key === "content" ? ["reasoning_text", "text"] : ["summary_text"];
  for (const entry of entries) {
    if (!isObject(entry) || !allowed.includes(own(entry, "type") as string))
      return `reasoning ${key} entries must be ${allowed.join(" or ")}`;
    if (typeof own(entry, "text") !== "string") return `reasoning ${key} entries need string text`;
  }
  return null;
}

function checkReasoning(item: JsonObject): string | null {
  const problem = checkReasoningEntries(item, "content") ?? checkReasoningEntries(item, "summary");
  if (problem !== null) return problem;
  const encrypted = own(item, "encrypted_content");
  if (!isAbsent(encrypted) && typeof encrypted !== "string")
    return "reasoning encrypted_content is not a string";
  const parts = [own(item, "content"), own(item, "summary")].filter(Array.isArray).flat().length;
  if (parts === 0 && isAbsent(encrypted))
    return "a reasoning item has no content, summary or encrypted_content";
  return null;
}

/** An `agent_message` item: author, recipient and non-empty text or encrypted content. */
export function checkAgentMessage(item: JsonObject): string | null {
  if (typeof own(item, "author") !== "string") return "an agent_message has no string author";
  if (typeof own(item, "recipient") !== "string") return "an agent_message has no string recipient";
  const content = own(item, "content");
  if (!Array.isArray(content) || content.length === 0) return "an agent_message has no content";
  for (const entry of content) {
    const type = isObject(entry) ? own(entry, "type") : undefined;
    const field = type === "input_text" ? "text" : type === "encrypted_content" ? "encrypted_content" : null;
    if (field === null || typeof own(entry as JsonObject, field) !== "string")
      return "agent_message content must be input_text or encrypted_content with a string value";
  }
  return null;
}

/** An item the reducer turns into a conversation item (requests, responses, checkpoints). */
function checkModelItem(item: unknown): string | null {
  const shape = checkResponseItem(item);
  if (shape !== null) return shape;
  const object = item as JsonObject;
  const type = own(object, "type") as string;
  if (type === "message") {
    const role = own(object, "role");
    return typeof role === "string" && MESSAGE_ROLES.has(role) ? null : "a message has no supported role";
  }
  if (type === "reasoning") return checkReasoning(object);
  if (type === "agent_message") return checkAgentMessage(object);
  if (COMPACTION_ITEM_TYPES.has(type))
    return typeof own(object, "encrypted_content") === "string"
      ? null
      : `a ${type} item has no string encrypted_content`;
  return PLAIN_ITEM_TYPES.has(type) ? null : `item type ${type} is not a model item`;
}

export function checkItems(
  items: unknown,
  check: (item: unknown) => string | null = checkModelItem,
): string | null {
  if (!Array.isArray(items)) return "items must be an array";
  for (const item of items) {
    const problem = check(item);
    if (problem !== null) return problem;
  }
  return null;
}

type KeyCheck = (value: unknown) => boolean;
const optionalString: KeyCheck = (value) => value === undefined || typeof value === "string";
const optionalNullableString: KeyCheck = (value) => isAbsent(value) || typeof value === "string";
const optionalBoolean: KeyCheck = (value) => value === undefined || typeof value === "boolean";
const optionalArray: KeyCheck = (value) => value === undefined || Array.isArray(value);
const optionalInteger: KeyCheck = (value) => value === undefined || Number.isSafeInteger(value);

function checkKeys(object: JsonObject, checks: Readonly<Record<string, KeyCheck>>): string | null {
  for (const [key, check] of Object.entries(checks)) {
    if (!check(own(object, key))) return `field ${key} has the wrong type`;
  }
  return null;
}

const REQUEST_KEYS: Readonly<Record<string, KeyCheck>> = {
  model: optionalString,
  instructions: optionalString,
  previous_response_id: optionalNullableString,
  type: optionalString,
  tools: optionalArray,
  stream: optionalBoolean,
  store: optionalBoolean,
  parallel_tool_calls: optionalBoolean,
};

export function checkInferenceRequest(request: unknown): string | null {
  if (!isObject(request)) return "the request is not an object";
  return checkItems(own(request, "input")) ?? checkKeys(request, REQUEST_KEYS);
}

export function checkCompactionRequest(request: unknown): string | null {
  if (!isObject(request)) return "the compaction request is not an object";
  return (
    checkItems(own(request, "input"), checkResponseItem) ??
    checkKeys(request, { model: optionalString, instructions: optionalString })
  );
}

const RUNTIME_KEYS: Readonly<Record<string, KeyCheck>> = {
  call_id: optionalString,
  process_id: optionalNullableString,
  turn_id: optionalString,
  command: (value) =>
    value === undefined || (Array.isArray(value) && value.every((v) => typeof v === "string")),
  cwd: optionalString,
  interaction_input: optionalNullableString,
  stdout: optionalString,
  stderr: optionalString,
  aggregated_output: optionalString,
  exit_code: optionalInteger,
  formatted_output: optionalString,
  status: (value) => value === undefined || typeof value === "string" || isObject(value),
  sender_thread_id: optionalString,
  receiver_thread_id: optionalString,
  new_thread_id: optionalNullableString,
  prompt: optionalString,
  event_id: optionalString,
  occurred_at_ms: optionalInteger,
  agent_thread_id: optionalString,
  agent_path: optionalString,
  kind: optionalString,
};

/** A runtime observation document (payload kind `tool_runtime_event`). */
export function checkRuntimeDocument(document: unknown): string | null {
  if (!isObject(document)) return "the runtime observation is not an object";
  return checkKeys(document, RUNTIME_KEYS);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Collab and sub-agent payloads name threads by UUID; the reducers parse them as such. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** Parses tool arguments written as a JSON object string; null when they are anything else. */
export function parseArguments(text: unknown): JsonObject | null {
  if (typeof text !== "string") return null;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function isNonNegativeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function isInt32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -2_147_483_648 && (value as number) <= 2_147_483_647;
}
