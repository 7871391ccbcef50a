import { describe, expect, it } from 'vitest';
import {
  ActivityRecorder,
  MAX_KEYS_PER_MAP,
  MAX_TRACKED_CLIENTS,
  OTHER_KEY,
} from '../../../src/observability/activity.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0);

describe('ActivityRecorder', () => {
  it('counts per route, type and window', () => {
    const activity = new ActivityRecorder();
    activity.record('GET /a', 'model', '10.0.0.1', false, NOW - 120_000);
    activity.record('GET /a', 'model', '10.0.0.1', true, NOW);
    activity.record('GET /b', undefined, '10.0.0.2', false, NOW);
    const lastMinute = activity.summarize(1, NOW);
    expect(lastMinute).toMatchObject({
      total: 2,
      errors: 1,
      perRoute: { 'GET /a': 1, 'GET /b': 1 },
      perType: { model: 1 },
      uniqueClients: 2,
      uniqueClientsCapped: false,
    });
    expect(activity.summarize(5, NOW)).toMatchObject({
      total: 3,
      perRoute: { 'GET /a': 2 },
      uniqueClients: 2,
    });
  });

  it('keeps at most MAX_KEYS_PER_MAP keys per map, counting the rest under "other"', () => {
    const activity = new ActivityRecorder();
    for (let i = 0; i < 5000; i++) activity.record(`GET /r${i}`, `t${i}`, 'c', false, NOW);
    const { perRoute, perType, total } = activity.summarize(5, NOW);
    expect(Object.keys(perRoute)).toHaveLength(MAX_KEYS_PER_MAP + 1);
    expect(perRoute[OTHER_KEY]).toBe(5000 - MAX_KEYS_PER_MAP);
    expect(Object.keys(perType)).toHaveLength(MAX_KEYS_PER_MAP + 1);
    expect(total).toBe(5000);
  });

  it('remembers a bounded number of clients, saying when the count is a lower bound', () => {
    const activity = new ActivityRecorder();
    for (let i = 0; i < MAX_TRACKED_CLIENTS + 10; i++)
      activity.record('GET /', undefined, `c${i}`, false, NOW);
    const flood = activity.summarize(60, NOW);
    expect(flood.uniqueClients).toBe(MAX_TRACKED_CLIENTS);
    expect(flood.uniqueClientsCapped).toBe(true);
    // An hour later the flood has left the window: the count is exact again.
    activity.record('GET /', undefined, 'late', false, NOW + 3_600_000);
    expect(activity.summarize(5, NOW + 3_600_000)).toMatchObject({
      uniqueClients: 1,
      uniqueClientsCapped: false,
    });
  });

  it('counts 5xx answers and latency per minute for the dashboard charts', () => {
    const activity = new ActivityRecorder();
    activity.record('GET /a', 'model', '10.0.0.1', false, NOW, 10);
    activity.record('GET /a', 'model', '10.0.0.2', true, NOW + 1000, 30);
    activity.record('GET /b', undefined, '10.0.0.1', false, NOW + 60_000, 5);
    expect(activity.summarize(60, NOW + 61_000).timeline).toEqual([
      { bucket: new Date(NOW), value: 2, errors: 1, meanLatencyMs: 20, maxLatencyMs: 30 },
      { bucket: new Date(NOW + 60_000), value: 1, errors: 0, meanLatencyMs: 5, maxLatencyMs: 5 },
    ]);
  });
});
