import { type Static, Type } from "typebox";
import { CodeCellRuntimeStatus } from "../enums.ts";
import { IdList, Nullable, Seq, StrictObject, Text, UnixMs } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

const leadingFields = {
  code_cell_id: Text("`code_cell:<model_visible_call_id>`."),
  model_visible_call_id: Text("`call_id` of the model's `exec` call."),
  thread_id: Text("Thread of the cell."),
  codex_turn_id: Text("Envelope turn of `code_cell_started`."),
  source_item_id: Text("The `custom_tool_call` item that holds the JavaScript."),
  output_item_ids: IdList("`custom_tool_call_output` items with the call id."),
  runtime_cell_id: Nullable(Type.String(), "Runtime handle of the cell."),
  execution: Type.With(ExecutionWindow, { description: "Full runtime window, from `code_cell_started`." }),
  runtime_status: Type.With(CodeCellRuntimeStatus, {
    description: "Latest runtime status (starts `starting`).",
  }),
  initial_response_at_unix_ms: Nullable(
    UnixMs("Wall time of the first initial response."),
    "Wall time of the first initial response (or of the end event when there was none), or null.",
  ),
  initial_response_seq: Nullable(Seq("Seq of the first initial response."), "Seq of that event, or null."),
};

const initialResponseFields = {
  initial_response_status: Nullable(
    CodeCellRuntimeStatus,
    "Schema 2: status of the initial response, or null without one.",
  ),
  raw_initial_response_payload_id: Nullable(
    RawPayloadId,
    "Schema 2: payload of the initial response, or null.",
  ),
  raw_result_payload_id: Nullable(RawPayloadId, "Schema 2: payload of `code_cell_ended`, or null."),
};

const trailingFields = {
  yielded_at_unix_ms: Nullable(
    UnixMs("Wall time of the last yielded initial response."),
    "Wall time of the last yielded initial response, or null.",
  ),
  yielded_seq: Nullable(Seq("Seq of the last yielded initial response."), "Seq of that event, or null."),
  source_js: Text("The JavaScript source."),
  nested_tool_call_ids: IdList("Tool calls made by this cell's JavaScript."),
  wait_tool_call_ids: IdList("Model-visible `wait` calls targeting this cell."),
};

/** A code-mode cell, schema 1 state. */
export const CodeCellV1 = StrictObject(
  { ...leadingFields, ...trailingFields },
  { title: "CodeCellV1", description: "A code-mode `exec` cell (schema 1 state)." },
);

/** A code-mode cell, schema 2 state. */
export const CodeCellV2 = StrictObject(
  { ...leadingFields, ...initialResponseFields, ...trailingFields },
  {
    title: "CodeCellV2",
    description:
      "A code-mode `exec` cell (schema 2 state): adds the initial response status and the initial and final response payloads (nullable).",
  },
);

/** A code-mode cell of either state version. */
export const CodeCell = StrictObject(
  {
    ...leadingFields,
    initial_response_status: Type.Optional(initialResponseFields.initial_response_status),
    raw_initial_response_payload_id: Type.Optional(initialResponseFields.raw_initial_response_payload_id),
    raw_result_payload_id: Type.Optional(initialResponseFields.raw_result_payload_id),
    ...trailingFields,
  },
  {
    title: "CodeCell",
    description: "A code-mode `exec` cell of either state version (the schema 2 fields are optional).",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A code cell in schema 1 state. */
export type CodeCellV1 = Static<typeof CodeCellV1>;
/** A code cell in schema 2 state. */
export type CodeCellV2 = Static<typeof CodeCellV2>;
/** A code cell of either state version. */
export type CodeCell = Static<typeof CodeCell>;
