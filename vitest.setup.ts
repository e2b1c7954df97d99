import fc from "fast-check";

// CI runs with a fixed seed so a red run can be replayed; FC_SEED overrides it anywhere.
const CI_SEED = 20261125;
const fromEnv = process.env.FC_SEED;
const seed =
  fromEnv !== undefined
    ? Number(fromEnv)
    : process.env.CI
      ? CI_SEED
      : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${fromEnv}`);
const numRuns = process.env.FC_NUM_RUNS !== undefined ? Number(process.env.FC_NUM_RUNS) : undefined;

fc.configureGlobal({
  seed,
  ...(numRuns !== undefined ? { numRuns } : {}),
  // fast-check prints the seed and path of a failing run; this note says how to replay a whole suite.
  reporter(details) {
    if (details.failed) {
      const cause =
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : String(details.errorInstance);
      throw new Error(
        `${fc.defaultReportMessage(details)}\nFailure: ${cause}\nReplay the suite with FC_SEED=${seed}.`,
      );
    }
  },
});
