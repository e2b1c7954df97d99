import { type TSchema, Type } from "typebox";
import { Compile, type Validator as CompiledValidator } from "typebox/compile";
import { Settings } from "typebox/system";
import {
  envelopeContextFields,
  type RawTraceEvent,
  type RawTraceEventV1,
  type RawTraceEventV2,
} from "./envelope.ts";
import { EVENT_PAYLOAD_VARIANTS } from "./events/index.ts";
import { refineIssues, type SchemaIssue } from "./internal/issues.ts";
import { TraceManifest } from "./manifest.ts";
import type { RawPayloadKindName } from "./payload-ref.ts";
import { PAYLOAD_DOCUMENT_SCHEMAS, type PayloadDocument } from "./payloads/index.ts";
import { isOmittedPayload, OmittedPayload } from "./payloads/omitted-payload.ts";
import { type RolloutTrace, RolloutTraceV1, RolloutTraceV2 } from "./state/rollout-trace.ts";

export type { SchemaIssue } from "./internal/issues.ts";

/** Thrown by `parse`: the value does not match the schema; `issues` says where and why. */
export class SchemaError extends Error {
  override readonly name = "SchemaError";
  /** Every problem found, each with the JSON pointer of the offending value. */
  readonly issues: readonly SchemaIssue[];

  constructor(subject: string, issues: readonly SchemaIssue[]) {
    const shown = issues.slice(0, 3).map((issue) => `${issue.path || "(root)"}: ${issue.message}`);
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : "";
    super(`invalid ${subject}: ${shown.join("; ")}${more}`);
    this.issues = Object.freeze([...issues]);
  }
}

/** The outcome of `safeParse`: the value, or the error `parse` would have thrown. */
export type SafeParseResult<T> =
  | { ok: true; value: T; error?: never }
  | { ok: false; value?: never; error: SchemaError };

