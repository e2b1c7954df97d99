// JSON as the reference reducer sees it. The reference parses with serde_json built with `preserve_order` and
// `arbitrary_precision`: document key order is kept, numbers keep the text they were written with (exponent markers
// normalized to `e+`/`e-`), and lone surrogate escapes are errors. A plain JSON.parse would reorder integer-like keys,
// turn `1.0` into `1` and accept lone surrogates, so `parseJson` takes JSON.parse's fast path only when the text
// cannot contain any of those cases and falls back to an exact parser otherwise.

/** A number JSON.parse cannot represent faithfully: a float lexeme, or an integer outside the safe range. */
import { compareKeys } from "./order.ts";

export class JsonNumber {
  readonly isFloat: boolean;
  /** The nearest double, for comparisons. */
  readonly value: number;
  /** The number as serde_json prints it back. */
  readonly text: string;

  constructor(isFloat: boolean, value: number, text: string) {
    this.isFloat = isFloat;
    this.value = value;
    this.text = text;
  }
}

export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Key order of an object whose keys JavaScript would reorder (array-index-like keys); set by the exact parser. */
export const KEY_ORDER: unique symbol = Symbol("rollout-trace.keyOrder");

export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
}

/** serde_json refuses a 128th level of nesting. */
export const MAX_JSON_DEPTH = 127;

export function parseJson(text: string): JsonValue {
  return parseJsonScanned(text, needsExactParser(text, MAX_JSON_DEPTH));
}

/** `parseJson` for a text whose {@link needsExactParser} answer is already known (a worker scanned it). */
export function parseJsonScanned(text: string, exact: boolean): JsonValue {
  if (!exact) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Fall through: the exact parser produces a positioned error message.
    }
  }
  return new ExactParser(text).parseDocument();
}

/**
 * True when JSON.parse could not give serde's reading of the text: a float lexeme or a 16+ digit integer (whose
 * text must be kept), an array-index-like key (which JavaScript would move to the front), a surrogate escape (serde
 * rejects lone ones) or nesting deeper than `maxDepth`. One pass; strings are skipped with indexOf, which is where
 * most of a payload's text is.
 *
 * Self-contained (it uses nothing from outside its body), so the payload prefetcher can run its source on a worker.
 */
export function needsExactParser(text: string, maxDepth: number): boolean {
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  /** Index of the quote that closes the string opening at `open`, or -1. */
  const closingQuote = (open: number): number => {
    let end = text.indexOf('"', open + 1);
    while (end !== -1 && text.charCodeAt(end - 1) === 0x5c) {
      let backslashes = 0;
      for (let j = end - 1; j >= 0 && text.charCodeAt(j) === 0x5c; j--) backslashes++;
      if (backslashes % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    return end;
  };
  /** A string of 1-10 digits followed by `:` is a key JavaScript objects would reorder. */
  const isIndexKey = (open: number, close: number): boolean => {
    const length = close - open - 1;
    if (length < 1 || length > 10) return false;
    for (let k = open + 1; k < close; k++) if (!isDigit(text.charCodeAt(k))) return false;
    let k = close + 1;
    while (k < text.length) {
      const c = text.charCodeAt(k);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      k++;
    }
    return text.charCodeAt(k) === 0x3a;
  };
  if (text.indexOf("\\ud") !== -1 || text.indexOf("\\uD") !== -1) return true;
  const length = text.length;
  let depth = 0;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    // Whitespace, commas and colons are most of what lies outside strings in a pretty-printed document.
    if (c <= 0x20 || c === 0x2c || c === 0x3a) {
      i++;
    } else if (c === 0x22) {
      const end = closingQuote(i);
      if (end === -1) return true;
      if (isDigit(text.charCodeAt(i + 1)) && isIndexKey(i, end)) return true;
      i = end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
      i++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
      i++;
    } else if (c === 0x2d || isDigit(c)) {
      const start = i++;
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      const next = text.charCodeAt(i);
      if (next === 0x2e || next === 0x65 || next === 0x45 || i - start >= 16) return true;
    } else {
      i++;
    }
  }
  return false;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
  );
}

/** Own keys in document order. */
export function objectKeys(object: JsonObject): string[] {
  const order = (object as { [KEY_ORDER]?: string[] })[KEY_ORDER];
  return order ?? Object.keys(object);
}

