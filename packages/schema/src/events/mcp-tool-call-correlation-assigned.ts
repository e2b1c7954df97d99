import { type Static, Type } from "typebox";
import { Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** `mcp_tool_call_correlation_assigned`: an MCP request id was attached to a tool call. */
export const McpToolCallCorrelationAssigned = Type.Object(
  {
    type: Type.Literal("mcp_tool_call_correlation_assigned"),
    tool_call_id: Text("The tool call that issues the MCP request."),
    mcp_call_id: Text("Fresh UUID v4 also sent in the MCP request `_meta` under `codex_bridge_mcp_call_id`."),
  },
  {
    title: "McpToolCallCorrelationAssigned",
    description: "Correlates a tool call with the MCP request it sends. Null envelope context.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** A `mcp_tool_call_correlation_assigned` event payload. */
export type McpToolCallCorrelationAssigned = Static<typeof McpToolCallCorrelationAssigned>;
