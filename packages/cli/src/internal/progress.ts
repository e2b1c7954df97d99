// A progress bar on stderr for work that takes more than a moment: shown only on a terminal, and only once the
// work has run for a while or the input is large, so quick commands print nothing extra.
import cliProgress from "cli-progress";
import type { Terminal } from "./terminal.ts";

const SHOW_AFTER_MS = 300;
const SHOW_AT_BYTES = 8 * 1024 * 1024;

export interface ProgressUpdate {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly events: number;
}

export interface Progress {
  update(progress: ProgressUpdate): void;
  /** Removes the bar (if it was shown); safe to call more than once. */
  stop(): void;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
}

export function startProgress(terminal: Terminal, label: string): Progress {
  if (!terminal.interactive) return { update() {}, stop() {} };
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  return {
    update({ bytesRead, totalBytes, events }) {
      if (stopped) return;
      const elapsed = Date.now() - started;
      if (bar === undefined) {
        if (elapsed < SHOW_AFTER_MS && totalBytes < SHOW_AT_BYTES) return;
        bar = new cliProgress.SingleBar({
          format: `${label} {bar} {percentage}% | {done} of {size} | {events} events, {rate} events/s | eta {eta_formatted}`,
          stream: terminal.stderr,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 24,
          barCompleteChar: "█",
          barIncompleteChar: "░",
          etaBuffer: 20,
        });
        bar.start(Math.max(totalBytes, 1), 0, {
          done: "0 B",
          size: formatBytes(totalBytes),
          events: 0,
          rate: 0,
        });
      }
      const seconds = Math.max(elapsed / 1000, 0.001);
      bar.update(bytesRead, {
        done: formatBytes(bytesRead),
        size: formatBytes(totalBytes),
        events: events.toLocaleString("en-US"),
        rate: Math.round(events / seconds).toLocaleString("en-US"),
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}
