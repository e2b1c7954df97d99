// Spec §4.6.1-§4.6.3: tool call lifecycle, the links between tool calls and model-visible call/output items, MCP
// correlation, and which tool payloads the reducer reads.
import { expect } from "vitest";
import { type BundleBuilder, bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import {
  assistant,
  customCall,
  functionCall,
  functionInvocation,
  functionOutput,
  user,
} from "../support/items.ts";

const { rule, fails } = ruleFile("tools");

const LOOKUP = functionInvocation("lookup", { q: "docs" });

/** A thread and turn where the model asked for `call-1` (item 2) in response `resp-1`. */
function afterToolRequest(): BundleBuilder {
  const b = bundle();
  b.threadWithTurn();
  b.exchange("inference-1", [user("go")], [functionCall("call-1")], { responseId: "resp-1" });
  return b;
}

rule(
  "tool_call_started records the tool with its requester, kind, summary and invocation payload",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { callId: "call-1", invocation: LOOKUP });
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toEqual({
      tool_call_id: "tool-1",
      mcp_call_id: null,
      model_visible_call_id: "call-1",
      code_mode_runtime_tool_id: null,
      thread_id: ROOT,
      started_by_codex_turn_id: TURN,
      execution: {
        started_at_unix_ms: wallTimeOf(3),
        started_seq: 3,
        ended_at_unix_ms: null,
        ended_seq: null,
        status: "running",
      },
      requester: { type: "model" },
      kind: { type: "other", name: "lookup" },
      model_visible_call_item_ids: [],
      model_visible_output_item_ids: [],
      terminal_operation_id: null,
      summary: { type: "generic", label: "lookup", input_preview: null, output_preview: null },
      raw_invocation_payload_id: "raw_payload:1",
      raw_result_payload_id: null,
      raw_runtime_payload_ids: [],
    }),
);

rule(
  "a tool start without an envelope thread takes the thread of its envelope turn",
  () => {
    const b = bundle();
    b.startThread(ROOT);
    b.threadWithTurn("thread-2", "turn-2");
    b.startTool("tool-1", { envelope: { thread: null, turn: "turn-2" } });
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toMatchObject({ thread_id: "thread-2", started_by_codex_turn_id: "turn-2" }),
);

rule(
  "a tool start without an envelope turn has no starting turn",
  () => {
    const b = bundle();
    b.startThread(ROOT);
    b.startTool("tool-1", { envelope: { turn: null } });
    return b;
  },
  (view) => expect(view.tool("tool-1")).toMatchObject({ thread_id: ROOT, started_by_codex_turn_id: null }),
);

fails(
  "a tool call cannot start twice",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { callId: null });
    b.startTool("tool-1", { callId: null });
    return b;
  },
  "duplicate tool call start for tool-1",
);

fails(
  "a model-visible call id belongs to one tool call across all threads",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.startTool("tool-1", { callId: "call-1" });
    b.startTool("tool-2", { callId: "call-1", envelope: { thread: "thread-2", turn: "turn-2" } });
    return b;
  },
  "duplicate tool call for model-visible call id call-1",
);

fails(
  "a tool start needs a thread or turn in its envelope",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { envelope: { thread: null, turn: null } });
    return b;
  },
  "tool call start did not include thread or Codex turn context",
);

fails(
  "a tool start with only a turn needs that turn to exist",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { envelope: { thread: null, turn: "turn-ghost" } });
    return b;
  },
  "tool call start referenced unknown Codex turn turn-ghost",
);

fails(
  "a tool start needs a known thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { envelope: { thread: "ghost", turn: null } });
    return b;
  },
  "tool call start referenced unknown thread ghost",
);

fails(
  "a tool start's envelope turn must exist",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { envelope: { turn: "turn-ghost" } });
    return b;
  },
  "tool call start referenced unknown Codex turn turn-ghost",
);

fails(
  "a tool start's envelope turn must belong to its envelope thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startThread("thread-2");
    b.startTool("tool-1", { envelope: { thread: "thread-2" } });
    return b;
  },
  `tool call start used thread thread-2, but Codex turn ${TURN} belongs to ${ROOT}`,
);

fails(
  "a nested tool needs a known runtime cell in its thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { callId: null, requester: { type: "code_cell", runtime_cell_id: "cell-9" } });
    return b;
  },
  `code-mode nested tool referenced unknown runtime cell cell-9 in thread ${ROOT}`,
);

