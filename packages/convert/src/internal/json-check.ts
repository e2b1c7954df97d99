// Whether a text is JSON that Codex's serde_json reader accepts. JSON.parse is the fast native check; serde_json
// additionally refuses more than 127 levels of nesting and lone surrogate escapes, which are checked separately (the
// exact tree parser runs only when a surrogate escape appears at all).
import { JsonTreeError, MAX_JSON_NESTING, parseJsonTree } from "./json-tree.ts";

export type JsonCheck =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string };

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

export function parseCodexJson(text: string): JsonCheck {
  if (nestsTooDeep(text)) {
    return { ok: false, problem: `recursion limit exceeded (more than ${MAX_JSON_NESTING} nested levels)` };
  }
  if (SURROGATE_ESCAPE.test(text)) {
    try {
      parseJsonTree(text);
    } catch (error) {
      if (error instanceof JsonTreeError) return { ok: false, problem: error.message };
      throw error;
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** Bracket depth outside strings; string bodies are skipped with indexOf, which is where most of the text is. */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && precededByOddBackslashes(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return false;
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_NESTING) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

function precededByOddBackslashes(text: string, index: number): boolean {
  let count = 0;
  for (let j = index - 1; j >= 0 && text.charCodeAt(j) === 0x5c; j--) count++;
  return count % 2 === 1;
}
