import type { RawPayloadKindName } from "@rollout-trace/schema";

// Every payload kind of the schema package, kept here so the writer does not load the schema package (and typebox)
// at run time. The Record type makes this fail to compile when a kind is missing or unknown.
const PAYLOAD_KINDS: Readonly<Record<RawPayloadKindName, true>> = {
  inference_request: true,
  inference_response: true,
  compaction_request: true,
  compaction_checkpoint: true,
  compaction_response: true,
  tool_invocation: true,
  tool_result: true,
  tool_runtime_event: true,
  terminal_runtime_event: true,
  protocol_event: true,
  session_metadata: true,
  agent_result: true,
};

export function isPayloadKind(kind: unknown): kind is RawPayloadKindName {
  return typeof kind === "string" && Object.hasOwn(PAYLOAD_KINDS, kind);
}
