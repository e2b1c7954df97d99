import { type Static, Type } from "typebox";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `thread_started`: a root or spawned child thread began. */
export const ThreadStarted = Type.Object(
  {
    type: Type.Literal("thread_started"),
    thread_id: Text("Codex thread id of the new thread."),
    agent_path: Text(
      "Routing path of the agent (`/root`, `/root/<task>`); a copy of the metadata value, which takes precedence.",
    ),
    metadata_payload: Nullable(
      Described(RawPayloadRef, "Session metadata (kind `session_metadata`)."),
      "Session metadata document (kind `session_metadata`), or null if it could not be written.",
    ),
  },
  {
    title: "ThreadStarted",
    description:
      "A thread started recording: the root thread right after `rollout_started`, or a spawned child appending to its root's bundle. Null envelope context.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `thread_started` event payload. */
export type ThreadStarted = Static<typeof ThreadStarted>;
