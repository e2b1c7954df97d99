// Spec §4.4: normalizing Responses items into conversation items, item identity, call-id consistency, the
// full-snapshot and append-only reconcile passes, reasoning merge, and the optional `request_input_mode`.
import { expect } from "vitest";
import { type BundleBuilder, bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { error, ok, panic, ruleFile } from "../support/cases.ts";
import {
  agentMessage,
  assistant,
  customCall,
  customOutput,
  developer,
  functionCall,
  functionOutput,
  message,
  reasoning,
  user,
} from "../support/items.ts";
import type { ConversationItem, StateView } from "../support/view.ts";

const { rule, fails } = ruleFile("conversation");

/** A thread, a turn and one request carrying `input`. */
function oneRequest(input: unknown[]): BundleBuilder {
  const b = bundle();
  b.threadWithTurn();
  b.startInference("inference-1", input);
  return b;
}

function requestItems(view: StateView, call = "inference-1"): ConversationItem[] {
  return view.inference(call).request_item_ids.map((id) => view.item(id));
}

/** What identity depends on: role, channel, kind, call id and body. */
function shape(item: ConversationItem) {
  return {
    role: item.role,
    channel: item.channel,
    kind: item.kind,
    call_id: item.call_id,
    parts: item.body.parts,
  };
}

const P1 = "raw_payload:1";

// ---- normalization -----------------------------------------------------------------------------------------------

rule(
  "message roles map directly and phase selects the channel",
  () =>
    oneRequest([
      message("system", "s"),
      message("developer", "d"),
      message("user", "u"),
      message("assistant", "c", { phase: "commentary" }),
      message("assistant", "f", { phase: "final_answer" }),
      message("assistant", "m", { phase: "summary" }),
      message("assistant", "x", { phase: "analysis" }),
      message("tool", "t"),
    ]),
  (view) =>
    expect(requestItems(view).map((item) => [item.role, item.channel, item.kind, item.call_id])).toEqual([
      ["system", null, "message", null],
      ["developer", null, "message", null],
      ["user", null, "message", null],
      ["assistant", "commentary", "message", null],
      ["assistant", "final", "message", null],
      ["assistant", "summary", "message", null],
      ["assistant", null, "message", null],
      ["tool", null, "message", null],
    ]),
);

rule(
  "a created item records thread, turn, first sighting and an empty producer list",
  () => oneRequest([user("hi")]),
  (view) =>
    expect(view.item("conversation_item:1")).toEqual({
      item_id: "conversation_item:1",
      thread_id: ROOT,
      codex_turn_id: TURN,
      first_seen_at_unix_ms: wallTimeOf(3),
      role: "user",
      channel: null,
      kind: "message",
      body: { parts: [{ type: "text", text: "hi" }] },
      call_id: null,
      produced_by: [],
    }),
);

fails(
  "a message needs a string role",
  () => oneRequest([{ type: "message", content: [] }]),
  `message item in payload ${P1} did not contain a string role`,
);

fails(
  "a message role must be a conversation role",
  () => oneRequest([message("critic", "no")]),
  `unsupported message role critic in payload ${P1}`,
);

rule(
  "message content entries become text parts or payload references",
  () =>
    oneRequest([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "a" },
          { type: "output_text", text: "b" },
          { type: "text", text: "c" },
          { type: "input_text", text: 5 },
          { type: "input_image", image_url: "data:..." },
          { type: "input_file", file_id: "f" },
          { text: "untyped" },
          "bare string",
        ],
      },
    ]),
  (view) =>
    expect(requestItems(view)[0]!.body.parts).toEqual([
      { type: "text", text: "a" },
      { type: "text", text: "b" },
      { type: "text", text: "c" },
      { type: "payload_ref", label: "input_image", raw_payload_id: P1 },
      { type: "payload_ref", label: "input_file", raw_payload_id: P1 },
      { type: "payload_ref", label: "content", raw_payload_id: P1 },
      { type: "payload_ref", label: "content", raw_payload_id: P1 },
    ]),
);

rule(
  "non-array content is one content reference and empty content is an empty_content reference",
  () =>
    oneRequest([
      { type: "message", role: "user", content: "plain string" },
      { type: "message", role: "user" },
      { type: "message", role: "user", content: [] },
      { type: "message", role: "user", content: [{ type: "input_text", text: null }] },
    ]),
  (view) =>
    expect(requestItems(view).map((item) => item.body.parts)).toEqual([
      [{ type: "payload_ref", label: "content", raw_payload_id: P1 }],
      [{ type: "payload_ref", label: "content", raw_payload_id: P1 }],
      [{ type: "payload_ref", label: "empty_content", raw_payload_id: P1 }],
      [{ type: "payload_ref", label: "empty_content", raw_payload_id: P1 }],
    ]),
);

