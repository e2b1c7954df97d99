import fs from "node:fs";
import path from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { repoRoot } from "./bundles.ts";

const schemasDir = path.join(repoRoot, "packages/schema/schemas");

/** Names of the committed JSON Schema files. */
export const schemaFileNames = fs
  .readdirSync(schemasDir)
  .filter((name) => name.endsWith(".schema.json"))
  .sort();

/** Ajv in strict mode with every committed JSON Schema file added (compiled on first use). */
export const ajv = new Ajv2020({ strict: true, allErrors: true });
for (const name of schemaFileNames) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemasDir, name), "utf8")) as object);
}

const compiled = new Map<string, ValidateFunction>();

/** The ajv validator of one committed schema file, e.g. `event.v2.schema.json`. */
export function ajvValidator(fileName: string): ValidateFunction {
  let validate = compiled.get(fileName);
  if (validate === undefined) {
    validate = ajv.getSchema(`https://rollout-trace.dev/schemas/${fileName}`);
    if (validate === undefined) throw new Error(`no schema ${fileName}`);
    compiled.set(fileName, validate);
  }
  return validate;
}

/** The JSON pointers ajv's errors name; a missing or unexpected property is named by its own path. */
export function ajvErrorPaths(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    const property = params.missingProperty ?? params.additionalProperty;
    return property === undefined ? error.instancePath : `${error.instancePath}/${property}`;
  });
}

/** The schema file for the payload documents of a kind. */
export function payloadSchemaFile(kind: string): string {
  return `payload-${kind.replaceAll("_", "-")}.schema.json`;
}
