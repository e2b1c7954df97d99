import type { Rng } from "./random.ts";
import type { JsonObject, JsonValue, SchemaVersion } from "./trace-types.ts";

/**
 * Builds Responses items the way each Codex release serializes them. Schema-2 Codex gives every history item a stable
 * id (`msg_`, `fco_`, `ctco_`, `amsg_` + UUID v7) and keeps provider ids on model output; schema-1 Codex sends no ids
 * in requests. Assistant text parts carry `annotations: []` in schema 2.
 */
export class ItemFactory {
  readonly #version: SchemaVersion;
  readonly #rng: Rng;
  readonly #clock: () => number;

  constructor(version: SchemaVersion, rng: Rng, clock: () => number) {
    this.#version = version;
    this.#rng = rng;
    this.#clock = clock;
  }

  /** A Codex-assigned history id (schema 2), or no id at all (schema 1). */
  #historyId(prefix: string): { id: string } | Record<string, never> {
    return this.#version === 2 ? { id: `${prefix}_${this.#rng.uuidV7(this.#clock())}` } : {};
  }

  message(role: "user" | "developer", text: string): JsonObject {
    return { type: "message", ...this.#historyId("msg"), role, content: [{ type: "input_text", text }] };
  }

  /** The schema-2 base-instructions message: always first in `input`, never part of the accepted history. */
  baseInstructions(id: string, text: string): JsonObject {
    return { type: "message", id, role: "developer", content: [{ type: "input_text", text }] };
  }

  functionOutput(callId: string, output: JsonValue): JsonObject {
    return { type: "function_call_output", ...this.#historyId("fco"), call_id: callId, output };
  }

  customOutput(callId: string, output: JsonValue): JsonObject {
    return { type: "custom_tool_call_output", ...this.#historyId("ctco"), call_id: callId, output };
  }

  /** Multi-agent v2 message between agents; `id` is always present because the acceptance payload needs it. */
  agentMessage(author: string, recipient: string, content: JsonValue[]): JsonObject {
    const base: JsonObject = {
      type: "agent_message",
      ...(this.#version === 2 ? { id: `amsg_${this.#rng.uuidV7(this.#clock())}` } : {}),
      author,
      recipient,
      content,
    };
    return base;
  }

  assistantText(text: string): JsonObject {
    return this.#version === 2
      ? { type: "output_text", text, annotations: [] }
      : { type: "output_text", text };
  }
}

/**
 * The form in which a response output item comes back in later requests: schema 1 drops the provider id, and a
 * reasoning item's readable `content` is not sent back (its summary and encrypted content are).
 */
export function replayForm(item: JsonObject, version: SchemaVersion): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === "id" && version === 1) continue;
    if (key === "content" && item.type === "reasoning") {
      out[key] = null;
      continue;
    }
    out[key] = value;
  }
  return out;
}
