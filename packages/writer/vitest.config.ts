import { packageTestConfig } from "../../vitest.shared.ts";

const config = packageTestConfig("writer");
// The writer loads the schema validators with require() on demand (src/internal/validation.ts), and Node cannot
// require TypeScript source. So in this package's tests, dependencies resolve to their built output (turbo builds
// them before the tests); the writer itself is still tested from source, through relative imports.
const builtOnly = ["node", "import", "module", "default"];
config.ssr = { ...config.ssr, resolve: { conditions: builtOnly, externalConditions: builtOnly } };

export default config;
