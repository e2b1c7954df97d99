// Spec §4.8: multi-agent interaction edges. A delivery edge targets the recipient-side item whose inter-agent fields
// (thread, author path, content) equal the sender's; until it appears the edge waits, and at the end of the replay
// only spawn edges fall back to the child thread.
import { expect } from "vitest";
import { type BundleBuilder, bundle, type ToolKind, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import {
  agentMessage,
  assistant,
  functionInvocation,
  interAgentText,
  subAgentActivity,
  user,
} from "../support/items.ts";

const { rule, fails } = ruleFile("agents");

// Collab payloads carry protocol thread ids, which must be UUIDs.
const PARENT = "019d0000-0000-7000-8000-000000000001";
const CHILD = "019d0000-0000-7000-8000-000000000002";
const OTHER_CHILD = "019d0000-0000-7000-8000-000000000003";
const PARENT_TURN = "turn-parent";
const CHILD_TURN = "turn-child";
const AT_PARENT = { thread: PARENT, turn: PARENT_TURN };

const SEND: ToolKind = { type: "send_message" };
const SPAWN: ToolKind = { type: "spawn_agent" };
const CLOSE: ToolKind = { type: "close_agent" };

const interactionBegin = (prompt: string, receiver = CHILD) => ({
  call_id: "call",
  sender_thread_id: PARENT,
  receiver_thread_id: receiver,
  prompt,
});
const interactionEnd = (prompt: string, receiver = CHILD) => ({
  ...interactionBegin(prompt, receiver),
  receiver_agent_nickname: null,
  receiver_agent_role: null,
  status: "running",
});
const closeBegin = (receiver = CHILD) => ({
  call_id: "call",
  sender_thread_id: PARENT,
  receiver_thread_id: receiver,
});
const closeEnd = (receiver = CHILD) => ({ ...closeBegin(receiver), status: "shutdown" });

/** A parent (/root) and a child (/root/child) thread, each with a running turn. */
function family(): BundleBuilder {
  const b = bundle();
  b.threadWithTurn(PARENT, PARENT_TURN);
  b.threadWithTurn(CHILD, CHILD_TURN, { agentPath: "/root/child" });
  return b;
}

/** A child request that shows the child a message from /root. */
function deliver(b: BundleBuilder, id: string, items: unknown[]): void {
  b.startInference(id, items, { thread: CHILD, turn: CHILD_TURN });
}

function startSend(b: BundleBuilder, tool: string, message: string): void {
  b.startTool(tool, {
    kind: SEND,
    invocation: functionInvocation("send_message", { target: "/root/child", message }),
    envelope: AT_PARENT,
  });
}

rule(
  "an interaction begin waits for the delivered child message and then targets it",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [interAgentText("/root", "/root/child", "hello")]);
    b.endTool("send-1", "completed", { status: "delivered" }, AT_PARENT);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:send-1")).toEqual({
      edge_id: "edge:tool:send-1",
      kind: "send_message",
      source: { type: "tool_call", tool_call_id: "send-1" },
      target: { type: "conversation_item", item_id: "conversation_item:1" },
      started_at_unix_ms: wallTimeOf(5),
      ended_at_unix_ms: null,
      carried_item_ids: ["conversation_item:1"],
      carried_raw_payload_ids: ["raw_payload:1", "raw_payload:2", "raw_payload:4"],
    }),
);

rule(
  "a message already in the recipient's thread resolves the edge immediately",
  () => {
    const b = family();
    deliver(b, "inference-child", [interAgentText("/root", "/root/child", "hello")]);
    startSend(b, "send-1", "hello");
    b.toolRuntimeEnded("send-1", "completed", interactionEnd("hello"), AT_PARENT);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:send-1")).toMatchObject({
      target: { type: "conversation_item", item_id: "conversation_item:1" },
      started_at_unix_ms: wallTimeOf(6),
      ended_at_unix_ms: wallTimeOf(7),
      carried_raw_payload_ids: ["raw_payload:2", "raw_payload:3"],
    }),
);

