// Spec §4.6.4-§4.6.5: terminal operations and sessions built from exec_command and write_stdin tools, their results
// from runtime or dispatch payloads, and the model observation that mirrors the tool's call and output items.
import { expect } from "vitest";
import { type BundleBuilder, bundle, ROOT, wallTimeOf } from "../support/builder.ts";
import { ruleFile } from "../support/cases.ts";
import {
  codeModeResponse,
  directResponse,
  dispatchError,
  execBegin,
  execEnd,
  functionCall,
  functionInvocation,
  functionOutput,
  user,
} from "../support/items.ts";

const { rule, fails } = ruleFile("terminals");

const EXEC = { type: "exec_command" } as const;
const STDIN = { type: "write_stdin" } as const;

const stdinInvocation = (args: unknown) => functionInvocation("write_stdin", args);

/** Thread, turn, and an exec tool `exec-1` whose runtime began on process `proc-1` (operation 1). */
function withRunningExec(): BundleBuilder {
  const b = bundle();
  b.threadWithTurn();
  b.startTool("exec-1", { kind: EXEC, invocation: functionInvocation("exec_command", { cmd: "sleep 5" }) });
  b.toolRuntimeStarted("exec-1", execBegin({ process_id: "proc-1", command: ["sleep", "5"] }));
  return b;
}

rule(
  "an exec runtime begin with a process id creates the operation and its session at runtime start",
  () => {
    const b = withRunningExec();
    b.toolRuntimeEnded(
      "exec-1",
      "completed",
      execEnd({ process_id: "proc-1", stdout: "out", stderr: "err", exit_code: 3, formatted_output: "fmt" }),
    );
    return b;
  },
  (view) => {
    expect(view.tool("exec-1")).toMatchObject({
      terminal_operation_id: "terminal_operation:1",
      summary: { type: "terminal", operation_id: "terminal_operation:1" },
    });
    expect(view.operation("terminal_operation:1")).toEqual({
      operation_id: "terminal_operation:1",
      terminal_id: "proc-1",
      tool_call_id: "exec-1",
      kind: "exec_command",
      execution: {
        started_at_unix_ms: wallTimeOf(4),
        started_seq: 4,
        ended_at_unix_ms: wallTimeOf(5),
        ended_seq: 5,
        status: "completed",
      },
      request: {
        type: "exec_command",
        command: ["sleep", "5"],
        display_command: "sleep 5",
        cwd: "/repo",
        yield_time_ms: null,
        max_output_tokens: null,
      },
      result: {
        exit_code: 3,
        stdout: "out",
        stderr: "err",
        formatted_output: "fmt",
        original_token_count: null,
        chunk_id: null,
      },
      model_observations: [],
      raw_payload_ids: ["raw_payload:2", "raw_payload:3"],
    });
    expect(view.session("proc-1")).toEqual({
      terminal_id: "proc-1",
      thread_id: ROOT,
      created_by_operation_id: "terminal_operation:1",
      operation_ids: ["terminal_operation:1"],
      execution: {
        started_at_unix_ms: wallTimeOf(4),
        started_seq: 4,
        ended_at_unix_ms: null,
        ended_seq: null,
        status: "running",
      },
    });
  },
);

rule(
  "a write_stdin runtime begin uses interaction_input as stdin and joins the process's session",
  () => {
    const b = withRunningExec();
    b.startTool("stdin-1", { kind: STDIN, callId: "call-stdin-1" });
    b.toolRuntimeStarted("stdin-1", execBegin({ process_id: "proc-1", interaction_input: "y\n" }));
    b.startTool("stdin-2", { kind: STDIN, callId: "call-stdin-2" });
    b.toolRuntimeStarted("stdin-2", execBegin({ process_id: "proc-1" }));
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:2")).toMatchObject({
      kind: "write_stdin",
      terminal_id: "proc-1",
      request: { type: "write_stdin", stdin: "y\n", yield_time_ms: null, max_output_tokens: null },
    });
    expect(view.operation("terminal_operation:3").request).toMatchObject({ stdin: "" });
    expect(view.session("proc-1").operation_ids).toEqual([
      "terminal_operation:1",
      "terminal_operation:2",
      "terminal_operation:3",
    ]);
  },
);

