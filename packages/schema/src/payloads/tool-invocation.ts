import { type Static, Type } from "typebox";
import { Nullable, Text } from "../internal/helpers.ts";

// ------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------

/** The arguments of a dispatched tool call (internally tagged by `type`). */
export const ToolDispatchPayload = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal("function"),
        arguments: Text("Function arguments as the model wrote them: a JSON string."),
      },
      { title: "ToolDispatchPayload_function", description: "A function tool call." },
    ),
    Type.Object(
      {
        type: Type.Literal("tool_search"),
        arguments: Type.Record(Type.String(), Type.Unknown(), { description: "Search parameters." }),
      },
      { title: "ToolDispatchPayload_tool_search", description: "A tool search call." },
    ),
    Type.Object(
      { type: Type.Literal("custom"), input: Text("Free-form input of a custom tool.") },
      { title: "ToolDispatchPayload_custom", description: "A custom (free-form input) tool call." },
    ),
    Type.Object(
      {
        type: Type.Literal("local_shell"),
        command: Type.Array(Type.String(), { description: "Command and arguments." }),
        workdir: Type.Optional(Nullable(Type.String(), "Working directory, or null.")),
        timeout_ms: Type.Optional(
          Nullable(Type.Integer({ minimum: 0 }), "Timeout in milliseconds, or null."),
        ),
        sandbox_permissions: Type.Optional(Type.Unknown({ description: "Requested sandbox permissions." })),
        prefix_rule: Type.Optional(Type.Unknown({ description: "Command prefix rule to approve." })),
        additional_permissions: Type.Optional(
          Type.Unknown({ description: "Additional permissions requested." }),
        ),
        justification: Type.Optional(
          Nullable(Type.String(), "Why the command needs the permissions, or null."),
        ),
      },
      { title: "ToolDispatchPayload_local_shell", description: "A local shell call." },
    ),
  ],
  {
    title: "ToolDispatchPayload",
    description: "Arguments of a dispatched tool call, tagged by `type`.",
  },
);

/** Document of payload kind `tool_invocation`. */
export const ToolInvocationPayload = Type.Object(
  {
    tool_name: Text("Name of the tool (`wait` is read by reducers to link a code cell)."),
    tool_namespace: Type.Optional(Nullable(Type.String(), "Tool namespace (e.g. an MCP server), or null.")),
    payload: ToolDispatchPayload,
  },
  {
    title: "ToolInvocationPayload",
    description:
      "Document of payload kind `tool_invocation`: the canonical dispatch request of a tool call. `tool_namespace` may also be absent.",
  },
);

// ------------------------------------------------------------------
// Static
// ------------------------------------------------------------------

/** Arguments of a dispatched tool call. */
export type ToolDispatchPayload = Static<typeof ToolDispatchPayload>;
/** Document of payload kind `tool_invocation`. */
export type ToolInvocationPayload = Static<typeof ToolInvocationPayload>;
