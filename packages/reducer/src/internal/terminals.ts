// Terminal sessions and operations (spec §4.6.4-§4.6.5): exec_command and write_stdin tools become operations on a
// session. Schema 1 keys sessions by the runtime process id; schema 2 by `terminal_session:<creating operation>`.
import { any, DecodeError, type Decoder, field, i32, opt, seq, str, struct, u64 } from "./decode.ts";
import { contextualize, fail, withContext } from "./errors.ts";
import type { TraceEvent } from "./events.ts";
import { get, isObject, JsonNumber, type JsonValue, parseJson, stringifyCompact } from "./json.ts";
import {
  type ExecutionStatus,
  endWindow,
  pushUnique,
  type RawPayloadRef,
  runningWindow,
  type TerminalOperation,
  type TerminalRequest,
  type TerminalResult,
  type ToolCall,
} from "./model.ts";
import { pairKey, type ReplayState } from "./state.ts";

function insertOperation(
  s: ReplayState,
  event: TraceEvent,
  toolId: string,
  threadId: string,
  kind: TerminalOperation["kind"],
  request: TerminalRequest,
  processId: string | null,
  payloadId: string,
): string {
  const operationId = `terminal_operation:${s.nextOperationNumber++}`;
  const operation: TerminalOperation = {
    operation_id: operationId,
    terminal_id: null,
    tool_call_id: toolId,
    kind,
    execution: runningWindow(event.wall_time_unix_ms, event.seq),
    request,
    result: null,
    model_observations: [],
    raw_payload_ids: [payloadId],
  };
  s.collections.terminal_operations.set(operationId, operation);
  s.operationThreads.set(operationId, threadId);
  if (s.version === 1) {
    if (processId !== null) attachProcessV1(s, operation, processId);
  } else {
    openOrJoinSessionV2(s, operation, processId);
  }
  return operationId;
}

/** Schema 1: the runtime process id is the terminal id, and the session is keyed by it. */
function attachProcessV1(s: ReplayState, operation: TerminalOperation, processId: string): void {
  if (operation.terminal_id !== null && operation.terminal_id !== processId) {
    fail(
      `terminal operation ${operation.operation_id} changed process id from ${operation.terminal_id} to ${processId}`,
    );
  }
  operation.terminal_id = processId;
  ensureSessionV1(s, operation, processId);
}

function ensureSessionV1(s: ReplayState, operation: TerminalOperation, terminalId: string): void {
  const threadId = s.operationThreads.get(operation.operation_id)!;
  const session = s.collections.terminal_sessions.get(terminalId);
  if (!session) {
    openSession(s, operation, terminalId);
    return;
  }
  if (session.thread_id !== threadId) {
    fail(`terminal session ${terminalId} belongs to thread ${session.thread_id}, not ${threadId}`);
  }
  pushUnique(session.operation_ids, operation.operation_id);
}

function openSession(s: ReplayState, operation: TerminalOperation, terminalId: string): void {
  s.collections.terminal_sessions.set(terminalId, {
    terminal_id: terminalId,
    thread_id: s.operationThreads.get(operation.operation_id)!,
    created_by_operation_id: operation.operation_id,
    operation_ids: [operation.operation_id],
    execution: runningWindow(operation.execution.started_at_unix_ms, operation.execution.started_seq),
  });
  operation.terminal_id = terminalId;
}

/**
 * Schema 2: an operation gets a session once its runtime process id is known. An exec opens its own,
 * `terminal_session:<operation>`, and becomes the owner of that process id in its thread; input written to a process
 * joins its owner's session, or opens one of its own when no exec in the thread has named that process.
 */
function openOrJoinSessionV2(s: ReplayState, operation: TerminalOperation, processId: string | null): void {
  s.operationProcesses.set(operation.operation_id, processId);
  if (processId !== null) assignSessionV2(s, operation, processId);
}

