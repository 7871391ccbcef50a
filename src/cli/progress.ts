import { humanBytes, type Output } from './output.js';

export interface Progress {
  /** Bytes moved so far (absolute, including any resumed prefix). */
  update(bytes: number): void;
  /** Clear the bar and say what was moved. */
  finish(message: string): void;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

/**
 * A one-line progress bar on stderr: size, percentage, speed and ETA (speed counts only the
 * bytes moved in this run, so a resumed download does not look faster than it is). Without a
 * terminal, or with --json, nothing is drawn until the final line.
 */
export function createProgress(out: Output, label: string, total: number | null, startAt = 0): Progress {
  const started = Date.now();
  let current = startAt;
  let drawnAt = 0;
  const enabled = out.interactive && !out.json;

  const draw = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const speed = (current - startAt) / seconds;
    const parts = [label];
    if (total !== null && total > 0) {
      const ratio = Math.min(current / total, 1);
      const filled = Math.round(ratio * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`, `${Math.floor(ratio * 100)}%`);
      parts.push(`${humanBytes(current)}/${humanBytes(total)}`);
      const eta = speed > 0 ? Math.ceil((total - current) / speed) : null;
      parts.push(`${humanBytes(speed)}/s`, `ETA ${eta === null ? '?' : formatSeconds(eta)}`);
    } else {
      parts.push(humanBytes(current), `${humanBytes(speed)}/s`);
    }
    out.stderr.write(`\r${parts.join('  ')}\u001b[K`);
  };

  return {
    update(bytes) {
      current = bytes;
      if (!enabled) return;
      const now = Date.now();
      if (now - drawnAt >= REDRAW_MS) {
        drawnAt = now;
        draw();
      }
    },
    finish(message) {
      if (enabled) out.stderr.write('\r\u001b[K');
      const seconds = (Date.now() - started) / 1000;
      const moved = current - startAt;
      if (!out.json) {
        out.stderr.write(
          `${message} (${humanBytes(moved)} in ${seconds.toFixed(1)} s, ${humanBytes(moved / Math.max(seconds, 0.001))}/s)\n`,
        );
      }
    },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