rule(
  "reasoning becomes text parts, then summary parts, then the encrypted content",
  () =>
    oneRequest([
      {
        type: "reasoning",
        summary: [{ type: "summary_text", text: "short" }],
        content: [
          { type: "reasoning_text", text: "long" },
          { type: "text", text: "more" },
        ],
        encrypted_content: "ENC",
      },
      { type: "reasoning", content: null, summary: [{ type: "summary_text", text: "only summary" }] },
      { type: "reasoning", encrypted_content: "ONLY" },
    ]),
  (view) => {
    const [full, summaryOnly, encryptedOnly] = requestItems(view);
    expect(shape(full!)).toEqual({
      role: "assistant",
      channel: "analysis",
      kind: "reasoning",
      call_id: null,
      parts: [
        { type: "text", text: "long" },
        { type: "text", text: "more" },
        { type: "summary", text: "short" },
        { type: "encoded", label: "encrypted_content", value: "ENC" },
      ],
    });
    expect(summaryOnly!.body.parts).toEqual([{ type: "summary", text: "only summary" }]);
    expect(encryptedOnly!.body.parts).toEqual([
      { type: "encoded", label: "encrypted_content", value: "ONLY" },
    ]);
  },
);

for (const [label, item, message] of [
  [
    "non-array content",
    { type: "reasoning", content: "x" },
    `reasoning item in payload ${P1} had non-array content`,
  ],
  [
    "non-array summary",
    { type: "reasoning", summary: {} },
    `reasoning item in payload ${P1} had non-array summary`,
  ],
  [
    "a content entry without type",
    { type: "reasoning", content: [{ text: "x" }] },
    `reasoning item in payload ${P1} had content entry without string type`,
  ],
  [
    "a summary entry without type",
    { type: "reasoning", summary: [{ text: "x" }] },
    `reasoning item in payload ${P1} had summary entry without string type`,
  ],
  [
    "an unsupported content type",
    { type: "reasoning", content: [{ type: "summary_text", text: "x" }] },
    `reasoning item in payload ${P1} had unsupported content type summary_text`,
  ],
  [
    "an unsupported summary type",
    { type: "reasoning", summary: [{ type: "text", text: "x" }] },
    `reasoning item in payload ${P1} had unsupported summary type text`,
  ],
  [
    "a content entry without text",
    { type: "reasoning", content: [{ type: "reasoning_text" }] },
    `reasoning item in payload ${P1} had content entry without string text`,
  ],
  [
    "a summary entry without text",
    { type: "reasoning", summary: [{ type: "summary_text", text: 3 }] },
    `reasoning item in payload ${P1} had summary entry without string text`,
  ],
  [
    "non-string encrypted content",
    { type: "reasoning", encrypted_content: 12 },
    `reasoning item in payload ${P1} had non-string encrypted_content`,
  ],
  [
    "no evidence at all",
    { type: "reasoning", content: [], summary: [], encrypted_content: null },
    `reasoning item in payload ${P1} contained no content, summary, or encrypted_content`,
  ],
] as const) {
  fails(`reasoning with ${label} is rejected`, () => oneRequest([item]), message);
}

rule(
  "function_call arguments: JSON text becomes a re-serialized json part, other text a text part",
  () =>
    oneRequest([
      functionCall("call-json", '{ "b" : [1, 2],\n "a": {"x": null} }'),
      functionCall("call-text", "ls -la"),
      functionCall("call-object", { z: true }),
      { type: "function_call", name: "lookup", call_id: "call-absent" },
    ]),
  (view) =>
    expect(requestItems(view).map(shape)).toEqual([
      {
        role: "assistant",
        channel: "commentary",
        kind: "function_call",
        call_id: "call-json",
        parts: [{ type: "json", summary: '{"b":[1,2],"a":{"x":null}}', raw_payload_id: P1 }],
      },
      {
        role: "assistant",
        channel: "commentary",
        kind: "function_call",
        call_id: "call-text",
        parts: [{ type: "text", text: "ls -la" }],
      },
      {
        role: "assistant",
        channel: "commentary",
        kind: "function_call",
        call_id: "call-object",
        parts: [{ type: "json", summary: '{"z":true}', raw_payload_id: P1 }],
      },
      {
        role: "assistant",
        channel: "commentary",
        kind: "function_call",
        call_id: "call-absent",
        parts: [{ type: "payload_ref", label: "payload", raw_payload_id: P1 }],
      },
    ]),
);

