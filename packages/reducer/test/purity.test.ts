// The replay core runs anywhere (browsers, workers, other runtimes): only the Node adapter may touch Node APIs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const internal = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/internal");
const IMPORT = /^\s*(?:import|export)\b[^"']*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

it("the core under src/internal imports neither node: modules nor the Node adapter, only the schema package", () => {
  const core = fs.readdirSync(internal).filter((file) => file.endsWith(".ts"));
  expect(core.length).toBeGreaterThan(10);
  const offenders: string[] = [];
  for (const file of core) {
    const source = fs.readFileSync(path.join(internal, file), "utf8");
    for (const match of source.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? "";
      const allowed = specifier.startsWith(".") || specifier.startsWith("@rollout-trace/schema");
      if (specifier.startsWith("node:") || specifier.startsWith("./node/") || !allowed) {
        offenders.push(`${file}: ${specifier}`);
      }
    }
  }
  expect(offenders).toEqual([]);
});
