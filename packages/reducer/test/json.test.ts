import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isObject, JsonNumber, objectKeys, parseJson, stringifyCompact } from "../src/internal/json.ts";
import { jsonSummary } from "../src/internal/normalize.ts";

describe("parseJson keeps what serde_json keeps", () => {
  it("keeps document key order, including array-index-like keys", () => {
    const value = parseJson('{"b":1,"10":2,"a":3,"2":4}');
    expect(isObject(value) && objectKeys(value)).toEqual(["b", "10", "a", "2"]);
    expect(stringifyCompact(value)).toBe('{"b":1,"10":2,"a":3,"2":4}');
  });

  it("keeps number lexemes, normalizing exponent markers, like arbitrary_precision", () => {
    // Expected texts observed from the reference reducer (Codex 0.144.6) on the same input.
    expect(
      stringifyCompact(
        parseJson("[1e-5,1e-6,1e16,1e15,0.1,-0.0,1.0,2.5e-8,123456789.125,18446744073709551616,-0,1E400]"),
      ),
    ).toBe("[1e-5,1e-6,1e+16,1e+15,0.1,-0.0,1.0,2.5e-8,123456789.125,18446744073709551616,0,1e+400]");
    expect(
      stringifyCompact(
        parseJson("[1.50,0.10,1e05,1E+5,-0e5,10.0e-2,-12,100000000000000000000000,0.000001,-0.0e-0,5E-0]"),
      ),
    ).toBe("[1.50,0.10,1e+05,1e+5,-0e+5,10.0e-2,-12,100000000000000000000000,0.000001,-0.0e-0,5e-0]");
  });

  it("keeps the lexeme of a document that is a single number", () => {
    expect(stringifyCompact(parseJson("1.50"))).toBe("1.50");
    expect(stringifyCompact(parseJson(" 1e5"))).toBe("1e+5");
    expect(stringifyCompact(parseJson("12345678901234567890"))).toBe("12345678901234567890");
  });

  it("rejects lone surrogate escapes, which JSON.parse would accept", () => {
    expect(() => parseJson('"\\ud800"')).toThrow(/surrogate|escape/);
    expect(() => parseJson('"\\udc00x"')).toThrow(/surrogate/);
    expect(parseJson('"\\ud83d\\ude00"')).toBe("😀");
  });

  it("accepts 127 levels of nesting and refuses the 128th, like serde_json", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(() => parseJson(nested(127))).not.toThrow();
    expect(() => parseJson(nested(128))).toThrow(/recursion limit exceeded/);
    // Brackets inside strings do not nest.
    expect(() => parseJson(`{"a":"[[[[\\"[[","b":${nested(126)}}`)).not.toThrow();
    expect(() => parseJson(`{"a":"]]]]","b":${nested(127)}}`)).toThrow(/recursion limit exceeded/);
    expect(() => parseJson(nested(100_000))).toThrow(/recursion limit exceeded/);
  });

  it("never lets a __proto__ key change an object's prototype", () => {
    for (const text of ['{"__proto__":{"polluted":true}}', '{"2":0,"__proto__":{"polluted":true}}']) {
      const value = parseJson(text) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.hasOwn(value, "__proto__")).toBe(true);
    }
  });

  it("reports where the syntax breaks", () => {
    expect(() => parseJson('{"a":\n  tru}')).toThrow(/line 2 column/);
  });

  it("agrees with JSON.parse + JSON.stringify on values without floats or index keys", () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        const text = JSON.stringify(value);
        const parsed = parseJson(text);
        const reference = JSON.stringify(JSON.parse(text));
        const hasFloatOrIndexKey = /[:,[]\s*-?\d+[.eE]|"(?:0|[1-9]\d*)"\s*:|-?\d{16}/.test(text);
        if (!hasFloatOrIndexKey) expect(stringifyCompact(parsed)).toBe(reference);
      }),
    );
  });

  it("round-trips its own compact output", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = stringifyCompact(parseJson(JSON.stringify(value)));
        expect(stringifyCompact(parseJson(once))).toBe(once);
      }),
    );
  });
});

describe("jsonSummary", () => {
  it("keeps short values whole", () => {
    expect(jsonSummary(parseJson('{"cmd": "ls",  "n": 1}'))).toBe('{"cmd":"ls","n":1}');
  });

  it("cuts at 240 bytes and appends ...", () => {
    const summary = jsonSummary("x".repeat(300));
    expect(summary).toBe(`"${"x".repeat(239)}...`);
  });

  it("cuts multi-byte text at the last character boundary within 240 bytes", () => {
    // '"' + 80 three-byte characters = 241 bytes: the cut falls inside the 80th character.
    const summary = jsonSummary("€".repeat(80));
    expect(summary).toBe(`"${"€".repeat(79)}...`);
    expect(new TextEncoder().encode(summary.slice(0, -3)).length).toBeLessThanOrEqual(240);
  });

  it("is not cut when exactly 240 bytes", () => {
    const value = "y".repeat(238);
    expect(jsonSummary(value)).toBe(JSON.stringify(value));
  });

  it("summarizes big integers exactly", () => {
    expect(jsonSummary(new JsonNumber(false, 2 ** 64, "18446744073709551615"))).toBe("18446744073709551615");
  });
});
