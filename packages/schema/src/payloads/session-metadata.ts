import { type Static, Type } from "typebox";
import { Nullable, Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** The `thread_spawn` description of a spawned sub-agent's session source. */
export const ThreadSpawnSource = Type.Object(
  {
    parent_thread_id: Text("The thread that spawned this one."),
    depth: Type.Optional(Type.Integer({ minimum: 0, description: "Spawn depth below the root." })),
    agent_path: Type.Optional(
      Nullable(Type.String(), "Agent path of the child; wins over the metadata value."),
    ),
    agent_nickname: Type.Optional(Nullable(Type.String(), "Nickname of the child.")),
    agent_role: Type.Optional(Nullable(Type.String(), "Role of the child.")),
    task_name: Type.Optional(Nullable(Type.String(), "Task name of the child.")),
  },
  {
    title: "ThreadSpawnSource",
    description: "How a multi-agent child thread was spawned.",
  },
);

/** The protocol `SessionSource` of a thread. */
export const SessionSource = Type.Union(
  [
    Type.String({ description: 'A plain source such as `"exec"` or `"cli"`.' }),
    Type.Object(
      {
        subagent: Type.Optional(
          Type.Union(
            [
              Type.String({ description: "A sub-agent source without details." }),
              Type.Object(
                { thread_spawn: Type.Optional(ThreadSpawnSource) },
                { description: 'Sub-agent details; spawned children use `{"thread_spawn": ...}`.' },
              ),
            ],
            { description: "Sub-agent session source." },
          ),
        ),
      },
      { description: 'A structured source, e.g. `{"subagent":{"thread_spawn":{...}}}` for a spawned child.' },
    ),
  ],
  {
    title: "SessionSource",
    description: "Where the session came from, as the protocol serializes it: a string or a tagged object.",
  },
);

/** Thread start metadata (payload kind `session_metadata`). */
export const ThreadStartedTraceMetadata = Type.Object(
  {
    thread_id: Text("The thread that started."),
    agent_path: Text("Routing path of the agent, e.g. `/root` or `/root/repo_file_counter`."),
    task_name: Type.Optional(Nullable(Type.String(), "Task name of a spawned agent, or null.")),
    nickname: Type.Optional(Nullable(Type.String(), "Display nickname of the agent, or null.")),
    agent_role: Type.Optional(Nullable(Type.String(), "Role of the agent, or null.")),
    session_source: SessionSource,
    cwd: Text("Working directory of the session."),
    rollout_path: Type.Optional(Nullable(Type.String(), "Path of the Codex rollout file, or null.")),
    model: Text("Default model of the thread."),
    provider_name: Text("Configured model provider id."),
    approval_policy: Text("Approval policy, e.g. `never`."),
    sandbox_policy: Text("Sandbox policy as Codex renders it, e.g. `DangerFullAccess`."),
  },
  {
    title: "ThreadStartedTraceMetadata",
    description:
      "Document of payload kind `session_metadata`, referenced by `thread_started.metadata_payload`. Nullable fields may also be absent.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** How a child thread was spawned. */
export type ThreadSpawnSource = Static<typeof ThreadSpawnSource>;
/** The protocol session source. */
export type SessionSource = Static<typeof SessionSource>;
/** Thread start metadata. */
export type ThreadStartedTraceMetadata = Static<typeof ThreadStartedTraceMetadata>;
