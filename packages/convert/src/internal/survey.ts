// First pass over the source: check every line and every payload the converted bundle will carry, and decide what
// the second pass must rewrite. Nothing is written until this pass finds no problem, so a refused conversion
// leaves no target behind and names every problem at once.
import type { FileHandle } from "node:fs/promises";
import fs from "node:fs/promises";
import path from "node:path";
import {
  type InferenceRequestInputMode,
  RAW_EVENT_LOG_FILE_NAME,
  type RawPayloadRef,
  type RawTraceEventPayloadV1,
  type RawTraceEventV1,
} from "@rollout-trace/schema";
import { eventV1Validator } from "@rollout-trace/schema/validate";
import { ProblemList } from "./errors.ts";
import { parseCodexJson } from "./json-check.ts";
import { isBlankLine, readLogLines } from "./lines.ts";
import type { ConversionLocation } from "./report.ts";

/** A location in trace.jsonl. */
type LineLocation = ConversionLocation & { readonly line: number };

import { ordinalOfFile, readPayloadText, type SourceBundle } from "./source.ts";

export type InputModeType = InferenceRequestInputMode["type"];

/** How an `inference_started` that carries an explicit `request_input_mode` is converted. */
export interface RequestPlan {
  readonly mode: InputModeType;
  /**
   * `keep`: the payload already reads the same way in schema 2; `drop_previous_response_id`: a full snapshot whose
   * payload names a previous response gets a copy without it; `merge_untraced_prefix`: a new full-snapshot payload
   * holds the untraced prefix followed by the delta.
   */
  readonly rewrite: "keep" | "drop_previous_response_id" | "merge_untraced_prefix";
  readonly requestRef: RawPayloadRef;
  readonly prefixRef: RawPayloadRef | null;
  /** The mode's `previous_response_id` when the payload disagrees with it, and what the payload says instead. */
  readonly mismatch: { readonly recorded: string; readonly payload: string } | null;
}

export interface ConversionPlan {
  /** Lines of trace.jsonl, blank lines included. */
  readonly sourceLines: number;
  /** Non-blank lines. */
  readonly sourceEvents: number;
  /** The recording ended cleanly: the root's `rollout_ended` is present. */
  readonly rolloutEnded: boolean;
  /** Requests with an explicit input mode, by line. */
  readonly requests: ReadonlyMap<number, RequestPlan>;
  /** With `acceptOutputs`: the Responses ids of the output items each inference end carries, by line. */
  readonly outputIds: ReadonlyMap<number, readonly string[]>;
  /** The highest payload ordinal in use (files, ref ids and ref paths); new payloads are numbered after it. */
  readonly highestOrdinal: bigint;
  /** Inference responses whose token usage lacks `cache_write_input_tokens`. */
  readonly usageWithoutCacheWrite: { readonly count: number; readonly first: ConversionLocation | null };
}

/** What the conversion needs to know about a payload document; read once per file. */
interface PayloadFacts {
  readonly previousResponseId: unknown;
  readonly inputIsArray: boolean;
  readonly outputIds: readonly string[] | null;
  readonly usageWithoutCacheWrite: boolean;
}