rule(
  "begin and end observations of an undelivered message merge while pending",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    b.toolRuntimeEnded("send-1", "completed", interactionEnd("hello"), AT_PARENT);
    deliver(b, "inference-child", [interAgentText("/root", "/root/child", "hello")]);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:send-1")).toMatchObject({
      started_at_unix_ms: wallTimeOf(5),
      ended_at_unix_ms: wallTimeOf(7),
      carried_raw_payload_ids: ["raw_payload:1", "raw_payload:2", "raw_payload:3"],
    }),
);

rule(
  "an end observed after delivery cannot reach the delivered edge and is dropped with the pending edges",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [interAgentText("/root", "/root/child", "hello")]);
    b.toolRuntimeEnded("send-1", "completed", interactionEnd("hello"), AT_PARENT);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:send-1")).toMatchObject({
      ended_at_unix_ms: null,
      carried_raw_payload_ids: ["raw_payload:1", "raw_payload:2"],
    }),
);

rule(
  "an item that already carries an edge is not delivered twice",
  () => {
    const b = family();
    deliver(b, "inference-child-1", [interAgentText("/root", "/root/child", "ping")]);
    startSend(b, "send-1", "ping");
    b.toolRuntimeStarted("send-1", interactionBegin("ping"), { envelope: AT_PARENT });
    startSend(b, "send-2", "ping");
    b.toolRuntimeStarted("send-2", interactionBegin("ping"), { envelope: AT_PARENT });
    deliver(b, "inference-child-2", [
      interAgentText("/root", "/root/child", "ping"),
      interAgentText("/root", "/root/child", "ping"),
    ]);
    return b;
  },
  (view) => {
    expect(view.edge("edge:tool:send-1").target).toEqual({
      type: "conversation_item",
      item_id: "conversation_item:1",
    });
    expect(view.edge("edge:tool:send-2").target).toEqual({
      type: "conversation_item",
      item_id: "conversation_item:2",
    });
  },
);

rule(
  "a new item resolves the first matching pending edge in queue order; undelivered messages are dropped",
  () => {
    const b = family();
    startSend(b, "send-b", "ping");
    b.toolRuntimeStarted("send-b", interactionBegin("ping"), { envelope: AT_PARENT });
    startSend(b, "send-a", "ping");
    b.toolRuntimeStarted("send-a", interactionBegin("ping"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [interAgentText("/root", "/root/child", "ping")]);
    return b;
  },
  (view) => {
    expect(view.edge("edge:tool:send-b").carried_item_ids).toEqual(["conversation_item:1"]);
    expect(Object.keys(view.state.interaction_edges)).toEqual(["edge:tool:send-b"]);
  },
);

fails(
  "a pending edge observed again with other content is conflicting",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    b.toolRuntimeEnded("send-1", "completed", interactionEnd("goodbye"), AT_PARENT);
    return b;
  },
  "pending interaction edge edge:tool:send-1 was observed with conflicting delivery data",
);

fails(
  "an edge resolved again to another item has conflicting endpoints",
  () => {
    const b = family();
    deliver(b, "inference-child", [
      interAgentText("/root", "/root/child", "hello"),
      interAgentText("/root", "/root/child", "hello"),
    ]);
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    b.toolRuntimeEnded("send-1", "completed", interactionEnd("hello"), AT_PARENT);
    return b;
  },
  "interaction edge edge:tool:send-1 was observed with conflicting endpoints",
);

rule(
  "an assign_agent_task interaction is an assign edge",
  () => {
    const b = family();
    b.startTool("assign-1", {
      kind: { type: "assign_agent_task" },
      invocation: functionInvocation("followup_task", { target: "/root/child", message: "next" }),
      envelope: AT_PARENT,
    });
    b.toolRuntimeEnded("assign-1", "completed", interactionEnd("next"), AT_PARENT);
    deliver(b, "inference-child", [agentMessage("/root", "/root/child", "next")]);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:assign-1")).toMatchObject({
      kind: "assign_agent_task",
      target: { type: "conversation_item", item_id: "conversation_item:1" },
    }),
);

rule(
  "delivery requires the recipient to be the item's own thread and the author to be the sender's thread",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [
      interAgentText("/root", "/root/elsewhere", "hello"),
      interAgentText("/root/other", "/root/child", "hello"),
      agentMessage("/root", "/root/elsewhere", "hello"),
      user(
        JSON.stringify({ author: "/root", recipient: "/root/child", content: "hello", trigger_turn: false }),
      ),
      assistant(JSON.stringify({ author: "/root", recipient: "/root/child", content: "hello" })),
    ]);
    return b;
  },
  (view) => expect(view.count("interaction_edges")).toBe(0),
);

