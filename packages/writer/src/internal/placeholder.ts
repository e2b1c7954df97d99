import { createHash } from "node:crypto";
import type { OmittedPayloadNote, RawPayloadKindName } from "@rollout-trace/schema";

/**
 * The small document written instead of an oversized payload (the schema's `OmittedPayload`). It keeps the fields
 * the reducer requires for the kind (empty histories, null response metadata), so the bundle still replays, and
 * records what was left out.
 */
export function placeholderDocument(
  kind: RawPayloadKindName,
  serialized: string,
  serializedBytes: number,
  limitBytes: number,
): Record<string, unknown> {
  const rollout_trace_omitted: OmittedPayloadNote = {
    reason: "payload_too_large",
    original_bytes: serializedBytes,
    limit_bytes: limitBytes,
    sha256: createHash("sha256").update(serialized, "utf8").digest("hex"),
  };
  switch (kind) {
    case "inference_request":
      return { input: [], rollout_trace_omitted };
    case "inference_response":
      return {
        response_id: null,
        upstream_request_id: null,
        token_usage: null,
        output_items: [],
        rollout_trace_omitted,
      };
    case "compaction_response":
      return { output_items: [], rollout_trace_omitted };
    case "compaction_checkpoint":
      return { input_history: [], replacement_history: [], rollout_trace_omitted };
    default:
      return { rollout_trace_omitted };
  }
}
