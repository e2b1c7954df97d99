import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** The protocol `AgentStatus` of a child agent. */
export const AgentStatus = Type.Union(
  [
    Type.String({ description: 'A status without details, e.g. `"running"`.' }),
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'A status with details, e.g. `{"completed": "done"}` or `{"failed": "boom"}`.',
    }),
  ],
  {
    title: "AgentStatus",
    description:
      "Status of an agent as the protocol serializes it: a string, or an object keyed by the status.",
  },
);

/** Document of payload kind `agent_result`. */
export const AgentResultPayload = Type.Object(
  {
    child_agent_path: Text("Agent path of the child that finished."),
    message: Text("The completion message."),
    status: AgentStatus,
  },
  {
    title: "AgentResultPayload",
    description: "Document of payload kind `agent_result`: a child's completion notification to its parent.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** The protocol status of an agent. */
export type AgentStatus = Static<typeof AgentStatus>;
/** Document of payload kind `agent_result`. */
export type AgentResultPayload = Static<typeof AgentResultPayload>;
