#!/usr/bin/env node
// Runs the built CLI. Node 22+ can cache compiled code between runs; older releases lack the switch.
import module from "node:module";

module.enableCompileCache?.();
const { runCli } = await import("../dist/index.mjs");
process.exitCode = await runCli(process.argv.slice(2));
