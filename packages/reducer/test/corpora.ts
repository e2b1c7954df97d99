// Bundle corpora the reducer tests run over: real Codex recordings kept in this repository, and, when the shared
// folder sits beside the checkout (CI always has it), its conformance cases and real bundles.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface CorpusBundle {
  readonly name: string;
  readonly dir: string;
  /** The reference reducer's state.json, when the corpus has one. */
  readonly expectedState: string | null;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const RECORDED_DIR = path.join(here, "fixtures", "recorded");
export const SHARED_DIR = path.resolve(here, "..", "..", "..", "..", "shared");

function bundlesIn(dir: string, prefix: string): CorpusBundle[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, "manifest.json")))
    .sort()
    .map((name) => {
      const stateFile = path.join(dir, name, "state.json");
      return {
        name: `${prefix}/${name}`,
        dir: path.join(dir, name),
        expectedState: fs.existsSync(stateFile) ? fs.readFileSync(stateFile, "utf8") : null,
      };
    });
}

/** Real bundles recorded with Codex 0.144.6 (schema 1) and 0.169.0 (schema 2), each with its reducer's state.json. */
export function recordedBundles(version: 1 | 2): CorpusBundle[] {
  return bundlesIn(path.join(RECORDED_DIR, `v${version}`), `recorded/v${version}`);
}

export const sharedAvailable = fs.existsSync(SHARED_DIR);

/** `../shared` real bundles of a schema version, plus (schema 1) the conformance cases. */
export function sharedBundles(version: 1 | 2): CorpusBundle[] {
  const real = bundlesIn(
    path.join(SHARED_DIR, "real-bundles", `v${version}`),
    `shared/real-bundles/v${version}`,
  );
  if (version === 2) return real;
  return [...real, ...bundlesIn(path.join(SHARED_DIR, "conformance", "cases"), "shared/conformance")];
}
