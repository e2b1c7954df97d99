import { type Static, Type } from "typebox";
import { ExecutionStatus } from "../enums.ts";
import { Described, Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `codex_turn_ended`: a Codex turn finished, failed or was aborted. */
export const CodexTurnEnded = Type.Object(
  {
    type: Type.Literal("codex_turn_ended"),
    codex_turn_id: Text("The turn that ended."),
    status: Described(
      ExecutionStatus,
      "Final status: `completed` for a finished turn, `cancelled` for an aborted one (interrupted, replaced ...).",
    ),
  },
  {
    title: "CodexTurnEnded",
    description:
      "A Codex turn ended. The envelope carries the thread and the turn. Inference calls and code cells of the turn that are still running are closed according to the status.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `codex_turn_ended` event payload. */
export type CodexTurnEnded = Static<typeof CodexTurnEnded>;
