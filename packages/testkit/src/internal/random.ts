/**
 * Deterministic randomness for the bundle compiler. Everything a compiled bundle contains is a pure function of its
 * script, so the ids, timings and filler choices come from this seeded generator and never from `Math.random`.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    // Mix the seed once so that neighbouring seeds (0, 1, 2 ...) do not start with correlated outputs.
    this.#state = (seed ^ 0x9e3779b9) >>> 0;
    this.next();
  }

  /** Uniform 32-bit unsigned integer (mulberry32). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + (this.next() % (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() / 0x1_0000_0000 < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.next() % items.length];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  hex(length: number): string {
    let out = "";
    while (out.length < length) out += this.next().toString(16).padStart(8, "0");
    return out.slice(0, length);
  }

  /** Lower-case base-36 string, the alphabet of the short ids the mock Responses API hands out. */
  base36(length: number): string {
    let out = "";
    while (out.length < length) out += (this.next() % 36).toString(36);
    return out;
  }

  /** Random UUID v4, as Codex uses for trace ids, inference call ids and MCP call ids. */
  uuidV4(): string {
    return formatUuid(this.hex(32), "4");
  }

  /** UUID v7 carrying `unixMs`, as Codex uses for thread, turn, compaction and history item ids. */
  uuidV7(unixMs: number): string {
    const timestamp = Math.max(0, Math.floor(unixMs)).toString(16).padStart(12, "0").slice(-12);
    return formatUuid(timestamp + this.hex(20), "7");
  }

  /** Name-based UUID v5 look-alike (Codex derives the base-instructions message id this way). */
  uuidV5(): string {
    return formatUuid(this.hex(32), "5");
  }
}

function formatUuid(hex32: string, version: string): string {
  const variant = ((Number.parseInt(hex32.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex32.slice(0, 8),
    hex32.slice(8, 12),
    version + hex32.slice(13, 16),
    variant + hex32.slice(17, 20),
    hex32.slice(20, 32),
  ].join("-");
}
