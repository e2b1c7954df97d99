// Help, version and bad arguments: exit 0 for help and version, 2 for every usage error.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_DIR, run } from "./support.ts";

const COMMANDS = ["reduce", "validate", "inspect", "convert", "demo", "schema"] as const;

describe("help", () => {
  it("describes the program, its commands and exit codes", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatchSnapshot();
  });

  it.each(COMMANDS)("describes %s", (command) => {
    const result = run([command, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatchSnapshot();
    expect(run(["help", command]).stdout).toBe(result.stdout);
  });

  it("prints the package version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"));
    const result = run(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});

describe("usage errors exit with 2", () => {
  it("without a command, prints the help on stderr", () => {
    const result = run([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Usage: rollout-trace [options] [command]");
  });

  it.each([
    [["frobnicate"], "error: unknown command 'frobnicate'"],
    [["reduce"], "error: missing required argument 'bundle'"],
    [["reduce", "a", "b"], "error: too many arguments for 'reduce'. Expected 1 argument but got 2."],
    [["inspect", "x", "--colour"], "error: unknown option '--colour'"],
    [
      ["schema", "--version", "3"],
      "error: option '--version <1|2>' argument '3' is invalid. the trace schema versions are 1 and 2",
    ],
    [["validate", "x", "--max-problems"], "error: option '--max-problems <n>' argument missing"],
  ])("%j", (args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("(run with --help for usage)");
  });
});
