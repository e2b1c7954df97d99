// Spec §4.5: remote compaction requests, installed checkpoints, and the replacement snapshot that the next full
// request is reconciled against.
import { expect } from "vitest";
import { type BundleBuilder, bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import { assistant, developer, user } from "../support/items.ts";

const { rule, fails } = ruleFile("compaction");

const summaryItem = (value: string) => ({ type: "compaction", encrypted_content: value });

/** A thread whose first exchange produced items 1 (developer), 2 (user) and 3 (assistant). */
function afterFirstExchange(): BundleBuilder {
  const b = bundle();
  b.threadWithTurn();
  b.exchange("inference-1", [developer("rules"), user("q1")], [assistant("a1")], { responseId: "resp-1" });
  return b;
}

rule(
  "a compaction request records its window, model and payload ids",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startCompactionRequest("compaction-1", "compaction_request:1");
    b.completeCompactionRequest("compaction-1", "compaction_request:1", { output_items: [summaryItem("S")] });
    return b;
  },
  (view) => {
    expect(view.compactionRequest("compaction_request:1")).toEqual({
      compaction_request_id: "compaction_request:1",
      compaction_id: "compaction-1",
      thread_id: ROOT,
      codex_turn_id: TURN,
      execution: {
        started_at_unix_ms: wallTimeOf(3),
        started_seq: 3,
        ended_at_unix_ms: wallTimeOf(4),
        ended_seq: 4,
        status: "completed",
      },
      model: "gpt-test",
      provider_name: "test-provider",
      raw_request_payload_id: "raw_payload:1",
      raw_response_payload_id: "raw_payload:2",
    });
    expect(view.count("conversation_items")).toBe(0);
    expect(view.count("compactions")).toBe(0);
  },
);

rule(
  "compaction request and response payloads are never read",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startCompactionRequest("compaction-1", "compaction_request:1", {
      request: b.missingPayload("compaction_request"),
    });
    b.completeCompactionRequest(
      "compaction-1",
      "compaction_request:1",
      b.missingPayload("compaction_response"),
    );
    return b;
  },
  (view) =>
    expect(view.compactionRequest("compaction_request:1").raw_response_payload_id).toBe("raw_payload:2"),
  { disk: true },
);

rule(
  "a failed compaction request ends failed with no response payload",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startCompactionRequest("compaction-1", "compaction_request:1");
    b.failCompactionRequest("compaction-1", "compaction_request:1");
    return b;
  },
  (view) =>
    expect(view.compactionRequest("compaction_request:1")).toMatchObject({
      execution: { ended_seq: 4, status: "failed" },
      raw_response_payload_id: null,
    }),
);

fails(
  "a compaction request cannot start twice",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startCompactionRequest("compaction-1", "compaction_request:1");
    b.startCompactionRequest("compaction-2", "compaction_request:1");
    return b;
  },
  "duplicate compaction request start for compaction_request:1",
);

fails(
  "a compaction request needs a known thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startCompactionRequest("compaction-1", "compaction_request:1", { thread: "ghost", turn: "turn-ghost" });
    return b;
  },
  "trace event referenced unknown thread ghost",
);

fails(
  "a compaction request needs a known turn",
  () => {
    const b = bundle();
    b.startThread();
    b.startCompactionRequest("compaction-1", "compaction_request:1");
    return b;
  },
  `compaction request compaction_request:1 referenced unknown codex turn ${TURN}`,
);

fails(
  "a compaction request must name its turn's thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startThread("thread-2");
    b.startCompactionRequest("compaction-1", "compaction_request:1", { thread: "thread-2" });
    return b;
  },
  `compaction request compaction_request:1 used thread thread-2, but codex turn ${TURN} belongs to ${ROOT}`,
);

fails(
  "a compaction completion needs a started request",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.completeCompactionRequest("compaction-1", "compaction_request:9", { output_items: [] });
    return b;
  },
  "compaction request completion referenced unknown request compaction_request:9",
);

fails(
  "a compaction failure needs a started request",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.failCompactionRequest("compaction-1", "compaction_request:9");
    return b;
  },
  "compaction request completion referenced unknown request compaction_request:9",
);

fails(
  "a compaction completion must name the compaction its request started with",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startCompactionRequest("compaction-1", "compaction_request:1");
    b.failCompactionRequest("compaction-2", "compaction_request:1");
    return b;
  },
  "compaction request compaction_request:1 completion used compaction compaction-2, but start used compaction-1",
);

rule(
  "an installed checkpoint reuses input items, adds a marker and always creates replacement items",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", {
      input_history: [developer("rules"), user("q1"), assistant("a1"), user("not seen before")],
      replacement_history: [user("q1"), summaryItem("SUMMARY")],
    });
    return b;
  },
  (view) => {
    const installedAt = wallTimeOf(5);
    expect(view.compaction("compaction-1")).toEqual({
      compaction_id: "compaction-1",
      thread_id: ROOT,
      codex_turn_id: TURN,
      installed_at_unix_ms: installedAt,
      marker_item_id: "conversation_item:5",
      request_ids: [],
      input_item_ids: [
        "conversation_item:1",
        "conversation_item:2",
        "conversation_item:3",
        "conversation_item:4",
      ],
      replacement_item_ids: ["conversation_item:6", "conversation_item:7"],
    });
    expect(view.item("conversation_item:4")).toMatchObject({
      first_seen_at_unix_ms: installedAt,
      produced_by: [],
    });
    expect(view.item("conversation_item:5")).toEqual({
      item_id: "conversation_item:5",
      thread_id: ROOT,
      codex_turn_id: TURN,
      first_seen_at_unix_ms: installedAt,
      role: "assistant",
      channel: null,
      kind: "compaction_marker",
      body: { parts: [] },
      call_id: null,
      produced_by: [{ type: "compaction", compaction_id: "compaction-1" }],
    });
    expect(view.item("conversation_item:6")).toMatchObject({
      role: "user",
      produced_by: [{ type: "compaction", compaction_id: "compaction-1" }],
    });
    expect(view.thread(ROOT).conversation_item_ids).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => `conversation_item:${n}`),
    );
  },
);

