import { type Static, Type } from "typebox";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Document of payload kind `protocol_event`. */
export const ProtocolEventPayload = Type.Object(
  {
    type: Type.String({
      description:
        "Protocol event type (`session_configured`, `turn_complete`, `shutdown_complete`, ...), or `agent_message` for an accepted agent message.",
    }),
  },
  {
    title: "ProtocolEventPayload",
    description:
      "Document of payload kind `protocol_event`: a full protocol event tagged by `type`, or (schema 2, from `history_item_accepted`) the complete `agent_message` Responses item.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Document of payload kind `protocol_event`. */
export type ProtocolEventPayload = Static<typeof ProtocolEventPayload>;
