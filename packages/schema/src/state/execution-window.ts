import type { Static } from "typebox";
import { ExecutionStatus } from "../enums.ts";
import { Described, Nullable, Seq, StrictObject, UnixMs } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** The lifetime of something that runs: when it started, when and how it ended. */
export const ExecutionWindow = StrictObject(
  {
    started_at_unix_ms: UnixMs("Wall time of the starting event."),
    started_seq: Seq("Seq of the starting event."),
    ended_at_unix_ms: Nullable(
      UnixMs("Wall time of the terminal event."),
      "Wall time of the terminal event, or null while running.",
    ),
    ended_seq: Nullable(
      Seq("Seq of the terminal event."),
      "Seq of the terminal event, or null while running.",
    ),
    status: Described(ExecutionStatus, "`running` until the terminal event."),
  },
  {
    title: "ExecutionWindow",
    description: "Start, end and status of a thread, turn, inference call, tool call, code cell or terminal.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** The lifetime of something that runs. */
export type ExecutionWindow = Static<typeof ExecutionWindow>;
