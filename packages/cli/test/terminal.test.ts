// Behaviour with and without a terminal: colours, NO_COLOR / FORCE_COLOR, and the progress bar.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ESC,
  RECORDED_DIR,
  removeTempDirs,
  run,
  runInTerminal,
  SGR,
  scriptAvailable,
  tempDir,
} from "./support.ts";

afterEach(removeTempDirs);

const SHELL_V2 = path.join(RECORDED_DIR, "v2", "exec-shell");

if (!scriptAvailable)
  console.info("note: util-linux `script` is missing; the pseudo-terminal tests were skipped");

/** A schema 1 bundle of about 10 MiB: large enough that reducing it shows a progress bar at once. */
function largeBundle(): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "payloads"));
  const manifest = {
    schema_version: 1,
    trace_id: "trace-large",
    rollout_id: "rollout-large",
    root_thread_id: "thread-large",
    started_at_unix_ms: 1000,
    raw_event_log: "trace.jsonl",
    payloads_dir: "payloads",
  };
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(
    path.join(dir, "payloads", "1.json"),
    JSON.stringify({ type: "warning", message: "m" }, null, 2),
  );
  const lines: string[] = [];
  for (let seq = 1; seq <= 40_000; seq++) {
    lines.push(
      JSON.stringify({
        schema_version: 1,
        seq,
        wall_time_unix_ms: 1000 + seq,
        rollout_id: "rollout-large",
        thread_id: null,
        codex_turn_id: null,
        payload: {
          type: "protocol_event_observed",
          event_type: "warning",
          event_payload: {
            raw_payload_id: "raw_payload:1",
            kind: { type: "protocol_event" },
            path: "payloads/1.json",
          },
        },
      }),
    );
  }
  fs.writeFileSync(path.join(dir, "trace.jsonl"), `${lines.join("\n")}\n`);
  expect(fs.statSync(path.join(dir, "trace.jsonl")).size).toBeGreaterThan(8 * 1024 * 1024);
  return dir;
}

describe("without a terminal", () => {
  it("prints no colours", () => {
    const result = run(["inspect", SHELL_V2]);
    expect(result.stdout).not.toContain(ESC);
  });

  it("prints colours with FORCE_COLOR, unless NO_COLOR is set too", () => {
    expect(run(["inspect", SHELL_V2], { env: { FORCE_COLOR: "1" } }).stdout).toMatch(SGR);
    expect(run(["inspect", SHELL_V2], { env: { FORCE_COLOR: "0" } }).stdout).not.toContain(ESC);
    expect(run(["inspect", SHELL_V2], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } }).stdout).not.toContain(
      ESC,
    );
  });

  it("shows no progress bar, however large the bundle", () => {
    const bundle = largeBundle();
    const result = run(["reduce", bundle, "-o", path.join(tempDir(), "state.json")]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });
});

describe.skipIf(!scriptAvailable)("on a terminal", () => {
  it("prints colours", () => {
    const result = runInTerminal(["inspect", SHELL_V2]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(SGR);
    expect(result.stdout).toContain("Rollout 01a212e0-5be3-7fe1-b474-10c6a6ead923");
  });

  it("prints no colours with NO_COLOR", () => {
    const result = runInTerminal(["inspect", SHELL_V2], { NO_COLOR: "1" });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).toContain("Rollout 01a212e0-5be3-7fe1-b474-10c6a6ead923");
  });

  it("colours error messages, and not with NO_COLOR", () => {
    const missing = path.join(tempDir(), "missing");
    expect(runInTerminal(["reduce", missing]).stdout).toContain(`${ESC}[31m${ESC}[1merror:`);
    expect(runInTerminal(["reduce", missing], { NO_COLOR: "1" }).stdout).toContain(
      `error: cannot open bundle ${missing}`,
    );
  });

  it("shows a progress bar for a large bundle, then clears it", () => {
    const bundle = largeBundle();
    const out = path.join(tempDir(), "state.json");
    const result = runInTerminal(["reduce", bundle, "-o", out], { NO_COLOR: "1" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /reducing .*\d+% \| [\d.]+ (KiB|MiB) of [\d.]+ MiB \| [\d,]+ events, [\d,]+ events\/s/,
    );
    expect(result.stdout).toContain("100%");
    // The bar is erased before the output path is printed.
    expect(result.stdout.endsWith(`${out}\r\n`)).toBe(true);
    expect(JSON.parse(fs.readFileSync(out, "utf8")).status).toBe("running");
  });

  it("shows no progress bar for a small bundle", () => {
    const out = path.join(tempDir(), "state.json");
    const result = runInTerminal(["reduce", SHELL_V2, "-o", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${out}\r\n`);
  });
});
