// A lossless JSON syntax tree. Codex's reducers read JSON with serde_json (document key order kept, number lexemes
// kept, nesting limited to 127 levels, lone surrogate escapes refused), so a rewritten document must keep every key
// order, number lexeme and string spelling it had: JSON.parse + JSON.stringify would move integer-like keys to the
// front and turn `1.0` into `1`, which changes the summaries that identify conversation items.

export type JsonNode = JsonObjectNode | JsonArrayNode | JsonScalarNode;

export interface JsonObjectNode {
  readonly kind: "object";
  readonly entries: readonly JsonEntry[];
}

export interface JsonArrayNode {
  readonly kind: "array";
  readonly items: readonly JsonNode[];
}

/** A string, number, `true`, `false` or `null`, kept as written. `value` is the decoded text of a string. */
export interface JsonScalarNode {
  readonly kind: "string" | "number" | "literal";
  readonly raw: string;
  readonly value?: string;
}

export interface JsonEntry {
  readonly key: string;
  /** The key as written, quotes and escapes included. */
  readonly rawKey: string;
  readonly value: JsonNode;
}

/** serde_json refuses a 128th level of nesting. */
export const MAX_JSON_NESTING = 127;

export class JsonTreeError extends Error {
  override readonly name = "JsonTreeError";
}

export function parseJsonTree(text: string): JsonNode {
  return new TreeParser(text).document();
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const LOWER_U = 0x75;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const SIMPLE_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

class TreeParser {
  private readonly text: string;
  private position = 0;
  private depth = 0;

  constructor(text: string) {
    this.text = text;
  }

  document(): JsonNode {
    this.skipWhitespace();
    const value = this.value();
    this.skipWhitespace();
    if (this.position < this.text.length) this.fail("trailing characters");
    return value;
  }

  private value(): JsonNode {
    const c = this.text.charCodeAt(this.position);
    if (c === OPEN_BRACE) return this.object();
    if (c === OPEN_BRACKET) return this.array();
    if (c === QUOTE) {
      const { raw, value } = this.string();
      return { kind: "string", raw, value };
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    for (const literal of ["true", "false", "null"]) {
      if (this.text.startsWith(literal, this.position)) {
        this.position += literal.length;
        return { kind: "literal", raw: literal };
      }
    }
    return this.fail(this.position >= this.text.length ? "EOF while parsing a value" : "expected value");
  }

  private enter(): void {
    if (++this.depth > MAX_JSON_NESTING) this.fail("recursion limit exceeded");
    this.position++;
  }

  private object(): JsonObjectNode {
    this.enter();
    const entries: JsonEntry[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === CLOSE_BRACE) {
      this.position++;
      this.depth--;
      return { kind: "object", entries };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== QUOTE) this.fail("key must be a string");
      const key = this.string();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== COLON) this.fail("expected `:`");
      this.position++;
      this.skipWhitespace();
      entries.push({ key: key.value, rawKey: key.raw, value: this.value() });
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.position);
      this.position++;
      if (c === COMMA) continue;
      if (c === CLOSE_BRACE) break;
      this.position--;
      this.fail("expected `,` or `}`");
    }
    this.depth--;
    return { kind: "object", entries };
  }

  private array(): JsonArrayNode {
    this.enter();
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === CLOSE_BRACKET) {
      this.position++;
      this.depth--;
      return { kind: "array", items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value());
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.position);
      this.position++;
      if (c === COMMA) continue;
      if (c === CLOSE_BRACKET) break;
      this.position--;
      this.fail("expected `,` or `]`");
    }
    this.depth--;
    return { kind: "array", items };
  }

  private string(): { raw: string; value: string } {
    const start = this.position;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      if (i >= this.text.length) {
        this.position = i;
        this.fail("EOF while parsing a string");
      }
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c < SPACE) {
        this.position = i;
        this.fail("control character (\\u0000-\\u001F) found while parsing a string");
      }
      if (c === BACKSLASH) {
        escaped = true;
        i = this.escape(i);
      } else {
        i++;
      }
    }
    this.position = i + 1;
    const raw = this.text.slice(start, i + 1);
    return { raw, value: escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1) };
  }

  /** Checks the escape at `i` (a backslash) and returns the index after it; surrogate escapes must pair. */
  private escape(i: number): number {
    const next = this.text[i + 1];
    if (next === undefined) {
      this.position = i + 1;
      return this.fail("EOF while parsing a string");
    }
    if (SIMPLE_ESCAPES.has(next)) return i + 2;
    if (next !== "u") {
      this.position = i + 1;
      return this.fail("invalid escape");
    }
    const unit = this.hexEscape(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      this.position = i;
      return this.fail("lone trailing surrogate in hex escape");
    }
    if (unit < 0xd800 || unit > 0xdbff) return i + 6;
    const low =
      this.text.charCodeAt(i + 6) === BACKSLASH && this.text.charCodeAt(i + 7) === LOWER_U
        ? this.hexEscape(i + 6)
        : -1;
    if (low < 0xdc00 || low > 0xdfff) {
      this.position = i;
      return this.fail("lone leading surrogate in hex escape");
    }
    return i + 12;
  }

  private hexEscape(i: number): number {
    const hex = this.text.slice(i + 2, i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
      this.position = i;
      this.fail("invalid escape");
    }
    return Number.parseInt(hex, 16);
  }

  private number(): JsonScalarNode {
    const start = this.position;
    const text = this.text;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    const digits = (from: number): number => {
      let j = from;
      while (text.charCodeAt(j) >= ZERO && text.charCodeAt(j) <= NINE) j++;
      return j;
    };
    if (text.charCodeAt(i) === ZERO) {
      i++;
    } else {
      const end = digits(i);
      if (end === i) {
        this.position = i;
        this.fail("invalid number");
      }
      i = end;
    }
    if (text.charCodeAt(i) === DOT) {
      const end = digits(i + 1);
      if (end === i + 1) {
        this.position = end;
        this.fail("invalid number");
      }
      i = end;
    }
    const c = text.charCodeAt(i);
    if (c === LOWER_E || c === UPPER_E) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === PLUS || sign === MINUS) i++;
      const end = digits(i);
      if (end === i) {
        this.position = end;
        this.fail("invalid number");
      }
      i = end;
    }
    this.position = i;
    return { kind: "number", raw: text.slice(start, i) };
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.position);
      if (c !== SPACE && c !== NEWLINE && c !== TAB && c !== RETURN) return;
      this.position++;
    }
  }

  private fail(what: string): never {
    const before = this.text.slice(0, this.position);
    const line = before.split("\n").length;
    const column = this.position - before.lastIndexOf("\n");
    throw new JsonTreeError(`${what} at line ${line} column ${column}`);
  }
}

