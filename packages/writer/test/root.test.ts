import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  bundleDirectoryName,
  CODEX_TRACE_ROOT_ENV,
  createRootBundleWriter,
  resolveTraceRoot,
  TRACE_ROOT_ENV,
} from "../src/index.ts";
import { expectReplayableBundle, scratchDir } from "./support.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("resolveTraceRoot", () => {
  it("names the variables as documented", () => {
    expect(TRACE_ROOT_ENV).toBe("ROLLOUT_TRACE_ROOT");
    expect(CODEX_TRACE_ROOT_ENV).toBe("CODEX_ROLLOUT_TRACE_ROOT");
  });

  it("prefers ROLLOUT_TRACE_ROOT, falls back to CODEX_ROLLOUT_TRACE_ROOT, else is off", () => {
    expect(
      resolveTraceRoot({ ROLLOUT_TRACE_ROOT: "/traces/ours", CODEX_ROLLOUT_TRACE_ROOT: "/traces/codex" }),
    ).toBe("/traces/ours");
    expect(resolveTraceRoot({ CODEX_ROLLOUT_TRACE_ROOT: "/traces/codex" })).toBe("/traces/codex");
    expect(resolveTraceRoot({})).toBeNull();
  });

  it("treats empty or blank values as unset", () => {
    expect(resolveTraceRoot({ ROLLOUT_TRACE_ROOT: "", CODEX_ROLLOUT_TRACE_ROOT: "/traces/codex" })).toBe(
      "/traces/codex",
    );
    expect(resolveTraceRoot({ ROLLOUT_TRACE_ROOT: "  " })).toBeNull();
  });

  it("makes a relative root absolute, so a later chdir does not move the traces", () => {
    expect(resolveTraceRoot({ ROLLOUT_TRACE_ROOT: "traces" })).toBe(path.join(process.cwd(), "traces"));
  });

  it("reads process.env by default", () => {
    const saved = { ours: process.env.ROLLOUT_TRACE_ROOT, codex: process.env.CODEX_ROLLOUT_TRACE_ROOT };
    try {
      delete process.env.ROLLOUT_TRACE_ROOT;
      process.env.CODEX_ROLLOUT_TRACE_ROOT = "/traces/from-process";
      expect(resolveTraceRoot()).toBe("/traces/from-process");
    } finally {
      for (const [name, value] of [
        ["ROLLOUT_TRACE_ROOT", saved.ours],
        ["CODEX_ROLLOUT_TRACE_ROOT", saved.codex],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe("bundleDirectoryName", () => {
  it("is trace-<trace_id>-<root_thread_id>", () => {
    expect(
      bundleDirectoryName("2a2ffc69-1f84-40fa-b499-42c64b1ce788", "01a212b6-7265-79f0-856a-843e1c49ef69"),
    ).toBe("trace-2a2ffc69-1f84-40fa-b499-42c64b1ce788-01a212b6-7265-79f0-856a-843e1c49ef69");
  });

  it("percent-encodes anything that could leave the root or split the name", () => {
    const name = bundleDirectoryName("../../etc", "a/b\\c\0d é");
    expect(name).toBe("trace-..%2F..%2Fetc-a%2Fb%5Cc%00d%20%C3%A9");
    expect(name).not.toMatch(/[/\\\0]/);
  });
});

describe("createRootBundleWriter", () => {
  it("is off (null) without a root or a root variable, and creates nothing", () => {
    expect(createRootBundleWriter({ rootThreadId: "thread-1", env: {} })).toBeNull();
    expect(createRootBundleWriter({ rootThreadId: "thread-1", env: { ROLLOUT_TRACE_ROOT: "" } })).toBeNull();
  });

  it("creates trace-<fresh uuid>-<thread> under the root from the environment", async () => {
    const root = scratchDir();
    const writer = createRootBundleWriter({
      rootThreadId: "01a212b6-thread",
      env: { CODEX_ROLLOUT_TRACE_ROOT: root },
    });
    expect(writer).not.toBeNull();
    const { manifest } = writer!;
    expect(manifest.trace_id).toMatch(UUID_V4);
    expect(manifest.rollout_id).toBe("01a212b6-thread");
    expect(manifest.root_thread_id).toBe("01a212b6-thread");
    expect(writer!.dir).toBe(path.join(root, `trace-${manifest.trace_id}-01a212b6-thread`));
    expect(fs.readdirSync(root)).toEqual([path.basename(writer!.dir)]);
    writer!.append({
      type: "rollout_started",
      trace_id: manifest.trace_id,
      root_thread_id: "01a212b6-thread",
    });
    await writer!.close();
    expect(expectReplayableBundle(writer!.dir).events).toHaveLength(2);
  });

  it("gives every root session its own bundle", async () => {
    const root = scratchDir();
    const first = createRootBundleWriter({ root, rootThreadId: "thread-1" });
    const second = createRootBundleWriter({ root, rootThreadId: "thread-1" });
    expect(first!.dir).not.toBe(second!.dir);
    await Promise.all([first!.close(), second!.close()]);
    expect(fs.readdirSync(root)).toHaveLength(2);
  });

  it("takes an explicit root over the environment, and explicit ids and schema version", async () => {
    const root = scratchDir();
    const writer = createRootBundleWriter({
      root,
      env: { ROLLOUT_TRACE_ROOT: path.join(root, "unused") },
      rootThreadId: "thread-1",
      traceId: "trace-1",
      rolloutId: "rollout-1",
      schemaVersion: 1,
    });
    expect(writer!.dir).toBe(path.join(root, "trace-trace-1-thread-1"));
    expect(writer!.manifest).toMatchObject({
      schema_version: 1,
      trace_id: "trace-1",
      rollout_id: "rollout-1",
    });
    await writer!.close();
  });

  it("keeps hostile ids inside the root", async () => {
    const root = scratchDir();
    const writer = createRootBundleWriter({ root, rootThreadId: "../../escape", traceId: "../x" });
    expect(writer!.state).toBe("open");
    expect(path.dirname(writer!.dir)).toBe(root);
    await writer!.close();
    expect(fs.readdirSync(root)).toEqual(["trace-..%2Fx-..%2F..%2Fescape"]);
  });
});
