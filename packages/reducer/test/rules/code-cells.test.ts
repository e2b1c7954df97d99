// Spec §4.7: code-mode `exec` cells, their queueing until the authoring custom tool call is in the conversation,
// lifecycle events, output linking, nested and wait tools, and what a turn end does to running cells.
import { expect } from "vitest";
import { type BundleBuilder, bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import { customCall, customOutput, functionInvocation, user } from "../support/items.ts";

const { rule, fails } = ruleFile("code-cells");

const CELL = "code_cell:call-code";
const SOURCE = "await tools.exec_command({cmd: 'ls'})";

/** The model asked for code cell `call-code` (item 2); the runtime then started it as runtime cell "1". */
function materializedCell(): BundleBuilder {
  const b = bundle();
  b.threadWithTurn();
  b.exchange("inference-1", [user("count files")], [customCall("call-code", SOURCE)]);
  b.startCodeCell("1", "call-code", SOURCE);
  return b;
}

/** The runtime started cell "1" before the model's response that authored it was traced. */
function pendingCell(): BundleBuilder {
  const b = bundle();
  b.threadWithTurn();
  b.startInference("inference-1", [user("count files")]);
  b.startCodeCell("1", "call-code", SOURCE);
  return b;
}

const completeResponse = (b: BundleBuilder) =>
  b.completeInference("inference-1", [customCall("call-code", SOURCE)]);

rule("a code cell whose source item exists materializes at its start", materializedCell, (view) =>
  expect(view.cell(CELL)).toEqual({
    code_cell_id: CELL,
    model_visible_call_id: "call-code",
    thread_id: ROOT,
    codex_turn_id: TURN,
    source_item_id: "conversation_item:2",
    output_item_ids: [],
    runtime_cell_id: "1",
    execution: {
      started_at_unix_ms: wallTimeOf(5),
      started_seq: 5,
      ended_at_unix_ms: null,
      ended_seq: null,
      status: "running",
    },
    runtime_status: "starting",
    initial_response_at_unix_ms: null,
    initial_response_seq: null,
    yielded_at_unix_ms: null,
    yielded_seq: null,
    source_js: SOURCE,
    nested_tool_call_ids: [],
    wait_tool_call_ids: [],
  }),
);

rule(
  "a code cell started before its source item waits and keeps its original start",
  () => {
    const b = pendingCell();
    completeResponse(b);
    return b;
  },
  (view) => {
    expect(view.cell(CELL).source_item_id).toBe("conversation_item:2");
    expect(view.cell(CELL).execution).toMatchObject({ started_at_unix_ms: wallTimeOf(4), started_seq: 4 });
  },
);

rule(
  "a code cell whose source item never appears is dropped",
  () => {
    const b = pendingCell();
    b.codeCellEvent("code_cell_ended", "1", "completed");
    return b;
  },
  (view) => expect(view.count("code_cells")).toBe(0),
);

rule(
  "the source item is the first custom tool call with the call id in item-map order",
  () => {
    const b = bundle();
    b.threadWithTurn();
    const fillers = Array.from({ length: 8 }, (_, n) => user(`filler ${n}`));
    b.exchange(
      "inference-1",
      [...fillers, customCall("call-code", SOURCE), customCall("call-code", SOURCE)],
      [],
    );
    b.startCodeCell("1", "call-code", SOURCE);
    return b;
  },
  (view) => expect(view.cell(CELL).source_item_id).toBe("conversation_item:10"),
);

rule(
  "a code cell start without an envelope thread takes its turn's thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("go")], [customCall("call-code", SOURCE)]);
    b.startCodeCell("1", "call-code", SOURCE, { thread: null });
    return b;
  },
  (view) => expect(view.cell(CELL).thread_id).toBe(ROOT),
);

fails(
  "a code cell start needs a thread or turn",
  () => {
    const b = materializedCell();
    b.startCodeCell("2", "call-other", SOURCE, { thread: null, turn: null });
    return b;
  },
  "code cell start 2 did not include a thread id",
);

fails(
  "a code cell start with only a turn needs that turn",
  () => {
    const b = materializedCell();
    b.startCodeCell("2", "call-other", SOURCE, { thread: null, turn: "turn-ghost" });
    return b;
  },
  "code cell start 2 referenced unknown Codex turn turn-ghost",
);

fails(
  "a runtime cell id maps to one code cell per thread",
  () => {
    const b = materializedCell();
    b.startCodeCell("1", "call-other", SOURCE);
    return b;
  },
  `runtime code cell 1 in thread ${ROOT} mapped to both ${CELL} and code_cell:call-other`,
);

fails(
  "a queued code cell cannot start twice",
  () => {
    const b = pendingCell();
    b.startCodeCell("1", "call-code", SOURCE);
    return b;
  },
  `duplicate code cell start for ${CELL}`,
);

fails(
  "a materialized code cell cannot start twice",
  () => {
    const b = materializedCell();
    b.startCodeCell("1", "call-code", SOURCE);
    return b;
  },
  `duplicate code cell start for ${CELL}`,
);

