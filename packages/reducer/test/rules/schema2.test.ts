// Trace schema 2 (Codex 0.169.0), as described by codex-trace-schema-2.md: the log-level rules (§2), the new events
// (§3.3-§3.7), the changed reduction (§5.3), what replay requires (§6) and the new error messages (§7).
import { expect } from "vitest";
import { type BundleBuilder, bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { error, ruleFile } from "../support/cases.ts";
import {
  agentMessage,
  assistant,
  customCall,
  execBegin,
  execEnd,
  functionCall,
  functionInvocation,
  functionOutput,
  subAgentActivity,
  user,
  withId,
} from "../support/items.ts";

const { rule, fails } = ruleFile("schema2");

const v2 = () => bundle(2);

function v2Turn(): BundleBuilder {
  const b = v2();
  b.threadWithTurn();
  return b;
}

// ---- log-level rules ---------------------------------------------------------------------------------------------

rule(
  "recording_complete is false until recording_completed, and sits between status and root_thread_id",
  () => {
    const b = v2();
    b.startThread();
    return b;
  },
  (view, reduced) => {
    expect(view.state.schema_version).toBe(2);
    expect(view.state.recording_complete).toBe(false);
    expect(reduced.text).toContain(
      '"status": "running",\n  "recording_complete": false,\n  "root_thread_id"',
    );
  },
);

rule(
  "recording_completed sets recording_complete; blank lines may follow it",
  () => {
    const b = v2();
    b.startThread();
    b.rolloutEnded("completed");
    b.recordingCompleted();
    b.rawLine("");
    return b;
  },
  (view) => {
    expect(view.state.recording_complete).toBe(true);
    expect(view.state.status).toBe("completed");
  },
);

fails(
  "no event may follow recording_completed",
  () => {
    const b = v2();
    b.recordingCompleted();
    b.startThread();
    return b;
  },
  "trace event after recording completed",
);

fails(
  "every event must have schema version 2, and the error names the line",
  () => {
    const b = v2();
    b.startThread();
    b.rawLine("");
    b.event({ type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT }, { schemaVersion: 1 });
    return b;
  },
  "unsupported trace event schema 1 at line 3",
);

fails(
  "seq must not skip a number",
  () => {
    const b = v2();
    b.startThread();
    b.event({ type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT }, { seq: 3 });
    return b;
  },
  "missing or reordered trace event 2",
);

fails(
  "seq must not repeat",
  () => {
    const b = v2();
    b.startThread();
    b.startTurn();
    b.event({ type: "codex_turn_started", codex_turn_id: "turn-2", thread_id: ROOT }, { seq: 2 });
    return b;
  },
  "missing or reordered trace event 3",
);

fails(
  "seq starts at 1",
  () => {
    const b = v2();
    b.event(
      { type: "thread_started", thread_id: ROOT, agent_path: "/root", metadata_payload: null },
      { seq: 0 },
    );
    return b;
  },
  "missing or reordered trace event 1",
);

fails(
  "every event must belong to the manifest's rollout",
  () => {
    const b = v2();
    b.startThread();
    b.event(
      { type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT },
      { rolloutId: "rollout-other" },
    );
    return b;
  },
  "trace event belongs to another rollout",
);

fails(
  "tool_call_runtime_started requires kind",
  () => {
    const b = v2Turn();
    b.startTool("tool-1");
    b.event(
      {
        type: "tool_call_runtime_started",
        tool_call_id: "tool-1",
        runtime_payload: b.payload("tool_runtime_event", { call_id: "tool-1" }),
      },
      { thread: ROOT, turn: TURN },
    );
    return b;
  },
  "parse trace event line 4",
);

fails(
  "other events are still rejected",
  () => {
    const b = v2();
    b.event({ type: "other", kind: "note", summary: "", payloads: [], metadata: {} });
    return b;
  },
  "raw trace event has no reducer implementation",
);

fails(
  "nothing is checked after recording_completed but that rule",
  () => {
    const b = v2();
    b.startThread();
    b.recordingCompleted();
    b.event(
      { type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT },
      { schemaVersion: 3, seq: 9 },
    );
    return b;
  },
  "trace event after recording completed",
);

fails(
  "the event schema version is checked before seq",
  () => {
    const b = v2();
    b.startThread();
    b.event(
      { type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT },
      { schemaVersion: 1, seq: 9 },
    );
    return b;
  },
  "unsupported trace event schema 1 at line 2",
);

fails(
  "seq is checked before the rollout id",
  () => {
    const b = v2();
    b.startThread();
    b.event(
      { type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT },
      { seq: 9, rolloutId: "rollout-other" },
    );
    return b;
  },
  "missing or reordered trace event 2",
);

fails(
  "the log rules are checked before the event is reduced",
  () => {
    const b = v2();
    b.endThread("ghost", "completed");
    b.event(
      { type: "thread_ended", thread_id: "ghost", status: "completed" },
      { rolloutId: "rollout-other" },
    );
    return b;
  },
  "trace event referenced unknown thread ghost",
);

fails(
  "a line that does not parse fails before any log rule",
  () => {
    const b = v2();
    b.startThread();
    b.event({ type: "thread_paused" }, { seq: 9 });
    return b;
  },
  "parse trace event line 2",
);

fails(
  "a manifest version we do not know is refused, naming the version and the ones we read",
  () => {
    const b = v2();
    b.manifest.schema_version = 3;
    b.startThread();
    return b;
  },
  "unsupported trace schema 3: this reducer reads trace schemas 1 and 2",
  {
    reference: {
      note: "Codex 0.169.0 reads only schema 2 and words the refusal for a schema-1 bundle; we read both",
      expected: error(
        "trace schema 3 cannot establish accepted history; use its matching reducer or record a new bundle",
      ),
    },
  },
);

// ---- history_item_accepted ---------------------------------------------------------------------------------------

rule(
  "an acceptance before the item exists marks the item when it is created",
  () => {
    const b = v2Turn();
    b.accept("msg_user");
    b.startInference("inference-1", [withId("msg_base", user("base")), withId("msg_user", user("hi"))]);
    return b;
  },
  (view, reduced) => {
    const [base, accepted] = view.inference("inference-1").request_item_ids;
    expect(view.item(accepted!)).toEqual({
      item_id: "conversation_item:2",
      responses_item_id: "msg_user",
      accepted_at_unix_ms: wallTimeOf(3),
      accepted_seq: 3,
      thread_id: ROOT,
      codex_turn_id: TURN,
      first_seen_at_unix_ms: wallTimeOf(4),
      role: "user",
      channel: null,
      kind: "message",
      body: { parts: [{ type: "text", text: "hi" }] },
      call_id: null,
      produced_by: [],
    });
    expect(Object.keys(view.item(base!))).not.toContain("accepted_seq");
    expect(reduced.text).toContain(
      '"item_id": "conversation_item:1",\n      "responses_item_id": "msg_base",\n      "thread_id"',
    );
  },
);

rule(
  "an acceptance after the item exists marks it; the first acceptance wins",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [withId("msg_user", user("hi"))], [withId("msg_out", assistant("hello"))]);
    b.accept("msg_out");
    b.accept("msg_out");
    return b;
  },
  (view) =>
    expect(view.item("conversation_item:2")).toMatchObject({
      responses_item_id: "msg_out",
      accepted_at_unix_ms: wallTimeOf(5),
      accepted_seq: 5,
    }),
);

