// Shared by the producer tests: scratch directories, recording a session, replaying and validating the bundle, and
// small builders for the Responses items an agent keeps in its history.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { replayBundleSync } from "@rollout-trace/reducer";
import type { RawPayloadKindName, RolloutTraceV2 } from "@rollout-trace/schema";
import { eventValidator, manifestValidator, payloadValidator } from "@rollout-trace/schema/validate";
import { referenceBinary, referenceRequired, referenceVersion } from "@rollout-trace/testkit";
import { afterAll, it } from "vitest";
import type { ModelItem, StartTraceOptions, TraceSession } from "../src/index.ts";
import { startTrace } from "../src/index.ts";

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A test that needs the Codex reference reducer of a trace schema: skipped with the reason in its name when the
 * binary is missing, and failing instead when ROLLOUT_TRACE_REQUIRE_REFERENCE=1.
 */
export function itWithReference(
  version: 1 | 2,
  name: string,
  body: () => Promise<void>,
  timeout?: number,
): void {
  const release = referenceVersion(version);
  if (referenceBinary(version) !== null) {
    it(name, body, timeout);
  } else if (referenceRequired()) {
    it(name, () => {
      throw new Error(`ROLLOUT_TRACE_REQUIRE_REFERENCE=1 but the Codex ${release} binary is missing`);
    });
  } else {
    it.skip(`${name} (skipped: the Codex ${release} binary is not fetched; run pnpm fetch-reference)`, body);
  }
}

/** A fresh directory removed after the test file. */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-producer-"));
  scratchDirs.push(dir);
  return dir;
}

export const ROOT_THREAD = "01a212e0-5be3-7fe1-b474-10c6a6ead923";
export const CHILD_THREAD = "01a212e0-eea4-7cd3-8fa0-ae49d3cf2dfc";

export function sessionOptions(
  schemaVersion: 1 | 2,
  root: string,
  extra: Partial<StartTraceOptions> = {},
): StartTraceOptions {
  return {
    root,
    schemaVersion,
    rootThread: {
      threadId: ROOT_THREAD,
      model: "mock-model",
      providerName: "mock",
      cwd: "/srv/project",
      approvalPolicy: "never",
      sandboxPolicy: "DangerFullAccess",
    },
    ...extra,
  };
}

/** Records one session into a scratch root and returns the bundle directory. */
export async function record(
  schemaVersion: 1 | 2,
  body: (session: TraceSession) => void | Promise<void>,
  extra: Partial<StartTraceOptions> = {},
): Promise<string> {
  const session = startTrace(sessionOptions(schemaVersion, scratchDir(), extra));
  if (!session.enabled || session.bundleDir === null) throw new Error("tracing did not start");
  await body(session);
  await session.close();
  return session.bundleDir;
}

export interface Reduced {
  /** Typed as schema 2, whose objects hold every schema-1 field too (schema-1 states just lack the new ones). */
  readonly state: RolloutTraceV2;
  readonly text: string;
}

/** Our reducer, strict mode. */
export function reduce(dir: string): Reduced {
  const result = replayBundleSync(dir);
  return { state: result.state as unknown as RolloutTraceV2, text: result.serialize() };
}

/** Every problem the schema validators find in a bundle's manifest, events and payload documents. */
export function schemaProblems(dir: string): string[] {
  const problems: string[] = [];
  const manifest: unknown = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  for (const issue of manifestValidator.errors(manifest))
    problems.push(`manifest ${issue.path}: ${issue.message}`);
  const lines = fs.readFileSync(path.join(dir, "trace.jsonl"), "utf8").split("\n").filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const event: unknown = JSON.parse(line);
    for (const issue of eventValidator.errors(event))
      problems.push(`line ${index + 1} ${issue.path}: ${issue.message}`);
  }
  const payloadsDir = path.join(dir, "payloads");
  const kinds = new Map<string, RawPayloadKindName>();
  for (const line of lines) {
    collectRefs(JSON.parse(line), kinds);
  }
  for (const [file, kind] of kinds) {
    const document: unknown = JSON.parse(fs.readFileSync(path.join(payloadsDir, file), "utf8"));
    for (const issue of payloadValidator(kind).errors(document))
      problems.push(`payloads/${file} (${kind}) ${issue.path}: ${issue.message}`);
  }
  return problems;
}

function collectRefs(value: unknown, into: Map<string, RawPayloadKindName>): void {
  if (Array.isArray(value)) {
    for (const entry of value) collectRefs(entry, into);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const object = value as Record<string, unknown>;
  if (typeof object.raw_payload_id === "string" && typeof object.path === "string") {
    const kind = (object.kind as { type: RawPayloadKindName }).type;
    into.set(path.basename(object.path), kind);
    return;
  }
  for (const entry of Object.values(object)) collectRefs(entry, into);
}

/** The parsed event lines of a bundle. */
export function events(dir: string): {
  payload: Record<string, unknown> & { type: string };
  thread_id: string | null;
  codex_turn_id: string | null;
}[] {
  return fs
    .readFileSync(path.join(dir, "trace.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

export function eventTypes(dir: string): string[] {
  return events(dir).map((event) => event.payload.type);
}

/** The document of the payload an event field refers to. */
export function payloadOf(dir: string, ref: unknown): unknown {
  const file = (ref as { path: string }).path;
  return JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
}

// ---- Responses items --------------------------------------------------------------------------------------------

export function message(role: "developer" | "user" | "assistant", text: string, id?: string): ModelItem {
  const part = role === "assistant" ? "output_text" : "input_text";
  return {
    type: "message",
    ...(id === undefined ? {} : { id }),
    role,
    content: [{ type: part, text }],
    ...(role === "assistant" ? { phase: "final_answer" } : {}),
  };
}

export function reasoning(summary: string, id?: string): ModelItem {
  return {
    type: "reasoning",
    ...(id === undefined ? {} : { id }),
    summary: [{ type: "summary_text", text: summary }],
    content: null,
    encrypted_content: Buffer.from(summary).toString("base64"),
  };
}

export function functionCall(name: string, args: object, callId: string, id?: string): ModelItem {
  return {
    type: "function_call",
    ...(id === undefined ? {} : { id }),
    name,
    arguments: JSON.stringify(args),
    call_id: callId,
  };
}

export function functionOutput(callId: string, output: string, id?: string): ModelItem {
  return { type: "function_call_output", ...(id === undefined ? {} : { id }), call_id: callId, output };
}

export function customCall(name: string, input: string, callId: string, id?: string): ModelItem {
  return { type: "custom_tool_call", ...(id === undefined ? {} : { id }), name, input, call_id: callId };
}

export function customOutput(callId: string, text: string, id?: string): ModelItem {
  return {
    type: "custom_tool_call_output",
    ...(id === undefined ? {} : { id }),
    call_id: callId,
    output: [{ type: "input_text", text }],
  };
}

export function agentMessage(author: string, recipient: string, text: string, id: string): ModelItem {
  return { type: "agent_message", id, author, recipient, content: [{ type: "input_text", text }] };
}

export function request(input: readonly ModelItem[], extra: Record<string, unknown> = {}) {
  return { model: "mock-model", stream: true, input, ...extra };
}
