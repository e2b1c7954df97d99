// Typed reading of parsed JSON with serde's rules: unknown keys are ignored, a missing `Option` is `None`, a missing
// required field, a wrong type or an unknown variant is an error worded the way serde words it.
import { get, isInteger, isObject, JsonNumber, type JsonObject, type JsonValue } from "./json.ts";

export class DecodeError extends Error {
  override readonly name = "DecodeError";
}

export type Decoder<T> = (value: JsonValue) => T;

// The reference reads payload documents into a `serde_json::Value` first and converts that into its structs; with
// `arbitrary_precision`, a number held in a Value is described only as "number" in type errors.
let describeNumbersAsValue = false;

/** Runs a decode the way the reference converts an already parsed payload document (a `Value`). */
export function fromValue<T>(run: () => T): T {
  const previous = describeNumbersAsValue;
  describeNumbersAsValue = true;
  try {
    return run();
  } finally {
    describeNumbersAsValue = previous;
  }
}

/** serde's description of an unexpected value in "invalid type: <unexpected>, expected <what>". */
export function describeUnexpected(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return `boolean \`${value}\``;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || value instanceof JsonNumber) {
    if (describeNumbersAsValue) return "number";
    if (typeof value === "number") return `integer \`${value}\``;
    return value.isFloat ? `floating point \`${value.text}\`` : `integer \`${value.text}\``;
  }
  if (Array.isArray(value)) return "sequence";
  return "map";
}

export function invalidType(value: JsonValue, expected: string): DecodeError {
  return new DecodeError(`invalid type: ${describeUnexpected(value)}, expected ${expected}`);
}

export const str: Decoder<string> = (value) => {
  if (typeof value !== "string") throw invalidType(value, "a string");
  return value;
};

export const bool: Decoder<boolean> = (value) => {
  if (typeof value !== "boolean") throw invalidType(value, "a boolean");
  return value;
};

function integer(kind: "u64" | "i64" | "u32" | "i32", min: bigint, max: bigint): Decoder<number> {
  return (value) => {
    if (!isInteger(value)) throw invalidType(value, kind);
    const exact = typeof value === "number" ? BigInt(value) : BigInt(value.text);
    if (exact < min || exact > max) {
      throw new DecodeError(`invalid value: integer \`${exact}\`, expected ${kind}`);
    }
    return Number(exact);
  };
}

export const u64 = integer("u64", 0n, 18446744073709551615n);
export const i64 = integer("i64", -9223372036854775808n, 9223372036854775807n);
export const u32 = integer("u32", 0n, 4294967295n);
export const i32 = integer("i32", -2147483648n, 2147483647n);

export const any: Decoder<JsonValue> = (value) => value;

/** `Option<T>`: null or absent is `None`. */
export function opt<T>(decoder: Decoder<T>): Decoder<T | null> & { optional: true } {
  const decode = ((value: JsonValue) => (value === null ? null : decoder(value))) as Decoder<T | null> & {
    optional: true;
  };
  decode.optional = true;
  return decode;
}

/** A field absent from the document decodes like `null` when the decoder is an Option (serde's default). */
export function field<T>(object: JsonObject, name: string, decoder: Decoder<T>): T {
  const value = get(object, name);
  if (value === undefined) {
    if ((decoder as { optional?: boolean }).optional) return null as T;
    throw new DecodeError(`missing field \`${name}\``);
  }
  return decoder(value);
}

export function struct(value: JsonValue, expected: string): JsonObject {
  if (!isObject(value)) throw invalidType(value, expected);
  return value;
}

export function seq<T>(decoder: Decoder<T>): Decoder<T[]> {
  return (value) => {
    if (!Array.isArray(value)) throw invalidType(value, "a sequence");
    return value.map((entry) => decoder(entry));
  };
}

export function unknownVariant(name: string, variants: readonly string[]): DecodeError {
  const expected =
    variants.length === 0
      ? "there are no variants"
      : variants.length === 1
        ? `\`${variants[0]}\``
        : variants.length === 2
          ? `\`${variants[0]}\` or \`${variants[1]}\``
          : `one of ${variants.map((v) => `\`${v}\``).join(", ")}`;
  return new DecodeError(`unknown variant \`${name}\`, expected ${expected}`);
}

/** A plain (unit-variant) enum serialized as a snake_case string. */
export function stringEnum<const T extends string>(variants: readonly T[]): Decoder<T> {
  const known: ReadonlySet<string> = new Set(variants);
  return (value) => {
    if (typeof value !== "string") throw invalidType(value, "variant identifier");
    if (!known.has(value)) throw unknownVariant(value, variants);
    return value as T;
  };
}

/** The `type` tag of an internally tagged enum. */
export function tagOf(object: JsonObject, variants: readonly string[]): string {
  const tag = get(object, "type");
  if (tag === undefined) throw new DecodeError("missing field `type`");
  if (typeof tag !== "string") throw invalidType(tag, "variant identifier");
  if (!variants.includes(tag)) throw unknownVariant(tag, variants);
  return tag;
}
