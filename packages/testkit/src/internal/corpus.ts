/**
 * Text material for generated sessions: what users ask, what the model says, which commands it runs and what they
 * print. All of it is invented for this package; it only imitates the shape of real Codex traffic (tagged context
 * blocks, unified-exec output headers, patch envelopes) so that generated bundles read like recorded ones.
 */

export const USER_PROMPTS: readonly string[] = [
  "List the files in this repository and tell me what the project does.",
  "Run the unit tests and summarise any failures.",
  "Add a --verbose flag to the CLI entry point.",
  "Why does `npm run build` fail on a clean checkout?",
  "Rename the helper `parseRow` to `parseCsvRow` everywhere.",
  "Write a short README section about configuration.",
  "Check which Node version the project expects and whether mine matches.",
  "Find where the HTTP timeout is configured and raise it to 30 seconds.",
  "Count the lint-suppression comments per directory.",
  "Explain the difference between the two config loaders in src/config.",
  "Make the date formatting in the report use ISO 8601 (e.g. 2026-03-01T09:30:00Z).",
  "The logs show “connexion refusée” from the database client; find out why.",
];

export const FOLLOW_UP_PROMPTS: readonly string[] = [
  "Thanks. Now also update the changelog.",
  "Can you double-check that with the tests?",
  "Keep going, but do not touch the generated files.",
  "Show me the diff you ended up with.",
  "Good. One more thing: make the error message friendlier.",
];

export interface CommandSample {
  readonly cmd: string;
  readonly output: string;
  readonly parsed: "list_files" | "read" | "search" | "unknown";
}

export const COMMANDS: readonly CommandSample[] = [
  { cmd: "ls", output: "README.md\npackage.json\nsrc\ntest\n", parsed: "list_files" },
  {
    cmd: "git status --short",
    output: " M src/cli.ts\n?? notes.txt\n",
    parsed: "unknown",
  },
  {
    cmd: "cat package.json",
    output: '{\n  "name": "report-tool",\n  "version": "1.4.0",\n  "type": "module"\n}\n',
    parsed: "read",
  },
  {
    cmd: "rg -n parseRow src",
    output:
      "src/csv.ts:12:export function parseRow(line: string) {\nsrc/report.ts:4:import { parseRow } from './csv';\n",
    parsed: "search",
  },
  { cmd: "node --version", output: "v20.20.2\n", parsed: "unknown" },
  {
    cmd: "npm test",
    output:
      "> report-tool@1.4.0 test\n> vitest run\n\n ✓ test/csv.test.ts (6 tests)\n ✓ test/report.test.ts (9 tests)\n\n Test Files  2 passed (2)\n      Tests  15 passed (15)\n",
    parsed: "unknown",
  },
  {
    cmd: "grep -rc eslint-disable src | sort",
    output: "src/cli.ts:2\nsrc/config/env.ts:1\nsrc/report.ts:4\n",
    parsed: "search",
  },
  {
    cmd: "wc -l src/*.ts",
    output: "  88 src/cli.ts\n 140 src/csv.ts\n 212 src/report.ts\n 440 total\n",
    parsed: "unknown",
  },
  {
    cmd: "sed -n '1,20p' src/config/http.ts",
    output: "export const httpDefaults = {\n  timeoutMs: 10_000,\n  retries: 2,\n};\n",
    parsed: "read",
  },
  { cmd: "pwd", output: "/home/dev/src/report-tool\n", parsed: "unknown" },
];

export const FAILING_COMMANDS: readonly CommandSample[] = [
  {
    cmd: "npm run build",
    output:
      "> report-tool@1.4.0 build\n> tsc -p .\n\nsrc/cli.ts(41,7): error TS2322: Type 'string' is not assignable to type 'number'.\n",
    parsed: "unknown",
  },
  { cmd: "cat missing.txt", output: "cat: missing.txt: No such file or directory\n", parsed: "read" },
  {
    cmd: "npx eslint src",
    output: "src/report.ts\n  17:5  error  'unused' is defined but never used\n\n✖ 1 problem\n",
    parsed: "unknown",
  },
];

export interface InteractiveSample {
  readonly cmd: string;
  readonly banner: string;
  readonly inputs: readonly { readonly chars: string; readonly output: string }[];
}

