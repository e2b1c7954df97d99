import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";
import { ResponseItem } from "./response-item.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** The result of a tool dispatch (internally tagged by `type`). */
export const ToolDispatchResult = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal("direct_response"),
        response_item: Type.With(ResponseItem, {
          description:
            "The item returned to the model, e.g. a `function_call_output` whose `output` is a string or an array of content items.",
        }),
      },
      { title: "ToolDispatchResult_direct_response", description: "A result the model sees directly." },
    ),
    Type.Object(
      {
        type: Type.Literal("code_mode_response"),
        value: Type.Unknown({
          description:
            "Any JSON value returned to the code cell, e.g. `{output, exit_code, original_token_count, chunk_id}` for terminals.",
        }),
      },
      {
        title: "ToolDispatchResult_code_mode_response",
        description: "A result returned to a code-mode cell.",
      },
    ),
    Type.Object(
      { type: Type.Literal("error"), error: Text("Dispatch error message.") },
      { title: "ToolDispatchResult_error", description: "Dispatch failed." },
    ),
  ],
  {
    title: "ToolDispatchResult",
    description: "Result of a tool dispatch, tagged by `type`.",
  },
);

/** A code-mode runtime response recorded for a code cell. */
export const CodeCellRuntimeResult = Type.Object(
  {
    response: Type.Unknown({
      description:
        'The runtime response, e.g. `{"Yielded": {cell_id, content_items, ...}}` or `{"Result": {cell_id, content_items, error_text, ...}}`.',
    }),
  },
  {
    title: "CodeCellRuntimeResult",
    description: 'A code cell\'s runtime response, `{"response": ...}` (not read by the reducer).',
  },
);

/** Document of payload kind `tool_result`. */
export const ToolResultPayload = Type.Union([ToolDispatchResult, CodeCellRuntimeResult], {
  title: "ToolResultPayload",
  description:
    'Document of payload kind `tool_result`: a dispatch result tagged by `type` (from `tool_call_ended`), or a code-cell runtime response `{"response": ...}` (from `code_cell_initial_response` / `code_cell_ended`).',
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Result of a tool dispatch. */
export type ToolDispatchResult = Static<typeof ToolDispatchResult>;
/** A code cell's runtime response. */
export type CodeCellRuntimeResult = Static<typeof CodeCellRuntimeResult>;
/** Document of payload kind `tool_result`. */
export type ToolResultPayload = Static<typeof ToolResultPayload>;
