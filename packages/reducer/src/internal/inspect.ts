// A readable digest of a reduced state: the facts a person looks for first (who ran, what the model saw and asked
// for, what the tools did, how long it took, what it cost), grouped per thread. Pure: it only reads the state.
import type {
  AgentThread,
  CodeCell,
  CodexTurn,
  Compaction,
  CompactionRequest,
  ConversationItem,
  ConversationPart,
  ExecutionStatus,
  ExecutionWindow,
  InferenceCall,
  InteractionEdge,
  RolloutStatus,
  RolloutTrace,
  TerminalOperation,
  TerminalSession,
  TokenUsage,
  ToolCall,
  ToolCallKind,
  TraceAnchor,
} from "@rollout-trace/schema";

/** Texts taken from the trace are cut to this many characters (code points); `truncated` says when. */
export const SHORT_TEXT_LIMIT = 280;

export interface TokenTotals {
  readonly input: number;
  readonly cachedInput: number;
  /** Schema 2 only; null for schema 1 states. */
  readonly cacheWriteInput: number | null;
  readonly output: number;
  readonly reasoningOutput: number;
  /** Inference calls that reported usage (failed and cancelled calls usually do not). */
  readonly callsWithUsage: number;
}

export interface ShortText {
  readonly text: string;
  readonly truncated: boolean;
}

export interface TurnReport {
  readonly turnId: string;
  readonly status: ExecutionStatus;
  readonly startedAtUnixMs: number;
  readonly durationMs: number | null;
  readonly inferenceCalls: number;
  readonly toolCalls: number;
}

export interface TokenUsageReport {
  readonly input: number;
  readonly cachedInput: number;
  readonly cacheWriteInput: number | null;
  readonly output: number;
  readonly reasoningOutput: number;
}

export interface InferenceReport {
  readonly inferenceCallId: string;
  readonly turnId: string;
  readonly model: string;
  readonly provider: string;
  readonly status: ExecutionStatus;
  readonly startedAtUnixMs: number;
  /** From the start event to completion, failure or cancellation; null while running. */
  readonly latencyMs: number | null;
  readonly responseId: string | null;
  readonly usage: TokenUsageReport | null;
  readonly requestItems: number;
  readonly responseItems: number;
  readonly toolCallIds: readonly string[];
}

export interface ToolCallReport {
  readonly toolCallId: string;
  readonly turnId: string | null;
  /** `exec_command`, `mcp server/tool`, `other name`, ... */
  readonly kind: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number | null;
  /** `model`, or the code cell that asked for the call. */
  readonly requester: string;
  readonly callId: string | null;
  /** What the call did, in one line: the command, the target agent, the producer's label. */
  readonly label: ShortText;
  readonly terminalOperationId: string | null;
}

export interface ToolKindTally {
  readonly kind: string;
  readonly total: number;
  readonly byStatus: Readonly<Partial<Record<ExecutionStatus, number>>>;
}

export interface CodeCellReport {
  readonly codeCellId: string;
  readonly callId: string;
  readonly turnId: string;
  readonly runtimeStatus: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number | null;
  readonly yielded: boolean;
  readonly source: ShortText;
  readonly nestedToolCallIds: readonly string[];
  readonly waitToolCallIds: readonly string[];
}

export interface TerminalOperationReport {
  readonly operationId: string;
  /** The session the operation ran in; null when the runtime named none (a one-shot command). */
  readonly terminalId: string | null;
  readonly kind: "exec_command" | "write_stdin";
  readonly toolCallId: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number | null;
  /** The command line, or the characters written to stdin (empty for a poll). */
  readonly input: ShortText;
  readonly exitCode: number | null;
  readonly output: ShortText | null;
}

export interface TerminalSessionReport {
  readonly terminalId: string;
  readonly createdByOperationId: string;
  readonly operationIds: readonly string[];
}

export interface CompactionRequestReport {
  readonly requestId: string;
  readonly model: string;
  readonly provider: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number | null;
}

