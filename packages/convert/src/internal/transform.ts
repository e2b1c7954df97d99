// Second pass: each source line becomes a schema-2 event line. Lines are edited as lossless JSON trees, so every
// field the conversion does not touch keeps its exact spelling (key order, number lexemes, string escapes).
import { RAW_EVENT_LOG_FILE_NAME } from "@rollout-trace/schema";
import {
  integerNode,
  type JsonNode,
  type JsonObjectNode,
  type JsonScalarNode,
  member,
  NULL_NODE,
  objectNode,
  parseJsonTree,
  stringifyCompact,
  stringMember,
  stringNode,
  withMember,
  withoutMember,
} from "./json-tree.ts";
import { isBlankLine } from "./lines.ts";
import type { ConversionLocation, ReportBuilder } from "./report.ts";
import type { ConversionPlan } from "./survey.ts";

/** A rewritten request payload, written before the second pass. */
export interface RewrittenRequest {
  /** The ref the converted `inference_started` carries instead of the original. */
  readonly ref: JsonNode;
  readonly path: string;
  /** Input items taken from the untraced prefix and from the request itself (merge only). */
  readonly prefixItems: number;
  readonly deltaItems: number;
}

export interface TransformContext {
  readonly plan: ConversionPlan;
  readonly rolloutId: string;
  readonly report: ReportBuilder;
  readonly acceptOutputs: boolean;
  /** New request payloads, by the line of their `inference_started`. */
  readonly rewrittenRequests: ReadonlyMap<number, RewrittenRequest>;
}

/** Envelope keys in the order Codex writes them; other envelope keys follow, as they were. */
const ENVELOPE_KEYS = [
  "schema_version",
  "seq",
  "wall_time_unix_ms",
  "rollout_id",
  "thread_id",
  "codex_turn_id",
  "payload",
] as const;
const ENVELOPE_KEY_SET: ReadonlySet<string> = new Set(ENVELOPE_KEYS);

const SCHEMA_2 = integerNode(2);

/** A location in trace.jsonl. */
type LineLocation = ConversionLocation & { readonly line: number };

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

interface InferenceContext {
  readonly threadId: string;
  readonly codexTurnId: string;
}

export class EventTransformer {
  private readonly context: TransformContext;
  private readonly emit: (line: string) => void;
  private seq = 0;
  /** Source events so far: a source seq that differs from this was out of step in the source itself. */
  private sourceEvents = 0;
  private lastLine = 0;
  /** The kind of each tool call at its latest `tool_call_started`, and that line. */
  private readonly toolKinds = new Map<string, { kind: JsonNode; line: number }>();
  private readonly inferences = new Map<string, InferenceContext>();
  /** Responses ids already accepted, per thread (schema 2 keeps the first acceptance only). */
  private readonly accepted = new Map<string, Set<string>>();
  private latestWallTime: { value: number; node: JsonNode } | null = null;

  constructor(context: TransformContext, emit: (line: string) => void) {
    this.context = context;
    this.emit = emit;
  }

  /** Events written so far. */
  get written(): number {
    return this.seq;
  }

