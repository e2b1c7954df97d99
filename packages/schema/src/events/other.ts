import { type Static, Type } from "typebox";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `other`: the early-instrumentation escape hatch. */
export const Other = Type.Object(
  {
    type: Type.Literal("other"),
    kind: Text("Free-form event kind."),
    summary: Text("Free-form summary."),
    payloads: Type.Array(Described(RawPayloadRef, "A payload carried by the event."), {
      description: "Payloads carried by the event.",
    }),
    metadata: Type.Unknown({ description: "Any JSON value." }),
  },
  {
    title: "Other",
    description:
      "Escape hatch for early instrumentation. Valid in the log, but reducers reject it (`raw trace event has no reducer implementation`).",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** An `other` event payload. */
export type Other = Static<typeof Other>;