export interface CompactionReport {
  readonly compactionId: string;
  readonly turnId: string;
  /** False when the request failed and nothing was installed. */
  readonly installed: boolean;
  readonly installedAtUnixMs: number | null;
  readonly markerItemId: string | null;
  readonly inputItems: number;
  readonly replacementItems: number;
  readonly requests: readonly CompactionRequestReport[];
}

export interface TranscriptEntry {
  readonly itemId: string;
  readonly turnId: string | null;
  readonly role: string;
  readonly channel: string | null;
  readonly kind: string;
  readonly text: ShortText;
  readonly callId: string | null;
  /** The tool call this item asked for or reports on. */
  readonly toolCallId: string | null;
  readonly responsesItemId: string | null;
  /** Schema 2: whether Codex committed the item to the thread's history; null for schema 1. */
  readonly accepted: boolean | null;
  readonly agentMessage: { readonly author: string; readonly recipient: string } | null;
  /** `inference <id>`, `tool <id>`, `code_cell <id>`, `compaction <id>`. */
  readonly producedBy: readonly string[];
}

export type OriginReport =
  | { readonly type: "root" }
  | {
      readonly type: "spawned";
      readonly parentThreadId: string;
      readonly spawnEdgeId: string;
      readonly taskName: string;
      readonly agentRole: string;
    };

export interface ThreadReport {
  readonly threadId: string;
  readonly agentPath: string;
  readonly nickname: string | null;
  readonly origin: OriginReport;
  /** 0 for the root (and for threads whose parent is not in the trace). */
  readonly depth: number;
  readonly childThreadIds: readonly string[];
  readonly status: ExecutionStatus;
  readonly startedAtUnixMs: number;
  readonly durationMs: number | null;
  readonly defaultModel: string | null;
  readonly tokens: TokenTotals;
  readonly turns: readonly TurnReport[];
  readonly inferenceCalls: readonly InferenceReport[];
  readonly toolCalls: readonly ToolCallReport[];
  readonly toolCallsByKind: readonly ToolKindTally[];
  readonly codeCells: readonly CodeCellReport[];
  readonly terminalSessions: readonly TerminalSessionReport[];
  /** Every command and stdin write of the thread, in start order, with or without a session. */
  readonly terminalOperations: readonly TerminalOperationReport[];
  readonly compactions: readonly CompactionReport[];
  /** The model-visible conversation, in the order the thread first saw each item. */
  readonly transcript: readonly TranscriptEntry[];
}

export interface AnchorReport {
  readonly type: TraceAnchor["type"];
  readonly id: string;
  /** The thread the anchor belongs to, when the state knows it. */
  readonly threadId: string | null;
  readonly agentPath: string | null;
}

export interface EdgeReport {
  readonly edgeId: string;
  readonly kind: string;
  readonly source: AnchorReport;
  readonly target: AnchorReport;
  readonly startedAtUnixMs: number;
  readonly endedAtUnixMs: number | null;
  readonly carriedItemIds: readonly string[];
  readonly carriedPayloads: number;
}

export interface InspectCounts {
  readonly threads: number;
  readonly turns: number;
  readonly conversationItems: number;
  readonly inferenceCalls: number;
  readonly toolCalls: number;
  readonly codeCells: number;
  readonly terminalSessions: number;
  readonly terminalOperations: number;
  readonly compactions: number;
  readonly compactionRequests: number;
  readonly interactionEdges: number;
  readonly rawPayloads: number;
}

export interface InspectReport {
  readonly schemaVersion: 1 | 2;
  readonly traceId: string;
  readonly rolloutId: string;
  readonly rootThreadId: string;
  readonly status: RolloutStatus;
  /** Schema 2: whether the log ends with `recording_completed`; null for schema 1. */
  readonly recordingComplete: boolean | null;
  readonly startedAtUnixMs: number;
  readonly endedAtUnixMs: number | null;
  readonly durationMs: number | null;
  readonly counts: InspectCounts;
  readonly tokens: TokenTotals;
  /** Depth-first from the root: each thread is followed by the threads it spawned, oldest first. */
  readonly threads: readonly ThreadReport[];
  readonly interactionEdges: readonly EdgeReport[];
  /** What a partial replay skipped. */
  readonly replayDiagnostics: readonly {
    readonly file: string;
    readonly line: number;
    readonly message: string;
  }[];
}

