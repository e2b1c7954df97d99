// The handles of a session that is not tracing (or of a start that was refused): shared frozen objects whose
// methods do nothing, return other disabled handles and never look at their arguments, so lazy arguments are not
// built and nothing is allocated per call.
import type {
  CodeCellTrace,
  CompactionAttemptTrace,
  CompactionTrace,
  InferenceTrace,
  McpCallTrace,
  ThreadTrace,
  ToolCallTrace,
  TraceSession,
  TraceStats,
  TurnTrace,
} from "./types.ts";

function doNothing(): void {}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export const DISABLED_INFERENCE: InferenceTrace = Object.freeze({
  enabled: false,
  inferenceCallId: "",
  requestHeaders: () => NO_HEADERS,
  completed: doNothing,
  failed: doNothing,
  cancelled: doNothing,
});

export const DISABLED_MCP_CALL: McpCallTrace = Object.freeze({
  enabled: false,
  mcpCallId: null,
  addRequestMeta: <T>(meta: T): T => meta,
});

export const DISABLED_TOOL: ToolCallTrace = Object.freeze({
  enabled: false,
  toolCallId: "",
  runtimeStarted: doNothing,
  runtimeEnded: doNothing,
  execStarted: doNothing,
  execEnded: doNothing,
  mcpStarted: doNothing,
  mcpEnded: doNothing,
  agentActivity: doNothing,
  startMcpCall: () => DISABLED_MCP_CALL,
  stdinTarget: doNothing,
  completed: doNothing,
  failed: doNothing,
});

export const DISABLED_CODE_CELL: CodeCellTrace = Object.freeze({
  enabled: false,
  runtimeCellId: "",
  initialResponse: doNothing,
  ended: doNothing,
  startTool: () => DISABLED_TOOL,
});

export const DISABLED_COMPACTION_ATTEMPT: CompactionAttemptTrace = Object.freeze({
  enabled: false,
  compactionRequestId: "",
  completed: doNothing,
  failed: doNothing,
});

export const DISABLED_COMPACTION: CompactionTrace = Object.freeze({
  enabled: false,
  compactionId: "",
  startAttempt: () => DISABLED_COMPACTION_ATTEMPT,
  installed: doNothing,
});

export const DISABLED_THREAD: ThreadTrace = Object.freeze({
  enabled: false,
  threadId: "",
  agentPath: "",
  startTurn: () => DISABLED_TURN,
  spawnChild: () => DISABLED_THREAD,
  protocolEvent: doNothing,
  end: doNothing,
  resume: doNothing,
});

export const DISABLED_TURN: TurnTrace = Object.freeze({
  enabled: false,
  turnId: "",
  thread: DISABLED_THREAD,
  accept: doNothing,
  startInference: () => DISABLED_INFERENCE,
  startTool: () => DISABLED_TOOL,
  startCodeCell: () => DISABLED_CODE_CELL,
  startCompaction: () => DISABLED_COMPACTION,
  reportAgentResult: doNothing,
  end: doNothing,
  abort: doNothing,
});

function noStats(): TraceStats {
  return {
    events: 0,
    payloads: 0,
    bytes: 0,
    dropped: 0,
    errors: 0,
    omitted: 0,
    refused: 0,
    repeated: 0,
    suppressed: 0,
    late: 0,
  };
}

const CLOSED: Promise<void> = Promise.resolve();

function makeDisabledSession(schemaVersion: 1 | 2): TraceSession {
  return Object.freeze({
    enabled: false,
    schemaVersion,
    bundleDir: null,
    traceId: null,
    root: DISABLED_THREAD,
    end: () => CLOSED,
    close: () => CLOSED,
    closeSync: doNothing,
    flush: doNothing,
    stats: noStats,
  });
}

const DISABLED_SESSIONS = { 1: makeDisabledSession(1), 2: makeDisabledSession(2) } as const;

/** The session returned when tracing is off: it reports the schema version it would have written. */
export function disabledSession(schemaVersion: 1 | 2): TraceSession {
  return DISABLED_SESSIONS[schemaVersion];
}
