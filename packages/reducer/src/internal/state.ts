// Everything the replay keeps while it walks the events: the reduced collections, the reference's private
// bookkeeping (snapshots, pending starts and edges, counters) and indexes that replace its linear scans without
// changing which element wins a tie.
import { fail, ReplayError } from "./errors.ts";
import type { JsonValue } from "./json.ts";
import type {
  AgentThread,
  CodeCell,
  CodexTurn,
  Collections,
  ConversationItem,
  InferenceCall,
  InteractionEdgeKind,
  RawPayloadRef,
  RolloutHeader,
  ToolCall,
  TraceAnchor,
} from "./model.ts";
import { compareKeys } from "./order.ts";

/**
 * Reads and parses a payload document. A reader reports a file it cannot read or parse by throwing a
 * {@link PayloadReadError}; the replay words it the way the reference does for the step that needed it.
 */
export type PayloadReader = (ref: RawPayloadRef) => JsonValue;

export class PayloadReadError extends Error {
  override readonly name = "PayloadReadError";
  /** `open`: the file could not be read; `parse`: it is not JSON the reference accepts. */
  readonly phase: "open" | "parse";
  readonly causes: readonly string[];
  /** Bundle-relative path of the file, when known. */
  readonly file: string | undefined;

  constructor(phase: "open" | "parse", causes: readonly string[], file?: string) {
    super(causes[0] ?? phase);
    this.phase = phase;
    this.causes = causes;
    this.file = file;
  }
}

export interface PendingCellStart {
  code_cell_id: string;
  runtime_cell_id: string;
  model_visible_call_id: string;
  source_js: string;
  thread_id: string;
  codex_turn_id: string | null;
  at: number;
  seq: number;
}

export interface PendingCellEvent {
  kind: "initial_response" | "ended";
  status: import("./model.ts").CodeCellRuntimeStatus;
  response_payload_id: string | null;
  at: number;
  seq: number;
}

export interface PendingEdge {
  edge_id: string;
  kind: InteractionEdgeKind;
  source: TraceAnchor;
  target_thread_id: string;
  author: string;
  content: string;
  spawn_fallback_thread_id: string | null;
  started_at_unix_ms: number;
  ended_at_unix_ms: number | null;
  carried_raw_payload_ids: string[];
}

export interface Acceptance {
  at: number;
  seq: number;
}

export class ReplayState {
  readonly collections: Collections = {
    threads: new Map(),
    codex_turns: new Map(),
    conversation_items: new Map(),
    inference_calls: new Map(),
    code_cells: new Map(),
    tool_calls: new Map(),
    terminal_sessions: new Map(),
    terminal_operations: new Map(),
    compactions: new Map(),
    compaction_requests: new Map(),
    interaction_edges: new Map(),
    raw_payloads: new Map(),
  };

  nextItemNumber = 1;
  nextOperationNumber = 1;
  /** Per thread: the ids of the last model-visible snapshot (request + response). */
  readonly lastSnapshot = new Map<string, string[]>();
  /** Per thread: the input items of its last full-snapshot request and the items they became. */
  readonly lastFullRequests = new Map<string, { input: readonly JsonValue[]; ids: readonly string[] }>();
  /** Per thread: the replacement history of an installed compaction, used by the next full request. */
  readonly pendingReplacement = new Map<string, string[]>();
  /** `(thread, runtime cell id)` -> code cell id. */
  readonly runtimeCells = new Map<string, string>();
  readonly pendingCellStarts = new Map<string, PendingCellStart>();
  readonly pendingCellEvents = new Map<string, PendingCellEvent[]>();
  pendingEdges: PendingEdge[] = [];

