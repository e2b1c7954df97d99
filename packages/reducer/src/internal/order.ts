// The reference keeps every id-keyed map in a BTreeMap<String, _>: keys sort by their UTF-8 bytes, and every
// "first match" the reducer looks for follows that order.

/** Orders strings by their UTF-8 bytes (UTF-16 code units differ from UTF-8 order only above U+D7FF). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return byteRank(x) - byteRank(y);
  }
  return a.length - b.length;
}

// Surrogates encode code points above U+FFFF, whose UTF-8 bytes sort after U+E000..U+FFFF.
function byteRank(unit: number): number {
  if (unit < 0xd800) return unit;
  if (unit < 0xe000) return unit + 0x2000;
  return unit - 0x800;
}

const ABOVE_D7FF = /[\ud800-\uffff]/;

export function sortKeys(keys: Iterable<string>): string[] {
  const list = [...keys];
  // The built-in sort compares UTF-16 code units, which is byte order unless a key has a code unit above U+D7FF.
  return list.some((key) => ABOVE_D7FF.test(key)) ? list.sort(compareKeys) : list.sort();
}

/** The first key in byte order among `keys` for which `accept` holds. */
export function firstInKeyOrder(
  keys: Iterable<string>,
  accept: (key: string) => boolean = () => true,
): string | null {
  let best: string | null = null;
  for (const key of keys) {
    if ((best === null || compareKeys(key, best) < 0) && accept(key)) best = key;
  }
  return best;
}
