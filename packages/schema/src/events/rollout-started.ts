import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `rollout_started`: the first event of a bundle. */
export const RolloutStarted = Type.Object(
  {
    type: Type.Literal("rollout_started"),
    trace_id: Text("Trace id; replaces the manifest's `trace_id` in the reduced state."),
    root_thread_id: Text("Root thread id; replaces the manifest's `root_thread_id` in the reduced state."),
  },
  {
    title: "RolloutStarted",
    description: "First event of a bundle, written with a null envelope context.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `rollout_started` event payload. */
export type RolloutStarted = Static<typeof RolloutStarted>;
