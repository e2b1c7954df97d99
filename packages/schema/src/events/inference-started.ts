import { type Static, Type } from "typebox";
import { InferenceRequestInputMode } from "../enums.ts";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

const inferenceStartedFields = {
  type: Type.Literal("inference_started"),
  inference_call_id: Text("Producer-assigned id of this inference attempt (a UUID v4)."),
  thread_id: Text("Thread of the attempt; must be the thread of `codex_turn_id`."),
  codex_turn_id: Text("Codex turn of the attempt."),
  model: Text("Upstream model of this attempt."),
  provider_name: Text("Configured model provider id."),
};

const requestPayload = Described(
  RawPayloadRef,
  "The exact provider request (kind `inference_request`); its `input` array is what the model saw.",
);

/** `inference_started` as written in schema 1, with the optional explicit input mode. */
export const InferenceStartedV1 = Type.Object(
  {
    ...inferenceStartedFields,
    request_input_mode: Type.Optional(
      Described(
        InferenceRequestInputMode,
        "Explicit input mode (written by some schema-1 producer revisions); omitted when absent.",
      ),
    ),
    request_payload: requestPayload,
  },
  {
    title: "InferenceStartedV1",
    description:
      "Schema 1: an inference attempt (one transport attempt of a model request) started. The envelope carries thread and turn.",
  },
);

/** `inference_started` as written in schema 2 (no input mode). */
export const InferenceStartedV2 = Type.Object(
  { ...inferenceStartedFields, request_payload: requestPayload },
  {
    title: "InferenceStartedV2",
    description:
      "Schema 2: an inference attempt started. `request_input_mode` is not part of schema 2 and is ignored if present. The envelope carries thread and turn.",
  },
);

/** `inference_started` of either schema version. */
export const InferenceStarted = Type.Union([InferenceStartedV1, InferenceStartedV2], {
  title: "InferenceStarted",
  description: "An `inference_started` event payload of either schema version.",
});

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A schema-1 `inference_started` event payload. */
export type InferenceStartedV1 = Static<typeof InferenceStartedV1>;
/** A schema-2 `inference_started` event payload. */
export type InferenceStartedV2 = Static<typeof InferenceStartedV2>;
/** An `inference_started` event payload of either schema version. */
export type InferenceStarted = Static<typeof InferenceStarted>;
