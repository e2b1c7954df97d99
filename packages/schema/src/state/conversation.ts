import { type Static, Type } from "typebox";
import { Nullable, Seq, StrictObject, Text, UnixMs } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Speaker role of a conversation item. */
export const ConversationRole = Type.Enum(["system", "developer", "user", "assistant", "tool"], {
  title: "ConversationRole",
  description: "Role of a conversation item.",
});

/** Channel of a conversation item. */
export const ConversationChannel = Type.Enum(["analysis", "commentary", "final", "summary"], {
  title: "ConversationChannel",
  description:
    "Channel of an item: message `phase` `commentary` → `commentary`, `final_answer` → `final`, `summary` → `summary`; reasoning and agent messages use `analysis`.",
});

/** What kind of model-visible item a conversation item is. */
export const ConversationItemKind = Type.Enum(
  [
    "message",
    "reasoning",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "compaction_marker",
  ],
  {
    title: "ConversationItemKind",
    description: "Kind of a conversation item; `compaction_marker` marks where a compaction was installed.",
  },
);

/** Author and recipient of a multi-agent message. */
export const AgentMessageRouting = StrictObject(
  {
    author: Text("Agent path of the sender."),
    recipient: Text("Agent path of the recipient (the agent of the item's thread)."),
  },
  {
    title: "AgentMessageRouting",
    description: "Routing of a Responses `agent_message` item.",
  },
);

/** One part of a conversation item's body (internally tagged by `type`). */
export const ConversationPart = Type.Union(
  [
    StrictObject(
      { type: Type.Literal("text"), text: Text("The text.") },
      {
        title: "ConversationPart_text",
        description:
          "Readable text: message text, reasoning content, plain tool output, non-JSON arguments, custom tool input.",
      },
    ),
    StrictObject(
      { type: Type.Literal("summary"), text: Text("The summary text.") },
      { title: "ConversationPart_summary", description: "A reasoning summary entry." },
    ),
    StrictObject(
      {
        type: Type.Literal("encoded"),
        label: Text("What the value is; `encrypted_content` in practice."),
        value: Text("The opaque value."),
      },
      {
        title: "ConversationPart_encoded",
        description: "An opaque blob: encrypted reasoning, compaction summary or encrypted agent message.",
      },
    ),
    StrictObject(
      {
        type: Type.Literal("json"),
        summary: Text("Compact JSON, cut to 240 bytes plus `...` when longer (keys in document order)."),
        raw_payload_id: Type.With(RawPayloadId, { description: "Payload in which the JSON was observed." }),
      },
      {
        title: "ConversationPart_json",
        description: "A JSON body, summarized; identity compares the summary only.",
      },
    ),
    StrictObject(
      {
        type: Type.Literal("code"),
        language: Text("Source language: `javascript`."),
        source: Text("The source of a code-mode `exec` call."),
      },
      { title: "ConversationPart_code", description: "Source code of a code-mode cell." },
    ),
    StrictObject(
      {
        type: Type.Literal("payload_ref"),
        label: Text(
          "What was left out: `input_image`, an unknown content type, `content`, `empty_content` ...",
        ),
        raw_payload_id: Type.With(RawPayloadId, { description: "Payload holding the content." }),
      },
      {
        title: "ConversationPart_payload_ref",
        description: "Content kept only by reference (images, unknown or missing content).",
      },
    ),
  ],
  {
    title: "ConversationPart",
    description: "A part of a conversation item's body, tagged by `type`.",
  },
);

/** The body of a conversation item. */
export const ConversationBody = StrictObject(
  { parts: Type.Array(ConversationPart, { description: "The parts, in order." }) },
  { title: "ConversationBody", description: "Body of a conversation item." },
);

