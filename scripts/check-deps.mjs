#!/usr/bin/env node
// Enforces the dependency directions of docs/architecture.md: what each published package may depend on at
// run time, and that nothing depends on the CLI.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Allowed run-time dependencies (dependencies, peerDependencies, optionalDependencies) per package. */
const allowed = {
  "@rollout-trace/schema": ["typebox"],
  "@rollout-trace/writer": ["@rollout-trace/schema"],
  "@rollout-trace/producer": ["@rollout-trace/writer", "@rollout-trace/schema"],
  "@rollout-trace/reducer": ["@rollout-trace/schema"],
  "@rollout-trace/convert": ["@rollout-trace/schema"],
  "@rollout-trace/cli": null, // anything
};

const manifests = [];
for (const dir of ["packages", "bench"]) {
  const base = path.join(root, dir);
  const candidates = dir === "bench" ? [base] : fs.readdirSync(base).map((d) => path.join(base, d));
  for (const pkgDir of candidates) {
    const file = path.join(pkgDir, "package.json");
    if (fs.existsSync(file))
      manifests.push({ file: path.relative(root, file), pkg: JSON.parse(fs.readFileSync(file, "utf8")) });
  }
}

const problems = [];
const runtimeSections = ["dependencies", "peerDependencies", "optionalDependencies"];
for (const { file, pkg } of manifests) {
  const rule = allowed[pkg.name];
  if (rule === undefined && !pkg.private)
    problems.push(`${file}: published package ${pkg.name} has no dependency rule`);
  for (const section of [...runtimeSections, "devDependencies"]) {
    for (const dep of Object.keys(pkg[section] ?? {})) {
      if (dep === "@rollout-trace/cli")
        problems.push(`${file}: ${section} names @rollout-trace/cli; nothing may depend on the CLI`);
      if (rule && runtimeSections.includes(section) && !rule.includes(dep)) {
        problems.push(
          `${file}: ${pkg.name} may depend only on [${rule.join(", ")}], but ${section} has ${dep}`,
        );
      }
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`dependency directions hold for ${manifests.length} packages`);
