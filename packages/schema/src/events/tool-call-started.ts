import { type Static, Type } from "typebox";
import { RawToolCallRequester, ToolCallKind, ToolCallSummary } from "../enums.ts";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `tool_call_started`: Codex dispatched a tool call. */
export const ToolCallStarted = Type.Object(
  {
    type: Type.Literal("tool_call_started"),
    tool_call_id: Text("Producer id of the tool call (Codex uses the call id)."),
    model_visible_call_id: Nullable(
      Type.String(),
      "The Responses `call_id` when the model asked for the tool; null for calls made by code cells.",
    ),
    code_mode_runtime_tool_id: Nullable(
      Type.String(),
      "Id the code-mode JavaScript runtime gave a nested call; null for model calls.",
    ),
    requester: Described(RawToolCallRequester, "Who asked for the call."),
    kind: Described(ToolCallKind, "Classification by tool name."),
    summary: Described(ToolCallSummary, "Display summary (producers write `generic`)."),
    invocation_payload: Nullable(
      Described(RawPayloadRef, "The canonical dispatch request (kind `tool_invocation`)."),
      "The canonical dispatch request (kind `tool_invocation`), or null.",
    ),
  },
  {
    title: "ToolCallStarted",
    description: "A tool call was dispatched. The envelope carries the thread and, usually, the turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `tool_call_started` event payload. */
export type ToolCallStarted = Static<typeof ToolCallStarted>;
