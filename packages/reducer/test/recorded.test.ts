// Real Codex bundles must reduce to exactly the state.json their own release's reducer wrote.
import { describe, expect, it } from "vitest";
import { replayBundleSync } from "../src/index.ts";
import { recordedBundles, sharedAvailable, sharedBundles } from "./corpora.ts";

const corpora = [1, 2].flatMap((version) => [
  ...recordedBundles(version as 1 | 2),
  ...(sharedAvailable ? sharedBundles(version as 1 | 2) : []),
]);
const withState = corpora.filter((bundle) => bundle.expectedState !== null);

if (!sharedAvailable)
  console.info("note: ../shared is absent; only the bundles recorded in this repository were checked");

describe("real bundles reduce byte-identical to the reference state.json", () => {
  it("has the recorded corpus of both schema versions", () => {
    expect(recordedBundles(1).length).toBeGreaterThanOrEqual(30);
    expect(recordedBundles(2).length).toBeGreaterThanOrEqual(30);
  });

  it.each(withState.map((bundle) => [bundle.name, bundle] as const))("%s", (_name, bundle) => {
    expect(replayBundleSync(bundle.dir, { prefetch: false }).serialize()).toBe(bundle.expectedState);
    // The same through the payload prefetcher, which large bundles use.
    expect(replayBundleSync(bundle.dir, { prefetch: true }).serialize()).toBe(bundle.expectedState);
  });
});
