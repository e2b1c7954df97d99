import { type Static, Type } from "typebox";
import { IdList, StrictObject, Text } from "../internal/helpers.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** A Codex turn: the processing of one runtime submission. */
export const CodexTurn = StrictObject(
  {
    codex_turn_id: Text("Runtime submission id; not a chat turn."),
    thread_id: Text("Thread the turn ran in."),
    execution: Type.With(ExecutionWindow, { description: "Turn lifetime." }),
    input_item_ids: IdList("Items that triggered the turn; declared but always empty."),
  },
  {
    title: "CodexTurn",
    description: "A Codex turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A Codex turn. */
export type CodexTurn = Static<typeof CodexTurn>;
