import { type Static, Type } from "typebox";
import { ExecutionStatus } from "../enums.ts";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `tool_call_runtime_ended`: the runtime finished executing a tool. */
export const ToolCallRuntimeEnded = Type.Object(
  {
    type: Type.Literal("tool_call_runtime_ended"),
    tool_call_id: Text("The tool call (for sub-agent activity: the activity's `event_id`)."),
    status: Described(
      ExecutionStatus,
      "Runtime outcome: exec/patch `completed`, `failed`, or `cancelled` when declined; MCP `completed` or `failed`.",
    ),
    runtime_payload: Described(
      RawPayloadRef,
      "The runtime end observation or sub-agent activity (kind `tool_runtime_event` or `terminal_runtime_event`).",
    ),
  },
  {
    title: "ToolCallRuntimeEnded",
    description:
      "The runtime finished executing a tool, or a sub-agent activity was observed. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `tool_call_runtime_ended` event payload. */
export type ToolCallRuntimeEnded = Static<typeof ToolCallRuntimeEnded>;