/** A runtime cause of a conversation item (internally tagged by `type`). */
export const ProducerRef = Type.Union(
  [
    StrictObject(
      { type: Type.Literal("user_input") },
      { title: "ProducerRef_user_input", description: "User input (declared, never produced)." },
    ),
    StrictObject(
      { type: Type.Literal("inference"), inference_call_id: Text("The inference call.") },
      { title: "ProducerRef_inference", description: "Output of an inference call." },
    ),
    StrictObject(
      { type: Type.Literal("tool"), tool_call_id: Text("The tool call.") },
      { title: "ProducerRef_tool", description: "Output of a tool call." },
    ),
    StrictObject(
      { type: Type.Literal("code_cell"), code_cell_id: Text("The code cell.") },
      { title: "ProducerRef_code_cell", description: "Output of a code cell." },
    ),
    StrictObject(
      { type: Type.Literal("interaction_edge"), edge_id: Text("The interaction edge.") },
      {
        title: "ProducerRef_interaction_edge",
        description: "Delivered by an interaction edge (declared, never produced).",
      },
    ),
    StrictObject(
      { type: Type.Literal("compaction"), compaction_id: Text("The compaction.") },
      {
        title: "ProducerRef_compaction",
        description: "Created by a compaction (marker or replacement history).",
      },
    ),
    StrictObject(
      { type: Type.Literal("harness") },
      { title: "ProducerRef_harness", description: "Injected by the harness (declared, never produced)." },
    ),
  ],
  {
    title: "ProducerRef",
    description: "What produced a conversation item, tagged by `type`.",
  },
);

const leadingItemFields = {
  item_id: Text("`conversation_item:<n>`, numbered from 1 per replay."),
};

const acceptanceFields = {
  responses_item_id: Type.Optional(
    Text("Schema 2: the Responses item `id`; part of the item's identity. Omitted when the item has none."),
  ),
  accepted_at_unix_ms: Type.Optional(
    UnixMs(
      "Schema 2: wall time of the first `history_item_accepted` for this id in this thread. Omitted when never accepted.",
    ),
  ),
  accepted_seq: Type.Optional(
    Seq("Schema 2: seq of that `history_item_accepted`. Omitted when never accepted."),
  ),
};

const trailingItemFields = {
  thread_id: Text("Owning thread."),
  codex_turn_id: Nullable(Type.String(), "Turn of the payload that first introduced the item."),
  first_seen_at_unix_ms: UnixMs("Wall time of the event that created the item."),
  role: ConversationRole,
  channel: Nullable(ConversationChannel, "Channel, or null (e.g. a message without phase)."),
  kind: ConversationItemKind,
  agent_message: Type.Optional(
    Type.With(AgentMessageRouting, {
      description: "Routing of an `agent_message` item. Omitted (never null) for other items.",
    }),
  ),
  body: ConversationBody,
  call_id: Nullable(Type.String(), "Model-visible `call_id` of tool call and output items, else null."),
  produced_by: Type.Array(ProducerRef, { description: "Runtime causes, unique, in insertion order." }),
};

/** A model-visible conversation item, schema 1 state. */
export const ConversationItemV1 = StrictObject(
  { ...leadingItemFields, ...trailingItemFields },
  {
    title: "ConversationItemV1",
    description: "A model-visible item of a thread's conversation (schema 1 state).",
  },
);

/** A model-visible conversation item, schema 2 state. */
export const ConversationItemV2 = StrictObject(
  { ...leadingItemFields, ...acceptanceFields, ...trailingItemFields },
  {
    title: "ConversationItemV2",
    description:
      "A model-visible item of a thread's conversation (schema 2 state): adds the Responses item id and acceptance time, each omitted when absent.",
  },
);

/** A conversation item of either state version (the schema 2 fields are optional). */
export const ConversationItem = StrictObject(
  { ...leadingItemFields, ...acceptanceFields, ...trailingItemFields },
  {
    title: "ConversationItem",
    description:
      "A conversation item of either state version; the schema 2 fields `responses_item_id`, `accepted_at_unix_ms` and `accepted_seq` are optional.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Role of a conversation item. */
export type ConversationRole = Static<typeof ConversationRole>;
/** Channel of a conversation item. */
export type ConversationChannel = Static<typeof ConversationChannel>;
/** Kind of a conversation item. */
export type ConversationItemKind = Static<typeof ConversationItemKind>;
/** Routing of an agent message. */
export type AgentMessageRouting = Static<typeof AgentMessageRouting>;
/** A part of a conversation item's body. */
export type ConversationPart = Static<typeof ConversationPart>;
/** Body of a conversation item. */
export type ConversationBody = Static<typeof ConversationBody>;
/** What produced a conversation item. */
export type ProducerRef = Static<typeof ProducerRef>;
/** A conversation item in schema 1 state. */
export type ConversationItemV1 = Static<typeof ConversationItemV1>;
/** A conversation item in schema 2 state. */
export type ConversationItemV2 = Static<typeof ConversationItemV2>;
/** A conversation item of either state version. */
export type ConversationItem = Static<typeof ConversationItem>;