/** Builds the structured report of a reduced state (as `replayBundle` returns it or state.json holds it). */
export function inspectState(state: RolloutTrace): InspectReport {
  const index = new StateIndex(state);
  const reports = new Map<string, ThreadReport>();
  for (const thread of index.threads) reports.set(thread.thread_id, threadReport(index, thread));

  const ended = state.ended_at_unix_ms;
  return {
    schemaVersion: state.schema_version,
    traceId: state.trace_id,
    rolloutId: state.rollout_id,
    rootThreadId: state.root_thread_id,
    status: state.status,
    recordingComplete: state.schema_version === 2 ? state.recording_complete : null,
    startedAtUnixMs: state.started_at_unix_ms,
    endedAtUnixMs: ended,
    durationMs: ended === null ? null : ended - state.started_at_unix_ms,
    counts: {
      threads: index.threads.length,
      turns: index.turns.length,
      conversationItems: index.items.size,
      inferenceCalls: index.inferences.length,
      toolCalls: index.tools.length,
      codeCells: index.cells.length,
      terminalSessions: index.sessions.length,
      terminalOperations: index.operations.size,
      compactions: index.compactions.length,
      compactionRequests: index.compactionRequests.length,
      interactionEdges: index.edges.length,
      rawPayloads: Object.keys(state.raw_payloads).length,
    },
    tokens: tokenTotals(index.inferences, state.schema_version),
    threads: treeOrder(index, reports),
    interactionEdges: index.edges.map((edge) => edgeReport(index, edge)),
    replayDiagnostics: (state.replay_diagnostics ?? []).map(({ file, line, message }) => ({
      file,
      line,
      message,
    })),
  };
}

/** The state's maps as lists in event order, with the lookups the report needs. */
class StateIndex {
  readonly version: 1 | 2;
  readonly rootThreadId: string;
  readonly threads: AgentThread[];
  readonly threadById: Map<string, AgentThread>;
  readonly turns: CodexTurn[];
  readonly items: Map<string, ConversationItem>;
  readonly inferences: InferenceCall[];
  readonly tools: ToolCall[];
  readonly toolById: Map<string, ToolCall>;
  readonly cells: CodeCell[];
  readonly sessions: TerminalSession[];
  readonly operations: Map<string, TerminalOperation>;
  readonly operationList: TerminalOperation[];
  private readonly sessionThread: Map<string, string>;
  readonly compactions: Compaction[];
  readonly compactionRequests: CompactionRequest[];
  readonly edges: InteractionEdge[];
  /** Conversation item id -> the tool call it asked for or reports on. */
  readonly toolByItem = new Map<string, string>();

