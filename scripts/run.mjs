#!/usr/bin/env node
// Entry point behind `npm run demo`, `npm test` and the benchmarks: it needs nothing but Node and npm,
// installs the pinned pnpm and the locked dependencies on first use, then runs the job.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const pnpmVersion = rootPackage.packageManager.replace(/^pnpm@/, "");
const shared = path.resolve(root, "..", "shared");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function capture(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", env });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** The pinned pnpm: a global one if it is the right version, else through npx (cached after the first run). */
function pnpm() {
  if (capture("pnpm", ["--version"]) === pnpmVersion) return ["pnpm"];
  return ["npx", "--yes", `pnpm@${pnpmVersion}`];
}

function ensureInstalled() {
  const marker = path.join(root, "node_modules", ".modules.yaml");
  const lock = path.join(root, "pnpm-lock.yaml");
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  const [cmd, ...pre] = pnpm();
  console.log(`> installing dependencies with pnpm ${pnpmVersion}`);
  if (run(cmd, [...pre, "install", "--frozen-lockfile"]) !== 0) {
    console.error("dependency installation failed");
    process.exit(1);
  }
}

function turbo(args, options = {}) {
  return run(bin("turbo"), ["run", ...args, "--output-logs=new-only"], options);
}

function bin(name) {
  return path.join(root, "node_modules", ".bin", name);
}

function demo(args) {
  ensureInstalled();
  if (turbo(["build", "--filter=@rollout-trace/cli..."]) !== 0) process.exit(1);
  process.exit(
    run(process.execPath, [path.join(root, "packages/cli/bin/rollout-trace.js"), "demo", ...args]),
  );
}

function bench(which, args) {
  ensureInstalled();
  if (turbo(["build", "--filter=@rollout-trace/bench..."]) !== 0) process.exit(1);
  process.exit(run(process.execPath, [path.join(root, "bench", `${which}.mjs`), ...args]));
}

/** Packages under packages/ that are published (not private). */
function publishedPackages() {
  return fs
    .readdirSync(path.join(root, "packages"))
    .filter((name) => {
      const file = path.join(root, "packages", name, "package.json");
      return fs.existsSync(file) && !JSON.parse(fs.readFileSync(file, "utf8")).private;
    })
    .sort();
}

/** Every check counts: each vitest test, each conformance case, and each whole-repo step. */
function test() {
  ensureInstalled();
  const reportDir = path.join(root, ".reports");
  fs.rmSync(reportDir, { recursive: true, force: true });
  fs.mkdirSync(reportDir, { recursive: true });
  const steps = [];
  const step = (name, status) => {
    steps.push({ name, ok: status === 0 });
    console.log(`${status === 0 ? "ok  " : "FAIL"} ${name}`);
  };

  step("format and lint (biome ci)", run(bin("biome"), ["ci", "."]));
  step("dependency directions", run(process.execPath, [path.join(root, "scripts/check-deps.mjs")]));
  step("typecheck", turbo(["typecheck"]));
  step("build", turbo(["build"]));
  for (const name of publishedPackages()) {
    step(
      `packaging of @rollout-trace/${name} (publint)`,
      run(bin("publint"), ["--strict"], { cwd: path.join(root, "packages", name) }),
    );
  }
  step("package tests", turbo(["test", "--concurrency=1"], { env: { ...env, REPORT_DIR: reportDir } }));

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of fs.readdirSync(reportDir).filter((f) => f.endsWith(".json"))) {
    const report = JSON.parse(fs.readFileSync(path.join(reportDir, file), "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }

  const conformance = path.join(shared, "conformance", "check.mjs");
  if (fs.existsSync(conformance)) {
    const cmd = `node ${JSON.stringify(path.join(root, "packages/cli/bin/rollout-trace.js"))} reduce {bundle} -o {out}`;
    const result = spawnSync(process.execPath, [conformance, "--cmd", cmd], {
      cwd: root,
      encoding: "utf8",
      env,
    });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    const summary = /(\d+) passed, (\d+) failed/.exec(result.stdout);
    if (summary) {
      passed += Number(summary[1]);
      failed += Number(summary[2]);
    } else {
      step("conformance corpus", 1);
    }
  } else {
    console.log("note: ../shared is not beside this checkout; the shared conformance corpus was not run");
  }

  for (const s of steps) s.ok ? passed++ : failed++;
  if (skipped > 0) console.log(`${skipped} tests skipped (not counted as passed)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

const [command, ...rest] = process.argv.slice(2);
if (command === "demo") demo(rest);
else if (command === "test") test();
else if (command === "bench" && (rest[0] === "writer" || rest[0] === "reducer"))
  bench(rest[0], rest.slice(1));
else {
  console.error("usage: node scripts/run.mjs demo [dir] | test | bench writer|reducer");
  process.exit(2);
}
