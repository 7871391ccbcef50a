/** The newest log lines of this instance, for the health dashboard (admins only). */
export const RECENT_LOG_LINES = 500;
/** A line longer than this is cut: one huge error must not take the whole buffer's memory. */
const MAX_LINE_CHARS = 4096;

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  /** The rest of the pino record (request id, method, url, status ...), as logged. */
  fields: Record<string, unknown>;
}

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * A bounded ring of pino's JSON lines. It is a pino destination (`write(line)`), placed beside
 * stdout with pino.multistream, so the dashboard sees what the operator's log collector sees.
 */
export class RecentLogs {
  private readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line);
    if (this.lines.length > RECENT_LOG_LINES) this.lines.shift();
  }

  /** The newest `limit` lines, oldest first. */
  recent(limit: number): LogLine[] {
    return this.lines.slice(-limit).map(parseLine);
  }
}

function parseLine(line: string): LogLine {
  try {
    const {
      time,
      level,
      msg,
      pid: _pid,
      hostname: _hostname,
      ...fields
    } = JSON.parse(line) as Record<string, unknown>;
    return {
      time: typeof time === 'number' ? new Date(time).toISOString() : String(time ?? ''),
      level: typeof level === 'number' ? (LEVELS[level] ?? String(level)) : String(level ?? ''),
      msg: typeof msg === 'string' ? msg : '',
      fields,
    };
  } catch {
    // A line cut at MAX_LINE_CHARS is no longer JSON: show it as text.
    return { time: '', level: '', msg: line.trimEnd(), fields: {} };
  }
}
