import { type Static, Type } from "typebox";
import { IdList, Nullable, StrictObject, Text } from "../internal/helpers.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** Where a thread came from. */
export const AgentOrigin = Type.Union(
  [
    StrictObject(
      { type: Type.Literal("root") },
      { title: "AgentOrigin_root", description: "The root thread of the rollout." },
    ),
    StrictObject(
      {
        type: Type.Literal("spawned"),
        parent_thread_id: Text("The thread that spawned this one."),
        spawn_edge_id: Text("`edge:spawn:<parent_thread_id>:<thread_id>`."),
        task_name: Text("Task name; falls back to the last non-empty segment of the agent path."),
        agent_role: Text("Agent role, or the empty string when unknown."),
      },
      { title: "AgentOrigin_spawned", description: "A multi-agent child thread." },
    ),
  ],
  {
    title: "AgentOrigin",
    description: 'Origin of a thread: `{"type":"root"}` or `{"type":"spawned", ...}`.',
  },
);

/** A Codex thread (root session or spawned agent). */
export const AgentThread = StrictObject(
  {
    thread_id: Text("Codex thread id."),
    agent_path: Text("Stable routing path (`/root`, `/root/<task>`)."),
    nickname: Nullable(Type.String(), "Nickname from the session metadata, or null."),
    origin: AgentOrigin,
    execution: Type.With(ExecutionWindow, {
      description: "Thread lifetime; `thread_ended` closes it and (schema 2) `thread_resumed` re-opens it.",
    }),
    default_model: Nullable(Type.String(), "Model from the session metadata, or null."),
    conversation_item_ids: IdList(
      "Conversation items of this thread in order of first observation (unique).",
    ),
  },
  {
    title: "AgentThread",
    description: "A thread of the rollout tree.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Where a thread came from. */
export type AgentOrigin = Static<typeof AgentOrigin>;
/** A thread of the rollout tree. */
export type AgentThread = Static<typeof AgentThread>;
