// Real Codex recordings, re-recorded through the helpers: each event Codex wrote becomes the helper call an agent
// makes at that point (with the documents Codex wrote as the agent's own objects). The helpers must then write the
// same events, in the same order, with the same envelopes and the same payload documents; only the ids the
// helpers generate themselves (trace, inference call, MCP call, compaction request) may differ.
import fs from "node:fs";
import path from "node:path";
import { repositoryRoot } from "@rollout-trace/testkit";
import { describe, expect, it } from "vitest";
import type {
  CodeCellTrace,
  CompactionAttemptTrace,
  CompactionTrace,
  InferenceTrace,
  ModelItem,
  ThreadTrace,
  ToolCallTrace,
  TraceSession,
  TurnTrace,
} from "../src/index.ts";
import { startTrace } from "../src/index.ts";
import { scratchDir } from "./support.ts";

type Json = Record<string, unknown>;

interface RealEvent {
  readonly seq: number;
  readonly thread_id: string | null;
  readonly codex_turn_id: string | null;
  readonly payload: Json & { readonly type: string };
}

interface Bundle {
  readonly dir: string;
  readonly events: readonly RealEvent[];
  document(ref: unknown): Json;
}

function readBundle(dir: string): Bundle {
  const events = fs
    .readFileSync(path.join(dir, "trace.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RealEvent);
  return {
    dir,
    events,
    document: (ref) =>
      JSON.parse(fs.readFileSync(path.join(dir, (ref as { path: string }).path), "utf8")) as Json,
  };
}

/** The fields of a protocol event besides its tag. */
function body(document: Json): Json {
  const { type: _tag, ...rest } = document;
  return rest;
}

function usageOf(tokenUsage: unknown) {
  if (tokenUsage === null || tokenUsage === undefined) return null;
  const usage = tokenUsage as Record<string, number>;
  return {
    inputTokens: usage.input_tokens!,
    cachedInputTokens: usage.cached_input_tokens!,
    ...(usage.cache_write_input_tokens === undefined
      ? {}
      : { cacheWriteInputTokens: usage.cache_write_input_tokens }),
    outputTokens: usage.output_tokens!,
    reasoningOutputTokens: usage.reasoning_output_tokens!,
    totalTokens: usage.total_tokens!,
  };
}

/** Plays a real bundle's events as helper calls on a new session. */
class Replayer {
  readonly #real: Bundle;
  readonly #session: TraceSession;
  readonly #threads = new Map<string, ThreadTrace>();
  readonly #turns = new Map<string, TurnTrace>();
  readonly #inferences = new Map<string, InferenceTrace>();
  readonly #tools = new Map<string, ToolCallTrace>();
  readonly #cells = new Map<string, CodeCellTrace>();
  readonly #compactions = new Map<string, CompactionTrace>();
  readonly #compactionAttempts = new Map<string, CompactionAttemptTrace>();
  readonly #items = new Map<string, ModelItem>();
  /** Acceptances the helpers write by themselves, after a completion or a tool's end. */
  readonly #automatic = new Set<number>();

  constructor(real: Bundle, root: string) {
    this.#real = real;
    const manifest = JSON.parse(fs.readFileSync(path.join(real.dir, "manifest.json"), "utf8")) as Json;
    const started = real.events.find((event) => event.payload.type === "thread_started")!;
    const metadata = real.document(started.payload.metadata_payload);
    this.#session = startTrace({
      root,
      schemaVersion: manifest.schema_version as 1 | 2,
      rootThread: {
        threadId: metadata.thread_id as string,
        agentPath: metadata.agent_path as string,
        model: metadata.model as string,
        providerName: metadata.provider_name as string,
        cwd: metadata.cwd as string,
        rolloutPath: metadata.rollout_path as string | null,
        approvalPolicy: metadata.approval_policy as string,
        sandboxPolicy: metadata.sandbox_policy as string,
        sessionSource: metadata.session_source as string,
        nickname: metadata.nickname as string | null,
        agentRole: metadata.agent_role as string | null,
        taskName: metadata.task_name as string | null,
      },
    });
    this.#threads.set(metadata.thread_id as string, this.#session.root);
    this.#collectItems();
  }

  get session(): TraceSession {
    return this.#session;
  }

  /** Every Responses item of the recording by id, so acceptances can hand the helpers the item itself. */
  #collectItems(): void {
    for (const event of this.#real.events) {
      const ref = event.payload.request_payload ?? event.payload.response_payload;
      if (ref === undefined || ref === null) continue;
      const document = this.#real.document(ref);
      for (const item of [
        ...((document.input as ModelItem[]) ?? []),
        ...((document.output_items as ModelItem[]) ?? []),
      ]) {
        if (typeof item.id === "string" && !this.#items.has(item.id)) this.#items.set(item.id, item);
      }
    }
  }

  run(): void {
    const events = this.#real.events;
    for (const [index, event] of events.entries()) {
      if (this.#automatic.has(index)) continue;
      this.#play(event, index);
    }
  }

  /** Output ids not yet accepted in the event's thread (items accepted while streaming stay accepted). */
  #unacceptedIds(event: RealEvent, output: readonly ModelItem[]): string[] {
    const earlier = this.#real.events.filter(
      (other) =>
        other.seq < event.seq &&
        other.payload.type === "history_item_accepted" &&
        other.thread_id === event.thread_id,
    );
    const accepted = new Set(earlier.map((other) => other.payload.item_id));
    return output.flatMap((item) => (typeof item.id === "string" && !accepted.has(item.id) ? [item.id] : []));
  }

  #turn(event: RealEvent): TurnTrace {
    return this.#turns.get(event.codex_turn_id!)!;
  }

  /**
   * Whether Codex accepted exactly these ids, in this order, right after event `index`: then the helpers' automatic
   * acceptance writes those events. Otherwise the producer accepts each item when Codex did (`accept: false`).
   */
  #acceptedRightAfter(index: number, ids: readonly string[]): boolean {
    const following = ids.map((_, offset) => this.#real.events[index + 1 + offset]);
    const matches = following.every(
      (event, offset) =>
        event?.payload.type === "history_item_accepted" && event.payload.item_id === ids[offset],
    );
    if (matches) for (let offset = 0; offset < ids.length; offset++) this.#automatic.add(index + 1 + offset);
    return matches;
  }

  #play(event: RealEvent, index: number): void {
    const payload = event.payload;
    const real = this.#real;
    switch (payload.type) {
      case "rollout_started":
      case "rollout_ended":
      case "recording_completed":
        return;
      case "thread_started": {
        if (this.#threads.has(payload.thread_id as string)) return;
        const metadata = real.document(payload.metadata_payload);
        const spawn = (metadata.session_source as { subagent: { thread_spawn: Json } }).subagent.thread_spawn;
        const parent = this.#threads.get(spawn.parent_thread_id as string)!;
        this.#threads.set(
          payload.thread_id as string,
          parent.spawnChild({
            threadId: payload.thread_id as string,
            ...(typeof spawn.agent_path === "string" ? { agentPath: spawn.agent_path } : {}),
            taskName: metadata.task_name as string | null,
            nickname: metadata.nickname as string | null,
            agentRole: metadata.agent_role as string | null,
            depth: spawn.depth as number,
            model: metadata.model as string,
            providerName: metadata.provider_name as string,
            cwd: metadata.cwd as string,
            rolloutPath: metadata.rollout_path as string | null,
            approvalPolicy: metadata.approval_policy as string,
            sandboxPolicy: metadata.sandbox_policy as string,
          }),
        );
        return;
      }
      case "thread_ended":
        this.#threads.get(payload.thread_id as string)!.end(payload.status as never);
        return;
      case "thread_resumed":
        this.#threads.get(payload.thread_id as string)!.resume();
        return;
      case "protocol_event_observed": {
        const thread = this.#session.root;
        thread.protocolEvent(payload.event_type as never, body(real.document(payload.event_payload)));
        return;
      }
      case "codex_turn_started":
        this.#turns.set(
          payload.codex_turn_id as string,
          this.#threads
            .get(payload.thread_id as string)!
            .startTurn({ turnId: payload.codex_turn_id as string }),
        );
        return;
      case "codex_turn_ended":
        this.#turn(event).end(payload.status as never);
        return;
      case "history_item_accepted": {
        const id = payload.item_id as string;
        const message = payload.agent_message_payload;
        const item = message
          ? (real.document(message) as ModelItem)
          : (this.#items.get(id) ?? { type: "message", id, role: "user", content: [] });
        this.#turn(event).accept([item]);
        return;
      }
      case "inference_started": {
        const attempt = this.#turn(event).startInference(real.document(payload.request_payload) as never, {
          model: payload.model as string,
          providerName: payload.provider_name as string,
        });
        this.#inferences.set(payload.inference_call_id as string, attempt);
        return;
      }
      case "inference_completed": {
        const response = real.document(payload.response_payload);
        const output = response.output_items as ModelItem[];
        this.#inferences.get(payload.inference_call_id as string)!.completed({
          responseId: payload.response_id as string | null,
          upstreamRequestId: payload.upstream_request_id as string | null,
          usage: usageOf(response.token_usage),
          output,
          accept: this.#acceptedRightAfter(index, this.#unacceptedIds(event, output)),
        });
        return;
      }
      case "inference_failed":
      case "inference_cancelled": {
        const ref = payload.partial_response_payload;
        const output = ref ? (real.document(ref).output_items as ModelItem[]) : [];
        const accept = this.#acceptedRightAfter(index, this.#unacceptedIds(event, output));
        const partial = { upstreamRequestId: payload.upstream_request_id as string | null, output, accept };
        const attempt = this.#inferences.get(payload.inference_call_id as string)!;
        if (payload.type === "inference_failed") attempt.failed(payload.error as string, partial);
        else attempt.cancelled(payload.reason as string, partial);
        return;
      }
      case "tool_call_started":
        this.#startTool(event);
        return;
      case "tool_call_runtime_started":
        this.#runtimeStarted(event);
        return;
      case "tool_call_runtime_ended":
        this.#runtimeEnded(event);
        return;
      case "mcp_tool_call_correlation_assigned":
        this.#tools.get(payload.tool_call_id as string)!.startMcpCall();
        return;
      case "stdin_target_resolved":
        this.#tools
          .get(payload.tool_call_id as string)!
          .stdinTarget(this.#tools.get(payload.exec_tool_call_id as string)!);
        return;
      case "tool_call_ended":
        this.#endTool(event, index);
        return;
      case "code_cell_started":
        this.#cells.set(
          `${event.thread_id}:${payload.runtime_cell_id}`,
          this.#turn(event).startCodeCell({
            runtimeCellId: payload.runtime_cell_id as string,
            callId: payload.model_visible_call_id as string,
            sourceJs: payload.source_js as string,
          }),
        );
        return;
      case "code_cell_initial_response":
      case "code_cell_ended": {
        const cell = this.#cells.get(`${event.thread_id}:${payload.runtime_cell_id}`)!;
        const response = real.document(payload.response_payload).response as never;
        if (payload.type === "code_cell_ended") cell.ended(response);
        else cell.initialResponse(response);
        return;
      }
      case "compaction_request_started": {
        const compactionId = payload.compaction_id as string;
        let compaction = this.#compactions.get(compactionId);
        if (compaction === undefined) {
          compaction = this.#turn(event).startCompaction({ compactionId });
          this.#compactions.set(compactionId, compaction);
        }
        const attempt = compaction.startAttempt(real.document(payload.request_payload) as never, {
          model: payload.model as string,
          providerName: payload.provider_name as string,
        });
        this.#compactionAttempts.set(payload.compaction_request_id as string, attempt);
        return;
      }
      case "compaction_request_completed":
        this.#compactionAttempts
          .get(payload.compaction_request_id as string)!
          .completed(real.document(payload.response_payload).output_items as ModelItem[]);
        return;
      case "compaction_request_failed":
        this.#compactionAttempts
          .get(payload.compaction_request_id as string)!
          .failed(payload.error as string);
        return;
      case "compaction_installed": {
        const checkpoint = real.document(payload.checkpoint_payload);
        this.#compactions.get(payload.compaction_id as string)!.installed({
          inputHistory: checkpoint.input_history as ModelItem[],
          replacementHistory: checkpoint.replacement_history as ModelItem[],
        });
        return;
      }
      case "agent_result_observed": {
        const carried = real.document(payload.carried_payload);
        this.#turn(event).reportAgentResult({
          message: payload.message as string,
          status: carried.status as never,
          parent: payload.parent_thread_id as string,
        });
        return;
      }
      default:
        throw new Error(`the fidelity replayer does not know ${payload.type}`);
    }
  }

  #startTool(event: RealEvent): void {
    const payload = event.payload;
    const invocation = this.#real.document(payload.invocation_payload);
    const requester = payload.requester as { type: string; runtime_cell_id?: string };
    const common = {
      name: invocation.tool_name as string,
      namespace: invocation.tool_namespace as string | null,
      payload: invocation.payload as never,
      toolCallId: payload.tool_call_id as string,
    };
    const tool =
      requester.type === "code_cell"
        ? this.#cells
            .get(`${event.thread_id}:${requester.runtime_cell_id}`)!
            .startTool({ ...common, runtimeToolId: payload.code_mode_runtime_tool_id as string })
        : this.#turn(event).startTool({ ...common, callId: payload.model_visible_call_id as string });
    this.#tools.set(payload.tool_call_id as string, tool);
  }

  #runtimeStarted(event: RealEvent): void {
    const payload = event.payload;
    const tool = this.#tools.get(payload.tool_call_id as string)!;
    const document = this.#real.document(payload.runtime_payload);
    const kind = payload.kind as { type: string } | undefined;
    if (Array.isArray(document.command) && (kind === undefined || kind.type === "exec_command")) {
      tool.execStarted({
        command: document.command as string[],
        cwd: document.cwd as string,
        ...(document.process_id === undefined ? {} : { processId: document.process_id as string }),
        parsedCommand: document.parsed_cmd as unknown[],
        source: document.source as string,
        ...(document.interaction_input === undefined
          ? {}
          : { interactionInput: document.interaction_input as string }),
        startedAtMs: document.started_at_ms as number,
      });
    } else if (kind?.type === "mcp") {
      const call = document.invocation as Json;
      tool.mcpStarted({
        server: call.server as string,
        tool: call.tool as string,
        arguments: call.arguments,
      });
    } else {
      tool.runtimeStarted(document, kind === undefined ? undefined : { kind: kind as never });
    }
  }

  #runtimeEnded(event: RealEvent): void {
    const payload = event.payload;
    const tool = this.#tools.get(payload.tool_call_id as string)!;
    const document = this.#real.document(payload.runtime_payload);
    if (document.agent_thread_id !== undefined) {
      tool.agentActivity({
        agent: { threadId: document.agent_thread_id as string, agentPath: document.agent_path as string },
        kind: document.kind as never,
        model: document.model as string | null,
        reasoningEffort: document.reasoning_effort as string | null,
        occurredAtMs: document.occurred_at_ms as number,
      });
    } else if (typeof document.aggregated_output === "string" && document.exit_code !== undefined) {
      const duration = document.duration as { secs: number; nanos: number };
      tool.execEnded({
        exitCode: document.exit_code as number,
        ...(typeof document.stdout === "string" ? { stdout: document.stdout } : {}),
        ...(typeof document.stderr === "string" ? { stderr: document.stderr } : {}),
        aggregatedOutput: document.aggregated_output,
        ...(typeof document.formatted_output === "string"
          ? { formattedOutput: document.formatted_output }
          : {}),
        durationMs: duration.secs * 1000 + duration.nanos / 1e6,
        status: document.status as never,
        completedAtMs: document.completed_at_ms as number,
      });
    } else if (document.result !== undefined && Object.keys(document).length === 1) {
      const result = document.result as Json;
      tool.mcpEnded("Ok" in result ? { ok: result.Ok } : { error: result.Err as string });
    } else {
      tool.runtimeEnded(payload.status as never, document);
    }
  }

  #endTool(event: RealEvent, index: number): void {
    const payload = event.payload;
    const tool = this.#tools.get(payload.tool_call_id as string)!;
    const result = payload.result_payload ? this.#real.document(payload.result_payload) : null;
    const status = payload.status as string;
    if (result?.type === "error") {
      tool.failed(result.error as string);
      return;
    }
    if (result?.type === "code_mode_response") {
      tool.completed(result.value, { success: status === "completed" });
      return;
    }
    // The history id of the output item: the later request that sends it back holds it (schema 2).
    const item = (result?.response_item ?? {}) as ModelItem;
    const stored = [...this.#items.values()].find(
      (candidate) => candidate.call_id === item.call_id && candidate.type === item.type,
    );
    const output = stored === undefined ? item : { ...item, id: stored.id as string };
    const accept = stored !== undefined && this.#acceptedRightAfter(index, [stored.id as string]);
    tool.completed(output, { success: status === "completed", accept });
  }
}

