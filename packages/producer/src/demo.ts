/**
 * @rollout-trace/producer/demo: records the example agent session (a shell command, a code cell with a nested tool
 * call, a child agent that reports back, and a remote compaction) as a real trace bundle.
 * @packageDocumentation
 */
import { ROOT_THREAD_ID, runAgentLoop } from "../examples/agent-loop.ts";
import { startTrace } from "./internal/session.ts";

export interface DemoSessionOptions {
  /** Trace schema of the bundle: 2 (default) or 1. */
  readonly schemaVersion?: 1 | 2;
}

/**
 * Records the demo session into a new bundle directory under `dir` and resolves to that bundle's path. Rejects when
 * the bundle cannot be created there.
 */
export async function recordDemoSession(dir: string, options: DemoSessionOptions = {}): Promise<string> {
  const problems: string[] = [];
  const session = startTrace({
    root: dir,
    schemaVersion: options.schemaVersion ?? 2,
    onError: (error) => problems.push(error.message),
    rootThread: {
      threadId: ROOT_THREAD_ID,
      model: "fake-model",
      providerName: "fake",
      cwd: "/project",
      approvalPolicy: "never",
      sandboxPolicy: "workspace-write",
    },
  });
  if (!session.enabled || session.bundleDir === null) {
    throw new Error(`could not create a trace bundle in ${dir}: ${problems.join("; ") || "tracing is off"}`);
  }
  await runAgentLoop(session);
  await session.close();
  if (problems.length > 0) throw new Error(`the demo bundle is incomplete: ${problems.join("; ")}`);
  return session.bundleDir;
}