export const INTERACTIVE_COMMANDS: readonly InteractiveSample[] = [
  {
    cmd: "python3 -i",
    banner: "Python 3.12.3\n>>> ",
    inputs: [
      { chars: "print(6 * 7)\n", output: "print(6 * 7)\r\n42\r\n>>> " },
      { chars: "exit()\n", output: "exit()\r\n" },
    ],
  },
  {
    cmd: "read name; echo hello $name",
    banner: "",
    inputs: [{ chars: "codex\n", output: "codex\r\nhello codex\r\n" }],
  },
  {
    cmd: "npm run dev",
    banner: "> report-tool@1.4.0 dev\n> vite\n\n  VITE ready in 412 ms\n  ➜  Local: http://localhost:5173/\n",
    inputs: [
      { chars: "", output: "  page reload src/report.ts\n" },
      { chars: "\u0003", output: "^C\r\n" },
    ],
  },
  {
    cmd: "node",
    banner: "Welcome to Node.js v20.20.2.\n> ",
    inputs: [
      { chars: "[1, 2, 3].map((n) => n * 2)\n", output: "[ 2, 4, 6 ]\r\n> " },
      { chars: ".exit\n", output: "" },
    ],
  },
];

export interface PatchSample {
  readonly path: string;
  readonly action: "add" | "update" | "delete";
  readonly body: string;
}

export const PATCHES: readonly PatchSample[] = [
  { path: "notes.txt", action: "add", body: "+remember to update the changelog\n" },
  {
    path: "src/cli.ts",
    action: "update",
    body: '@@ export function main(argv: string[]) {\n-  const verbose = false;\n+  const verbose = argv.includes("--verbose");\n',
  },
  {
    path: "src/config/http.ts",
    action: "update",
    body: "@@ export const httpDefaults = {\n-  timeoutMs: 10_000,\n+  timeoutMs: 30_000,\n",
  },
  { path: "docs/old-setup.md", action: "delete", body: "" },
  {
    path: "README.md",
    action: "update",
    body: "@@ ## Usage\n+\n+## Configuration\n+Settings are read from `report.config.json`; environment variables win.\n",
  },
];

export interface McpSample {
  readonly server: string;
  readonly tool: string;
  readonly argumentsJson: string;
  readonly result: string;
}

export const MCP_CALLS: readonly McpSample[] = [
  {
    server: "docs",
    tool: "search",
    argumentsJson: '{"query":"http timeout configuration","limit":3}',
    result: "1. config/http.md: timeouts are set in httpDefaults\n2. faq.md: raising limits",
  },
  {
    server: "issues",
    tool: "get_issue",
    argumentsJson: '{"id":482}',
    result: "#482 Build fails on clean checkout (open)",
  },
  {
    server: "mocktools",
    tool: "echo",
    argumentsJson: '{"text":"hello over MCP"}',
    result: "echo: hello over MCP",
  },
  {
    server: "db",
    tool: "query",
    argumentsJson: '{"sql":"select count(*) from reports where status = \'failed\'"}',
    result: "count\n-----\n7",
  },
];

export interface FunctionToolSample {
  readonly name: string;
  readonly argumentsJson: string;
  readonly output: string;
}

export const FUNCTION_TOOLS: readonly FunctionToolSample[] = [
  {
    name: "update_plan",
    argumentsJson:
      '{"explanation":"Split the work","plan":[{"step":"Inspect the CLI","status":"completed"},{"step":"Add the flag","status":"in_progress"},{"step":"Run the tests","status":"pending"}]}',
    output: "Plan updated",
  },
  {
    name: "view_image",
    argumentsJson: '{"path":"docs/screenshot.png"}',
    output: "attached image docs/screenshot.png",
  },
  { name: "list_mcp_resources", argumentsJson: "{}", output: '{"resources":[]}' },
  { name: "get_goal", argumentsJson: "{}", output: '{"goal":null}' },
];

export const WEB_SEARCH_QUERIES: readonly string[] = [
  "vitest run only changed files",
  "node 20 fetch timeout option",
  "typescript exactOptionalPropertyTypes explained",
];

export const REASONING_SUMMARIES: readonly string[] = [
  "Looking at the repository layout first.",
  "The failure is probably a type error in the CLI.",
  "I should run the tests before changing anything.",
  "The flag needs to be threaded through to the logger.",
  "Checking how the timeout is wired through the client.",
  "Deciding whether a patch or a command is simpler here.",
  "Counting per directory needs a sort afterwards.",
  "The user wants a short answer.",
];

export const REASONING_CONTENT: readonly string[] = [
  "The README mentions a config file, so the loader must read it somewhere under src/config.",
  "If the build fails only on a clean checkout, a generated file is probably missing from git.",
  "The rename touches two files; a single patch keeps it atomic.",
  "Running the tests first gives a baseline to compare against.",
];

export const COMMENTARY: readonly string[] = [
  "Let me look at the files first.",
  "Running the test suite now.",
  "I'll make the change with a patch.",
  "Checking the configuration.",
  "Starting a helper to do this in parallel.",
  "Trying that in a quick script.",
];

