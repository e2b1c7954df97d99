import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RawTraceEvent, TraceManifest } from "@rollout-trace/schema";
import type { RolloutFeature } from "./internal/features.ts";
import type { RolloutScript } from "./internal/script.ts";
import type { JsonObject } from "./internal/trace-types.ts";

/** How an inference request carried its model-visible input. */
export type RequestMode = "full_snapshot" | "incremental";

/** One inference attempt as the generator produced it. */
export interface InferenceModel {
  readonly inferenceCallId: string;
  readonly codexTurnId: string;
  readonly requestMode: RequestMode;
  /** `previous_response_id` of an incremental request, else null. */
  readonly previousResponseId: string | null;
  /**
   * The complete, ordered model-visible input this attempt represents, as Responses items in the form a
   * full-snapshot request at that moment carries them. For a full-snapshot request this is exactly the request
   * payload's `input`. For an incremental request it is the previous attempt's `input`, then that attempt's output
   * items as they are replayed in requests, then the delta the payload actually carries. Replayed output items differ
   * from the response payload's items in two ways only: schema-1 replays drop the provider `id`, and a reasoning
   * item's readable `content` is replaced by `null` (its summary and encrypted content are kept).
   */
  readonly input: readonly JsonObject[];
  /** The response payload's `output_items` (completed, or the partial items of a failed/cancelled attempt); null when no response payload was written. */
  readonly output: readonly JsonObject[] | null;
  readonly status: "completed" | "failed" | "cancelled";
  readonly responseId: string | null;
}

/**
 * What the generator knows about one thread's model-visible conversation. Model-based tests compare a reducer's
 * reconstruction against it: per inference attempt the full input and the output (see {@link InferenceModel}), and
 * the thread's history at the end of the recording.
 */
export interface ThreadModel {
  readonly threadId: string;
  readonly agentPath: string;
  /** `root`, a multi-agent v2 helper (`team`), or a `multi_agent_v1` collab helper (`collab`). */
  readonly role: "root" | "team" | "collab";
  readonly parentThreadId: string | null;
  /** Inference attempts of this thread, in the order their `inference_started` events appear. */
  readonly inferences: readonly InferenceModel[];
  /**
   * The thread's model-visible history when the recording ends: what its next full-snapshot request would carry
   * after the base instructions (schema 2 sends those as a first developer message that is not history).
   */
  readonly history: readonly JsonObject[];
  /** Schema 2: Responses item ids accepted into this thread (`history_item_accepted`), in event order. Empty for schema 1. */
  readonly acceptedItemIds: readonly string[];
}

/** A complete trace bundle held in memory, plus what the generator knows about it. */
export interface GeneratedBundle {
  readonly schemaVersion: 1 | 2;
  manifest: TraceManifest;
  /** `trace.jsonl` lines in file order. */
  events: RawTraceEvent[];
  /** Payload documents keyed by ordinal: `payloads/<n>.json`. */
  payloads: Map<number, unknown>;
  /** One entry per thread, in the order the threads started. */
  model: ThreadModel[];
  /** Behaviours this bundle exhibits (see `ROLLOUT_FEATURES`). */
  readonly features: readonly RolloutFeature[];
  /** For bundles built to exercise a documented reducer error: a fragment of the expected error message. */
  readonly expectedError: string | null;
  /** The script the bundle was compiled from (useful when a property fails). */
  readonly script: RolloutScript;
}

/** Envelope keys in the order Codex serializes them. */
const ENVELOPE_KEYS = [
  "schema_version",
  "seq",
  "wall_time_unix_ms",
  "rollout_id",
  "thread_id",
  "codex_turn_id",
  "payload",
] as const;

/** Compact JSON of one `trace.jsonl` line (without the newline), envelope keys in Codex's order. */
export function serializeEvent(event: RawTraceEvent): string {
  const ordered: Record<string, unknown> = {};
  for (const key of ENVELOPE_KEYS) ordered[key] = event[key] ?? null;
  return JSON.stringify(ordered);
}

/** Objects and arrays that payload files embed as compact JSON inside the pretty-printed document. */
const compactValues = new WeakSet<object>();
let serializations = 0;

/**
 * Marks a value that Codex holds as pre-serialized JSON: it is embedded compactly in an otherwise pretty payload file.
 * Codex 0.169.0 does this for the `tools` of an inference request. The value itself is not changed.
 */
export function markCompactJson<T extends object>(value: T): T {
  compactValues.add(value);
  return value;
}

/** Pretty JSON as Codex writes `manifest.json` and payload files: 2-space indent, no trailing newline. */
export function serializePretty(value: unknown): string {
  const embedded: string[] = [];
  // A per-call tag keeps the placeholders distinct from any string the document might contain.
  const tag = `compact-${++serializations}`;
  const text = JSON.stringify(
    value,
    (_key, current: unknown) => {
      if (current !== null && typeof current === "object" && compactValues.has(current)) {
        embedded.push(JSON.stringify(current));
        return `\u0000${tag}:${embedded.length - 1}\u0000`;
      }
      return current;
    },
    2,
  );
  if (text === undefined) throw new Error("value has no JSON representation");
  if (embedded.length === 0) return text;
  const placeholder = new RegExp(`"\\\\u0000${tag}:(\\d+)\\\\u0000"`, "g");
  return text.replace(placeholder, (_match, index: string) => embedded[Number(index)] ?? "null");
}

/** The bytes of `trace.jsonl` for a list of events. */
export function serializeEventLog(events: readonly RawTraceEvent[]): string {
  let out = "";
  for (const event of events) out += `${serializeEvent(event)}\n`;
  return out;
}

/** The files of a bundle: what {@link writeBundleToDir} needs (a {@link GeneratedBundle} is one). */
export interface BundleContent {
  readonly manifest: TraceManifest;
  readonly events: readonly RawTraceEvent[];
  readonly payloads: ReadonlyMap<number, unknown>;
}

/**
 * Writes a bundle the way Codex lays it out: `manifest.json`, `trace.jsonl` and `payloads/<n>.json`. The directory is
 * created if needed; existing files with the same names are replaced.
 */
export async function writeBundleToDir(bundle: BundleContent, dir: string): Promise<void> {
  const payloadDir = path.join(dir, "payloads");
  await mkdir(payloadDir, { recursive: true });
  await writeFile(path.join(dir, "manifest.json"), serializePretty(bundle.manifest));
  const ordinals = [...bundle.payloads.keys()].sort((a, b) => a - b);
  for (const ordinal of ordinals) {
    if (!Number.isSafeInteger(ordinal) || ordinal < 1) throw new Error(`invalid payload ordinal ${ordinal}`);
    await writeFile(path.join(payloadDir, `${ordinal}.json`), serializePretty(bundle.payloads.get(ordinal)));
  }
  await writeFile(path.join(dir, "trace.jsonl"), serializeEventLog(bundle.events));
}
