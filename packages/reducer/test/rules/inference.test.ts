// Spec §4.3: inference call lifecycle, response payloads, usage, and the request/response payload errors.
import { expect } from "vitest";
import { bundle, ROOT, TURN, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import { assistant, user } from "../support/items.ts";

const { rule, fails } = ruleFile("inference");

const USAGE = {
  input_tokens: 120,
  cached_input_tokens: 20,
  output_tokens: 30,
  reasoning_output_tokens: 5,
  total_tokens: 150,
};

rule(
  "inference_started records a running call with its request items",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    return b;
  },
  (view) =>
    expect(view.inference("inference-1")).toEqual({
      inference_call_id: "inference-1",
      thread_id: ROOT,
      codex_turn_id: TURN,
      execution: {
        started_at_unix_ms: wallTimeOf(3),
        started_seq: 3,
        ended_at_unix_ms: null,
        ended_seq: null,
        status: "running",
      },
      model: "gpt-test",
      provider_name: "test-provider",
      response_id: null,
      upstream_request_id: null,
      request_item_ids: ["conversation_item:1"],
      response_item_ids: [],
      tool_call_ids_started_by_response: [],
      usage: null,
      raw_request_payload_id: "raw_payload:1",
      raw_response_payload_id: null,
    }),
);

rule(
  "inference_completed closes the call with response id, upstream id, output items and usage",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", [assistant("hello"), assistant("again")], {
      responseId: "resp-1",
      upstreamRequestId: "req-1",
      usage: USAGE,
    });
    return b;
  },
  (view) => {
    const call = view.inference("inference-1");
    expect(call).toMatchObject({
      execution: { ended_at_unix_ms: wallTimeOf(4), ended_seq: 4, status: "completed" },
      response_id: "resp-1",
      upstream_request_id: "req-1",
      response_item_ids: ["conversation_item:2", "conversation_item:3"],
      raw_response_payload_id: "raw_payload:2",
    });
    expect(call.usage).toEqual({
      input_tokens: 120,
      cached_input_tokens: 20,
      output_tokens: 30,
      reasoning_output_tokens: 5,
    });
    expect(view.item("conversation_item:2")).toMatchObject({
      thread_id: ROOT,
      codex_turn_id: TURN,
      first_seen_at_unix_ms: wallTimeOf(4),
      role: "assistant",
      produced_by: [{ type: "inference", inference_call_id: "inference-1" }],
    });
    expect(view.thread(ROOT).conversation_item_ids).toEqual([
      "conversation_item:1",
      "conversation_item:2",
      "conversation_item:3",
    ]);
  },
);

rule(
  "negative token counts are clamped to zero",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", [], { usage: { ...USAGE, cached_input_tokens: -4 } });
    return b;
  },
  (view) => expect(view.inference("inference-1").usage).toMatchObject({ cached_input_tokens: 0 }),
);

for (const [label, usage] of [
  ["a missing count", { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1 }],
  ["a fractional count", { ...USAGE, output_tokens: 1.5 }],
  ["a string count", { ...USAGE, input_tokens: "12" }],
  ["a non-object token_usage", 17],
] as const) {
  rule(
    `usage stays null for ${label}`,
    () => {
      const b = bundle();
      b.threadWithTurn();
      b.startInference("inference-1", [user("hi")]);
      b.completeInference("inference-1", [], { usage });
      return b;
    },
    (view) => expect(view.inference("inference-1").usage).toBeNull(),
  );
}

rule(
  "inference_failed with a partial payload reduces the partial items and clears the response id",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.endInferenceEarly("inference_failed", "inference-1", {
      partial: [assistant("partial")],
      upstreamRequestId: "req-9",
    });
    return b;
  },
  (view) =>
    expect(view.inference("inference-1")).toMatchObject({
      execution: { ended_seq: 4, status: "failed" },
      response_id: null,
      upstream_request_id: "req-9",
      response_item_ids: ["conversation_item:2"],
      raw_response_payload_id: "raw_payload:2",
      usage: null,
    }),
);

