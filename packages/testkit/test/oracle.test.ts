import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GeneratedBundle,
  ROLLOUT_FEATURES,
  type RolloutFeature,
  rolloutArbitrary,
  runReferenceBatch,
  SCHEMA_1_ONLY_FEATURES,
  SCHEMA_2_ONLY_FEATURES,
  writeBundleToDir,
} from "../src/index.ts";
import { referenceAvailable, scratchDir } from "./support.ts";

/**
 * Differential check of the generator against the real Codex reducers: every generated bundle must reduce without
 * error, the reduced conversation must line up with the generator's thread model, and the batch must exercise every
 * feature. The batch uses fixed seeds (not FC_SEED) so that the coverage assertion is reproducible.
 */
const BATCH = [
  { size: "small", runs: 150, seed: 20261101 },
  { size: "medium", runs: 100, seed: 20261102 },
  { size: "large", runs: 50, seed: 20261103 },
] as const;

type StateItem = { kind: string; role: string; responses_item_id?: string };
type StateCall = { thread_id: string; request_item_ids: string[]; response_item_ids: string[] };
interface ReducedState {
  conversation_items: Record<string, StateItem>;
  inference_calls: Record<string, StateCall>;
  threads: Record<string, unknown>;
}

/** Conversation-item kind the reducer derives from a Responses item type (spec §4.4.1). */
function expectedKind(type: unknown): string {
  if (type === "message" || type === "agent_message" || type === "compaction") return "message";
  if (type === "web_search_call") return "function_call";
  return String(type);
}

/** Differences between the generator's thread model and the reference's reduced state. */
function modelMismatches(bundle: GeneratedBundle, state: ReducedState): string[] {
  const problems: string[] = [];
  for (const thread of bundle.model) {
    if (state.threads[thread.threadId] === undefined) problems.push(`thread ${thread.threadId} missing`);
    for (const inference of thread.inferences) {
      const call = state.inference_calls[inference.inferenceCallId];
      if (call === undefined) {
        problems.push(`inference ${inference.inferenceCallId} missing`);
        continue;
      }
      if (call.thread_id !== thread.threadId)
        problems.push(`inference ${inference.inferenceCallId} in wrong thread`);
      if (call.request_item_ids.length !== inference.input.length) {
        problems.push(
          `inference ${inference.inferenceCallId} (${inference.requestMode}): ${call.request_item_ids.length} request items, model has ${inference.input.length}`,
        );
      }
      call.request_item_ids.forEach((itemId, index) => {
        const item = state.conversation_items[itemId];
        const modelItem = inference.input[index];
        if (item === undefined || modelItem === undefined) return;
        if (item.kind !== expectedKind(modelItem.type)) {
          problems.push(`${itemId}: kind ${item.kind}, model item type ${String(modelItem.type)}`);
        }
        if (
          bundle.schemaVersion === 2 &&
          typeof modelItem.id === "string" &&
          item.responses_item_id !== modelItem.id
        ) {
          problems.push(`${itemId}: responses id ${item.responses_item_id}, model ${modelItem.id}`);
        }
      });
      if (inference.output !== null && call.response_item_ids.length !== inference.output.length) {
        problems.push(`inference ${inference.inferenceCallId}: response length differs from the model`);
      }
    }
  }
  return problems;
}

describe.each([1, 2] as const)(
  "generated schema-%i bundles against the reference reducer",
  (schemaVersion) => {
    const available = referenceAvailable(schemaVersion);
    let scratch: { dir: string; cleanup: () => Promise<void> };
    beforeAll(async () => {
      scratch = await scratchDir(`oracle-v${schemaVersion}`);
    });
    afterAll(async () => {
      await scratch.cleanup();
    });

    it.skipIf(!available)(
      "are all accepted, match the thread model and cover every feature",
      async () => {
        const bundles = BATCH.flatMap(({ size, runs, seed }) =>
          fc.sample(rolloutArbitrary({ schemaVersion, size }), { numRuns: runs, seed: seed + schemaVersion }),
        );
        const dirs = bundles.map((_, index) => path.join(scratch.dir, `accept-${index}`));
        await Promise.all(bundles.map((bundle, index) => writeBundleToDir(bundle, dirs[index] ?? "")));
        const results = await runReferenceBatch(schemaVersion, dirs);

        const rejected: string[] = [];
        const mismatches: string[] = [];
        const tally = new Map<RolloutFeature, number>();
        results.forEach((result, index) => {
          const bundle = bundles[index];
          if (bundle === undefined) return;
          for (const feature of bundle.features) tally.set(feature, (tally.get(feature) ?? 0) + 1);
          if (!result.ok) {
            rejected.push(`bundle ${index}: ${result.error}\n  script: ${JSON.stringify(bundle.script)}`);
            return;
          }
          const problems = modelMismatches(bundle, JSON.parse(result.state) as ReducedState);
          if (problems.length > 0) mismatches.push(`bundle ${index}: ${problems.slice(0, 3).join("; ")}`);
        });

        const accepted = results.length - rejected.length;
        const meanMs = results.reduce((sum, r) => sum + r.durationMs, 0) / results.length;
        console.info(
          `[testkit] schema ${schemaVersion}: reference ${accepted}/${results.length} accepted ` +
            `(${((100 * accepted) / results.length).toFixed(1)}%), mean reference run ${meanMs.toFixed(0)} ms\n` +
            `[testkit] feature tally: ${[...tally]
              .sort((a, b) => a[0].localeCompare(b[0]))
              .map(([feature, count]) => `${feature}=${count}`)
              .join(" ")}`,
        );
        expect(rejected.slice(0, 3)).toEqual([]);
        expect(mismatches.slice(0, 5)).toEqual([]);

        const foreign = schemaVersion === 1 ? SCHEMA_2_ONLY_FEATURES : SCHEMA_1_ONLY_FEATURES;
        const expected = ROLLOUT_FEATURES.filter(
          (feature) => feature !== "error_injection" && !foreign.includes(feature),
        );
        expect(expected.filter((feature) => !tally.has(feature))).toEqual([]);
      },
      600_000,
    );

    it.skipIf(!available)(
      "fail with the documented error when a bundle is broken on purpose",
      async () => {
        const bundles = fc.sample(rolloutArbitrary({ schemaVersion, errors: true }), {
          numRuns: 60,
          seed: 20261110 + schemaVersion,
        });
        const dirs = bundles.map((_, index) => path.join(scratch.dir, `error-${index}`));
        await Promise.all(bundles.map((bundle, index) => writeBundleToDir(bundle, dirs[index] ?? "")));
        const results = await runReferenceBatch(schemaVersion, dirs);
        const unexpected = results.flatMap((result, index) => {
          const bundle = bundles[index];
          if (bundle === undefined || bundle.expectedError === null)
            return [`bundle ${index} has no expected error`];
          if (result.ok) return [`bundle ${index} (${bundle.script.error}) was accepted`];
          return result.error.includes(bundle.expectedError)
            ? []
            : [`bundle ${index}: expected "${bundle.expectedError}", got "${result.error}"`];
        });
        expect(unexpected).toEqual([]);
        const injected = new Set(bundles.map((bundle) => bundle.script.error));
        expect(injected.size).toBeGreaterThan(schemaVersion === 1 ? 5 : 9);
      },
      600_000,
    );
  },
);
