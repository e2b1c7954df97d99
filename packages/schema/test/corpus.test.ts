import { describe, expect, test } from "vitest";
import { RAW_TRACE_EVENT_TYPES_V1, RAW_TRACE_EVENT_TYPES_V2, type RawPayloadKindName } from "../src/index.ts";
import {
  eventV1Validator,
  eventV2Validator,
  eventValidator,
  manifestValidator,
  payloadValidator,
  stateV1Validator,
  stateV2Validator,
  stateValidator,
  type Validator,
} from "../src/validate.ts";
import { ajvValidator, payloadSchemaFile, schemaFileNames } from "./support/ajv.ts";
import { fixtureBundles, type LoadedBundle, sharedBundles, sharedRoot } from "./support/bundles.ts";

/**
 * Documents of the conformance corpus that do not have the shape Codex writes. They come from hand-written fixtures
 * of the reference crate's own tests, in places where its reducer never reads the document (or, for the missing
 * `input`, where it fails the replay). Both validators must reject exactly these.
 */
const KNOWN_NONCONFORMING_DOCUMENTS = new Map([
  [
    "conformance/close_agent_runtime_payload_targets_thread payloads/4.json",
    "tool_result is `{previous_status}`, not a dispatch result",
  ],
  [
    "conformance/spawn_runtime_payload_falls_back_to_child_thread_without_delivery_item payloads/4.json",
    "tool_result is `{task_name}`, not a dispatch result",
  ],
  [
    "conformance/writer_records_payload_refs_and_replays_rollout_status payloads/1.json",
    "session metadata stored under kind protocol_event, without a `type`",
  ],
  ["conformance/missing_request_input_is_reducer_error payloads/1.json", "inference request without `input`"],
]);

/** Validates with TypeBox and ajv, asserts they agree, and returns the shared verdict. */
function verdict(validator: Validator<unknown>, schemaFile: string, value: unknown, where: string): boolean {
  const typeboxAccepts = validator.check(value);
  const validate = ajvValidator(schemaFile);
  const ajvAccepts = validate(value);
  expect(ajvAccepts, `${where}: ajv (${schemaFile}) and TypeBox (${validator.name}) disagree`).toBe(
    typeboxAccepts,
  );
  expect(validator.errors(value).length === 0, `${where}: check() and errors() disagree`).toBe(
    typeboxAccepts,
  );
  return typeboxAccepts;
}

function expectValid(validator: Validator<unknown>, schemaFile: string, value: unknown, where: string): void {
  const accepted = verdict(validator, schemaFile, value, where);
  expect(accepted, `${where}: ${JSON.stringify(validator.errors(value))}`).toBe(true);
}

function versionOf(bundle: LoadedBundle): 1 | 2 {
  const version = (bundle.manifest as { schema_version: unknown }).schema_version;
  if (version !== 1 && version !== 2) throw new Error(`${bundle.name}: unexpected schema_version`);
  return version;
}

const seenNonconforming = new Set<string>();

function checkBundle(bundle: LoadedBundle): void {
  const version = versionOf(bundle);
  expectValid(manifestValidator, "manifest.schema.json", bundle.manifest, `${bundle.name} manifest`);

  for (const { line, value } of bundle.events) {
    const where = `${bundle.name} trace.jsonl:${line}`;
    expectValid(eventValidator, "event.schema.json", value, where);
    const [own, ownFile, other, otherFile] =
      version === 1
        ? [eventV1Validator, "event.v1.schema.json", eventV2Validator, "event.v2.schema.json"]
        : [eventV2Validator, "event.v2.schema.json", eventV1Validator, "event.v1.schema.json"];
    expectValid(own, ownFile, value, where);
    expect(verdict(other, otherFile, value, where), `${where}: accepted as the other schema version`).toBe(
      false,
    );
  }

  for (const { reference, document } of bundle.payloads) {
    const key = `${bundle.name} ${reference.path}`;
    const kind = reference.kind.type as RawPayloadKindName;
    const accepted = verdict(payloadValidator(kind), payloadSchemaFile(kind), document, `${key} (${kind})`);
    if (KNOWN_NONCONFORMING_DOCUMENTS.has(key)) {
      expect(accepted, `${key} was expected to be rejected: ${KNOWN_NONCONFORMING_DOCUMENTS.get(key)}`).toBe(
        false,
      );
      seenNonconforming.add(key);
    } else {
      expect(accepted, `${key} (${kind}): ${JSON.stringify(payloadValidator(kind).errors(document))}`).toBe(
        true,
      );
    }
  }

  if (bundle.state !== undefined) {
    const where = `${bundle.name} state.json`;
    expectValid(stateValidator, "state.schema.json", bundle.state, where);
    const [own, ownFile, other, otherFile] =
      version === 1
        ? [stateV1Validator, "state.v1.schema.json", stateV2Validator, "state.v2.schema.json"]
        : [stateV2Validator, "state.v2.schema.json", stateV1Validator, "state.v1.schema.json"];
    expectValid(own, ownFile, bundle.state, where);
    expect(verdict(other, otherFile, bundle.state, where)).toBe(false);
  }
}

describe("generated JSON Schema files", () => {
  test.each(schemaFileNames)("%s compiles with ajv in strict mode", (fileName) => {
    expect(() => ajvValidator(fileName)).not.toThrow();
  });
});

describe("fixture bundles", () => {
  const bundles = fixtureBundles();

  test.each(bundles.map((bundle) => [bundle.name, bundle] as const))("%s validates", (_name, bundle) => {
    checkBundle(bundle);
  });

  test("cover every event type of both schema versions, and a state of each", () => {
    for (const [version, types] of [
      [1, RAW_TRACE_EVENT_TYPES_V1],
      [2, RAW_TRACE_EVENT_TYPES_V2],
    ] as const) {
      const ofVersion = bundles.filter((bundle) => versionOf(bundle) === version);
      const seen = new Set(ofVersion.flatMap((bundle) => bundle.events.map(({ value }) => typeOf(value))));
      expect([...types].filter((type) => !seen.has(type))).toEqual([]);
      expect(ofVersion.some((bundle) => bundle.state !== undefined)).toBe(true);
    }
  });
});

function typeOf(event: unknown): string {
  return (event as { payload: { type: string } }).payload.type;
}

const shared = sharedBundles();

describe.skipIf(shared.length === 0)(`shared corpora in ${sharedRoot}`, () => {
  test.each(shared.map((bundle) => [bundle.name, bundle] as const))("%s validates", (_name, bundle) => {
    checkBundle(bundle);
  });

  test("every known nonconforming document was met", () => {
    expect([...KNOWN_NONCONFORMING_DOCUMENTS.keys()].filter((key) => !seenNonconforming.has(key))).toEqual(
      [],
    );
  });
});

if (shared.length === 0) {
  console.info(`note: ${sharedRoot} not found; only the project's own fixture bundles were checked`);
}
