// The conversion report: every change made to the bundle and everything that could not be carried over, each with a
// code, a message and where in the SOURCE bundle it happened, plus totals. Notes are capped per code so that a huge
// bundle (every line renumbered, say) still gives a readable report; the totals always count everything.

/** Changes: the converted bundle differs from the source here, and says the same thing in schema 2. */
export type ChangeCode =
  /** A blank line was dropped (schema 1 and 2 readers skip them; the writer never produces them). */
  | "blank_line_dropped"
  /** `seq` was renumbered to 1..n in file order (schema 1 tolerated gaps, duplicates and reordering). */
  | "seq_renumbered"
  /** The event's `rollout_id` differed from the manifest's and was replaced by it. */
  | "rollout_id_rewritten"
  /** An absent envelope `thread_id` / `codex_turn_id` was written as `null` (both readers read absence as null). */
  | "envelope_context_written"
  /** `tool_call_runtime_started` got the `kind` schema 2 requires: the kind of its `tool_call_started`. */
  | "runtime_kind_inserted"
  /** `inference_started.request_input_mode` was dropped; schema 2 reads the request payload the same way without it. */
  | "input_mode_dropped"
  /** An `incremental_with_untraced_prefix` request became a full snapshot: a new payload holds prefix + delta input. */
  | "untraced_prefix_merged"
  /** A `full_snapshot` request's payload carried `previous_response_id`; a new payload without it was written. */
  | "previous_response_id_removed"
  /** The recording ended cleanly (`rollout_ended` present), so `recording_completed` was appended. */
  | "recording_completed_appended"
  /** `acceptOutputs`: acceptance of an inference's output items was inferred (`history_item_accepted` added). */
  | "acceptance_inferred";

/** Losses: information schema 2 would hold that the source does not have, or source content not carried over. */
export type LossCode =
  /** Schema 1 does not record which items Codex committed to history; schema 2 readers show no acceptance. */
  | "acceptance_not_recorded"
  /** No `rollout_ended`: the recording looks truncated, and `recording_completed` was not written. */
  | "recording_truncated"
  /** A request's explicit input mode disagreed with its payload's `previous_response_id`; schema 2 follows the payload. */
  | "input_mode_mismatch"
  /** Token usage without `cache_write_input_tokens`; schema 2 readers show 0. */
  | "cache_write_tokens_unknown"
  /** An entry of `payloads/` that is not a payload file (`<n>.json`, a regular file) was not copied. */
  | "payload_file_skipped"
  /** `acceptOutputs`: an inference ended without a traced start, so its thread is unknown and nothing was accepted. */
  | "acceptance_skipped";

/** Why a conversion was refused. */
export type ConversionErrorCode =
  /** The options ask for something this converter does not do (only `to: 2` exists). */
  | "invalid_options"
  /** The source is not a readable bundle directory (missing, not a directory, no manifest.json or trace.jsonl). */
  | "source_unreadable"
  /** `manifest.json` is not valid JSON or not a valid trace manifest. */
  | "manifest_invalid"
  /** The source is not trace schema 1. */
  | "source_schema"
  /** The target exists and `overwrite` was not given. */
  | "target_exists"
  /** The target cannot be used: it is or contains the source, lies inside it, or is not a bundle to replace. */
  | "target_refused"
  /** A line of trace.jsonl is not UTF-8 or not JSON that Codex can read. */
  | "line_invalid"
  /** A line is JSON but not a valid trace-schema-1 event. */
  | "event_invalid"
  /** An `other` event: no Codex reducer, of either schema, can replay it. */
  | "event_unsupported"
  /** A `tool_call_runtime_started` whose tool call never started, so its required schema-2 `kind` is unknown. */
  | "runtime_kind_unknown"
  /** A carried payload is missing, not a regular file inside the bundle, too large or unreadable. */
  | "payload_unreadable"
  /** A carried payload is not JSON that Codex can read (schema 2 reads every carried payload). */
  | "payload_invalid"
  /** An untraced-prefix request whose request or prefix payload has no `input` array cannot become a full snapshot. */
  | "untraced_prefix_unusable"
  /** Reading the source or writing the target failed. */
  | "io";

