import { type Static, Type } from "typebox";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Every payload kind, in the reference's declaration order. */
export const RAW_PAYLOAD_KIND_NAMES = [
  "inference_request",
  "inference_response",
  "compaction_request",
  "compaction_checkpoint",
  "compaction_response",
  "tool_invocation",
  "tool_result",
  "tool_runtime_event",
  "terminal_runtime_event",
  "protocol_event",
  "session_metadata",
  "agent_result",
] as const;

/** The name of a payload kind (the `type` inside `RawPayloadKind`). */
export const RawPayloadKindName = Type.Enum(RAW_PAYLOAD_KIND_NAMES, {
  title: "RawPayloadKindName",
  description: "Name of a payload kind: what the payload document under a reference contains.",
});

/** A payload kind as written in a reference: an object `{"type": <kind name>}`, never a bare string. */
export const RawPayloadKind = Type.Object(
  { type: RawPayloadKindName },
  {
    title: "RawPayloadKind",
    description:
      'Payload kind, written as an object `{"type": "<kind name>"}` (an adjacently tagged unit variant), not as a bare string.',
  },
);

/** Id of a payload file, `raw_payload:<n>` with `n` the payload ordinal. */
export const RawPayloadId = Type.String({
  title: "RawPayloadId",
  pattern: "^raw_payload:[0-9]+$",
  description: "Payload id `raw_payload:<n>`, where `n` is the payload ordinal (from 1, per bundle).",
});

/** A reference from an event to a payload document stored in `payloads/<n>.json`. */
export const RawPayloadRef = Type.Object(
  {
    raw_payload_id: RawPayloadId,
    kind: RawPayloadKind,
    path: Type.String({
      pattern: "^payloads/[0-9]+\\.json$",
      description:
        "Path of the payload file relative to the bundle directory, always `payloads/<n>.json`; nothing else is accepted, so a reference cannot point outside the bundle.",
    }),
  },
  {
    title: "RawPayloadRef",
    description:
      "Reference to a pretty-printed JSON payload document that was written before the event referring to it.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** The name of a payload kind. */
export type RawPayloadKindName = Static<typeof RawPayloadKindName>;
/** A payload kind object `{"type": ...}`. */
export type RawPayloadKind = Static<typeof RawPayloadKind>;
/** A payload id `raw_payload:<n>`. */
export type RawPayloadId = Static<typeof RawPayloadId>;
/** A reference to a payload document. */
export type RawPayloadRef = Static<typeof RawPayloadRef>;
