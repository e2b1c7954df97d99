// The decoder keeps its own copies of the schema's tag lists (replay must not load TypeBox); they must not drift.
import {
  RAW_PAYLOAD_KIND_NAMES,
  RAW_TRACE_EVENT_TYPES_V1,
  RAW_TRACE_EVENT_TYPES_V2,
} from "@rollout-trace/schema";
import { expect, it } from "vitest";
import { RAW_PAYLOAD_KINDS, V1_VARIANTS, V2_VARIANTS } from "../src/internal/events.ts";

it("the decoder's event types and payload kinds equal the schema package's, in the same order", () => {
  expect(V1_VARIANTS).toEqual(RAW_TRACE_EVENT_TYPES_V1);
  expect(V2_VARIANTS).toEqual(RAW_TRACE_EVENT_TYPES_V2);
  expect(RAW_PAYLOAD_KINDS).toEqual(RAW_PAYLOAD_KIND_NAMES);
});