rule(
  "acceptance is per thread, tolerates ids that never appear, and needs no envelope turn",
  () => {
    const b = v2Turn();
    b.threadWithTurn("thread-2", "turn-2");
    b.accept("msg_user", { envelope: { thread: "thread-2", turn: null } });
    b.accept("msg_never_seen");
    b.startInference("inference-1", [withId("msg_user", user("hi"))]);
    return b;
  },
  (view) => expect(Object.keys(view.item("conversation_item:1"))).not.toContain("accepted_at_unix_ms"),
);

fails(
  "an acceptance needs an envelope thread",
  () => {
    const b = v2Turn();
    b.accept("msg_user", { envelope: { thread: null } });
    return b;
  },
  "history acceptance has no thread",
);

fails(
  "an acceptance needs a known thread",
  () => {
    const b = v2Turn();
    b.accept("msg_user", { envelope: { thread: "ghost", turn: null } });
    return b;
  },
  "trace event referenced unknown thread ghost",
);

const NEW_TASK = { ...withId("amsg_1", agentMessage("/root", "/root/child", "count files")) };

rule(
  "an accepted agent message becomes a conversation item at acceptance",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    return b;
  },
  (view) =>
    expect(view.item("conversation_item:1")).toEqual({
      item_id: "conversation_item:1",
      responses_item_id: "amsg_1",
      accepted_at_unix_ms: wallTimeOf(3),
      accepted_seq: 3,
      thread_id: ROOT,
      codex_turn_id: TURN,
      first_seen_at_unix_ms: wallTimeOf(3),
      role: "assistant",
      channel: "analysis",
      kind: "message",
      agent_message: { author: "/root", recipient: "/root/child" },
      body: { parts: [{ type: "text", text: "count files" }] },
      call_id: null,
      produced_by: [],
    }),
);

fails(
  "an accepted agent message must carry the accepted id",
  () => {
    const b = v2Turn();
    b.accept("amsg_2", { agentMessage: NEW_TASK });
    return b;
  },
  "accepted agent message does not match receipt amsg_2",
);

rule(
  "a request repeating an accepted agent message reuses it; a tampered copy is a second item",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.startInference("inference-1", [withId("msg_user", user("hi")), NEW_TASK]);
    b.startInference("inference-2", [
      withId("msg_user", user("hi")),
      withId("amsg_1", agentMessage("/root", "/root/child", "count files twice")),
    ]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:1",
    ]);
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:3",
    ]);
    expect(view.item("conversation_item:3")).toMatchObject({ responses_item_id: "amsg_1", accepted_seq: 3 });
  },
);

rule(
  "a spawn edge targets the child's accepted agent message",
  () => {
    const parent = "019d0000-0000-7000-8000-000000000001";
    const child = "019d0000-0000-7000-8000-000000000002";
    const b = v2();
    b.threadWithTurn(parent, "turn-parent");
    b.startTool("spawn-1", {
      kind: { type: "spawn_agent" },
      invocation: functionInvocation("spawn_agent", { task_name: "child", message: "count files" }),
      envelope: { thread: parent, turn: "turn-parent" },
    });
    b.threadWithTurn(child, "turn-child", { agentPath: "/root/child" });
    b.accept("amsg_1", { agentMessage: NEW_TASK, envelope: { thread: child, turn: "turn-child" } });
    b.toolRuntimeEnded("spawn-1", "completed", subAgentActivity("spawn-1", child, "/root/child", "started"), {
      thread: parent,
      turn: "turn-parent",
    });
    return b;
  },
  (view) =>
    expect(
      view.edge("edge:spawn:019d0000-0000-7000-8000-000000000001:019d0000-0000-7000-8000-000000000002"),
    ).toMatchObject({
      target: { type: "conversation_item", item_id: "conversation_item:1" },
      carried_item_ids: ["conversation_item:1"],
    }),
);

