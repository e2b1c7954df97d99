// Laws of the replay, checked over realistic generated rollouts (threads and child agents, turns, inference calls
// whose requests grow the conversation, tools, code cells, terminals, compaction, cancellations) of both schemas.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stateValidator } from "@rollout-trace/schema/validate";
import {
  type GeneratedBundle,
  rolloutArbitrary,
  serializeEvent,
  writeBundleToDir,
} from "@rollout-trace/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type JsonValue,
  parseJson,
  Replay,
  ReplayError,
  replayBundleSync,
  serializeState,
} from "../src/index.ts";
import { decodeManifest } from "../src/internal/replay.ts";

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 60);
let scratch = "";
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rt-properties-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const bundles = fc.oneof(
  rolloutArbitrary({ schemaVersion: 1, size: "small" }),
  rolloutArbitrary({ schemaVersion: 2, size: "small" }),
  rolloutArbitrary({ schemaVersion: 1, size: "medium" }),
  rolloutArbitrary({ schemaVersion: 2, size: "medium" }),
);

type Entity = Record<string, unknown>;
type Collection = Record<string, Entity>;
interface State {
  threads: Collection;
  codex_turns: Collection;
  conversation_items: Collection;
  inference_calls: Collection;
  code_cells: Collection;
  tool_calls: Collection;
  terminal_sessions: Collection;
  terminal_operations: Collection;
  compactions: Collection;
  compaction_requests: Collection;
  interaction_edges: Collection;
  raw_payloads: Collection;
}

/** Replays in memory through the pure core: lines as the writer serializes them, payloads from the bundle's map. */
function replayInMemory(bundle: GeneratedBundle, events = bundle.events) {
  const payloads = new Map<string, JsonValue>();
  for (const [ordinal, value] of bundle.payloads)
    payloads.set(`payloads/${ordinal}.json`, parseJson(JSON.stringify(value)));
  const replay = new Replay(decodeManifest(parseJson(JSON.stringify(bundle.manifest))), (ref) => {
    const value = payloads.get(ref.path);
    if (value === undefined) throw new ReplayError(`open payload ${ref.raw_payload_id}`, ["missing"]);
    return value;
  });
  events.forEach((event, index) => {
    replay.applyLine(serializeEvent(event), index + 1);
  });
  return replay.finish();
}

