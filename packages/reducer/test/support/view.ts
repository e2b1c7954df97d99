// Typed access to a parsed state.json. Every getter fails the test with a readable message when the object is
// missing, so assertions can go straight to the field they care about.
import type {
  AgentThread,
  CodeCell,
  CodexTurn,
  Compaction,
  CompactionRequest,
  ConversationItem,
  InferenceCall,
  InteractionEdge,
  RawPayloadRef,
  TerminalOperation,
  TerminalSession,
  ToolCall,
} from "../../src/internal/model.ts";

export type { ConversationItem };

export interface ReducedState {
  schema_version: number;
  trace_id: string;
  rollout_id: string;
  started_at_unix_ms: number;
  ended_at_unix_ms: number | null;
  status: string;
  recording_complete?: boolean;
  root_thread_id: string;
  threads: Record<string, AgentThread>;
  codex_turns: Record<string, CodexTurn>;
  conversation_items: Record<string, ConversationItem>;
  inference_calls: Record<string, InferenceCall>;
  code_cells: Record<string, CodeCell>;
  tool_calls: Record<string, ToolCall>;
  terminal_sessions: Record<string, TerminalSession>;
  terminal_operations: Record<string, TerminalOperation>;
  compactions: Record<string, Compaction>;
  compaction_requests: Record<string, CompactionRequest>;
  interaction_edges: Record<string, InteractionEdge>;
  raw_payloads: Record<string, RawPayloadRef>;
}

type Collection = Exclude<
  {
    [K in keyof ReducedState]: ReducedState[K] extends Record<string, object> ? K : never;
  }[keyof ReducedState],
  undefined
>;

export class StateView {
  readonly state: ReducedState;

  constructor(state: ReducedState) {
    this.state = state;
  }

  private get<K extends Collection>(collection: K, id: string): ReducedState[K][string] {
    const value = this.state[collection][id];
    if (value === undefined) {
      const known = Object.keys(this.state[collection]).join(", ") || "none";
      throw new Error(`state.json has no ${collection} entry ${id} (known: ${known})`);
    }
    return value as ReducedState[K][string];
  }

  thread(id: string): AgentThread {
    return this.get("threads", id);
  }
  turn(id: string): CodexTurn {
    return this.get("codex_turns", id);
  }
  item(id: string): ConversationItem {
    return this.get("conversation_items", id);
  }
  inference(id: string): InferenceCall {
    return this.get("inference_calls", id);
  }
  cell(id: string): CodeCell {
    return this.get("code_cells", id);
  }
  tool(id: string): ToolCall {
    return this.get("tool_calls", id);
  }
  session(id: string): TerminalSession {
    return this.get("terminal_sessions", id);
  }
  operation(id: string): TerminalOperation {
    return this.get("terminal_operations", id);
  }
  compaction(id: string): Compaction {
    return this.get("compactions", id);
  }
  compactionRequest(id: string): CompactionRequest {
    return this.get("compaction_requests", id);
  }
  edge(id: string): InteractionEdge {
    return this.get("interaction_edges", id);
  }
  payload(id: string): RawPayloadRef {
    return this.get("raw_payloads", id);
  }

  /** Number of entries in a collection. */
  count(collection: Collection): number {
    return Object.keys(this.state[collection]).length;
  }

  /** The text of a single-text-part item (fails for any other body). */
  text(id: string): string {
    const parts = this.item(id).body.parts;
    const only = parts[0];
    if (parts.length !== 1 || only?.type !== "text") {
      throw new Error(`${id} is not a single text part: ${JSON.stringify(parts)}`);
    }
    return only.text;
  }

  /** Texts of single-text-part items, for compact assertions on item lists. */
  texts(ids: readonly string[]): string[] {
    return ids.map((id) => this.text(id));
  }
}
