import type { Static, TSchema } from "typebox";
import type { RawPayloadKindName } from "../payload-ref.ts";
import { AgentResultPayload } from "./agent-result.ts";
import { CompactionCheckpointPayload } from "./compaction-checkpoint.ts";
import { CompactionRequestPayload } from "./compaction-request.ts";
import { CompactionResponsePayload } from "./compaction-response.ts";
import { InferenceRequestPayload } from "./inference-request.ts";
import { InferenceResponsePayload } from "./inference-response.ts";
import { ProtocolEventPayload } from "./protocol-event.ts";
import { ThreadStartedTraceMetadata } from "./session-metadata.ts";
import { ToolInvocationPayload } from "./tool-invocation.ts";
import { ToolResultPayload } from "./tool-result.ts";
import { ToolRuntimeEventPayload } from "./tool-runtime-event.ts";

/** The document schema of every payload kind (the same for trace schema 1 and 2). */
export const PAYLOAD_DOCUMENT_SCHEMAS = {
  inference_request: InferenceRequestPayload,
  inference_response: InferenceResponsePayload,
  compaction_request: CompactionRequestPayload,
  compaction_checkpoint: CompactionCheckpointPayload,
  compaction_response: CompactionResponsePayload,
  tool_invocation: ToolInvocationPayload,
  tool_result: ToolResultPayload,
  tool_runtime_event: ToolRuntimeEventPayload,
  terminal_runtime_event: ToolRuntimeEventPayload,
  protocol_event: ProtocolEventPayload,
  session_metadata: ThreadStartedTraceMetadata,
  agent_result: AgentResultPayload,
} as const satisfies Record<RawPayloadKindName, TSchema>;

/** The document type stored under a payload kind. */
export type PayloadDocument<Kind extends RawPayloadKindName> = Static<
  (typeof PAYLOAD_DOCUMENT_SCHEMAS)[Kind]
>;
