import { type Static, Type } from "typebox";
import { IdList, Nullable, StrictObject, Text, UnixMs } from "../internal/helpers.ts";
import { RawPayloadId } from "../payload-ref.ts";
import { ExecutionWindow } from "./execution-window.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** An installed compaction checkpoint. */
export const Compaction = StrictObject(
  {
    compaction_id: Text("Id of the checkpoint."),
    thread_id: Text("Thread of the install event."),
    codex_turn_id: Text("Turn of the install event."),
    installed_at_unix_ms: UnixMs("Wall time of `compaction_installed`."),
    marker_item_id: Text("The `compaction_marker` conversation item."),
    request_ids: IdList("Compaction requests with this compaction id known at install time."),
    input_item_ids: IdList("Items of the history before compaction."),
    replacement_item_ids: IdList("Items of the replacement history."),
  },
  {
    title: "Compaction",
    description: "A compaction checkpoint that was installed into a thread.",
  },
);

/** A remote compaction request. */
export const CompactionRequest = StrictObject(
  {
    compaction_request_id: Text("`compaction_request:<n>`."),
    compaction_id: Text("The checkpoint the request served."),
    thread_id: Text("Thread being compacted."),
    codex_turn_id: Text("Turn that requested compaction."),
    execution: Type.With(ExecutionWindow, { description: "Request lifetime." }),
    model: Text("Model of the request."),
    provider_name: Text("Configured model provider id."),
    raw_request_payload_id: Type.With(RawPayloadId, { description: "The request payload." }),
    raw_response_payload_id: Nullable(
      RawPayloadId,
      "The response payload; null while running or after failure.",
    ),
  },
  {
    title: "CompactionRequest",
    description: "A request sent for remote compaction.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** An installed compaction checkpoint. */
export type Compaction = Static<typeof Compaction>;
/** A remote compaction request. */
export type CompactionRequest = Static<typeof CompactionRequest>;