rule(
  "tool outputs: text, content parts, JSON, or a tool_output reference",
  () =>
    oneRequest([
      functionOutput("c1", "plain"),
      functionOutput("c2", [
        { type: "input_text", text: "line" },
        { type: "input_image", image_url: "x" },
      ]),
      functionOutput("c3", { exit: 0 }),
      functionOutput("c4", 7),
      { type: "function_call_output", call_id: "c5" },
      customOutput("c6", "custom"),
    ]),
  (view) =>
    expect(
      requestItems(view).map((item) => [item.role, item.channel, item.kind, item.call_id, item.body.parts]),
    ).toEqual([
      ["tool", "commentary", "function_call_output", "c1", [{ type: "text", text: "plain" }]],
      [
        "tool",
        "commentary",
        "function_call_output",
        "c2",
        [
          { type: "text", text: "line" },
          { type: "payload_ref", label: "input_image", raw_payload_id: P1 },
        ],
      ],
      [
        "tool",
        "commentary",
        "function_call_output",
        "c3",
        [{ type: "json", summary: '{"exit":0}', raw_payload_id: P1 }],
      ],
      [
        "tool",
        "commentary",
        "function_call_output",
        "c4",
        [{ type: "json", summary: "7", raw_payload_id: P1 }],
      ],
      [
        "tool",
        "commentary",
        "function_call_output",
        "c5",
        [{ type: "payload_ref", label: "tool_output", raw_payload_id: P1 }],
      ],
      ["tool", "commentary", "custom_tool_call_output", "c6", [{ type: "text", text: "custom" }]],
    ]),
);

rule(
  "custom tool calls: exec input is javascript code, other input text, non-string input the whole item as JSON",
  () =>
    oneRequest([
      customCall("c-exec", "await tools.ls()", "exec"),
      customCall("c-patch", "*** Begin Patch", "apply_patch"),
      customCall("c-odd", { not: "a string" }, "apply_patch"),
    ]),
  (view) =>
    expect(requestItems(view).map(shape)).toEqual([
      {
        role: "assistant",
        channel: "commentary",
        kind: "custom_tool_call",
        call_id: "c-exec",
        parts: [{ type: "code", language: "javascript", source: "await tools.ls()" }],
      },
      {
        role: "assistant",
        channel: "commentary",
        kind: "custom_tool_call",
        call_id: "c-patch",
        parts: [{ type: "text", text: "*** Begin Patch" }],
      },
      {
        role: "assistant",
        channel: "commentary",
        kind: "custom_tool_call",
        call_id: "c-odd",
        parts: [
          {
            type: "json",
            summary:
              '{"type":"custom_tool_call","name":"apply_patch","call_id":"c-odd","input":{"not":"a string"}}',
            raw_payload_id: P1,
          },
        ],
      },
    ]),
);

rule(
  "hosted tool calls and outputs are function calls and outputs with the whole item as JSON",
  () =>
    oneRequest([
      { type: "tool_search_call", call_id: "s1", arguments: { q: "x" } },
      { type: "web_search_call", id: "ws_1", status: "completed" },
      { type: "image_generation_call", call_id: 9 },
      { type: "local_shell_call", call_id: "ls1", action: { command: ["ls"] } },
      { type: "tool_search_output", call_id: "s1", tools: [] },
      { type: "mcp_tool_call_output", call_id: "m1", output: "ok" },
    ]),
  (view) =>
    expect(
      requestItems(view).map((item) => [item.role, item.channel, item.kind, item.call_id, item.body.parts]),
    ).toEqual([
      [
        "assistant",
        "commentary",
        "function_call",
        "s1",
        [
          {
            type: "json",
            summary: '{"type":"tool_search_call","call_id":"s1","arguments":{"q":"x"}}',
            raw_payload_id: P1,
          },
        ],
      ],
      [
        "assistant",
        "commentary",
        "function_call",
        null,
        [
          {
            type: "json",
            summary: '{"type":"web_search_call","id":"ws_1","status":"completed"}',
            raw_payload_id: P1,
          },
        ],
      ],
      [
        "assistant",
        "commentary",
        "function_call",
        null,
        [{ type: "json", summary: '{"type":"image_generation_call","call_id":9}', raw_payload_id: P1 }],
      ],
      [
        "assistant",
        "commentary",
        "function_call",
        "ls1",
        [
          {
            type: "json",
            summary: '{"type":"local_shell_call","call_id":"ls1","action":{"command":["ls"]}}',
            raw_payload_id: P1,
          },
        ],
      ],
      [
        "tool",
        "commentary",
        "function_call_output",
        "s1",
        [
          {
            type: "json",
            summary: '{"type":"tool_search_output","call_id":"s1","tools":[]}',
            raw_payload_id: P1,
          },
        ],
      ],
      [
        "tool",
        "commentary",
        "function_call_output",
        "m1",
        [
          {
            type: "json",
            summary: '{"type":"mcp_tool_call_output","call_id":"m1","output":"ok"}',
            raw_payload_id: P1,
          },
        ],
      ],
    ]),
);

