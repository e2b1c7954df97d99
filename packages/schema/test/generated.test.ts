import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { generateFiles } from "../scripts/generate.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const schemasDir = "packages/schema/schemas";
const files = generateFiles();

function readIfExists(relativePath: string): string | undefined {
  const file = path.join(repoRoot, relativePath);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

// `pnpm --filter @rollout-trace/schema generate` runs this file with UPDATE_GENERATED=1 to rewrite the outputs.
if (process.env.UPDATE_GENERATED === "1") {
  fs.mkdirSync(path.join(repoRoot, schemasDir), { recursive: true });
  for (const name of fs.readdirSync(path.join(repoRoot, schemasDir))) {
    if (!files.has(`${schemasDir}/${name}`)) fs.rmSync(path.join(repoRoot, schemasDir, name));
  }
  for (const [relativePath, content] of files) {
    fs.mkdirSync(path.dirname(path.join(repoRoot, relativePath)), { recursive: true });
    if (readIfExists(relativePath) !== content) fs.writeFileSync(path.join(repoRoot, relativePath), content);
  }
}

describe("generated JSON Schema files and docs/format.md", () => {
  test.each([...files.keys()])("%s matches the TypeBox definitions", (relativePath) => {
    expect(
      readIfExists(relativePath),
      `${relativePath} is stale: run \`pnpm --filter @rollout-trace/schema generate\``,
    ).toBe(files.get(relativePath));
  });

  test("schemas/ holds no file the generator does not produce", () => {
    const present = fs.readdirSync(path.join(repoRoot, schemasDir)).map((name) => `${schemasDir}/${name}`);
    expect(present.filter((file) => !files.has(file))).toEqual([]);
  });

  test("generation is deterministic", () => {
    expect(generateFiles()).toEqual(files);
  });

  test("every JSON file is 2-space formatted with a trailing newline and a distinct $id", () => {
    const ids = new Set<string>();
    for (const [relativePath, content] of files) {
      if (!relativePath.endsWith(".json")) continue;
      const parsed = JSON.parse(content) as {
        $id: string;
        $schema: string;
        title: string;
        description: string;
      };
      expect(content).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
      expect(parsed.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(parsed.$id).toBe(`https://rollout-trace.dev/schemas/${path.basename(relativePath)}`);
      expect(parsed.title).not.toBe("");
      expect(parsed.description).toMatch(/trace schema (1|2|1 and 2)\.$/);
      expect(ids.has(parsed.$id)).toBe(false);
      ids.add(parsed.$id);
    }
    expect(ids.size).toBe(19);
  });

  test("no TypeBox bookkeeping key reaches the JSON Schema files", () => {
    for (const [relativePath, content] of files) {
      if (relativePath.endsWith(".json")) expect(content).not.toMatch(/"~[a-z]+"\s*:/);
    }
  });
});
