// What a schema-1 reduction and the schema-2 reduction of its conversion can both express, as one comparable value.
// Conversation items are compared by content, not by id: the two reducers number and reuse items differently.
//
// Differences this projection leaves out on purpose, because the two schemas reduce them differently:
// - conversation item ids, the thread transcripts (`conversation_item_ids`) and `produced_by`: schema 2 keeps model
//   output out of the transcript until it is accepted or sighted again, orders transcripts by creation, matches
//   items also by Responses id and identifies images and other opaque parts by content digest;
// - schema-2-only fields (`recording_complete`, `responses_item_id`, `accepted_*`, `cache_write_input_tokens`,
//   `started_code_cell_id`, the new code-cell fields);
// - terminal session ids (`terminal_session:<operation>` in schema 2, the runtime process id in schema 1) and exec
//   results (schema 2 reads the runtime's aggregated output, schema 1 its stdout and stderr);
// - the request payload id of a request the conversion rewrote (it carries a new payload);
// - the items linked to tools, code cells and edges are compared as sets of contents, because a request that
//   schema 1 reduced incrementally after an untraced prefix re-creates items that schema 2 reuses;
// - after an untraced-prefix request (`mergedPrefixes`), reasoning items are compared by their encrypted content
//   only: schema 2 reuses the earlier item, whose readable text was merged in from earlier sightings, where schema 1
//   re-created it from the request alone.
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function record(value: Json | undefined): JsonRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("expected an object");
  return value;
}

function list(value: Json | undefined): Json[] {
  if (!Array.isArray(value)) throw new Error("expected an array");
  return value;
}

function pick(object: JsonRecord, keys: readonly string[]): JsonRecord {
  const out: JsonRecord = {};
  for (const key of keys) out[key] = object[key] ?? null;
  return out;
}

function sortedBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  return [...values].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

class Projector {
  private readonly state: JsonRecord;
  private readonly items: JsonRecord;
  private readonly replacedPayloads: ReadonlySet<string>;
  private readonly mergedPrefixes: boolean;

  constructor(state: JsonRecord, replacedPayloads: ReadonlySet<string>, mergedPrefixes: boolean) {
    this.state = state;
    this.items = record(state.conversation_items);
    this.replacedPayloads = replacedPayloads;
    this.mergedPrefixes = mergedPrefixes;
  }

  /** An item as content: what the model saw, whatever its id. Opaque parts compare by label. */
  content(id: Json): string {
    const item = record(this.items[id as string]);
    const parts = list(record(item.body).parts).map((part) => {
      const p = record(part);
      if (p.type === "payload_ref") return { type: "payload_ref", label: p.label ?? null };
      if (p.type === "json") return { type: "json", summary: p.summary ?? null };
      return p;
    });
    const encrypted = parts.filter((part) => part.type === "encoded");
    // Schema 1 marks a message without readable parts with an `empty_content` part; schema 2 leaves it empty.
    const body =
      parts.length === 1 && parts[0]?.label === "empty_content"
        ? []
        : this.mergedPrefixes && item.kind === "reasoning" && encrypted.length > 0
          ? encrypted
          : parts;
    return JSON.stringify({ ...pick(item, ["role", "channel", "kind", "agent_message", "call_id"]), body });
  }

  contents(ids: Json | undefined): string[] {
    return list(ids).map((id) => this.content(id));
  }

  contentSet(ids: Json | undefined): string[] {
    return [...new Set(this.contents(ids))].sort();
  }

  anchor(value: Json | undefined): Json {
    const anchor = record(value);
    if (anchor.type === "conversation_item")
      return { type: "conversation_item", content: this.content(anchor.item_id ?? null) };
    return anchor;
  }

  map(name: string, project: (value: JsonRecord) => Json): JsonRecord {
    const out: JsonRecord = {};
    for (const [key, value] of Object.entries(record(this.state[name]))) out[key] = project(record(value));
    return out;
  }

