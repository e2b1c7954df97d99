// Conversation items from model-facing payloads (spec §4.4): each payload's items are reconciled against the thread's
// previous model-visible snapshot, either as an authoritative full snapshot (reuse by position, then by first unused
// match, else create) or as an append-only extension (a mismatch at an occupied position is fatal).
import { linkItemToAgentEdges } from "./agents.ts";
import { linkOutputToCodeCell, materializePendingCodeCells } from "./code-cells.ts";
import { fail } from "./errors.ts";
import type { ConversationItem, ConversationPart, ProducerRef } from "./model.ts";
import type { NormalizedItem } from "./normalize.ts";
import { itemNumber, pairKey, pushIndex, type ReplayState } from "./state.ts";
import { linkItemToTool } from "./tools.ts";

export type ReconcileMode = "full_snapshot" | "append_only";

export interface ReconcilePass {
  threadId: string;
  turnId: string | null;
  at: number;
  mode: ReconcileMode;
  start: number;
  producedBy: readonly ProducerRef[];
  previous: readonly string[];
}

/**
 * One reconcile pass. A `null` item stands for an item known to be unchanged from the thread's previous full request
 * at the same position: it takes the item at that position of `previous` (see `reduceFullSnapshot`).
 */
export function reconcile(
  s: ReplayState,
  items: readonly (NormalizedItem | null)[],
  pass: ReconcilePass,
): string[] {
  const used = new Set<string>();
  const result: string[] = [];
  items.forEach((item, k) => {
    const index = pass.start + k;
    if (item === null) {
      const known = pass.previous[index]!;
      used.add(known);
      linkItem(s, known);
      result.push(known);
      return;
    }
    checkCallIdConsistency(s, pass.threadId, item);
    let id: string | null = claimAcceptedAgentMessage(s, pass.threadId, item);
    const positional = id === null ? pass.previous[index] : undefined;
    if (id !== null) {
      // Claimed: the accepted agent message's item, now carrying what the model was sent.
    } else if (positional !== undefined) {
      // Schema 1 reuses the item at the same position even if this pass used it already; schema 2 does not.
      if (matches(s.item(positional), item) && (s.version === 1 || !used.has(positional))) {
        id = positional;
      } else if (pass.mode === "full_snapshot") {
        id = firstUnusedMatch(s, pass.previous, used, item);
      } else {
        fail(
          `model conversation mismatch while reducing turn ${pass.turnId ?? "<none>"} for thread ${pass.threadId} at item index ${index}: existing item ${positional} does not match the current model payload item`,
        );
      }
    } else if (pass.mode === "full_snapshot") {
      id = firstUnusedMatch(s, pass.previous, used, item);
    }
    if (id === null) id = createItem(s, item, pass);
    else sight(s, s.item(id), item, pass.producedBy);
    used.add(id);
    linkItem(s, id);
    result.push(id);
  });
  materializePendingCodeCells(s);
  return result;
}

/** Compaction checkpoints: each item reuses the first unused match among `candidates`, else is created. */
export function reconcileDetached(
  s: ReplayState,
  items: readonly NormalizedItem[],
  pass: Omit<ReconcilePass, "mode" | "start" | "previous">,
  candidates: readonly string[] | null,
): string[] {
  const used = new Set<string>();
  const result: string[] = [];
  for (const item of items) {
    checkCallIdConsistency(s, pass.threadId, item);
    // Without candidates (a replacement history) every item is new; otherwise accepted messages are claimed first.
    let id =
      candidates === null
        ? null
        : (claimAcceptedAgentMessage(s, pass.threadId, item) ?? firstUnusedMatch(s, candidates, used, item));
    if (id === null) id = createItem(s, item, pass);
    else sight(s, s.item(id), item, pass.producedBy);
    used.add(id);
    linkItem(s, id);
    result.push(id);
  }
  materializePendingCodeCells(s);
  return result;
}

/**
 * Schema 2 creates an accepted agent message's item at acceptance. The first later sighting of an agent message with
 * that Responses id takes that item over, whatever its content, and the item shows what was sighted.
 */
function claimAcceptedAgentMessage(s: ReplayState, threadId: string, item: NormalizedItem): string | null {
  if (item.agent_message === undefined || item.responses_item_id === undefined) return null;
  const key = pairKey(threadId, item.responses_item_id);
  const id = s.unclaimedAgentMessages.get(key);
  if (id === undefined) return null;
  s.unclaimedAgentMessages.delete(key);
  s.item(id).body = { parts: item.parts };
  return id;
}

function firstUnusedMatch(
  s: ReplayState,
  candidates: readonly string[],
  used: ReadonlySet<string>,
  item: NormalizedItem,
): string | null {
  for (const id of candidates) {
    if (!used.has(id) && matches(s.item(id), item)) return id;
  }
  return null;
}