rule(
  "the first sighting of an accepted agent message's id claims its item and gives it the sighted content",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.startInference("inference-1", [withId("msg_user", user("hi"))]);
    b.startInference("inference-2", [
      withId("msg_user", user("hi")),
      withId("amsg_1", agentMessage("/root", "/root/child", "reworded")),
    ]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:1",
    ]);
    expect(view.text("conversation_item:1")).toBe("reworded");
    expect(view.item("conversation_item:1")).toMatchObject({
      first_seen_at_unix_ms: wallTimeOf(3),
      accepted_seq: 3,
    });
    expect(view.count("conversation_items")).toBe(2);
  },
);

rule(
  "an accepted agent message is claimed only once",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.startInference("inference-1", [NEW_TASK, NEW_TASK]);
    b.startInference("inference-2", [withId("msg_user", user("hi"))]);
    b.startInference("inference-3", [withId("msg_user", user("hi")), NEW_TASK]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
    ]);
    expect(view.inference("inference-3").request_item_ids).toEqual([
      "conversation_item:3",
      "conversation_item:4",
    ]);
    expect(view.item("conversation_item:4")).toMatchObject({ responses_item_id: "amsg_1", accepted_seq: 3 });
  },
);

rule(
  "an incremental request claims an accepted agent message",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [withId("msg_user", user("hi"))], [], { responseId: "resp-1" });
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.startInference("inference-2", [NEW_TASK], { previousResponseId: "resp-1" });
    return b;
  },
  (view) =>
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
    ]),
);

rule(
  "a response carrying an accepted agent message's id claims it",
  () => {
    const b = v2Turn();
    b.startInference("inference-1", [withId("msg_user", user("hi"))]);
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.completeInference("inference-1", [NEW_TASK]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").response_item_ids).toEqual(["conversation_item:2"]);
    expect(view.count("conversation_items")).toBe(2);
  },
);

rule(
  "a checkpoint's input history claims an accepted agent message",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.startInference("inference-1", [withId("msg_user", user("hi"))]);
    b.installCompaction("compaction-1", { input_history: [NEW_TASK], replacement_history: [] });
    return b;
  },
  (view) =>
    expect(view.compaction("compaction-1")).toMatchObject({
      marker_item_id: "conversation_item:3",
      input_item_ids: ["conversation_item:1"],
    }),
);

rule(
  "only an agent message claims an accepted agent message's item",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.startInference("inference-1", [withId("amsg_1", user("not an agent message"))]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").request_item_ids).toEqual(["conversation_item:2"]);
    expect(view.item("conversation_item:2")).toMatchObject({ role: "user", accepted_seq: 3 });
  },
);

rule(
  "accepting an agent message twice creates one item",
  () => {
    const b = v2Turn();
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    b.accept("amsg_1", { agentMessage: NEW_TASK });
    return b;
  },
  (view) => {
    expect(view.count("conversation_items")).toBe(1);
    expect(view.thread(ROOT).conversation_item_ids).toEqual(["conversation_item:1"]);
  },
);

// ---- the thread transcript -----------------------------------------------------------------------------------------

rule(
  "response items join the thread transcript only once accepted",
  () => {
    const b = v2Turn();
    b.startInference("inference-1", [withId("msg_user", user("hi"))]);
    b.completeInference("inference-1", [
      withId("msg_a", assistant("a")),
      withId("msg_b", assistant("b")),
      assistant("no id"),
      withId("fc_1", functionCall("call-1")),
    ]);
    b.accept("msg_b");
    b.threadWithTurn("thread-2", "turn-2");
    b.accept("msg_a", { envelope: { thread: "thread-2", turn: "turn-2" } });
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").response_item_ids).toHaveLength(4);
    expect(view.thread(ROOT).conversation_item_ids).toEqual(["conversation_item:1", "conversation_item:3"]);
    expect(view.thread("thread-2").conversation_item_ids).toEqual([]);
  },
);

rule(
  "a partial response that nobody accepted stays out of the transcript",
  () => {
    const b = v2Turn();
    b.startInference("inference-1", [withId("msg_user", user("hi"))]);
    b.endInferenceEarly("inference_failed", "inference-1", {
      partial: [withId("msg_a", assistant("partial"))],
    });
    return b;
  },
  (view) => {
    expect(view.inference("inference-1").response_item_ids).toEqual(["conversation_item:2"]);
    expect(view.thread(ROOT).conversation_item_ids).toEqual(["conversation_item:1"]);
  },
);

rule(
  "a response item joins the transcript when the next request shows it again",
  () => {
    const b = v2Turn();
    b.exchange(
      "inference-1",
      [withId("msg_user", user("hi"))],
      [withId("msg_a", assistant("a")), assistant("b")],
    );
    b.startInference("inference-2", [
      withId("msg_user", user("hi")),
      withId("msg_a", assistant("a")),
      assistant("b"),
      withId("msg_next", user("next")),
    ]);
    return b;
  },
  (view) =>
    expect(view.thread(ROOT).conversation_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
      "conversation_item:4",
    ]),
);

