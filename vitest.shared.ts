import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));
const conditions = ["@rollout-trace/source", "node", "import", "module", "default"];

/** Shared vitest settings: test against source, fixed fast-check seeds in CI, JSON reports for the summary line. */
export function packageTestConfig(packageName: string) {
  const reportDir = process.env.REPORT_DIR;
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: [path.join(root, "vitest.setup.ts")],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      reporters: reportDir
        ? ["default", ["json", { outputFile: path.join(reportDir, `${packageName}.json`) }]]
        : ["default"],
    },
  });
}
