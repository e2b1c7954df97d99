import { type Static, Type } from "typebox";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `protocol_event_observed`: a breadcrumb of a Codex protocol event. */
export const ProtocolEventObserved = Type.Object(
  {
    type: Type.Literal("protocol_event_observed"),
    event_type: Text(
      "The wrapped protocol event type: `session_configured`, `turn_started`, `turn_complete`, `turn_aborted`, `thread_rolled_back`, `error`, `warning` or `shutdown_complete`.",
    ),
    event_payload: Described(RawPayloadRef, "The full protocol event (kind `protocol_event`)."),
  },
  {
    title: "ProtocolEventObserved",
    description:
      "A selected protocol event, kept as a breadcrumb; the reducer only registers its payload. Null envelope context as written by Codex.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `protocol_event_observed` event payload. */
export type ProtocolEventObserved = Static<typeof ProtocolEventObserved>;