rule(
  "the transcript is in creation order, whatever the order of acceptance",
  () => {
    const b = v2Turn();
    const outputs = Array.from({ length: 11 }, (_, n) => withId(`msg_${n}`, assistant(`out ${n}`)));
    b.exchange("inference-1", [withId("msg_user", user("hi"))], outputs);
    for (const n of [10, 3, 9]) b.accept(`msg_${n}`);
    return b;
  },
  (view) =>
    expect(view.thread(ROOT).conversation_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:5",
      "conversation_item:11",
      "conversation_item:12",
    ]),
);

rule(
  "a response item the next request drops is a new item when it comes back",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [withId("msg_user", user("hi"))], [withId("msg_a", assistant("a"))]);
    b.startInference("inference-2", [withId("msg_user", user("hi"))]);
    b.startInference("inference-3", [withId("msg_z", user("z")), withId("msg_a", assistant("a"))]);
    return b;
  },
  (view) => {
    expect(view.inference("inference-3").request_item_ids).toEqual([
      "conversation_item:3",
      "conversation_item:4",
    ]);
    expect(view.thread(ROOT).conversation_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:3",
      "conversation_item:4",
    ]);
  },
);

// ---- payloads ----------------------------------------------------------------------------------------------------

fails(
  "schema 2 reads every payload an event carries",
  () => {
    const b = v2Turn();
    b.protocolEvent("warning", b.missingPayload("protocol_event"));
    return b;
  },
  "read payload raw_payload:1",
  { causes: ["No such file or directory (os error 2)"], disk: true },
);

fails(
  "schema 2 rejects a carried payload that is not JSON",
  () => {
    const b = v2Turn();
    b.startTool("tool-1");
    b.endTool("tool-1", "completed", b.payloadText("tool_result", "not json"));
    return b;
  },
  "invalid payload raw_payload:1",
);

// ---- Responses item ids ------------------------------------------------------------------------------------------

rule(
  "the Responses id is part of item identity",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [withId("msg_a", user("same")), withId("msg_b", user("other"))], []);
    b.accept("msg_b");
    b.exchange("inference-2", [withId("msg_c", user("same")), withId("msg_b", user("changed"))], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:3",
      "conversation_item:4",
    ]);
    expect(view.item("conversation_item:4")).toMatchObject({ responses_item_id: "msg_b", accepted_seq: 5 });
    expect(view.item("conversation_item:2")).toMatchObject({ responses_item_id: "msg_b", accepted_seq: 5 });
  },
);

rule(
  "an item without id matches on content, and an item without id adopts the id of a later sighting",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [withId("msg_a", user("one")), user("two")], []);
    b.accept("msg_two");
    b.exchange("inference-2", [user("one"), withId("msg_two", user("two"))], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
    ]);
    expect(view.item("conversation_item:1").responses_item_id).toBe("msg_a");
    expect(view.item("conversation_item:2")).toMatchObject({
      responses_item_id: "msg_two",
      accepted_at_unix_ms: wallTimeOf(5),
      accepted_seq: 5,
    });
  },
);

rule(
  "a tool output may come back with other content, as a new item",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [user("go"), functionCall("call-1"), functionOutput("call-1", "one")], []);
    b.startInference("inference-2", [user("go"), functionCall("call-1"), functionOutput("call-1", "two")]);
    return b;
  },
  (view) =>
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:4",
    ]),
);

fails(
  "a tool call still cannot come back with other arguments",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [user("go"), functionCall("call-1", '{"a":1}')], []);
    b.startInference("inference-2", [user("go"), functionCall("call-1", '{"a":2}')]);
    return b;
  },
  "model-visible call id call-1 was reused with different content",
);

// ---- thread_resumed ----------------------------------------------------------------------------------------------

rule(
  "thread_resumed re-opens an ended thread's window",
  () => {
    const b = v2();
    b.startThread();
    b.startThread("thread-child", { agentPath: "/root" });
    b.endThread("thread-child", "completed");
    b.resumeThread("thread-child");
    return b;
  },
  (view) =>
    expect(view.thread("thread-child").execution).toEqual({
      started_at_unix_ms: wallTimeOf(2),
      started_seq: 2,
      ended_at_unix_ms: null,
      ended_seq: null,
      status: "running",
    }),
);

rule(
  "a resumed thread can end again",
  () => {
    const b = v2();
    b.startThread();
    b.endThread(ROOT, "aborted");
    b.resumeThread(ROOT);
    b.endThread(ROOT, "completed");
    return b;
  },
  (view) => expect(view.thread(ROOT).execution).toMatchObject({ ended_seq: 4, status: "completed" }),
);

fails(
  "only an ended thread can be resumed",
  () => {
    const b = v2();
    b.startThread();
    b.resumeThread(ROOT);
    return b;
  },
  `resumed thread ${ROOT} has not ended`,
);

fails(
  "only a thread started in this trace can be resumed",
  () => {
    const b = v2();
    b.resumeThread("thread-earlier");
    return b;
  },
  "cannot resume thread thread-earlier: it was not started in this trace; resuming threads from an earlier trace is not supported",
  { causes: ["trace event referenced unknown thread thread-earlier"] },
);

// ---- tools and terminals -----------------------------------------------------------------------------------------

rule(
  "the runtime start kind refines the tool kind; tools without runtime events keep theirs",
  () => {
    const b = v2Turn();
    b.startTool("mcp-1", { kind: { type: "other", name: "echo" } });
    b.toolRuntimeStarted(
      "mcp-1",
      { call_id: "mcp-1", invocation: {} },
      { kind: { type: "mcp", server: "mock", tool: "echo" } },
    );
    b.startTool("resume-1", { kind: { type: "other", name: "resume_agent" } });
    return b;
  },
  (view) => {
    expect(view.tool("mcp-1").kind).toEqual({ type: "mcp", server: "mock", tool: "echo" });
    expect(view.tool("resume-1").kind).toEqual({ type: "other", name: "resume_agent" });
  },
);

