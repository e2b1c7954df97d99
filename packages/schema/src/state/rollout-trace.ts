import { type Static, type TSchema, Type } from "typebox";
import { RolloutStatus } from "../enums.ts";
import { Nullable, StrictObject, Text, UnixMs } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";
import { AgentThread } from "./agent-thread.ts";
import { CodeCellV1, CodeCellV2 } from "./code-cell.ts";
import { CodexTurn } from "./codex-turn.ts";
import { Compaction, CompactionRequest } from "./compaction.ts";
import { ConversationItemV1, ConversationItemV2 } from "./conversation.ts";
import { InferenceCallV1, InferenceCallV2 } from "./inference-call.ts";
import { InteractionEdge } from "./interaction-edge.ts";
import { TerminalOperation, TerminalSession } from "./terminal.ts";
import { ToolCallV1, ToolCallV2 } from "./tool-call.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** What a partial replay skipped; written only by rollout-trace, which readers of the reference shape ignore. */
export const ReplayDiagnostics = Type.Array(
  StrictObject(
    {
      file: Text("Bundle-relative file that held the skipped data (`trace.jsonl`)."),
      line: Type.Integer({ minimum: 1, description: "1-based line where the skipped tail starts." }),
      message: Text("What was skipped and why."),
    },
    { title: "ReplayDiagnostic", description: "One skipped region." },
  ),
  {
    title: "ReplayDiagnostics",
    description:
      "Present only when the reducer ran in partial mode and skipped a torn last line or trailing garbage left by a crashed producer.",
  },
);

function MapOf<T extends TSchema>(value: T, description: string) {
  return Type.Record(Type.String(), value, { description });
}

const identityFields = {
  trace_id: Text("From the manifest, replaced by `rollout_started.trace_id`."),
  rollout_id: Text("From the manifest."),
  started_at_unix_ms: UnixMs("From the manifest."),
  ended_at_unix_ms: Nullable(
    UnixMs("Wall time of `rollout_ended`."),
    "Wall time of `rollout_ended`, or null.",
  ),
  status: Type.With(RolloutStatus, { description: "`running` until `rollout_ended`." }),
};

const rootThreadField = {
  root_thread_id: Text("From the manifest, replaced by `rollout_started.root_thread_id`."),
};

function graphFields<
  Item extends TSchema,
  Inference extends TSchema,
  Cell extends TSchema,
  Tool extends TSchema,
>(item: Item, inference: Inference, cell: Cell, tool: Tool) {
  return {
    threads: MapOf(AgentThread, "Threads by thread id."),
    codex_turns: MapOf(CodexTurn, "Codex turns by turn id."),
    conversation_items: MapOf(item, "Conversation items by item id."),
    inference_calls: MapOf(inference, "Inference calls by call id."),
    code_cells: MapOf(cell, "Code cells by code cell id."),
    tool_calls: MapOf(tool, "Tool calls by tool call id."),
    terminal_sessions: MapOf(TerminalSession, "Terminal sessions by terminal id."),
    terminal_operations: MapOf(TerminalOperation, "Terminal operations by operation id."),
    compactions: MapOf(Compaction, "Installed compactions by compaction id."),
    compaction_requests: MapOf(CompactionRequest, "Compaction requests by request id."),
    interaction_edges: MapOf(InteractionEdge, "Interaction edges by edge id."),
    raw_payloads: MapOf(RawPayloadRef, "Every payload reference carried by a replayed event, by payload id."),
    replay_diagnostics: Type.Optional(ReplayDiagnostics),
  };
}

/** The reduced state `state.json` of a trace schema 1 bundle. */
export const RolloutTraceV1 = StrictObject(
  {
    schema_version: Type.Literal(1, { description: "Reduced state version: 1." }),
    ...identityFields,
    ...rootThreadField,
    ...graphFields(ConversationItemV1, InferenceCallV1, CodeCellV1, ToolCallV1),
  },
  {
    title: "RolloutTraceV1",
    description:
      "The reduced state `state.json` of a trace schema 1 bundle: maps with keys in byte-wise order, fields in the listed order, `null` for absent values except where a field is optional.",
  },
);

/** The reduced state `state.json` of a trace schema 2 bundle. */
export const RolloutTraceV2 = StrictObject(
  {
    schema_version: Type.Literal(2, { description: "Reduced state version: 2." }),
    ...identityFields,
    recording_complete: Type.Boolean({ description: "Whether the bundle ends with `recording_completed`." }),
    ...rootThreadField,
    ...graphFields(ConversationItemV2, InferenceCallV2, CodeCellV2, ToolCallV2),
  },
  {
    title: "RolloutTraceV2",
    description:
      "The reduced state `state.json` of a trace schema 2 bundle: adds `recording_complete` and the schema 2 fields of items, usage, tool calls and code cells.",
  },
);

/** The reduced state of either schema version. */
export const RolloutTrace = Type.Union([RolloutTraceV1, RolloutTraceV2], {
  title: "RolloutTrace",
  description: "The reduced state `state.json`, of trace schema 1 or 2 (chosen by `schema_version`).",
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** The reduced state of a schema 1 bundle. */
export type RolloutTraceV1 = Static<typeof RolloutTraceV1>;
/** The reduced state of a schema 2 bundle. */
export type RolloutTraceV2 = Static<typeof RolloutTraceV2>;
/** The reduced state of either schema version. */
export type RolloutTrace = Static<typeof RolloutTrace>;
/** What a partial replay skipped. */
export type ReplayDiagnostics = Static<typeof ReplayDiagnostics>;
