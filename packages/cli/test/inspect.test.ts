// `inspect`: the report of a bundle or a state.json, one thread, JSON, and untrusted text made harmless.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  copyRecorded,
  ESC,
  RECORDED_DIR,
  recordedState,
  removeTempDirs,
  run,
  SGR,
  stripSgr,
  tempDir,
  unsafeCharacters,
} from "./support.ts";

afterEach(removeTempDirs);

const SHELL_V2 = path.join(RECORDED_DIR, "v2", "exec-shell");

describe("inspect", () => {
  it("prints the report of a bundle", () => {
    const result = run(["inspect", SHELL_V2]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatchSnapshot();
  });

  it("prints the report of a schema 1 bundle with a code cell", () => {
    const result = run(["inspect", path.join(RECORDED_DIR, "v1", "exec-code-mode")]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatchSnapshot();
  });

  it("prints the same report from the bundle's state.json", () => {
    const fromBundle = run(["inspect", SHELL_V2]);
    const fromState = run(["inspect", path.join(SHELL_V2, "state.json")]);
    expect(fromState.status).toBe(0);
    expect(fromState.stdout).toBe(fromBundle.stdout);
  });

  it("narrows the report to one thread, by agent path or id", () => {
    const bundle = path.join(RECORDED_DIR, "v2", "exec-multi-agent-v2");
    const state = JSON.parse(recordedState(2, "exec-multi-agent-v2"));
    const child = Object.values(
      state.threads as Record<string, { thread_id: string; agent_path: string }>,
    ).find((thread) => thread.agent_path === "/root/file_counter");
    const byPath = run(["inspect", bundle, "--thread", "/root/file_counter"]);
    expect(byPath.status).toBe(0);
    expect(byPath.stdout).toContain(`Thread /root/file_counter  ${child?.thread_id}`);
    expect(byPath.stdout).not.toContain("Thread /root  ");
    expect(byPath.stdout).toContain("Interaction edges (4)");
    const byId = run(["inspect", bundle, "--thread", child?.thread_id ?? "", "--json"]);
    const report = JSON.parse(byId.stdout);
    expect(report.threads.map((thread: { agentPath: string }) => thread.agentPath)).toEqual([
      "/root/file_counter",
    ]);
  });

  it("refuses an unknown thread as a usage error, naming the threads there are", () => {
    const result = run(["inspect", SHELL_V2, "--thread", "/root/nobody"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: no thread \/root\/nobody in this trace; threads: \/root \(/);
  });

  it("prints the report as JSON", () => {
    const result = run(["inspect", SHELL_V2, "--json"]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ schemaVersion: 2, status: "completed", recordingComplete: true });
    expect(report.counts).toMatchObject({ threads: 1, inferenceCalls: 2, toolCalls: 1 });
  });

  it("says when a file is not a state", () => {
    const dir = tempDir();
    const notJson = path.join(dir, "notes.txt");
    fs.writeFileSync(notJson, "hello");
    const first = run(["inspect", notJson]);
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/^error: .*notes\.txt is not JSON/);

    const manifest = path.join(SHELL_V2, "manifest.json");
    const second = run(["inspect", manifest]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      `error: ${manifest} is not a rollout-trace state (a state.json as \`reduce\` writes it):`,
    );
    expect(second.stderr).toContain('/threads: missing required property "threads"');
  });

  it("says when the path does not exist", () => {
    const result = run(["inspect", path.join(tempDir(), "gone")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot open .*gone: no such file or directory\n$/);
  });

  it("reports a replay error of a bundle with its location", () => {
    const bundle = copyRecorded(2, "exec-plain");
    fs.rmSync(path.join(bundle, "payloads", "1.json"));
    const result = run(["inspect", bundle]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("error: open payload raw_payload:1");
    expect(result.stderr).toContain("caused by: No such file or directory (os error 2)");
    expect(result.stderr).toContain("at trace.jsonl, line 2, seq 2, payload payloads/1.json");
  });
});

describe("untrusted text", () => {
  /** A real state.json whose trace strings carry escape sequences, bidi overrides and other controls. */
  function hostileState(): string {
    const state = JSON.parse(recordedState(2, "exec-shell"));
    const hostile = "\u001b[31mred\u001b[0m \u001b]0;owned\u0007 \u009b2J \u202eevil\r\n\u0000end";
    const [thread] = Object.values(state.threads) as { agent_path: string }[];
    thread!.agent_path = `/root${hostile}`;
    const item = state.conversation_items["conversation_item:4"];
    item.body.parts[0].text = hostile;
    const operation = state.terminal_operations["terminal_operation:1"];
    operation.request.display_command = `rm -rf / ${hostile}`;
    operation.result.stdout = hostile;
    const file = path.join(tempDir(), "state.json");
    fs.writeFileSync(file, JSON.stringify(state, null, 2));
    return file;
  }

  it("are escaped in the report: no escape sequence reaches the terminal", () => {
    const result = run(["inspect", hostileState()], { env: { FORCE_COLOR: "1" } });
    expect(result.status).toBe(0);
    // Colours are on (FORCE_COLOR): without our own SGR sequences, nothing a terminal acts on is left.
    expect(result.stdout).toMatch(SGR);
    expect(unsafeCharacters(stripSgr(result.stdout))).toEqual([]);
    expect(result.stdout).toContain("\\x1b[31mred\\x1b[0m \\x1b]0;owned\\x07 \\x9b2J \\u{202e}evil \\x00end");
  });

  it("are escaped without colours too", () => {
    const result = run(["inspect", hostileState()]);
    expect(unsafeCharacters(result.stdout)).toEqual([]);
    expect(result.stdout).toContain("/root\\x1b[31mred");
  });

  it("stay valid, escaped JSON with --json", () => {
    const file = hostileState();
    const result = run(["inspect", file, "--json"]);
    expect(unsafeCharacters(result.stdout)).toEqual([]);
    const report = JSON.parse(result.stdout);
    expect(report.threads[0].agentPath).toBe(
      "/root\u001b[31mred\u001b[0m \u001b]0;owned\u0007 \u009b2J \u202eevil\r\n\u0000end",
    );
  });

  it("in an error message are escaped", () => {
    const bundle = copyRecorded(2, "exec-plain");
    const trace = path.join(bundle, "trace.jsonl");
    const lines = fs.readFileSync(trace, "utf8").split("\n");
    // history_item_accepted for a thread that does not exist: the message quotes the thread id.
    lines[6] = lines[6]!.replace(/"thread_id":"[^"]*"/, '"thread_id":"\\u001b[2Jghost"');
    fs.writeFileSync(trace, lines.join("\n"));
    const result = run(["reduce", bundle]);
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain(ESC);
    expect(result.stderr).toContain("\\x1b[2Jghost");
  });
});