function assignSessionV2(s: ReplayState, operation: TerminalOperation, processId: string): void {
  const key = pairKey(s.operationThreads.get(operation.operation_id)!, processId);
  const owner = s.sessionsByProcessId.get(key);
  if (operation.kind === "write_stdin" && owner !== undefined) {
    joinSession(s, operation, owner);
    return;
  }
  const sessionId = `terminal_session:${operation.operation_id}`;
  openSession(s, operation, sessionId);
  if (operation.kind === "exec_command") s.sessionsByProcessId.set(key, sessionId);
}

/** Schema 2: an end event names the process an operation ran; it cannot differ from the one it started on. */
function attachProcessV2(s: ReplayState, operation: TerminalOperation, processId: string): void {
  const known = s.operationProcesses.get(operation.operation_id) ?? null;
  if (known !== null && known !== processId) {
    fail(`terminal operation ${operation.operation_id} changed process id from ${known} to ${processId}`);
  }
  if (known !== null) return;
  s.operationProcesses.set(operation.operation_id, processId);
  if (operation.terminal_id === null) assignSessionV2(s, operation, processId);
}

/** Moves an operation into another session; a session the operation had opened for itself goes away. */
export function joinSession(s: ReplayState, operation: TerminalOperation, sessionId: string): void {
  const previous =
    operation.terminal_id === null ? undefined : s.collections.terminal_sessions.get(operation.terminal_id);
  if (previous && previous.terminal_id !== sessionId) {
    previous.operation_ids = previous.operation_ids.filter((id) => id !== operation.operation_id);
    if (previous.created_by_operation_id === operation.operation_id) {
      s.collections.terminal_sessions.delete(previous.terminal_id);
    }
  }
  operation.terminal_id = sessionId;
  const session = s.collections.terminal_sessions.get(sessionId);
  if (session) pushUnique(session.operation_ids, operation.operation_id);
}

interface RuntimeBegin {
  process_id: string | null;
  command: string[];
  cwd: string;
  interaction_input: string | null;
}

const runtimeBegin: Decoder<RuntimeBegin> = (value) => {
  const object = struct(value, "struct TerminalRuntimeBegin");
  return {
    process_id: field(object, "process_id", opt(str)),
    command: field(object, "command", seq(str)),
    cwd: field(object, "cwd", str),
    interaction_input: field(object, "interaction_input", opt(str)),
  };
};

export function createOperationFromRuntimeBegin(
  s: ReplayState,
  event: TraceEvent,
  tool: ToolCall,
  ref: RawPayloadRef,
): string {
  const document = s.readPayload(ref);
  let begin: RuntimeBegin;
  try {
    begin = runtimeBegin(document);
  } catch (error) {
    throw contextualize(`parse terminal runtime start payload ${ref.raw_payload_id}`, error);
  }
  const kind = tool.kind.type === "write_stdin" ? "write_stdin" : "exec_command";
  const request: TerminalRequest =
    kind === "exec_command"
      ? {
          type: "exec_command",
          command: begin.command,
          display_command: begin.command.join(" "),
          cwd: begin.cwd,
          yield_time_ms: null,
          max_output_tokens: null,
        }
      : {
          type: "write_stdin",
          stdin: begin.interaction_input ?? "",
          yield_time_ms: null,
          max_output_tokens: null,
        };
  return insertOperation(
    s,
    event,
    tool.tool_call_id,
    tool.thread_id,
    kind,
    request,
    begin.process_id,
    ref.raw_payload_id,
  );
}

interface StdinInvocation {
  session_id: string;
  chars: string;
  yield_time_ms: number | null;
  max_output_tokens: number | null;
}