rule(
  "a write_stdin invocation creates its operation at tool start from the dispatch arguments",
  () => {
    const b = withRunningExec();
    b.startTool("stdin-1", {
      kind: STDIN,
      invocation: stdinInvocation({
        session_id: "proc-1",
        chars: "q",
        yield_time_ms: 250,
        max_output_tokens: 900,
      }),
    });
    return b;
  },
  (view) => {
    expect(view.tool("stdin-1").summary).toEqual({ type: "terminal", operation_id: "terminal_operation:2" });
    expect(view.operation("terminal_operation:2")).toMatchObject({
      terminal_id: "proc-1",
      tool_call_id: "stdin-1",
      kind: "write_stdin",
      execution: { started_seq: 5, ended_seq: null, status: "running" },
      request: { type: "write_stdin", stdin: "q", yield_time_ms: 250, max_output_tokens: 900 },
      result: null,
      raw_payload_ids: ["raw_payload:3"],
    });
    expect(view.session("proc-1").operation_ids).toEqual(["terminal_operation:1", "terminal_operation:2"]);
  },
);

rule(
  "a numeric session_id names the terminal by the number as written, and absent chars are an empty poll",
  () => {
    const b = bundle();
    b.threadWithTurn();
    for (const [tool, sessionId] of [
      ["stdin-1", "42"],
      ["stdin-2", "-3"],
      ["stdin-3", "1.5"],
      ["stdin-4", "1E2"],
      ["stdin-5", "12345678901234567890123"],
    ]) {
      b.startTool(tool!, { kind: STDIN, invocation: stdinInvocation(`{"session_id":${sessionId}}`) });
    }
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:1")).toMatchObject({
      terminal_id: "42",
      request: { stdin: "", yield_time_ms: null, max_output_tokens: null },
    });
    expect(view.session("42").created_by_operation_id).toBe("terminal_operation:1");
    expect([2, 3, 4, 5].map((n) => view.operation(`terminal_operation:${n}`).terminal_id)).toEqual([
      "-3",
      "1.5",
      "1e+2",
      "12345678901234567890123",
    ]);
  },
);

rule(
  "a write_stdin tool without invocation or runtime payloads gets no terminal operation",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("stdin-1", { kind: STDIN, invocation: null });
    b.endTool("stdin-1", "completed", directResponse(functionOutput("stdin-1", "ok")));
    return b;
  },
  (view) => {
    expect(view.tool("stdin-1")).toMatchObject({ terminal_operation_id: null, summary: { type: "generic" } });
    expect(view.count("terminal_operations")).toBe(0);
  },
);

for (const [label, invocation, cause] of [
  [
    "is for another tool",
    functionInvocation("exec_command", { session_id: "1" }),
    "dispatch terminal request is for exec_command, not write_stdin",
  ],
  [
    "is not a function payload",
    { tool_name: "write_stdin", tool_namespace: null, payload: { type: "custom", input: "x" } },
    "write_stdin dispatch payload used unsupported custom payload",
  ],
  [
    "has no arguments",
    { tool_name: "write_stdin", tool_namespace: null, payload: { type: "function" } },
    "write_stdin dispatch payload omitted function arguments",
  ],
  [
    "has arguments that are not JSON",
    stdinInvocation("session 1"),
    "parse write_stdin dispatch function arguments",
  ],
  [
    "has no session_id field",
    stdinInvocation({ chars: "x" }),
    "parse write_stdin dispatch function arguments",
  ],
  [
    "has a null session_id",
    stdinInvocation({ session_id: null }),
    "write_stdin dispatch payload omitted session_id",
  ],
  [
    "has an empty session_id",
    stdinInvocation({ session_id: "" }),
    "write_stdin dispatch payload omitted session_id",
  ],
  [
    "has a boolean session_id",
    stdinInvocation({ session_id: true }),
    "write_stdin dispatch payload omitted session_id",
  ],
  [
    "has non-string chars",
    stdinInvocation({ session_id: "1", chars: 5 }),
    "parse write_stdin dispatch function arguments",
  ],
  [
    "has a non-numeric yield time",
    stdinInvocation({ session_id: "1", yield_time_ms: "5" }),
    "parse write_stdin dispatch function arguments",
  ],
  ["has array arguments", stdinInvocation([1, 2]), "parse write_stdin dispatch function arguments"],
] as const) {
  fails(
    `a write_stdin invocation that ${label} cannot be parsed`,
    () => {
      const b = bundle();
      b.threadWithTurn();
      b.startTool("stdin-1", { kind: STDIN, invocation });
      return b;
    },
    "parse terminal invocation payload raw_payload:1 as dispatch payload",
    { causes: [cause] },
  );
}

