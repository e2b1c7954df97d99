import type { RawPayloadRef } from "@rollout-trace/schema";
import {
  eventV1Validator,
  eventV2Validator,
  manifestValidator,
  payloadValidator,
} from "@rollout-trace/schema/validate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rolloutArbitrary } from "../src/index.ts";

/** Generated bundles must be valid by the project's own schema, not only acceptable to the reference. */
describe("generated bundles against @rollout-trace/schema", () => {
  it("validate: manifest, every event line and every payload document under the kind its reference names", () => {
    fc.assert(
      fc.property(rolloutArbitrary({ size: "medium" }), (bundle) => {
        expect(manifestValidator.errors(bundle.manifest)).toEqual([]);
        const events = bundle.schemaVersion === 1 ? eventV1Validator : eventV2Validator;
        // The validators are not vacuous: a wrong envelope type is reported.
        expect(events.errors({ ...bundle.events[0], seq: "first" })).not.toEqual([]);
        for (const event of bundle.events) {
          expect(events.errors(event), `line ${event.seq} (${event.payload.type})`).toEqual([]);
          for (const value of Object.values(event.payload)) {
            if (value === null || typeof value !== "object" || !("raw_payload_id" in value)) continue;
            const ref = value as RawPayloadRef;
            const document = bundle.payloads.get(Number(ref.raw_payload_id.slice("raw_payload:".length)));
            expect(
              payloadValidator(ref.kind.type).errors(document),
              `${ref.raw_payload_id} (${ref.kind.type})`,
            ).toEqual([]);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
