// The payload documents of spec §1.7 (and schema 2 §4), built from the producer's own values.
import type { CodeCellRuntimeStatus, ExecutionStatus } from "@rollout-trace/schema";
import { isNonNegativeInteger, isObject, own } from "./checks.ts";
import type { CodeModeResponse, TokenCounts, ToolPayload } from "./types.ts";

/** A validated copy of tool arguments holding only the documented fields, or null when malformed. */
export function normalizeToolPayload(payload: unknown): ToolPayload | null {
  if (!isObject(payload)) return null;
  switch (own(payload, "type")) {
    case "function": {
      const args = own(payload, "arguments");
      return typeof args === "string" ? { type: "function", arguments: args } : null;
    }
    case "tool_search": {
      const args = own(payload, "arguments");
      return isObject(args) ? { type: "tool_search", arguments: args } : null;
    }
    case "custom": {
      const input = own(payload, "input");
      return typeof input === "string" ? { type: "custom", input } : null;
    }
    case "local_shell":
      return normalizeLocalShell(payload);
    default:
      return null;
  }
}

function normalizeLocalShell(payload: Readonly<Record<string, unknown>>): ToolPayload | null {
  const command = own(payload, "command");
  if (!Array.isArray(command) || !command.every((part) => typeof part === "string")) return null;
  const workdir = own(payload, "workdir");
  const timeout = own(payload, "timeout_ms");
  const justification = own(payload, "justification");
  if (workdir !== undefined && workdir !== null && typeof workdir !== "string") return null;
  if (timeout !== undefined && timeout !== null && !isNonNegativeInteger(timeout)) return null;
  if (justification !== undefined && justification !== null && typeof justification !== "string") return null;
  const document: Record<string, unknown> = { type: "local_shell", command: [...command] };
  for (const key of [
    "workdir",
    "timeout_ms",
    "sandbox_permissions",
    "prefix_rule",
    "additional_permissions",
  ]) {
    if (own(payload, key) !== undefined) document[key] = own(payload, key);
  }
  if (justification !== undefined) document.justification = justification;
  return document as ToolPayload;
}

/** The protocol token usage document; schema 2 adds `cache_write_input_tokens`. Null when a count is invalid. */
export function tokenUsageDocument(usage: TokenCounts, schemaVersion: 1 | 2): Record<string, number> | null {
  const input = own(usage, "inputTokens");
  const cached = own(usage, "cachedInputTokens") ?? 0;
  const cacheWrite = own(usage, "cacheWriteInputTokens") ?? 0;
  const output = own(usage, "outputTokens");
  const reasoning = own(usage, "reasoningOutputTokens") ?? 0;
  if (![input, cached, cacheWrite, output, reasoning].every(isNonNegativeInteger)) return null;
  const total = own(usage, "totalTokens") ?? (input as number) + (output as number);
  if (!isNonNegativeInteger(total)) return null;
  const document: Record<string, number> = {
    input_tokens: input as number,
    cached_input_tokens: cached as number,
  };
  if (schemaVersion === 2) document.cache_write_input_tokens = cacheWrite as number;
  document.output_tokens = output as number;
  document.reasoning_output_tokens = reasoning as number;
  document.total_tokens = total;
  return document;
}

/** A copy of a tool output item without its history id: the dispatch result is the item as sent, not as stored. */
export function withoutId(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { id: _historyId, ...rest } = item;
  return rest;
}

/** The runtime status Codex derives from a code-mode response (spec §2.4); null for an unknown shape. */
export function codeCellStatus(response: CodeModeResponse): CodeCellRuntimeStatus | null {
  if (!isObject(response)) return null;
  if (isObject(own(response, "Yielded"))) return "yielded";
  if (isObject(own(response, "Terminated"))) return "terminated";
  const result = own(response, "Result");
  if (!isObject(result)) return null;
  const errorText = own(result, "error_text");
  if (errorText === undefined || errorText === null) return "completed";
  return typeof errorText === "string" ? "failed" : null;
}

/** `{secs, nanos}` as Rust serializes a `Duration`. */
export function durationDocument(milliseconds: number): { secs: number; nanos: number } {
  const total = Math.max(0, Math.round(milliseconds * 1e6));
  return { secs: Math.floor(total / 1e9), nanos: total % 1e9 };
}

/** Exec end status (completed / failed / declined) as the trace records it. */
export function execStatus(status: "completed" | "failed" | "declined"): ExecutionStatus {
  return status === "declined" ? "cancelled" : status;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