rule(
  "terminal sessions are named after their creating operation and exec results come from aggregated output",
  () => {
    const b = v2Turn();
    b.startTool("exec-1", {
      kind: { type: "exec_command" },
      invocation: functionInvocation("exec_command", { cmd: "ls" }),
    });
    b.toolRuntimeStarted("exec-1", execBegin({ process_id: "4242" }));
    b.toolRuntimeEnded(
      "exec-1",
      "completed",
      execEnd({ process_id: "4242", aggregated_output: "a\nb\n", exit_code: 0 }),
    );
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:1")).toMatchObject({
      terminal_id: "terminal_session:terminal_operation:1",
      result: {
        exit_code: 0,
        stdout: "a\nb\n",
        stderr: "",
        formatted_output: null,
        original_token_count: null,
        chunk_id: null,
      },
    });
    expect(view.session("terminal_session:terminal_operation:1")).toMatchObject({
      created_by_operation_id: "terminal_operation:1",
      operation_ids: ["terminal_operation:1"],
    });
  },
);

/** An exec tool running process 4242 (operation 1) and a write_stdin to `sessionId` (operation 2). */
function execThenStdin(sessionId: string, resolve: boolean): BundleBuilder {
  const b = v2Turn();
  b.startTool("exec-1", { kind: { type: "exec_command" } });
  b.toolRuntimeStarted("exec-1", execBegin({ process_id: "4242" }));
  b.startTool("stdin-1", {
    kind: { type: "write_stdin" },
    invocation: functionInvocation("write_stdin", {
      session_id: sessionId,
      chars: "y\n",
      yield_time_ms: 500,
    }),
  });
  if (resolve) b.resolveStdinTarget("stdin-1", "exec-1");
  b.endTool("stdin-1", "completed", {
    type: "direct_response",
    response_item: functionOutput("stdin-1", "ok"),
  });
  return b;
}

rule(
  "a write_stdin joins the exec's session through the process id",
  () => execThenStdin("4242", false),
  (view) => {
    expect(view.operation("terminal_operation:2")).toMatchObject({
      terminal_id: "terminal_session:terminal_operation:1",
      request: { type: "write_stdin", stdin: "y\n", yield_time_ms: 500, max_output_tokens: null },
      result: { stdout: "ok", formatted_output: "ok" },
    });
    expect(view.session("terminal_session:terminal_operation:1").operation_ids).toEqual([
      "terminal_operation:1",
      "terminal_operation:2",
    ]);
  },
);

rule(
  "stdin_target_resolved names the exec whose session a write_stdin joins",
  () => execThenStdin("4242", true),
  (view) =>
    expect(view.session("terminal_session:terminal_operation:1").operation_ids).toEqual([
      "terminal_operation:1",
      "terminal_operation:2",
    ]),
);

rule(
  "a write_stdin invocation without usable arguments makes no terminal operation",
  () => {
    const b = v2Turn();
    for (const [tool, args] of [
      ["stdin-no-session", { chars: "x" }],
      ["stdin-null-session", { session_id: null }],
      ["stdin-bool-session", { session_id: true }],
      ["stdin-number-chars", { session_id: "1", chars: 5 }],
      ["stdin-not-json", "session 1"],
    ] as const) {
      b.startTool(tool, {
        kind: { type: "write_stdin" },
        invocation: functionInvocation("write_stdin", args),
      });
    }
    return b;
  },
  (view) => {
    expect(view.count("terminal_operations")).toBe(0);
    expect(view.tool("stdin-not-json").terminal_operation_id).toBeNull();
  },
);

fails(
  "a write_stdin invocation for another tool is still rejected",
  () => {
    const b = v2Turn();
    b.startTool("stdin-1", {
      kind: { type: "write_stdin" },
      invocation: functionInvocation("exec_command", { session_id: "1" }),
    });
    return b;
  },
  "parse terminal invocation payload raw_payload:1 as dispatch payload",
  { causes: ["dispatch terminal request is for exec_command, not write_stdin"] },
);

rule(
  "a completed sub-agent activity makes no edge",
  () => {
    const parent = "019d0000-0000-7000-8000-000000000001";
    const child = "019d0000-0000-7000-8000-000000000002";
    const atParent = { thread: parent, turn: "turn-parent" };
    const b = v2();
    b.threadWithTurn(parent, "turn-parent");
    b.threadWithTurn(child, "turn-child", { agentPath: "/root/child" });
    b.startTool("spawn-1", {
      kind: { type: "spawn_agent" },
      invocation: functionInvocation("spawn_agent", { message: "go" }),
      envelope: atParent,
    });
    b.toolRuntimeEnded(
      "spawn-1",
      "completed",
      subAgentActivity("spawn-1", child, "/root/child", "completed"),
      atParent,
    );
    return b;
  },
  (view) => expect(view.count("interaction_edges")).toBe(0),
);

fails(
  "stdin_target_resolved needs a started write_stdin call",
  () => {
    const b = v2Turn();
    b.startTool("exec-1", { kind: { type: "exec_command" } });
    b.resolveStdinTarget("stdin-1", "exec-1");
    return b;
  },
  "stdin target referenced unknown call stdin-1",
);

