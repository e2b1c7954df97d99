import type { RolloutTraceV2 } from "@rollout-trace/schema";
import { describe, expect, it } from "vitest";
import { INFERENCE_CALL_ID_HEADER, type ModelItem } from "../src/index.ts";
import {
  events,
  functionCall,
  functionOutput,
  message,
  payloadOf,
  ROOT_THREAD,
  reasoning,
  record,
  reduce,
  request,
  schemaProblems,
} from "./support.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The conversation items an inference call saw and produced, as role/kind/first text. */
function describeItems(state: RolloutTraceV2, ids: readonly string[]): string[] {
  return ids.map((id) => {
    const item = state.conversation_items[id]!;
    const first = item.body.parts[0];
    const text = first?.type === "text" || first?.type === "summary" ? first.text : (first?.type ?? "");
    return `${item.role}/${item.kind}:${text}`;
  });
}

describe.each([1, 2] as const)("inference attempts (trace schema %i)", (version) => {
  it("should turn the request and the response into the call's conversation items, usage and ids", async () => {
    // Arrange
    const user = message("user", "list the files", "msg_user");
    const output = [reasoning("look first", "rs_1"), message("assistant", "Listing.", "msg_a1")];
    let callId = "";
    let headers: Record<string, string> = {};

    // Act
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn({ turnId: "turn-1", inputs: [user] });
      const attempt = turn.startInference(request([message("developer", "be brief"), user]), {
        model: "big-model",
      });
      callId = attempt.inferenceCallId;
      headers = attempt.requestHeaders();
      attempt.completed({
        responseId: "resp_1",
        upstreamRequestId: "req_1",
        usage: {
          inputTokens: 120,
          cachedInputTokens: 20,
          cacheWriteInputTokens: 5,
          outputTokens: 30,
          reasoningOutputTokens: 7,
        },
        output,
      });
      turn.end();
    });

    // Assert
    expect(callId).toMatch(UUID_V4);
    expect(headers).toEqual({ [INFERENCE_CALL_ID_HEADER]: callId });
    const { state } = reduce(dir);
    const call = state.inference_calls[callId]!;
    expect(call.thread_id).toBe(ROOT_THREAD);
    expect(call.codex_turn_id).toBe("turn-1");
    expect(call.model).toBe("big-model");
    expect(call.provider_name).toBe("mock");
    expect(call.response_id).toBe("resp_1");
    expect(call.upstream_request_id).toBe("req_1");
    expect(call.execution.status).toBe("completed");
    expect(describeItems(state, call.request_item_ids)).toEqual([
      "developer/message:be brief",
      "user/message:list the files",
    ]);
    expect(describeItems(state, call.response_item_ids)).toEqual([
      "assistant/reasoning:look first",
      "assistant/message:Listing.",
    ]);
    const usage = {
      input_tokens: 120,
      cached_input_tokens: 20,
      output_tokens: 30,
      reasoning_output_tokens: 7,
    };
    expect(call.usage).toEqual(version === 2 ? { ...usage, cache_write_input_tokens: 5 } : usage);
    const completed = events(dir).find((event) => event.payload.type === "inference_completed")!;
    expect(payloadOf(dir, completed.payload.response_payload)).toEqual({
      response_id: "resp_1",
      upstream_request_id: "req_1",
      token_usage: {
        input_tokens: 120,
        cached_input_tokens: 20,
        ...(version === 2 ? { cache_write_input_tokens: 5 } : {}),
        output_tokens: 30,
        reasoning_output_tokens: 7,
        total_tokens: 150,
      },
      output_items: output,
    });
    expect(schemaProblems(dir)).toEqual([]);
  });

  it("should keep the partial output of a failed attempt and record a cancelled one without a payload", async () => {
    let failedId = "";
    let cancelledId = "";
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn({ turnId: "turn-1" });
      const first = turn.startInference(request([message("user", "hi", "msg_1")]));
      failedId = first.inferenceCallId;
      first.failed(new Error("stream disconnected"), {
        upstreamRequestId: "req_f",
        output: [message("assistant", "Partial answ", "msg_p")],
      });
      const second = turn.startInference(request([message("user", "hi", "msg_1")]));
      cancelledId = second.inferenceCallId;
      second.cancelled("response stream dropped before provider terminal event");
      turn.end("failed");
    });

    const { state } = reduce(dir);
    const failed = state.inference_calls[failedId]!;
    expect(failed.execution.status).toBe("failed");
    expect(failed.upstream_request_id).toBe("req_f");
    expect(failed.response_id).toBeNull();
    expect(describeItems(state, failed.response_item_ids)).toEqual(["assistant/message:Partial answ"]);
    const cancelled = state.inference_calls[cancelledId]!;
    expect(cancelled.execution.status).toBe("cancelled");
    expect(cancelled.raw_response_payload_id).toBeNull();
    const failedEvent = events(dir).find((event) => event.payload.type === "inference_failed")!;
    expect(failedEvent.payload.error).toBe("stream disconnected");
  });

  it("should record only the first terminal call of an attempt", async () => {
    let callId = "";
    let repeated = 0;
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const attempt = turn.startInference(request([message("user", "hi", "msg_1")]));
      callId = attempt.inferenceCallId;
      attempt.completed({ responseId: "resp_1", output: [message("assistant", "one", "msg_one")] });
      attempt.completed({ responseId: "resp_2", output: [message("assistant", "two", "msg_two")] });
      attempt.failed("too late");
      repeated = session.stats().repeated;
    });

    expect(repeated).toBe(2);
    const call = reduce(dir).state.inference_calls[callId]!;
    expect(call.response_id).toBe("resp_1");
    expect(events(dir).filter((event) => event.payload.type.startsWith("inference_"))).toHaveLength(2);
  });

  it("should let a turn's end settle an attempt that never finished", async () => {
    let callId = "";
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      callId = turn.startInference(request([message("user", "hi", "msg_1")])).inferenceCallId;
      turn.abort();
    });
    expect(reduce(dir).state.inference_calls[callId]?.execution.status).toBe("cancelled");
  });

  it("should accept an incremental request that continues the thread's latest response", async () => {
    // Arrange: a response with a tool call, the tool's output, then a request that sends only the output.
    const user = message("user", "run it", "msg_user");
    const call = functionCall("exec_command", { cmd: "ls" }, "call_1", "fc_1");
    const output = functionOutput("call_1", "a.txt", "fco_1");
    let secondId = "";

    // Act
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn({ inputs: [user] });
      turn.startInference(request([user])).completed({ responseId: "resp_1", output: [call] });
      const tool = turn.startTool({
        name: "exec_command",
        payload: { type: "function", arguments: call.arguments as string },
        callId: "call_1",
      });
      tool.completed(output);
      const second = turn.startInference(request([output], { previous_response_id: "resp_1" }));
      secondId = second.inferenceCallId;
      second.completed({ responseId: "resp_2", output: [message("assistant", "done", "msg_done")] });
    });

    // Assert: the reducer rebuilt the full input: request, response, then the delta.
    const { state } = reduce(dir);
    expect(describeItems(state, state.inference_calls[secondId]!.request_item_ids)).toEqual([
      "user/message:run it",
      "assistant/function_call:json",
      "tool/function_call_output:a.txt",
    ]);
  });

  it("should refuse an incremental request that does not continue the latest response, and stay replayable", async () => {
    let refused = 0;
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const history: ModelItem[] = [message("user", "hi", "msg_1")];
      turn
        .startInference(request(history))
        .completed({ responseId: "resp_1", output: [message("assistant", "a", "msg_a")] });
      history.push(message("assistant", "a", "msg_a"));
      turn
        .startInference(request(history))
        .completed({ responseId: "resp_2", output: [message("assistant", "b", "msg_b")] });
      // resp_1 is no longer the thread's latest exchange, and resp_x was never traced.
      turn
        .startInference(request([message("user", "next", "msg_n")], { previous_response_id: "resp_1" }))
        .completed({
          responseId: "resp_3",
          output: [],
        });
      turn.startInference(request([], { previous_response_id: "resp_x" }));
      refused = session.stats().refused;
    });

    expect(refused).toBe(2);
    expect(Object.keys(reduce(dir).state.inference_calls)).toHaveLength(2);
  });
});

