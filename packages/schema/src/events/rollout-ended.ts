import { type Static, Type } from "typebox";
import { RolloutStatus } from "../enums.ts";
import { Described } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `rollout_ended`: the root thread ended, and with it the rollout. */
export const RolloutEnded = Type.Object(
  {
    type: Type.Literal("rollout_ended"),
    status: Described(RolloutStatus, "Final status of the rollout."),
  },
  {
    title: "RolloutEnded",
    description:
      "Written only when the root thread ends (right after its `thread_ended`), with a null envelope context. Its wall time becomes the rollout's end time.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `rollout_ended` event payload. */
export type RolloutEnded = Static<typeof RolloutEnded>;
