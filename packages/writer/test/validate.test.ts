import { describe, expect, it } from "vitest";
import { type BundleWriterError, createBundleWriter } from "../src/index.ts";
import { bundlePath, errorRecorder, expectReplayableBundle } from "./support.ts";

const ids = { traceId: "trace-v", rolloutId: "rollout-v", rootThreadId: "thread-v" };

describe("validate: true", () => {
  it("writes valid events, refuses invalid ones without consuming a seq, and says where they are wrong", async () => {
    const dir = bundlePath();
    const { errors, onError } = errorRecorder();
    const writer = createBundleWriter({ dir, ...ids, validate: true, onError });

    expect(
      writer.append({ type: "rollout_started", trace_id: "trace-v", root_thread_id: "thread-v" })?.seq,
    ).toBe(1);
    expect(writer.append({ type: "codex_turn_started", codex_turn_id: 7 } as never)).toBeNull();
    expect(writer.append({ type: "no_such_event" } as never)).toBeNull();
    expect(writer.append({ type: "thread_ended", thread_id: "thread-v", status: "completed" })?.seq).toBe(2);
    await writer.close();

    expect(writer.stats()).toMatchObject({ events: 3, errors: 2 });
    expect(errors).toHaveLength(1);
    const error = errors[0] as BundleWriterError;
    expect(error.reason).toBe("invalid_event");
    expect(error.message).toContain("codex_turn_started");
    expect(error.message).toMatch(/\/payload\/(codex_turn_id|thread_id)/);
    expect(expectReplayableBundle(dir).events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it("checks against the writer's schema version: schema 1 has no history_item_accepted", () => {
    const accepted = { type: "history_item_accepted", item_id: "msg_1" } as const;
    const v1 = createBundleWriter({ dir: bundlePath(), ...ids, schemaVersion: 1, validate: true });
    const v2 = createBundleWriter({ dir: bundlePath(), ...ids, schemaVersion: 2, validate: true });
    expect(v1.append(accepted, { threadId: "thread-v", codexTurnId: "turn-1" })).toBeNull();
    expect(v2.append(accepted, { threadId: "thread-v", codexTurnId: "turn-1" })?.seq).toBe(1);
    v1.closeSync();
    v2.closeSync();
  });
});