describe("history acceptance (trace schema 2)", () => {
  it("should accept turn inputs before the first inference and outputs right after completion", async () => {
    const inputs = [
      message("developer", "<environment_context/>", "msg_ctx"),
      message("user", "hi", "msg_user"),
    ];
    const dir = await record(2, (session) => {
      const turn = session.root.startTurn({ turnId: "turn-1", inputs });
      turn.startInference(request([message("developer", "base instructions"), ...inputs])).completed({
        responseId: "resp_1",
        output: [reasoning("r", "rs_1"), message("assistant", "hello", "msg_a")],
      });
    });

    const lines = events(dir);
    const types = lines.map(
      (event) => `${event.payload.type}${event.payload.item_id ? `:${event.payload.item_id}` : ""}`,
    );
    expect(types.slice(2)).toEqual([
      "codex_turn_started",
      "history_item_accepted:msg_ctx",
      "history_item_accepted:msg_user",
      "inference_started",
      "inference_completed",
      "history_item_accepted:rs_1",
      "history_item_accepted:msg_a",
      "recording_completed",
    ]);
    const { state } = reduce(dir);
    const items = Object.values(state.conversation_items);
    const accepted = items
      .filter((item) => item.accepted_seq !== undefined)
      .map((item) => item.responses_item_id);
    expect(accepted.sort()).toEqual(["msg_a", "msg_ctx", "msg_user", "rs_1"]);
    // Inputs are accepted before the request that creates their items.
    const user = items.find((item) => item.responses_item_id === "msg_user")!;
    expect(user.accepted_seq).toBeLessThan(
      state.inference_calls[Object.keys(state.inference_calls)[0]!]!.execution.started_seq,
    );
    // The base instructions are sent but never accepted into history.
    const base = items.find((item) => item.role === "developer" && item.responses_item_id === undefined);
    expect(base?.accepted_seq).toBeUndefined();
    expect(base).toBeDefined();
  });
});

