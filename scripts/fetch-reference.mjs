#!/usr/bin/env node
// Fetches the reference reducers (the Codex CLI's `codex debug trace-reduce`) from the npm registry into the
// git-ignored .cache/reference/<version>/codex, for the differential tests. Linux x64 only.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Schema 1 is reduced by the last release that reads it; schema 2 by the release the v2 bundles came from. */
export const REFERENCE_VERSIONS = { 1: "0.144.6", 2: "0.169.0" };
const BINARY_IN_PACKAGE = "package/vendor/x86_64-unknown-linux-musl/bin/codex";

function fetchVersion(version) {
  const dest = path.join(root, ".cache", "reference", version);
  const binary = path.join(dest, "codex");
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dest, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-trace-ref-"));
  try {
    const spec = `@openai/codex@${version}-linux-x64`;
    console.log(`fetching ${spec} (about 150 MB)`);
    const pack = spawnSync("npm", ["pack", spec, "--pack-destination", tmp, "--silent"], {
      encoding: "utf8",
    });
    if (pack.status !== 0) throw new Error(`npm pack ${spec} failed: ${pack.stderr.trim()}`);
    const tarball = path.join(tmp, pack.stdout.trim().split("\n").pop());
    const untar = spawnSync("tar", ["-xzf", tarball, "-C", tmp, BINARY_IN_PACKAGE], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`extracting ${BINARY_IN_PACKAGE} failed: ${untar.stderr.trim()}`);
    fs.copyFileSync(path.join(tmp, BINARY_IN_PACKAGE), `${binary}.partial`);
    fs.chmodSync(`${binary}.partial`, 0o755);
    fs.renameSync(`${binary}.partial`, binary);
    return binary;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error("the reference reducers are fetched only on linux x64");
  process.exit(1);
}
try {
  for (const version of Object.values(REFERENCE_VERSIONS)) console.log(fetchVersion(version));
} catch (error) {
  console.error(String(error.message ?? error));
  process.exit(1);
}
