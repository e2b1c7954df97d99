import { type Static, Type } from "typebox";
import { CodeCellRuntimeStatus } from "../enums.ts";
import { Described, Nullable, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `code_cell_initial_response`: the first response of a code cell reached the model. */
export const CodeCellInitialResponse = Type.Object(
  {
    type: Type.Literal("code_cell_initial_response"),
    runtime_cell_id: Text("Runtime-local handle of the cell."),
    status: Described(CodeCellRuntimeStatus, "Runtime status carried by the response (often `yielded`)."),
    response_payload: Nullable(
      Described(RawPayloadRef, 'The runtime response (kind `tool_result`, document `{"response": ...}`).'),
      "The runtime response (kind `tool_result`), or null if it could not be written.",
    ),
  },
  {
    title: "CodeCellInitialResponse",
    description:
      "The first response of a cell. Does not end the cell, even with a terminal status. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `code_cell_initial_response` event payload. */
export type CodeCellInitialResponse = Static<typeof CodeCellInitialResponse>;
