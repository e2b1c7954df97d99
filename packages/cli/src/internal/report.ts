// The text rendering of an inspect report. Every string that comes from the trace goes through `displayText`.
import type {
  AnchorReport,
  CompactionReport,
  EdgeReport,
  InspectReport,
  ShortText,
  TerminalOperationReport,
  ThreadReport,
  TokenTotals,
  TranscriptEntry,
} from "@rollout-trace/reducer";
import { displayText } from "./sanitize.ts";
import type { Colors } from "./terminal.ts";

/** Longest one-line text shown for a transcript item, a command or a label. */
const TEXT_WIDTH = 100;

/** A trace string on one line, escaped and cut. */
function show(text: string, max = TEXT_WIDTH): string {
  return displayText(text, { oneLine: true, max });
}

function showShort(text: ShortText, max = TEXT_WIDTH): string {
  return displayText(text.text, { oneLine: true, max, truncated: text.truncated });
}

function formatDuration(ms: number | null): string {
  if (ms === null) return "still running";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? singular : plural}`;
}

function number(n: number): string {
  return n.toLocaleString("en-US");
}

class Renderer {
  readonly lines: string[] = [];
  private readonly c: Colors;

  constructor(c: Colors) {
    this.c = c;
  }

  line(text = ""): void {
    this.lines.push(text);
  }

  heading(text: string): void {
    this.line(this.c.bold(text));
  }

  field(name: string, value: string, indent = "  "): void {
    this.line(`${indent}${this.c.dim(name.padEnd(9))} ${value}`);
  }

  status(status: string): string {
    const c = this.c;
    switch (status) {
      case "completed":
        return c.green(status);
      case "failed":
      case "aborted":
        return c.red(status);
      case "cancelled":
        return c.yellow(status);
      default:
        return c.cyan(status);
    }
  }

  id(text: string): string {
    return this.c.dim(show(text));
  }

  tokens(tokens: TokenTotals, calls: number): string {
    const cache =
      tokens.cacheWriteInput === null
        ? `${number(tokens.cachedInput)} cached`
        : `${number(tokens.cachedInput)} cached, ${number(tokens.cacheWriteInput)} cache write`;
    return `${number(tokens.input)} input (${cache}) · ${number(tokens.output)} output (${number(tokens.reasoningOutput)} reasoning) · usage from ${tokens.callsWithUsage} of ${count(calls, "inference call")}`;
  }
}

/** The report as lines of text (no trailing newline). */
export function renderReport(report: InspectReport, colors: Colors): string {
  const r = new Renderer(colors);
  const c = colors;
  const { counts } = report;

  r.heading(`Rollout ${show(report.rolloutId)}  ${c.dim(`(trace schema ${report.schemaVersion})`)}`);
  const recording =
    report.recordingComplete === null
      ? ""
      : report.recordingComplete
        ? " · recording complete"
        : ` · ${c.yellow("recording incomplete")}`;
  const duration = report.durationMs === null ? "" : ` after ${formatDuration(report.durationMs)}`;
  r.field("status", `${r.status(report.status)}${duration}${recording}`);
  r.field("started", new Date(report.startedAtUnixMs).toISOString());
  r.field("trace id", show(report.traceId));
  const contents = [
    count(counts.threads, "thread"),
    count(counts.turns, "turn"),
    count(counts.conversationItems, "conversation item"),
    count(counts.inferenceCalls, "inference call"),
    count(counts.toolCalls, "tool call"),
    counts.codeCells > 0 ? count(counts.codeCells, "code cell") : "",
    counts.terminalOperations > 0 ? count(counts.terminalOperations, "terminal operation") : "",
    counts.compactions + counts.compactionRequests > 0 ? count(counts.compactions, "compaction") : "",
    counts.interactionEdges > 0 ? count(counts.interactionEdges, "interaction edge") : "",
  ].filter((part) => part !== "");
  r.field("contents", contents.join(" · "));
  r.field("tokens", r.tokens(report.tokens, counts.inferenceCalls));
  for (const diagnostic of report.replayDiagnostics) {
    r.field(
      "partial",
      c.yellow(
        `replay stopped early at ${show(diagnostic.file)} line ${diagnostic.line}: ${show(diagnostic.message)}`,
      ),
    );
  }

  if (report.threads.length > 0) {
    r.line();
    r.heading("Threads");
    for (const thread of report.threads) {
      const branch = thread.depth === 0 ? "" : `${"  ".repeat(thread.depth - 1)}└ `;
      const spawned = thread.origin.type === "spawned" ? ` · task ${show(thread.origin.taskName, 40)}` : "";
      r.line(
        `  ${branch}${c.bold(show(thread.agentPath, 60))}  ${r.id(thread.threadId)}  ${r.status(thread.status)} ${formatDuration(thread.durationMs)}${spawned}`,
      );
    }
  }

  if (report.interactionEdges.length > 0) {
    r.line();
    r.heading(`Interaction edges (${report.interactionEdges.length})`);
    for (const edge of report.interactionEdges) renderEdge(r, edge);
  }

  const pathOf = new Map(report.threads.map((thread) => [thread.threadId, thread.agentPath]));
  for (const thread of report.threads) renderThread(r, thread, pathOf);
  return r.lines.join("\n");
}

function anchorLabel(anchor: AnchorReport): string {
  const where = anchor.agentPath === null ? "" : ` (${show(anchor.agentPath, 60)})`;
  return `${anchor.type} ${show(anchor.id, 60)}${where}`;
}

function renderEdge(r: Renderer, edge: EdgeReport): void {
  const carried =
    edge.carriedItemIds.length > 0 ? ` · carried ${count(edge.carriedItemIds.length, "item")}` : "";
  r.line(
    `  ${show(edge.kind).padEnd(17)} ${anchorLabel(edge.source)} → ${anchorLabel(edge.target)}${carried}`,
  );
}

function renderThread(r: Renderer, thread: ThreadReport, pathOf: ReadonlyMap<string, string>): void {
  r.line();
  r.heading(`Thread ${show(thread.agentPath, 60)}  ${r.id(thread.threadId)}`);
  const extras = [
    thread.defaultModel === null ? "" : `default model ${show(thread.defaultModel, 40)}`,
    thread.nickname === null ? "" : `nickname ${show(thread.nickname, 40)}`,
  ].filter((part) => part !== "");
  r.field(
    "status",
    [`${r.status(thread.status)} after ${formatDuration(thread.durationMs)}`, ...extras].join(" · "),
  );
  if (thread.origin.type === "spawned") {
    const parent = pathOf.get(thread.origin.parentThreadId);
    const role = thread.origin.agentRole === "" ? "" : `, role ${show(thread.origin.agentRole, 40)}`;
    r.field(
      "origin",
      `spawned by ${parent === undefined ? show(thread.origin.parentThreadId) : show(parent, 60)} for task ${show(thread.origin.taskName, 40)}${role}`,
    );
  }
  if (thread.inferenceCalls.length > 0)
    r.field("tokens", r.tokens(thread.tokens, thread.inferenceCalls.length));

  if (thread.turns.length > 0) {
    r.line(`  Turns (${thread.turns.length})`);
    for (const turn of thread.turns) {
      r.line(
        `    ${r.id(turn.turnId)}  ${r.status(turn.status)}  ${formatDuration(turn.durationMs)}  ${count(turn.inferenceCalls, "inference call")} · ${count(turn.toolCalls, "tool call")}`,
      );
    }
  }

  if (thread.inferenceCalls.length > 0) {
    r.line(`  Inference calls (${thread.inferenceCalls.length})`);
    for (const call of thread.inferenceCalls) {
      const usage =
        call.usage === null
          ? "no usage reported"
          : `tokens ${number(call.usage.input)} in (${number(call.usage.cachedInput)} cached) / ${number(call.usage.output)} out (${number(call.usage.reasoningOutput)} reasoning)`;
      r.line(
        `    ${r.id(call.inferenceCallId)}  ${show(call.model, 40)} via ${show(call.provider, 30)}  ${r.status(call.status)}  ${formatDuration(call.latencyMs)}  ${usage}  items ${call.requestItems} → ${call.responseItems}`,
      );
    }
  }

  if (thread.toolCalls.length > 0) {
    const tally = thread.toolCallsByKind
      .map((kind) => {
        const statuses = Object.entries(kind.byStatus)
          .map(([status, n]) => `${n} ${status}`)
          .join(", ");
        return `${show(kind.kind, 60)} ×${kind.total} (${statuses})`;
      })
      .join(" · ");
    r.line(`  Tool calls (${thread.toolCalls.length}): ${tally}`);
    for (const tool of thread.toolCalls) {
      const requester = tool.requester === "model" ? "" : `  ${r.id(`from ${tool.requester}`)}`;
      r.line(
        `    ${r.id(tool.toolCallId)}  ${show(tool.kind, 60)}  ${r.status(tool.status)}  ${formatDuration(tool.durationMs)}  ${showShort(tool.label)}${requester}`,
      );
    }
  }

  if (thread.codeCells.length > 0) {
    r.line(`  Code cells (${thread.codeCells.length})`);
    for (const cell of thread.codeCells) {
      const details = [
        cell.yielded ? "yielded" : "",
        cell.nestedToolCallIds.length > 0 ? count(cell.nestedToolCallIds.length, "nested tool call") : "",
        cell.waitToolCallIds.length > 0 ? count(cell.waitToolCallIds.length, "wait") : "",
      ].filter((part) => part !== "");
      r.line(
        `    ${r.id(cell.codeCellId)}  ${r.status(cell.status)} (runtime ${show(cell.runtimeStatus)})  ${formatDuration(cell.durationMs)}${details.length > 0 ? `  ${details.join(" · ")}` : ""}`,
      );
      r.line(`      ${showShort(cell.source)}`);
    }
  }

  if (thread.terminalOperations.length > 0) {
    r.line(`  Terminal operations (${thread.terminalOperations.length})`);
    // Grouped by session, sessions in the order of their first operation.
    const bySession = new Map<string | null, TerminalOperationReport[]>();
    for (const operation of thread.terminalOperations) {
      const group = bySession.get(operation.terminalId) ?? [];
      group.push(operation);
      bySession.set(operation.terminalId, group);
    }
    for (const [terminalId, operations] of bySession) {
      r.line(`    ${terminalId === null ? "without a session" : `session ${r.id(terminalId)}`}`);
      for (const operation of operations) {
        const exit = operation.exitCode === null ? "" : `  exit ${operation.exitCode}`;
        const input =
          operation.kind === "write_stdin" && operation.input.text === ""
            ? "(poll)"
            : showShort(operation.input);
        r.line(
          `      ${r.id(operation.operationId)}  ${operation.kind}  ${r.status(operation.status)}  ${formatDuration(operation.durationMs)}${exit}  ${input}`,
        );
      }
    }
  }

  if (thread.compactions.length > 0) {
    r.line(`  Compactions (${thread.compactions.length})`);
    for (const compaction of thread.compactions) renderCompaction(r, compaction);
  }

  if (thread.transcript.length > 0) {
    const legend = thread.transcript[0]?.accepted !== null ? "; ✓ = accepted into history" : "";
    r.line(`  Transcript (${count(thread.transcript.length, "item")}${legend})`);
    for (const entry of thread.transcript) renderEntry(r, entry);
  }
}

function renderCompaction(r: Renderer, compaction: CompactionReport): void {
  const what = compaction.installed
    ? `installed · ${count(compaction.inputItems, "item")} → ${count(compaction.replacementItems, "item")}`
    : "not installed";
  r.line(`    ${r.id(compaction.compactionId)}  ${what}`);
  for (const request of compaction.requests) {
    r.line(
      `      ${r.id(request.requestId)}  ${show(request.model, 40)} via ${show(request.provider, 30)}  ${r.status(request.status)}  ${formatDuration(request.durationMs)}`,
    );
  }
}

function renderEntry(r: Renderer, entry: TranscriptEntry): void {
  const mark = entry.accepted === null ? "" : entry.accepted ? "✓ " : "  ";
  const speaker = entry.channel === null ? entry.role : `${entry.role}/${entry.channel}`;
  const route =
    entry.agentMessage === null
      ? ""
      : `${show(entry.agentMessage.author, 40)} → ${show(entry.agentMessage.recipient, 40)}: `;
  const call = entry.callId === null ? "" : `  ${r.id(`call ${entry.callId}`)}`;
  const tool =
    entry.toolCallId === null || entry.toolCallId === entry.callId
      ? ""
      : `  ${r.id(`tool ${entry.toolCallId}`)}`;
  const text = entry.text.text === "" ? r.id("(empty)") : showShort(entry.text);
  r.line(`    ${mark}${r.id(entry.itemId)}  ${speaker} · ${entry.kind}${call}${tool}`);
  r.line(`      ${route}${text}`);
}