  constructor(state: RolloutTrace) {
    this.version = state.schema_version;
    this.rootThreadId = state.root_thread_id;
    this.threads = byStart(values<AgentThread>(state.threads), (thread) => thread.thread_id);
    this.threadById = new Map(this.threads.map((thread) => [thread.thread_id, thread]));
    this.turns = byStart(values<CodexTurn>(state.codex_turns), (turn) => turn.codex_turn_id);
    this.items = new Map(
      values<ConversationItem>(state.conversation_items).map((item) => [item.item_id, item]),
    );
    this.inferences = byStart(values<InferenceCall>(state.inference_calls), (call) => call.inference_call_id);
    this.tools = byStart(values<ToolCall>(state.tool_calls), (tool) => tool.tool_call_id);
    this.toolById = new Map(this.tools.map((tool) => [tool.tool_call_id, tool]));
    this.cells = byStart(values<CodeCell>(state.code_cells), (cell) => cell.code_cell_id);
    this.sessions = byStart(
      values<TerminalSession>(state.terminal_sessions),
      (session) => session.terminal_id,
    );
    this.operationList = byStart(
      values<TerminalOperation>(state.terminal_operations),
      (operation) => operation.operation_id,
    );
    this.operations = new Map(this.operationList.map((operation) => [operation.operation_id, operation]));
    this.sessionThread = new Map(this.sessions.map((session) => [session.terminal_id, session.thread_id]));
    this.compactions = values<Compaction>(state.compactions).sort(
      (a, b) =>
        a.installed_at_unix_ms - b.installed_at_unix_ms || compareIds(a.compaction_id, b.compaction_id),
    );
    this.compactionRequests = byStart(
      values<CompactionRequest>(state.compaction_requests),
      (request) => request.compaction_request_id,
    );
    this.edges = values<InteractionEdge>(state.interaction_edges).sort(
      (a, b) => a.started_at_unix_ms - b.started_at_unix_ms || compareIds(a.edge_id, b.edge_id),
    );
    for (const tool of this.tools) {
      for (const id of [...tool.model_visible_call_item_ids, ...tool.model_visible_output_item_ids])
        if (!this.toolByItem.has(id)) this.toolByItem.set(id, tool.tool_call_id);
    }
  }

  /** An operation belongs to the thread of its tool call (or, failing that, of its session). */
  threadOfOperation(operation: TerminalOperation): string | null {
    const viaTool = this.toolById.get(operation.tool_call_id)?.thread_id;
    if (viaTool !== undefined) return viaTool;
    return operation.terminal_id === null ? null : (this.sessionThread.get(operation.terminal_id) ?? null);
  }

  threadOfAnchor(anchor: TraceAnchor): string | null {
    switch (anchor.type) {
      case "thread":
        return anchor.thread_id;
      case "tool_call":
        return this.toolById.get(anchor.tool_call_id)?.thread_id ?? null;
      case "conversation_item":
        return this.items.get(anchor.item_id)?.thread_id ?? null;
    }
  }
}

