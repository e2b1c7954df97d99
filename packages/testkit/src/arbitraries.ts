import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { type GeneratedBundle, serializeEvent, serializePretty } from "./bundle.ts";
import { compileScript } from "./internal/compiler.ts";
import { ERROR_INJECTIONS, SCHEMA_2_ERROR_INJECTIONS } from "./internal/errors.ts";
import type {
  CallScript,
  ChildTurnScript,
  CompactionMode,
  ErrorInjection,
  InferenceOutcome,
  MultiAgentMode,
  NestedCallScript,
  ReasoningScript,
  RolloutScript,
  SessionScript,
  StepScript,
  TurnScript,
} from "./internal/script.ts";

/** Groups of behaviour that can be switched off in {@link RolloutOptions.features}; all are on by default. */
export type FeatureGroup =
  | "reasoning"
  | "shell"
  | "interactiveShell"
  | "patches"
  | "mcp"
  | "functionTools"
  | "webSearch"
  | "parallelCalls"
  | "codeMode"
  | "multiAgentTeam"
  | "multiAgentCollab"
  | "compaction"
  | "inferenceFailures"
  | "interrupts"
  | "incrementalRequests"
  | "crashes";

export type RolloutSize = "small" | "medium" | "large";

export interface RolloutOptions {
  /** Trace schema to generate; both when omitted. */
  readonly schemaVersion?: 1 | 2;
  /** small: 1-2 turns of a few steps; medium: up to 4 turns; large: long sessions. Default small. */
  readonly size?: RolloutSize;
  /** Switch behaviour groups off (`{ codeMode: false }`); every group is on unless set to false. */
  readonly features?: Partial<Record<FeatureGroup, boolean>>;
  /** Break every bundle in one documented way; `expectedError` then holds the reference's error fragment. */
  readonly errors?: boolean;
}

interface SizeLimits {
  readonly extraTurns: number;
  readonly toolSteps: number;
  readonly callsPerStep: number;
  readonly childToolSteps: number;
  readonly nestedCalls: number;
}

const SIZES: Record<RolloutSize, SizeLimits> = {
  small: { extraTurns: 1, toolSteps: 3, callsPerStep: 2, childToolSteps: 1, nestedCalls: 2 },
  medium: { extraTurns: 3, toolSteps: 5, callsPerStep: 3, childToolSteps: 2, nestedCalls: 3 },
  large: { extraTurns: 8, toolSteps: 8, callsPerStep: 4, childToolSteps: 3, nestedCalls: 3 },
};

type Weighted<T> = { readonly weight: number; readonly arbitrary: fc.Arbitrary<T> };

function weighted<T>(weight: number, arbitrary: fc.Arbitrary<T>): Weighted<T> {
  return { weight, arbitrary };
}

/** `fc.oneof` over the entries whose weight is positive (the first entry is what shrinking moves towards). */
function pick<T>(...entries: Weighted<T>[]): fc.Arbitrary<T> {
  const live = entries.filter((entry) => entry.weight > 0);
  const [first, ...rest] = live;
  if (first === undefined) throw new Error("no enabled alternative");
  return fc.oneof(first, ...rest);
}

const index = fc.nat({ max: 1000 });

class ScriptArbitraries {
  readonly #on: (group: FeatureGroup) => boolean;
  readonly #limits: SizeLimits;

  constructor(options: RolloutOptions) {
    const features = options.features ?? {};
    this.#on = (group) => features[group] !== false;
    this.#limits = SIZES[options.size ?? "small"];
  }

  session(version: 1 | 2): fc.Arbitrary<SessionScript> {
    const on = this.#on;
    const modes: Weighted<MultiAgentMode>[] = [
      weighted(3, fc.constant("none" as const)),
      weighted(on("multiAgentTeam") ? 2 : 0, fc.constant("team" as const)),
      weighted(on("multiAgentCollab") ? 2 : 0, fc.constant("collab" as const)),
    ];
    return fc.record({
      source: fc.constantFrom("exec" as const, "cli" as const, "vscode" as const),
      model: index,
      openAiProvider: fc.boolean(),
      websocket: version === 1 && on("incrementalRequests") ? fc.boolean() : fc.constant(false),
      codeMode: on("codeMode") ? fc.boolean() : fc.constant(false),
      multiAgent: pick(...modes),
      project: index,
      warning: fc.boolean(),
    });
  }

