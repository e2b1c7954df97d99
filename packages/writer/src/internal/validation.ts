import { createRequire } from "node:module";
import type * as SchemaValidators from "@rollout-trace/schema/validate";

/** The part of the schema package's validators the writer uses. */
export interface EventValidator {
  check(value: unknown): boolean;
  errors(value: unknown): readonly { readonly path: string; readonly message: string }[];
}

let validators: typeof SchemaValidators | undefined;

/**
 * The schema package's event validator for one trace schema version. Loaded synchronously on first use rather than
 * imported: the schema package pulls in typebox, about 200 ms of startup that every producer would otherwise pay
 * for a check that is off by default. Throws when the module cannot be loaded.
 */
export function loadEventValidator(schemaVersion: 1 | 2): EventValidator {
  validators ??= createRequire(import.meta.url)("@rollout-trace/schema/validate") as typeof SchemaValidators;
  return schemaVersion === 2 ? validators.eventV2Validator : validators.eventV1Validator;
}