fails(
  "a runtime start cannot add a second operation to a write_stdin that has one from its invocation",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("stdin-1", { kind: STDIN, invocation: stdinInvocation({ session_id: "1" }) });
    b.toolRuntimeStarted("stdin-1", execBegin({ process_id: "1" }));
    return b;
  },
  "tool runtime start would create a second terminal operation for stdin-1",
);

fails(
  "an exec tool cannot have two runtime starts",
  () => {
    const b = withRunningExec();
    b.toolRuntimeStarted("exec-1", execBegin({ process_id: "proc-1" }));
    return b;
  },
  "tool runtime start would create a second terminal operation for exec-1",
);

fails(
  "a terminal runtime begin needs command and cwd",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("exec-1", { kind: EXEC });
    b.toolRuntimeStarted("exec-1", { call_id: "exec-1", command: ["ls"] });
    return b;
  },
  "parse terminal runtime start payload raw_payload:1",
);

fails(
  "an exec runtime end needs the protocol end shape",
  () => {
    const b = withRunningExec();
    b.toolRuntimeEnded("exec-1", "completed", { call_id: "exec-1", exit_code: 0 });
    return b;
  },
  "parse exec terminal response raw_payload:3",
);

rule(
  "a write_stdin runtime end may carry a dispatch result instead of the protocol end shape",
  () => {
    const b = withRunningExec();
    b.startTool("stdin-1", { kind: STDIN });
    b.toolRuntimeStarted("stdin-1", execBegin({ process_id: "proc-1", interaction_input: "x" }));
    b.toolRuntimeEnded("stdin-1", "completed", directResponse(functionOutput("stdin-1", "echoed")));
    return b;
  },
  (view) =>
    expect(view.operation("terminal_operation:2")).toMatchObject({
      execution: { ended_seq: 7, status: "completed" },
      result: {
        exit_code: null,
        stdout: "echoed",
        stderr: "",
        formatted_output: "echoed",
        original_token_count: null,
        chunk_id: null,
      },
      raw_payload_ids: ["raw_payload:3", "raw_payload:4"],
    }),
);

fails(
  "a write_stdin end that is neither a protocol end nor a dispatch result is rejected",
  () => {
    const b = withRunningExec();
    b.startTool("stdin-1", { kind: STDIN });
    b.toolRuntimeStarted("stdin-1", execBegin({ process_id: "proc-1" }));
    b.toolRuntimeEnded("stdin-1", "completed", { call_id: "stdin-1" });
    return b;
  },
  "parse write_stdin terminal response raw_payload:4 as protocol payload (missing field `stdout`) or dispatch payload",
);

/** A write_stdin whose operation comes from its invocation and ends with this tool result. */
function stdinEndedWith(result: object | null): () => BundleBuilder {
  return () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("stdin-1", { kind: STDIN, invocation: stdinInvocation({ session_id: "7" }) });
    b.endTool("stdin-1", "completed", result);
    return b;
  };
}

const textResult = (text: string) => ({
  exit_code: null,
  stdout: text,
  stderr: "",
  formatted_output: text,
  original_token_count: null,
  chunk_id: null,
});

