import { randomUUID } from "node:crypto";
import type { InferenceRequestInputMode, RawPayloadRef } from "@rollout-trace/schema";
import { checkInferenceRequest, checkItems, isObject, own } from "./checks.ts";
import { DISABLED_INFERENCE } from "./disabled.ts";
import { errorMessage, tokenUsageDocument } from "./documents.ts";
import { guarded, UNRESOLVED } from "./recorder.ts";
import { acceptItems, type TurnScope } from "./scope.ts";
import type {
  InferenceOptions,
  InferenceRequest,
  InferenceResponse,
  InferenceTrace,
  Lazy,
  ModelItem,
  PartialResponse,
} from "./types.ts";

/** The header Codex sends so a provider-side request can be matched with its trace. */
export const INFERENCE_CALL_ID_HEADER = "x-codex-inference-call-id";

type ResolvedMode =
  | { readonly type: "legacy" }
  | { readonly type: "full_snapshot" }
  | { readonly type: "incremental"; readonly previousResponseId: string }
  | {
      readonly type: "untraced_prefix";
      readonly previousResponseId: string;
      readonly prefix: readonly ModelItem[];
    };

/**
 * How the reducer will read the request, or a problem. An incremental request must continue the response that
 * produced the thread's current snapshot; anything else would not replay (spec §4.4.5, §7 item 16).
 */
function resolveMode(
  scope: TurnScope,
  request: InferenceRequest,
  options: InferenceOptions | undefined,
  call: string,
): ResolvedMode | string {
  const recorder = scope.recorder;
  const previous = own(request, "previous_response_id");
  const requested = options === undefined ? undefined : own(options, "inputMode");
  const explicit = recorder.schemaVersion === 1 && requested !== undefined;
  if (explicit && requested === "full_snapshot") return { type: "full_snapshot" };
  if (explicit && isObject(requested)) {
    if (typeof previous !== "string") return "an untraced prefix needs the request's previous_response_id";
    if (scope.threadRecord.tracedResponses.has(previous))
      return `response ${previous} was traced, so the request has no untraced prefix`;
    const prefix = recorder.resolve(own(requested, "untracedPrefix") as Lazy<readonly ModelItem[]>, call);
    if (prefix === UNRESOLVED) return "the untraced prefix could not be built";
    const problem = checkItems(prefix);
    if (problem !== null) return `untraced prefix: ${problem}`;
    return { type: "untraced_prefix", previousResponseId: previous, prefix };
  }
  if (explicit && requested !== "incremental")
    return "inputMode must be full_snapshot, incremental or an untraced prefix";
  if (recorder.schemaVersion === 2 && isObject(requested))
    return "schema 2 cannot record an untraced prefix; send the full history instead";
  if (typeof previous !== "string") {
    return explicit ? "an incremental request needs a previous_response_id" : { type: "legacy" };
  }
  if (scope.threadRecord.incrementalBase !== previous) {
    return `previous_response_id ${previous} is not the response that produced this thread's current history`;
  }
  return explicit ? { type: "incremental", previousResponseId: previous } : { type: "legacy" };
}

