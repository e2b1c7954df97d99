import { describe, expect, it } from "vitest";
import type { ModelItem } from "../src/index.ts";
import { events, message, payloadOf, record, reduce, request } from "./support.ts";

describe.each([1, 2] as const)("remote compaction (trace schema %i)", (version) => {
  it("should record request attempts and the installed checkpoint that replaces the history", async () => {
    // Arrange
    const user = message("user", "refactor the module", "msg_user");
    const answer = message("assistant", "Done with step one.", "msg_a1");
    const summary: ModelItem = { type: "compaction", id: "cmp_1", encrypted_content: "c3VtbWFyeQ==" };
    const replacement = [message("developer", "<environment_context/>", "msg_ctx2"), user, summary];
    const requestIds: string[] = [];
    let afterId = "";

    // Act
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn({ turnId: "turn-c", inputs: [user] });
      turn.startInference(request([user])).completed({ responseId: "resp_1", output: [answer] });
      const compaction = turn.startCompaction({ compactionId: "cmp-checkpoint" });
      const first = compaction.startAttempt(() => ({
        model: "mock-model",
        input: [user, answer, { type: "compaction_trigger" }],
      }));
      first.failed(new Error("502 from the compact endpoint"));
      const second = compaction.startAttempt(
        { input: [user, answer, { type: "compaction_trigger" }] },
        { model: "compact-model" },
      );
      second.completed([summary]);
      requestIds.push(first.compactionRequestId, second.compactionRequestId);
      compaction.installed({ inputHistory: [user, answer], replacementHistory: replacement });
      const after = turn.startInference(request([message("developer", "base"), ...replacement]));
      afterId = after.inferenceCallId;
      after.completed({ responseId: "resp_2", output: [message("assistant", "Continuing.", "msg_a2")] });
    });

    // Assert: request ids come from one process-wide counter.
    const [firstId, secondId] = requestIds.map((id) => Number(/^compaction_request:(\d+)$/.exec(id)?.[1]));
    expect(secondId).toBe(firstId! + 1);
    const { state } = reduce(dir);
    expect(state.compaction_requests[requestIds[0]!]?.execution.status).toBe("failed");
    expect(state.compaction_requests[requestIds[0]!]?.raw_response_payload_id).toBeNull();
    const completed = state.compaction_requests[requestIds[1]!]!;
    expect(completed.execution.status).toBe("completed");
    expect(completed.model).toBe("compact-model");
    const compaction = state.compactions["cmp-checkpoint"]!;
    expect(compaction.codex_turn_id).toBe("turn-c");
    expect(compaction.request_ids).toEqual(requestIds);
    expect(state.conversation_items[compaction.marker_item_id]?.kind).toBe("compaction_marker");
    expect(compaction.input_item_ids).toHaveLength(2);
    expect(compaction.replacement_item_ids).toHaveLength(3);
    // The next full request picks up the replacement items; only the base instructions are new.
    const next = state.inference_calls[afterId]!;
    expect(next.request_item_ids.slice(1)).toEqual(compaction.replacement_item_ids);
    const checkpoint = events(dir).find((event) => event.payload.type === "compaction_installed")!;
    expect(payloadOf(dir, checkpoint.payload.checkpoint_payload)).toEqual({
      input_history: [user, answer],
      replacement_history: replacement,
    });
  });

  it("should install a checkpoint once and refuse a compaction id used before", async () => {
    let stats = { refused: 0, repeated: 0 };
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const compaction = turn.startCompaction({ compactionId: "only-once" });
      compaction.installed({ inputHistory: [], replacementHistory: [] });
      compaction.installed({ inputHistory: [], replacementHistory: [] });
      turn.startCompaction({ compactionId: "only-once" });
      stats = session.stats();
    });
    expect(stats).toMatchObject({ refused: 1, repeated: 1 });
    expect(events(dir).filter((event) => event.payload.type === "compaction_installed")).toHaveLength(1);
  });

  it("should require the next request after an installation to send the new history in full", async () => {
    let refused = 0;
    await record(version, (session) => {
      const turn = session.root.startTurn();
      const user = message("user", "hi", "msg_1");
      turn.startInference(request([user])).completed({ responseId: "resp_1", output: [] });
      turn.startCompaction().installed({ inputHistory: [user], replacementHistory: [user] });
      turn.startInference(request([], { previous_response_id: "resp_1" }));
      refused = session.stats().refused;
    });
    expect(refused).toBe(1);
  });
});