rule(
  "compaction items are summary-channel assistant messages with one encoded part",
  () =>
    oneRequest([
      { type: "compaction", encrypted_content: "C1" },
      { type: "compaction_summary", encrypted_content: "C2" },
      { type: "context_compaction", encrypted_content: "C3" },
    ]),
  (view) =>
    expect(requestItems(view).map(shape)).toEqual(
      ["C1", "C2", "C3"].map((value) => ({
        role: "assistant",
        channel: "summary",
        kind: "message",
        call_id: null,
        parts: [{ type: "encoded", label: "encrypted_content", value }],
      })),
    ),
);

fails(
  "a compaction item needs string encrypted_content",
  () => oneRequest([{ type: "compaction_summary", summary: "x" }]),
  `compaction item in payload ${P1} did not contain string encrypted_content`,
);

fails(
  "an unknown item type is rejected",
  () => oneRequest([{ type: "hologram" }]),
  `unsupported model item type hologram in payload ${P1}`,
);

fails(
  "an item needs a string type",
  () => oneRequest([{ role: "user", content: [] }]),
  `model item in payload ${P1} did not contain a string type`,
);

fails(
  "an item must be an object",
  () => oneRequest(["just text"]),
  `model item in payload ${P1} did not contain a string type`,
);

rule(
  "agent_message items are analysis-channel assistant messages with routing metadata",
  () =>
    oneRequest([
      {
        type: "agent_message",
        author: "/root/worker",
        recipient: "/root",
        content: [
          { type: "input_text", text: "done" },
          { type: "encrypted_content", encrypted_content: "SECRET" },
        ],
      },
    ]),
  (view) => {
    const item = requestItems(view)[0]!;
    expect(shape(item)).toEqual({
      role: "assistant",
      channel: "analysis",
      kind: "message",
      call_id: null,
      parts: [
        { type: "text", text: "done" },
        { type: "encoded", label: "encrypted_content", value: "SECRET" },
      ],
    });
    expect(item.agent_message).toEqual({ author: "/root/worker", recipient: "/root" });
  },
);

for (const [label, item, cause] of [
  [
    "without author",
    { type: "agent_message", recipient: "/root", content: [{ type: "input_text", text: "x" }] },
    "missing field `author`",
  ],
  [
    "with a numeric author",
    { type: "agent_message", author: 5, recipient: "/root", content: [{ type: "input_text", text: "x" }] },
    "invalid type: integer `5`, expected a string",
  ],
  [
    "without content",
    { type: "agent_message", author: "/root", recipient: "/root" },
    "missing field `content`",
  ],
  [
    "with an output_text entry",
    {
      type: "agent_message",
      author: "/root",
      recipient: "/root",
      content: [{ type: "output_text", text: "x" }],
    },
    "unknown variant `output_text`, expected `input_text` or `encrypted_content`",
  ],
  [
    "with an untyped entry",
    { type: "agent_message", author: "/root", recipient: "/root", content: [{ text: "x" }] },
    "missing field `type`",
  ],
  [
    "with input_text without text",
    { type: "agent_message", author: "/root", recipient: "/root", content: [{ type: "input_text" }] },
    "missing field `text`",
  ],
  [
    "with encrypted_content without payload",
    { type: "agent_message", author: "/root", recipient: "/root", content: [{ type: "encrypted_content" }] },
    "missing field `encrypted_content`",
  ],
] as const) {
  fails(
    `an agent_message ${label} fails to parse`,
    () => oneRequest([item]),
    `failed to parse agent_message item in payload ${P1}`,
    { causes: [cause] },
  );
}

fails(
  "an agent_message with empty content is rejected",
  () => oneRequest([{ type: "agent_message", author: "/root", recipient: "/root", content: [] }]),
  `agent_message item in payload ${P1} contained no content`,
);

rule(
  "agent_message items ignore unknown fields and do not validate their routing paths",
  () =>
    oneRequest([
      {
        type: "agent_message",
        id: "amsg_1",
        author: "Not A Path",
        recipient: "/root",
        other_recipients: ["/root/a"],
        content: [{ type: "input_text", text: "x", extra: 1 }],
      },
    ]),
  (view) =>
    expect(requestItems(view)[0]!.agent_message).toEqual({ author: "Not A Path", recipient: "/root" }),
);

// ---- JSON summaries ------------------------------------------------------------------------------------------------

