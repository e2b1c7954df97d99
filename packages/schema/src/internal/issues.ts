import type { TLocalizedValidationError } from "typebox/error";

/** One reason a value does not match a schema. */
export interface SchemaIssue {
  /** JSON pointer (RFC 6901) of the offending value; `""` is the root. A missing property is named by its own path. */
  readonly path: string;
  /** What is wrong, in words. */
  readonly message: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `enum`, `additionalProperties`, ...). */
  readonly keyword: string;
}

type JsonObject = { readonly [key: string]: unknown };

/** Decides which branches of one `anyOf` explain a failure, or replaces them all by one issue. */
type BranchDecision = { readonly keep: ReadonlySet<number> } | { readonly issue: SchemaIssue };

interface BranchStep {
  readonly key: string;
  readonly node: JsonObject;
  readonly instanceSegments: readonly string[];
  readonly branch: number;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasOwn(value: JsonObject, key: string): boolean {
  return Object.hasOwn(value, key);
}

function decodeSegment(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Encodes one JSON pointer segment. */
export function encodeSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

function segmentsOf(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map(decodeSegment);
}

function pointerOf(segments: readonly string[]): string {
  return segments.map((segment) => `/${encodeSegment(segment)}`).join("");
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isObject(current) && hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function typeMatches(schema: JsonObject, value: unknown): boolean {
  if (Array.isArray(schema.anyOf))
    return schema.anyOf.some((branch) => typeMatches(branch as JsonObject, value));
  if ("const" in schema) return jsonTypeOf(schema.const) === jsonTypeOf(value);
  if (Array.isArray(schema.enum))
    return schema.enum.some((member) => jsonTypeOf(member) === jsonTypeOf(value));
  switch (schema.type) {
    case undefined:
      return true;
    case "integer":
      return typeof value === "number";
    case "object":
      return isObject(value);
    default:
      return schema.type === jsonTypeOf(value);
  }
}

/** The `type` tags a branch accepts, or undefined when the branch is not tagged. */
function tagsOf(schema: JsonObject): Set<unknown> | undefined {
  if (Array.isArray(schema.anyOf)) {
    const tags = new Set<unknown>();
    for (const branch of schema.anyOf) {
      const branchTags = tagsOf(branch as JsonObject);
      if (branchTags === undefined) return undefined;
      for (const tag of branchTags) tags.add(tag);
    }
    return tags;
  }
  const properties = schema.properties;
  if (!isObject(properties)) return undefined;
  const tag = properties.type;
  return isObject(tag) && "const" in tag ? new Set([tag.const]) : undefined;
}

function describeAlternatives(branches: readonly JsonObject[]): string {
  const names = new Set<string>();
  const collect = (schema: JsonObject): void => {
    if (Array.isArray(schema.anyOf)) {
      for (const branch of schema.anyOf) collect(branch as JsonObject);
    } else if ("const" in schema) {
      names.add(JSON.stringify(schema.const));
    } else if (Array.isArray(schema.enum)) {
      for (const member of schema.enum) names.add(JSON.stringify(member));
    } else {
      names.add(typeof schema.type === "string" ? schema.type : "any value");
    }
  };
  for (const branch of branches) collect(branch);
  return [...names].join(" or ");
}

function decide(node: JsonObject, value: unknown, instanceSegments: readonly string[]): BranchDecision {
  const branches = node.anyOf as JsonObject[];
  const path = pointerOf(instanceSegments);
  const scores = branches.map((branch) => {
    if (!typeMatches(branch, value)) return 0;
    const tags = tagsOf(branch);
    if (tags === undefined || !isObject(value) || !hasOwn(value, "type")) return 2;
    return tags.has(value.type) ? 3 : 1;
  });
  const best = Math.max(...scores);
  if (best === 0)
    return { issue: { path, keyword: "type", message: `must be ${describeAlternatives(branches)}` } };
  if (branches.every((branch) => "const" in branch || Array.isArray(branch.enum))) {
    return { issue: { path, keyword: "enum", message: `must be ${describeAlternatives(branches)}` } };
  }
  const discriminated = branches.every((branch) => tagsOf(branch) !== undefined);
  if (discriminated && isObject(value) && best < 3) {
    const tags = branches.flatMap((branch) => [...(tagsOf(branch) ?? [])]);
    return hasOwn(value, "type")
      ? {
          issue: {
            path: `${path}/type`,
            keyword: "enum",
            message: `must be one of ${tags.map((tag) => JSON.stringify(tag)).join(", ")}`,
          },
        }
      : { issue: { path: `${path}/type`, keyword: "required", message: 'missing required property "type"' } };
  }
  return { keep: new Set(scores.flatMap((score, index) => (score === best ? [index] : []))) };
}

/** The `anyOf` branches an error's schema path goes through, outermost first; undefined for unknown paths. */
function branchSteps(root: JsonObject, error: TLocalizedValidationError): BranchStep[] | undefined {
  const schemaSegments = segmentsOf(error.schemaPath.replace(/^#/, ""));
  const instanceSegments = segmentsOf(error.instancePath);
  const steps: BranchStep[] = [];
  let node: unknown = root;
  let consumed = 0;
  for (let index = 0; index < schemaSegments.length; index++) {
    const segment = schemaSegments[index]!;
    if (!isObject(node)) return undefined;
    if (segment === "properties" || segment === "patternProperties") {
      const container = node[segment];
      const key = schemaSegments[++index]!;
      node = isObject(container) ? container[key] : undefined;
      consumed++;
    } else if (segment === "items" || segment === "additionalProperties") {
      node = node[segment];
      consumed++;
    } else if (segment === "anyOf") {
      const branch = Number(schemaSegments[++index]);
      const key = `${schemaSegments.slice(0, index - 1).join("/")}|${pointerOf(instanceSegments.slice(0, consumed))}`;
      steps.push({ key, node, instanceSegments: instanceSegments.slice(0, consumed), branch });
      node = (node.anyOf as unknown[])[branch];
    } else {
      return undefined;
    }
  }
  return steps;
}

function anyOfKey(error: TLocalizedValidationError): string {
  return `${segmentsOf(error.schemaPath.replace(/^#/, "")).join("/")}|${error.instancePath}`;
}

function rewrite(error: TLocalizedValidationError): SchemaIssue[] {
  switch (error.keyword) {
    case "required":
      return error.params.requiredProperties.map((property) => ({
        path: `${error.instancePath}/${encodeSegment(property)}`,
        keyword: "required",
        message: `missing required property ${JSON.stringify(property)}`,
      }));
    case "additionalProperties":
      return error.params.additionalProperties.map((property) => ({
        path: `${error.instancePath}/${encodeSegment(property)}`,
        keyword: "additionalProperties",
        message: `unexpected property ${JSON.stringify(property)}`,
      }));
    case "boolean":
      // The per-property `false` schema errors of `additionalProperties: false`; the summary error names them.
      return error.schemaPath.endsWith("/additionalProperties")
        ? []
        : [{ path: error.instancePath, keyword: "not", message: "no value is allowed here" }];
    case "const":
      return [
        {
          path: error.instancePath,
          keyword: "const",
          message: `must be ${JSON.stringify(error.params.allowedValue)}`,
        },
      ];
    case "enum":
      return [
        {
          path: error.instancePath,
          keyword: "enum",
          message: `must be one of ${error.params.allowedValues.map((value) => JSON.stringify(value)).join(", ")}`,
        },
      ];
    default:
      return [{ path: error.instancePath, keyword: error.keyword, message: error.message }];
  }
}

/**
 * Turns raw TypeBox errors into issues a person can act on: of a union, only the branch the value was meant for
 * (by JSON type and `type` tag) is reported; missing and unexpected properties are named by their own paths.
 */
export function refineIssues(
  schema: object,
  value: unknown,
  errors: readonly TLocalizedValidationError[],
  context?: string,
): SchemaIssue[] {
  const root = schema as JsonObject;
  const decisions = new Map<string, BranchDecision>();
  const decisionFor = (key: string, node: JsonObject, instanceSegments: readonly string[]) => {
    let decision = decisions.get(key);
    if (decision === undefined) {
      decision = decide(node, valueAt(value, instanceSegments), instanceSegments);
      decisions.set(key, decision);
    }
    return decision;
  };

  const issues: SchemaIssue[] = [];
  const replacedUnions = new Set<string>();
  const emitReplacement = (key: string, issue: SchemaIssue) => {
    if (replacedUnions.has(key)) return;
    replacedUnions.add(key);
    issues.push(issue);
  };

  errorLoop: for (const error of errors) {
    const steps = branchSteps(root, error);
    if (steps === undefined) {
      issues.push(...rewrite(error));
      continue;
    }
    for (const step of steps) {
      const decision = decisionFor(step.key, step.node, step.instanceSegments);
      if ("issue" in decision) {
        emitReplacement(step.key, decision.issue);
        continue errorLoop;
      }
      if (!decision.keep.has(step.branch)) continue errorLoop;
    }
    if (error.keyword === "anyOf") {
      // The summary of a union: its kept branches explain it, unless the union as a whole was replaced.
      let node: unknown = root;
      for (const segment of segmentsOf(error.schemaPath.replace(/^#/, ""))) {
        node = Array.isArray(node) ? node[Number(segment)] : isObject(node) ? node[segment] : undefined;
      }
      if (isObject(node) && Array.isArray(node.anyOf)) {
        const key = anyOfKey(error);
        const decision = decisionFor(key, node, segmentsOf(error.instancePath));
        if ("issue" in decision) emitReplacement(key, decision.issue);
        continue;
      }
    }
    issues.push(...rewrite(error));
  }

  const seen = new Set<string>();
  const unique: SchemaIssue[] = [];
  for (const issue of issues) {
    const key = `${issue.path}\u0000${issue.keyword}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(context === undefined ? issue : { ...issue, message: `${context}: ${issue.message}` });
  }
  return unique;
}