export function startInference(
  scope: TurnScope,
  requestArgument: Lazy<InferenceRequest>,
  options: InferenceOptions | undefined,
): InferenceTrace {
  const recorder = scope.recorder;
  const call = "turn.startInference";
  const request = recorder.resolve(requestArgument, call);
  if (request === UNRESOLVED) return DISABLED_INFERENCE;
  const requestProblem = checkInferenceRequest(request);
  if (requestProblem !== null) return refused(scope, call, requestProblem);
  const model = (options === undefined ? undefined : own(options, "model")) ?? scope.model;
  const providerName =
    (options === undefined ? undefined : own(options, "providerName")) ?? scope.providerName;
  if (typeof model !== "string" || typeof providerName !== "string")
    return refused(scope, call, "model and providerName must be strings");
  const mode = resolveMode(scope, request, options, call);
  if (typeof mode === "string") return refused(scope, call, mode);

  const inferenceCallId = randomUUID();
  const requestRef = recorder.payload("inference_request", request);
  let inputMode: InferenceRequestInputMode | undefined;
  if (mode.type === "full_snapshot") inputMode = { type: "full_snapshot" };
  if (mode.type === "incremental")
    inputMode = { type: "incremental", previous_response_id: mode.previousResponseId };
  let prefixRef: RawPayloadRef | null = null;
  if (mode.type === "untraced_prefix" && requestRef !== null) {
    prefixRef = recorder.payload("inference_request", { input: mode.prefix });
    if (prefixRef !== null) {
      inputMode = {
        type: "incremental_with_untraced_prefix",
        previous_response_id: mode.previousResponseId,
        prefix_payload: prefixRef,
      };
    }
  }
  const recorded =
    requestRef !== null &&
    (mode.type !== "untraced_prefix" || prefixRef !== null) &&
    recorder.append(
      {
        type: "inference_started",
        inference_call_id: inferenceCallId,
        thread_id: scope.threadRecord.threadId,
        codex_turn_id: scope.turnId,
        model,
        provider_name: providerName,
        ...(inputMode === undefined ? {} : { request_input_mode: inputMode }),
        request_payload: requestRef,
      },
      scope.context,
    );
  if (recorded) {
    scope.threadRecord.snapshotCall = inferenceCallId;
    scope.threadRecord.snapshotExtended = false;
    scope.threadRecord.incrementalBase = null;
  }
  return new LiveInference(scope, inferenceCallId, recorded);
}

function refused(scope: TurnScope, call: string, problem: string): InferenceTrace {
  scope.recorder.refuse(call, problem);
  return DISABLED_INFERENCE;
}

/** The `accept` flag of a response (default true), or null when it is not a boolean. */
function acceptOption(response: object, call: string, recorder: TurnScope["recorder"]): boolean | null {
  const accept = own(response, "accept");
  if (accept === undefined) return true;
  if (typeof accept === "boolean") return accept;
  recorder.refuse(call, "accept must be a boolean");
  return null;
}

function optionalId(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : undefined;
}

/** One inference attempt: started, then exactly one of completed, failed or cancelled. */
class LiveInference implements InferenceTrace {
  readonly enabled = true;
  readonly inferenceCallId: string;
  readonly #scope: TurnScope;
  readonly #recorded: boolean;
  #finished = false;

  constructor(scope: TurnScope, inferenceCallId: string, recorded: boolean) {
    this.#scope = scope;
    this.inferenceCallId = inferenceCallId;
    this.#recorded = recorded;
  }

  requestHeaders(): Record<string, string> {
    return { [INFERENCE_CALL_ID_HEADER]: this.inferenceCallId };
  }

