// The lossless JSON tree and the "JSON Codex can read" check: JSON.parse is the oracle for what is JSON at all,
// serde_json's extra refusals (nesting, lone surrogates) are checked by example.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCodexJson } from "../src/internal/json-check.ts";
import {
  type JsonObjectNode,
  JsonTreeError,
  member,
  parseJsonTree,
  stringifyCompact,
  stringifyPretty,
  stringMember,
  stringNode,
  withMember,
  withoutMember,
} from "../src/internal/json-tree.ts";

const json = fc.jsonValue({ stringUnit: "grapheme", maxDepth: 6 });

function accepts(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

describe("parseJsonTree", () => {
  it("re-serializes compact JSON exactly and pretty JSON as Codex writes it", () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = JSON.stringify(value);
        const tree = parseJsonTree(text);
        expect(stringifyCompact(tree)).toBe(text);
        expect(stringifyPretty(tree)).toBe(JSON.stringify(value, null, 2));
        expect(stringifyCompact(parseJsonTree(JSON.stringify(value, null, "\t")))).toBe(text);
      }),
    );
  });

  it("decodes strings as JSON.parse does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const node = parseJsonTree(JSON.stringify(text));
        expect(node).toEqual({ kind: "string", raw: JSON.stringify(text), value: text });
        const escaped = `"${[...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`;
        if ([...text].every((char) => char.length === 1))
          expect(parseJsonTree(escaped)).toMatchObject({ value: text });
      }),
    );
  });

  it("accepts exactly what JSON.parse accepts, when no surrogate escape is involved", () => {
    const damaged = json.chain((value) => {
      const text = JSON.stringify(value);
      return fc
        .tuple(
          fc.nat({ max: text.length }),
          fc.constantFrom("", ",", "}", "]", '"', ":", "0", "-", " ", "\\"),
        )
        .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at + 1));
    });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.string()), (text) => {
        fc.pre(!/\\u[dD][89a-fA-F]/.test(text));
        expect(accepts(() => parseJsonTree(text))).toBe(accepts(() => JSON.parse(text)));
        expect(parseCodexJson(text).ok).toBe(accepts(() => JSON.parse(text)));
      }),
    );
  });

  it("keeps key order, duplicate keys and number lexemes", () => {
    const text = '{"b":1,"10":1.0,"a":[1E+2,-0,12345678901234567890],"b":2}';
    const tree = parseJsonTree(text);
    expect(stringifyCompact(tree)).toBe(text);
    expect(member(tree, "b")).toEqual({ kind: "number", raw: "2" });
    expect(stringifyPretty(parseJsonTree("[[],{},[{}]]"))).toBe("[\n  [],\n  {},\n  [\n    {}\n  ]\n]");
  });

  it("refuses lone surrogate escapes and more than 127 levels of nesting, like serde_json", () => {
    expect(parseJsonTree('"\\ud83d\\ude00"')).toMatchObject({ value: "😀" });
    for (const text of ['"\\ud83d"', '"\\ud83dx"', '"\\ude00"', '"\\ud83d\\u0041"']) {
      expect(() => parseJsonTree(text)).toThrow(JsonTreeError);
      expect(parseCodexJson(text).ok).toBe(false);
    }
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(parseCodexJson(nested(127)).ok).toBe(true);
    expect(() => parseJsonTree(nested(127))).not.toThrow();
    expect(parseCodexJson(nested(128))).toMatchObject({ ok: false });
    expect(() => parseJsonTree(nested(128))).toThrow("recursion limit exceeded");
    // Brackets inside strings do not count.
    expect(parseCodexJson(`["${"[".repeat(200)}"]`).ok).toBe(true);
  });

  it("says where a syntax error is", () => {
    expect(() => parseJsonTree('{"a":\n  tru}')).toThrow("expected value at line 2 column 3");
  });
});

describe("editing", () => {
  const object = parseJsonTree('{"type":"x","id":"a","id":"b","n":1}') as JsonObjectNode;

  it("sets a key in place of its first occurrence, or after a given key, or at the end", () => {
    expect(stringifyCompact(withMember(object, "id", stringNode("c")))).toBe('{"type":"x","id":"c","n":1}');
    expect(stringifyCompact(withMember(object, "kind", stringNode("k"), "type"))).toBe(
      '{"type":"x","kind":"k","id":"a","id":"b","n":1}',
    );
    expect(stringifyCompact(withMember(object, "z", stringNode("z"), "missing"))).toBe(
      '{"type":"x","id":"a","id":"b","n":1,"z":"z"}',
    );
  });

  it("removes every occurrence of a key and never changes the original", () => {
    expect(stringifyCompact(withoutMember(object, "id"))).toBe('{"type":"x","n":1}');
    expect(stringMember(object, "id")).toBe("b");
    expect(stringMember(object, "n")).toBeUndefined();
  });
});