  transcripts(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, thread] of Object.entries(record(this.state.threads))) {
      out[id] = this.contentSet(record(thread).conversation_item_ids);
    }
    return out;
  }

  project(): JsonRecord {
    const state = this.state;
    return {
      header: pick(state, [
        "trace_id",
        "rollout_id",
        "started_at_unix_ms",
        "ended_at_unix_ms",
        "status",
        "root_thread_id",
      ]),
      threads: this.map("threads", (thread) =>
        pick(thread, ["thread_id", "agent_path", "nickname", "origin", "execution", "default_model"]),
      ),
      codex_turns: this.map("codex_turns", (turn) => turn),
      inference_calls: this.map("inference_calls", (call) => ({
        ...pick(call, [
          "thread_id",
          "codex_turn_id",
          "execution",
          "model",
          "provider_name",
          "response_id",
          "upstream_request_id",
          "tool_call_ids_started_by_response",
          "raw_response_payload_id",
        ]),
        raw_request_payload_id: this.replacedPayloads.has(call.raw_request_payload_id as string)
          ? "replaced"
          : (call.raw_request_payload_id ?? null),
        usage:
          call.usage === null
            ? null
            : pick(record(call.usage), [
                "input_tokens",
                "cached_input_tokens",
                "output_tokens",
                "reasoning_output_tokens",
              ]),
        request: this.contents(call.request_item_ids),
        response: this.contents(call.response_item_ids),
      })),
      tool_calls: this.map("tool_calls", (tool) => ({
        ...pick(tool, [
          "mcp_call_id",
          "model_visible_call_id",
          "code_mode_runtime_tool_id",
          "thread_id",
          "started_by_codex_turn_id",
          "execution",
          "requester",
          "kind",
          "terminal_operation_id",
          "summary",
          "raw_invocation_payload_id",
          "raw_result_payload_id",
          "raw_runtime_payload_ids",
        ]),
        call_items: this.contentSet(tool.model_visible_call_item_ids),
        output_items: this.contentSet(tool.model_visible_output_item_ids),
      })),
      terminal_operations: this.map("terminal_operations", (operation) => ({
        ...pick(operation, ["tool_call_id", "kind", "execution", "request", "raw_payload_ids"]),
        result: operation.result === null ? null : pick(record(operation.result), ["exit_code"]),
        terminal_known: operation.terminal_id !== null,
        observations: list(operation.model_observations).map((observation) => {
          const o = record(observation);
          return {
            source: o.source ?? null,
            calls: this.contentSet(o.call_item_ids),
            outputs: this.contentSet(o.output_item_ids),
          };
        }),
      })),
      code_cells: this.map("code_cells", (cell) => ({
        ...pick(cell, [
          "model_visible_call_id",
          "thread_id",
          "codex_turn_id",
          "runtime_cell_id",
          "execution",
          "runtime_status",
          "initial_response_at_unix_ms",
          "initial_response_seq",
          "yielded_at_unix_ms",
          "yielded_seq",
          "source_js",
          "nested_tool_call_ids",
          "wait_tool_call_ids",
        ]),
        source: this.content(cell.source_item_id ?? null),
        outputs: this.contentSet(cell.output_item_ids),
      })),
      compactions: this.map("compactions", (compaction) => ({
        ...pick(compaction, ["thread_id", "codex_turn_id", "installed_at_unix_ms", "request_ids"]),
        marker: this.content(compaction.marker_item_id ?? null),
        input: this.contents(compaction.input_item_ids),
        replacement: this.contents(compaction.replacement_item_ids),
      })),
      compaction_requests: this.map("compaction_requests", (request) => request),
      interaction_edges: this.map("interaction_edges", (edge) => ({
        ...pick(edge, ["kind", "started_at_unix_ms", "ended_at_unix_ms", "carried_raw_payload_ids"]),
        source: this.anchor(edge.source),
        target: this.anchor(edge.target),
        carried: this.contentSet(edge.carried_item_ids),
      })),
      raw_payloads: sortedBy(
        Object.keys(record(state.raw_payloads)).filter((id) => !this.replacedPayloads.has(id)),
        (id) => id,
      ),
    };
  }
}

/**
 * The comparable projection of a reduced state. `replacedPayloads` are payload ids that only one side carries: the
 * original request and untraced prefix of a request the conversion rewrote, and the payload that replaced them;
 * `mergedPrefixes` says the conversion merged an untraced prefix into a full snapshot.
 */
export function semanticProjection(
  state: unknown,
  replacedPayloads: ReadonlySet<string> = new Set(),
  mergedPrefixes = false,
): unknown {
  return new Projector(record(state as Json), replacedPayloads, mergedPrefixes).project();
}

/** Each thread's transcript as the sorted set of its items' contents. */
export function transcriptContents(state: unknown, mergedPrefixes = false): Record<string, string[]> {
  return new Projector(record(state as Json), new Set(), mergedPrefixes).transcripts();
}

/** `value` with every `*_seq` number replaced by `seqOf(number)`: seqs of the converted log, read as source seqs. */
export function mapSeqs(value: unknown, seqOf: (seq: number) => number): unknown {
  if (Array.isArray(value)) return value.map((item) => mapSeqs(item, seqOf));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = key.endsWith("_seq") && typeof field === "number" ? seqOf(field) : mapSeqs(field, seqOf);
  }
  return out;
}

/** The first place two JSON values differ, as `path: expected … but got …`; null when they are equal. */
export function firstDifference(expected: unknown, actual: unknown, at = ""): string | null {
  if (Object.is(expected, actual)) return null;
  const bothObjects =
    typeof expected === "object" && expected !== null && typeof actual === "object" && actual !== null;
  if (bothObjects && Array.isArray(expected) === Array.isArray(actual)) {
    const a = expected as Record<string, unknown>;
    const b = actual as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const difference = firstDifference(a[key], b[key], `${at}/${key}`);
      if (difference !== null) return difference;
    }
    return null;
  }
  return `${at || "(root)"}: expected ${JSON.stringify(expected)} but got ${JSON.stringify(actual)}`;
}