fails(
  "stdin_target_resolved needs a started exec call",
  () => {
    const b = v2Turn();
    b.startTool("stdin-1", { kind: { type: "write_stdin" } });
    b.resolveStdinTarget("stdin-1", "exec-1");
    return b;
  },
  "stdin target referenced unknown exec exec-1",
);

/** Starts exec tool `id`; its runtime begins on `processId` (null: not named at begin). */
function startExec(
  b: BundleBuilder,
  id: string,
  processId: string | null,
  envelope?: { thread: string; turn: string },
) {
  b.startTool(id, { kind: { type: "exec_command" }, ...(envelope ? { envelope } : {}) });
  b.toolRuntimeStarted(
    id,
    execBegin(processId === null ? {} : { process_id: processId }),
    envelope ? { envelope } : {},
  );
}

function startStdin(
  b: BundleBuilder,
  id: string,
  sessionId: string,
  envelope?: { thread: string; turn: string },
) {
  b.startTool(id, {
    kind: { type: "write_stdin" },
    invocation: functionInvocation("write_stdin", { session_id: sessionId, chars: "y" }),
    ...(envelope ? { envelope } : {}),
  });
}

const session = (op: number) => `terminal_session:terminal_operation:${op}`;

rule(
  "every exec opens its own session, even on a process id in use; write_stdin joins the latest exec's",
  () => {
    const b = v2Turn();
    startExec(b, "exec-1", "42");
    startStdin(b, "stdin-1", "42");
    startExec(b, "exec-2", "42");
    startStdin(b, "stdin-2", "42");
    return b;
  },
  (view) => {
    expect(view.session(session(1)).operation_ids).toEqual(["terminal_operation:1", "terminal_operation:2"]);
    expect(view.session(session(3)).operation_ids).toEqual(["terminal_operation:3", "terminal_operation:4"]);
    expect(view.count("terminal_sessions")).toBe(2);
  },
);

rule(
  "a write_stdin to a process no exec has named opens its own session, which a later exec does not join",
  () => {
    const b = v2Turn();
    startStdin(b, "stdin-1", "42");
    startExec(b, "exec-1", "42");
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:1").terminal_id).toBe(session(1));
    expect(view.operation("terminal_operation:2").terminal_id).toBe(session(2));
    expect(view.session(session(2)).operation_ids).toEqual(["terminal_operation:2"]);
  },
);

rule(
  "an exec has a session before its process id is known, and the id named at its end routes later input",
  () => {
    const b = v2Turn();
    startExec(b, "exec-1", null);
    startStdin(b, "stdin-early", "42");
    b.toolRuntimeEnded("exec-1", "completed", execEnd({ process_id: "42" }));
    startStdin(b, "stdin-late", "42");
    return b;
  },
  (view) => {
    expect(view.session(session(1)).operation_ids).toEqual(["terminal_operation:1", "terminal_operation:3"]);
    expect(view.session(session(2)).operation_ids).toEqual(["terminal_operation:2"]);
  },
);

rule(
  "stdin_target_resolved moves the operation into the exec's session and drops the session it had",
  () => {
    const b = v2Turn();
    startExec(b, "exec-1", "42");
    startExec(b, "exec-2", "43");
    startStdin(b, "stdin-1", "99");
    b.resolveStdinTarget("stdin-1", "exec-1");
    b.resolveStdinTarget("stdin-1", "exec-2");
    return b;
  },
  (view) => {
    expect(Object.keys(view.state.terminal_sessions)).toEqual([session(1), session(2)]);
    expect(view.session(session(1)).operation_ids).toEqual(["terminal_operation:1"]);
    expect(view.session(session(2)).operation_ids).toEqual(["terminal_operation:2", "terminal_operation:3"]);
    expect(view.operation("terminal_operation:3").terminal_id).toBe(session(2));
  },
);

rule(
  "process ids are matched within a thread, while stdin_target_resolved may cross threads",
  () => {
    const b = v2Turn();
    const other = { thread: "thread-2", turn: "turn-2" };
    b.threadWithTurn("thread-2", "turn-2");
    startExec(b, "exec-1", "42");
    startStdin(b, "stdin-matched", "42", other);
    startStdin(b, "stdin-resolved", "42", other);
    b.resolveStdinTarget("stdin-resolved", "exec-1", other);
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:2").terminal_id).toBe(session(2));
    expect(view.session(session(2))).toMatchObject({ thread_id: "thread-2" });
    expect(view.session(session(1)).operation_ids).toEqual(["terminal_operation:1", "terminal_operation:3"]);
  },
);

rule(
  "a schema-2 exec end needs no output fields",
  () => {
    const b = v2Turn();
    startExec(b, "exec-1", "42");
    b.toolRuntimeEnded("exec-1", "completed", { call_id: "exec-1", process_id: "42", exit_code: 3 });
    return b;
  },
  (view) =>
    expect(view.operation("terminal_operation:1").result).toEqual({
      exit_code: 3,
      stdout: "",
      stderr: "",
      formatted_output: null,
      original_token_count: null,
      chunk_id: null,
    }),
);

fails(
  "a schema-2 operation cannot change its process id",
  () => {
    const b = v2Turn();
    startExec(b, "exec-1", "42");
    b.toolRuntimeEnded("exec-1", "completed", execEnd({ process_id: "43" }));
    return b;
  },
  "terminal operation terminal_operation:1 changed process id from 42 to 43",
);

