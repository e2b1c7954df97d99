// Everything generated from the TypeBox definitions: the JSON Schema files and docs/format.md.
import type { TSchema } from "typebox";
import * as api from "../src/index.ts";
import { renderFormatDoc, type SchemaFileEntry } from "./format-doc.ts";
import {
  descriptionOf,
  type JsonSchema,
  jsonSchemaDocument,
  prepare,
  SCHEMA_ID_BASE,
  titleOf,
} from "./json-schema.ts";

interface SchemaFileSpec {
  readonly fileName: string;
  readonly schema: TSchema;
  readonly title: string;
  readonly describes: string;
  readonly versions: string;
  /** Payload files also accept the writer's placeholder for an omitted document. */
  readonly omittable?: true;
}

function isTitledSchema(value: unknown): value is TSchema & { title: string } {
  return (
    typeof value === "object" && value !== null && typeof (value as { title?: unknown }).title === "string"
  );
}

function schemaFileSpecs(): SchemaFileSpec[] {
  const both = "trace schema 1 and 2";
  const payloads = api.RAW_PAYLOAD_KIND_NAMES.map((kind) => {
    const schema = api.PAYLOAD_DOCUMENT_SCHEMAS[kind];
    return {
      fileName: `payload-${kind.replaceAll("_", "-")}.schema.json`,
      schema,
      title: titleOf(schema),
      describes: `payload document of kind \`${kind}\``,
      versions: both,
      omittable: true as const,
    };
  });
  return [
    {
      fileName: "manifest.schema.json",
      schema: api.TraceManifest,
      title: "TraceManifest",
      describes: "`manifest.json`",
      versions: both,
    },
    {
      fileName: "event.v1.schema.json",
      schema: api.RawTraceEventV1,
      title: "RawTraceEventV1",
      describes: "one `trace.jsonl` line",
      versions: "trace schema 1",
    },
    {
      fileName: "event.v2.schema.json",
      schema: api.RawTraceEventV2,
      title: "RawTraceEventV2",
      describes: "one `trace.jsonl` line",
      versions: "trace schema 2",
    },
    {
      fileName: "event.schema.json",
      schema: api.RawTraceEvent,
      title: "RawTraceEvent",
      describes: "one `trace.jsonl` line",
      versions: both,
    },
    {
      fileName: "state.v1.schema.json",
      schema: api.RolloutTraceV1,
      title: "RolloutTraceV1",
      describes: "`state.json`",
      versions: "trace schema 1",
    },
    {
      fileName: "state.v2.schema.json",
      schema: api.RolloutTraceV2,
      title: "RolloutTraceV2",
      describes: "`state.json`",
      versions: "trace schema 2",
    },
    {
      fileName: "state.schema.json",
      schema: api.RolloutTrace,
      title: "RolloutTrace",
      describes: "`state.json`",
      versions: both,
    },
    ...payloads,
  ];
}

/** Generated files by path relative to the repository root, with their exact contents. */
export function generateFiles(): Map<string, string> {
  const named = new Map<string, JsonSchema>();
  for (const value of Object.values(api)) {
    if (isTitledSchema(value)) named.set(value.title, prepare(value));
  }
  const files = new Map<string, string>();
  const entries: SchemaFileEntry[] = [];
  for (const spec of schemaFileSpecs()) {
    const omitted = spec.omittable
      ? " A payload a rollout-trace writer left out for size is an `OmittedPayload` placeholder instead."
      : "";
    const description = `${descriptionOf(spec.schema)}${omitted} Describes ${spec.describes} in ${spec.versions}.`;
    const placeholder = spec.omittable
      ? { key: "rollout_trace_omitted", schema: api.OmittedPayload }
      : undefined;
    const document = jsonSchemaDocument(
      spec.schema,
      spec.fileName,
      spec.title,
      description,
      named,
      placeholder,
    );
    files.set(`packages/schema/schemas/${spec.fileName}`, `${JSON.stringify(document, null, 2)}\n`);
    entries.push({
      fileName: spec.fileName,
      id: `${SCHEMA_ID_BASE}${spec.fileName}`,
      describes: `${spec.describes} (${spec.versions})`,
    });
  }
  files.set("docs/format.md", renderFormatDoc(entries));
  return files;
}
