import { type Static, Type } from "typebox";

/** Every trace schema version this package describes, oldest first. */
export const TRACE_SCHEMA_VERSIONS = [1, 2] as const;

/** The trace schema version current Codex releases write (Codex CLI 0.169.0 and later). */
export const LATEST_TRACE_SCHEMA_VERSION = 2;

/** A trace schema version number. */
export const TraceSchemaVersion = Type.Enum(TRACE_SCHEMA_VERSIONS, {
  title: "TraceSchemaVersion",
  description:
    "Trace schema version: 1 (spec `codex-trace-bundle-v1`, Codex 0.144.x) or 2 (Codex 0.169.0 and later).",
});

/** A trace schema version number. */
export type TraceSchemaVersion = Static<typeof TraceSchemaVersion>;