export function hasKey(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

export function get(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A serde integer: a JS safe integer, or a big integer kept exactly. */
export function isInteger(value: JsonValue | undefined): value is number | JsonNumber {
  if (typeof value === "number") return Number.isInteger(value);
  return value instanceof JsonNumber && !value.isFloat;
}

/** Structural equality that also requires the same key order (JSON summaries keep document order). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof JsonNumber || b instanceof JsonNumber) {
    return a instanceof JsonNumber && b instanceof JsonNumber && a.text === b.text && a.isFloat === b.isFloat;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = objectKeys(a);
  const keysB = objectKeys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i]!;
    if (key !== keysB[i] || !jsonEqual(a[key]!, b[key]!)) return false;
  }
  return true;
}

/** Compact serialization with every object's keys sorted by their bytes: the canonical text schema 2 hashes. */
export function stringifyCanonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(stringifyCanonical).join(",")}]`;
  if (!isObject(value)) return stringifyCompact(value);
  const keys = objectKeys(value).sort(compareKeys);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stringifyCanonical(value[key] as JsonValue)}`).join(",")}}`;
}

/** Compact serialization exactly as serde_json writes the parsed value. */
export function stringifyCompact(value: JsonValue): string {
  const out: string[] = [];
  writeCompact(value, out, 0);
  return out.join("");
}

function writeCompact(value: JsonValue, out: string[], depth: number): void {
  if (depth > MAX_JSON_DEPTH) throw new JsonSyntaxError("recursion limit exceeded");
  if (value === null) out.push("null");
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (typeof value === "number") out.push(String(value));
  else if (typeof value === "string") out.push(JSON.stringify(value));
  else if (value instanceof JsonNumber) out.push(value.text);
  else if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      writeCompact(value[i] as JsonValue, out, depth + 1);
    }
    out.push("]");
  } else {
    out.push("{");
    let first = true;
    for (const key of objectKeys(value)) {
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      writeCompact(value[key] as JsonValue, out, depth + 1);
    }
    out.push("}");
  }
}

const ARRAY_INDEX_KEY = /^(?:0|[1-9]\d*)$/;

class ExactParser {
  private pos = 0;
  private depth = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail("trailing characters");
    return value;
  }

  private fail(what: string): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < this.pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(`${what} at line ${line} column ${this.pos - lineStart + 1}`);
  }

  private skipWhitespace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private parseValue(): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.parseObject();
      case "[":
        return this.parseArray();
      case '"':
        return this.parseString();
      case "t":
        return this.parseLiteral("true", true);
      case "f":
        return this.parseLiteral("false", false);
      case "n":
        return this.parseLiteral("null", null);
      case undefined:
        return this.fail("EOF while parsing a value");
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.parseNumber();
        return this.fail("expected value");
    }
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail("expected value");
  }

  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) this.fail("recursion limit exceeded");
  }

  private parseObject(): JsonObject {
    this.enter();
    this.pos++;
    const object: JsonObject = {};
    let order: string[] | null = null;
    const keys: string[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      this.depth--;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail("key must be a string");
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") this.fail("expected `:`");
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue();
      if (!Object.hasOwn(object, key)) keys.push(key);
      if (ARRAY_INDEX_KEY.test(key)) order = keys;
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === "}") {
        this.pos++;
        break;
      }
      this.fail(next === undefined ? "EOF while parsing an object" : "expected `,` or `}`");
    }
    if (order) Object.defineProperty(object, KEY_ORDER, { value: order, enumerable: false });
    this.depth--;
    return object;
  }

  private parseArray(): JsonValue[] {
    this.enter();
    this.pos++;
    const array: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      this.depth--;
      return array;
    }
    for (;;) {
      this.skipWhitespace();
      array.push(this.parseValue());
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === "]") {
        this.pos++;
        break;
      }
      this.fail(next === undefined ? "EOF while parsing a list" : "expected `,` or `]`");
    }
    this.depth--;
    return array;
  }

  private parseString(): string {
    const text = this.text;
    this.pos++;
    let result = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= text.length) this.fail("EOF while parsing a string");
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        result += text.slice(chunkStart, this.pos);
        this.pos++;
        return result;
      }
      if (c < 0x20) this.fail("control character (\\u0000-\\u001F) found while parsing a string");
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      result += text.slice(chunkStart, this.pos);
      this.pos++;
      const escaped = text[this.pos++];
      switch (escaped) {
        case '"':
          result += '"';
          break;
        case "\\":
          result += "\\";
          break;
        case "/":
          result += "/";
          break;
        case "b":
          result += "\b";
          break;
        case "f":
          result += "\f";
          break;
        case "n":
          result += "\n";
          break;
        case "r":
          result += "\r";
          break;
        case "t":
          result += "\t";
          break;
        case "u":
          result += this.parseUnicodeEscape();
          break;
        default:
          this.pos--;
          this.fail("invalid escape");
      }
      chunkStart = this.pos;
    }
  }

  private readHex4(): number {
    const hex = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid escape");
    this.pos += 4;
    return Number.parseInt(hex, 16);
  }

  private parseUnicodeEscape(): string {
    const unit = this.readHex4();
    if (unit >= 0xdc00 && unit <= 0xdfff) this.fail("lone leading surrogate in hex escape");
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    if (this.text[this.pos] !== "\\" || this.text[this.pos + 1] !== "u")
      this.fail("unexpected end of hex escape");
    this.pos += 2;
    const low = this.readHex4();
    if (low < 0xdc00 || low > 0xdfff) this.fail("lone leading surrogate in hex escape");
    return String.fromCharCode(unit, low);
  }

  private parseNumber(): JsonValue {
    const text = this.text;
    const start = this.pos;
    if (text[this.pos] === "-") this.pos++;
    if (text[this.pos] === "0") {
      this.pos++;
    } else if (text[this.pos] !== undefined && text[this.pos]! >= "1" && text[this.pos]! <= "9") {
      while (isDigit(text[this.pos])) this.pos++;
    } else {
      this.fail("invalid number");
    }
    let isFloat = false;
    if (text[this.pos] === ".") {
      isFloat = true;
      this.pos++;
      if (!isDigit(text[this.pos])) this.fail("invalid number");
      while (isDigit(text[this.pos])) this.pos++;
    }
    if (text[this.pos] === "e" || text[this.pos] === "E") {
      isFloat = true;
      this.pos++;
      if (text[this.pos] === "+" || text[this.pos] === "-") this.pos++;
      if (!isDigit(text[this.pos])) this.fail("invalid number");
      while (isDigit(text[this.pos])) this.pos++;
    }
    const lexeme = text.slice(start, this.pos);
    const value = Number(lexeme);
    if (isFloat)
      return new JsonNumber(
        true,
        value,
        lexeme.replace(/[eE]([+-]?)/, (_, sign: string) => `e${sign || "+"}`),
      );
    if (Number.isSafeInteger(value)) return Object.is(value, -0) ? 0 : value;
    return new JsonNumber(false, value, lexeme);
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}
