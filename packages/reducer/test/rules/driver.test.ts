// Spec §4.1 (driver, ordering, strictness), §4.9 (ignored and rejected events) and the state.json conventions of §3.1.
import path from "node:path";
import { expect } from "vitest";
import { BASE_WALL_TIME, bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import { agentMessage, assistant, user } from "../support/items.ts";

const { rule, fails } = ruleFile("driver");

const EMPTY_STATE = `{
  "schema_version": 1,
  "trace_id": "trace-1",
  "rollout_id": "rollout-1",
  "started_at_unix_ms": ${BASE_WALL_TIME},
  "ended_at_unix_ms": null,
  "status": "running",
  "root_thread_id": "${ROOT}",
  "threads": {},
  "codex_turns": {},
  "conversation_items": {},
  "inference_calls": {},
  "code_cells": {},
  "tool_calls": {},
  "terminal_sessions": {},
  "terminal_operations": {},
  "compactions": {},
  "compaction_requests": {},
  "interaction_edges": {},
  "raw_payloads": {}
}`;

rule(
  "an empty event log reduces to the manifest's rollout with empty maps",
  () => bundle(),
  (_view, reduced) => expect(reduced.text).toBe(EMPTY_STATE),
);

rule(
  "rollout_started overwrites trace id and root thread; rollout_ended sets status and end time",
  () => {
    const b = bundle();
    b.rolloutStarted("trace-from-event", "root-from-event");
    b.rolloutEnded("aborted");
    return b;
  },
  ({ state }) => {
    expect(state.trace_id).toBe("trace-from-event");
    expect(state.root_thread_id).toBe("root-from-event");
    expect(state.rollout_id).toBe("rollout-1");
    expect(state.status).toBe("aborted");
    expect(state.ended_at_unix_ms).toBe(wallTimeOf(2));
  },
);

rule(
  "blank and whitespace-only lines are skipped",
  () => {
    const b = bundle();
    b.rawLine("");
    b.startThread();
    b.rawLine("   \t ");
    b.startTurn();
    return b;
  },
  (view) => {
    expect(view.thread(ROOT).execution.started_seq).toBe(1);
    expect(view.turn(TURN).execution.started_seq).toBe(2);
  },
);

fails(
  "blank lines count as lines in parse errors",
  () => {
    const b = bundle();
    b.startThread();
    b.rawLine("");
    b.rawLine("  ");
    b.rawLine("{not json");
    return b;
  },
  "parse trace event line 4",
);

fails(
  "an unknown event type is a parse error of its line",
  () => {
    const b = bundle();
    b.startThread();
    b.event({ type: "thread_paused", thread_id: ROOT });
    return b;
  },
  "parse trace event line 2",
);

fails(
  "an `other` event is rejected",
  () => {
    const b = bundle();
    b.event({ type: "other", kind: "note", summary: "escape hatch", payloads: [], metadata: null });
    return b;
  },
  "raw trace event has no reducer implementation",
);

rule(
  "schema 1 does not check seq, rollout_id or event schema_version",
  () => {
    const b = bundle();
    b.startThread(ROOT, { agentPath: "/root" });
    b.event({ type: "codex_turn_started", codex_turn_id: "turn-a", thread_id: ROOT }, { seq: 9 });
    b.event(
      { type: "codex_turn_started", codex_turn_id: "turn-b", thread_id: ROOT },
      { seq: 9, rolloutId: "another-rollout", schemaVersion: 7 },
    );
    b.event({ type: "codex_turn_started", codex_turn_id: "turn-c", thread_id: ROOT }, { seq: 3 });
    return b;
  },
  (view) => {
    expect(view.turn("turn-a").execution.started_seq).toBe(9);
    expect(view.turn("turn-b").execution.started_seq).toBe(9);
    expect(view.turn("turn-c").execution.started_seq).toBe(3);
  },
);

rule(
  "missing envelope context keys read as null and unknown keys are ignored",
  () => {
    const b = bundle();
    b.startThread();
    b.rawLine(
      JSON.stringify({
        schema_version: 1,
        seq: 2,
        wall_time_unix_ms: wallTimeOf(2),
        rollout_id: "rollout-1",
        extra_envelope_key: true,
        payload: { type: "codex_turn_started", codex_turn_id: TURN, thread_id: ROOT, extra_payload_key: [1] },
      }),
    );
    return b;
  },
  (view) => expect(view.turn(TURN).thread_id).toBe(ROOT),
);

fails(
  "a payload the reducer reads must exist",
  () => {
    const b = bundle();
    b.startThread(ROOT, { metadata: b.missingPayload("session_metadata") });
    return b;
  },
  "open payload raw_payload:1",
  { disk: true },
);

fails(
  "a payload the reducer reads must be JSON",
  () => {
    const b = bundle();
    b.startThread(ROOT, { metadata: b.payloadText("session_metadata", "{ nope") });
    return b;
  },
  "parse payload raw_payload:1",
);

rule(
  "payloads the reducer never reads may be missing",
  () => {
    const b = bundle();
    b.protocolEvent("shutdown_complete", b.missingPayload("protocol_event"));
    return b;
  },
  (view) =>
    expect(view.payload("raw_payload:1")).toEqual({
      raw_payload_id: "raw_payload:1",
      kind: { type: "protocol_event" },
      path: "payloads/1.json",
    }),
  { disk: true },
);

fails(
  "a missing manifest field fails reading the manifest",
  () => {
    const b = bundle();
    delete b.manifest.payloads_dir;
    return b;
  },
  (dir) => `read ${path.join(dir, "manifest.json")}`,
  { disk: true },
);

fails(
  "a missing manifest fails with the bare I/O error",
  () => {
    const b = bundle();
    b.omitted.add("manifest.json");
    return b;
  },
  "No such file or directory (os error 2)",
  { disk: true },
);

fails(
  "a missing event log cannot be opened",
  () => {
    const b = bundle();
    b.omitted.add("trace.jsonl");
    return b;
  },
  (dir) => `open trace event log ${path.join(dir, "trace.jsonl")}`,
  { disk: true },
);

fails(
  "a line that is not UTF-8 cannot be read",
  () => {
    const b = bundle();
    b.startThread();
    b.rawLine(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]));
    return b;
  },
  "read trace event line 2",
  { disk: true },
);