rule(
  "inference_cancelled without a payload closes the call with no response items",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.endInferenceEarly("inference_cancelled", "inference-1");
    return b;
  },
  (view) =>
    expect(view.inference("inference-1")).toMatchObject({
      execution: { ended_seq: 4, status: "cancelled" },
      response_item_ids: [],
      raw_response_payload_id: null,
    }),
);

rule(
  "a second terminal event keeps the first status but overwrites response id and response items",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", [assistant("first")], {
      responseId: "resp-1",
      upstreamRequestId: "req-1",
    });
    b.endInferenceEarly("inference_cancelled", "inference-1", { partial: [assistant("second")] });
    return b;
  },
  (view) =>
    expect(view.inference("inference-1")).toMatchObject({
      execution: { ended_seq: 4, status: "completed" },
      response_id: null,
      upstream_request_id: "req-1",
      response_item_ids: ["conversation_item:3"],
      raw_response_payload_id: "raw_payload:3",
    }),
);

rule(
  "a completion after the turn end closed the call keeps the turn's status but records the response",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.endTurn(TURN, "completed");
    b.completeInference("inference-1", [assistant("late")], {
      responseId: "resp-late",
      upstreamRequestId: "req-7",
    });
    return b;
  },
  (view) =>
    expect(view.inference("inference-1")).toMatchObject({
      execution: { ended_seq: 4, status: "cancelled" },
      response_id: "resp-late",
      upstream_request_id: "req-7",
      response_item_ids: ["conversation_item:2"],
    }),
);

fails(
  "an inference call cannot start twice",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.startInference("inference-1", [user("hi")]);
    return b;
  },
  "duplicate inference start for inference-1",
);

fails(
  "inference_started needs a known turn",
  () => {
    const b = bundle();
    b.startThread();
    b.startInference("inference-1", [user("hi")], { turn: "turn-missing" });
    return b;
  },
  "inference start inference-1 referenced unknown codex turn turn-missing",
);

fails(
  "inference_started must name the turn's thread",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startThread("thread-other");
    b.startInference("inference-1", [user("hi")], { thread: "thread-other" });
    return b;
  },
  `inference start inference-1 used thread thread-other, but codex turn ${TURN} belongs to ${ROOT}`,
);

for (const type of ["inference_completed", "inference_failed", "inference_cancelled"] as const) {
  fails(
    `${type} needs a started call`,
    () => {
      const b = bundle();
      b.threadWithTurn();
      if (type === "inference_completed") b.completeInference("inference-ghost", []);
      else b.endInferenceEarly(type, "inference-ghost");
      return b;
    },
    "inference completion referenced unknown call inference-ghost",
  );
}

fails(
  "a request payload needs input",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [], { request: { model: "gpt-test" } });
    return b;
  },
  "inference request payload raw_payload:1 did not contain input",
);

fails(
  "a request payload that is not an object has no input",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [], { request: [user("hi")] });
    return b;
  },
  "inference request payload raw_payload:1 did not contain input",
);

fails(
  "request input must be an array",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", { role: "user" });
    return b;
  },
  "inference request payload raw_payload:1 had non-array input",
);

fails(
  "a response payload needs output_items",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", [], { response: { response_id: "resp-1" } });
    return b;
  },
  "inference response payload raw_payload:2 did not contain output_items",
);

fails(
  "output_items must be an array",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.completeInference("inference-1", { type: "message" });
    return b;
  },
  "inference response payload raw_payload:2 did not contain output_items",
);

fails(
  "a partial response payload needs output_items too",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startInference("inference-1", [user("hi")]);
    b.event(
      {
        type: "inference_failed",
        inference_call_id: "inference-1",
        upstream_request_id: null,
        error: "boom",
        partial_response_payload: b.payload("inference_response", { output: [] }),
      },
      { thread: ROOT, turn: TURN },
    );
    return b;
  },
  "inference response payload raw_payload:2 did not contain output_items",
);