/** A write_stdin dispatch request; null in schema 2 when its arguments are unusable (no operation is made then). */
function stdinInvocation(document: JsonValue, version: 1 | 2): StdinInvocation | null {
  const object = struct(document, "struct ToolInvocation");
  const toolName = field(object, "tool_name", str);
  if (toolName !== "write_stdin")
    throw new DecodeError(`dispatch terminal request is for ${toolName}, not write_stdin`);
  const payload = struct(field(object, "payload", any), "internally tagged enum ToolDispatchPayload");
  const type = field(payload, "type", str);
  if (type !== "function")
    throw new DecodeError(`write_stdin dispatch payload used unsupported ${type} payload`);
  const args = get(payload, "arguments");
  if (typeof args !== "string")
    throw new DecodeError("write_stdin dispatch payload omitted function arguments");
  try {
    const parsed = withContext("parse write_stdin dispatch function arguments", () => {
      const argObject = struct(parseJson(args), "struct WriteStdinArgs");
      return {
        session: field(argObject, "session_id", any),
        chars: field(argObject, "chars", opt(str)),
        yield_time_ms: field(argObject, "yield_time_ms", opt(u64)),
        max_output_tokens: field(argObject, "max_output_tokens", opt(u64)),
      };
    });
    const session = parsed.session;
    let sessionId: string | null = null;
    if (typeof session === "string" && session !== "") sessionId = session;
    else if (typeof session === "number") sessionId = String(session);
    else if (session instanceof JsonNumber) sessionId = session.text;
    if (sessionId === null) throw new DecodeError("write_stdin dispatch payload omitted session_id");
    return {
      session_id: sessionId,
      chars: parsed.chars ?? "",
      yield_time_ms: parsed.yield_time_ms,
      max_output_tokens: parsed.max_output_tokens,
    };
  } catch (error) {
    // Schema 2 records no operation for input whose arguments it cannot use.
    if (version === 2) return null;
    throw error;
  }
}

export function createOperationFromInvocation(
  s: ReplayState,
  event: TraceEvent,
  toolId: string,
  threadId: string,
  ref: RawPayloadRef,
): string | null {
  const document = s.readPayload(ref);
  let invocation: StdinInvocation | null;
  try {
    invocation = stdinInvocation(document, s.version);
  } catch (error) {
    throw contextualize(`parse terminal invocation payload ${ref.raw_payload_id} as dispatch payload`, error);
  }
  if (invocation === null) return null;
  const request: TerminalRequest = {
    type: "write_stdin",
    stdin: invocation.chars,
    yield_time_ms: invocation.yield_time_ms,
    max_output_tokens: invocation.max_output_tokens,
  };
  return insertOperation(
    s,
    event,
    toolId,
    threadId,
    "write_stdin",
    request,
    invocation.session_id,
    ref.raw_payload_id,
  );
}

interface Ended {
  result: TerminalResult;
  processId: string | null;
}

function protocolEnd(s: ReplayState, document: JsonValue): Ended {
  const object = struct(document, "struct ExecCommandEndEvent");
  const processId = field(object, "process_id", opt(str));
  if (s.version === 2) {
    const output = field(object, "aggregated_output", opt(str)) ?? "";
    return {
      processId,
      result: {
        exit_code: field(object, "exit_code", i32),
        stdout: output,
        stderr: "",
        formatted_output: null,
        original_token_count: null,
        chunk_id: null,
      },
    };
  }
  const stdout = field(object, "stdout", str);
  const stderr = field(object, "stderr", str);
  const exitCode = field(object, "exit_code", i32);
  const formatted = field(object, "formatted_output", str);
  return {
    processId,
    result: {
      exit_code: exitCode,
      stdout,
      stderr,
      formatted_output: formatted,
      original_token_count: null,
      chunk_id: null,
    },
  };
}

/** Text the model saw in a tool output: a string, or the `text` fields of content parts. */
function outputText(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const texts = value.flatMap((entry) => {
      const text = isObject(entry) ? get(entry, "text") : undefined;
      return typeof text === "string" ? [text] : [];
    });
    return texts.length === 0 ? null : texts.join("\n");
  }
  return stringifyCompact(value);
}

function textResult(text: string): TerminalResult {
  return {
    exit_code: null,
    stdout: text,
    stderr: "",
    formatted_output: text,
    original_token_count: null,
    chunk_id: null,
  };
}