rule(
  "json summaries keep document key order, including integer-like keys",
  () => {
    const b = bundle();
    b.threadWithTurn();
    const request = b.payloadText(
      "inference_request",
      '{"input": [{"type": "function_call", "name": "f", "call_id": "c-obj", "arguments": {"zeta": 1, "10": 2, "alpha": 3, "2": 4}},' +
        ' {"type": "function_call", "name": "f", "call_id": "c-str", "arguments": "{\\"b\\":1,\\"10\\":2,\\"a\\":3,\\"2\\":4}"}]}',
    );
    b.startInference("inference-1", [], { request });
    return b;
  },
  (view) =>
    expect(requestItems(view).map((item) => item.body.parts[0])).toEqual([
      { type: "json", summary: '{"zeta":1,"10":2,"alpha":3,"2":4}', raw_payload_id: P1 },
      { type: "json", summary: '{"b":1,"10":2,"a":3,"2":4}', raw_payload_id: P1 },
    ]),
);

rule(
  "json summaries keep each number as written (exponents normalized to e+N) and escape strings minimally",
  () =>
    oneRequest([
      functionCall(
        "c-num",
        '{"f":1.0,"e":1E2,"m":12e15,"t":1.0e1,"s":1e-7,"n":-0.0,"big":123456789012345678901234567890}',
      ),
      functionCall("c-str", JSON.stringify({ s: 'é\u0001"\\/\t\u2028\u007f' })),
    ]),
  (view) =>
    expect(requestItems(view).map((item) => item.body.parts[0])).toEqual([
      {
        type: "json",
        summary:
          '{"f":1.0,"e":1e+2,"m":12e+15,"t":1.0e+1,"s":1e-7,"n":-0.0,"big":123456789012345678901234567890}',
        raw_payload_id: P1,
      },
      { type: "json", summary: '{"s":"é\\u0001\\"\\\\/\\t\u2028\u007f"}', raw_payload_id: P1 },
    ]),
);

const LONG_VALUE = "x".repeat(300);
rule(
  "json summaries longer than 240 bytes are cut to 240 bytes plus ...",
  () =>
    oneRequest([
      functionCall("c-long", JSON.stringify({ k: LONG_VALUE })),
      functionCall("c-exact", JSON.stringify({ k: "y".repeat(232) })),
    ]),
  (view) => {
    const [long, exact] = requestItems(view);
    expect(long!.body.parts[0]).toEqual({
      type: "json",
      summary: `${`{"k":"${LONG_VALUE}`.slice(0, 240)}...`,
      raw_payload_id: P1,
    });
    expect(exact!.body.parts[0]).toEqual({
      type: "json",
      summary: `{"k":"${"y".repeat(232)}"}`,
      raw_payload_id: P1,
    });
  },
);

rule(
  "json summaries are cut at the last character boundary within 240 bytes",
  // `{"k":"a` is 7 bytes and each euro sign 3, so byte 240 falls inside the 78th euro sign.
  () => oneRequest([functionCall("c-euro", JSON.stringify({ k: `a${"€".repeat(100)}` }))]),
  (view) =>
    expect(requestItems(view)[0]!.body.parts[0]).toEqual({
      type: "json",
      summary: `{"k":"a${"€".repeat(77)}...`,
      raw_payload_id: P1,
    }),
  {
    reference: {
      note: "Codex 0.144.6 truncates with String::truncate and panics when byte 240 is inside a character (spec §7.12)",
      expected: panic("is_char_boundary"),
    },
  },
);

// ---- identity and reconciliation ----------------------------------------------------------------------------------

rule(
  "a full snapshot reuses items by position and creates the rest",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [developer("rules"), user("one")], [assistant("first")]);
    b.exchange(
      "inference-2",
      [developer("rules"), user("one"), assistant("first"), user("two")],
      [assistant("second")],
    );
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
    ]);
    expect(view.inference("inference-1").response_item_ids).toEqual(["conversation_item:3"]);
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
      "conversation_item:4",
    ]);
    expect(view.item("conversation_item:4").first_seen_at_unix_ms).toBe(wallTimeOf(5));
    expect(view.thread(ROOT).conversation_item_ids).toHaveLength(5);
  },
);

rule(
  "a full snapshot reuses the first unused matching item when the position does not match",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("hi"), user("yo")], []);
    b.exchange("inference-2", [user("yo"), user("hi"), user("hi")], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:1",
      "conversation_item:3",
    ]);
    expect(view.texts(view.thread(ROOT).conversation_item_ids)).toEqual(["hi", "yo", "hi"]);
  },
);

rule(
  "positional reuse does not check whether the item was already used in the same pass",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("hi"), user("yo")], []);
    b.exchange("inference-2", [user("yo"), user("yo")], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:2",
    ]);
    expect(view.thread(ROOT).conversation_item_ids).toEqual(["conversation_item:1", "conversation_item:2"]);
  },
);

