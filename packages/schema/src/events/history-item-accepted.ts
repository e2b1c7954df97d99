import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `history_item_accepted` (schema 2): Codex committed an item to a thread's model-visible history. */
export const HistoryItemAccepted = Type.Object(
  {
    type: Type.Literal("history_item_accepted"),
    item_id: Text(
      "Responses item id of the accepted item (`msg_…`, `fc_…`, `fco_…`, `amsg_…` ...), the `id` Codex sends back as `input[i].id`.",
    ),
    agent_message_payload: Type.Optional(
      Nullable(
        Described(
          RawPayloadRef,
          "The accepted `agent_message` Responses item (kind `protocol_event`); its `id` equals `item_id`.",
        ),
        "For multi-agent messages only: the complete `agent_message` item (kind `protocol_event`). Omitted when absent; `null` is accepted too.",
      ),
    ),
  },
  {
    title: "HistoryItemAccepted",
    description:
      "Schema 2 only. An item (turn input, model output, tool output, harness or agent message) became part of the thread's durable history. The envelope must name the thread; the turn may be null.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `history_item_accepted` event payload. */
export type HistoryItemAccepted = Static<typeof HistoryItemAccepted>;