rule(
  "encrypted agent messages are matched by their encrypted content",
  () => {
    const b = family();
    startSend(b, "send-1", "SEALED");
    b.toolRuntimeStarted("send-1", interactionBegin("SEALED"), { envelope: AT_PARENT });
    startSend(b, "send-2", "SEALED-2");
    b.toolRuntimeStarted("send-2", interactionBegin("SEALED-2"), { envelope: AT_PARENT });
    startSend(b, "send-3", "SEALED-3");
    b.toolRuntimeStarted("send-3", interactionBegin("SEALED-3"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [
      {
        type: "agent_message",
        author: "/root",
        recipient: "/root/child",
        content: [{ type: "encrypted_content", encrypted_content: "SEALED" }],
      },
      {
        type: "agent_message",
        author: "/root",
        recipient: "/root/child",
        content: [
          { type: "input_text", text: "readable" },
          { type: "encrypted_content", encrypted_content: "SEALED-2" },
        ],
      },
      assistant(
        JSON.stringify({
          author: "/root",
          recipient: "/root/child",
          other_recipients: [],
          content: "plain",
          encrypted_content: "SEALED-3",
          trigger_turn: true,
        }),
      ),
    ]);
    return b;
  },
  (view) => {
    expect(view.edge("edge:tool:send-1").carried_item_ids).toEqual(["conversation_item:1"]);
    expect(view.edge("edge:tool:send-2").carried_item_ids).toEqual(["conversation_item:2"]);
    expect(view.edge("edge:tool:send-3").carried_item_ids).toEqual(["conversation_item:3"]);
  },
);

rule(
  "close_agent begin and end make a close edge to the child thread",
  () => {
    const b = family();
    b.startTool("close-1", {
      kind: CLOSE,
      invocation: functionInvocation("close_agent", { target: "/root/child" }),
      envelope: AT_PARENT,
    });
    b.toolRuntimeStarted("close-1", closeBegin(), { envelope: AT_PARENT });
    b.toolRuntimeEnded("close-1", "completed", closeEnd(), AT_PARENT);
    b.endTool("close-1", "completed", { previous_status: "running" }, AT_PARENT);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:close-1")).toEqual({
      edge_id: "edge:tool:close-1",
      kind: "close_agent",
      source: { type: "tool_call", tool_call_id: "close-1" },
      target: { type: "thread", thread_id: CHILD },
      started_at_unix_ms: wallTimeOf(5),
      ended_at_unix_ms: wallTimeOf(7),
      carried_item_ids: [],
      carried_raw_payload_ids: ["raw_payload:1", "raw_payload:2", "raw_payload:3", "raw_payload:4"],
    }),
);

rule(
  "close edges are only made for threads in the trace",
  () => {
    const b = family();
    b.startTool("close-1", { kind: CLOSE, envelope: AT_PARENT });
    b.toolRuntimeStarted("close-1", closeBegin(OTHER_CHILD), { envelope: AT_PARENT });
    b.toolRuntimeEnded("close-1", "completed", closeEnd(OTHER_CHILD), AT_PARENT);
    return b;
  },
  (view) => {
    expect(view.count("interaction_edges")).toBe(0);
    expect(view.tool("close-1").raw_runtime_payload_ids).toEqual(["raw_payload:1", "raw_payload:2"]);
  },
);

rule(
  "an interrupted sub-agent activity on close_agent closes the child thread at the activity",
  () => {
    const b = family();
    b.startTool("close-1", { kind: CLOSE, envelope: AT_PARENT });
    b.toolRuntimeEnded(
      "close-1",
      "completed",
      subAgentActivity("close-1", CHILD, "/root/child", "interrupted"),
      AT_PARENT,
    );
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:close-1")).toMatchObject({
      kind: "close_agent",
      target: { type: "thread", thread_id: CHILD },
      started_at_unix_ms: wallTimeOf(5),
      ended_at_unix_ms: wallTimeOf(6),
    }),
);