rule(
  "response items are always new, even when identical to a request item",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [assistant("same")], [assistant("same")]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toEqual(["conversation_item:1"]);
    expect(view.inference("inference-1").response_item_ids).toEqual(["conversation_item:2"]);
  },
);

rule(
  "json parts match by summary only, so re-serialized arguments reuse the first sighting",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("go")], [functionCall("call-1", '{"a": 1,  "b": [ 2 ]}')]);
    b.exchange(
      "inference-2",
      [user("go"), functionCall("call-1", '{"a":1,"b":[2]}'), functionOutput("call-1")],
      [],
    );
    return b;
  },
  (view) => {
    const [, call] = view.inference("inference-2").request_item_ids;
    expect(call).toBe("conversation_item:2");
    expect(view.item(call!).body.parts).toEqual([
      { type: "json", summary: '{"a":1,"b":[2]}', raw_payload_id: "raw_payload:2" },
    ]);
  },
);

rule(
  "payload_ref parts compare with their raw payload id, so an image message is new in every payload",
  () => {
    const b = bundle();
    const image = { type: "message", role: "user", content: [{ type: "input_image", image_url: "data:x" }] };
    b.threadWithTurn();
    b.exchange("inference-1", [image], []);
    b.exchange("inference-2", [image], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toEqual(["conversation_item:1"]);
    expect(view.inference("inference-2").request_item_ids).toEqual(["conversation_item:2"]);
    expect(view.item("conversation_item:2").body.parts).toEqual([
      { type: "payload_ref", label: "input_image", raw_payload_id: "raw_payload:3" },
    ]);
    expect(view.thread(ROOT).conversation_item_ids).toEqual(["conversation_item:1", "conversation_item:2"]);
  },
);

rule(
  "the thread transcript keeps first-observation order when a later snapshot reorders it",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("a"), user("b")], []);
    b.exchange("inference-2", [user("b"), user("c"), user("a")], []);
    return b;
  },
  (view) => expect(view.texts(view.thread(ROOT).conversation_item_ids)).toEqual(["a", "b", "c"]),
);

rule(
  "items are reconciled per thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.exchange("inference-1", [user("same")], []);
    b.exchange("inference-2", [user("same")], [], { thread: "thread-2", turn: "turn-2" });
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual(["conversation_item:2"]);
    expect(view.item("conversation_item:2")).toMatchObject({
      thread_id: "thread-2",
      codex_turn_id: "turn-2",
    });
  },
);

fails(
  "a call id cannot come back with different arguments",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("go")], [functionCall("call-1", '{"a":1}')]);
    b.startInference("inference-2", [user("go"), functionCall("call-1", '{"a":2}')]);
    return b;
  },
  "model-visible call id call-1 was reused with different content",
);

fails(
  "a call id cannot come back with a different output",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("go"), functionCall("call-1"), functionOutput("call-1", "one")], []);
    b.startInference("inference-2", [user("go"), functionCall("call-1"), functionOutput("call-1", "two")]);
    return b;
  },
  "model-visible call id call-1 was reused with different content",
);

fails(
  "the call-id check also applies to response items",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("go"), functionCall("call-1", '{"a":1}')]);
    b.completeInference("inference-1", [functionCall("call-1", '{"a":2}')]);
    return b;
  },
  "model-visible call id call-1 was reused with different content",
);

rule(
  "items of different kinds may share a call id, and so may items in different threads",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.exchange(
      "inference-1",
      [functionCall("call-1", '{"a":1}'), customCall("call-1", "x", "apply_patch")],
      [],
    );
    b.exchange("inference-2", [functionCall("call-1", '{"a":2}')], [], {
      thread: "thread-2",
      turn: "turn-2",
    });
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toHaveLength(2);
    expect(view.inference("inference-2").request_item_ids).toEqual(["conversation_item:3"]);
  },
);

// ---- incremental requests -----------------------------------------------------------------------------------------

rule(
  "an incremental request is the referenced call's request and response plus the new items",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [functionCall("call-1")], { responseId: "resp-1" });
    b.exchange("inference-2", [functionOutput("call-1"), user("two")], [assistant("done")], {
      previousResponseId: "resp-1",
    });
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
      "conversation_item:4",
    ]);
    expect(view.item("conversation_item:3").kind).toBe("function_call_output");
    expect(view.inference("inference-2").response_item_ids).toEqual(["conversation_item:5"]);
  },
);

rule(
  "an incremental delta reuses the item the thread already has at that position",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [assistant("a1")], { responseId: "resp-1" });
    b.exchange("inference-2", [user("one"), assistant("a1"), user("two")], [assistant("a2")]);
    b.startInference("inference-3", [user("two")], { previousResponseId: "resp-1" });
    return b;
  },
  (view) =>
    expect(view.inference("inference-3").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
    ]),
);

