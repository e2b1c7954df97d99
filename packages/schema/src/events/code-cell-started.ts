import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `code_cell_started`: a code-mode `exec` cell began running. */
export const CodeCellStarted = Type.Object(
  {
    type: Type.Literal("code_cell_started"),
    runtime_cell_id: Text("Runtime-local handle of the cell (may repeat across threads)."),
    model_visible_call_id: Text("`call_id` of the model's `exec` custom tool call that holds the source."),
    source_js: Text("The JavaScript source, after the public `exec` wrapper was parsed."),
  },
  {
    title: "CodeCellStarted",
    description: "A code-mode cell started. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `code_cell_started` event payload. */
export type CodeCellStarted = Static<typeof CodeCellStarted>;