rule(
  "checkpoint input items reuse the first unused match, so repeated items only reuse once",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("same"), user("other")], []);
    b.installCompaction("compaction-1", {
      input_history: [user("other"), user("same"), user("same")],
      replacement_history: [],
    });
    return b;
  },
  (view) =>
    expect(view.compaction("compaction-1").input_item_ids).toEqual([
      "conversation_item:2",
      "conversation_item:1",
      "conversation_item:3",
    ]),
);

rule(
  "request_ids lists the requests of this compaction that exist at install, in key order",
  () => {
    const b = afterFirstExchange();
    for (const n of [2, 10, 1]) b.startCompactionRequest("compaction-1", `compaction_request:${n}`);
    b.startCompactionRequest("compaction-other", "compaction_request:3");
    b.installCompaction("compaction-1", { input_history: [], replacement_history: [summaryItem("S")] });
    b.startCompactionRequest("compaction-1", "compaction_request:4");
    return b;
  },
  (view) =>
    expect(view.compaction("compaction-1").request_ids).toEqual([
      "compaction_request:1",
      "compaction_request:10",
      "compaction_request:2",
    ]),
);

rule(
  "the next full request is reconciled against the replacement history, later ones against the last snapshot",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", {
      input_history: [developer("rules"), user("q1"), assistant("a1")],
      replacement_history: [user("q1"), summaryItem("SUMMARY")],
    });
    const next = [developer("rules"), user("q1"), summaryItem("SUMMARY"), user("q2")];
    b.exchange("inference-2", next, []);
    b.exchange("inference-3", next, []);
    return b;
  },
  (view) => {
    // Items 5 and 6 are the replacement; the developer message repeated after compaction is new (7).
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:7",
      "conversation_item:5",
      "conversation_item:6",
      "conversation_item:8",
    ]);
    expect(view.inference("inference-3").request_item_ids).toEqual(
      view.inference("inference-2").request_item_ids,
    );
  },
);

rule(
  "an incremental request neither uses nor consumes the pending replacement snapshot",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("q1")], [assistant("a1")], { responseId: "resp-1" });
    b.installCompaction("compaction-1", {
      input_history: [user("q1"), assistant("a1")],
      replacement_history: [summaryItem("SUMMARY")],
    });
    b.exchange("inference-2", [user("q2")], [assistant("a2")], { previousResponseId: "resp-1" });
    b.exchange("inference-3", [summaryItem("SUMMARY"), user("q3")], []);
    return b;
  },
  (view) => {
    expect(view.inference("inference-2").request_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:5",
    ]);
    expect(view.inference("inference-3").request_item_ids).toEqual([
      "conversation_item:4",
      "conversation_item:7",
    ]);
  },
);

fails(
  "compaction_installed needs an envelope thread",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", { input_history: [], replacement_history: [] }, { thread: null });
    return b;
  },
  "compaction installed event compaction-1 did not include a thread id",
);

fails(
  "compaction_installed needs an envelope turn",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", { input_history: [], replacement_history: [] }, { turn: null });
    return b;
  },
  "compaction installed event compaction-1 did not include a codex turn id",
);

fails(
  "a compaction cannot be installed twice",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", { input_history: [], replacement_history: [] });
    b.installCompaction("compaction-1", { input_history: [], replacement_history: [] });
    return b;
  },
  "duplicate compaction install for compaction-1",
);

fails(
  "compaction_installed needs a known thread",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", { input_history: [], replacement_history: [] }, { thread: "ghost" });
    return b;
  },
  "trace event referenced unknown thread ghost",
);

fails(
  "compaction_installed needs a known turn",
  () => {
    const b = afterFirstExchange();
    b.installCompaction(
      "compaction-1",
      { input_history: [], replacement_history: [] },
      { turn: "turn-ghost" },
    );
    return b;
  },
  "compaction install compaction-1 referenced unknown codex turn turn-ghost",
);

fails(
  "compaction_installed must name its turn's thread",
  () => {
    const b = afterFirstExchange();
    b.startThread("thread-2");
    b.installCompaction(
      "compaction-1",
      { input_history: [], replacement_history: [] },
      { thread: "thread-2" },
    );
    return b;
  },
  `compaction install compaction-1 used thread thread-2, but codex turn ${TURN} belongs to ${ROOT}`,
);

fails(
  "a checkpoint needs an input_history array",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", { input_history: "none", replacement_history: [] });
    return b;
  },
  "compaction checkpoint payload raw_payload:3 did not contain array input_history",
);

fails(
  "a checkpoint needs a replacement_history array",
  () => {
    const b = afterFirstExchange();
    b.installCompaction("compaction-1", { input_history: [] });
    return b;
  },
  "compaction checkpoint payload raw_payload:3 did not contain array replacement_history",
);
