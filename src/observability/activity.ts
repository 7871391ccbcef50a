/** Per-minute request counts of this instance, for /health/components and the dashboard. */
interface MinuteBucket {
  minute: number;
  total: number;
  errors: number;
  perRoute: Map<string, number>;
  perType: Map<string, number>;
  clients: Set<string>;
}

const KEEP_MINUTES = 1440;
/** Bounds memory when a flood comes from many addresses. */
const MAX_CLIENTS_PER_MINUTE = 10_000;

export interface ActivitySummary {
  windowStart: Date;
  windowEnd: Date;
  total: number;
  errors: number;
  perRoute: Record<string, number>;
  perType: Record<string, number>;
  uniqueClients: number;
  timeline: { bucket: Date; value: number }[];
}

export class ActivityRecorder {
  private readonly buckets: MinuteBucket[] = [];

  record(
    route: string,
    artifactType: string | undefined,
    client: string,
    failed: boolean,
    now = Date.now(),
  ): void {
    const bucket = this.bucketFor(Math.floor(now / 60_000));
    bucket.total += 1;
    if (failed) bucket.errors += 1;
    bucket.perRoute.set(route, (bucket.perRoute.get(route) ?? 0) + 1);
    if (artifactType) bucket.perType.set(artifactType, (bucket.perType.get(artifactType) ?? 0) + 1);
    if (bucket.clients.size < MAX_CLIENTS_PER_MINUTE) bucket.clients.add(client);
  }

  summarize(windowMinutes: number, now = Date.now()): ActivitySummary {
    const endMinute = Math.floor(now / 60_000);
    const startMinute = endMinute - windowMinutes + 1;
    const inWindow = this.buckets.filter((b) => b.minute >= startMinute);
    const perRoute: Record<string, number> = {};
    const perType: Record<string, number> = {};
    const clients = new Set<string>();
    for (const bucket of inWindow) {
      for (const [route, n] of bucket.perRoute) perRoute[route] = (perRoute[route] ?? 0) + n;
      for (const [type, n] of bucket.perType) perType[type] = (perType[type] ?? 0) + n;
      for (const client of bucket.clients) clients.add(client);
    }
    return {
      windowStart: new Date(startMinute * 60_000),
      windowEnd: new Date(now),
      total: inWindow.reduce((sum, b) => sum + b.total, 0),
      errors: inWindow.reduce((sum, b) => sum + b.errors, 0),
      perRoute,
      perType,
      uniqueClients: clients.size,
      timeline: inWindow.map((b) => ({ bucket: new Date(b.minute * 60_000), value: b.total })),
    };
  }

  private bucketFor(minute: number): MinuteBucket {
    const last = this.buckets.at(-1);
    if (last && last.minute === minute) return last;
    const bucket: MinuteBucket = {
      minute,
      total: 0,
      errors: 0,
      perRoute: new Map(),
      perType: new Map(),
      clients: new Set(),
    };
    this.buckets.push(bucket);
    while (this.buckets.length > 0 && (this.buckets[0]?.minute ?? minute) <= minute - KEEP_MINUTES) {
      this.buckets.shift();
    }
    return bucket;
  }
}