for (const [label, result, expected] of [
  ["a direct string output", directResponse(functionOutput("c", "plain")), textResult("plain")],
  [
    "direct content items, whose texts are joined by newlines",
    directResponse(
      functionOutput("c", [
        { type: "input_text", text: "one" },
        { type: "input_image", image_url: "x" },
        { type: "input_text", text: "two" },
      ]),
    ),
    textResult("one\ntwo"),
  ],
  [
    "direct content items without text, which fall back to the whole response item",
    directResponse(functionOutput("c", [{ type: "input_image", image_url: "x" }])),
    textResult(
      '{"type":"function_call_output","call_id":"c","output":[{"type":"input_image","image_url":"x"}]}',
    ),
  ],
  [
    "a direct null output, which falls back to the whole response item",
    directResponse(functionOutput("c", null)),
    textResult('{"type":"function_call_output","call_id":"c","output":null}'),
  ],
  [
    "a direct response item without output",
    directResponse({ type: "function_call_output", call_id: "c" }),
    textResult('{"type":"function_call_output","call_id":"c"}'),
  ],
  [
    "a direct JSON output, which is serialized",
    directResponse(functionOutput("c", { content: "x", success: true })),
    textResult('{"content":"x","success":true}'),
  ],
  [
    "a structured code-mode exec result",
    codeModeResponse({
      output: "listing",
      exit_code: 2,
      original_token_count: 40,
      chunk_id: "chunk-3",
      wall_time: 1.5,
    }),
    {
      exit_code: 2,
      stdout: "listing",
      stderr: "",
      formatted_output: "listing",
      original_token_count: 40,
      chunk_id: "chunk-3",
    },
  ],
  ["a code-mode output with only the output field", codeModeResponse({ output: "only" }), textResult("only")],
  ["a code-mode string value", codeModeResponse("just text"), textResult("just text")],
  [
    "a code-mode value without output, which is serialized",
    codeModeResponse({ status: "pending" }),
    textResult('{"status":"pending"}'),
  ],
  [
    "a code-mode value whose exit code is not a number, which is serialized",
    codeModeResponse({ output: "x", exit_code: "0" }),
    textResult('{"output":"x","exit_code":"0"}'),
  ],
  [
    "a code-mode list of content items",
    codeModeResponse([{ type: "output_text", text: "a" }, { text: "b" }]),
    textResult("a\nb"),
  ],
  [
    "a dispatch error, which becomes stderr",
    dispatchError("session not found"),
    {
      exit_code: null,
      stdout: "",
      stderr: "session not found",
      formatted_output: "session not found",
      original_token_count: null,
      chunk_id: null,
    },
  ],
] as const) {
  rule(`a write_stdin ended by its tool result: ${label}`, stdinEndedWith(result), (view) => {
    expect(view.operation("terminal_operation:1").result).toEqual(expected);
    expect(view.operation("terminal_operation:1")).toMatchObject({
      execution: { ended_seq: 4, status: "completed" },
      raw_payload_ids: ["raw_payload:1", "raw_payload:2"],
    });
  });
}

rule(
  "a write_stdin tool end without a result closes the operation without a result",
  stdinEndedWith(null),
  (view) =>
    expect(view.operation("terminal_operation:1")).toMatchObject({
      execution: { ended_seq: 4, status: "completed" },
      result: null,
      raw_payload_ids: ["raw_payload:1"],
    }),
);

fails(
  "a tool result that is no dispatch result cannot end a write_stdin operation",
  stdinEndedWith({ type: "surprise" }),
  "parse write_stdin terminal response raw_payload:2 as protocol payload (missing field `stdout`) or dispatch payload",
);

rule(
  "once runtime payloads were seen, the tool end does not touch the terminal operation",
  () => {
    const b = withRunningExec();
    b.toolRuntimeEnded("exec-1", "completed", execEnd({ process_id: "proc-1", stdout: "from runtime" }));
    b.endTool("exec-1", "failed", directResponse(functionOutput("c", "from result")));
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:1")).toMatchObject({
      execution: { ended_seq: 5, status: "completed" },
      result: { stdout: "from runtime" },
      raw_payload_ids: ["raw_payload:2", "raw_payload:3"],
    });
    expect(view.tool("exec-1").execution).toMatchObject({ ended_seq: 6, status: "failed" });
  },
);

