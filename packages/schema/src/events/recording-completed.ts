import { type Static, Type } from "typebox";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `recording_completed` (schema 2): the last line of a complete bundle. */
export const RecordingCompleted = Type.Object(
  { type: Type.Literal("recording_completed") },
  {
    title: "RecordingCompleted",
    description:
      "Schema 2 only. Written last, after `rollout_ended` and any late events, with a null envelope context; nothing may follow it. A bundle without it is an incomplete recording.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `recording_completed` event payload. */
export type RecordingCompleted = Static<typeof RecordingCompleted>;
