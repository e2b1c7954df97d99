import { type Static, Type } from "typebox";
import { Described, Text } from "../internal/helpers.ts";
import { RawPayloadRef } from "../payload-ref.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `compaction_request_started`: a remote compaction request was sent. */
export const CompactionRequestStarted = Type.Object(
  {
    type: Type.Literal("compaction_request_started"),
    compaction_id: Text("Caller-provided id of the compaction checkpoint this request serves."),
    compaction_request_id: Text(
      "`compaction_request:<n>` from a process-wide counter: unique, but not contiguous within a bundle.",
    ),
    thread_id: Text("Thread being compacted; must own `codex_turn_id`."),
    codex_turn_id: Text("Turn that requested the compaction."),
    model: Text("Model of the compaction request."),
    provider_name: Text("Configured model provider id."),
    request_payload: Described(RawPayloadRef, "The exact compaction request (kind `compaction_request`)."),
  },
  {
    title: "CompactionRequestStarted",
    description: "A remote compaction request was sent. The envelope carries thread and turn.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `compaction_request_started` event payload. */
export type CompactionRequestStarted = Static<typeof CompactionRequestStarted>;
