// Making trace text safe to print.
import { describe, expect, it } from "vitest";
import { displayLines, displayText, safeJson } from "../src/internal/sanitize.ts";
import { unsafeCharacters } from "./support.ts";

describe("displayText", () => {
  it("escapes controls, escape sequences and bidirectional overrides", () => {
    expect(displayText("a\u001b[2Jb\u0007c\u009bd\u202ee\u2066f\u0000g\u007f")).toBe(
      "a\\x1b[2Jb\\x07c\\x9bd\\u{202e}e\\u{2066}f\\x00g\\x7f",
    );
  });

  it("keeps newlines escaped unless the text is put on one line", () => {
    expect(displayText("one\ntwo\r\n\tthree")).toBe("one\\ntwo\\r\\n\\tthree");
    expect(displayText("  one\ntwo\r\n\tthree  ", { oneLine: true })).toBe("one two three");
  });

  it("leaves printable text alone, emoji and accents included", () => {
    expect(displayText("héllo 😀 — ok")).toBe("héllo 😀 — ok");
  });

  it("cuts to a width that counts escapes as shown, ending with an ellipsis", () => {
    expect(displayText("abcdef", { max: 6 })).toBe("abcdef");
    expect(displayText("abcdefg", { max: 6 })).toBe("abcde…");
    expect(displayText("ab\u001bcdef", { max: 6 })).toBe("ab…");
    expect(displayText("😀😀😀😀", { max: 3 })).toBe("😀😀…");
    expect(displayText("abc", { max: 6, truncated: true })).toBe("abc…");
  });
});

describe("displayLines", () => {
  it("keeps the line structure of a message and escapes each line", () => {
    expect(displayLines("first\u001b[1A\n  caused by: x\u0007")).toBe("first\\x1b[1A\n  caused by: x\\x07");
  });
});

describe("safeJson", () => {
  it("is valid JSON with the same value and no raw C1 or bidi characters", () => {
    const value = { text: "a\u001bb\u009bc\u202ed\u2028e", n: 1 };
    const json = safeJson(value);
    expect(unsafeCharacters(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual(value);
  });
});
