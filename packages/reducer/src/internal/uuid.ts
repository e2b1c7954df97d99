// Thread ids in collab payloads are parsed as UUIDs the way Rust's `uuid` crate does: simple, hyphenated, braced
// and `urn:uuid:` forms are accepted and printed back in lower-case hyphenated form; anything else fails with that
// crate's diagnosis of what is wrong.

const HEX = /^[0-9a-fA-F]*$/;
const GROUP_STARTS = [0, 9, 14, 19, 24] as const;
const GROUP_LENGTHS = [8, 4, 4, 4, 12] as const;

export type UuidParse = { ok: true; uuid: string } | { ok: false; error: string };

function hyphenatedHex(text: string): string | null {
  if (text.length !== 36) return null;
  for (const index of [8, 13, 18, 23]) if (text[index] !== "-") return null;
  const hex = text.replaceAll("-", "");
  return hex.length === 32 && HEX.test(hex) ? hex : null;
}

export function parseUuid(text: string): UuidParse {
  let hex: string | null = null;
  if (text.length === 32 && HEX.test(text)) hex = text;
  else if (text.length === 36) hex = hyphenatedHex(text);
  else if (text.length === 38 && text.startsWith("{") && text.endsWith("}"))
    hex = hyphenatedHex(text.slice(1, -1));
  else if (text.length === 45 && text.startsWith("urn:uuid:")) hex = hyphenatedHex(text.slice(9));
  if (hex !== null) {
    const h = hex.toLowerCase();
    return {
      ok: true,
      uuid: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
    };
  }
  return { ok: false, error: diagnose(text) };
}

function diagnose(text: string): string {
  let body = text;
  let offset = 0;
  let simple = true;
  if (text.length >= 2 && text.startsWith("{") && text.endsWith("}")) {
    body = text.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (text.startsWith("urn:uuid:")) {
    body = text.slice(9);
    offset = 9;
    simple = false;
  }
  let hyphens = 0;
  const bounds: number[] = [];
  let byteIndex = 0;
  for (const character of body) {
    if (character === "-") {
      if (hyphens < 4) bounds.push(byteIndex);
      hyphens++;
    } else if (!/^[0-9a-fA-F]$/.test(character)) {
      return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${character}\` at ${byteIndex + offset + 1}`;
    }
    byteIndex += new TextEncoder().encode(character).length;
  }
  if (hyphens === 0 && simple)
    return `invalid length: expected length 32 for simple format, found ${text.length}`;
  if (hyphens !== 4) return `invalid group count: expected 5, found ${hyphens + 1}`;
  for (let group = 0; group < 4; group++) {
    const bound = bounds[group]!;
    if (bound !== GROUP_STARTS[group + 1]! - 1) {
      return `invalid group length in group ${group}: expected ${GROUP_LENGTHS[group]}, found ${bound - GROUP_STARTS[group]!}`;
    }
  }
  return `invalid group length in group 4: expected 12, found ${body.length - GROUP_STARTS[4]}`;
}