rule(
  "a spawn end names its edge after the payload's sender and falls back to the child thread",
  () => {
    const b = family();
    b.threadWithTurn(OTHER_CHILD, "turn-other", { agentPath: "/root/other" });
    b.startTool("spawn-1", { kind: SPAWN, envelope: AT_PARENT });
    b.toolRuntimeEnded(
      "spawn-1",
      "completed",
      {
        call_id: "spawn-1",
        sender_thread_id: CHILD,
        new_thread_id: OTHER_CHILD,
        prompt: "explore",
        model: "gpt-test",
        reasoning_effort: "medium",
        status: "running",
      },
      AT_PARENT,
    );
    return b;
  },
  (view) =>
    expect(view.edge(`edge:spawn:${CHILD}:${OTHER_CHILD}`)).toEqual({
      edge_id: `edge:spawn:${CHILD}:${OTHER_CHILD}`,
      kind: "spawn_agent",
      source: { type: "tool_call", tool_call_id: "spawn-1" },
      target: { type: "thread", thread_id: OTHER_CHILD },
      started_at_unix_ms: wallTimeOf(7),
      ended_at_unix_ms: wallTimeOf(8),
      carried_item_ids: [],
      carried_raw_payload_ids: ["raw_payload:1"],
    }),
);

rule(
  "a spawn end without a new thread makes no edge, and a spawn to a thread never traced is dropped",
  () => {
    const b = family();
    b.startTool("spawn-1", { kind: SPAWN, envelope: AT_PARENT });
    b.toolRuntimeEnded(
      "spawn-1",
      "failed",
      {
        call_id: "spawn-1",
        sender_thread_id: PARENT,
        new_thread_id: null,
        prompt: "x",
        model: "m",
        reasoning_effort: "low",
        status: "not_found",
      },
      AT_PARENT,
    );
    b.startTool("spawn-2", { kind: SPAWN, envelope: AT_PARENT });
    b.toolRuntimeEnded(
      "spawn-2",
      "completed",
      {
        call_id: "spawn-2",
        sender_thread_id: PARENT,
        new_thread_id: OTHER_CHILD,
        prompt: "x",
        model: "m",
        reasoning_effort: "low",
        status: "running",
      },
      AT_PARENT,
    );
    return b;
  },
  (view) => expect(view.count("interaction_edges")).toBe(0),
);

rule(
  "a started sub-agent activity on spawn_agent delivers the invocation's message to the child",
  () => {
    const b = family();
    b.startTool("spawn-1", {
      kind: SPAWN,
      invocation: functionInvocation("spawn_agent", { task_name: "child", message: "count files" }),
      envelope: AT_PARENT,
    });
    b.toolRuntimeEnded(
      "spawn-1",
      "completed",
      subAgentActivity("spawn-1", CHILD, "/root/child", "started"),
      AT_PARENT,
    );
    b.endTool("spawn-1", "completed", { task_name: "/root/child" }, AT_PARENT);
    deliver(b, "inference-child", [agentMessage("/root", "/root/child", "count files")]);
    return b;
  },
  (view) =>
    expect(view.edge(`edge:spawn:${PARENT}:${CHILD}`)).toEqual({
      edge_id: `edge:spawn:${PARENT}:${CHILD}`,
      kind: "spawn_agent",
      source: { type: "tool_call", tool_call_id: "spawn-1" },
      target: { type: "conversation_item", item_id: "conversation_item:1" },
      started_at_unix_ms: wallTimeOf(5),
      ended_at_unix_ms: wallTimeOf(6),
      carried_item_ids: ["conversation_item:1"],
      carried_raw_payload_ids: ["raw_payload:1", "raw_payload:2", "raw_payload:3"],
    }),
);

for (const [label, tool, kind, activity, message] of [
  [
    "started activity on send_message",
    "send-1",
    SEND,
    "started",
    "sub-agent activity Started does not match tool call kind SendMessage",
  ],
  [
    "interacted activity on spawn_agent",
    "spawn-1",
    SPAWN,
    "interacted",
    "sub-agent activity Interacted does not match tool call kind SpawnAgent",
  ],
  [
    "activity on an exec tool",
    "exec-1",
    { type: "exec_command" },
    "started",
    "sub-agent activity Started does not match tool call kind ExecCommand",
  ],
  [
    "interrupted activity on an assign tool",
    "assign-1",
    { type: "assign_agent_task" },
    "interrupted",
    "sub-agent activity Interrupted does not match tool call kind AssignAgentTask",
  ],
] as const) {
  fails(
    `a ${label} is rejected`,
    () => {
      const b = family();
      b.startTool(tool, { kind, invocation: functionInvocation("x", { message: "m" }), envelope: AT_PARENT });
      b.toolRuntimeEnded(
        tool,
        "completed",
        subAgentActivity(tool, CHILD, "/root/child", activity),
        AT_PARENT,
      );
      return b;
    },
    message,
  );
}