rule(
  "a tool start links call and output items already in its thread, in item-map order",
  () => {
    const b = bundle();
    b.threadWithTurn();
    const fillers = Array.from({ length: 8 }, (_, n) => user(`filler ${n}`));
    // Items 9 and 10 share the call id; item-map order puts conversation_item:10 first.
    b.exchange(
      "inference-1",
      [
        ...fillers,
        customCall("call-1", "patch", "apply_patch"),
        functionCall("call-1"),
        functionOutput("call-1"),
      ],
      [],
    );
    b.startTool("tool-1", { callId: "call-1" });
    return b;
  },
  (view) => {
    const tool = view.tool("tool-1");
    expect(tool.model_visible_call_item_ids).toEqual(["conversation_item:10", "conversation_item:9"]);
    expect(tool.model_visible_output_item_ids).toEqual(["conversation_item:11"]);
    expect(view.item("conversation_item:11").produced_by).toEqual([{ type: "tool", tool_call_id: "tool-1" }]);
  },
);

rule(
  "items reconciled after the tool start link to it, from any thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.startTool("tool-1", { callId: "call-1" });
    b.exchange("inference-1", [user("go")], [functionCall("call-1")]);
    b.exchange("inference-2", [functionCall("call-1"), functionOutput("call-1")], [], {
      thread: "thread-2",
      turn: "turn-2",
    });
    return b;
  },
  (view) => {
    const tool = view.tool("tool-1");
    expect(tool.model_visible_call_item_ids).toEqual(["conversation_item:2", "conversation_item:3"]);
    expect(tool.model_visible_output_item_ids).toEqual(["conversation_item:4"]);
    expect(view.item("conversation_item:4")).toMatchObject({
      thread_id: "thread-2",
      produced_by: [{ type: "tool", tool_call_id: "tool-1" }],
    });
  },
);

rule(
  "a tool started after its response completed is listed as started by that response",
  () => {
    const b = afterToolRequest();
    b.startTool("tool-1", { callId: "call-1" });
    return b;
  },
  (view) => {
    expect(view.tool("tool-1").model_visible_call_item_ids).toEqual(["conversation_item:2"]);
    expect(view.inference("inference-1").tool_call_ids_started_by_response).toEqual(["tool-1"]);
  },
);

rule(
  "a tool started before its response completed is only linked once a later request re-sights the call",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("go")]);
    b.startTool("tool-1", { callId: "call-1" });
    b.completeInference("inference-1", [functionCall("call-1")], { responseId: "resp-1" });
    b.startInference("inference-2", [user("go"), functionCall("call-1")]);
    return b;
  },
  (view) => {
    expect(view.tool("tool-1").model_visible_call_item_ids).toEqual(["conversation_item:2"]);
    expect(view.inference("inference-1").tool_call_ids_started_by_response).toEqual(["tool-1"]);
  },
);

rule(
  "without a later sighting the last response never lists the tool it started",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("go")]);
    b.startTool("tool-1", { callId: "call-1" });
    b.completeInference("inference-1", [functionCall("call-1")]);
    return b;
  },
  (view) => {
    expect(view.tool("tool-1").model_visible_call_item_ids).toEqual(["conversation_item:2"]);
    expect(view.inference("inference-1").tool_call_ids_started_by_response).toEqual([]);
  },
);

rule(
  "MCP correlation sets the tool's mcp_call_id",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { kind: { type: "mcp", server: "docs", tool: "search" } });
    b.mcpCorrelation("tool-1", "mcp-1");
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toMatchObject({
      mcp_call_id: "mcp-1",
      kind: { type: "mcp", server: "docs", tool: "search" },
    }),
);

fails(
  "MCP correlation needs a known tool call",
  () => {
    const b = bundle();
    b.mcpCorrelation("tool-ghost", "mcp-1");
    return b;
  },
  "MCP correlation referenced unknown tool call tool-ghost",
);

fails(
  "a tool call is correlated with MCP only once",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1");
    b.mcpCorrelation("tool-1", "mcp-1");
    b.mcpCorrelation("tool-1", "mcp-1");
    return b;
  },
  "duplicate MCP correlation for tool call tool-1",
);

fails(
  "a runtime start needs a known tool call",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.toolRuntimeStarted("tool-ghost", { call_id: "x" });
    return b;
  },
  "tool runtime start referenced unknown call tool-ghost",
);

fails(
  "a runtime end needs a known tool call",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.toolRuntimeEnded("tool-ghost", "completed", { call_id: "x" });
    return b;
  },
  "tool runtime end referenced unknown call tool-ghost",
);

