import type { EventContext } from "@rollout-trace/writer";
import { checkAgentMessage, checkResponseItem, type JsonObject, own } from "./checks.ts";
import type { Recorder, ThreadRecord } from "./recorder.ts";
import type { ModelItem } from "./types.ts";

/** Where a handle records: its session, thread and turn, and the envelope its events carry. */
export interface TurnScope {
  readonly recorder: Recorder;
  readonly threadRecord: ThreadRecord;
  readonly turnId: string;
  readonly context: EventContext;
  readonly model: string;
  readonly providerName: string;
  /** False once the turn ended: no new inference, tool, cell or compaction may start in it. */
  readonly active: boolean;
  /** True once the turn ended failed, cancelled or aborted: the reducers then end its running code cells. */
  readonly closedCells: boolean;
}

/**
 * Schema 2: records that the thread committed `items` to its history. Each id is accepted once per thread: an item
 * the producer already accepted (while streaming, say) is not accepted again, which for an agent message would also
 * create a second conversation item. Items without a string id cannot be named and are skipped (refused when the
 * producer asked explicitly); `agent_message` items carry their full document, from which the reducer creates the
 * recipient's conversation item right away.
 */
export function acceptItems(scope: TurnScope, items: readonly ModelItem[], call: string | null): void {
  const recorder = scope.recorder;
  if (recorder.schemaVersion !== 2) return;
  const accepted = scope.threadRecord.acceptedIds;
  for (const item of items) {
    const id = own(item, "id");
    if (typeof id !== "string") {
      if (call !== null) recorder.refuse(call, "an item without a string id cannot be accepted");
      continue;
    }
    if (accepted.has(id)) {
      if (call !== null) recorder.repeated();
      continue;
    }
    if (own(item, "type") !== "agent_message") {
      if (recorder.append({ type: "history_item_accepted", item_id: id }, scope.context)) accepted.add(id);
      continue;
    }
    const problem = checkAgentMessage(item as JsonObject);
    if (problem !== null) {
      recorder.refuse(call ?? "history acceptance", problem);
      continue;
    }
    const ref = recorder.payload("protocol_event", item);
    const recorded = recorder.append(
      ref === null
        ? { type: "history_item_accepted", item_id: id }
        : { type: "history_item_accepted", item_id: id, agent_message_payload: ref },
      scope.context,
    );
    if (recorded) accepted.add(id);
    // The reducer appends an accepted agent message to the thread's snapshot: no response is continued as is.
    if (recorded && ref !== null) {
      scope.threadRecord.incrementalBase = null;
      scope.threadRecord.snapshotExtended = true;
    }
  }
}

/** Validates the items for {@link acceptItems}: any Responses item shape (acceptance is by id only). */
export function checkAcceptable(items: unknown): string | null {
  if (!Array.isArray(items)) return "items must be an array";
  for (const item of items) {
    const problem = checkResponseItem(item);
    if (problem !== null) return problem;
  }
  return null;
}
