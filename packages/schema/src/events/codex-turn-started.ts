import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `codex_turn_started`: Codex began processing a submission. */
export const CodexTurnStarted = Type.Object(
  {
    type: Type.Literal("codex_turn_started"),
    codex_turn_id: Text('Runtime submission id ("sub_id"); a Codex turn is not a chat turn.'),
    thread_id: Text("Thread the turn runs in."),
  },
  {
    title: "CodexTurnStarted",
    description: "A Codex turn began. The envelope carries the thread and this turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `codex_turn_started` event payload. */
export type CodexTurnStarted = Static<typeof CodexTurnStarted>;