fails(
  "an operation cannot change its process id",
  () => {
    const b = withRunningExec();
    b.toolRuntimeEnded("exec-1", "completed", execEnd({ process_id: "proc-2" }));
    return b;
  },
  "terminal operation terminal_operation:1 changed process id from proc-1 to proc-2",
);

fails(
  "a write_stdin's runtime end cannot name another process than its invocation",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("stdin-1", { kind: STDIN, invocation: stdinInvocation({ session_id: "1" }) });
    b.toolRuntimeEnded("stdin-1", "completed", execEnd({ process_id: "2" }));
    return b;
  },
  "terminal operation terminal_operation:1 changed process id from 1 to 2",
);

fails(
  "a terminal session belongs to one thread",
  () => {
    const b = withRunningExec();
    b.threadWithTurn("thread-2", "turn-2");
    b.startTool("exec-2", { kind: EXEC, envelope: { thread: "thread-2", turn: "turn-2" } });
    b.toolRuntimeStarted("exec-2", execBegin({ process_id: "proc-1" }), {
      envelope: { thread: "thread-2", turn: "turn-2" },
    });
    return b;
  },
  `terminal session proc-1 belongs to thread ${ROOT}, not thread-2`,
);

rule(
  "a session first named by a runtime end still starts with its operation",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("exec-1", { kind: EXEC });
    b.toolRuntimeStarted("exec-1", execBegin());
    b.toolRuntimeEnded("exec-1", "failed", execEnd({ process_id: "late", exit_code: 1 }));
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:1")).toMatchObject({
      terminal_id: "late",
      execution: { started_seq: 4, ended_seq: 5, status: "failed" },
      result: { exit_code: 1 },
    });
    expect(view.session("late").execution).toEqual({
      started_at_unix_ms: wallTimeOf(4),
      started_seq: 4,
      ended_at_unix_ms: null,
      ended_seq: null,
      status: "running",
    });
  },
);

rule(
  "without a process id the operation has no terminal and no session",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.startTool("exec-1", { kind: EXEC });
    b.toolRuntimeStarted("exec-1", execBegin());
    b.toolRuntimeEnded("exec-1", "completed", execEnd());
    return b;
  },
  (view) => {
    expect(view.operation("terminal_operation:1").terminal_id).toBeNull();
    expect(view.count("terminal_sessions")).toBe(0);
  },
);

rule(
  "the model observation mirrors the tool's call and output items as they appear",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("run")], [functionCall("call-exec")], { responseId: "resp-1" });
    b.startTool("exec-1", { kind: EXEC, callId: "call-exec" });
    b.toolRuntimeStarted("exec-1", execBegin({ process_id: "p" }));
    b.toolRuntimeEnded("exec-1", "completed", execEnd({ process_id: "p" }));
    b.startInference("inference-2", [functionOutput("call-exec", "hi\n")], { previousResponseId: "resp-1" });
    return b;
  },
  (view) =>
    expect(view.operation("terminal_operation:1").model_observations).toEqual([
      {
        call_item_ids: ["conversation_item:2"],
        output_item_ids: ["conversation_item:3"],
        source: "direct_tool_call",
      },
    ]),
);

rule(
  "an operation created after its call item was seen starts with that observation",
  () => {
    const b = bundle();
    b.threadWithTurn();
    b.exchange("inference-1", [user("poll")], [functionCall("call-stdin")]);
    b.startTool("stdin-1", {
      kind: STDIN,
      callId: "call-stdin",
      invocation: stdinInvocation({ session_id: "9" }),
    });
    return b;
  },
  (view) =>
    expect(view.operation("terminal_operation:1").model_observations).toEqual([
      { call_item_ids: ["conversation_item:2"], output_item_ids: [], source: "direct_tool_call" },
    ]),
);
