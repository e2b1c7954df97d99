import { randomUUID } from "node:crypto";
import { checkCompactionRequest, checkItems, checkResponseItem, isObject, own } from "./checks.ts";
import { DISABLED_COMPACTION, DISABLED_COMPACTION_ATTEMPT } from "./disabled.ts";
import { errorMessage } from "./documents.ts";
import { guarded, UNRESOLVED } from "./recorder.ts";
import type { TurnScope } from "./scope.ts";
import type {
  CompactionAttemptTrace,
  CompactionCheckpoint,
  CompactionOptions,
  CompactionRequest,
  CompactionTrace,
  Lazy,
  ModelItem,
} from "./types.ts";

// Codex numbers compaction requests with one counter per process, so ids are unique across bundles too.
let lastCompactionRequest = 0;

export function startCompaction(scope: TurnScope, options: CompactionOptions | undefined): CompactionTrace {
  const recorder = scope.recorder;
  const call = "turn.startCompaction";
  const given = options === undefined ? undefined : own(options, "compactionId");
  if (given !== undefined && (typeof given !== "string" || given === "")) {
    recorder.refuse(call, "compactionId must be a non-empty string");
    return DISABLED_COMPACTION;
  }
  const compactionId = (given as string | undefined) ?? randomUUID();
  if (recorder.compactionIds.has(compactionId)) {
    recorder.refuse(call, `compaction ${compactionId} was already started`);
    return DISABLED_COMPACTION;
  }
  const model = (options === undefined ? undefined : own(options, "model")) ?? scope.model;
  const providerName =
    (options === undefined ? undefined : own(options, "providerName")) ?? scope.providerName;
  if (typeof model !== "string" || typeof providerName !== "string") {
    recorder.refuse(call, "model and providerName must be strings");
    return DISABLED_COMPACTION;
  }
  recorder.compactionIds.add(compactionId);
  return new LiveCompaction(scope, compactionId, model, providerName);
}

/** A remote compaction: request attempts, then the installation of the replacement history. */
class LiveCompaction implements CompactionTrace {
  readonly enabled = true;
  readonly compactionId: string;
  readonly #scope: TurnScope;
  readonly #model: string;
  readonly #providerName: string;
  #installed = false;

  constructor(scope: TurnScope, compactionId: string, model: string, providerName: string) {
    this.#scope = scope;
    this.compactionId = compactionId;
    this.#model = model;
    this.#providerName = providerName;
  }

  startAttempt(
    requestArgument: Lazy<CompactionRequest>,
    options?: { readonly model?: string; readonly providerName?: string },
  ): CompactionAttemptTrace {
    const recorder = this.#scope.recorder;
    const call = "compaction.startAttempt";
    try {
      if (!recorder.admits(true)) return DISABLED_COMPACTION_ATTEMPT;
      if (!this.#scope.active || this.#installed) {
        recorder.late();
        return DISABLED_COMPACTION_ATTEMPT;
      }
      const request = recorder.resolve(requestArgument, call);
      if (request === UNRESOLVED) return DISABLED_COMPACTION_ATTEMPT;
      const problem = checkCompactionRequest(request);
      const model = (options === undefined ? undefined : own(options, "model")) ?? this.#model;
      const providerName =
        (options === undefined ? undefined : own(options, "providerName")) ?? this.#providerName;
      if (problem !== null || typeof model !== "string" || typeof providerName !== "string") {
        recorder.refuse(call, problem ?? "model and providerName must be strings");
        return DISABLED_COMPACTION_ATTEMPT;
      }
      const compactionRequestId = `compaction_request:${++lastCompactionRequest}`;
      const ref = recorder.payload("compaction_request", request);
      const recorded =
        ref !== null &&
        recorder.append(
          {
            type: "compaction_request_started",
            compaction_id: this.compactionId,
            compaction_request_id: compactionRequestId,
            thread_id: this.#scope.threadRecord.threadId,
            codex_turn_id: this.#scope.turnId,
            model,
            provider_name: providerName,
            request_payload: ref,
          },
          this.#scope.context,
        );
      return new LiveCompactionAttempt(this.#scope, this.compactionId, compactionRequestId, recorded);
    } catch (error) {
      recorder.refuse(call, errorMessage(error));
      return DISABLED_COMPACTION_ATTEMPT;
    }
  }

  installed(checkpointArgument: Lazy<CompactionCheckpoint>): void {
    const call = "compaction.installed";
    const recorder = this.#scope.recorder;
    guarded(recorder, call, () => {
      if (!recorder.admitsOnce(true, this.#installed)) return;
      const checkpoint = recorder.resolve(checkpointArgument, call);
      if (checkpoint === UNRESOLVED) return;
      const inputHistory = isObject(checkpoint) ? own(checkpoint, "inputHistory") : undefined;
      const replacementHistory = isObject(checkpoint) ? own(checkpoint, "replacementHistory") : undefined;
      const problem = checkItems(inputHistory) ?? checkItems(replacementHistory);
      if (problem !== null) {
        recorder.refuse(call, problem);
        return;
      }
      this.#installed = true;
      const ref = recorder.payload("compaction_checkpoint", {
        input_history: inputHistory,
        replacement_history: replacementHistory,
      });
      if (ref === null) return;
      const recorded = recorder.append(
        { type: "compaction_installed", compaction_id: this.compactionId, checkpoint_payload: ref },
        this.#scope.context,
      );
      // The replacement history is now what the model sees: no earlier response can be continued, not even one
      // of an attempt still running; the next request must send the new history in full.
      if (recorded) {
        this.#scope.threadRecord.incrementalBase = null;
        this.#scope.threadRecord.snapshotExtended = true;
      }
    });
  }
}

class LiveCompactionAttempt implements CompactionAttemptTrace {
  readonly enabled = true;
  readonly compactionRequestId: string;
  readonly #scope: TurnScope;
  readonly #compactionId: string;
  readonly #recorded: boolean;
  #finished = false;

  constructor(scope: TurnScope, compactionId: string, compactionRequestId: string, recorded: boolean) {
    this.#scope = scope;
    this.#compactionId = compactionId;
    this.compactionRequestId = compactionRequestId;
    this.#recorded = recorded;
  }

  completed(outputArgument: Lazy<readonly ModelItem[]>): void {
    const call = "compactionAttempt.completed";
    const recorder = this.#scope.recorder;
    guarded(recorder, call, () => {
      if (!recorder.admitsOnce(this.#recorded, this.#finished)) return;
      const output = recorder.resolve(outputArgument, call);
      if (output === UNRESOLVED) return;
      const problem = checkItems(output, checkResponseItem);
      if (problem !== null) {
        recorder.refuse(call, problem);
        return;
      }
      this.#finished = true;
      const ref = recorder.payload("compaction_response", { output_items: output });
      if (ref === null) return;
      recorder.append(
        {
          type: "compaction_request_completed",
          compaction_id: this.#compactionId,
          compaction_request_id: this.compactionRequestId,
          response_payload: ref,
        },
        this.#scope.context,
      );
    });
  }

  failed(error: string | Error): void {
    const recorder = this.#scope.recorder;
    guarded(recorder, "compactionAttempt.failed", () => {
      if (!recorder.admitsOnce(this.#recorded, this.#finished)) return;
      this.#finished = true;
      recorder.append(
        {
          type: "compaction_request_failed",
          compaction_id: this.#compactionId,
          compaction_request_id: this.compactionRequestId,
          error: errorMessage(error),
        },
        this.#scope.context,
      );
    });
  }
}
