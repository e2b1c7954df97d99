// Renders docs/format.md, the human-readable catalogue of the format, from the TypeBox definitions.
import type { TSchema } from "typebox";
import { EVENT_PAYLOAD_VARIANTS } from "../src/events/index.ts";
import * as api from "../src/index.ts";
import { type JsonSchema, titleOf, toPlainJson } from "./json-schema.ts";

/** One generated JSON Schema file, as listed in the document. */
export interface SchemaFileEntry {
  readonly fileName: string;
  readonly id: string;
  readonly describes: string;
}

type Version = 1 | 2;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function plain(schema: TSchema): JsonSchema {
  return toPlainJson(schema) as JsonSchema;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** A Markdown table with padded columns, laid out the way the repository's formatter (Biome) lays it out. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cells = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => [...row[column]!].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((text, column) => text + " ".repeat(widths[column]! - [...text].length)).join(" | ")} |`;
  return [line(cells[0]!), line(widths.map((width) => "-".repeat(width))), ...cells.slice(1).map(line)];
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

function anchorOfTitle(title: string): string {
  return title.toLowerCase();
}

function anchorOfEvent(type: string): string {
  return `event-${type}`;
}

/** Title → anchor of its section; branch titles `Union_tag` point at their union's section. */
class Links {
  readonly #anchors = new Map<string, string>();

  add(title: string, anchor: string): void {
    this.#anchors.set(title, anchor);
  }

  addUnion(union: JsonSchema, anchor: string): void {
    if (typeof union.title === "string") this.add(union.title, anchor);
    for (const branch of (union.anyOf as JsonSchema[] | undefined) ?? []) {
      if (typeof branch.title === "string" && !this.#anchors.has(branch.title))
        this.add(branch.title, anchor);
    }
  }

  link(title: string): string | undefined {
    const anchor = this.#anchors.get(title);
    return anchor === undefined ? undefined : `[${title}](#${anchor})`;
  }
}

function typeExpression(node: JsonSchema, links: Links): string {
  if (typeof node.title === "string") {
    const link = links.link(node.title);
    if (link !== undefined) return link;
  }
  if (Array.isArray(node.anyOf))
    return (node.anyOf as JsonSchema[]).map((b) => typeExpression(b, links)).join(" | ");
  if ("const" in node) return code(node.const);
  if (Array.isArray(node.enum)) return node.enum.map(code).join(" | ");
  switch (node.type) {
    case "array": {
      const item = typeExpression(node.items as JsonSchema, links);
      return item.includes(" | ") ? `(${item})[]` : `${item}[]`;
    }
    case "object": {
      const patterns = node.patternProperties;
      if (isObject(patterns))
        return `map of ${typeExpression(Object.values(patterns)[0] as JsonSchema, links)}`;
      return "object";
    }
    case "string":
      return typeof node.pattern === "string" ? `string matching \`${node.pattern}\`` : "string";
    case undefined:
      return "any JSON";
    default: {
      const minimum = typeof node.minimum === "number" ? ` ≥ ${node.minimum}` : "";
      return `${String(node.type)}${minimum}`;
    }
  }
}

function requiredSet(node: JsonSchema): Set<string> {
  return new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
}

function fieldMeaning(property: JsonSchema): string {
  if (typeof property.description === "string") return property.description;
  return "const" in property ? `Always ${code(property.const)}.` : "";
}

function fieldTable(node: JsonSchema, links: Links): string[] {
  const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
  const required = requiredSet(node);
  const rows = Object.entries(properties).map(([name, property]) => [
    `\`${name}\``,
    typeExpression(property, links),
    required.has(name) ? "required" : "optional",
    fieldMeaning(property),
  ]);
  if (rows.length === 0) return ["No fields."];
  return table(["Field", "Type", "Presence", "Meaning"], rows);
}

function extraKeysNote(node: JsonSchema): string {
  return node.additionalProperties === false
    ? "Exactly these keys."
    : "Unknown extra keys are allowed (readers ignore them).";
}

function tagOf(branch: JsonSchema): unknown {
  const properties = branch.properties;
  if (!isObject(properties) || !isObject(properties.type)) return undefined;
  return "const" in properties.type ? properties.type.const : undefined;
}

function isTaggedUnion(node: JsonSchema): boolean {
  return (
    Array.isArray(node.anyOf) && (node.anyOf as JsonSchema[]).every((branch) => tagOf(branch) !== undefined)
  );
}

function variantTable(node: JsonSchema, links: Links): string[] {
  const rows = (node.anyOf as JsonSchema[]).map((branch) => {
    const required = requiredSet(branch);
    const fields = Object.entries((branch.properties ?? {}) as Record<string, JsonSchema>)
      .filter(([name]) => name !== "type")
      .map(
        ([name, property]) =>
          `\`${name}\`: ${typeExpression(property, links)}${required.has(name) ? "" : " (optional)"}`,
      );
    return [code(tagOf(branch)), fields.join("; ") || "–", describe(branch)];
  });
  return table(["`type`", "Other fields", "Meaning"], rows);
}

function describe(node: JsonSchema): string {
  return typeof node.description === "string" ? node.description : "";
}

/** A `### Title` section for a named type: a field table, a variant table, a value list or a choice. */
function typeSection(schema: TSchema, links: Links): string[] {
  const node = plain(schema);
  const title = titleOf(node);
  const lines = [`<a id="${anchorOfTitle(title)}"></a>`, "", `### ${title}`, "", describe(node), ""];
  if (isTaggedUnion(node)) {
    lines.push(...variantTable(node, links), "");
    const strict = (node.anyOf as JsonSchema[]).every((branch) => branch.additionalProperties === false);
    lines.push(
      strict ? "Exactly the listed keys." : "Unknown extra keys are allowed (readers ignore them).",
      "",
    );
  } else if (Array.isArray(node.anyOf)) {
    lines.push("One of:", "");
    for (const branch of node.anyOf as JsonSchema[]) {
      const meaning = typeof branch.title === "string" ? "" : describe(branch);
      lines.push(`- ${typeExpression(branch, links)}${meaning ? `: ${meaning}` : ""}`);
    }
    lines.push("");
  } else if (Array.isArray(node.enum)) {
    lines.push(`Values: ${node.enum.map(code).join(", ")}.`, "");
  } else if (node.type === "object") {
    lines.push(...fieldTable(node, links), "", extraKeysNote(node), "");
  } else {
    lines.push(`Type: ${typeExpression({ ...node, title: undefined }, links)}.`, "");
  }
  return lines;
}

/** The first sentence of a description, without a leading "Schema N:" or "Schema N only." qualifier. */
function summaryOf(text: string): string {
  const unqualified = text.replace(/^Schema \d( only)?[.:] /, "");
  const sentence = unqualified.charAt(0).toUpperCase() + unqualified.slice(1);
  const end = sentence.indexOf(". ");
  return end === -1 ? sentence : sentence.slice(0, end + 1);
}

interface EventEntry {
  readonly type: string;
  readonly byVersion: ReadonlyMap<Version, TSchema>;
}

function eventEntries(): EventEntry[] {
  const entries = new Map<string, Map<Version, TSchema>>();
  for (const version of api.TRACE_SCHEMA_VERSIONS) {
    for (const [type, schema] of EVENT_PAYLOAD_VARIANTS[version]) {
      const versions = entries.get(type) ?? new Map<Version, TSchema>();
      versions.set(version, schema);
      entries.set(type, versions);
    }
  }
  return [...entries].map(([type, byVersion]) => ({ type, byVersion }));
}

function eventSection(entry: EventEntry, links: Links): string[] {
  const versions = [...entry.byVersion.keys()];
  const schemas = [...new Set(entry.byVersion.values())];
  const lines = [
    `<a id="${anchorOfEvent(entry.type)}"></a>`,
    "",
    `### \`${entry.type}\``,
    "",
    `Trace schema ${versions.join(" and ")}.`,
    "",
  ];
  for (const schema of schemas) {
    const node = plain(schema);
    const schemaVersions = versions.filter((version) => entry.byVersion.get(version) === schema);
    if (schemas.length > 1) lines.push(`#### Schema ${schemaVersions.join(", ")}: \`${titleOf(node)}\``, "");
    else lines.push(`Schema: \`${titleOf(node)}\`.`, "");
    lines.push(describe(node), "", ...fieldTable(node, links), "");
  }
  return lines;
}

function section(title: string, ...body: string[]): string[] {
  return [`## ${title}`, "", ...body];
}

/** The Markdown catalogue of the format. */
export function renderFormatDoc(schemaFiles: readonly SchemaFileEntry[]): string {
  const links = new Links();
  const events = eventEntries();
  for (const entry of events) {
    for (const schema of entry.byVersion.values()) links.add(titleOf(schema), anchorOfEvent(entry.type));
  }
  links.add(titleOf(api.InferenceStarted), anchorOfEvent("inference_started"));
  links.add(titleOf(api.ToolCallRuntimeStarted), anchorOfEvent("tool_call_runtime_started"));
  for (const union of [api.RawTraceEventPayloadV1, api.RawTraceEventPayloadV2, api.RawTraceEventPayload]) {
    links.add(titleOf(union), "events");
  }

  const sharedTypes: TSchema[] = [
    api.TraceSchemaVersion,
    api.RawPayloadRef,
    api.RawPayloadKind,
    api.RawPayloadKindName,
    api.RawPayloadId,
    api.RolloutStatus,
    api.ExecutionStatus,
    api.CodeCellRuntimeStatus,
    api.ToolCallKind,
    api.ToolCallSummary,
    api.RawToolCallRequester,
    api.InferenceRequestInputMode,
  ];
  const payloadTypes: TSchema[] = [
    ...new Set<TSchema>(Object.values(api.PAYLOAD_DOCUMENT_SCHEMAS)),
    api.ResponseItem,
    api.ResponseOutputItem,
    api.SerializationErrorItem,
    api.ProtocolTokenUsage,
    api.SessionSource,
    api.ThreadSpawnSource,
    api.ToolDispatchPayload,
    api.ToolDispatchResult,
    api.CodeCellRuntimeResult,
    api.AgentStatus,
    api.OmittedPayload,
    api.OmittedPayloadNote,
  ];
  const stateTypes: TSchema[] = [
    api.RolloutTraceV1,
    api.RolloutTraceV2,
    api.RolloutTrace,
    api.AgentThread,
    api.AgentOrigin,
    api.CodexTurn,
    api.ExecutionWindow,
    api.ConversationItemV1,
    api.ConversationItemV2,
    api.ConversationItem,
    api.AgentMessageRouting,
    api.ConversationBody,
    api.ConversationPart,
    api.ConversationRole,
    api.ConversationChannel,
    api.ConversationItemKind,
    api.ProducerRef,
    api.InferenceCallV1,
    api.InferenceCallV2,
    api.InferenceCall,
    api.TokenUsageV1,
    api.TokenUsageV2,
    api.TokenUsage,
    api.ToolCallV1,
    api.ToolCallV2,
    api.ToolCall,
    api.ToolCallRequester,
    api.CodeCellV1,
    api.CodeCellV2,
    api.CodeCell,
    api.TerminalSession,
    api.TerminalOperation,
    api.TerminalOperationKind,
    api.TerminalRequest,
    api.TerminalResult,
    api.TerminalModelObservation,
    api.TerminalObservationSource,
    api.Compaction,
    api.CompactionRequest,
    api.InteractionEdge,
    api.InteractionEdgeKind,
    api.TraceAnchor,
  ];
  const envelopeTypes: TSchema[] = [
    api.TraceManifest,
    api.RawTraceEventV1,
    api.RawTraceEventV2,
    api.RawTraceEvent,
  ];
  for (const schema of [...envelopeTypes, ...sharedTypes, ...payloadTypes, ...stateTypes]) {
    links.addUnion(plain(schema), anchorOfTitle(titleOf(schema)));
  }

  const eventRows = events.map((entry) => {
    const mark = (version: Version) => (entry.byVersion.has(version) ? "yes" : "–");
    const description = summaryOf(describe(plain([...entry.byVersion.values()].at(-1)!)));
    return [`[\`${entry.type}\`](#${anchorOfEvent(entry.type)})`, mark(1), mark(2), description];
  });
  const kindRows = api.RAW_PAYLOAD_KIND_NAMES.map((kind) => {
    const document = plain(api.PAYLOAD_DOCUMENT_SCHEMAS[kind]);
    return [`\`${kind}\``, links.link(titleOf(document)) ?? titleOf(document)];
  });
  const fileRows = schemaFiles.map((file) => [
    `[\`${file.fileName}\`](../packages/schema/schemas/${file.fileName})`,
    `\`${file.id}\``,
    file.describes,
  ]);

  const lines = [
    "# Codex trace bundle format (trace schema 1 and 2)",
    "",
    "<!-- Generated by `pnpm --filter @rollout-trace/schema generate` from packages/schema/src. Do not edit. -->",
    "",
    "A trace bundle records one Codex rollout (a root session and the sub-agent threads it spawns) as a directory.",
    "Trace schema 1 is what Codex 0.144.x writes; trace schema 2 is what Codex 0.169.0 and later write. This catalogue",
    "is generated from the TypeBox definitions of `@rollout-trace/schema`, which are the single source of truth.",
    "",
    ...section(
      "Conventions",
      "- Every JSON value below is described by a named type; a field's Type column links to it.",
      "- **Presence**: `required` keys must be present; `optional` keys may be absent. A type that includes `null`",
      "  must be written as `null` when there is no value (Rust `Option` fields) unless the key is optional.",
      "- Events, the envelope and payload documents accept unknown extra keys: the reference reader ignores them.",
      "  Objects of the reduced state have exactly the listed keys.",
      "- Unions tagged by `type` are internally tagged: the tag sits next to the variant's fields.",
      '- A payload reference\'s `kind` is an object `{"type": "<kind>"}`, never a bare string.',
      "",
    ),
    ...section(
      "Bundle layout",
      ...table(
        ["Path", "Content"],
        [
          [
            `\`${api.MANIFEST_FILE_NAME}\``,
            "The [TraceManifest](#tracemanifest), pretty-printed, written once.",
          ],
          [
            `\`${api.RAW_EVENT_LOG_FILE_NAME}\``,
            "One compact [RawTraceEvent](#rawtraceevent) per line, each terminated by `\\n`, append-only.",
          ],
          [
            `\`${api.PAYLOADS_DIR_NAME}/<n>.json\``,
            "Payload document number `n` (from 1), pretty-printed without trailing newline; written before any event refers to it.",
          ],
          [
            `\`${api.REDUCED_STATE_FILE_NAME}\``,
            "Optional reduced state, a [RolloutTrace](#rollouttrace) (a cache; never read back).",
          ],
        ],
      ),
      "",
    ),
    ...section(
      "JSON Schema files",
      "Draft 2020-12 schemas generated from the same definitions, shipped in `@rollout-trace/schema/schemas/*`.",
      "",
      ...table(["File", "`$id`", "Describes"], fileRows),
      "",
    ),
    ...section("Manifest and event envelope", ""),
    ...envelopeTypes.flatMap((schema) => typeSection(schema, links)),
    '<a id="events"></a>',
    "",
    ...section(
      "Events",
      "The `payload` of an event line, tagged by `type`. An unknown `type` makes a line unreadable.",
      "",
      ...table(["Event type", "Schema 1", "Schema 2", "Summary"], eventRows),
      "",
    ),
    ...events.flatMap((entry) => eventSection(entry, links)),
    ...section("Shared types", ""),
    ...sharedTypes.flatMap((schema) => typeSection(schema, links)),
    ...section(
      "Payload documents",
      "The document stored under each payload kind (the same in both schema versions). They describe what Codex",
      "writes; the reference reducer reads most of them leniently and never reads some at all. A rollout-trace writer",
      "may store an `OmittedPayload` placeholder instead of a document over its size limit; every kind accepts it.",
      "",
      ...table(["Kind", "Document"], kindRows),
      "",
    ),
    ...payloadTypes.flatMap((schema) => typeSection(schema, links)),
    ...section(
      "Reduced state (`state.json`)",
      "Written by `codex debug trace-reduce` (2-space indentation, map keys in byte-wise order, no trailing newline).",
      "Types named `…V1` / `…V2` are the exact shapes of that state version; the unsuffixed name accepts either.",
      "",
    ),
    ...stateTypes.flatMap((schema) => typeSection(schema, links)),
  ];
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