describe("streamed and deferred acceptance (trace schema 2)", () => {
  it("should not accept again what was accepted while streaming, and leave deferred items to the producer", async () => {
    const reasoningItem = reasoning("r", "rs_1");
    const call = functionCall("exec_command", { cmd: "ls" }, "call_1", "fc_1");
    const answer = message("assistant", "done", "msg_a");
    let repeated = 0;
    const dir = await record(2, (session) => {
      const turn = session.root.startTurn();
      const first = turn.startInference(request([message("user", "hi", "msg_u")]));
      // The reasoning item completed in the stream before the response did.
      turn.accept([reasoningItem]);
      first.completed({ responseId: "resp_1", output: [reasoningItem, call] });
      // A runtime that commits the items itself, later.
      const second = turn.startInference(request([message("user", "hi", "msg_u")]));
      second.completed({ responseId: "resp_2", output: [answer], accept: false });
      turn.accept([answer]);
      turn.accept([answer]);
      repeated = session.stats().repeated;
    });

    const accepted = events(dir).flatMap((event) =>
      event.payload.type === "history_item_accepted" ? [event.payload.item_id] : [],
    );
    expect(accepted).toEqual(["rs_1", "fc_1", "msg_a"]);
    expect(repeated).toBe(1);
  });
});

describe("schema 1 input modes", () => {
  it("should record an untraced prefix so the reducer can rebuild the full input", async () => {
    let callId = "";
    const prefix = [
      message("user", "earlier", "msg_old"),
      message("assistant", "earlier answer", "msg_old_a"),
    ];
    const dir = await record(1, (session) => {
      const turn = session.root.startTurn();
      const attempt = turn.startInference(
        request([message("user", "now", "msg_now")], { previous_response_id: "resp_prewarm" }),
        { inputMode: { untracedPrefix: () => prefix } },
      );
      callId = attempt.inferenceCallId;
      attempt.completed({ responseId: "resp_1", output: [message("assistant", "ok", "msg_ok")] });
    });

    const started = events(dir).find((event) => event.payload.type === "inference_started")!;
    const mode = started.payload.request_input_mode as { type: string; prefix_payload: unknown };
    expect(mode.type).toBe("incremental_with_untraced_prefix");
    expect(payloadOf(dir, mode.prefix_payload)).toEqual({ input: prefix });
    const { state } = reduce(dir);
    expect(describeItems(state, state.inference_calls[callId]!.request_item_ids)).toEqual([
      "user/message:earlier",
      "assistant/message:earlier answer",
      "user/message:now",
    ]);
  });

  it("should mark a full request that names a previous response as a full snapshot", async () => {
    const dir = await record(1, (session) => {
      const turn = session.root.startTurn();
      turn
        .startInference(
          request([message("user", "all of it", "msg_1")], { previous_response_id: "resp_ws" }),
          {
            inputMode: "full_snapshot",
          },
        )
        .completed({ responseId: "resp_1", output: [] });
    });
    const started = events(dir).find((event) => event.payload.type === "inference_started")!;
    expect(started.payload.request_input_mode).toEqual({ type: "full_snapshot" });
    expect(() => reduce(dir)).not.toThrow();
  });

  it("should refuse an untraced prefix in schema 2, which cannot express it", async () => {
    let refused = 0;
    await record(2, (session) => {
      session.root.startTurn().startInference(request([], { previous_response_id: "resp_x" }), {
        inputMode: { untracedPrefix: [] },
      });
      refused = session.stats().refused;
    });
    expect(refused).toBe(1);
  });
});
