import { type Static, Type } from "typebox";
import { RawTraceEventPayloadV1, RawTraceEventPayloadV2 } from "./events/index.ts";
import { Nullable } from "./internal/helpers.ts";

/** Envelope fields between `schema_version` and `payload`, shared by both schema versions. */
export const envelopeContextFields = {
  seq: Type.Integer({
    minimum: 0,
    description:
      "Writer-assigned sequence number: 1 for the first line, +1 per append. Schema 2 readers require exactly 1, 2, 3, ... in file order.",
  }),
  wall_time_unix_ms: Type.Integer({
    description: "Wall-clock time of the append, in milliseconds since the Unix epoch.",
  }),
  rollout_id: Type.String({
    description: "Copy of the manifest's `rollout_id` (schema 2 readers require them to be equal).",
  }),
  thread_id: Type.Optional(
    Nullable(
      Type.String(),
      "Thread context of the event. Written as `null` when absent; a missing key reads as `null`.",
    ),
  ),
  codex_turn_id: Type.Optional(
    Nullable(
      Type.String(),
      "Codex turn context of the event. Written as `null` when absent; a missing key reads as `null`.",
    ),
  ),
};

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** One line of `trace.jsonl` in trace schema 1. */
export const RawTraceEventV1 = Type.Object(
  {
    schema_version: Type.Literal(1, { description: "Raw event schema version: 1." }),
    ...envelopeContextFields,
    payload: RawTraceEventPayloadV1,
  },
  {
    title: "RawTraceEventV1",
    description:
      "One line of `trace.jsonl` in trace schema 1: compact JSON with the keys in the listed order, terminated by `\\n`.",
  },
);

/** One line of `trace.jsonl` in trace schema 2. */
export const RawTraceEventV2 = Type.Object(
  {
    schema_version: Type.Literal(2, { description: "Raw event schema version: 2." }),
    ...envelopeContextFields,
    payload: RawTraceEventPayloadV2,
  },
  {
    title: "RawTraceEventV2",
    description:
      "One line of `trace.jsonl` in trace schema 2: compact JSON with the keys in the listed order, terminated by `\\n`.",
  },
);

/** One line of `trace.jsonl` in either schema version. */
export const RawTraceEvent = Type.Union([RawTraceEventV1, RawTraceEventV2], {
  title: "RawTraceEvent",
  description: "One line of `trace.jsonl`, in trace schema 1 or 2 (chosen by `schema_version`).",
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** One trace schema 1 event line. */
export type RawTraceEventV1 = Static<typeof RawTraceEventV1>;
/** One trace schema 2 event line. */
export type RawTraceEventV2 = Static<typeof RawTraceEventV2>;
/** One event line of either schema version. */
export type RawTraceEvent = Static<typeof RawTraceEvent>;
