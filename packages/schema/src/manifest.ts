import { type Static, Type } from "typebox";
import { TraceSchemaVersion } from "./versions.ts";

/** File name of the bundle manifest. */
export const MANIFEST_FILE_NAME = "manifest.json";
/** File name of the append-only event log. */
export const RAW_EVENT_LOG_FILE_NAME = "trace.jsonl";
/** Directory of payload documents inside a bundle. */
export const PAYLOADS_DIR_NAME = "payloads";
/** File name of the optional reduced state. */
export const REDUCED_STATE_FILE_NAME = "state.json";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `manifest.json`: identity of a trace bundle, written once when the bundle is created. */
export const TraceManifest = Type.Object(
  {
    schema_version: TraceSchemaVersion,
    trace_id: Type.String({
      description: "Id of this diagnostic artifact (a UUID v4 in production); a new one per bundle.",
    }),
    rollout_id: Type.String({
      description:
        "Id of the observed Codex session. Codex writes the root thread id here (the same value as `root_thread_id`); every event repeats it.",
    }),
    root_thread_id: Type.String({ description: "Codex thread id of the root of the rollout tree." }),
    started_at_unix_ms: Type.Integer({
      description: "Wall-clock time in milliseconds since the Unix epoch when the writer was created.",
    }),
    raw_event_log: Type.String({
      description: 'Name of the event log, always `"trace.jsonl"` (readers use the fixed name).',
    }),
    payloads_dir: Type.String({
      description: 'Name of the payload directory, always `"payloads"` (readers use the fixed name).',
    }),
  },
  {
    title: "TraceManifest",
    description:
      "The bundle manifest `manifest.json`. Every field is required; the field order as written is the order listed. The same shape is used by trace schema 1 and 2.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** The bundle manifest. */
export type TraceManifest = Static<typeof TraceManifest>;