  line(number: number, text: string): void {
    this.lastLine = number;
    const where: LineLocation = { file: RAW_EVENT_LOG_FILE_NAME, line: number };
    if (isBlankLine(text)) {
      this.context.report.note("blank_line_dropped", `blank line ${number} dropped`, where);
      return;
    }
    // The first pass checked every line, so this parse cannot fail.
    const event = parseJsonTree(text) as JsonObjectNode;
    // Validated as an integer by the first pass.
    const sourceSeq = member(event, "seq") as JsonScalarNode;
    const located: LineLocation = { ...where, seq: Number(sourceSeq.raw) };
    // Events the conversion adds move later seqs as well; only a source seq out of step is worth a note.
    if (located.seq !== ++this.sourceEvents) {
      this.context.report.note("seq_renumbered", `seq ${sourceSeq.raw} became ${this.seq + 1}`, located);
    }
    const rolloutId = stringMember(event, "rollout_id");
    if (rolloutId !== this.context.rolloutId) {
      this.context.report.note(
        "rollout_id_rewritten",
        `rollout_id ${JSON.stringify(rolloutId)} is not the manifest's ${JSON.stringify(this.context.rolloutId)}; written as the manifest's`,
        located,
      );
    }
    const absent = (["thread_id", "codex_turn_id"] as const).filter(
      (key) => member(event, key) === undefined,
    );
    if (absent.length > 0) {
      this.context.report.note(
        "envelope_context_written",
        `absent ${absent.join(" and ")} written as null`,
        located,
      );
    }
    const wallTime = member(event, "wall_time_unix_ms")!;
    this.noteWallTime(wallTime);
    const payload = this.payload(member(event, "payload") as JsonObjectNode, located);
    const extras = event.entries.filter((entry) => !ENVELOPE_KEY_SET.has(entry.key));
    this.emitEvent(
      wallTime,
      member(event, "thread_id") ?? NULL_NODE,
      member(event, "codex_turn_id") ?? NULL_NODE,
      payload,
      extras.map((entry) => [entry.key, entry.value] as const),
    );
    if (this.context.acceptOutputs) this.acceptOutputs(payload, wallTime, located);
  }

  /** Ends the log: `recording_completed` when the recording ended cleanly. */
  finish(): void {
    const where: ConversionLocation = { file: RAW_EVENT_LOG_FILE_NAME, line: this.lastLine };
    const report = this.context.report;
    if (this.context.plan.rolloutEnded) {
      const seq = this.emitEvent(
        this.latestWallTime?.node ?? integerNode(0),
        NULL_NODE,
        NULL_NODE,
        objectNode([["type", stringNode("recording_completed")]]),
      );
      report.note(
        "recording_completed_appended",
        `the recording ended cleanly (rollout_ended is present), so recording_completed was appended as event ${seq}`,
        where,
      );
    } else {
      report.note(
        "recording_truncated",
        "no rollout_ended: the recording looks truncated, so recording_completed was left out and schema-2 readers show recording_complete: false",
        where,
      );
    }
  }

  private noteWallTime(node: JsonNode): void {
    const value = Number(node.kind === "number" ? node.raw : Number.NaN);
    if (this.latestWallTime === null || value > this.latestWallTime.value)
      this.latestWallTime = { value, node };
  }

  private emitEvent(
    wallTime: JsonNode,
    threadId: JsonNode,
    codexTurnId: JsonNode,
    payload: JsonNode,
    extras: ReadonlyArray<readonly [string, JsonNode]> = [],
  ): number {
    const seq = ++this.seq;
    const line = objectNode([
      ["schema_version", SCHEMA_2],
      ["seq", integerNode(seq)],
      ["wall_time_unix_ms", wallTime],
      ["rollout_id", stringNode(this.context.rolloutId)],
      ["thread_id", threadId],
      ["codex_turn_id", codexTurnId],
      ["payload", payload],
      ...extras,
    ]);
    this.emit(stringifyCompact(line));
    return seq;
  }

  private payload(payload: JsonObjectNode, where: LineLocation): JsonObjectNode {
    switch (stringMember(payload, "type")) {
      case "tool_call_started":
        this.toolKinds.set(stringMember(payload, "tool_call_id")!, {
          kind: member(payload, "kind")!,
          line: where.line,
        });
        return payload;
      case "tool_call_runtime_started":
        return this.runtimeStarted(payload, where);
      case "inference_started":
        return this.inferenceStarted(payload, where);
      default:
        return payload;
    }
  }

  private runtimeStarted(payload: JsonObjectNode, where: LineLocation): JsonObjectNode {
    const toolCallId = stringMember(payload, "tool_call_id")!;
    // The first pass refused runtime starts of tools that never started.
    const started = this.toolKinds.get(toolCallId)!;
    this.context.report.note(
      "runtime_kind_inserted",
      `tool call ${toolCallId}: kind ${stringifyCompact(started.kind)} taken from its tool_call_started at line ${started.line}`,
      where,
    );
    return withMember(payload, "kind", started.kind, "tool_call_id");
  }