// ------------------------------------------------------------------
// Serialization
// ------------------------------------------------------------------

/** One line of compact JSON, as Codex writes trace events. */
export function stringifyCompact(node: JsonNode): string {
  const out: string[] = [];
  writeCompact(node, out);
  return out.join("");
}

function writeCompact(node: JsonNode, out: string[]): void {
  if (node.kind === "object") {
    out.push("{");
    node.entries.forEach((entry, index) => {
      if (index > 0) out.push(",");
      out.push(entry.rawKey, ":");
      writeCompact(entry.value, out);
    });
    out.push("}");
  } else if (node.kind === "array") {
    out.push("[");
    node.items.forEach((item, index) => {
      if (index > 0) out.push(",");
      writeCompact(item, out);
    });
    out.push("]");
  } else {
    out.push(node.raw);
  }
}

/** Pretty JSON as Codex writes manifests and payload files: 2-space indent, `[]`/`{}` when empty, no final newline. */
export function stringifyPretty(node: JsonNode): string {
  const out: string[] = [];
  writePretty(node, out, "");
  return out.join("");
}

function writePretty(node: JsonNode, out: string[], indent: string): void {
  const inner = `${indent}  `;
  if (node.kind === "object") {
    if (node.entries.length === 0) {
      out.push("{}");
      return;
    }
    out.push("{\n");
    node.entries.forEach((entry, index) => {
      out.push(index > 0 ? ",\n" : "", inner, entry.rawKey, ": ");
      writePretty(entry.value, out, inner);
    });
    out.push("\n", indent, "}");
  } else if (node.kind === "array") {
    if (node.items.length === 0) {
      out.push("[]");
      return;
    }
    out.push("[\n");
    node.items.forEach((item, index) => {
      out.push(index > 0 ? ",\n" : "", inner);
      writePretty(item, out, inner);
    });
    out.push("\n", indent, "]");
  } else {
    out.push(node.raw);
  }
}

// ------------------------------------------------------------------
// Building and editing (trees are never mutated: edits return new nodes)
// ------------------------------------------------------------------

export function stringNode(value: string): JsonScalarNode {
  return { kind: "string", raw: JSON.stringify(value), value };
}

export function integerNode(value: number | bigint): JsonScalarNode {
  return { kind: "number", raw: String(value) };
}

export const NULL_NODE: JsonScalarNode = { kind: "literal", raw: "null" };

export function objectNode(entries: ReadonlyArray<readonly [string, JsonNode]>): JsonObjectNode {
  return {
    kind: "object",
    entries: entries.map(([key, value]) => ({ key, rawKey: JSON.stringify(key), value })),
  };
}

/** The value of `key`; with duplicate keys the last one wins, as in serde_json and JSON.parse. */
export function member(node: JsonNode, key: string): JsonNode | undefined {
  if (node.kind !== "object") return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) {
    const entry = node.entries[i]!;
    if (entry.key === key) return entry.value;
  }
  return undefined;
}

/** The decoded string value of `key`, when it is a string. */
export function stringMember(node: JsonNode, key: string): string | undefined {
  const value = member(node, key);
  return value?.kind === "string" ? value.value : undefined;
}

export function withoutMember(node: JsonObjectNode, key: string): JsonObjectNode {
  return { kind: "object", entries: node.entries.filter((entry) => entry.key !== key) };
}

/**
 * `node` with `key` set to `value`: in the place of its first occurrence (later duplicates are dropped), else right
 * after the key `after`, else at the end.
 */
export function withMember(
  node: JsonObjectNode,
  key: string,
  value: JsonNode,
  after?: string,
): JsonObjectNode {
  const entries: JsonEntry[] = [];
  let placed = false;
  for (const entry of node.entries) {
    if (entry.key === key) {
      if (!placed) entries.push({ key, rawKey: entry.rawKey, value });
      placed = true;
    } else {
      entries.push(entry);
    }
  }
  if (!placed) {
    const fresh = { key, rawKey: JSON.stringify(key), value };
    const anchor = after === undefined ? -1 : entries.findIndex((entry) => entry.key === after);
    if (anchor === -1) entries.push(fresh);
    else entries.splice(anchor + 1, 0, fresh);
  }
  return { kind: "object", entries };
}
