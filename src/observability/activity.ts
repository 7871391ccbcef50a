/**
 * Per-minute request counts of this instance, for /health/components and the dashboard. The
 * report is public, so everything it keeps is bounded whatever the traffic: the callers pass only
 * matched route patterns and valid artifact types, each per-minute map holds at most
 * MAX_KEYS_PER_MAP keys (the rest count under OTHER_KEY), and clients are tracked in one map of
 * bounded size rather than per minute.
 */
interface MinuteBucket {
  minute: number;
  total: number;
  errors: number;
  latencySumMs: number;
  latencyMaxMs: number;
  perRoute: Map<string, number>;
  perType: Map<string, number>;
}

const KEEP_MINUTES = 1440;
/** Far above the registry's routes (about 60) and artifact types (3); a guard, not a working limit. */
export const MAX_KEYS_PER_MAP = 200;
export const OTHER_KEY = 'other';
/** Distinct client addresses remembered (about 100 bytes each): the rest of a flood is not counted. */
export const MAX_TRACKED_CLIENTS = 50_000;

export interface ActivitySummary {
  windowStart: Date;
  windowEnd: Date;
  total: number;
  errors: number;
  perRoute: Record<string, number>;
  perType: Record<string, number>;
  uniqueClients: number;
  /** More distinct clients came than are remembered: uniqueClients is a lower bound. */
  uniqueClientsCapped: boolean;
  timeline: MinuteActivity[];
}

/** One minute of requests: how many, how many failed (5xx), and how long they took. */
export interface MinuteActivity {
  bucket: Date;
  value: number;
  errors: number;
  meanLatencyMs: number;
  maxLatencyMs: number;
}

export class ActivityRecorder {
  private readonly buckets: MinuteBucket[] = [];
  /** Client address -> minute last seen, least recently seen first (Map insertion order). */
  private readonly lastSeen = new Map<string, number>();
  /** The minute of the most recent client forgotten to stay under MAX_TRACKED_CLIENTS. */
  private forgottenUpTo = Number.NEGATIVE_INFINITY;

  record(
    route: string,
    artifactType: string | undefined,
    client: string,
    failed: boolean,
    now = Date.now(),
    latencyMs = 0,
  ): void {
    const minute = Math.floor(now / 60_000);
    const bucket = this.bucketFor(minute);
    bucket.total += 1;
    if (failed) bucket.errors += 1;
    bucket.latencySumMs += latencyMs;
    bucket.latencyMaxMs = Math.max(bucket.latencyMaxMs, latencyMs);
    countIn(bucket.perRoute, route);
    if (artifactType) countIn(bucket.perType, artifactType);
    this.lastSeen.delete(client);
    this.lastSeen.set(client, minute);
    if (this.lastSeen.size > MAX_TRACKED_CLIENTS) {
      const [oldest, seen] = this.lastSeen.entries().next().value as [string, number];
      this.lastSeen.delete(oldest);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, seen);
    }
  }

  summarize(windowMinutes: number, now = Date.now()): ActivitySummary {
    const endMinute = Math.floor(now / 60_000);
    const startMinute = endMinute - windowMinutes + 1;
    const inWindow = this.buckets.filter((b) => b.minute >= startMinute);
    const perRoute: Record<string, number> = {};
    const perType: Record<string, number> = {};
    for (const bucket of inWindow) {
      for (const [route, n] of bucket.perRoute) perRoute[route] = (perRoute[route] ?? 0) + n;
      for (const [type, n] of bucket.perType) perType[type] = (perType[type] ?? 0) + n;
    }
    let uniqueClients = 0;
    for (const minute of this.lastSeen.values()) if (minute >= startMinute) uniqueClients += 1;
    return {
      windowStart: new Date(startMinute * 60_000),
      windowEnd: new Date(now),
      total: inWindow.reduce((sum, b) => sum + b.total, 0),
      errors: inWindow.reduce((sum, b) => sum + b.errors, 0),
      perRoute,
      perType,
      uniqueClients,
      uniqueClientsCapped: this.forgottenUpTo >= startMinute,
      timeline: inWindow.map((b) => ({
        bucket: new Date(b.minute * 60_000),
        value: b.total,
        errors: b.errors,
        meanLatencyMs: Math.round((b.latencySumMs / b.total) * 10) / 10,
        maxLatencyMs: Math.round(b.latencyMaxMs * 10) / 10,
      })),
    };
  }

  private bucketFor(minute: number): MinuteBucket {
    const last = this.buckets.at(-1);
    if (last && last.minute === minute) return last;
    const bucket: MinuteBucket = {
      minute,
      total: 0,
      errors: 0,
      latencySumMs: 0,
      latencyMaxMs: 0,
      perRoute: new Map(),
      perType: new Map(),
    };
    this.buckets.push(bucket);
    while (this.buckets.length > 0 && (this.buckets[0]?.minute ?? minute) <= minute - KEEP_MINUTES) {
      this.buckets.shift();
    }
    return bucket;
  }
}

/** Adds one to `key`, or to OTHER_KEY once the map holds MAX_KEYS_PER_MAP other keys. */
function countIn(counts: Map<string, number>, key: string): void {
  const counted = counts.has(key) || counts.size < MAX_KEYS_PER_MAP ? key : OTHER_KEY;
  counts.set(counted, (counts.get(counted) ?? 0) + 1);
}