export const FINAL_ANSWERS: readonly string[] = [
  "Done. The CLI now accepts `--verbose` and passes it to the logger.",
  "All 15 tests pass; nothing needed fixing.",
  "The build failed because `src/cli.ts` assigned a string to a numeric option. I fixed the type.",
  "The project is a small report generator: `src/csv.ts` parses input and `src/report.ts` renders it.",
  "I raised the HTTP timeout to 30 seconds in `src/config/http.ts`.",
  "There are 7 lint suppressions: 2 in src/cli.ts, 1 in src/config, 4 in src/report.ts.",
  "Vous aviez raison : le client n'avait pas le bon port. C'est corrigé.",
  "Updated.",
];

export const CHILD_TASKS: readonly {
  readonly name: string;
  readonly message: string;
  readonly answer: string;
}[] = [
  {
    name: "test_runner",
    message: "Run the full test suite and report failures only.",
    answer: "All tests passed.",
  },
  {
    name: "file_counter",
    message: "Count the TypeScript files under src and test.",
    answer: "There are 9 TypeScript files.",
  },
  {
    name: "docs_reviewer",
    message: "Read README.md and list sections that are out of date.",
    answer: "The Usage section still mentions the removed --legacy flag.",
  },
  {
    name: "dependency_audit",
    message: "List direct dependencies that have a newer major version.",
    answer: "No direct dependency is behind by a major version.",
  },
];

export const FOLLOW_UP_TASKS: readonly string[] = [
  "Now also check the test directory.",
  "Please summarise your findings in one line.",
  "Repeat the check with the production config.",
];

export const AGENT_NOTES: readonly string[] = [
  "FYI: the main thread is about to finish, no reply needed.",
  "Heads up: src/report.ts just changed, re-read it before editing.",
];

export const NICKNAMES: readonly string[] = [
  "Poincare",
  "Herschel",
  "Noether",
  "Lovelace",
  "Hopper",
  "Curie",
  "Ramanujan",
  "Meitner",
];

export const INFERENCE_ERRORS: readonly string[] = [
  "stream disconnected before completion: upstream connect error or disconnect/reset before headers",
  "unexpected status 500 Internal Server Error: upstream overloaded",
  "stream disconnected before completion: idle timeout waiting for SSE",
];

export const MODELS: readonly string[] = ["gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5.2", "mock-model"];

export const PROJECT_DIRS: readonly string[] = [
  "/home/dev/src/report-tool",
  "/home/maria/projects/billing-service",
  "/srv/checkout/web-app",
];

export const BASE_INSTRUCTIONS = [
  "You are a coding agent working inside a terminal on the user's machine. You can read files, run commands and",
  "apply patches through the tools you are given.",
  "",
  "Working style:",
  "- Be concise. Prefer doing the work over describing it.",
  "- Before editing, look at the relevant files; after editing, run the checks the project already has.",
  "- Never revert changes you did not make. Ask before destructive operations.",
  "- Keep the user informed with short progress notes while you work, and finish with a clear summary.",
  "",
  "Tool use:",
  "- Use `exec_command` for shell commands and `write_stdin` to talk to a process that is still running.",
  "- Use `apply_patch` for file edits; keep each patch focused on one change.",
  "- Quote paths that contain spaces. Prefer `rg` over `grep` for searching.",
].join("\n");

export function permissionsMessage(approvalPolicy: string): string {
  return [
    "<permissions instructions>",
    "Sandbox: none. Every command runs with the user's own permissions and network access is available.",
    `Approval policy: ${approvalPolicy}. Commands are not sent to the user for approval.`,
    "</permissions instructions>",
  ].join("\n");
}

export function environmentContext(cwd: string, date: string): string {
  return [
    "<environment_context>",
    `  <cwd>${cwd}</cwd>`,
    "  <shell>bash</shell>",
    `  <current_date>${date}</current_date>`,
    "  <timezone>Etc/UTC</timezone>",
    "</environment_context>",
  ].join("\n");
}

export const SKILLS_INSTRUCTIONS = [
  "<skills_instructions>",
  "Skills are folders of instructions for recurring tasks. Read a skill's SKILL.md only when the task matches it.",
  "Available skills: release-notes (drafts release notes from merged changes).",
  "</skills_instructions>",
].join("\n");

export const TEAM_ROOT_INSTRUCTIONS =
  "You are `/root`, the lead agent of a small team. You may hand self-contained sub-tasks to helper agents and must integrate their results into your answer.";

export const TEAM_CHILD_INSTRUCTIONS =
  "You are a helper agent in a team. Work only on the task you were given and report back with a short, factual answer.";

export const TEAM_MODE_NOTE =
  "<multi_agent_mode>Only start helper agents when the task clearly benefits from parallel work.</multi_agent_mode>";

export const COMPACTION_SUMMARY_PREFIX =
  "An earlier part of this conversation was summarised to save context. Summary of the work so far:";

export const TURN_ABORTED_NOTE = [
  "<turn_aborted>",
  "The user stopped the previous turn on purpose. Processes it started may have been killed; check before relying on",
  "their results.",
  "</turn_aborted>",
].join("\n");