fails(
  "a code cell start needs an envelope turn to materialize",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("go")], [customCall("call-code", SOURCE)]);
    b.startCodeCell("1", "call-code", SOURCE, { turn: null });
    return b;
  },
  `code cell start ${CELL} did not include a Codex turn id`,
);

fails(
  "a queued code cell start needs its turn when it materializes",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("go")]);
    b.startCodeCell("1", "call-code", SOURCE, { turn: "turn-ghost" });
    completeResponse(b);
    return b;
  },
  "code cell start referenced unknown Codex turn turn-ghost",
);

fails(
  "a code cell start's turn must belong to its thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.exchange("inference-1", [user("go")], [customCall("call-code", SOURCE)]);
    b.startCodeCell("1", "call-code", SOURCE, { turn: "turn-2" });
    return b;
  },
  `code cell start used thread ${ROOT}, but Codex turn turn-2 belongs to thread-2`,
);

fails(
  "a code cell initial response needs a thread or turn",
  () => {
    const b = materializedCell();
    b.codeCellEvent("code_cell_initial_response", "1", "yielded", { envelope: { thread: null, turn: null } });
    return b;
  },
  "code cell initial response 1 did not include a thread id",
);

fails(
  "a code cell end with only a turn needs that turn",
  () => {
    const b = materializedCell();
    b.codeCellEvent("code_cell_ended", "1", "completed", { envelope: { thread: null, turn: "turn-ghost" } });
    return b;
  },
  "code cell end 1 referenced unknown Codex turn turn-ghost",
);

fails(
  "a code cell initial response needs a known runtime cell",
  () => {
    const b = materializedCell();
    b.codeCellEvent("code_cell_initial_response", "9", "yielded");
    return b;
  },
  `code cell initial response referenced unknown runtime cell 9 in thread ${ROOT}`,
);

fails(
  "runtime cell ids are looked up in the event's own thread",
  () => {
    const b = materializedCell();
    b.threadWithTurn("thread-2", "turn-2");
    b.codeCellEvent("code_cell_ended", "1", "completed", {
      envelope: { thread: "thread-2", turn: "turn-2" },
    });
    return b;
  },
  "code cell end referenced unknown runtime cell 1 in thread thread-2",
);

rule(
  "initial responses set the first response and the last yield; the end closes the window",
  () => {
    const b = materializedCell();
    b.codeCellEvent("code_cell_initial_response", "1", "yielded", {
      response: { response: { Yielded: {} } },
    });
    b.codeCellEvent("code_cell_initial_response", "1", "yielded");
    b.codeCellEvent("code_cell_ended", "1", "completed", { response: { response: { Result: {} } } });
    return b;
  },
  (view) =>
    expect(view.cell(CELL)).toMatchObject({
      runtime_status: "completed",
      initial_response_at_unix_ms: wallTimeOf(6),
      initial_response_seq: 6,
      yielded_at_unix_ms: wallTimeOf(7),
      yielded_seq: 7,
      execution: { ended_at_unix_ms: wallTimeOf(8), ended_seq: 8, status: "completed" },
    }),
);

rule(
  "a terminal initial response leaves the execution running until the end event",
  () => {
    const b = materializedCell();
    b.codeCellEvent("code_cell_initial_response", "1", "failed");
    return b;
  },
  (view) =>
    expect(view.cell(CELL)).toMatchObject({
      runtime_status: "failed",
      initial_response_seq: 6,
      yielded_seq: null,
      execution: { ended_seq: null, status: "running" },
    }),
);

for (const [runtimeStatus, executionStatus] of [
  ["starting", "running"],
  ["running", "running"],
  ["yielded", "running"],
  ["completed", "completed"],
  ["failed", "failed"],
  ["terminated", "cancelled"],
] as const) {
  rule(
    `a code cell ended as ${runtimeStatus} has execution status ${executionStatus}`,
    () => {
      const b = materializedCell();
      b.codeCellEvent("code_cell_ended", "1", runtimeStatus);
      return b;
    },
    (view) =>
      expect(view.cell(CELL)).toMatchObject({
        runtime_status: runtimeStatus,
        initial_response_at_unix_ms: wallTimeOf(6),
        initial_response_seq: 6,
        execution: { ended_at_unix_ms: wallTimeOf(6), ended_seq: 6, status: executionStatus },
      }),
  );
}

rule(
  "queued lifecycle events replay in seq order, not file order",
  () => {
    const b = pendingCell();
    b.codeCellEvent("code_cell_ended", "1", "completed", { seq: 7 });
    b.codeCellEvent("code_cell_initial_response", "1", "yielded", { seq: 6 });
    b.completeInference("inference-1", [customCall("call-code", SOURCE)], { envelope: {} });
    return b;
  },
  (view) =>
    expect(view.cell(CELL)).toMatchObject({
      runtime_status: "completed",
      initial_response_seq: 6,
      yielded_seq: 6,
      execution: { ended_seq: 7, status: "completed" },
    }),
);

