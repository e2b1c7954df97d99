// Everything printed from a trace is untrusted: a model output or a command's stdout can hold escape sequences
// that move the cursor, recolour the terminal or reorder text (bidirectional overrides). They are shown escaped.

/** C0 and C1 controls, DEL, and the invisible characters that reorder or hide text. */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
/** What JSON.stringify leaves raw inside strings: DEL, C1 controls and the invisible reordering characters. */
const UNSAFE_IN_JSON =
  /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const WHITESPACE_RUN = /[\t\n\v\f\r ]+/g;

const NAMED: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

export interface DisplayOptions {
  /** Longest result in characters (code points), "…" included; no limit when absent. */
  readonly max?: number;
  /** Runs of spaces, tabs and newlines become one space (for one-line displays). */
  readonly oneLine?: boolean;
  /** The text was already cut before it got here: end it with "…" in any case. */
  readonly truncated?: boolean;
}

/** A string from a trace, made safe to print: controls escaped (`\x1b`, `\u{202e}`), optionally on one line and cut. */
export function displayText(text: string, options: DisplayOptions = {}): string {
  const source = options.oneLine ? text.replace(WHITESPACE_RUN, " ").trim() : text;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let out = "";
  let length = 0;
  // Where the text must stop if it is cut: the ellipsis takes the last place.
  let cutAt: number | undefined;
  for (const character of source) {
    const shown = UNSAFE.test(character) ? escapeCharacter(character) : character;
    const width = shown === character ? 1 : shown.length;
    if (length + width > max) return `${out.slice(0, cutAt ?? out.length)}…`;
    if (cutAt === undefined && length + width > max - 1) cutAt = out.length;
    out += shown;
    length += width;
  }
  return options.truncated ? `${out.slice(0, cutAt ?? out.length)}…` : out;
}

/** A multi-line message (an error with causes): each line made safe, the line breaks kept. */
export function displayLines(text: string): string {
  return text
    .split("\n")
    .map((line) => displayText(line))
    .join("\n");
}

/**
 * JSON for a terminal or a pipe: JSON.stringify already escapes C0 controls; C1 controls and the invisible
 * reordering characters are escaped too (still valid JSON, same parsed value).
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    UNSAFE_IN_JSON,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}
