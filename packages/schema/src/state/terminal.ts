import { type Static, Type } from "typebox";
import { IdList, Nullable, StrictObject, Text } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** What a terminal operation did. */
export const TerminalOperationKind = Type.Enum(["exec_command", "write_stdin"], {
  title: "TerminalOperationKind",
  description: "Kind of a terminal operation.",
});

/** Where the model saw a terminal operation. */
export const TerminalObservationSource = Type.Enum(["direct_tool_call", "code_cell_output"], {
  title: "TerminalObservationSource",
  description:
    "How the model observed a terminal operation (`code_cell_output` is declared, never produced).",
});

function optionalCount(description: string) {
  return Nullable(Type.Integer({ minimum: 0 }), description);
}

/** The request of a terminal operation (internally tagged by `type`). */
export const TerminalRequest = Type.Union(
  [
    StrictObject(
      {
        type: Type.Literal("exec_command"),
        command: Type.Array(Type.String(), { description: "Command and arguments." }),
        display_command: Text("The command joined with single spaces."),
        cwd: Text("Working directory."),
        yield_time_ms: optionalCount("Yield time in milliseconds, or null."),
        max_output_tokens: optionalCount("Output token limit, or null."),
      },
      { title: "TerminalRequest_exec_command", description: "Start a command." },
    ),
    StrictObject(
      {
        type: Type.Literal("write_stdin"),
        stdin: Text("Text written to the process; empty for a poll."),
        yield_time_ms: optionalCount("Yield time in milliseconds, or null."),
        max_output_tokens: optionalCount("Output token limit, or null."),
      },
      { title: "TerminalRequest_write_stdin", description: "Write to (or poll) a running process." },
    ),
  ],
  {
    title: "TerminalRequest",
    description: "Request of a terminal operation, tagged by `type`.",
  },
);

/** The result of a terminal operation. */
export const TerminalResult = StrictObject(
  {
    exit_code: Nullable(Type.Integer(), "Exit code, or null when unknown."),
    stdout: Text("Standard output (or the text returned to the model)."),
    stderr: Text("Standard error (or the dispatch error)."),
    formatted_output: Nullable(Type.String(), "Output as formatted for the model, or null."),
    original_token_count: optionalCount("Token count before truncation, or null."),
    chunk_id: Nullable(Type.String(), "Output chunk id, or null."),
  },
  {
    title: "TerminalResult",
    description: "Result of a terminal operation, from the runtime end event or from the dispatch result.",
  },
);

/** Where the model saw a terminal operation's call and output. */
export const TerminalModelObservation = StrictObject(
  {
    call_item_ids: IdList("Call items of the tool call."),
    output_item_ids: IdList("Output items of the tool call."),
    source: TerminalObservationSource,
  },
  {
    title: "TerminalModelObservation",
    description: "Model-visible items of the tool call that ran the operation.",
  },
);

/** A terminal session (a runtime process). */
export const TerminalSession = StrictObject(
  {
    terminal_id: Text(
      "Schema 1: the runtime process id. Schema 2: `terminal_session:<created_by_operation_id>`.",
    ),
    thread_id: Text("Thread of the session."),
    created_by_operation_id: Text("First operation that named the session."),
    operation_ids: IdList("Operations on this session, unique, in order."),
    execution: Type.With(ExecutionWindow, {
      description: "Starts with the creating operation; never ended by the reference (stays `running`).",
    }),
  },
  {
    title: "TerminalSession",
    description: "A terminal process and the operations performed on it.",
  },
);

/** One terminal operation (an exec or a stdin write). */
export const TerminalOperation = StrictObject(
  {
    operation_id: Text("`terminal_operation:<n>`, numbered from 1 per replay."),
    terminal_id: Nullable(Type.String(), "The session, or null while unknown."),
    tool_call_id: Text("The tool call that ran the operation."),
    kind: TerminalOperationKind,
    execution: Type.With(ExecutionWindow, { description: "Operation lifetime." }),
    request: TerminalRequest,
    result: Nullable(TerminalResult, "Result, or null while running."),
    model_observations: Type.Array(TerminalModelObservation, {
      description: "Where the model saw the operation (at most one `direct_tool_call` entry).",
    }),
    raw_payload_ids: Type.Array(RawPayloadId, {
      description: "Payloads used to build the operation, unique, in order.",
    }),
  },
  {
    title: "TerminalOperation",
    description: "A command started in, or input written to, a terminal session.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Kind of a terminal operation. */
export type TerminalOperationKind = Static<typeof TerminalOperationKind>;
/** How the model observed a terminal operation. */
export type TerminalObservationSource = Static<typeof TerminalObservationSource>;
/** Request of a terminal operation. */
export type TerminalRequest = Static<typeof TerminalRequest>;
/** Result of a terminal operation. */
export type TerminalResult = Static<typeof TerminalResult>;
/** Model-visible items of a terminal operation. */
export type TerminalModelObservation = Static<typeof TerminalModelObservation>;
/** A terminal session. */
export type TerminalSession = Static<typeof TerminalSession>;
/** A terminal operation. */
export type TerminalOperation = Static<typeof TerminalOperation>;