fails(
  "an incremental delta that contradicts the thread's last snapshot is a conversation mismatch",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [assistant("a1")], { responseId: "resp-1" });
    b.exchange("inference-2", [user("one"), assistant("a1"), user("two")], [assistant("a2")]);
    b.startInference("inference-3", [user("three")], { previousResponseId: "resp-1" });
    return b;
  },
  `model conversation mismatch while reducing turn ${TURN} for thread ${ROOT} at item index 2: existing item conversation_item:3 does not match the current model payload item`,
);

rule(
  "the incremental prefix comes from the first call in id order that returned the response id",
  () => {
    const b = bundle();
    b.threadWithTurn();
    // Both calls report resp-shared; "inference-a" sorts first although it ran second.
    b.exchange("inference-b", [user("one")], [assistant("a1")], { responseId: "resp-shared" });
    b.exchange("inference-a", [user("one"), assistant("a1"), user("two")], [assistant("a2")], {
      responseId: "resp-shared",
    });
    b.startInference("inference-c", [user("three")], { previousResponseId: "resp-shared" });
    return b;
  },
  (view) =>
    expect(view.texts(view.inference("inference-c").request_item_ids)).toEqual([
      "one",
      "a1",
      "two",
      "a2",
      "three",
    ]),
);

fails(
  "an incremental request only sees responses of its own thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.exchange("inference-1", [user("one")], [], { responseId: "resp-1" });
    b.startInference("inference-2", [user("two")], {
      thread: "thread-2",
      turn: "turn-2",
      previousResponseId: "resp-1",
    });
    return b;
  },
  "incremental inference request inference-2 referenced unknown previous_response_id resp-1",
);

fails(
  "an incremental request needs a traced previous response",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("one")], { previousResponseId: "resp-missing" });
    return b;
  },
  "incremental inference request inference-1 referenced unknown previous_response_id resp-missing",
);

rule(
  "a non-string previous_response_id makes a full snapshot",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [], { request: { previous_response_id: 12, input: [user("one")] } });
    return b;
  },
  (view) => expect(view.inference("inference-1").request_item_ids).toEqual(["conversation_item:1"]),
);

// ---- reasoning merge ----------------------------------------------------------------------------------------------

rule(
  "a re-sighted encrypted-only reasoning item gains the readable text and summary",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("q")], [reasoning({ encrypted: "E1" })]);
    b.exchange("inference-2", [user("q"), reasoning({ text: ["t"], summary: ["s"], encrypted: "E1" })], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
    ]);
    expect(view.item("conversation_item:2").body.parts).toEqual([
      { type: "text", text: "t" },
      { type: "summary", text: "s" },
      { type: "encoded", label: "encrypted_content", value: "E1" },
    ]);
  },
);

rule(
  "a reasoning body that already has text and summary is kept on re-sighting",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange(
      "inference-1",
      [user("q")],
      [reasoning({ text: ["first"], summary: ["sum"], encrypted: "E1" })],
    );
    b.exchange("inference-2", [user("q"), reasoning({ text: ["other"], encrypted: "E1" })], []);
    return b;
  },
  (view) =>
    expect(view.item("conversation_item:2").body.parts).toEqual([
      { type: "text", text: "first" },
      { type: "summary", text: "sum" },
      { type: "encoded", label: "encrypted_content", value: "E1" },
    ]),
);

rule(
  "reasoning with the same encrypted content matches despite different text, and keeps its own text",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("q")], [reasoning({ text: ["mine"], encrypted: "E1" })]);
    b.exchange(
      "inference-2",
      [user("q"), reasoning({ text: ["theirs"], summary: ["s"], encrypted: "E1" })],
      [],
    );
    return b;
  },
  (view) =>
    expect(view.item("conversation_item:2").body.parts).toEqual([
      { type: "text", text: "mine" },
      { type: "summary", text: "s" },
      { type: "encoded", label: "encrypted_content", value: "E1" },
    ]),
);

rule(
  "reasoning without encrypted content only matches an identical body",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("q")], [reasoning({ summary: ["one"] })]);
    b.exchange("inference-2", [user("q"), reasoning({ summary: ["two"] })], []);
    return b;
  },
  (view) =>
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:3",
    ]),
);

rule(
  "reasoning with different encrypted content is a different item",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("q")], [reasoning({ summary: ["s"], encrypted: "E1" })]);
    b.exchange("inference-2", [user("q"), reasoning({ summary: ["s"], encrypted: "E2" })], []);
    return b;
  },
  (view) =>
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:3",
    ]),
);

