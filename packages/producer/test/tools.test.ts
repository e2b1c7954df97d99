import { describe, expect, it } from "vitest";
import { classifyTool, MCP_CALL_ID_META_KEY, type ModelItem, type TurnTrace } from "../src/index.ts";
import {
  customCall,
  customOutput,
  events,
  functionCall,
  functionOutput,
  message,
  payloadOf,
  ROOT_THREAD,
  record,
  reduce,
  request,
  schemaProblems,
} from "./support.ts";

/** The model asks for `calls` in one response, so they become model-visible call items. */
function modelCalls(turn: TurnTrace, calls: ModelItem[]): void {
  const user = message("user", "go", "msg_go");
  turn.startInference(request([user])).completed({ responseId: "resp_calls", output: calls });
}

function shellCall(turn: TurnTrace, callId: string, cmd: string) {
  const item = functionCall("exec_command", { cmd }, callId, `fc_${callId}`);
  return {
    item,
    start: () =>
      turn.startTool({
        name: "exec_command",
        payload: { type: "function", arguments: item.arguments as string },
        callId,
      }),
  };
}

describe("tool classification and summaries", () => {
  it("should classify tool names the way Codex does", () => {
    expect(classifyTool("shell_command")).toEqual({ type: "exec_command" });
    expect(classifyTool("local_shell")).toEqual({ type: "exec_command" });
    expect(classifyTool("web_search_preview")).toEqual({ type: "web" });
    expect(classifyTool("imagegen")).toEqual({ type: "image_generation" });
    expect(classifyTool("followup_task")).toEqual({ type: "assign_agent_task" });
    expect(classifyTool("interrupt_agent")).toEqual({ type: "close_agent" });
    expect(classifyTool("echo")).toEqual({ type: "other", name: "echo" });
  });
});