  reasoning(): fc.Arbitrary<ReasoningScript | null> {
    if (!this.#on("reasoning")) return fc.constant(null);
    return fc.option(
      fc.record({
        summaries: fc.integer({ min: 0, max: 2 }),
        content: fc.boolean(),
        encrypted: fc.boolean(),
        text: index,
      }),
      { nil: null, freq: 3 },
    );
  }

  nestedCall(): fc.Arbitrary<NestedCallScript> {
    return pick<NestedCallScript>(
      weighted(
        3,
        fc.record({
          tool: fc.constant("exec" as const),
          command: index,
          outcome: pick(weighted(5, fc.constant("ok" as const)), weighted(1, fc.constant("error" as const))),
        }),
      ),
      weighted(this.#on("mcp") ? 1 : 0, fc.record({ tool: fc.constant("mcp" as const), call: index })),
      weighted(1, fc.record({ tool: fc.constant("function" as const), sample: index })),
    );
  }

  /** Calls a helper agent can make (helpers do not delegate further, run code cells or compact). */
  childCall(): fc.Arbitrary<CallScript> {
    const on = this.#on;
    return pick<CallScript>(
      weighted(
        on("shell") ? 4 : 0,
        fc.record({
          tool: fc.constant("exec" as const),
          command: index,
          outcome: pick(weighted(5, fc.constant("ok" as const)), weighted(1, fc.constant("error" as const))),
        }),
      ),
      weighted(
        on("patches") ? 2 : 0,
        fc.record({ tool: fc.constant("apply_patch" as const), patch: index, ok: fc.boolean() }),
      ),
      weighted(
        on("mcp") ? 1 : 0,
        fc.record({ tool: fc.constant("mcp" as const), call: index, ok: fc.boolean() }),
      ),
      weighted(1, fc.record({ tool: fc.constant("function" as const), sample: index })),
    );
  }

  childTurn(): fc.Arbitrary<ChildTurnScript> {
    return fc.record({
      steps: fc
        .array(this.step(this.childCall(), false), { maxLength: this.#limits.childToolSteps })
        .chain((steps) => this.finalStep(false).map((final) => [...steps, final])),
    });
  }

  call(session: SessionScript): fc.Arbitrary<CallScript> {
    const on = this.#on;
    const team = session.multiAgent === "team";
    const collab = session.multiAgent === "collab";
    const agents = team || collab;
    const okBiased = pick(weighted(6, fc.constant(true)), weighted(1, fc.constant(false)));
    return pick<CallScript>(
      weighted(
        on("shell") ? 5 : 0,
        fc.record({
          tool: fc.constant("exec" as const),
          command: index,
          outcome: pick(
            weighted(6, fc.constant("ok" as const)),
            weighted(1, fc.constant("error" as const)),
            weighted(on("interactiveShell") ? 2 : 0, fc.constant("background" as const)),
          ),
        }),
      ),
      weighted(
        on("interactiveShell") ? 3 : 0,
        fc.record({ tool: fc.constant("write_stdin" as const), finishes: fc.boolean() }),
      ),
      weighted(
        on("patches") ? 2 : 0,
        fc.record({ tool: fc.constant("apply_patch" as const), patch: index, ok: okBiased }),
      ),
      weighted(
        on("mcp") ? 2 : 0,
        fc.record({ tool: fc.constant("mcp" as const), call: index, ok: okBiased }),
      ),
      weighted(
        on("functionTools") ? 2 : 0,
        fc.record({ tool: fc.constant("function" as const), sample: index }),
      ),
      weighted(
        session.codeMode ? 4 : 0,
        fc.record({
          tool: fc.constant("code" as const),
          nested: fc.array(this.nestedCall(), { maxLength: this.#limits.nestedCalls }),
          yields: fc.boolean(),
          fails: pick(weighted(6, fc.constant(false)), weighted(1, fc.constant(true))),
        }),
      ),
      weighted(session.codeMode ? 3 : 0, fc.record({ tool: fc.constant("wait_cell" as const) })),
      weighted(
        agents ? 3 : 0,
        fc.record({ tool: fc.constant("spawn_agent" as const), task: index, child: this.childTurn() }),
      ),
      weighted(agents ? 2 : 0, fc.record({ tool: fc.constant("wait_agent" as const) })),
      weighted(
        agents ? 2 : 0,
        fc.record({ tool: fc.constant("followup_task" as const), message: index, child: this.childTurn() }),
      ),
      weighted(team ? 1 : 0, fc.record({ tool: fc.constant("send_message" as const), message: index })),
      weighted(agents ? 2 : 0, fc.record({ tool: fc.constant("close_agent" as const) })),
      weighted(team ? 1 : 0, fc.record({ tool: fc.constant("list_agents" as const) })),
      weighted(
        collab ? 3 : 0,
        fc.record({ tool: fc.constant("resume_agent" as const), message: index, child: this.childTurn() }),
      ),
    );
  }

  outcome(allowFailures: boolean): fc.Arbitrary<InferenceOutcome> {
    const failures = allowFailures && this.#on("inferenceFailures");
    return pick<InferenceOutcome>(
      weighted(40, fc.constant("ok" as const)),
      weighted(failures ? 2 : 0, fc.constant("retry" as const)),
      weighted(failures ? 1 : 0, fc.constant("fail_partial" as const)),
      weighted(failures ? 1 : 0, fc.constant("fail_empty" as const)),
    );
  }

  compaction(allow: boolean): fc.Arbitrary<CompactionMode | null> {
    if (!allow || !this.#on("compaction")) return fc.constant(null);
    return pick<CompactionMode | null>(
      weighted(30, fc.constant(null)),
      weighted(2, fc.constant("remote" as const)),
      weighted(1, fc.constant("remote_failed" as const)),
      weighted(1, fc.constant("local" as const)),
    );
  }

  step(call: fc.Arbitrary<CallScript>, root: boolean): fc.Arbitrary<StepScript> {
    return fc.record({
      reasoning: this.reasoning(),
      commentary: fc.option(index, { nil: null, freq: 2 }),
      webSearch: this.#on("webSearch")
        ? pick(weighted(12, fc.constant(false)), weighted(1, fc.constant(true)))
        : fc.constant(false),
      calls: fc.array(call, {
        minLength: 1,
        maxLength: this.#on("parallelCalls") ? this.#limits.callsPerStep : 1,
      }),
      answer: index,
      phase: fc.boolean(),
      outcome: this.outcome(root),
      compactAfter: this.compaction(root),
    });
  }

  finalStep(root: boolean): fc.Arbitrary<StepScript> {
    return fc.record({
      reasoning: this.reasoning(),
      commentary: fc.constant(null),
      webSearch: fc.constant(false),
      calls: fc.constant([]),
      answer: index,
      phase: fc.boolean(),
      outcome: this.outcome(root),
      compactAfter: fc.constant(null),
    });
  }

  userTurn(session: SessionScript): fc.Arbitrary<TurnScript> {
    const on = this.#on;
    return fc.record({
      kind: fc.constant("user" as const),
      prompt: index,
      steps: fc
        .array(this.step(this.call(session), true), { maxLength: this.#limits.toolSteps })
        .chain((steps) => this.finalStep(true).map((final) => [...steps, final])),
      interrupt: pick(
        weighted(18, fc.constant("none" as const)),
        weighted(on("interrupts") ? 1 : 0, fc.constant("streaming" as const)),
        weighted(on("interrupts") ? 1 : 0, fc.constant("streaming_partial" as const)),
      ),
    });
  }

  turn(session: SessionScript): fc.Arbitrary<TurnScript> {
    return pick<TurnScript>(
      weighted(8, this.userTurn(session)),
      weighted(
        this.#on("compaction") ? 1 : 0,
        fc.record({
          kind: fc.constant("compact" as const),
          mode: pick(
            weighted(3, fc.constant("remote" as const)),
            weighted(1, fc.constant("remote_failed" as const)),
            weighted(2, fc.constant("local" as const)),
          ),
        }),
      ),
    );
  }

  script(version: 1 | 2, errors: boolean): fc.Arbitrary<RolloutScript> {
    const injections = ERROR_INJECTIONS.filter(
      (e) => version === 2 || !SCHEMA_2_ERROR_INJECTIONS.includes(e),
    );
    return this.session(version).chain((session) =>
      fc.record({
        schemaVersion: fc.constant(version),
        seed: fc.nat(),
        session: fc.constant(session),
        turns: fc
          .tuple(this.userTurn(session), fc.array(this.turn(session), { maxLength: this.#limits.extraTurns }))
          .map(([first, rest]) => [first, ...rest]),
        ending: this.#on("crashes")
          ? pick(weighted(12, fc.constant("clean" as const)), weighted(1, fc.constant("crash" as const)))
          : fc.constant("clean" as const),
        error: errors ? fc.constantFrom<ErrorInjection | null>(...injections) : fc.constant(null),
      }),
    );
  }
}

/**
 * Scripts of realistic Codex sessions (see `RolloutScript`). Shrinking a script shrinks the session it describes:
 * fewer turns, fewer steps, fewer calls, simpler outcomes.
 */
export function scriptArbitrary(options: RolloutOptions = {}): fc.Arbitrary<RolloutScript> {
  const builder = new ScriptArbitraries(options);
  const errors = options.errors === true;
  if (options.schemaVersion !== undefined) return builder.script(options.schemaVersion, errors);
  return fc.oneof(builder.script(1, errors), builder.script(2, errors));
}

/** Realistic trace bundles, compiled deterministically from {@link scriptArbitrary} scripts. */
export function rolloutArbitrary(options: RolloutOptions = {}): fc.Arbitrary<GeneratedBundle> {
  return scriptArbitrary(options).map((script) => compileScript(script));
}

// -------------------------------------------------------------------------------------------------------------------
// Corruptions

export type CorruptionKind =
  | "truncate_log"
  | "flip_byte"
  | "delete_payload"
  | "empty_payload"
  | "garble_payload"
  | "wrong_field_type"
  | "duplicate_line"
  | "remove_line"
  | "escaping_payload_path"
  | "absolute_payload_path"
  | "deep_nesting"
  | "huge_string"
  | "prototype_key"
  | "invalid_utf8";

/** One way of damaging a bundle that was written with `writeBundleToDir`. */
export interface Corruption {
  readonly kind: CorruptionKind;
  readonly description: string;
  /** Damages the bundle in `dir` (the directory `writeBundleToDir` wrote). */
  apply(dir: string): Promise<void>;
}

const LOG = "trace.jsonl";

async function editLines(dir: string, edit: (lines: string[]) => string[]): Promise<void> {
  const file = path.join(dir, LOG);
  const text = await readFile(file, "utf8");
  const lines = text.split("\n");
  const trailing = lines[lines.length - 1] === "" ? lines.pop() : undefined;
  const edited = edit(lines);
  await writeFile(file, edited.join("\n") + (trailing === undefined ? "" : "\n"));
}

function replaceLine(lines: string[], lineIndex: number, replacement: string): string[] {
  return lines.map((line, i) => (i === lineIndex ? replacement : line));
}

/** Lines of the bundle's event log whose payload carries at least one payload reference. */
function linesWithRefs(bundle: GeneratedBundle): number[] {
  const out: number[] = [];
  bundle.events.forEach((event, i) => {
    if (Object.values(event.payload).some((value) => isRef(value))) out.push(i);
  });
  return out;
}

function isRef(value: unknown): value is { path: string } {
  return value !== null && typeof value === "object" && "raw_payload_id" in value && "path" in value;
}

/** Rewrites the `path` of the first payload reference on an event line. */
function repointRef(line: string, target: string): string {
  const event = JSON.parse(line) as { payload: Record<string, unknown> };
  for (const value of Object.values(event.payload)) {
    if (isRef(value)) {
      value.path = target;
      break;
    }
  }
  return JSON.stringify(event);
}

const WRONG_VALUES: readonly { readonly field: string; readonly value: unknown }[] = [
  { field: "seq", value: "seven" },
  { field: "wall_time_unix_ms", value: null },
  { field: "thread_id", value: 42 },
  { field: "codex_turn_id", value: ["turn"] },
  { field: "payload", value: "rollout_started" },
  { field: "payload.type", value: 7 },
];

function setWrongType(line: string, field: string, value: unknown): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  if (field === "payload.type") {
    const payload = event.payload as Record<string, unknown>;
    payload.type = value;
  } else {
    event[field] = value;
  }
  return JSON.stringify(event);
}

/**
 * Random damage to a valid bundle, for fuzzing a reader: each value says what it does and applies it to the bundle's
 * directory. Offsets and line numbers are chosen within the bundle as `writeBundleToDir` lays it out.
 */
export function corruptionArbitrary(bundle: GeneratedBundle): fc.Arbitrary<Corruption> {
  const lines = bundle.events.map((event) => serializeEvent(event));
  const logBytes = Buffer.byteLength(lines.map((line) => `${line}\n`).join(""));
  const ordinals = [...bundle.payloads.keys()].sort((a, b) => a - b);
  const lineIndex = fc.nat({ max: Math.max(0, lines.length - 1) });
  const refLines = linesWithRefs(bundle);
  const alternatives: fc.Arbitrary<Corruption>[] = [
    fc.nat({ max: Math.max(0, logBytes - 1) }).map((offset) => ({
      kind: "truncate_log" as const,
      description: `truncate ${LOG} to its first ${offset} of ${logBytes} bytes`,
      async apply(dir: string) {
        const file = path.join(dir, LOG);
        const bytes = await readFile(file);
        await writeFile(file, bytes.subarray(0, offset));
      },
    })),
    fc
      .tuple(fc.nat({ max: Math.max(0, logBytes - 1) }), fc.integer({ min: 1, max: 255 }))
      .map(([offset, mask]) => ({
        kind: "flip_byte" as const,
        description: `xor byte ${offset} of ${LOG} with 0x${mask.toString(16).padStart(2, "0")}`,
        async apply(dir: string) {
          const file = path.join(dir, LOG);
          const bytes = await readFile(file);
          if (offset < bytes.length) bytes[offset] = (bytes[offset] ?? 0) ^ mask;
          await writeFile(file, bytes);
        },
      })),
    lineIndex.map((i) => ({
      kind: "duplicate_line" as const,
      description: `duplicate line ${i + 1} of ${LOG}`,
      apply: (dir: string) =>
        editLines(dir, (all) => all.flatMap((line, j) => (j === i ? [line, line] : [line]))),
    })),
    lineIndex.map((i) => ({
      kind: "remove_line" as const,
      description: `remove line ${i + 1} of ${LOG}`,
      apply: (dir: string) => editLines(dir, (all) => all.filter((_, j) => j !== i)),
    })),
    fc.tuple(lineIndex, fc.constantFrom(...WRONG_VALUES)).map(([i, wrong]) => ({
      kind: "wrong_field_type" as const,
      description: `set ${wrong.field} on line ${i + 1} to ${JSON.stringify(wrong.value)}`,
      apply: (dir: string) =>
        editLines(dir, (all) => replaceLine(all, i, setWrongType(all[i] ?? "{}", wrong.field, wrong.value))),
    })),
    fc.tuple(lineIndex, fc.nat({ max: 2 })).map(([i, variant]) => ({
      kind: "prototype_key" as const,
      description: `add a "__proto__" key to ${["the envelope", "the payload", "a nested kind object (or the payload)"][variant]} on line ${i + 1}`,
      apply: (dir: string) =>
        editLines(dir, (all) => {
          const line = all[i] ?? "{}";
          const poison = '"__proto__":{"polluted":true,"thread_id":"from-prototype"},';
          if (variant === 0) return replaceLine(all, i, line.replace(/^\{/, `{${poison}`));
          if (variant === 2 && line.includes('"kind":{')) {
            return replaceLine(all, i, line.replace('"kind":{', `"kind":{${poison}`));
          }
          return replaceLine(all, i, line.replace('"payload":{', `"payload":{${poison}`));
        }),
    })),
    lineIndex.map((i) => ({
      kind: "invalid_utf8" as const,
      description: `insert invalid UTF-8 bytes into line ${i + 1} of ${LOG}`,
      async apply(dir: string) {
        const file = path.join(dir, LOG);
        const bytes = await readFile(file);
        let start = 0;
        for (let line = 0; line < i; line++) start = bytes.indexOf(0x0a, start) + 1;
        const quote = bytes.indexOf(0x22, start);
        const at = quote >= 0 ? quote + 1 : start;
        await writeFile(
          file,
          Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(at)]),
        );
      },
    })),
    fc.integer({ min: 2_000, max: 200_000 }).map((depth) => ({
      kind: "deep_nesting" as const,
      description: `append an event whose payload nests arrays ${depth} levels deep`,
      async apply(dir: string) {
        const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
        const line = `{"schema_version":${bundle.schemaVersion},"seq":${lines.length + 1},"wall_time_unix_ms":${bundle.manifest.started_at_unix_ms},"rollout_id":${JSON.stringify(bundle.manifest.rollout_id)},"thread_id":null,"codex_turn_id":null,"payload":{"type":"other","kind":"deep","summary":"deep","payloads":[],"metadata":${nested}}}\n`;
        await writeFile(path.join(dir, LOG), line, { flag: "a" });
      },
    })),
  ];

  if (ordinals.length > 0) {
    const ordinal = fc.constantFrom(...ordinals);
    alternatives.push(
      ordinal.map((n) => ({
        kind: "delete_payload" as const,
        description: `delete payloads/${n}.json`,
        apply: (dir: string) => rm(path.join(dir, "payloads", `${n}.json`), { force: true }),
      })),
      ordinal.map((n) => ({
        kind: "empty_payload" as const,
        description: `empty payloads/${n}.json`,
        apply: (dir: string) => writeFile(path.join(dir, "payloads", `${n}.json`), ""),
      })),
      fc.tuple(ordinal, fc.nat()).map(([n, seed]) => ({
        kind: "garble_payload" as const,
        description: `replace payloads/${n}.json with non-JSON bytes (seed ${seed})`,
        async apply(dir: string) {
          const filler = seed.toString(36).repeat(8);
          await writeFile(path.join(dir, "payloads", `${n}.json`), `{"truncated": [1, 2, ${seed} ${filler}`);
        },
      })),
      fc.tuple(ordinal, fc.integer({ min: 1, max: 16 })).map(([n, megabytes]) => ({
        kind: "huge_string" as const,
        description: `replace payloads/${n}.json with a document holding a ${megabytes} MiB string`,
        async apply(dir: string) {
          const original = bundle.payloads.get(n);
          const big = "x".repeat(megabytes * 1024 * 1024);
          const document =
            original !== null && typeof original === "object" && !Array.isArray(original)
              ? { ...(original as Record<string, unknown>), huge: big }
              : { huge: big };
          await writeFile(path.join(dir, "payloads", `${n}.json`), serializePretty(document));
        },
      })),
    );
  }

  if (refLines.length > 0) {
    const refLine = fc.constantFrom(...refLines);
    alternatives.push(
      refLine.map((i) => ({
        kind: "escaping_payload_path" as const,
        description: `point the first payload reference on line ${i + 1} at ../outside.json`,
        apply: (dir: string) =>
          editLines(dir, (all) => replaceLine(all, i, repointRef(all[i] ?? "{}", "../outside.json"))),
      })),
      refLine.map((i) => ({
        kind: "absolute_payload_path" as const,
        description: `point the first payload reference on line ${i + 1} at an absolute path outside the bundle`,
        apply: (dir: string) =>
          editLines(dir, (all) =>
            replaceLine(all, i, repointRef(all[i] ?? "{}", path.resolve(dir, "..", "outside.json"))),
          ),
      })),
    );
  }
  return fc.oneof(...alternatives);
}