for (const [label, invocation, message] of [
  ["no invocation payload", null, "agent activity tool call spawn-1 missing invocation payload"],
  [
    "no function arguments",
    { tool_name: "spawn_agent", tool_namespace: null, payload: { type: "custom", input: "x" } },
    "agent activity tool call spawn-1 missing function arguments",
  ],
  [
    "arguments that are not JSON",
    functionInvocation("spawn_agent", "go!"),
    "parse agent activity tool call spawn-1 arguments",
  ],
  [
    "arguments without a message",
    functionInvocation("spawn_agent", { task_name: "child" }),
    "parse agent activity tool call spawn-1 arguments",
  ],
] as const) {
  fails(
    `a spawn activity whose tool has ${label} is rejected`,
    () => {
      const b = family();
      b.startTool("spawn-1", { kind: SPAWN, invocation, envelope: AT_PARENT });
      b.toolRuntimeEnded(
        "spawn-1",
        "completed",
        subAgentActivity("spawn-1", CHILD, "/root/child", "started"),
        AT_PARENT,
      );
      return b;
    },
    message,
  );
}

// ---- agent results --------------------------------------------------------------------------------------------

const NOTIFICATION = "<subagent_notification>done</subagent_notification>";

rule(
  "an agent result links the child's last answer of that turn to the parent's notification",
  () => {
    const b = family();
    b.exchange(
      "inference-child",
      [agentMessage("/root", "/root/child", "task")],
      [assistant("draft"), assistant("final")],
      {
        thread: CHILD,
        turn: CHILD_TURN,
      },
    );
    b.agentResult({
      child: CHILD,
      childTurn: CHILD_TURN,
      parent: PARENT,
      message: NOTIFICATION,
      carried: { child_agent_path: "/root/child", message: NOTIFICATION, status: { completed: "final" } },
    });
    deliver(b, "inference-parent", []);
    b.startInference("inference-parent-2", [interAgentText("/root/child", "/root", NOTIFICATION)], {
      thread: PARENT,
      turn: PARENT_TURN,
    });
    return b;
  },
  (view) =>
    expect(view.edge(`edge:agent_result:${CHILD}:${CHILD_TURN}:${PARENT}`)).toEqual({
      edge_id: `edge:agent_result:${CHILD}:${CHILD_TURN}:${PARENT}`,
      kind: "agent_result",
      source: { type: "conversation_item", item_id: "conversation_item:3" },
      target: { type: "conversation_item", item_id: "conversation_item:4" },
      started_at_unix_ms: wallTimeOf(7),
      ended_at_unix_ms: wallTimeOf(7),
      carried_item_ids: ["conversation_item:4"],
      carried_raw_payload_ids: ["raw_payload:3"],
    }),
);

rule(
  "among answers seen at the same time the last one in item-map order is the source",
  () => {
    const b = family();
    const fillers = Array.from({ length: 8 }, (_, n) => user(`filler ${n}`));
    // Items 9 and 10 arrive in one response; item-map order ends with conversation_item:9.
    b.exchange("inference-child", fillers, [assistant("nine"), assistant("ten")], {
      thread: CHILD,
      turn: CHILD_TURN,
    });
    b.startInference("inference-parent", [interAgentText("/root/child", "/root", NOTIFICATION)], {
      thread: PARENT,
      turn: PARENT_TURN,
    });
    b.agentResult({ child: CHILD, childTurn: CHILD_TURN, parent: PARENT, message: NOTIFICATION });
    return b;
  },
  (view) =>
    expect(view.edge(`edge:agent_result:${CHILD}:${CHILD_TURN}:${PARENT}`)).toMatchObject({
      source: { type: "conversation_item", item_id: "conversation_item:9" },
      target: { type: "conversation_item", item_id: "conversation_item:11" },
      carried_raw_payload_ids: [],
    }),
);

