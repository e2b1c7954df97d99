import { type Static, Type } from "typebox";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** What a bundle writer recorded about a payload it did not store. */
export const OmittedPayloadNote = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      description:
        "Why the payload was left out; `payload_too_large` when it exceeded the writer's size limit.",
    }),
    original_bytes: Type.Integer({
      minimum: 0,
      description: "UTF-8 size of the payload document as it would have been written.",
    }),
    limit_bytes: Type.Integer({ minimum: 0, description: "The writer's payload size limit at the time." }),
    sha256: Type.String({
      pattern: "^[0-9a-f]{64}$",
      description:
        "Lowercase hex SHA-256 of the omitted document, to match it against a copy kept elsewhere.",
    }),
  },
  {
    title: "OmittedPayloadNote",
    description: "The `rollout_trace_omitted` note of a placeholder payload.",
  },
);

/**
 * A placeholder stored instead of a payload document that was too large to keep. Besides the note it carries empty
 * values for the fields a reducer requires of the kind (e.g. `input: []` for `inference_request`), so the bundle
 * still replays.
 */
export const OmittedPayload = Type.Object(
  { rollout_trace_omitted: OmittedPayloadNote },
  {
    title: "OmittedPayload",
    description:
      "A placeholder a rollout-trace writer stores instead of an oversized payload document of any kind: the `rollout_trace_omitted` note plus empty values for the fields a reducer requires of that kind. Codex itself never writes it.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** What a bundle writer recorded about a payload it did not store. */
export type OmittedPayloadNote = Static<typeof OmittedPayloadNote>;
/** A placeholder stored instead of an oversized payload document. */
export type OmittedPayload = Static<typeof OmittedPayload>;

/** Whether a payload document is a writer's placeholder (it has its own `rollout_trace_omitted` key). */
export function isOmittedPayload(document: unknown): boolean {
  return (
    typeof document === "object" &&
    document !== null &&
    !Array.isArray(document) &&
    Object.hasOwn(document, "rollout_trace_omitted")
  );
}
