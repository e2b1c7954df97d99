import fs from "node:fs";
import path from "node:path";
import { referenceBinary, referenceRequired, runReference } from "@rollout-trace/testkit";
import { describe, expect, it } from "vitest";
import { type BundleWriter, createBundleWriter } from "../src/index.ts";
import { bundlePath, expectReplayableBundle, fixturesDir, scratchDir, steppingClock } from "./support.ts";

// The scripted session behind test/fixtures/golden-v1 and golden-v2. Those files were written by hand from the
// spec (§1.3-§1.5) and the layout of the real Codex bundles; the ids and shapes follow real-bundles/*/exec-plain.
const TRACE_ID = "5b0e8f3a-91c2-4d7e-8a64-2f1c9d03b7e5";
const THREAD = "01a212b7-cde5-7a03-8270-a64d6832b13f";
const TURN = "01a212b7-cdfa-76e2-b21a-5d97b5548d66";
const CALL = "eeba701f-bcd2-4ce8-993d-83643e75da08";
const STARTED_AT = 1795610365425;
const IN_TURN = { threadId: THREAD, codexTurnId: TURN };

const sessionMetadata = {
  thread_id: THREAD,
  agent_path: "/root",
  task_name: null,
  nickname: null,
  agent_role: null,
  session_source: "exec",
  cwd: "/home/dev/project",
  rollout_path: null,
  model: "mock-model",
  provider_name: "mock",
  approval_policy: "never",
  sandbox_policy: "DangerFullAccess",
};

const inferenceRequest = {
  model: "mock-model",
  stream: true,
  input: [
    {
      type: "message",
      id: "msg_01a212b7-ce14-7193-bca1-fe1c31188064",
      role: "user",
      content: [{ type: "input_text", text: 'Say "héllo" ✓\nthen stop.' }],
    },
  ],
  tools: [],
  tool_choice: "auto",
  parallel_tool_calls: false,
  reasoning: null,
  store: false,
  include: [],
  text: {},
};

const inferenceResponse = {
  response_id: "resp_golden_1",
  upstream_request_id: "req_golden_1",
  token_usage: {
    input_tokens: 100,
    cached_input_tokens: 0,
    cache_write_input_tokens: 0,
    output_tokens: 20,
    reasoning_output_tokens: 0,
    total_tokens: 120,
  },
  output_items: [
    {
      type: "message",
      id: "msg_golden_1_0",
      role: "assistant",
      content: [{ type: "output_text", text: "héllo ✓", annotations: [] }],
      phase: "final_answer",
    },
  ],
};

function recordSession(writer: BundleWriter): void {
  const v2 = writer.schemaVersion === 2;
  writer.append({ type: "rollout_started", trace_id: TRACE_ID, root_thread_id: THREAD });
  const metadata = writer.writePayload("session_metadata", sessionMetadata);
  writer.append({
    type: "thread_started",
    thread_id: THREAD,
    agent_path: "/root",
    metadata_payload: metadata,
  });
  writer.append({ type: "codex_turn_started", codex_turn_id: TURN, thread_id: THREAD }, IN_TURN);
  if (v2) {
    writer.append(
      { type: "history_item_accepted", item_id: "msg_01a212b7-ce14-7193-bca1-fe1c31188064" },
      IN_TURN,
    );
  }
  const request = writer.writePayload("inference_request", inferenceRequest);
  writer.append(
    {
      type: "inference_started",
      inference_call_id: CALL,
      thread_id: THREAD,
      codex_turn_id: TURN,
      model: "mock-model",
      provider_name: "mock",
      request_payload: request!,
    },
    IN_TURN,
  );
  const response = writer.writePayload("inference_response", inferenceResponse);
  writer.append(
    {
      type: "inference_completed",
      inference_call_id: CALL,
      response_id: "resp_golden_1",
      upstream_request_id: "req_golden_1",
      response_payload: response!,
    },
    IN_TURN,
  );
  if (v2) writer.append({ type: "history_item_accepted", item_id: "msg_golden_1_0" }, IN_TURN);
  writer.append({ type: "codex_turn_ended", codex_turn_id: TURN, status: "completed" }, IN_TURN);
  const shutdown = writer.writePayload("protocol_event", { type: "shutdown_complete" });
  writer.append({
    type: "protocol_event_observed",
    event_type: "shutdown_complete",
    event_payload: shutdown!,
  });
  writer.append({ type: "thread_ended", thread_id: THREAD, status: "completed" });
  writer.append({ type: "rollout_ended", status: "completed" });
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .sort();
}

describe.each([1, 2] as const)("golden bundle, schema %i", (schemaVersion) => {
  const expectedDir = path.join(fixturesDir, `golden-v${schemaVersion}`);

  it("writes exactly the hand-written bytes", async () => {
    const dir = bundlePath();
    const writer = createBundleWriter({
      dir,
      traceId: TRACE_ID,
      rolloutId: THREAD,
      rootThreadId: THREAD,
      schemaVersion,
      clock: steppingClock(STARTED_AT),
    });
    recordSession(writer);
    await writer.close();

    expect(writer.state).toBe("closed");
    expect(filesUnder(dir)).toEqual(filesUnder(expectedDir));
    for (const file of filesUnder(expectedDir)) {
      expect(fs.readFileSync(path.join(dir, file), "utf8"), file).toBe(
        fs.readFileSync(path.join(expectedDir, file), "utf8"),
      );
    }
    expectReplayableBundle(dir);
  });

  it("writes the same bytes in batched mode", async () => {
    const dir = bundlePath();
    const writer = createBundleWriter({
      dir,
      traceId: TRACE_ID,
      rolloutId: THREAD,
      rootThreadId: THREAD,
      schemaVersion,
      mode: "batched",
      batchBytes: 1000,
      clock: steppingClock(STARTED_AT),
    });
    recordSession(writer);
    await writer.close();
    expect(fs.readFileSync(path.join(dir, "trace.jsonl"), "utf8")).toBe(
      fs.readFileSync(path.join(expectedDir, "trace.jsonl"), "utf8"),
    );
  });

  const binary = referenceBinary(schemaVersion);
  it.skipIf(binary === null && !referenceRequired())(
    `is accepted by the reference Codex reducer${binary === null ? " (skipped: reference binary not fetched)" : ""}`,
    async () => {
      // Reduce a copy: the reference writes nothing into the bundle with -o, but fixtures stay untouched regardless.
      const copy = path.join(scratchDir(), "golden");
      fs.cpSync(expectedDir, copy, { recursive: true });
      const result = await runReference(schemaVersion, copy);
      expect(result.ok ? "" : result.error).toBe("");
      const state = result.ok ? JSON.parse(result.state) : {};
      expect(state.schema_version).toBe(schemaVersion);
      expect(Object.keys(state.conversation_items)).toHaveLength(2);
    },
  );
});
