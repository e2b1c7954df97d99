import type { UserConfig } from "tsdown";

/** Build settings every package shares: ESM for Node, declarations, source maps. */
export const baseConfig: UserConfig = {
  entry: ["src/index.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
};