function values<T>(map: object): T[] {
  return Object.values(map) as T[];
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Event order: by the seq of the starting event, ties by id. */
function byStart<T extends { execution: ExecutionWindow }>(list: T[], idOf: (value: T) => string): T[] {
  return list.sort(
    (a, b) => a.execution.started_seq - b.execution.started_seq || compareIds(idOf(a), idOf(b)),
  );
}

function durationOf(window: ExecutionWindow): number | null {
  return window.ended_at_unix_ms === null ? null : window.ended_at_unix_ms - window.started_at_unix_ms;
}

/** Cuts a text to `limit` code points, never in the middle of a surrogate pair. */
function shortText(text: string, limit = SHORT_TEXT_LIMIT): ShortText {
  if (text.length <= limit) return { text, truncated: false };
  const points = Array.from(text);
  if (points.length <= limit) return { text, truncated: false };
  return { text: points.slice(0, limit).join(""), truncated: true };
}

function usageReport(usage: TokenUsage, version: 1 | 2): TokenUsageReport {
  return {
    input: usage.input_tokens,
    cachedInput: usage.cached_input_tokens,
    cacheWriteInput: version === 2 ? (usage.cache_write_input_tokens ?? 0) : null,
    output: usage.output_tokens,
    reasoningOutput: usage.reasoning_output_tokens,
  };
}

function tokenTotals(calls: readonly InferenceCall[], version: 1 | 2): TokenTotals {
  let input = 0;
  let cachedInput = 0;
  let cacheWriteInput = 0;
  let output = 0;
  let reasoningOutput = 0;
  let callsWithUsage = 0;
  for (const call of calls) {
    const usage = call.usage;
    if (usage === null) continue;
    callsWithUsage++;
    input += usage.input_tokens;
    cachedInput += usage.cached_input_tokens;
    cacheWriteInput += usage.cache_write_input_tokens ?? 0;
    output += usage.output_tokens;
    reasoningOutput += usage.reasoning_output_tokens;
  }
  return {
    input,
    cachedInput,
    cacheWriteInput: version === 2 ? cacheWriteInput : null,
    output,
    reasoningOutput,
    callsWithUsage,
  };
}

function kindLabel(kind: ToolCallKind): string {
  if (kind.type === "mcp") return `mcp ${kind.server}/${kind.tool}`;
  if (kind.type === "other") return `other ${kind.name}`;
  return kind.type;
}

function operationInput(operation: TerminalOperation): string {
  return operation.request.type === "exec_command"
    ? operation.request.display_command
    : operation.request.stdin;
}

function toolLabel(index: StateIndex, tool: ToolCall): string {
  const summary = tool.summary;
  switch (summary.type) {
    case "terminal": {
      const operation = index.operations.get(summary.operation_id);
      return operation === undefined ? summary.operation_id : operationInput(operation);
    }
    case "agent":
      return `${summary.target_agent_path}${summary.task_name === null ? "" : ` (${summary.task_name})`}: ${summary.message_preview}`;
    case "wait_agent": {
      const target = summary.target_agent_path ?? "any agent";
      return summary.timeout_ms === null ? target : `${target}, timeout ${summary.timeout_ms} ms`;
    }
    case "generic":
      return summary.input_preview === null ? summary.label : `${summary.label}: ${summary.input_preview}`;
  }
}

function partText(part: ConversationPart): string {
  switch (part.type) {
    case "text":
    case "summary":
      return part.text;
    case "json":
      return part.summary;
    case "code":
      return part.source;
    case "encoded":
    case "payload_ref":
      return `[${part.label}]`;
  }
}

function producerLabel(producer: ConversationItem["produced_by"][number]): string {
  switch (producer.type) {
    case "inference":
      return `inference ${producer.inference_call_id}`;
    case "tool":
      return `tool ${producer.tool_call_id}`;
    case "code_cell":
      return `code_cell ${producer.code_cell_id}`;
    case "compaction":
      return `compaction ${producer.compaction_id}`;
    case "interaction_edge":
      return `interaction_edge ${producer.edge_id}`;
    default:
      return producer.type;
  }
}

function operationReport(operation: TerminalOperation): TerminalOperationReport {
  const result = operation.result;
  const output = result === null ? null : (result.formatted_output ?? `${result.stdout}${result.stderr}`);
  return {
    operationId: operation.operation_id,
    terminalId: operation.terminal_id,
    kind: operation.kind,
    toolCallId: operation.tool_call_id,
    status: operation.execution.status,
    durationMs: durationOf(operation.execution),
    input: shortText(operationInput(operation)),
    exitCode: result?.exit_code ?? null,
    output: output === null ? null : shortText(output),
  };
}

function transcriptEntry(index: StateIndex, item: ConversationItem): TranscriptEntry {
  return {
    itemId: item.item_id,
    turnId: item.codex_turn_id,
    role: item.role,
    channel: item.channel,
    kind: item.kind,
    text: shortText(item.body.parts.map(partText).join("\n")),
    callId: item.call_id,
    toolCallId: index.toolByItem.get(item.item_id) ?? null,
    responsesItemId: item.responses_item_id ?? null,
    accepted: index.version === 2 ? item.accepted_seq !== undefined : null,
    agentMessage: item.agent_message
      ? { author: item.agent_message.author, recipient: item.agent_message.recipient }
      : null,
    producedBy: item.produced_by.map(producerLabel),
  };
}

function tallyByKind(tools: readonly ToolCallReport[]): ToolKindTally[] {
  const tallies = new Map<string, { total: number; byStatus: Partial<Record<ExecutionStatus, number>> }>();
  for (const tool of tools) {
    const tally = tallies.get(tool.kind) ?? { total: 0, byStatus: {} };
    tally.total++;
    tally.byStatus[tool.status] = (tally.byStatus[tool.status] ?? 0) + 1;
    tallies.set(tool.kind, tally);
  }
  return [...tallies]
    .map(([kind, tally]) => ({ kind, ...tally }))
    .sort((a, b) => b.total - a.total || compareIds(a.kind, b.kind));
}

function compactionReports(index: StateIndex, threadId: string): CompactionReport[] {
  const requestReport = (request: CompactionRequest): CompactionRequestReport => ({
    requestId: request.compaction_request_id,
    model: request.model,
    provider: request.provider_name,
    status: request.execution.status,
    durationMs: durationOf(request.execution),
  });
  const requests = index.compactionRequests.filter((request) => request.thread_id === threadId);
  const reports: CompactionReport[] = index.compactions
    .filter((compaction) => compaction.thread_id === threadId)
    .map((compaction) => ({
      compactionId: compaction.compaction_id,
      turnId: compaction.codex_turn_id,
      installed: true,
      installedAtUnixMs: compaction.installed_at_unix_ms,
      markerItemId: compaction.marker_item_id,
      inputItems: compaction.input_item_ids.length,
      replacementItems: compaction.replacement_item_ids.length,
      requests: requests
        .filter((request) => request.compaction_id === compaction.compaction_id)
        .map(requestReport),
    }));
  const installed = new Set(reports.map((report) => report.compactionId));
  // A request that never led to an installed checkpoint (it failed, or the trace ends first).
  for (const request of requests) {
    if (installed.has(request.compaction_id)) continue;
    installed.add(request.compaction_id);
    reports.push({
      compactionId: request.compaction_id,
      turnId: request.codex_turn_id,
      installed: false,
      installedAtUnixMs: null,
      markerItemId: null,
      inputItems: 0,
      replacementItems: 0,
      requests: requests.filter((other) => other.compaction_id === request.compaction_id).map(requestReport),
    });
  }
  return reports;
}

function threadReport(index: StateIndex, thread: AgentThread): ThreadReport {
  const id = thread.thread_id;
  const inferences = index.inferences.filter((call) => call.thread_id === id);
  const tools = index.tools.filter((tool) => tool.thread_id === id);

  const toolCalls: ToolCallReport[] = tools.map((tool) => ({
    toolCallId: tool.tool_call_id,
    turnId: tool.started_by_codex_turn_id,
    kind: kindLabel(tool.kind),
    status: tool.execution.status,
    durationMs: durationOf(tool.execution),
    requester: tool.requester.type === "model" ? "model" : `code_cell ${tool.requester.code_cell_id}`,
    callId: tool.model_visible_call_id,
    label: shortText(toolLabel(index, tool)),
    terminalOperationId: tool.terminal_operation_id,
  }));

  const origin: OriginReport =
    thread.origin.type === "root"
      ? { type: "root" }
      : {
          type: "spawned",
          parentThreadId: thread.origin.parent_thread_id,
          spawnEdgeId: thread.origin.spawn_edge_id,
          taskName: thread.origin.task_name,
          agentRole: thread.origin.agent_role,
        };

  return {
    threadId: id,
    agentPath: thread.agent_path,
    nickname: thread.nickname,
    origin,
    depth: 0,
    childThreadIds: [],
    status: thread.execution.status,
    startedAtUnixMs: thread.execution.started_at_unix_ms,
    durationMs: durationOf(thread.execution),
    defaultModel: thread.default_model,
    tokens: tokenTotals(inferences, index.version),
    turns: index.turns
      .filter((turn) => turn.thread_id === id)
      .map((turn) => ({
        turnId: turn.codex_turn_id,
        status: turn.execution.status,
        startedAtUnixMs: turn.execution.started_at_unix_ms,
        durationMs: durationOf(turn.execution),
        inferenceCalls: inferences.filter((call) => call.codex_turn_id === turn.codex_turn_id).length,
        toolCalls: tools.filter((tool) => tool.started_by_codex_turn_id === turn.codex_turn_id).length,
      })),
    inferenceCalls: inferences.map((call) => ({
      inferenceCallId: call.inference_call_id,
      turnId: call.codex_turn_id,
      model: call.model,
      provider: call.provider_name,
      status: call.execution.status,
      startedAtUnixMs: call.execution.started_at_unix_ms,
      latencyMs: durationOf(call.execution),
      responseId: call.response_id,
      usage: call.usage === null ? null : usageReport(call.usage, index.version),
      requestItems: call.request_item_ids.length,
      responseItems: call.response_item_ids.length,
      toolCallIds: [...call.tool_call_ids_started_by_response],
    })),
    toolCalls,
    toolCallsByKind: tallyByKind(toolCalls),
    codeCells: index.cells
      .filter((cell) => cell.thread_id === id)
      .map((cell) => ({
        codeCellId: cell.code_cell_id,
        callId: cell.model_visible_call_id,
        turnId: cell.codex_turn_id,
        runtimeStatus: cell.runtime_status,
        status: cell.execution.status,
        durationMs: durationOf(cell.execution),
        yielded: cell.yielded_seq !== null,
        source: shortText(cell.source_js),
        nestedToolCallIds: [...cell.nested_tool_call_ids],
        waitToolCallIds: [...cell.wait_tool_call_ids],
      })),
    terminalSessions: index.sessions
      .filter((session) => session.thread_id === id)
      .map((session) => ({
        terminalId: session.terminal_id,
        createdByOperationId: session.created_by_operation_id,
        operationIds: [...session.operation_ids],
      })),
    terminalOperations: index.operationList
      .filter((operation) => index.threadOfOperation(operation) === id)
      .map(operationReport),
    compactions: compactionReports(index, id),
    transcript: thread.conversation_item_ids.flatMap((itemId) => {
      const item = index.items.get(itemId);
      return item === undefined ? [] : [transcriptEntry(index, item)];
    }),
  };
}

/** Orders threads depth-first from the root, filling in depth and children. */
function treeOrder(index: StateIndex, reports: Map<string, ThreadReport>): ThreadReport[] {
  const children = new Map<string, string[]>();
  const tops: string[] = [];
  for (const thread of index.threads) {
    const parent = thread.origin.type === "spawned" ? thread.origin.parent_thread_id : null;
    if (parent !== null && parent !== thread.thread_id && reports.has(parent)) {
      const siblings = children.get(parent) ?? [];
      siblings.push(thread.thread_id);
      children.set(parent, siblings);
    } else {
      tops.push(thread.thread_id);
    }
  }
  // The root first; then any other top-level thread in start order.
  tops.sort((a, b) => Number(b === index.rootThreadId) - Number(a === index.rootThreadId));

  const ordered: ThreadReport[] = [];
  const visited = new Set<string>();
  const visit = (threadId: string, depth: number) => {
    if (visited.has(threadId)) return;
    visited.add(threadId);
    const report = reports.get(threadId);
    if (report === undefined) return;
    const childIds = children.get(threadId) ?? [];
    ordered.push({ ...report, depth, childThreadIds: childIds });
    for (const child of childIds) visit(child, depth + 1);
  };
  for (const top of tops) visit(top, 0);
  // A spawn cycle has no top: its threads still belong in the report.
  for (const thread of index.threads) visit(thread.thread_id, 0);
  return ordered;
}

function anchorReport(index: StateIndex, anchor: TraceAnchor): AnchorReport {
  const id =
    anchor.type === "thread"
      ? anchor.thread_id
      : anchor.type === "tool_call"
        ? anchor.tool_call_id
        : anchor.item_id;
  const threadId = index.threadOfAnchor(anchor);
  return {
    type: anchor.type,
    id,
    threadId,
    agentPath: threadId === null ? null : (index.threadById.get(threadId)?.agent_path ?? null),
  };
}

function edgeReport(index: StateIndex, edge: InteractionEdge): EdgeReport {
  return {
    edgeId: edge.edge_id,
    kind: edge.kind,
    source: anchorReport(index, edge.source),
    target: anchorReport(index, edge.target),
    startedAtUnixMs: edge.started_at_unix_ms,
    endedAtUnixMs: edge.ended_at_unix_ms,
    carriedItemIds: [...edge.carried_item_ids],
    carriedPayloads: edge.carried_raw_payload_ids.length,
  };
}