  // Indexes.
  readonly threadItemSets = new Map<string, Set<string>>();
  /** Every conversation item of a thread, in creation order (whether or not it is in the transcript). */
  readonly itemsByThread = new Map<string, string[]>();
  /** `(thread, call id)` -> conversation items with that call id, in creation order. */
  readonly itemsByCallId = new Map<string, string[]>();
  /** Model-visible call id -> tool calls that carry it (any thread). */
  readonly toolsByModelCallId = new Map<string, string[]>();
  /** Responses id -> inference calls whose response_id it is. */
  readonly inferencesByResponseId = new Map<string, Set<string>>();
  /** Conversation item -> inference calls whose current response contains it. */
  readonly inferencesByResponseItem = new Map<string, Set<string>>();
  readonly inferencesByTurn = new Map<string, string[]>();
  readonly codeCellsByTurn = new Map<string, string[]>();
  readonly toolsByRequesterCell = new Map<string, string[]>();
  /** Compaction id -> compaction requests made for it. */
  readonly compactionRequestsById = new Map<string, string[]>();
  /** Items that are the target of some interaction edge. */
  readonly edgeTargetItems = new Set<string>();
  /** Schema 2: `(thread, Responses id)` -> first acceptance. */
  readonly acceptances = new Map<string, Acceptance>();
  /** Schema 2: `(thread, Responses id)` -> item created by accepting an agent message, until a sighting claims it. */
  readonly unclaimedAgentMessages = new Map<string, string>();
  /** Schema 2: `(thread, Responses id)` -> conversation items with that id. */
  readonly itemsByResponsesId = new Map<string, string[]>();
  /** Schema 2: `(thread, runtime process id)` -> session of the exec that last named that process. */
  readonly sessionsByProcessId = new Map<string, string>();
  /** Schema 2: terminal operation -> the runtime process id it ran on, once known. */
  readonly operationProcesses = new Map<string, string | null>();
  /** Schema 2: response items that have not joined their thread's transcript (never accepted or sighted again). */
  readonly provisionalItems = new Set<string>();
  /** Terminal operation -> the thread of its tool (not part of state.json). */
  readonly operationThreads = new Map<string, string>();
  /** Schema 2: write_stdin tool -> exec tool it was resolved to. */
  readonly stdinTargets = new Map<string, string>();
  recordingCompleted = false;

  readonly version: 1 | 2;
  readonly header: RolloutHeader;
  private readonly reader: PayloadReader;

  constructor(version: 1 | 2, header: RolloutHeader, reader: PayloadReader) {
    this.version = version;
    this.header = header;
    this.reader = reader;
  }

  // Payloads the current event's steps have read: a step that needs one again (or the schema-2 check of every
  // carried payload) does not read and parse it twice. A new map per event, not `clear()`: once V8 has moved the map
  // to the old generation, a cleared table still points at the documents until the next full GC, so every parsed
  // document would survive young-generation collections and be copied to the old generation (3x the GC time).
  private eventReads = new Map<string, JsonValue>();

  beginEvent(): void {
    this.eventReads = new Map();
  }

  /** A payload a reducer step needs: `open payload <id>` / `parse payload <id>` when it is unusable. */
  readPayload(ref: RawPayloadRef): JsonValue {
    return this.read(ref, "open", "parse");
  }

  /** Schema 2 checks every carried payload: `read payload <id>` / `invalid payload <id>` when it is unusable. */
  checkPayload(ref: RawPayloadRef): void {
    this.read(ref, "read", "invalid");
  }

  private read(ref: RawPayloadRef, openWord: string, parseWord: string): JsonValue {
    const known = this.eventReads.get(ref.path);
    if (known !== undefined) return known;
    try {
      const value = this.reader(ref);
      this.eventReads.set(ref.path, value);
      return value;
    } catch (error) {
      if (!(error instanceof PayloadReadError)) throw error;
      const word = error.phase === "open" ? openWord : parseWord;
      throw new ReplayError(
        `${word} payload ${ref.raw_payload_id}`,
        error.causes,
        error.file ? { file: error.file } : undefined,
      );
    }
  }

  /**
   * The order of "first item in map order" lookups: schema 1 iterates its item map in key order (so
   * `conversation_item:10` comes before `conversation_item:9`); schema 2 in creation order.
   */
  compareItems(a: string, b: string): number {
    return this.version === 1 ? compareKeys(a, b) : itemNumber(a) - itemNumber(b);
  }

  thread(id: string): AgentThread {
    return this.collections.threads.get(id) ?? fail(`trace event referenced unknown thread ${id}`);
  }

  turn(id: string): CodexTurn | undefined {
    return this.collections.codex_turns.get(id);
  }

  item(id: string): ConversationItem {
    return (
      this.collections.conversation_items.get(id) ??
      fail(`conversation item ${id} was referenced before it was created`)
    );
  }

  tool(id: string): ToolCall | undefined {
    return this.collections.tool_calls.get(id);
  }

  inference(id: string): InferenceCall | undefined {
    return this.collections.inference_calls.get(id);
  }

  codeCell(id: string): CodeCell | undefined {
    return this.collections.code_cells.get(id);
  }

  threadItems(threadId: string): Set<string> {
    let set = this.threadItemSets.get(threadId);
    if (!set) {
      set = new Set();
      this.threadItemSets.set(threadId, set);
    }
    return set;
  }
}

export function itemNumber(itemId: string): number {
  return Number(itemId.slice(itemId.lastIndexOf(":") + 1));
}

export function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

export function pushIndex<K>(index: Map<K, string[]>, key: K, value: string): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}
