import { type Static, Type } from "typebox";
import { ExecutionStatus } from "../enums.ts";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `tool_call_ended`: the dispatch of a tool call returned. */
export const ToolCallEnded = Type.Object(
  {
    type: Type.Literal("tool_call_ended"),
    tool_call_id: Text("The tool call that ended."),
    status: Described(ExecutionStatus, "Dispatch outcome (`failed` when dispatch itself errored)."),
    result_payload: Nullable(
      Described(RawPayloadRef, "The dispatch result (kind `tool_result`)."),
      "The dispatch result (kind `tool_result`), or null.",
    ),
  },
  {
    title: "ToolCallEnded",
    description: "The dispatch of a tool call returned. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `tool_call_ended` event payload. */
export type ToolCallEnded = Static<typeof ToolCallEnded>;