export type ConversionCode = ChangeCode | LossCode;

/** Where a note applies, always in the source bundle: a file, and for trace.jsonl the line and the event's seq. */
export interface ConversionLocation {
  /**
   * Bundle-relative file: `manifest.json`, `trace.jsonl` or `payloads/<n>.json`; `.` when a problem concerns the
   * source or the target directory as a whole.
   */
  readonly file: string;
  /** 1-based line of trace.jsonl (blank lines count). */
  readonly line?: number;
  /** The source event's seq. */
  readonly seq?: number;
  /** Bundle-relative path of the payload file the note is about. */
  readonly payload?: string;
}

export interface ConversionNote<Code extends string = ConversionCode> {
  readonly code: Code;
  readonly message: string;
  readonly where: ConversionLocation;
}

/** Notes of one code beyond the per-code cap: counted, not listed. */
export interface OmittedNotes {
  readonly code: ConversionCode;
  readonly count: number;
}

export interface ConversionCounts {
  /** Lines of the source trace.jsonl, blank lines included. */
  readonly sourceLines: number;
  /** Events (non-blank lines) of the source. */
  readonly sourceEvents: number;
  /** Events written to the target trace.jsonl, added ones included. */
  readonly targetEvents: number;
  /** Payload files copied byte for byte. */
  readonly payloadsCopied: number;
  /** New payload files (rewritten requests). */
  readonly payloadsWritten: number;
  /** Every note by code, the omitted ones included. */
  readonly byCode: Readonly<Partial<Record<ConversionCode, number>>>;
}

export interface ConversionReport {
  /** The source and target directories as given (resolved to absolute paths). */
  readonly sourceDir: string;
  readonly targetDir: string;
  readonly fromSchema: 1;
  readonly toSchema: 2;
  /** What was changed, in source order; at most `NOTES_PER_CODE` of each code. */
  readonly changes: readonly ConversionNote<ChangeCode>[];
  /** What could not be carried over, in source order; at most `NOTES_PER_CODE` of each code. */
  readonly losses: readonly ConversionNote<LossCode>[];
  readonly omitted: readonly OmittedNotes[];
  readonly counts: ConversionCounts;
}

/** How many notes of one code a report lists; the rest are counted in `omitted` and `counts.byCode`. */
export const NOTES_PER_CODE = 20;

const LOSS_CODES: ReadonlySet<string> = new Set<LossCode>([
  "acceptance_not_recorded",
  "recording_truncated",
  "input_mode_mismatch",
  "cache_write_tokens_unknown",
  "payload_file_skipped",
  "acceptance_skipped",
]);

function isLoss(note: ConversionNote): note is ConversionNote<LossCode> {
  return LOSS_CODES.has(note.code);
}

/** Collects notes during a conversion. */
export class ReportBuilder {
  private readonly notes: ConversionNote[] = [];
  private readonly totals = new Map<ConversionCode, number>();

  note(code: ConversionCode, message: string, where: ConversionLocation): void {
    const count = (this.totals.get(code) ?? 0) + 1;
    this.totals.set(code, count);
    if (count <= NOTES_PER_CODE) this.notes.push({ code, message, where });
  }

  build(sourceDir: string, targetDir: string, counts: Omit<ConversionCounts, "byCode">): ConversionReport {
    // Notes come from two passes over the log; a stable sort by line puts them back in source order.
    const ordered = [...this.notes].sort(
      (a, b) => (a.where.line ?? Number.POSITIVE_INFINITY) - (b.where.line ?? Number.POSITIVE_INFINITY),
    );
    const byCode: Partial<Record<ConversionCode, number>> = {};
    const omitted: OmittedNotes[] = [];
    for (const [code, count] of this.totals) {
      byCode[code] = count;
      if (count > NOTES_PER_CODE) omitted.push({ code, count: count - NOTES_PER_CODE });
    }
    return {
      sourceDir,
      targetDir,
      fromSchema: 1,
      toSchema: 2,
      changes: ordered.filter((note): note is ConversionNote<ChangeCode> => !isLoss(note)),
      losses: ordered.filter(isLoss),
      omitted,
      counts: { ...counts, byCode },
    };
  }
}