rule(
  "agent messages, other turns and other roles are not agent-result sources",
  () => {
    const b = family();
    b.startTurn("turn-child-2", CHILD);
    b.exchange("inference-child-1", [user("q")], [assistant("earlier turn")], {
      thread: CHILD,
      turn: CHILD_TURN,
    });
    b.exchange(
      "inference-child-2",
      [user("q"), assistant("earlier turn"), agentMessage("/root", "/root/child", "task"), user("later")],
      [agentMessage("/root/child", "/root", "note")],
      { thread: CHILD, turn: "turn-child-2" },
    );
    b.agentResult({ child: CHILD, childTurn: "turn-child-2", parent: PARENT, message: NOTIFICATION });
    b.startInference("inference-parent", [interAgentText("/root/child", "/root", NOTIFICATION)], {
      thread: PARENT,
      turn: PARENT_TURN,
    });
    return b;
  },
  (view) =>
    expect(view.edge(`edge:agent_result:${CHILD}:turn-child-2:${PARENT}`).source).toEqual({
      type: "thread",
      thread_id: CHILD,
    }),
);

rule(
  "an agent result never shown to the parent is dropped",
  () => {
    const b = family();
    b.agentResult({ child: CHILD, childTurn: CHILD_TURN, parent: PARENT, message: NOTIFICATION });
    return b;
  },
  (view) => expect(view.count("interaction_edges")).toBe(0),
);

fails(
  "an agent result needs a known child thread",
  () => {
    const b = family();
    b.agentResult({ child: OTHER_CHILD, childTurn: "turn-x", parent: PARENT, message: NOTIFICATION });
    return b;
  },
  `agent edge referenced unknown thread ${OTHER_CHILD}`,
);

rule(
  "a tool result is attached to the edge the tool drove, also while it is pending",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    b.endTool("send-1", "completed", { delivered: true }, AT_PARENT);
    deliver(b, "inference-child", [interAgentText("/root", "/root/child", "hello")]);
    return b;
  },
  (view) =>
    expect(view.edge("edge:tool:send-1").carried_raw_payload_ids).toEqual([
      "raw_payload:1",
      "raw_payload:2",
      "raw_payload:3",
    ]),
);

// ---- collab payload strictness (the reference parses them with the strict protocol structs) ---------------------

const spawnEnd = {
  call_id: "spawn-1",
  sender_thread_id: PARENT,
  new_thread_id: CHILD,
  prompt: "explore",
  model: "gpt-test",
  reasoning_effort: "medium",
  status: "running",
};

fails(
  "collab thread ids must be UUIDs",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello", "child"), { envelope: AT_PARENT });
    return b;
  },
  "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `h` at 2",
);

rule(
  "collab thread ids may be written as simple upper-case UUIDs",
  () => {
    const b = family();
    b.startTool("close-1", { kind: CLOSE, envelope: AT_PARENT });
    b.toolRuntimeStarted("close-1", closeBegin(CHILD.replaceAll("-", "").toUpperCase()), {
      envelope: AT_PARENT,
    });
    return b;
  },
  (view) => expect(view.edge("edge:tool:close-1").target).toEqual({ type: "thread", thread_id: CHILD }),
);

fails(
  "a collab interaction end needs an agent status",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    const { status: _status, ...withoutStatus } = interactionEnd("hello");
    b.toolRuntimeEnded("send-1", "completed", withoutStatus, AT_PARENT);
    return b;
  },
  "missing field `status`",
);

fails(
  "a completed agent status carries its final message",
  () => {
    const b = family();
    startSend(b, "send-1", "hello");
    b.toolRuntimeEnded("send-1", "completed", { ...interactionEnd("hello"), status: "completed" }, AT_PARENT);
    return b;
  },
  "invalid type: unit variant, expected newtype variant",
);

