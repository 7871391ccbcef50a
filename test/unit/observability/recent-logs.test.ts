import { describe, expect, it } from 'vitest';
import { RECENT_LOG_LINES, RecentLogs } from '../../../src/observability/recent-logs.js';

describe('RecentLogs', () => {
  it('keeps only the newest lines, oldest first, with pino levels named', () => {
    const logs = new RecentLogs();
    for (let i = 0; i < RECENT_LOG_LINES + 10; i++) {
      logs.write(
        `${JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1), pid: 1, hostname: 'h', msg: `line ${i}`, n: i })}\n`,
      );
    }
    const lines = logs.recent(1000);
    expect(lines).toHaveLength(RECENT_LOG_LINES);
    expect(lines[0]).toEqual({
      time: '2026-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'line 10',
      fields: { n: 10 },
    });
    expect(logs.recent(2).map((l) => l.msg)).toEqual([
      `line ${RECENT_LOG_LINES + 8}`,
      `line ${RECENT_LOG_LINES + 9}`,
    ]);
  });

  it('cuts a huge line and shows it as text', () => {
    const logs = new RecentLogs();
    logs.write(JSON.stringify({ level: 50, msg: 'x'.repeat(10_000) }));
    const [line] = logs.recent(1);
    expect(line?.msg.length).toBe(4096);
    expect(line?.level).toBe('');
  });

  it('keeps string times and levels, names unknown numeric levels by number, and blanks what is missing', () => {
    const logs = new RecentLogs();
    logs.write(`${JSON.stringify({ level: 'warn', time: '2026-02-03T04:05:06Z', msg: 'as text' })}\n`);
    logs.write(`${JSON.stringify({ level: 35, time: 0, msg: 7 })}\n`);
    logs.write(`${JSON.stringify({ extra: true })}\n`);
    expect(logs.recent(3)).toEqual([
      { time: '2026-02-03T04:05:06Z', level: 'warn', msg: 'as text', fields: {} },
      { time: '1970-01-01T00:00:00.000Z', level: '35', msg: '', fields: {} },
      { time: '', level: '', msg: '', fields: { extra: true } },
    ]);
  });
});