type PayloadOutcome =
  | { readonly ok: true; readonly facts: PayloadFacts }
  | { readonly ok: false; readonly code: "payload_unreadable" | "payload_invalid"; readonly problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function factsOf(document: unknown): PayloadFacts {
  const object = isRecord(document) ? document : {};
  const output = Object.hasOwn(object, "output_items") ? object.output_items : undefined;
  const usage = Object.hasOwn(object, "token_usage") ? object.token_usage : undefined;
  return {
    previousResponseId: Object.hasOwn(object, "previous_response_id")
      ? object.previous_response_id
      : undefined,
    inputIsArray: Object.hasOwn(object, "input") && Array.isArray(object.input),
    outputIds: Array.isArray(output)
      ? output.flatMap((item) => (isRecord(item) && typeof item.id === "string" ? [item.id] : []))
      : null,
    usageWithoutCacheWrite: isRecord(usage) && !Object.hasOwn(usage, "cache_write_input_tokens"),
  };
}

const ID_ORDINAL = /^raw_payload:([0-9]+)$/;
const PATH_ORDINAL = /^payloads\/([0-9]+)\.json$/;

/** The refs an event carries once converted (an untraced prefix is merged away, so it is not among them). */
function carriedRefs(payload: RawTraceEventPayloadV1): RawPayloadRef[] {
  switch (payload.type) {
    case "thread_started":
      return payload.metadata_payload ? [payload.metadata_payload] : [];
    case "inference_started":
      return [payload.request_payload];
    case "inference_completed":
      return [payload.response_payload];
    case "inference_failed":
    case "inference_cancelled":
      return payload.partial_response_payload ? [payload.partial_response_payload] : [];
    case "tool_call_started":
      return payload.invocation_payload ? [payload.invocation_payload] : [];
    case "tool_call_runtime_started":
    case "tool_call_runtime_ended":
      return [payload.runtime_payload];
    case "tool_call_ended":
      return payload.result_payload ? [payload.result_payload] : [];
    case "code_cell_initial_response":
    case "code_cell_ended":
      return payload.response_payload ? [payload.response_payload] : [];
    case "compaction_request_started":
      return [payload.request_payload];
    case "compaction_request_completed":
      return [payload.response_payload];
    case "compaction_installed":
      return [payload.checkpoint_payload];
    case "agent_result_observed":
      return payload.carried_payload ? [payload.carried_payload] : [];
    case "protocol_event_observed":
      return [payload.event_payload];
    default:
      return [];
  }
}

function describeValue(value: unknown): string {
  return value === undefined ? "absent" : JSON.stringify(value);
}

class Survey {
  readonly problems = new ProblemList();
  private readonly payloads = new Map<string, PayloadOutcome>();
  private readonly startedTools = new Set<string>();
  private readonly requests = new Map<number, RequestPlan>();
  private readonly outputIds = new Map<number, readonly string[]>();
  private highestOrdinal = 0n;
  private rolloutEnded = false;
  private usageCount = 0;
  private usageFirst: ConversionLocation | null = null;
  private lines = 0;
  private events = 0;

  private readonly source: SourceBundle;
  private readonly acceptOutputs: boolean;

  constructor(source: SourceBundle, acceptOutputs: boolean) {
    this.source = source;
    this.acceptOutputs = acceptOutputs;
    for (const name of source.payloadFiles) this.raiseOrdinal(ordinalOfFile(name));
  }

  async run(handle: FileHandle): Promise<ConversionPlan> {
    for await (const line of readLogLines(handle)) {
      this.lines = line.number;
      const where = { file: RAW_EVENT_LOG_FILE_NAME, line: line.number };
      if (line.text === null) {
        this.problems.add("line_invalid", `line ${line.number} is not valid UTF-8`, where);
        continue;
      }
      if (isBlankLine(line.text)) continue;
      this.events++;
      const parsed = parseCodexJson(line.text);
      if (!parsed.ok) {
        this.problems.add(
          "line_invalid",
          `line ${line.number} is not JSON Codex can read: ${parsed.problem}`,
          where,
        );
        continue;
      }
      const seq =
        isRecord(parsed.value) && typeof parsed.value.seq === "number" ? parsed.value.seq : undefined;
      const located: LineLocation = seq === undefined ? where : { ...where, seq };
      const checked = eventV1Validator.safeParse(parsed.value);
      if (!checked.ok) {
        const issues = checked.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path || "(root)"}: ${issue.message}`);
        this.problems.add(
          "event_invalid",
          `line ${line.number} is not a trace-schema-1 event: ${issues.join("; ")}`,
          located,
        );
        continue;
      }
      await this.event(checked.value, located);
    }
    return {
      sourceLines: this.lines,
      sourceEvents: this.events,
      rolloutEnded: this.rolloutEnded,
      requests: this.requests,
      outputIds: this.outputIds,
      highestOrdinal: this.highestOrdinal,
      usageWithoutCacheWrite: { count: this.usageCount, first: this.usageFirst },
    };
  }

  private async event(event: RawTraceEventV1, where: LineLocation): Promise<void> {
    const payload = event.payload;
    if (payload.type === "other") {
      this.problems.add(
        "event_unsupported",
        `line ${where.line} is an \`other\` event (kind ${JSON.stringify(payload.kind)}): no Codex reducer of schema 1 or 2 can replay it ("raw trace event has no reducer implementation"), so the bundle cannot be converted`,
        where,
      );
      return;
    }
    const refs = carriedRefs(payload);
    for (const ref of refs) await this.payload(ref, where);
    switch (payload.type) {
      case "rollout_ended":
        this.rolloutEnded = true;
        break;
      case "tool_call_started":
        this.startedTools.add(payload.tool_call_id);
        break;
      case "tool_call_runtime_started":
        if (!this.startedTools.has(payload.tool_call_id)) {
          this.problems.add(
            "runtime_kind_unknown",
            `line ${where.line}: tool_call_runtime_started names tool call ${payload.tool_call_id}, which no earlier tool_call_started declares, so the kind schema 2 requires is unknown`,
            where,
          );
        }
        break;
      case "inference_started":
        if (payload.request_input_mode !== undefined) {
          await this.request(payload.request_input_mode, payload.request_payload, where);
        }
        break;
      case "inference_completed":
      case "inference_failed":
      case "inference_cancelled": {
        const ref = refs[0];
        const facts = ref === undefined ? undefined : this.factsOf(ref);
        if (ref !== undefined && facts?.usageWithoutCacheWrite) {
          this.usageCount++;
          this.usageFirst ??= { ...where, payload: ref.path };
        }
        if (this.acceptOutputs && facts?.outputIds) this.outputIds.set(where.line, facts.outputIds);
        break;
      }
    }
  }

  private async request(
    mode: InferenceRequestInputMode,
    requestRef: RawPayloadRef,
    where: LineLocation,
  ): Promise<void> {
    const request = this.factsOf(requestRef);
    // A broken request payload is already a problem of its own.
    if (request === undefined) return;
    const recorded = mode.type === "full_snapshot" ? null : mode.previous_response_id;
    const mismatch =
      recorded !== null && request.previousResponseId !== recorded
        ? { recorded, payload: describeValue(request.previousResponseId) }
        : null;
    if (mode.type !== "incremental_with_untraced_prefix") {
      const dropsPrevious = mode.type === "full_snapshot" && typeof request.previousResponseId === "string";
      this.requests.set(where.line, {
        mode: mode.type,
        rewrite: dropsPrevious ? "drop_previous_response_id" : "keep",
        requestRef,
        prefixRef: null,
        mismatch,
      });
      return;
    }
    const prefixRef = mode.prefix_payload;
    await this.payload(prefixRef, where);
    const prefix = this.factsOf(prefixRef);
    if (prefix === undefined) return;
    for (const [facts, ref, role] of [
      [request, requestRef, "request"],
      [prefix, prefixRef, "untraced prefix"],
    ] as const) {
      if (!facts.inputIsArray) {
        this.problems.add(
          "untraced_prefix_unusable",
          `line ${where.line}: the ${role} payload ${ref.raw_payload_id} has no \`input\` array, so the untraced-prefix request cannot be rewritten as a full snapshot`,
          { ...where, payload: ref.path },
        );
        return;
      }
    }
    this.requests.set(where.line, {
      mode: mode.type,
      rewrite: "merge_untraced_prefix",
      requestRef,
      prefixRef,
      mismatch,
    });
  }

  private factsOf(ref: RawPayloadRef): PayloadFacts | undefined {
    const outcome = this.payloads.get(ref.path);
    return outcome?.ok ? outcome.facts : undefined;
  }

  /** Checks a carried payload once per file; every event that refers to a broken one is named. */
  private async payload(ref: RawPayloadRef, where: LineLocation): Promise<void> {
    this.raiseOrdinal(BigInt(ID_ORDINAL.exec(ref.raw_payload_id)?.[1] ?? "0"));
    this.raiseOrdinal(BigInt(PATH_ORDINAL.exec(ref.path)?.[1] ?? "0"));
    let outcome = this.payloads.get(ref.path);
    if (outcome === undefined) {
      outcome = await this.check(ref.path);
      this.payloads.set(ref.path, outcome);
    }
    if (!outcome.ok) {
      this.problems.add(
        outcome.code,
        `line ${where.line} carries payload ${ref.raw_payload_id} (${ref.path}), which schema 2 reads: ${outcome.problem}`,
        { ...where, payload: ref.path },
      );
    }
  }

  private async check(relativePath: string): Promise<PayloadOutcome> {
    const read = await readPayloadText(this.source.dir, relativePath);
    if (!read.ok) return read;
    const parsed = parseCodexJson(read.text);
    if (!parsed.ok) return { ok: false, code: "payload_invalid", problem: `not JSON: ${parsed.problem}` };
    return { ok: true, facts: factsOf(parsed.value) };
  }

  private raiseOrdinal(ordinal: bigint): void {
    if (ordinal > this.highestOrdinal) this.highestOrdinal = ordinal;
  }
}

/** Runs the first pass; throws a ConversionError naming every problem found. */
export async function surveySource(source: SourceBundle, acceptOutputs: boolean): Promise<ConversionPlan> {
  const handle = await fs.open(path.join(source.dir, RAW_EVENT_LOG_FILE_NAME), "r");
  try {
    const survey = new Survey(source, acceptOutputs);
    const plan = await survey.run(handle);
    survey.problems.throwIfAny();
    return plan;
  } finally {
    await handle.close();
  }
}
