import { isObject, own } from "./checks.ts";
import { DISABLED_CODE_CELL, DISABLED_TOOL } from "./disabled.ts";
import { codeCellStatus } from "./documents.ts";
import { guarded, UNRESOLVED } from "./recorder.ts";
import type { TurnScope } from "./scope.ts";
import { startTool } from "./tool.ts";
import type {
  CodeCellOptions,
  CodeCellTrace,
  CodeModeResponse,
  Lazy,
  NestedToolInvocation,
  ToolCallTrace,
} from "./types.ts";

/** Starts a code-mode cell: the JavaScript of the model's `exec` call began running. */
export function startCodeCell(scope: TurnScope, cell: CodeCellOptions): CodeCellTrace {
  const recorder = scope.recorder;
  const call = "turn.startCodeCell";
  const runtimeCellId = isObject(cell) ? own(cell, "runtimeCellId") : undefined;
  const callId = isObject(cell) ? own(cell, "callId") : undefined;
  const sourceJs = isObject(cell) ? own(cell, "sourceJs") : undefined;
  if (
    typeof runtimeCellId !== "string" ||
    runtimeCellId === "" ||
    typeof callId !== "string" ||
    callId === ""
  ) {
    recorder.refuse(call, "runtimeCellId and callId must be non-empty strings");
    return DISABLED_CODE_CELL;
  }
  if (typeof sourceJs !== "string") {
    recorder.refuse(call, "sourceJs must be a string");
    return DISABLED_CODE_CELL;
  }
  // Cells are identified by `code_cell:<call id>` across the bundle, and by runtime handle within a thread.
  if (recorder.codeCellCallIds.has(callId)) {
    recorder.refuse(call, `call ${callId} already started a code cell`);
    return DISABLED_CODE_CELL;
  }
  if (scope.threadRecord.runtimeCells.has(runtimeCellId)) {
    recorder.refuse(call, `runtime cell ${runtimeCellId} already exists in this thread`);
    return DISABLED_CODE_CELL;
  }
  const recorded = recorder.append(
    {
      type: "code_cell_started",
      runtime_cell_id: runtimeCellId,
      model_visible_call_id: callId,
      source_js: sourceJs,
    },
    scope.context,
  );
  if (recorded) {
    recorder.codeCellCallIds.add(callId);
    scope.threadRecord.runtimeCells.add(runtimeCellId);
  }
  return new LiveCodeCell(scope, runtimeCellId, recorded);
}

class LiveCodeCell implements CodeCellTrace {
  readonly enabled = true;
  readonly runtimeCellId: string;
  readonly #scope: TurnScope;
  readonly #recorded: boolean;
  #initialResponded = false;
  #ended = false;

  constructor(scope: TurnScope, runtimeCellId: string, recorded: boolean) {
    this.#scope = scope;
    this.runtimeCellId = runtimeCellId;
    this.#recorded = recorded;
  }

  /** Ended by its own end event, or by its turn ending abnormally (the reducers end the cell then too). */
  get #closed(): boolean {
    return this.#ended || this.#scope.closedCells;
  }

  initialResponse(response: Lazy<CodeModeResponse>): void {
    guarded(this.#scope.recorder, "codeCell.initialResponse", () => {
      const recorder = this.#scope.recorder;
      if (!recorder.admits(this.#recorded)) return;
      if (this.#closed) {
        recorder.late();
        return;
      }
      if (this.#initialResponded) {
        recorder.repeated();
        return;
      }
      if (this.#record("code_cell_initial_response", response, "codeCell.initialResponse"))
        this.#initialResponded = true;
    });
  }

  ended(response: Lazy<CodeModeResponse>): void {
    guarded(this.#scope.recorder, "codeCell.ended", () => {
      const recorder = this.#scope.recorder;
      if (!recorder.admitsOnce(this.#recorded, this.#ended)) return;
      if (this.#scope.closedCells) {
        recorder.late();
        return;
      }
      if (this.#record("code_cell_ended", response, "codeCell.ended")) this.#ended = true;
    });
  }

  startTool(invocation: Lazy<NestedToolInvocation>): ToolCallTrace {
    const recorder = this.#scope.recorder;
    try {
      if (!recorder.admits(this.#recorded)) return DISABLED_TOOL;
      if (this.#closed) {
        recorder.late();
        return DISABLED_TOOL;
      }
      return startTool(this.#scope, invocation, { runtimeCellId: this.runtimeCellId }, "codeCell.startTool");
    } catch (error) {
      recorder.refuse("codeCell.startTool", error instanceof Error ? error.message : String(error));
      return DISABLED_TOOL;
    }
  }

  /** Writes the runtime response as `{response}` and the event with the status Codex derives from it. */
  #record(
    type: "code_cell_initial_response" | "code_cell_ended",
    responseArgument: Lazy<CodeModeResponse>,
    call: string,
  ): boolean {
    const recorder = this.#scope.recorder;
    const response = recorder.resolve(responseArgument, call);
    if (response === UNRESOLVED) return false;
    const status = codeCellStatus(response);
    if (status === null)
      return recorder.refuse(call, "the response must be { Yielded }, { Terminated } or { Result }");
    const ref = recorder.payload("tool_result", { response });
    recorder.append(
      { type, runtime_cell_id: this.runtimeCellId, status, response_payload: ref },
      this.#scope.context,
    );
    return true;
  }
}