fails(
  "a schema-2 write_stdin cannot end on another process than it wrote to",
  () => {
    const b = v2Turn();
    startExec(b, "exec-1", "42");
    startStdin(b, "stdin-1", "42");
    b.toolRuntimeEnded("stdin-1", "completed", execEnd({ process_id: "77" }));
    return b;
  },
  "terminal operation terminal_operation:2 changed process id from 42 to 77",
);

rule(
  "a runtime kind of exec_command turns a tool into a terminal operation",
  () => {
    const b = v2Turn();
    b.startTool("shell-1", { kind: { type: "other", name: "shell" } });
    b.toolRuntimeStarted("shell-1", execBegin({ process_id: "7" }), { kind: { type: "exec_command" } });
    return b;
  },
  (view) =>
    expect(view.tool("shell-1")).toMatchObject({
      kind: { type: "exec_command" },
      terminal_operation_id: "terminal_operation:1",
      summary: { type: "terminal", operation_id: "terminal_operation:1" },
    }),
);

// ---- inference -----------------------------------------------------------------------------------------------------

rule(
  "usage includes cache_write_input_tokens",
  () => {
    const b = v2Turn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", [], {
      usage: {
        input_tokens: 100,
        cached_input_tokens: 10,
        cache_write_input_tokens: 7,
        output_tokens: 20,
        reasoning_output_tokens: 3,
        total_tokens: 120,
      },
    });
    return b;
  },
  (view, reduced) => {
    expect(view.inference("inference-1").usage).toEqual({
      input_tokens: 100,
      cached_input_tokens: 10,
      cache_write_input_tokens: 7,
      output_tokens: 20,
      reasoning_output_tokens: 3,
    });
    expect(reduced.text).toContain('"cached_input_tokens": 10,\n        "cache_write_input_tokens": 7,');
  },
);

rule(
  "a usage without cache_write_input_tokens counts it as zero",
  () => {
    const b = v2Turn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", [], {
      usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 2, reasoning_output_tokens: 0 },
    });
    return b;
  },
  (view) => expect(view.inference("inference-1").usage).toMatchObject({ cache_write_input_tokens: 0 }),
);

fails(
  "request_input_mode is not part of schema 2 and is ignored",
  () => {
    const b = v2Turn();
    b.startInference("inference-1", [user("two")], {
      previousResponseId: "resp-untraced",
      mode: {
        type: "incremental_with_untraced_prefix",
        previous_response_id: "resp-untraced",
        prefix_payload: b.payload("inference_request", { input: [user("one")] }),
      },
    });
    return b;
  },
  "incremental inference request inference-1 referenced unknown previous_response_id resp-untraced",
);

// ---- code cells ----------------------------------------------------------------------------------------------------

const CELL = "code_cell:call-code";

const EXEC_CALL = withId("ctc_1", customCall("call-code", "text('hi')"));

/** The model's accepted `exec` call (traced as tool `call-code`) started code cell "1"; item 2 is its source. */
function v2Cell(): BundleBuilder {
  const b = v2Turn();
  b.exchange("inference-1", [user("go")], [EXEC_CALL]);
  b.accept("ctc_1");
  b.startTool("call-code", { kind: { type: "other", name: "exec" } });
  b.startCodeCell("1", "call-code", "text('hi')");
  return b;
}

rule(
  "code cells record the first initial response's status and payload and the end's result payload",
  () => {
    const b = v2Cell();
    b.codeCellEvent("code_cell_initial_response", "1", "yielded", {
      response: { response: { Yielded: {} } },
    });
    b.codeCellEvent("code_cell_initial_response", "1", "running", {
      response: { response: { Yielded: {} } },
    });
    b.codeCellEvent("code_cell_ended", "1", "completed", { response: { response: { Result: {} } } });
    return b;
  },
  (view, reduced) => {
    expect(view.cell(CELL)).toMatchObject({
      initial_response_seq: 8,
      initial_response_status: "yielded",
      raw_initial_response_payload_id: "raw_payload:3",
      raw_result_payload_id: "raw_payload:5",
      runtime_status: "completed",
    });
    expect(reduced.text).toContain(
      '"initial_response_seq": 8,\n      "initial_response_status": "yielded",\n      "raw_initial_response_payload_id": "raw_payload:3",\n      "raw_result_payload_id": "raw_payload:5",\n      "yielded_at_unix_ms"',
    );
  },
);

rule(
  "without an initial response the end stands in for it, with null status and payload",
  () => {
    const b = v2Cell();
    b.codeCellEvent("code_cell_ended", "1", "failed", { response: { response: { Result: {} } } });
    return b;
  },
  (view) =>
    expect(view.cell(CELL)).toMatchObject({
      initial_response_seq: 8,
      initial_response_status: null,
      raw_initial_response_payload_id: null,
      raw_result_payload_id: "raw_payload:3",
    }),
);

rule(
  "an initial response recorded after the end replaces the end's stand-in but not the end itself",
  () => {
    const b = v2Cell();
    b.codeCellEvent("code_cell_ended", "1", "completed", { response: { response: { Result: {} } } });
    b.codeCellEvent("code_cell_initial_response", "1", "yielded", {
      response: { response: { Yielded: {} } },
    });
    return b;
  },
  (view) =>
    expect(view.cell(CELL)).toMatchObject({
      execution: { ended_seq: 8, status: "completed" },
      runtime_status: "yielded",
      initial_response_at_unix_ms: wallTimeOf(9),
      initial_response_seq: 9,
      initial_response_status: "yielded",
      raw_initial_response_payload_id: "raw_payload:4",
      raw_result_payload_id: "raw_payload:3",
      yielded_seq: 9,
    }),
);

