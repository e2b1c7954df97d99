import { type Static, Type } from "typebox";
import { RolloutStatus } from "../enums.ts";
import { Described, Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `thread_ended`: a thread shut down. */
export const ThreadEnded = Type.Object(
  {
    type: Type.Literal("thread_ended"),
    thread_id: Text("The thread that ended."),
    status: Described(RolloutStatus, "Final status of the thread."),
  },
  {
    title: "ThreadEnded",
    description:
      "A thread shut down; closes its execution window. Does not change the rollout status. Null envelope context.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `thread_ended` event payload. */
export type ThreadEnded = Static<typeof ThreadEnded>;