function dispatchEnd(document: JsonValue): Ended {
  const object = struct(document, "internally tagged enum ToolDispatchResult");
  const type = field(object, "type", str);
  if (type === "direct_response") {
    const item = field(object, "response_item", any);
    const text = (isObject(item) ? outputText(get(item, "output")) : null) ?? stringifyCompact(item);
    return { processId: null, result: textResult(text) };
  }
  if (type === "code_mode_response") {
    const value = field(object, "value", any);
    const output = isObject(value) ? get(value, "output") : undefined;
    if (isObject(value) && typeof output === "string") {
      try {
        return {
          processId: null,
          result: {
            exit_code: field(value, "exit_code", opt(i32)),
            stdout: output,
            stderr: "",
            formatted_output: output,
            original_token_count: field(value, "original_token_count", opt(u64)),
            chunk_id: field(value, "chunk_id", opt(str)),
          },
        };
      } catch {
        // Not the structured exec shape: fall back to the text the value holds.
      }
    }
    return { processId: null, result: textResult(outputText(value) ?? stringifyCompact(value)) };
  }
  if (type === "error") {
    const error = field(object, "error", str);
    return {
      processId: null,
      result: {
        exit_code: null,
        stdout: "",
        stderr: error,
        formatted_output: error,
        original_token_count: null,
        chunk_id: null,
      },
    };
  }
  throw new DecodeError(
    `unknown variant \`${type}\`, expected one of \`direct_response\`, \`code_mode_response\`, \`error\``,
  );
}

function parseEnd(s: ReplayState, operation: TerminalOperation, ref: RawPayloadRef): Ended {
  const document = s.readPayload(ref);
  if (operation.kind === "exec_command") {
    try {
      return protocolEnd(s, document);
    } catch (error) {
      throw contextualize(`parse exec terminal response ${ref.raw_payload_id}`, error);
    }
  }
  let protocolError: unknown;
  try {
    return protocolEnd(s, document);
  } catch (error) {
    protocolError = error;
  }
  try {
    return dispatchEnd(document);
  } catch (error) {
    const reason = protocolError instanceof Error ? protocolError.message : String(protocolError);
    throw contextualize(
      `parse write_stdin terminal response ${ref.raw_payload_id} as protocol payload (${reason}) or dispatch payload`,
      error,
    );
  }
}

export function endOperation(
  s: ReplayState,
  event: TraceEvent,
  operationId: string,
  status: ExecutionStatus,
  ref: RawPayloadRef | null,
): void {
  const operation =
    s.collections.terminal_operations.get(operationId) ??
    fail(`terminal end referenced unknown operation ${operationId}`);
  let processId: string | null = null;
  if (ref) {
    const ended = parseEnd(s, operation, ref);
    operation.result = ended.result;
    processId = ended.processId;
  }
  endWindow(operation.execution, event.wall_time_unix_ms, event.seq, status);
  if (ref) pushUnique(operation.raw_payload_ids, ref.raw_payload_id);
  if (processId === null) return;
  if (s.version === 1) attachProcessV1(s, operation, processId);
  else attachProcessV2(s, operation, processId);
}

/** The single direct-tool-call observation mirrors the tool's model-visible call and output items. */
export function syncTerminalObservation(s: ReplayState, tool: ToolCall): void {
  if (tool.terminal_operation_id === null) return;
  if (tool.model_visible_call_item_ids.length === 0 && tool.model_visible_output_item_ids.length === 0)
    return;
  const operation = s.collections.terminal_operations.get(tool.terminal_operation_id);
  if (!operation) return;
  const observation = {
    call_item_ids: [...tool.model_visible_call_item_ids],
    output_item_ids: [...tool.model_visible_output_item_ids],
    source: "direct_tool_call" as const,
  };
  const index = operation.model_observations.findIndex((o) => o.source === "direct_tool_call");
  if (index === -1) operation.model_observations.push(observation);
  else operation.model_observations[index] = observation;
}
