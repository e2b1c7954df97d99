// Turns TypeBox schemas into standalone draft 2020-12 JSON Schema documents.
import type { TSchema } from "typebox";

/** A JSON Schema node as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

const DRAFT = "https://json-schema.org/draft/2020-12/schema";
/** Base of every generated `$id`. */
export const SCHEMA_ID_BASE = "https://rollout-trace.dev/schemas/";

/** Tag properties that make a union discriminated, in order of preference. */
const TAG_PROPERTIES = ["type", "schema_version"] as const;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Plain JSON of a TypeBox schema: its hidden `~kind`-style bookkeeping keys are dropped. */
export function toPlainJson(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toPlainJson);
  if (!isObject(schema)) return schema;
  const plain: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!key.startsWith("~")) plain[key] = toPlainJson(value);
  }
  return plain;
}

/** JSON with object keys sorted, for structural comparison. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isObject(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function tagOf(branch: unknown, tag: string): unknown {
  if (!isObject(branch) || branch.type !== "object" || !isObject(branch.properties)) return undefined;
  const property = branch.properties[tag];
  const required = Array.isArray(branch.required) && branch.required.includes(tag);
  return required && isObject(property) && "const" in property ? property.const : undefined;
}

/**
 * A union whose branches are all objects with a constant tag becomes `if`/`then` per tag value: equivalent to the
 * `anyOf`, but a validator then reports only the errors of the branch the tag selects.
 */
function discriminate(node: JsonSchema): JsonSchema {
  const branches = node.anyOf;
  if (!Array.isArray(branches) || branches.length < 2) return node;
  const tag = TAG_PROPERTIES.find((name) => branches.every((branch) => tagOf(branch, name) !== undefined));
  if (tag === undefined) return node;
  const byValue = new Map<unknown, unknown[]>();
  for (const branch of branches) {
    const value = tagOf(branch, tag);
    byValue.set(value, [...(byValue.get(value) ?? []), branch]);
  }
  const { anyOf: _replaced, ...annotations } = node;
  return {
    ...annotations,
    type: "object",
    required: [tag],
    properties: { [tag]: { enum: [...byValue.keys()] } },
    allOf: [...byValue].map(([value, group]) => ({
      if: { properties: { [tag]: { const: value } }, required: [tag] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword, not a thenable.
      then: group.length === 1 ? group[0] : { anyOf: group },
    })),
  };
}

/** A string-keyed map reads better as `additionalProperties` than as TypeBox's catch-all pattern. */
function simplifyRecord(node: JsonSchema): JsonSchema {
  const patterns = node.patternProperties;
  if (!isObject(patterns) || node.properties !== undefined) return node;
  const keys = Object.keys(patterns);
  if (keys.length !== 1 || keys[0] !== "^.*$") return node;
  const { patternProperties: _replaced, ...rest } = node;
  return { ...rest, additionalProperties: patterns["^.*$"] };
}

function transform(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(transform);
  if (!isObject(node)) return node;
  const children: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) children[key] = transform(value);
  return discriminate(simplifyRecord(children));
}

/** Prepares a schema for output: plain JSON, simplified maps, discriminated unions. */
export function prepare(schema: TSchema): JsonSchema {
  return transform(toPlainJson(schema)) as JsonSchema;
}

function withoutDescription(node: JsonSchema): JsonSchema {
  const { description: _description, ...rest } = node;
  return rest;
}

/**
 * Moves every titled subschema into `$defs` (keyed by title) and refers to it with `$ref`, keeping a
 * field-specific description next to the `$ref`. `named` supplies the authoritative definition of a title.
 */
function hoist(root: JsonSchema, named: ReadonlyMap<string, JsonSchema>): JsonSchema {
  const defs = new Map<string, JsonSchema>();
  const definitionOf = (title: string, occurrence: JsonSchema): JsonSchema => {
    const known = named.get(title) ?? occurrence;
    if (canonical(withoutDescription(known)) !== canonical(withoutDescription(occurrence))) {
      throw new Error(`two different schemas are titled ${title}`);
    }
    return known;
  };
  const visit = (node: unknown, isRoot: boolean): unknown => {
    if (Array.isArray(node)) return node.map((child) => visit(child, false));
    if (!isObject(node)) return node;
    if (!isRoot && typeof node.title === "string") {
      const title = node.title;
      const definition = definitionOf(title, node);
      if (!defs.has(title)) defs.set(title, visit(definition, true) as JsonSchema);
      const reference: JsonSchema = { $ref: `#/$defs/${title}` };
      if (typeof node.description === "string" && node.description !== definition.description) {
        reference.description = node.description;
      }
      return reference;
    }
    const copy: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) copy[key] = visit(value, false);
    return copy;
  };
  const body = visit(root, true) as JsonSchema;
  if (defs.size === 0) return body;
  const sorted = [...defs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...body, $defs: Object.fromEntries(sorted) };
}

/**
 * A standalone JSON Schema document for `schema`, published under `fileName`. With `placeholder`, a value that has
 * its own `placeholder.key` property is checked against `placeholder.schema` instead (`if`/`then`/`else`), so a
 * validator reports the errors of the one shape the value claims to be.
 */
export function jsonSchemaDocument(
  schema: TSchema,
  fileName: string,
  title: string,
  description: string,
  named: ReadonlyMap<string, JsonSchema>,
  placeholder?: { key: string; schema: TSchema },
): JsonSchema {
  const root =
    placeholder === undefined
      ? prepare(schema)
      : {
          if: { type: "object", properties: { [placeholder.key]: true }, required: [placeholder.key] },
          // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword, not a thenable.
          then: prepare(placeholder.schema),
          else: prepare(schema),
        };
  const { title: _title, description: _description, ...body } = hoist(root, named);
  return { $schema: DRAFT, $id: `${SCHEMA_ID_BASE}${fileName}`, title, description, ...body };
}

/** The `title` every exported schema carries. */
export function titleOf(schema: object): string {
  const title = (schema as { title?: unknown }).title;
  if (typeof title !== "string")
    throw new Error(`schema without title: ${JSON.stringify(schema).slice(0, 80)}`);
  return title;
}

/** The `description` every exported schema carries. */
export function descriptionOf(schema: object): string {
  const description = (schema as { description?: unknown }).description;
  if (typeof description !== "string") throw new Error(`schema ${titleOf(schema)} has no description`);
  return description;
}