rule(
  "agent statuses are protocol AgentStatus values",
  () => {
    const b = family();
    const statuses = [
      "pending_init",
      "interrupted",
      "not_found",
      { completed: "done" },
      { errored: "boom" },
      { completed: null },
    ];
    statuses.forEach((status, n) => {
      startSend(b, `send-${n}`, `m${n}`);
      b.toolRuntimeEnded(`send-${n}`, "completed", { ...interactionEnd(`m${n}`), status }, AT_PARENT);
    });
    return b;
  },
  (view) => expect(view.tool("send-5").raw_runtime_payload_ids).toHaveLength(1),
);

for (const field of ["call_id", "sender_thread_id", "status"]) {
  fails(
    `a collab close end needs ${field}`,
    () => {
      const b = family();
      b.startTool("close-1", { kind: CLOSE, envelope: AT_PARENT });
      const payload: Record<string, unknown> = closeEnd();
      delete payload[field];
      b.toolRuntimeEnded("close-1", "completed", payload, AT_PARENT);
      return b;
    },
    `missing field \`${field}\``,
  );
}

for (const field of ["model", "reasoning_effort", "status"]) {
  fails(
    `a collab spawn end needs ${field}`,
    () => {
      const b = family();
      b.startTool("spawn-1", { kind: SPAWN, envelope: AT_PARENT });
      const payload: Record<string, unknown> = { ...spawnEnd };
      delete payload[field];
      b.toolRuntimeEnded("spawn-1", "completed", payload, AT_PARENT);
      return b;
    },
    `missing field \`${field}\``,
  );
}

rule(
  "a sub-agent activity may omit occurred_at_ms",
  () => {
    const b = family();
    b.startTool("close-1", { kind: CLOSE, envelope: AT_PARENT });
    const { occurred_at_ms: _omitted, ...activity } = subAgentActivity(
      "close-1",
      CHILD,
      "/root/child",
      "interrupted",
    );
    b.toolRuntimeEnded("close-1", "completed", activity, AT_PARENT);
    return b;
  },
  (view) => expect(view.edge("edge:tool:close-1").ended_at_unix_ms).toBe(wallTimeOf(6)),
);

fails(
  "a sub-agent activity kind must be started, interacted or interrupted",
  () => {
    const b = family();
    b.startTool("spawn-1", { kind: SPAWN, envelope: AT_PARENT });
    b.toolRuntimeEnded(
      "spawn-1",
      "completed",
      subAgentActivity("spawn-1", CHILD, "/root/child", "finished"),
      AT_PARENT,
    );
    return b;
  },
  "unknown variant `finished`, expected one of `started`, `interacted`, `interrupted`",
);

for (const [agentPath, message] of [
  ["root/child", "absolute agent paths must start with `/root` or be `/morpheus`"],
  ["/root/child/", "absolute agent path must not end with `/`"],
  ["/root//child", "agent_name must not be empty"],
  ["/root/Child", "agent_name must use only lowercase letters, digits, and underscores"],
] as const) {
  fails(
    `a sub-agent activity agent path ${agentPath} is rejected`,
    () => {
      const b = family();
      b.startTool("close-1", { kind: CLOSE, envelope: AT_PARENT });
      b.toolRuntimeEnded(
        "close-1",
        "completed",
        subAgentActivity("close-1", CHILD, agentPath, "interrupted"),
        AT_PARENT,
      );
      return b;
    },
    message,
  );
}

rule(
  "a legacy inter-agent message with an invalid agent path is not a delivery",
  () => {
    const b = bundle();
    b.threadWithTurn(PARENT, PARENT_TURN);
    b.threadWithTurn(CHILD, CHILD_TURN, { agentPath: "/root/Child" });
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [interAgentText("/root", "/root/Child", "hello")]);
    return b;
  },
  (view) => expect(view.count("interaction_edges")).toBe(0),
);

rule(
  "agent_message routing is not validated as agent paths",
  () => {
    const b = bundle();
    b.threadWithTurn(PARENT, PARENT_TURN);
    b.threadWithTurn(CHILD, CHILD_TURN, { agentPath: "/root/Child" });
    startSend(b, "send-1", "hello");
    b.toolRuntimeStarted("send-1", interactionBegin("hello"), { envelope: AT_PARENT });
    deliver(b, "inference-child", [agentMessage("/root", "/root/Child", "hello")]);
    return b;
  },
  (view) => expect(view.edge("edge:tool:send-1").carried_item_ids).toEqual(["conversation_item:1"]),
);