/** A compiled validator: a fast boolean check plus diagnostics on demand. */
export interface Validator<T> {
  /** What the validator accepts, e.g. `RawTraceEvent`. */
  readonly name: string;
  /** Fast check; narrows the value's type. */
  check(value: unknown): value is T;
  /** Every issue with the value (empty when it is valid). */
  errors(value: unknown): SchemaIssue[];
  /** Returns the value (not copied) when valid, throws `SchemaError` otherwise. */
  parse(value: unknown): T;
  /** Like `parse`, without throwing. */
  safeParse(value: unknown): SafeParseResult<T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * TypeBox stops collecting errors at a global cap (8 by default), which can cut off the branch of a union that
 * explains a failure. Diagnostics run with a higher, still bounded, cap that is restored right after.
 */
const DIAGNOSTIC_ERROR_LIMIT = 256;

function collectErrors(compiled: CompiledValidator, value: unknown) {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: Math.max(previous, DIAGNOSTIC_ERROR_LIMIT) });
  try {
    return compiled.Errors(value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/** A schema compiled on first use. */
class LazySchema {
  readonly #schema: TSchema;
  #compiled: CompiledValidator | undefined;

  constructor(schema: TSchema) {
    this.#schema = schema;
  }

  #validator(): CompiledValidator {
    this.#compiled ??= Compile(this.#schema);
    return this.#compiled;
  }

  check(value: unknown): boolean {
    return this.#validator().Check(value);
  }

  issues(value: unknown, context?: string): SchemaIssue[] {
    return refineIssues(this.#schema, value, collectErrors(this.#validator(), value), context);
  }
}

function createValidator<T>(
  name: string,
  check: (value: unknown) => boolean,
  errors: (value: unknown) => SchemaIssue[],
): Validator<T> {
  const parseIssues = (value: unknown): SchemaIssue[] => {
    const issues = errors(value);
    // The check and the diagnostics come from the same schema, so this only guards against an internal mismatch.
    return issues.length > 0 ? issues : [{ path: "", keyword: "schema", message: `does not match ${name}` }];
  };
  return {
    name,
    check: check as (value: unknown) => value is T,
    errors: (value) => (check(value) ? [] : parseIssues(value)),
    parse(value) {
      if (check(value)) return value as T;
      throw new SchemaError(name, parseIssues(value));
    },
    safeParse(value) {
      if (check(value)) return { ok: true, value: value as T };
      return { ok: false, error: new SchemaError(name, parseIssues(value)) };
    },
  };
}

type Version = 1 | 2;

function versionIssue(allowed: readonly Version[], actual: unknown): SchemaIssue {
  const expected = allowed.length === 1 ? `${allowed[0]}` : allowed.join(" or ");
  return {
    path: "/schema_version",
    keyword: "enum",
    message:
      actual === undefined
        ? `missing required property "schema_version" (${expected})`
        : `must be ${expected}, got ${JSON.stringify(actual)}`,
  };
}

function withoutVersionIssues(issues: SchemaIssue[]): SchemaIssue[] {
  return issues.filter((issue) => issue.path !== "/schema_version");
}

// ------------------------------------------------------------------
// Events: dispatch on schema_version, then on payload.type
// ------------------------------------------------------------------

interface EventSchemas {
  /** The envelope with any tagged payload: checked first, and explains lines whose `type` is unknown. */
  readonly envelope: LazySchema;
  /** Each payload variant alone; with the envelope check this is the fast path (one shape per compiled check). */
  readonly payloads: ReadonlyMap<string, LazySchema>;
  /** Envelope and variant together, for diagnostics with full paths. */
  readonly events: ReadonlyMap<string, LazySchema>;
}

const eventSchemaCache = new Map<Version, EventSchemas>();

function eventSchemas(version: Version): EventSchemas {
  let schemas = eventSchemaCache.get(version);
  if (schemas === undefined) {
    const envelopeWith = (payload: TSchema) =>
      Type.Object({ schema_version: Type.Literal(version), ...envelopeContextFields, payload });
    const variants = [...EVENT_PAYLOAD_VARIANTS[version]];
    schemas = {
      envelope: new LazySchema(envelopeWith(Type.Object({ type: Type.String() }))),
      payloads: new Map(variants.map(([type, variant]) => [type, new LazySchema(variant)])),
      events: new Map(variants.map(([type, variant]) => [type, new LazySchema(envelopeWith(variant))])),
    };
    eventSchemaCache.set(version, schemas);
  }
  return schemas;
}

function unknownTypeIssue(type: string, version: Version): SchemaIssue {
  const otherVersion: Version = version === 1 ? 2 : 1;
  const message = EVENT_PAYLOAD_VARIANTS[otherVersion].has(type)
    ? `event type ${JSON.stringify(type)} exists only in trace schema ${otherVersion}, but schema_version is ${version}`
    : `unknown event type ${JSON.stringify(type)} in trace schema ${version}`;
  return { path: "/payload/type", keyword: "enum", message };
}

function createEventValidator<T>(name: string, versions: readonly Version[]): Validator<T> {
  const accepts = (version: unknown): version is Version => versions.includes(version as Version);
  const latest = versions[versions.length - 1]!;
  return createValidator<T>(
    name,
    (value) => {
      if (!isRecord(value)) return false;
      const version = value.schema_version;
      const payload = value.payload;
      if (!accepts(version) || !isRecord(payload) || typeof payload.type !== "string") return false;
      const schemas = eventSchemas(version);
      const variant = schemas.payloads.get(payload.type);
      return variant !== undefined && schemas.envelope.check(value) && variant.check(payload);
    },
    (value) => {
      if (!isRecord(value))
        return [{ path: "", keyword: "type", message: "must be an object (one trace.jsonl line)" }];
      const issues: SchemaIssue[] = [];
      const declared = value.schema_version;
      if (!accepts(declared)) issues.push(versionIssue(versions, declared));
      // A line with an unusable version is still checked, against the newest accepted version.
      const version = accepts(declared) ? declared : latest;
      const schemas = eventSchemas(version);
      const payload = value.payload;
      const type = isRecord(payload) && typeof payload.type === "string" ? payload.type : undefined;
      const schema = type === undefined ? undefined : schemas.events.get(type);
      if (schema !== undefined) {
        issues.push(...withoutVersionIssues(schema.issues(value, `${type} event`)));
      } else {
        issues.push(...withoutVersionIssues(schemas.envelope.issues(value)));
        if (type !== undefined) issues.push(unknownTypeIssue(type, version));
      }
      return issues;
    },
  );
}

/** Validates one `trace.jsonl` line of either schema version. */
export const eventValidator: Validator<RawTraceEvent> = createEventValidator("RawTraceEvent", [1, 2]);
/** Validates one `trace.jsonl` line of trace schema 1. */
export const eventV1Validator: Validator<RawTraceEventV1> = createEventValidator("RawTraceEventV1", [1]);
/** Validates one `trace.jsonl` line of trace schema 2. */
export const eventV2Validator: Validator<RawTraceEventV2> = createEventValidator("RawTraceEventV2", [2]);

// ------------------------------------------------------------------
// Reduced state: dispatch on schema_version
// ------------------------------------------------------------------

const stateSchemas: Record<Version, LazySchema> = {
  1: new LazySchema(RolloutTraceV1),
  2: new LazySchema(RolloutTraceV2),
};

function createStateValidator<T>(name: string, versions: readonly Version[]): Validator<T> {
  const accepts = (version: unknown): version is Version => versions.includes(version as Version);
  const latest = versions[versions.length - 1]!;
  return createValidator<T>(
    name,
    (value) =>
      isRecord(value) && accepts(value.schema_version) && stateSchemas[value.schema_version].check(value),
    (value) => {
      if (!isRecord(value))
        return [{ path: "", keyword: "type", message: "must be an object (a state.json)" }];
      if (accepts(value.schema_version)) return stateSchemas[value.schema_version].issues(value);
      return [
        versionIssue(versions, value.schema_version),
        ...withoutVersionIssues(stateSchemas[latest].issues(value)),
      ];
    },
  );
}

/** Validates a reduced state (`state.json`) of either schema version. */
export const stateValidator: Validator<RolloutTrace> = createStateValidator("RolloutTrace", [1, 2]);
/** Validates a reduced state of trace schema 1. */
export const stateV1Validator: Validator<RolloutTraceV1> = createStateValidator("RolloutTraceV1", [1]);
/** Validates a reduced state of trace schema 2. */
export const stateV2Validator: Validator<RolloutTraceV2> = createStateValidator("RolloutTraceV2", [2]);

// ------------------------------------------------------------------
// Manifest and payload documents
// ------------------------------------------------------------------

function createSchemaValidator<T>(name: string, schema: TSchema): Validator<T> {
  const lazy = new LazySchema(schema);
  return createValidator<T>(
    name,
    (value) => lazy.check(value),
    (value) => lazy.issues(value),
  );
}

/** Validates `manifest.json` (trace schema 1 or 2). */
export const manifestValidator: Validator<TraceManifest> = createSchemaValidator(
  "TraceManifest",
  TraceManifest,
);

const payloadValidators = new Map<RawPayloadKindName, Validator<unknown>>();
const omittedPayload = new LazySchema(OmittedPayload);

/**
 * The validator of a payload file stored under `kind` (the same for both schema versions): the kind's document, or
 * a writer's `OmittedPayload` placeholder, which is recognised by its own `rollout_trace_omitted` key.
 */
export function payloadValidator<Kind extends RawPayloadKindName>(
  kind: Kind,
): Validator<PayloadDocument<Kind> | OmittedPayload> {
  if (!Object.hasOwn(PAYLOAD_DOCUMENT_SCHEMAS, kind)) {
    throw new RangeError(`unknown payload kind ${JSON.stringify(kind)}`);
  }
  let validator = payloadValidators.get(kind);
  if (validator === undefined) {
    const document = new LazySchema(PAYLOAD_DOCUMENT_SCHEMAS[kind]);
    const schemaOf = (value: unknown) => (isOmittedPayload(value) ? omittedPayload : document);
    validator = createValidator(
      `${kind} payload`,
      (value) => schemaOf(value).check(value),
      (value) => schemaOf(value).issues(value),
    );
    payloadValidators.set(kind, validator);
  }
  return validator as Validator<PayloadDocument<Kind> | OmittedPayload>;
}
