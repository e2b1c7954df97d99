import { type Static, Type } from "typebox";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** A Responses API item as it appears in requests, responses and compaction history. */
export const ResponseItem = Type.Object(
  {
    type: Type.String({
      description:
        "Item type: `message`, `agent_message`, `reasoning`, `function_call`, `function_call_output`, `custom_tool_call`, `custom_tool_call_output`, `tool_search_call`, `web_search_call`, `compaction`, ...",
    }),
    id: Type.Optional(
      Type.String({
        description:
          "Responses item id. Schema 2 gives every input item one (`msg_…`, `fco_…`, `ctco_…`, `amsg_…`); it is part of conversation-item identity there.",
      }),
    ),
  },
  {
    title: "ResponseItem",
    description:
      "A Responses API item, kept exactly as Codex serialized it; the remaining keys depend on `type` (e.g. `role` and `content` for messages, `call_id` for tool calls and outputs).",
  },
);

/** Stand-in for an output item that could not be serialized. */
export const SerializationErrorItem = Type.Object(
  { serialization_error: Type.String({ description: "The serializer's error message." }) },
  {
    title: "SerializationErrorItem",
    description: "Written in place of an output item that failed to serialize.",
  },
);

/** An output item of a response: a Responses item, or the stand-in for one that failed to serialize. */
export const ResponseOutputItem = Type.Union([ResponseItem, SerializationErrorItem], {
  title: "ResponseOutputItem",
  description:
    "An output item: a Responses item (reasoning items carry their readable `content`), or a serialization-error stand-in.",
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A Responses API item. */
export type ResponseItem = Static<typeof ResponseItem>;
/** Stand-in for an output item that could not be serialized. */
export type SerializationErrorItem = Static<typeof SerializationErrorItem>;
/** An output item of a response. */
export type ResponseOutputItem = Static<typeof ResponseOutputItem>;