rule(
  "custom tool outputs of the cell's call id become its outputs, before or after it materializes",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.threadWithTurn("thread-2", "turn-2");
    b.startInference("inference-1", [user("go")]);
    b.startCodeCell("1", "call-code", SOURCE);
    b.completeInference("inference-1", [customCall("call-code", SOURCE), customOutput("call-code", "early")]);
    b.exchange("inference-2", [customOutput("call-code", "elsewhere")], [], {
      thread: "thread-2",
      turn: "turn-2",
    });
    return b;
  },
  (view) => {
    expect(view.cell(CELL).output_item_ids).toEqual(["conversation_item:3", "conversation_item:4"]);
    expect(view.item("conversation_item:3").produced_by).toEqual([
      { type: "inference", inference_call_id: "inference-1" },
      { type: "code_cell", code_cell_id: CELL },
    ]);
    expect(view.item("conversation_item:4").produced_by).toEqual([{ type: "code_cell", code_cell_id: CELL }]);
  },
);

rule(
  "nested tools join a materialized cell and are back-filled into a queued one",
  () => {
    const b = pendingCell();
    const nested = { type: "code_cell", runtime_cell_id: "1" } as const;
    b.startTool("tool-b", { callId: null, requester: nested, runtimeToolId: "rt-b" });
    b.startTool("tool-a", { callId: null, requester: nested, runtimeToolId: "rt-a" });
    completeResponse(b);
    b.startTool("tool-0", { callId: null, requester: nested, runtimeToolId: "rt-0" });
    return b;
  },
  (view) => {
    expect(view.cell(CELL).nested_tool_call_ids).toEqual(["tool-a", "tool-b", "tool-0"]);
    expect(view.tool("tool-b")).toMatchObject({
      requester: { type: "code_cell", code_cell_id: CELL },
      code_mode_runtime_tool_id: "rt-b",
    });
  },
);

rule(
  "a wait tool links to a materialized cell only",
  () => {
    const b = pendingCell();
    b.startTool("wait-early", { invocation: functionInvocation("wait", { cell_id: "1" }) });
    completeResponse(b);
    b.startTool("wait-late", { invocation: functionInvocation("wait", { cell_id: "1" }) });
    b.threadWithTurn("thread-2", "turn-2");
    b.startTool("wait-other-thread", {
      invocation: functionInvocation("wait", { cell_id: "1" }),
      envelope: { thread: "thread-2", turn: "turn-2" },
    });
    return b;
  },
  (view) => expect(view.cell(CELL).wait_tool_call_ids).toEqual(["wait-late"]),
);

for (const [turnStatus, runtimeStatus, executionStatus] of [
  ["failed", "failed", "failed"],
  ["cancelled", "terminated", "cancelled"],
  ["aborted", "terminated", "cancelled"],
] as const) {
  rule(
    `a turn ended as ${turnStatus} ends its running cells as ${runtimeStatus}`,
    () => {
      const b = materializedCell();
      b.codeCellEvent("code_cell_initial_response", "1", "yielded");
      b.endTurn(TURN, turnStatus);
      return b;
    },
    (view) =>
      expect(view.cell(CELL)).toMatchObject({
        runtime_status: runtimeStatus,
        initial_response_seq: 6,
        yielded_seq: 6,
        execution: { ended_at_unix_ms: wallTimeOf(7), ended_seq: 7, status: executionStatus },
      }),
  );
}

for (const turnStatus of ["completed", "running"] as const) {
  rule(
    `a turn ended as ${turnStatus} leaves its running cells alone`,
    () => {
      const b = materializedCell();
      b.codeCellEvent("code_cell_initial_response", "1", "yielded");
      b.endTurn(TURN, turnStatus);
      return b;
    },
    (view) =>
      expect(view.cell(CELL)).toMatchObject({
        runtime_status: "yielded",
        execution: { ended_seq: null, status: "running" },
      }),
  );
}

rule(
  "a turn end leaves ended cells, queued cells and cells of other turns alone",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTurn("turn-2");
    b.exchange(
      "inference-1",
      [user("go")],
      [customCall("call-done", SOURCE), customCall("call-other-turn", SOURCE)],
    );
    b.startCodeCell("1", "call-done", SOURCE);
    b.codeCellEvent("code_cell_ended", "1", "completed");
    b.startCodeCell("2", "call-other-turn", SOURCE, { turn: "turn-2" });
    b.startCodeCell("3", "call-queued", SOURCE);
    b.endTurn(TURN, "aborted");
    b.exchange("inference-2", [user("go")], [customCall("call-queued", SOURCE)], { turn: "turn-2" });
    return b;
  },
  (view) => {
    expect(view.cell("code_cell:call-done")).toMatchObject({
      runtime_status: "completed",
      execution: { ended_seq: 7 },
    });
    expect(view.cell("code_cell:call-other-turn")).toMatchObject({
      runtime_status: "starting",
      execution: { status: "running" },
    });
    expect(view.cell("code_cell:call-queued")).toMatchObject({
      codex_turn_id: TURN,
      runtime_status: "starting",
      execution: { started_seq: 9, ended_seq: null, status: "running" },
    });
  },
);
