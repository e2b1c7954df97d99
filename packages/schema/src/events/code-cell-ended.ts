import { type Static, Type } from "typebox";
import { CodeCellRuntimeStatus } from "../enums.ts";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `code_cell_ended`: a code cell finished. */
export const CodeCellEnded = Type.Object(
  {
    type: Type.Literal("code_cell_ended"),
    runtime_cell_id: Text("Runtime-local handle of the cell."),
    status: Described(CodeCellRuntimeStatus, "Final runtime status."),
    response_payload: Nullable(
      Described(
        RawPayloadRef,
        'The final runtime response (kind `tool_result`, document `{"response": ...}`).',
      ),
      "The final runtime response (kind `tool_result`), or null.",
    ),
  },
  {
    title: "CodeCellEnded",
    description: "A code cell finished. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `code_cell_ended` event payload. */
export type CodeCellEnded = Static<typeof CodeCellEnded>;