  completed(response: InferenceResponse): void {
    const recorder = this.#scope.recorder;
    guarded(recorder, "inference.completed", () => {
      if (!recorder.admitsOnce(this.#recorded, this.#finished)) return;
      if (!isObject(response)) {
        recorder.refuse("inference.completed", "the response must be an object");
        return;
      }
      const responseId = optionalId(own(response, "responseId"));
      const upstreamRequestId = optionalId(own(response, "upstreamRequestId"));
      if (responseId === undefined || upstreamRequestId === undefined) {
        recorder.refuse("inference.completed", "responseId and upstreamRequestId must be strings or null");
        return;
      }
      const usage = own(response, "usage");
      const tokenUsage =
        usage === undefined || usage === null
          ? null
          : tokenUsageDocument(usage as never, recorder.schemaVersion);
      if (usage !== undefined && usage !== null && tokenUsage === null) {
        recorder.refuse("inference.completed", "token counts must be non-negative integers");
        return;
      }
      const accept = acceptOption(response, "inference.completed", recorder);
      if (accept === null) return;
      const output = this.#output(
        own(response, "output") as Lazy<readonly ModelItem[]>,
        "inference.completed",
      );
      if (output === null) return;
      this.#finished = true;
      const ref = recorder.payload("inference_response", {
        response_id: responseId,
        upstream_request_id: upstreamRequestId,
        token_usage: tokenUsage,
        output_items: output,
      });
      // Like Codex, a completion is only recorded with its response document: the reducer requires it.
      if (ref === null) return;
      const recorded = recorder.append(
        {
          type: "inference_completed",
          inference_call_id: this.inferenceCallId,
          response_id: responseId,
          upstream_request_id: upstreamRequestId,
          response_payload: ref,
        },
        this.#scope.context,
      );
      if (!recorded) return;
      const thread = this.#scope.threadRecord;
      const continuesSnapshot = thread.snapshotCall === this.inferenceCallId && !thread.snapshotExtended;
      thread.incrementalBase = continuesSnapshot ? responseId : null;
      thread.snapshotExtended = true;
      if (responseId !== null) thread.tracedResponses.add(responseId);
      if (accept) acceptItems(this.#scope, output, null);
    });
  }

  failed(error: string | Error, partial?: PartialResponse): void {
    guarded(this.#scope.recorder, "inference.failed", () => {
      this.#stopped("inference_failed", errorMessage(error), partial);
    });
  }

  cancelled(reason: string, partial?: PartialResponse): void {
    guarded(this.#scope.recorder, "inference.cancelled", () => {
      this.#stopped("inference_cancelled", String(reason), partial);
    });
  }

  #output(value: Lazy<readonly ModelItem[]> | undefined, call: string): readonly ModelItem[] | null {
    const recorder = this.#scope.recorder;
    const output = value === undefined ? [] : recorder.resolve(value, call);
    if (output === UNRESOLVED) return null;
    const problem = checkItems(output);
    if (problem !== null) {
      recorder.refuse(call, problem);
      return null;
    }
    return output;
  }

  /** Failed and cancelled attempts: the partial output is recorded when there is any. */
  #stopped(
    type: "inference_failed" | "inference_cancelled",
    text: string,
    partial: PartialResponse | undefined,
  ): void {
    const recorder = this.#scope.recorder;
    const call = type === "inference_failed" ? "inference.failed" : "inference.cancelled";
    if (!recorder.admitsOnce(this.#recorded, this.#finished)) return;
    if (partial !== undefined && !isObject(partial)) {
      recorder.refuse(call, "the partial response must be an object");
      return;
    }
    const upstreamRequestId = optionalId(
      partial === undefined ? undefined : own(partial, "upstreamRequestId"),
    );
    if (upstreamRequestId === undefined) {
      recorder.refuse(call, "upstreamRequestId must be a string or null");
      return;
    }
    const accept = partial === undefined ? true : acceptOption(partial, call, recorder);
    if (accept === null) return;
    const output = this.#output(
      partial === undefined ? undefined : (own(partial, "output") as Lazy<readonly ModelItem[]> | undefined),
      call,
    );
    if (output === null) return;
    this.#finished = true;
    const ref =
      output.length === 0
        ? null
        : recorder.payload("inference_response", {
            response_id: null,
            upstream_request_id: upstreamRequestId,
            token_usage: null,
            output_items: output,
          });
    const recorded = recorder.append(
      type === "inference_failed"
        ? {
            type,
            inference_call_id: this.inferenceCallId,
            upstream_request_id: upstreamRequestId,
            error: text,
            partial_response_payload: ref,
          }
        : {
            type,
            inference_call_id: this.inferenceCallId,
            upstream_request_id: upstreamRequestId,
            reason: text,
            partial_response_payload: ref,
          },
      this.#scope.context,
    );
    if (!recorded || ref === null) return;
    this.#scope.threadRecord.incrementalBase = null;
    this.#scope.threadRecord.snapshotExtended = true;
    if (accept) acceptItems(this.#scope, output, null);
  }
}
