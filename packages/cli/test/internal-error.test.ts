// The top-level error boundary: an unexpected exception becomes one "internal error" line, the stack only with
// --debug. Run in-process, with the reducer replaced by one that fails the way a bug would.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("@rollout-trace/reducer", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@rollout-trace/reducer")>()),
  replayBundle: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'thread_id')");
  },
}));

const { runCli } = await import("../src/index.ts");

function captureStderr(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return { text: () => chunks.join("") };
}

beforeEach(() => {
  vi.stubEnv("NO_COLOR", "1");
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("an internal error", () => {
  it("prints one line asking for a report, without a stack trace", async () => {
    const stderr = captureStderr();
    const code = await runCli(["reduce", "."]);
    expect(code).toBe(1);
    expect(stderr.text()).toBe(
      "error: internal error, please report it (with the command you ran): Cannot read properties of undefined (reading 'thread_id')\n" +
        "run again with --debug to see the stack trace\n",
    );
  });

  it("prints the stack trace with --debug", async () => {
    const stderr = captureStderr();
    const code = await runCli(["reduce", ".", "--debug"]);
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(
      /^error: internal error, please report it .*\nTypeError: Cannot read properties/,
    );
    expect(stderr.text()).toMatch(/\n {4}at /);
  });
});
