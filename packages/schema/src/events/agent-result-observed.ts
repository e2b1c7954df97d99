import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `agent_result_observed`: a child agent's completion notification was delivered to its parent. */
export const AgentResultObserved = Type.Object(
  {
    type: Type.Literal("agent_result_observed"),
    edge_id: Text("`edge:agent_result:<child_thread_id>:<child_codex_turn_id>:<parent_thread_id>`."),
    child_thread_id: Text("The child thread that finished."),
    child_codex_turn_id: Text("The child turn that produced the result."),
    parent_thread_id: Text("The parent thread that received the notification."),
    message: Text("Notification text delivered to the parent."),
    carried_payload: Nullable(
      Described(RawPayloadRef, "The notification payload (kind `agent_result`)."),
      "The notification payload (kind `agent_result`), or null.",
    ),
  },
  {
    title: "AgentResultObserved",
    description:
      "A child agent delivered its result to the parent's mailbox. The envelope carries the child thread and child turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** An `agent_result_observed` event payload. */
export type AgentResultObserved = Static<typeof AgentResultObserved>;