describe.each([1, 2] as const)("tool calls (trace schema %i)", (version) => {
  it("should write the invocation document and a generic summary with a 160-character preview", async () => {
    const longInput = "é".repeat(170);
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      modelCalls(turn, [customCall("apply_patch", longInput, "call_patch", "ctc_patch")]);
      turn.startTool({
        name: "apply_patch",
        payload: { type: "custom", input: longInput },
        callId: "call_patch",
      });
      turn.startTool({
        name: "search",
        namespace: "mcp__docs",
        payload: { type: "tool_search", arguments: { query: "trace bundles", limit: 3 } },
        callId: "call_search",
        kind: { type: "mcp", server: "docs", tool: "search" },
      });
    });

    const started = events(dir).filter((event) => event.payload.type === "tool_call_started");
    expect(started.map((event) => event.payload.summary)).toEqual([
      { type: "generic", label: "apply_patch", input_preview: `${"é".repeat(160)}...`, output_preview: null },
      { type: "generic", label: "mcp__docs.search", input_preview: "trace bundles", output_preview: null },
    ]);
    expect(payloadOf(dir, started[1]!.payload.invocation_payload)).toEqual({
      tool_name: "search",
      tool_namespace: "mcp__docs",
      payload: { type: "tool_search", arguments: { query: "trace bundles", limit: 3 } },
    });
    const { state } = reduce(dir);
    expect(state.tool_calls.call_patch?.kind).toEqual({ type: "apply_patch" });
    expect(state.tool_calls.call_search?.kind).toEqual({ type: "mcp", server: "docs", tool: "search" });
    expect(state.tool_calls.call_patch?.model_visible_call_item_ids).toHaveLength(1);
  });

  it("should turn a shell command into a terminal operation with its result", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const shell = shellCall(turn, "call_ls", "ls");
      modelCalls(turn, [shell.item]);
      const tool = shell.start();
      tool.execStarted({
        command: ["/bin/bash", "-lc", "ls"],
        cwd: "/srv",
        processId: 4242,
        source: "unified_exec_startup",
      });
      tool.execEnded({ exitCode: 0, stdout: "a.txt\n", stderr: "warn\n", durationMs: 12.5 });
      tool.completed(functionOutput("call_ls", "a.txt\n", "fco_ls"));
    });

    const { state } = reduce(dir);
    const tool = state.tool_calls.call_ls!;
    expect(tool.execution.status).toBe("completed");
    expect(tool.summary).toEqual({ type: "terminal", operation_id: "terminal_operation:1" });
    const operation = state.terminal_operations["terminal_operation:1"]!;
    expect(operation.request).toEqual({
      type: "exec_command",
      command: ["/bin/bash", "-lc", "ls"],
      display_command: "/bin/bash -lc ls",
      cwd: "/srv",
      yield_time_ms: null,
      max_output_tokens: null,
    });
    expect(operation.result).toEqual(
      version === 1
        ? {
            exit_code: 0,
            stdout: "a.txt\n",
            stderr: "warn\n",
            formatted_output: "a.txt\nwarn\n",
            original_token_count: null,
            chunk_id: null,
          }
        : {
            exit_code: 0,
            stdout: "a.txt\nwarn\n",
            stderr: "",
            formatted_output: null,
            original_token_count: null,
            chunk_id: null,
          },
    );
    expect(operation.terminal_id).toBe(version === 1 ? "4242" : "terminal_session:terminal_operation:1");
    expect(operation.model_observations).toHaveLength(1);
    const ended = events(dir).find((event) => event.payload.type === "tool_call_runtime_ended")!;
    const document = payloadOf(dir, ended.payload.runtime_payload) as Record<string, unknown>;
    expect(document.duration).toEqual({ secs: 0, nanos: 12_500_000 });
    expect(Object.keys(document)).toEqual(
      version === 1
        ? [
            "call_id",
            "process_id",
            "turn_id",
            "completed_at_ms",
            "command",
            "cwd",
            "parsed_cmd",
            "source",
            "stdout",
            "stderr",
            "aggregated_output",
            "exit_code",
            "duration",
            "formatted_output",
            "status",
          ]
        : [
            "call_id",
            "process_id",
            "turn_id",
            "completed_at_ms",
            "command",
            "cwd",
            "parsed_cmd",
            "source",
            "aggregated_output",
            "exit_code",
            "duration",
            "status",
          ],
    );
    expect(schemaProblems(dir)).toEqual([]);
  });

  it("should not trace a command the user ran in the shell", async () => {
    const dir = await record(version, (session) => {
      const tool = shellCall(session.root.startTurn(), "call_user", "ls").start();
      tool.execStarted({ command: ["ls"], cwd: "/", source: "user_shell" });
      tool.execEnded({ exitCode: 0 });
    });
    expect(events(dir).some((event) => event.payload.type.startsWith("tool_call_runtime"))).toBe(false);
  });

  it("should link the call and output items of a completed model call and record its result", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const call = functionCall("view_image", { path: "a.png" }, "call_img", "fc_img");
      modelCalls(turn, [call]);
      const tool = turn.startTool({
        name: "view_image",
        payload: { type: "function", arguments: call.arguments as string },
        callId: "call_img",
      });
      const output = functionOutput("call_img", "image attached", "fco_img");
      tool.completed(output);
      turn
        .startInference(request([message("user", "go", "msg_go"), call, output]))
        .completed({ responseId: "resp_2", output: [] });
    });

    const { state } = reduce(dir);
    const tool = state.tool_calls.call_img!;
    expect(tool.kind).toEqual({ type: "other", name: "view_image" });
    expect(tool.model_visible_call_item_ids).toHaveLength(1);
    expect(tool.model_visible_output_item_ids).toHaveLength(1);
    const outputItem = state.conversation_items[tool.model_visible_output_item_ids[0]!]!;
    expect(outputItem.produced_by).toEqual([{ type: "tool", tool_call_id: "call_img" }]);
    const lines = events(dir);
    const ended = lines.find((event) => event.payload.type === "tool_call_ended")!;
    // The dispatch result is the item as sent to the model: without the history id.
    expect(payloadOf(dir, ended.payload.result_payload)).toEqual({
      type: "direct_response",
      response_item: { type: "function_call_output", call_id: "call_img", output: "image attached" },
    });
    if (version === 2) {
      const next = lines[lines.indexOf(ended) + 1]!;
      expect(next.payload).toEqual({ type: "history_item_accepted", item_id: "fco_img" });
      expect(outputItem.accepted_seq).toBeDefined();
    }
  });

  it("should leave the output's acceptance to the producer when asked to", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const first = shellCall(turn, "call_a", "ls").start();
      const second = shellCall(turn, "call_b", "pwd").start();
      const outputA = functionOutput("call_a", "a.txt", "fco_a");
      first.completed(outputA, { accept: false });
      second.completed(functionOutput("call_b", "/w", "fco_b"));
      // Parallel calls: the runtime commits the first output after the second one ended.
      turn.accept([outputA]);
    });
    const accepted = events(dir).flatMap((event) =>
      event.payload.type === "history_item_accepted" ? [event.payload.item_id] : [],
    );
    expect(accepted).toEqual(version === 2 ? ["fco_b", "fco_a"] : []);
  });

  it("should record a failed dispatch with its error", async () => {
    const dir = await record(version, (session) => {
      const tool = shellCall(session.root.startTurn(), "call_bad", "rm -rf /").start();
      tool.failed(new Error("sandbox denied"), { output: functionOutput("call_bad", "denied", "fco_bad") });
    });
    const ended = events(dir).find((event) => event.payload.type === "tool_call_ended")!;
    expect(payloadOf(dir, ended.payload.result_payload)).toEqual({ type: "error", error: "sandbox denied" });
    expect(reduce(dir).state.tool_calls.call_bad?.execution.status).toBe("failed");
  });

  it("should correlate an MCP call and refine its kind in schema 2", async () => {
    let meta: unknown;
    let mcpCallId: string | null = null;
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const tool = turn.startTool({
        name: "echo",
        namespace: "mcp__mocktools",
        payload: { type: "function", arguments: '{"text":"hi"}' },
        callId: "call_mcp",
      });
      tool.mcpStarted({ server: "mocktools", tool: "echo", arguments: { text: "hi" } });
      const mcp = tool.startMcpCall();
      mcpCallId = mcp.mcpCallId;
      meta = mcp.addRequestMeta({ progressToken: 7 });
      tool.mcpEnded({ ok: { content: [{ type: "text", text: "echo: hi" }], isError: false } });
      tool.completed(functionOutput("call_mcp", "echo: hi", "fco_mcp"));
      tool.startMcpCall();
    });

    expect(mcpCallId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(meta).toEqual({ progressToken: 7, [MCP_CALL_ID_META_KEY]: mcpCallId });
    const { state } = reduce(dir);
    const tool = state.tool_calls.call_mcp!;
    expect(tool.mcp_call_id).toBe(mcpCallId);
    expect(tool.kind).toEqual(
      version === 2 ? { type: "mcp", server: "mocktools", tool: "echo" } : { type: "other", name: "echo" },
    );
    const correlation = events(dir).filter(
      (event) => event.payload.type === "mcp_tool_call_correlation_assigned",
    );
    expect(correlation).toHaveLength(1);
    expect(correlation[0]!.thread_id).toBeNull();
    const ended = events(dir).find((event) => event.payload.type === "tool_call_runtime_ended")!;
    expect(payloadOf(dir, ended.payload.runtime_payload)).toEqual({
      result: { Ok: { content: [{ type: "text", text: "echo: hi" }], isError: false } },
    });
  });

  it("should put a write_stdin call on the terminal of the process it writes to", async () => {
    let refused = 0;
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      const exec = shellCall(turn, "call_exec", "cat").start();
      exec.execStarted({ command: ["cat"], cwd: "/w", processId: "777" });
      exec.completed(functionOutput("call_exec", "Process running with session ID 777", "fco_exec"));
      const write = turn.startTool({
        name: "write_stdin",
        payload: {
          type: "function",
          arguments: JSON.stringify({ session_id: 777, chars: "hello\n", yield_time_ms: 250 }),
        },
        callId: "call_write",
      });
      write.stdinTarget(exec);
      // A write_stdin call has its terminal operation already; a runtime begin would make a second one.
      write.execStarted({ command: ["cat"], cwd: "/w", processId: "777" });
      write.completed(functionOutput("call_write", "hello\n", "fco_write"));
      exec.execEnded({ exitCode: 0, stdout: "hello\n" });
      refused = session.stats().refused;
    });

    expect(refused).toBe(1);
    expect(events(dir).some((event) => event.payload.type === "stdin_target_resolved")).toBe(version === 2);
    const { state } = reduce(dir);
    const write = state.terminal_operations[state.tool_calls.call_write!.terminal_operation_id!]!;
    expect(write.request).toEqual({
      type: "write_stdin",
      stdin: "hello\n",
      yield_time_ms: 250,
      max_output_tokens: null,
    });
    expect(write.result?.stdout).toBe("hello\n");
    const exec = state.terminal_operations[state.tool_calls.call_exec!.terminal_operation_id!]!;
    expect(write.terminal_id).toBe(exec.terminal_id);
    expect(state.terminal_sessions[exec.terminal_id!]?.operation_ids).toEqual([
      exec.operation_id,
      write.operation_id,
    ]);
  });

  it("should refuse a write_stdin whose process belongs to another thread", async () => {
    let refused = 0;
    const dir = await record(version, (session) => {
      const exec = shellCall(session.root.startTurn(), "call_exec", "cat").start();
      exec.execStarted({ command: ["cat"], cwd: "/w", processId: "777" });
      const child = session.root.spawnChild({
        threadId: "00000000-0000-4000-8000-000000000009",
        agentPath: "/root/x",
      });
      child.startTurn().startTool({
        name: "write_stdin",
        payload: { type: "function", arguments: JSON.stringify({ session_id: "777", chars: "x" }) },
        callId: "call_foreign",
      });
      refused = session.stats().refused;
    });
    expect(refused).toBe(1);
    expect(reduce(dir).state.tool_calls.call_foreign).toBeUndefined();
  });
});