function freshDir(name: string): string {
  const dir = path.join(scratch, name);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

describe("replay laws", () => {
  it("is deterministic, agrees between the pure core and the disk adapter (with and without prefetching), and validates against the schema", async () => {
    await fc.assert(
      fc.asyncProperty(bundles, async (bundle) => {
        const dir = freshDir("law-disk");
        await writeBundleToDir(bundle, dir);
        const fromDisk = replayBundleSync(dir, { prefetch: false }).serialize();
        expect(replayBundleSync(dir, { prefetch: false }).serialize()).toBe(fromDisk);
        expect(replayBundleSync(dir, { prefetch: true }).serialize()).toBe(fromDisk);
        const inMemory = replayInMemory(bundle);
        expect(serializeState(inMemory.state)).toBe(fromDisk);
        const issues = stateValidator.errors(JSON.parse(fromDisk));
        expect(issues).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("is unchanged by a JSON round trip of the events", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        const roundTripped = bundle.events.map((event) => JSON.parse(JSON.stringify(event)));
        const reordered = roundTripped.map((event) => {
          // Key order inside an event is irrelevant to its meaning: rebuild each payload object with reversed keys.
          const payload = Object.fromEntries(Object.entries(event.payload).reverse());
          return { ...event, payload };
        });
        const expected = serializeState(replayInMemory(bundle).state);
        expect(serializeState(replayInMemory(bundle, roundTripped).state)).toBe(expected);
        expect(serializeState(replayInMemory(bundle, reordered).state)).toBe(expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("replays every prefix cut at an event boundary", () => {
    fc.assert(
      fc.property(bundles, fc.double({ min: 0, max: 1, noNaN: true }), (bundle, fraction) => {
        const cut = Math.floor(bundle.events.length * fraction);
        const prefix = bundle.events.slice(0, cut);
        const state = replayInMemory(bundle, prefix).state as unknown as State;
        expect(dangling(state)).toEqual([]);
        expect(stateValidator.errors(JSON.parse(serializeState(state)))).toEqual([]);
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });

  it("references only ids that exist", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        expect(dangling(replayInMemory(bundle).state as unknown as State)).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("reconstructs the model-visible conversation the generator produced", () => {
    fc.assert(
      fc.property(bundles, (bundle) => {
        const state = replayInMemory(bundle).state as unknown as State;
        for (const thread of bundle.model) {
          for (const inference of thread.inferences) {
            const call = state.inference_calls[inference.inferenceCallId] as {
              request_item_ids: string[];
              response_item_ids: string[];
            };
            expect(call, `inference ${inference.inferenceCallId}`).toBeDefined();
            sameShapes(
              call.request_item_ids.map((id) => itemShape(state, id)),
              inference.input.map(modelShape),
              inference.inferenceCallId,
            );
            if (inference.output !== null) {
              sameShapes(
                call.response_item_ids.map((id) => itemShape(state, id)),
                inference.output.map(modelShape),
                inference.inferenceCallId,
              );
            }
          }
          if (bundle.schemaVersion === 2) {
            for (const id of thread.acceptedItemIds) {
              const accepted = Object.values(state.conversation_items).filter(
                (item) => item.responses_item_id === id && item.thread_id === thread.threadId,
              );
              for (const item of accepted) expect(item.accepted_seq, `accepted ${id}`).toBeTypeOf("number");
            }
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("independent rollouts interleaved in one log", () => {
  const isolated = {
    shell: false,
    interactiveShell: false,
    compaction: false,
    multiAgentTeam: false,
    multiAgentCollab: false,
    crashes: false,
  };
  // Every id the generator makes comes from the script's seeded random source: two scripts with the same seed share
  // thread, turn and call ids, so they are not independent rollouts.
  const pair = fc
    .constantFrom(1 as const, 2 as const)
    .chain((schemaVersion) =>
      fc.tuple(
        rolloutArbitrary({ schemaVersion, features: isolated }),
        rolloutArbitrary({ schemaVersion, features: isolated }),
        fc.infiniteStream(fc.boolean()),
      ),
    )
    .filter(([a, b]) => a.script.seed !== b.script.seed);

  it("keep each thread's conversation", () => {
    fc.assert(
      fc.property(pair, ([a, b, coin]) => {
        const merged = interleave(a, b, coin);
        const together = replayInMemory(merged).state as unknown as State;
        for (const alone of [a, b]) {
          const state = replayInMemory(alone).state as unknown as State;
          for (const threadId of Object.keys(state.threads)) {
            expect(transcript(together, threadId)).toEqual(transcript(state, threadId));
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---- helpers ---------------------------------------------------------------------------------------------------

/** Compares item shapes and names the first difference (the counterexample itself is too large to read). */
function sameShapes(actual: string[], expected: string[], where: string): void {
  const index = actual.findIndex((shape, i) => shape !== expected[i]);
  if (index !== -1 || actual.length !== expected.length) {
    const at = index === -1 ? Math.min(actual.length, expected.length) : index;
    throw new Error(
      `${where}: item ${at} is ${actual[at]} but the generator produced ${expected[at]} (${actual.length} vs ${expected.length} items)`,
    );
  }
}

/** What identifies an item across reducers: kind, role, call id and its readable text. */
function itemShape(state: State, id: string): string {
  const item = state.conversation_items[id] as {
    kind: string;
    role: string;
    call_id: string | null;
    body: { parts: { type: string; text?: string; source?: string }[] };
  };
  const text = item.body.parts
    .filter((part) => part.type === "text" || part.type === "code")
    .map((part) => part.text ?? part.source ?? "")
    .join("|");
  return `${item.kind}/${item.role}/${item.call_id ?? "-"}/${item.kind === "reasoning" ? "" : text}`;
}

/** The same shape computed from a raw Responses item, independently of the reducer's normalization. */
function modelShape(item: Record<string, unknown>): string {
  const type = String(item.type);
  const kind =
    type === "agent_message" || type.startsWith("compaction") || type === "context_compaction"
      ? "message"
      : ["tool_search_call", "web_search_call", "image_generation_call", "local_shell_call"].includes(type)
        ? "function_call"
        : ["tool_search_output", "mcp_tool_call_output"].includes(type)
          ? "function_call_output"
          : type;
  const role = type === "message" ? String(item.role) : kind.endsWith("_output") ? "tool" : "assistant";
  const callId = typeof item.call_id === "string" ? item.call_id : "-";
  const texts = (content: unknown) =>
    (Array.isArray(content) ? (content as Record<string, unknown>[]) : [])
      .filter(
        (c) => ["input_text", "output_text", "text"].includes(String(c.type)) && typeof c.text === "string",
      )
      .map((c) => String(c.text))
      .join("|");
  let text = "";
  if (type === "message" || type === "agent_message") {
    text = texts(item.content);
  } else if (type === "function_call_output" || type === "custom_tool_call_output") {
    text = typeof item.output === "string" ? item.output : texts(item.output);
  } else if (type === "custom_tool_call" && typeof item.input === "string") {
    text = item.input;
  }
  if (
    kind !== "message" &&
    kind !== "function_call_output" &&
    kind !== "custom_tool_call_output" &&
    kind !== "custom_tool_call"
  ) {
    text = "";
  }
  return `${kind}/${role}/${callId}/${kind === "reasoning" ? "" : text}`;
}

/** A thread's conversation as content, without the ids a reducer assigns. */
function transcript(state: State, threadId: string): string[] {
  const thread = state.threads[threadId] as { conversation_item_ids: string[] };
  return thread.conversation_item_ids.map((id) => itemShape(state, id));
}

function interleave(a: GeneratedBundle, b: GeneratedBundle, coin: fc.Stream<boolean>): GeneratedBundle {
  const offset = Math.max(0, ...a.payloads.keys());
  const shift = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shift);
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    if (typeof object.raw_payload_id === "string" && typeof object.path === "string") {
      const ordinal = Number(object.raw_payload_id.split(":")[1]) + offset;
      return { ...object, raw_payload_id: `raw_payload:${ordinal}`, path: `payloads/${ordinal}.json` };
    }
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, shift(inner)]));
  };
  const isEnd = (event: { payload: { type: string } }) => event.payload.type === "recording_completed";
  const left = a.events.filter((event) => !isEnd(event));
  const right = b.events.filter((event) => !isEnd(event)).map((event) => shift(event) as typeof event);
  const merged: typeof left = [];
  const flips = coin[Symbol.iterator]();
  while (left.length > 0 || right.length > 0) {
    const takeLeft = right.length === 0 || (left.length > 0 && flips.next().value === true);
    merged.push((takeLeft ? left : right).shift()!);
  }
  if (a.events.some(isEnd) && b.events.some(isEnd)) merged.push(a.events.find(isEnd)!);
  const events = merged.map((event, index) => ({
    ...event,
    seq: index + 1,
    rollout_id: a.manifest.rollout_id,
  }));
  const payloads = new Map(a.payloads);
  for (const [ordinal, value] of b.payloads) payloads.set(ordinal + offset, value);
  return { ...a, events, payloads, model: [...a.model, ...b.model] };
}

/** Ids the state mentions that do not exist in it (a nested tool may name a cell that never materialized: §7.19). */
function dangling(state: State): string[] {
  const missing: string[] = [];
  const has = (collection: keyof State, id: unknown, where: string) => {
    if (typeof id === "string" && !Object.hasOwn(state[collection], id))
      missing.push(`${where} -> ${collection}/${id}`);
  };
  for (const [id, thread] of Object.entries(state.threads)) {
    for (const item of thread.conversation_item_ids as string[])
      has("conversation_items", item, `threads/${id}`);
  }
  for (const [id, turn] of Object.entries(state.codex_turns))
    has("threads", turn.thread_id, `codex_turns/${id}`);
  for (const [id, item] of Object.entries(state.conversation_items)) {
    has("threads", item.thread_id, `conversation_items/${id}`);
    for (const part of (item.body as { parts: { raw_payload_id?: string }[] }).parts) {
      has("raw_payloads", part.raw_payload_id, `conversation_items/${id}`);
    }
  }
  for (const [id, call] of Object.entries(state.inference_calls)) {
    const where = `inference_calls/${id}`;
    has("threads", call.thread_id, where);
    has("codex_turns", call.codex_turn_id, where);
    for (const item of [...(call.request_item_ids as string[]), ...(call.response_item_ids as string[])])
      has("conversation_items", item, where);
    for (const tool of call.tool_call_ids_started_by_response as string[]) has("tool_calls", tool, where);
    has("raw_payloads", call.raw_request_payload_id, where);
    has("raw_payloads", call.raw_response_payload_id, where);
  }
  for (const [id, tool] of Object.entries(state.tool_calls)) {
    const where = `tool_calls/${id}`;
    has("threads", tool.thread_id, where);
    for (const item of [
      ...(tool.model_visible_call_item_ids as string[]),
      ...(tool.model_visible_output_item_ids as string[]),
    ]) {
      has("conversation_items", item, where);
    }
    has("terminal_operations", tool.terminal_operation_id, where);
    for (const payload of [
      tool.raw_invocation_payload_id,
      tool.raw_result_payload_id,
      ...(tool.raw_runtime_payload_ids as string[]),
    ]) {
      has("raw_payloads", payload, where);
    }
  }
  for (const [id, cell] of Object.entries(state.code_cells)) {
    const where = `code_cells/${id}`;
    has("conversation_items", cell.source_item_id, where);
    for (const item of cell.output_item_ids as string[]) has("conversation_items", item, where);
    for (const tool of [...(cell.nested_tool_call_ids as string[]), ...(cell.wait_tool_call_ids as string[])])
      has("tool_calls", tool, where);
  }
  for (const [id, operation] of Object.entries(state.terminal_operations)) {
    has("tool_calls", operation.tool_call_id, `terminal_operations/${id}`);
    has("terminal_sessions", operation.terminal_id, `terminal_operations/${id}`);
  }
  for (const [id, session] of Object.entries(state.terminal_sessions)) {
    for (const operation of session.operation_ids as string[])
      has("terminal_operations", operation, `terminal_sessions/${id}`);
  }
  for (const [id, compaction] of Object.entries(state.compactions)) {
    const where = `compactions/${id}`;
    has("conversation_items", compaction.marker_item_id, where);
    for (const item of [
      ...(compaction.input_item_ids as string[]),
      ...(compaction.replacement_item_ids as string[]),
    ])
      has("conversation_items", item, where);
    for (const request of compaction.request_ids as string[]) has("compaction_requests", request, where);
  }
  for (const [id, edge] of Object.entries(state.interaction_edges)) {
    for (const anchor of [edge.source, edge.target] as {
      type: string;
      item_id?: string;
      tool_call_id?: string;
      thread_id?: string;
    }[]) {
      has("conversation_items", anchor.item_id, `interaction_edges/${id}`);
      has("tool_calls", anchor.tool_call_id, `interaction_edges/${id}`);
      has("threads", anchor.thread_id, `interaction_edges/${id}`);
    }
    for (const item of edge.carried_item_ids as string[])
      has("conversation_items", item, `interaction_edges/${id}`);
    for (const payload of edge.carried_raw_payload_ids as string[])
      has("raw_payloads", payload, `interaction_edges/${id}`);
  }
  return missing;
}