rule(
  "an initial response after a failed turn closed the cell replaces the turn end's stand-in",
  () => {
    const b = v2Cell();
    b.endTurn(TURN, "failed");
    b.codeCellEvent("code_cell_initial_response", "1", "running", {
      response: { response: { Yielded: {} } },
    });
    return b;
  },
  (view) =>
    expect(view.cell(CELL)).toMatchObject({
      execution: { ended_seq: 8, status: "failed" },
      runtime_status: "running",
      initial_response_seq: 9,
      initial_response_status: "running",
      raw_initial_response_payload_id: "raw_payload:3",
      raw_result_payload_id: null,
    }),
);

rule(
  "the model's exec tool call points at the code cell it started",
  () => v2Cell(),
  (view, reduced) => {
    expect(view.tool("call-code").started_code_cell_id).toBe(CELL);
    expect(reduced.text).toContain(
      '"code_mode_runtime_tool_id": null,\n      "started_code_cell_id": "code_cell:call-code",',
    );
  },
);

rule(
  "an exec tool call that starts after its code cell still points at it",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [user("go")], [EXEC_CALL]);
    b.accept("ctc_1");
    b.startCodeCell("1", "call-code", "text('hi')");
    b.startTool("call-code", { kind: { type: "other", name: "exec" } });
    return b;
  },
  (view) => expect(view.tool("call-code").started_code_cell_id).toBe(CELL),
);

rule(
  "a runtime start that reclassifies the exec call away from other:exec drops its code cell link",
  () => {
    const b = v2Cell();
    b.toolRuntimeStarted("call-code", { type: "begin" }, { kind: { type: "other", name: "exec_v2" } });
    return b;
  },
  (view) => {
    expect(view.tool("call-code").kind).toEqual({ type: "other", name: "exec_v2" });
    expect(Object.keys(view.tool("call-code"))).not.toContain("started_code_cell_id");
  },
);

rule(
  "a call recorded with another kind points at its code cell once the runtime start makes it other:exec",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [user("go")], [EXEC_CALL]);
    b.accept("ctc_1");
    b.startTool("call-code", { kind: { type: "mcp", server: "code", tool: "exec" } });
    b.startCodeCell("1", "call-code", "text('hi')");
    b.toolRuntimeStarted("call-code", { type: "begin" }, { kind: { type: "other", name: "exec" } });
    return b;
  },
  (view) => expect(view.tool("call-code").started_code_cell_id).toBe(CELL),
);

rule(
  "started_code_cell_id is omitted from other tool calls",
  () => {
    const b = v2Turn();
    b.startTool("tool-1");
    return b;
  },
  (view) => expect(Object.keys(view.tool("tool-1"))).not.toContain("started_code_cell_id"),
);

// ---- compaction ----------------------------------------------------------------------------------------------------

rule(
  "replacement items are new even with a known id; the marker has no Responses id; acceptance carries over",
  () => {
    const b = v2Turn();
    b.accept("msg_user");
    b.exchange("inference-1", [withId("msg_user", user("q1"))], [withId("msg_a1", assistant("a1"))]);
    b.installCompaction("compaction-1", {
      input_history: [withId("msg_user", user("q1")), withId("msg_a1", assistant("a1"))],
      replacement_history: [
        withId("msg_user", user("q1")),
        { type: "compaction", id: "cmp_1", encrypted_content: "S" },
      ],
    });
    return b;
  },
  (view) => {
    const compaction = view.compaction("compaction-1");
    expect(compaction.input_item_ids).toEqual(["conversation_item:1", "conversation_item:2"]);
    expect(compaction.replacement_item_ids).toEqual(["conversation_item:4", "conversation_item:5"]);
    expect(Object.keys(view.item(compaction.marker_item_id))).not.toContain("responses_item_id");
    expect(view.item("conversation_item:4")).toMatchObject({
      responses_item_id: "msg_user",
      accepted_at_unix_ms: wallTimeOf(3),
      accepted_seq: 3,
      produced_by: [{ type: "compaction", compaction_id: "compaction-1" }],
    });
  },
);

rule(
  "a response received while a compaction replacement is pending does not join the snapshot the next checkpoint matches",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [user("q1")], [assistant("a1")], { responseId: "resp-1" });
    b.installCompaction("compaction-1", {
      input_history: [user("q1"), assistant("a1")],
      replacement_history: [user("summary")],
    });
    b.exchange("inference-2", [user("q2")], [assistant("a2")], { previousResponseId: "resp-1" });
    b.installCompaction("compaction-2", {
      input_history: [user("q1"), assistant("a1"), user("q2"), assistant("a2")],
      replacement_history: [user("summary")],
    });
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:5",
    ]);
    expect(view.inference("inference-2").response_item_ids).toEqual(["conversation_item:6"]);
    expect(view.compaction("compaction-2").input_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:5",
      "conversation_item:7",
    ]);
  },
);

rule(
  "function calls keep their call ids and Responses ids through a reconcile",
  () => {
    const b = v2Turn();
    b.exchange("inference-1", [withId("msg_1", user("go"))], [withId("fc_1", functionCall("call-1"))]);
    b.accept("fc_1");
    b.exchange("inference-2", [withId("msg_1", user("go")), withId("fc_1", functionCall("call-1"))], []);
    return b;
  },
  (view) =>
    expect(view.item("conversation_item:2")).toMatchObject({
      responses_item_id: "fc_1",
      accepted_seq: 5,
      call_id: "call-1",
    }),
);