  private inferenceStarted(payload: JsonObjectNode, where: LineLocation): JsonObjectNode {
    const callId = stringMember(payload, "inference_call_id")!;
    this.inferences.set(callId, {
      threadId: stringMember(payload, "thread_id")!,
      codexTurnId: stringMember(payload, "codex_turn_id")!,
    });
    const plan = this.context.plan.requests.get(where.line);
    if (plan === undefined) return payload;
    const report = this.context.report;
    const withoutMode = withoutMember(payload, "request_input_mode");
    const requestPath = plan.requestRef.path;
    if (plan.mismatch !== null) {
      report.note(
        "input_mode_mismatch",
        `request ${callId}: request_input_mode ${plan.mode} recorded previous_response_id ${JSON.stringify(plan.mismatch.recorded)}, but its payload's is ${plan.mismatch.payload}; schema 2 follows the payload (a schema-1 reader that honours input modes rejects this request)`,
        { ...where, payload: requestPath },
      );
    }
    if (plan.rewrite === "keep") {
      const reading =
        plan.mode === "full_snapshot" ? "a full snapshot" : "incremental, from its previous_response_id";
      report.note(
        "input_mode_dropped",
        `request ${callId}: request_input_mode ${plan.mode} dropped (not part of schema 2); schema 2 reads the unchanged payload as ${reading}`,
        { ...where, payload: requestPath },
      );
      return withoutMode;
    }
    // Every rewrite planned by the first pass was written before this pass.
    const rewritten = this.context.rewrittenRequests.get(where.line)!;
    if (plan.rewrite === "drop_previous_response_id") {
      report.note(
        "previous_response_id_removed",
        `full-snapshot request ${callId}: payload ${requestPath} names a previous_response_id, which schema 2 would read as incremental; it now carries ${rewritten.path}, the same request without previous_response_id`,
        { ...where, payload: requestPath },
      );
    } else {
      report.note(
        "untraced_prefix_merged",
        `request ${callId} continued an untraced response; schema 2 cannot express an untraced prefix, so it now carries ${rewritten.path}, a full snapshot of ${plural(rewritten.prefixItems, "prefix item")} (from ${plan.prefixRef?.path}) and ${plural(rewritten.deltaItems, "delta item")} without previous_response_id`,
        { ...where, payload: requestPath },
      );
    }
    return withMember(withoutMode, "request_payload", rewritten.ref);
  }

  /** `acceptOutputs`: accept each output item with a Responses id right after its inference ends, as Codex 0.169.0 does. */
  private acceptOutputs(payload: JsonObjectNode, wallTime: JsonNode, where: LineLocation): void {
    const ids = this.context.plan.outputIds.get(where.line);
    if (ids === undefined || ids.length === 0) return;
    const callId = stringMember(payload, "inference_call_id")!;
    const inference = this.inferences.get(callId);
    if (inference === undefined) {
      this.context.report.note(
        "acceptance_skipped",
        `inference ${callId} ended without a traced inference_started, so the thread of its ${ids.length} output items is unknown and they were not accepted`,
        where,
      );
      return;
    }
    let accepted = this.accepted.get(inference.threadId);
    if (accepted === undefined) {
      accepted = new Set();
      this.accepted.set(inference.threadId, accepted);
    }
    const fresh = ids.filter((id) => !accepted.has(id));
    const first = this.seq + 1;
    for (const id of fresh) {
      accepted.add(id);
      this.emitEvent(
        wallTime,
        stringNode(inference.threadId),
        stringNode(inference.codexTurnId),
        objectNode([
          ["type", stringNode("history_item_accepted")],
          ["item_id", stringNode(id)],
        ]),
      );
    }
    if (fresh.length > 0) {
      this.context.report.note(
        "acceptance_inferred",
        `inference ${callId}: acceptance of ${plural(fresh.length, "output item")} (${fresh.join(", ")}) inferred, not recorded; added as event${fresh.length === 1 ? ` ${first}` : `s ${first}-${this.seq}`}, so later events' seq move up`,
        where,
      );
    }
  }
}
