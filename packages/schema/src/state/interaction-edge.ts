import { type Static, Type } from "typebox";
import { IdList, Nullable, StrictObject, Text, UnixMs } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** What an interaction between agents was. */
export const InteractionEdgeKind = Type.Enum(
  ["spawn_agent", "assign_agent_task", "send_message", "agent_result", "close_agent"],
  {
    title: "InteractionEdgeKind",
    description: "Kind of a multi-agent interaction.",
  },
);

/** An endpoint of an interaction edge (internally tagged by `type`). */
export const TraceAnchor = Type.Union(
  [
    StrictObject(
      { type: Type.Literal("conversation_item"), item_id: Text("The conversation item.") },
      { title: "TraceAnchor_conversation_item", description: "A conversation item." },
    ),
    StrictObject(
      { type: Type.Literal("tool_call"), tool_call_id: Text("The tool call.") },
      { title: "TraceAnchor_tool_call", description: "A tool call." },
    ),
    StrictObject(
      { type: Type.Literal("thread"), thread_id: Text("The thread.") },
      { title: "TraceAnchor_thread", description: "A whole thread (fallback when no item matched)." },
    ),
  ],
  {
    title: "TraceAnchor",
    description: "Endpoint of an interaction edge, tagged by `type`.",
  },
);

/** A multi-agent interaction: spawn, task, message, result or close. */
export const InteractionEdge = StrictObject(
  {
    edge_id: Text(
      "`edge:spawn:<parent>:<child>`, `edge:tool:<tool_call_id>` or `edge:agent_result:<child>:<child_turn>:<parent>`.",
    ),
    kind: InteractionEdgeKind,
    source: Type.With(TraceAnchor, { description: "Where the interaction came from." }),
    target: Type.With(TraceAnchor, { description: "Where it was delivered." }),
    started_at_unix_ms: UnixMs("When the interaction started."),
    ended_at_unix_ms: Nullable(UnixMs("When it ended."), "When it ended, or null."),
    carried_item_ids: IdList("Recipient-side conversation items."),
    carried_raw_payload_ids: Type.Array(RawPayloadId, { description: "Evidence payloads." }),
  },
  {
    title: "InteractionEdge",
    description: "An interaction between agents, from a tool call or conversation item to its delivery.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Kind of a multi-agent interaction. */
export type InteractionEdgeKind = Static<typeof InteractionEdgeKind>;
/** Endpoint of an interaction edge. */
export type TraceAnchor = Static<typeof TraceAnchor>;
/** A multi-agent interaction. */
export type InteractionEdge = Static<typeof InteractionEdge>;
