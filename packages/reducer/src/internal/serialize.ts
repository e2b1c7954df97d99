// state.json exactly as the reference writes it: serde_json's pretty printer (two-space indent, no trailing
// newline), struct fields in declaration order, `None` as null, id-keyed maps sorted by the UTF-8 bytes of their keys.
import { JsonNumber } from "./json.ts";
import { COLLECTION_NAMES } from "./model.ts";
import { sortKeys } from "./order.ts";

const collectionNames: ReadonlySet<string> = new Set(COLLECTION_NAMES);

/**
 * Serializes a reduced state. Its id-keyed collections may be plain objects or Maps. Fields whose value is
 * `undefined` are omitted (the schema-2 optional fields).
 */
export function serializeState(state: object): string {
  const out: string[] = [];
  writeObject(state as Record<string, unknown>, "", out, true);
  return out.join("");
}

function writeValue(value: unknown, indent: string, out: string[]): void {
  if (value === null) out.push("null");
  else if (typeof value === "string") out.push(JSON.stringify(value));
  else if (typeof value === "number") out.push(String(value));
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (value instanceof JsonNumber) out.push(value.text);
  else if (Array.isArray(value)) writeArray(value, indent, out);
  else if (typeof value === "object") writeObject(value as Record<string, unknown>, indent, out, false);
  else throw new TypeError(`cannot serialize a ${typeof value} into state.json`);
}

function writeArray(array: readonly unknown[], indent: string, out: string[]): void {
  if (array.length === 0) {
    out.push("[]");
    return;
  }
  const inner = `${indent}  `;
  out.push("[\n");
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out.push(",\n");
    out.push(inner);
    writeValue(array[i], inner, out);
  }
  out.push("\n", indent, "]");
}

function writeObject(
  object: Record<string, unknown>,
  indent: string,
  out: string[],
  topLevel: boolean,
): void {
  const keys = Object.keys(object).filter((key) => object[key] !== undefined);
  if (keys.length === 0) {
    out.push("{}");
    return;
  }
  const inner = `${indent}  `;
  out.push("{\n");
  keys.forEach((key, index) => {
    if (index > 0) out.push(",\n");
    out.push(inner, JSON.stringify(key), ": ");
    const value = object[key];
    if (topLevel && collectionNames.has(key))
      writeMap(value as Record<string, unknown> | Map<string, unknown>, inner, out);
    else writeValue(value, inner, out);
  });
  out.push("\n", indent, "}");
}

function writeMap(map: Record<string, unknown> | Map<string, unknown>, indent: string, out: string[]): void {
  const isMap = map instanceof Map;
  const keys = sortKeys(isMap ? map.keys() : Object.keys(map));
  if (keys.length === 0) {
    out.push("{}");
    return;
  }
  const inner = `${indent}  `;
  out.push("{\n");
  keys.forEach((key, index) => {
    if (index > 0) out.push(",\n");
    out.push(inner, JSON.stringify(key), ": ");
    writeValue(isMap ? map.get(key) : map[key], inner, out);
  });
  out.push("\n", indent, "}");
}
