import { describe, expectTypeOf, test } from "vitest";
import type {
  ConversationItem,
  HistoryItemAccepted,
  InferenceStartedV1,
  OmittedPayload,
  PayloadDocument,
  RawPayloadKindName,
  RawPayloadRef,
  RawTraceEvent,
  RawTraceEventPayload,
  RawTraceEventPayloadV1,
  RawTraceEventPayloadV2,
  RawTraceEventType,
  RolloutTrace,
  RolloutTraceV2,
  ThreadStarted,
  ThreadStartedTraceMetadata,
  ToolCallKind,
  ToolCallRuntimeStartedV1,
  ToolCallRuntimeStartedV2,
  TraceManifest,
} from "../src/index.ts";
import { eventValidator, payloadValidator, type SafeParseResult, stateValidator } from "../src/validate.ts";

// These assertions are checked by `tsc`; at run time they are no-ops.
describe("static types", () => {
  test("event payloads fit the unions they belong to", () => {
    expectTypeOf<ThreadStarted>().toExtend<RawTraceEventPayload>();
    expectTypeOf<ThreadStarted>().toExtend<RawTraceEventPayloadV1>();
    expectTypeOf<HistoryItemAccepted>().toExtend<RawTraceEventPayloadV2>();
    expectTypeOf<HistoryItemAccepted>().not.toExtend<RawTraceEventPayloadV1>();
    expectTypeOf<ToolCallRuntimeStartedV1>().not.toExtend<RawTraceEventPayloadV2>();
    expectTypeOf<ToolCallRuntimeStartedV1>().not.toHaveProperty("kind");
    expectTypeOf<ToolCallRuntimeStartedV2>().toHaveProperty("kind").toEqualTypeOf<ToolCallKind>();
    expectTypeOf<"thread_resumed">().toExtend<RawTraceEventType>();
  });

  test("fields have the spec's optionality", () => {
    expectTypeOf<ThreadStarted["metadata_payload"]>().toEqualTypeOf<RawPayloadRef | null>();
    expectTypeOf<RawPayloadRef["kind"]>().toEqualTypeOf<{ type: RawPayloadKindName }>();
    expectTypeOf<InferenceStartedV1>().toHaveProperty("request_input_mode");
    expectTypeOf<RawTraceEvent["schema_version"]>().toEqualTypeOf<1 | 2>();
    expectTypeOf<TraceManifest["schema_version"]>().toEqualTypeOf<1 | 2>();
    expectTypeOf<RolloutTraceV2["recording_complete"]>().toEqualTypeOf<boolean>();
    expectTypeOf<ConversationItem["responses_item_id"]>().toEqualTypeOf<string | undefined>();
  });

  test("a literal event line type-checks", () => {
    const line: RawTraceEvent = {
      schema_version: 2,
      seq: 1,
      wall_time_unix_ms: 1767225600000,
      rollout_id: "thread-root",
      thread_id: null,
      codex_turn_id: null,
      payload: { type: "thread_resumed", thread_id: "thread-child" },
    };
    expectTypeOf(line).toExtend<RawTraceEvent>();
  });

  test("validators narrow", () => {
    const value: unknown = null;
    if (eventValidator.check(value)) expectTypeOf(value).toEqualTypeOf<RawTraceEvent>();
    expectTypeOf(stateValidator.parse).returns.toEqualTypeOf<RolloutTrace>();
    expectTypeOf(payloadValidator("session_metadata").parse).returns.toEqualTypeOf<
      ThreadStartedTraceMetadata | OmittedPayload
    >();
    expectTypeOf<PayloadDocument<"session_metadata">>().toEqualTypeOf<ThreadStartedTraceMetadata>();
    expectTypeOf(eventValidator.safeParse).returns.toEqualTypeOf<SafeParseResult<RawTraceEvent>>();
  });
});
