// New request payloads for requests schema 2 cannot read as schema 1 did: a full snapshot whose payload names a
// previous response, and an incremental request after an untraced response (its prefix lives in a second payload).
import fs from "node:fs/promises";
import path from "node:path";
import {
  type JsonArrayNode,
  type JsonNode,
  type JsonObjectNode,
  member,
  objectNode,
  parseJsonTree,
  stringifyPretty,
  stringNode,
  withMember,
  withoutMember,
} from "./json-tree.ts";
import { readPayloadText } from "./source.ts";
import type { RequestPlan } from "./survey.ts";
import type { RewrittenRequest } from "./transform.ts";

async function readDocument(sourceDir: string, relativePath: string): Promise<JsonObjectNode> {
  const read = await readPayloadText(sourceDir, relativePath);
  // The first pass read and checked this payload; a failure now means the source changed underneath us.
  if (!read.ok) throw new Error(`payload ${relativePath} changed during the conversion: ${read.problem}`);
  return parseJsonTree(read.text) as JsonObjectNode;
}

/**
 * Writes the schema-2 form of a request as `payloads/<ordinal>.json` in `targetDir`: the original request without
 * `previous_response_id`, and for an untraced prefix with `input` = prefix items followed by the request's items.
 * Every other key keeps its place and spelling.
 */
export async function writeRewrittenRequest(
  sourceDir: string,
  targetDir: string,
  plan: RequestPlan,
  ordinal: bigint,
): Promise<RewrittenRequest> {
  const request = await readDocument(sourceDir, plan.requestRef.path);
  const deltaItems = (member(request, "input") as JsonArrayNode).items;
  let document = withoutMember(request, "previous_response_id");
  let prefixItems: readonly JsonNode[] = [];
  if (plan.rewrite === "merge_untraced_prefix" && plan.prefixRef !== null) {
    const prefix = await readDocument(sourceDir, plan.prefixRef.path);
    prefixItems = (member(prefix, "input") as JsonArrayNode).items;
    document = withMember(document, "input", { kind: "array", items: [...prefixItems, ...deltaItems] });
  }
  const relativePath = `payloads/${ordinal}.json`;
  await fs.writeFile(path.join(targetDir, relativePath), stringifyPretty(document), { flag: "wx" });
  const ref = objectNode([
    ["raw_payload_id", stringNode(`raw_payload:${ordinal}`)],
    ["kind", objectNode([["type", stringNode(plan.requestRef.kind.type)]])],
    ["path", stringNode(relativePath)],
  ]);
  return {
    ref,
    path: relativePath,
    prefixItems: prefixItems.length,
    deltaItems: deltaItems.length,
  };
}