fails(
  "a tool end needs a known tool call",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.endTool("tool-ghost", "completed");
    return b;
  },
  "tool call end referenced unknown call tool-ghost",
);

rule(
  "runtime payload ids are kept once each, in order; a tool end records status and result",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { kind: { type: "apply_patch" } });
    const shared = b.payload("tool_runtime_event", { call_id: "tool-1", changes: {} });
    b.toolRuntimeStarted("tool-1", shared);
    b.toolRuntimeEnded("tool-1", "completed", shared);
    b.toolRuntimeEnded("tool-1", "completed", { call_id: "tool-1", success: true });
    b.endTool("tool-1", "failed", { type: "error", error: "rejected" });
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toMatchObject({
      execution: { ended_at_unix_ms: wallTimeOf(7), ended_seq: 7, status: "failed" },
      raw_runtime_payload_ids: ["raw_payload:1", "raw_payload:2"],
      raw_result_payload_id: "raw_payload:3",
    }),
);

rule(
  "a second tool end overwrites the window and clears the result when it has none",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1");
    b.endTool("tool-1", "completed", { type: "direct_response", response_item: functionOutput("tool-1") });
    b.endTool("tool-1", "cancelled");
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toMatchObject({
      execution: { ended_seq: 5, status: "cancelled" },
      raw_result_payload_id: null,
    }),
);

fails(
  "every tool invocation payload is read",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { invocation: b.missingPayload("tool_invocation") });
    return b;
  },
  "open payload raw_payload:1",
);

fails(
  "every runtime end payload is read",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { kind: { type: "apply_patch" } });
    b.toolRuntimeEnded("tool-1", "completed", b.missingPayload("tool_runtime_event"));
    return b;
  },
  "open payload raw_payload:1",
);

fails(
  "a runtime end payload must be JSON",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { kind: { type: "web" } });
    b.toolRuntimeEnded("tool-1", "completed", b.payloadText("tool_runtime_event", "not json"));
    return b;
  },
  "parse payload raw_payload:1",
);

rule(
  "runtime start and result payloads of non-terminal, non-agent tools are not read",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { kind: { type: "apply_patch" } });
    b.toolRuntimeStarted("tool-1", b.missingPayload("tool_runtime_event"));
    b.toolRuntimeEnded("tool-1", "completed", ["any", "json"]);
    b.endTool("tool-1", "completed", b.missingPayload("tool_result"));
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toMatchObject({
      raw_runtime_payload_ids: ["raw_payload:1", "raw_payload:2"],
      raw_result_payload_id: "raw_payload:3",
    }),
);

fails(
  "a wait tool needs function arguments",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", {
      invocation: { tool_name: "wait", tool_namespace: null, payload: { type: "custom", input: "cell-1" } },
    });
    return b;
  },
  "wait tool request payload raw_payload:1 did not contain function arguments",
);

fails(
  "a wait tool needs JSON arguments",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { invocation: functionInvocation("wait", "cell-1") });
    return b;
  },
  "wait tool request payload raw_payload:1 had invalid JSON arguments",
);

fails(
  "a wait tool needs a string cell_id",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { invocation: functionInvocation("wait", { cell_id: 1 }) });
    return b;
  },
  "wait tool request payload raw_payload:1 did not contain cell_id",
);

rule(
  "a wait tool on an unknown cell is recorded without a link",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", {
      invocation: functionInvocation("wait", { cell_id: "cell-unknown", yield_time_ms: 10 }),
    });
    return b;
  },
  (view) => {
    expect(view.tool("tool-1").raw_invocation_payload_id).toBe("raw_payload:1");
    expect(view.count("code_cells")).toBe(0);
  },
);

rule(
  "a tool without invocation payload is fine",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("tool-1", { invocation: null, callId: null });
    b.endTool("tool-1", "completed");
    return b;
  },
  (view) =>
    expect(view.tool("tool-1")).toMatchObject({
      model_visible_call_id: null,
      raw_invocation_payload_id: null,
      execution: { status: "completed" },
    }),
);

rule(
  "a response sighting of a known call links the tool to that response as well",
  () => {
    const b = afterToolRequest();
    b.startTool("tool-1", { callId: "call-1" });
    b.exchange(
      "inference-2",
      [user("go"), functionCall("call-1"), functionOutput("call-1")],
      [assistant("done")],
    );
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
    ]);
    expect(view.tool("tool-1").model_visible_output_item_ids).toEqual(["conversation_item:3"]);
    expect(view.inference("inference-2").tool_call_ids_started_by_response).toEqual([]);
  },
);