function linkItem(s: ReplayState, id: string): void {
  const item = s.item(id);
  linkItemToTool(s, item);
  linkOutputToCodeCell(s, item);
  linkItemToAgentEdges(s, item);
}

export function createItem(
  s: ReplayState,
  normalized: NormalizedItem,
  pass: { threadId: string; turnId: string | null; at: number; producedBy: readonly ProducerRef[] },
): string {
  const id = `conversation_item:${s.nextItemNumber++}`;
  const responsesId = s.version === 2 ? normalized.responses_item_id : undefined;
  const accepted =
    responsesId === undefined ? undefined : s.acceptances.get(pairKey(pass.threadId, responsesId));
  const item: ConversationItem = {
    item_id: id,
    responses_item_id: responsesId,
    accepted_at_unix_ms: accepted?.at,
    accepted_seq: accepted?.seq,
    thread_id: pass.threadId,
    codex_turn_id: pass.turnId,
    first_seen_at_unix_ms: pass.at,
    role: normalized.role,
    channel: normalized.channel,
    kind: normalized.kind,
    agent_message: normalized.agent_message,
    body: { parts: normalized.parts },
    call_id: normalized.call_id,
    produced_by: [...pass.producedBy],
  };
  s.collections.conversation_items.set(id, item);
  pushIndex(s.itemsByThread, pass.threadId, id);
  if (item.call_id !== null) pushIndex(s.itemsByCallId, pairKey(pass.threadId, item.call_id), id);
  if (responsesId !== undefined) pushIndex(s.itemsByResponsesId, pairKey(pass.threadId, responsesId), id);
  return id;
}

/** A later sighting of an existing item: merge reasoning evidence, adopt a Responses id, add producers. */
function sight(
  s: ReplayState,
  item: ConversationItem,
  incoming: NormalizedItem,
  producedBy: readonly ProducerRef[],
): void {
  if (item.kind === "reasoning") item.body.parts = mergeReasoning(item.body.parts, incoming.parts);
  if (s.version === 2 && item.responses_item_id === undefined && incoming.responses_item_id !== undefined) {
    item.responses_item_id = incoming.responses_item_id;
    pushIndex(s.itemsByResponsesId, pairKey(item.thread_id, incoming.responses_item_id), item.item_id);
    const accepted = s.acceptances.get(pairKey(item.thread_id, incoming.responses_item_id));
    if (accepted && item.accepted_at_unix_ms === undefined) {
      item.accepted_at_unix_ms = accepted.at;
      item.accepted_seq = accepted.seq;
    }
  }
  for (const producer of producedBy) addProducer(item, producer);
}

export function addProducer(item: ConversationItem, producer: ProducerRef): void {
  if (!item.produced_by.some((existing) => sameProducer(existing, producer))) item.produced_by.push(producer);
}

function sameProducer(a: ProducerRef, b: ProducerRef): boolean {
  switch (a.type) {
    case "inference":
      return b.type === "inference" && a.inference_call_id === b.inference_call_id;
    case "tool":
      return b.type === "tool" && a.tool_call_id === b.tool_call_id;
    case "code_cell":
      return b.type === "code_cell" && a.code_cell_id === b.code_cell_id;
    case "compaction":
      return b.type === "compaction" && a.compaction_id === b.compaction_id;
  }
}

const OUTPUT_KINDS: ReadonlySet<string> = new Set(["function_call_output", "custom_tool_call_output"]);

function checkCallIdConsistency(s: ReplayState, threadId: string, item: NormalizedItem): void {
  if (item.call_id === null) return;
  // Schema 2 lets a tool output come back with other content (as a new item); a call still may not.
  if (s.version === 2 && OUTPUT_KINDS.has(item.kind)) return;
  for (const id of s.itemsByCallId.get(pairKey(threadId, item.call_id)) ?? []) {
    const existing = s.item(id);
    if (existing.kind === item.kind && !matches(existing, item)) {
      fail(`model-visible call id ${item.call_id} was reused with different content`);
    }
  }
}

export function matches(existing: ConversationItem, item: NormalizedItem): boolean {
  if (
    existing.role !== item.role ||
    existing.channel !== item.channel ||
    existing.kind !== item.kind ||
    existing.call_id !== item.call_id ||
    !sameRoute(existing, item)
  ) {
    return false;
  }
  if (
    existing.responses_item_id !== undefined &&
    item.responses_item_id !== undefined &&
    existing.responses_item_id !== item.responses_item_id
  ) {
    return false;
  }
  return bodiesMatch(
    existing.body.parts,
    item.parts,
    existing.kind === "reasoning" && item.kind === "reasoning",
  );
}

function sameRoute(existing: ConversationItem, item: NormalizedItem): boolean {
  const a = existing.agent_message;
  const b = item.agent_message;
  if (a === undefined || b === undefined) return a === b;
  return a.author === b.author && a.recipient === b.recipient;
}