describe.each([1, 2] as const)("code cells (trace schema %i)", (version) => {
  const source = 'const r = await tools.exec_command({ cmd: "ls" });\ntext(r.output);\n';

  it("should record a cell, the tool its JavaScript calls, and the runtime responses", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn({ turnId: "turn-cell" });
      modelCalls(turn, [customCall("exec", source, "call_cell", "ctc_cell")]);
      const exec = turn.startTool({
        name: "exec",
        payload: { type: "custom", input: source },
        callId: "call_cell",
      });
      const cell = turn.startCodeCell({ runtimeCellId: "1", callId: "call_cell", sourceJs: source });
      const nested = cell.startTool({
        name: "exec_command",
        payload: { type: "function", arguments: '{"cmd":"ls"}' },
        runtimeToolId: "tool-1",
      });
      nested.execStarted({ command: ["ls"], cwd: "/w" });
      nested.execEnded({ exitCode: 0, stdout: "a.txt\n" });
      nested.completed({ output: "a.txt\n", exit_code: 0, chunk_id: "c1", original_token_count: 2 });
      cell.initialResponse({ Yielded: { cell_id: "1", content_items: [] } });
      cell.ended({
        Result: { cell_id: "1", content_items: [{ type: "input_text", text: "a.txt\n" }], error_text: null },
      });
      exec.completed(customOutput("call_cell", "a.txt\n", "ctco_cell"));
    });

    const { state } = reduce(dir);
    const cell = state.code_cells["code_cell:call_cell"]!;
    expect(cell.codex_turn_id).toBe("turn-cell");
    expect(cell.runtime_status).toBe("completed");
    expect(cell.execution.status).toBe("completed");
    expect(cell.yielded_seq).not.toBeNull();
    expect(cell.source_js).toBe(source);
    expect(cell.nested_tool_call_ids).toHaveLength(1);
    const nested = state.tool_calls[cell.nested_tool_call_ids[0]!]!;
    expect(nested.tool_call_id).toMatch(/^exec-[0-9a-f-]{36}$/);
    expect(nested.requester).toEqual({ type: "code_cell", code_cell_id: "code_cell:call_cell" });
    expect(nested.code_mode_runtime_tool_id).toBe("tool-1");
    expect(nested.terminal_operation_id).not.toBeNull();
    // Schema 2 traces the model's `exec` call too; schema 1 has only the cell.
    if (version === 2) {
      expect(state.tool_calls.call_cell?.kind).toEqual({ type: "other", name: "exec" });
      expect(state.tool_calls.call_cell?.started_code_cell_id).toBe("code_cell:call_cell");
    } else {
      expect(state.tool_calls.call_cell).toBeUndefined();
    }
    const responses = events(dir).filter(
      (event) => event.payload.type.startsWith("code_cell_") && event.payload.response_payload,
    );
    expect(payloadOf(dir, responses[0]!.payload.response_payload)).toEqual({
      response: { Yielded: { cell_id: "1", content_items: [] } },
    });
    expect(schemaProblems(dir)).toEqual([]);
  });

  it("should map runtime responses to cell statuses: error text fails, termination cancels", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      modelCalls(turn, [
        customCall("exec", "x()", "call_err", "ctc_err"),
        customCall("exec", "loop()", "call_term", "ctc_term"),
      ]);
      const failing = turn.startCodeCell({ runtimeCellId: "1", callId: "call_err", sourceJs: "x()" });
      failing.initialResponse({
        Result: { cell_id: "1", content_items: [], error_text: "ReferenceError: x is not defined" },
      });
      failing.ended({
        Result: { cell_id: "1", content_items: [], error_text: "ReferenceError: x is not defined" },
      });
      turn
        .startCodeCell({ runtimeCellId: "2", callId: "call_term", sourceJs: "loop()" })
        .ended({ Terminated: { cell_id: "2" } });
    });
    const { state } = reduce(dir);
    expect(state.code_cells["code_cell:call_err"]?.runtime_status).toBe("failed");
    expect(state.code_cells["code_cell:call_err"]?.execution.status).toBe("failed");
    expect(state.code_cells["code_cell:call_term"]?.runtime_status).toBe("terminated");
    expect(state.code_cells["code_cell:call_term"]?.execution.status).toBe("cancelled");
  });

  it("should link a model-visible wait to the yielded cell it waits on", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      modelCalls(turn, [customCall("exec", "slow()", "call_slow", "ctc_slow")]);
      const cell = turn.startCodeCell({ runtimeCellId: "7", callId: "call_slow", sourceJs: "slow()" });
      cell.initialResponse({ Yielded: { cell_id: "7", content_items: [] } });
      const wait = turn.startTool({
        name: "wait",
        payload: { type: "function", arguments: '{"cell_id":"7","yield_time_ms":1000}' },
        callId: "call_wait",
      });
      cell.ended({ Result: { cell_id: "7", content_items: [], error_text: null } });
      wait.completed(functionOutput("call_wait", "done", "fco_wait"));
      // The reducers read every wait's cell_id: a wait without one is refused.
      turn.startTool({
        name: "wait",
        payload: { type: "function", arguments: "{}" },
        callId: "call_wait_bad",
      });
    });
    const { state } = reduce(dir);
    expect(state.code_cells["code_cell:call_slow"]?.wait_tool_call_ids).toEqual(["call_wait"]);
    expect(state.tool_calls.call_wait_bad).toBeUndefined();
  });

  it("should treat a cell its turn ended abnormally as finished", async () => {
    let late = 0;
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      modelCalls(turn, [customCall("exec", "wait()", "call_cut", "ctc_cut")]);
      const cell = turn.startCodeCell({ runtimeCellId: "1", callId: "call_cut", sourceJs: "wait()" });
      turn.abort();
      cell.initialResponse({ Yielded: { cell_id: "1", content_items: [] } });
      cell.startTool({
        name: "exec_command",
        payload: { type: "function", arguments: "{}" },
        runtimeToolId: "tool-1",
      });
      late = session.stats().late;
    });
    expect(late).toBe(2);
    const cell = reduce(dir).state.code_cells["code_cell:call_cut"]!;
    expect(cell.runtime_status).toBe("terminated");
    expect(cell.execution.status).toBe("cancelled");
  });

  it("should let a yielded cell outlive a completed turn", async () => {
    const dir = await record(version, (session) => {
      const turn = session.root.startTurn();
      modelCalls(turn, [customCall("exec", "bg()", "call_bg", "ctc_bg")]);
      const cell = turn.startCodeCell({ runtimeCellId: "1", callId: "call_bg", sourceJs: "bg()" });
      cell.initialResponse({ Yielded: { cell_id: "1", content_items: [] } });
      turn.end();
      cell.ended({ Result: { cell_id: "1", content_items: [], error_text: null } });
    });
    expect(reduce(dir).state.code_cells["code_cell:call_bg"]?.execution.status).toBe("completed");
  });
});

describe("the code-mode exec call", () => {
  it("should carry no runtime observations of its own", async () => {
    let refused = 0;
    await record(2, (session) => {
      const exec = session.root
        .startTurn()
        .startTool({ name: "exec", payload: { type: "custom", input: "1" }, callId: "call_x" });
      exec.runtimeStarted({ call_id: "call_x" }, { kind: { type: "write_stdin" } });
      refused = session.stats().refused;
    });
    expect(refused).toBe(1);
  });

  it("should record the envelope of its events in the tool's thread and turn", async () => {
    const dir = await record(2, (session) => {
      session.root
        .startTurn({ turnId: "t" })
        .startTool({ name: "exec", payload: { type: "custom", input: "1" }, callId: "c" });
    });
    const started = events(dir).find((event) => event.payload.type === "tool_call_started")!;
    expect([started.thread_id, started.codex_turn_id]).toEqual([ROOT_THREAD, "t"]);
  });
});