rule(
  "CRLF line endings are accepted",
  () => {
    const b = bundle();
    b.rawLine(
      `${JSON.stringify({
        schema_version: 1,
        seq: 1,
        wall_time_unix_ms: wallTimeOf(1),
        rollout_id: "rollout-1",
        thread_id: null,
        codex_turn_id: null,
        payload: { type: "thread_started", thread_id: ROOT, agent_path: "/root", metadata_payload: null },
      })}\r`,
    );
    return b;
  },
  (view) => expect(view.thread(ROOT).agent_path).toBe("/root"),
  { disk: true },
);

rule(
  "the last line needs no newline",
  () => {
    const b = bundle();
    b.startThread();
    b.startTurn();
    b.finalNewline = false;
    return b;
  },
  (view) => expect(view.turn(TURN).thread_id).toBe(ROOT),
  { disk: true },
);

fails(
  "a torn last line fails the replay",
  () => {
    const b = bundle();
    b.startThread();
    b.rawLine('{"schema_version":1,"seq":2,"wall_time');
    b.finalNewline = false;
    return b;
  },
  "parse trace event line 2",
  { disk: true },
);

rule(
  "a ref registered twice keeps the last kind and path",
  () => {
    const b = bundle();
    const ref = b.payload("protocol_event", { type: "warning" });
    b.protocolEvent("warning", ref);
    b.protocolEvent("warning", b.customRef(ref.raw_payload_id, "agent_result", "payloads/elsewhere.json"));
    return b;
  },
  (view) =>
    expect(view.payload("raw_payload:1")).toEqual({
      raw_payload_id: "raw_payload:1",
      kind: { type: "agent_result" },
      path: "payloads/elsewhere.json",
    }),
);

rule(
  "raw_payloads is keyed in byte order (raw_payload:10 before raw_payload:2)",
  () => {
    const b = bundle();
    for (let n = 0; n < 10; n++) b.protocolEvent("warning", { type: "warning", message: `w${n}` });
    return b;
  },
  (_view, reduced) => {
    const keys = [...reduced.text.matchAll(/"(raw_payload:\d+)": \{/g)].map((match) => match[1]);
    expect(keys).toEqual([
      "raw_payload:1",
      "raw_payload:10",
      ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `raw_payload:${n}`),
    ]);
  },
);

rule(
  "agent_message is omitted from items without agent metadata",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("hi"), agentMessage("/root/a", "/root", "hello")], [assistant("ok")]);
    return b;
  },
  (view, reduced) => {
    const [plain, routed] = view.inference("inference-1").request_item_ids;
    expect(Object.keys(view.item(plain!))).not.toContain("agent_message");
    expect(view.item(routed!).agent_message).toEqual({ author: "/root/a", recipient: "/root" });
    expect(reduced.text.match(/"agent_message"/g)).toHaveLength(1);
  },
);