function bodiesMatch(
  a: readonly ConversationPart[],
  b: readonly ConversationPart[],
  reasoning: boolean,
): boolean {
  if (partsEqual(a, b)) return true;
  if (!reasoning) return false;
  const encodedA = a.find((part) => part.type === "encoded");
  const encodedB = b.find((part) => part.type === "encoded");
  return (
    encodedA !== undefined &&
    encodedB !== undefined &&
    encodedA.label === encodedB.label &&
    encodedA.value === encodedB.value
  );
}

/** Part lists are equal pairwise; `json` parts compare by summary only. */
export function partsEqual(a: readonly ConversationPart[], b: readonly ConversationPart[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!partEqual(a[i]!, b[i]!)) return false;
  }
  return true;
}

function partEqual(a: ConversationPart, b: ConversationPart): boolean {
  switch (a.type) {
    case "text":
    case "summary":
      return b.type === a.type && a.text === b.text;
    case "encoded":
      return b.type === "encoded" && a.label === b.label && a.value === b.value;
    case "json":
      return b.type === "json" && a.summary === b.summary;
    case "code":
      return b.type === "code" && a.language === b.language && a.source === b.source;
    case "payload_ref":
      // A content digest (schema 2) identifies the content wherever it was seen; otherwise the payload does.
      return (
        b.type === "payload_ref" &&
        a.label === b.label &&
        a.content_sha256 === b.content_sha256 &&
        (a.content_sha256 !== undefined || a.raw_payload_id === b.raw_payload_id)
      );
  }
}

/** Fill in missing kinds of readable reasoning evidence; a readable body seen first is never replaced. */
function mergeReasoning(
  existing: ConversationPart[],
  incoming: readonly ConversationPart[],
): ConversationPart[] {
  if (partsEqual(existing, incoming)) return existing;
  if (!bodiesMatch(existing, incoming, true))
    fail("reasoning item merge attempted with different encrypted_content identity");
  const text = existing.filter((part) => part.type === "text");
  const summary = existing.filter((part) => part.type === "summary");
  if (text.length > 0 && summary.length > 0) return existing;
  return [
    ...(text.length > 0 ? text : incoming.filter((part) => part.type === "text")),
    ...(summary.length > 0 ? summary : incoming.filter((part) => part.type === "summary")),
    ...existing.filter((part) => part.type === "encoded"),
  ];
}

/**
 * Adds ids to the thread's transcript. Schema 1 appends in first-observation order; schema 2 keeps the transcript in
 * creation order, because items can join it late (a response item joins once it is accepted or sighted again).
 */
export function appendToThread(s: ReplayState, threadId: string, ids: readonly string[]): void {
  const thread = s.collections.threads.get(threadId);
  if (!thread) return;
  const present = s.threadItems(threadId);
  for (const id of ids) {
    if (present.has(id)) continue;
    present.add(id);
    s.provisionalItems.delete(id);
    if (s.version === 1) thread.conversation_item_ids.push(id);
    else insertInCreationOrder(thread.conversation_item_ids, id);
  }
}

function insertInCreationOrder(list: string[], id: string): void {
  const number = itemNumber(id);
  let index = list.length;
  while (index > 0 && itemNumber(list[index - 1]!) > number) index--;
  if (index === list.length) list.push(id);
  else list.splice(index, 0, id);
}

/**
 * Schema 2 responses: an output item with a Responses id re-sights the first item of the thread (in creation order)
 * with that id and matching content; any other output item is new. New items stay out of the transcript until they
 * are accepted or sighted again, unless their id was already accepted.
 */
export function reconcileResponseV2(
  s: ReplayState,
  items: readonly NormalizedItem[],
  pass: Omit<ReconcilePass, "mode" | "start" | "previous">,
): string[] {
  const result: string[] = [];
  for (const item of items) {
    checkCallIdConsistency(s, pass.threadId, item);
    let id = item.responses_item_id === undefined ? null : firstWithResponsesId(s, pass.threadId, item);
    if (id === null) {
      id = createItem(s, item, pass);
      if (s.item(id).accepted_seq === undefined) s.provisionalItems.add(id);
      else appendToThread(s, pass.threadId, [id]);
    } else {
      sight(s, s.item(id), item, pass.producedBy);
    }
    linkItem(s, id);
    result.push(id);
  }
  materializePendingCodeCells(s);
  return result;
}

function firstWithResponsesId(s: ReplayState, threadId: string, item: NormalizedItem): string | null {
  const candidates = s.itemsByResponsesId.get(pairKey(threadId, item.responses_item_id!)) ?? [];
  let best: string | null = null;
  for (const id of candidates) {
    if ((best === null || itemNumber(id) < itemNumber(best)) && matches(s.item(id), item)) best = id;
  }
  return best;
}