/** An event with the ids the helpers generate replaced, and payload references reduced to their kind. */
function comparable(event: RealEvent, document: (ref: unknown) => Json): unknown {
  const payload: Json = {};
  for (const [key, value] of Object.entries(event.payload)) {
    if (["inference_call_id", "mcp_call_id", "trace_id", "compaction_request_id"].includes(key)) {
      payload[key] = "<generated>";
    } else if (typeof value === "object" && value !== null && "raw_payload_id" in value) {
      payload[key] = { kind: (value as unknown as { kind: unknown }).kind, document: document(value) };
    } else if (key === "request_input_mode" && typeof value === "object" && value !== null) {
      payload[key] = value;
    } else {
      payload[key] = value;
    }
  }
  return { thread_id: event.thread_id, codex_turn_id: event.codex_turn_id, payload };
}

interface Corpus {
  readonly label: string;
  readonly root: string;
}

const repoRoot = repositoryRoot();
const CORPORA: readonly Corpus[] = [
  { label: "../shared/real-bundles", root: path.resolve(repoRoot, "../shared/real-bundles") },
  {
    label: "reducer recorded fixtures",
    root: path.join(repoRoot, "packages/reducer/test/fixtures/recorded"),
  },
];

function bundlesOf(corpus: Corpus): string[] {
  return ["v1", "v2"].flatMap((version) => {
    const dir = path.join(corpus.root, version);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((name) => fs.existsSync(path.join(dir, name, "trace.jsonl")))
      .map((name) => `${version}/${name}`);
  });
}

for (const corpus of CORPORA) {
  const bundles = bundlesOf(corpus);
  describe.skipIf(bundles.length === 0)(
    `real Codex recordings re-recorded through the helpers (${corpus.label}${bundles.length === 0 ? ": not found, skipped" : ""})`,
    () => {
      it.each(bundles)("should write what Codex wrote for %s", (name) => {
        // Arrange
        const real = readBundle(path.join(corpus.root, name));
        const replayer = new Replayer(real, scratchDir());

        // Act
        replayer.run();
        replayer.session.closeSync();

        // Assert
        expect(replayer.session.stats()).toMatchObject({ refused: 0, repeated: 0, suppressed: 0, late: 0 });
        const ours = readBundle(replayer.session.bundleDir!);
        const written = ours.events.map((event) => comparable(event, ours.document));
        const expected = real.events.map((event) => comparable(event, real.document));
        // Compared from the first difference on, so a failure shows the event where the two part ways.
        const first = expected.findIndex(
          (event, index) => JSON.stringify(event) !== JSON.stringify(written[index]),
        );
        expect(written.slice(first === -1 ? expected.length : first)).toEqual(
          expected.slice(first === -1 ? expected.length : first),
        );
        expect(written).toHaveLength(expected.length);
      });
    },
  );
}
