import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `thread_resumed` (schema 2): an ended thread of this bundle became live again. */
export const ThreadResumed = Type.Object(
  {
    type: Type.Literal("thread_resumed"),
    thread_id: Text("A thread that was started in this bundle and has ended."),
  },
  {
    title: "ThreadResumed",
    description:
      "Schema 2 only. A thread that ended earlier in the same bundle is live again (for example a closed child resumed by `resume_agent`); its execution window re-opens until the next `thread_ended`. Null envelope context.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `thread_resumed` event payload. */
export type ThreadResumed = Static<typeof ThreadResumed>;
