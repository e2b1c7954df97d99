import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `stdin_target_resolved` (schema 2): a `write_stdin` call was linked to the exec call whose process it targets. */
export const StdinTargetResolved = Type.Object(
  {
    type: Type.Literal("stdin_target_resolved"),
    tool_call_id: Text("The `write_stdin` tool call (already started)."),
    exec_tool_call_id: Text("The `exec_command` tool call whose live process receives the input."),
  },
  {
    title: "StdinTargetResolved",
    description:
      "Schema 2 only. Written after the `write_stdin` call's `tool_call_started` and before its `tool_call_ended`; both calls must be known. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `stdin_target_resolved` event payload. */
export type StdinTargetResolved = Static<typeof StdinTargetResolved>;