// ---- request_input_mode (optional field of some producer revisions) -----------------------------------------------

const IGNORED_BY_0_144_6 =
  "Codex 0.144.6 ignores request_input_mode and applies the legacy previous_response_id rule";

rule(
  "explicit full_snapshot mode ignores a previous_response_id in the payload",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("one")], {
      previousResponseId: "resp-untraced-prewarm",
      mode: { type: "full_snapshot" },
    });
    return b;
  },
  (view) => expect(view.texts(view.inference("inference-1").request_item_ids)).toEqual(["one"]),
  {
    reference: {
      note: IGNORED_BY_0_144_6,
      expected: error(
        "incremental inference request inference-1 referenced unknown previous_response_id resp-untraced-prewarm",
      ),
    },
  },
);

fails(
  "explicit incremental mode must agree with the payload's previous_response_id",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [], { responseId: "resp-1" });
    b.exchange("inference-2", [user("one"), user("two")], [], { responseId: "resp-2" });
    b.startInference("inference-3", [user("three")], {
      previousResponseId: "resp-2",
      mode: { type: "incremental", previous_response_id: "resp-1" },
    });
    return b;
  },
  'incremental inference request inference-3 recorded previous_response_id resp-1, but payload previous_response_id was Some("resp-2")',
  {
    reference: {
      note: IGNORED_BY_0_144_6,
      expected: ok((view) =>
        expect(view.texts(view.inference("inference-3").request_item_ids)).toEqual(["one", "two", "three"]),
      ),
    },
  },
);

fails(
  "explicit incremental mode needs a previous_response_id in the payload",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [], { responseId: "resp-1" });
    b.startInference("inference-2", [user("two")], {
      mode: { type: "incremental", previous_response_id: "resp-1" },
    });
    return b;
  },
  "incremental inference request inference-2 recorded previous_response_id resp-1, but payload previous_response_id was None",
  {
    reference: {
      note: IGNORED_BY_0_144_6,
      expected: ok((view) =>
        expect(view.texts(view.inference("inference-2").request_item_ids)).toEqual(["two"]),
      ),
    },
  },
);

fails(
  "an untraced prefix cannot stand in for a traced previous response",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [], { responseId: "resp-1" });
    b.startInference("inference-2", [user("two")], {
      previousResponseId: "resp-1",
      mode: {
        type: "incremental_with_untraced_prefix",
        previous_response_id: "resp-1",
        prefix_payload: b.payload("inference_request", { input: [user("one")] }),
      },
    });
    return b;
  },
  "incremental inference request inference-2 recorded untraced prefix for traced previous_response_id resp-1",
  {
    reference: {
      note: IGNORED_BY_0_144_6,
      expected: ok((view) =>
        expect(view.texts(view.inference("inference-2").request_item_ids)).toEqual(["one", "two"]),
      ),
    },
  },
);

rule(
  "an untraced prefix is reconciled as a full snapshot and the delta is always new",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("one")], [assistant("a1")], { responseId: "resp-1" });
    b.startInference("inference-2", [user("one")], {
      previousResponseId: "resp-untraced",
      mode: {
        type: "incremental_with_untraced_prefix",
        previous_response_id: "resp-untraced",
        prefix_payload: b.payload("inference_request", { input: [user("one"), assistant("a1"), user("x")] }),
      },
    });
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
      "conversation_item:4",
    ]);
    expect(view.texts(view.inference("inference-2").request_item_ids)).toEqual(["one", "a1", "x", "one"]);
    expect(view.payload("raw_payload:4").kind).toEqual({ type: "inference_request" });
  },
  {
    reference: {
      note: IGNORED_BY_0_144_6,
      expected: error(
        "incremental inference request inference-2 referenced unknown previous_response_id resp-untraced",
      ),
    },
  },
);

fails(
  "an untraced prefix payload needs input",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("two")], {
      previousResponseId: "resp-untraced",
      mode: {
        type: "incremental_with_untraced_prefix",
        previous_response_id: "resp-untraced",
        prefix_payload: b.payload("inference_request", { items: [] }),
      },
    });
    return b;
  },
  "inference request payload raw_payload:1 did not contain input",
  {
    reference: {
      note: IGNORED_BY_0_144_6,
      expected: error(
        "incremental inference request inference-1 referenced unknown previous_response_id resp-untraced",
      ),
    },
  },
);

rule(
  "agent_message items keep routing and match only with the same route",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [agentMessage("/root/a", "/root", "hi")], []);
    b.exchange(
      "inference-2",
      [agentMessage("/root/b", "/root", "hi"), agentMessage("/root/a", "/root", "hi")],
      [],
    );
    return b;
  },
  (view) =>
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:1",
    ]),
);
