import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { RECENT_LOG_LINES } from '../../observability/recent-logs.js';
import type { Registry } from '../../registry.js';
import type { MonitorService } from '../../services/monitor-service.js';
import { errorResponses } from '../schemas.js';

/** Only the tracks this build implements; each track's work adds its name here when it lands. */
const PLANNED_TRACKS = [
  'Performance track',
  'Access control track',
  'High assurance track',
  'Other Security track',
];

/** A component is degraded when its check fails or takes longer than this. */
const SLOW_CHECK_MS = 2000;

interface ComponentCheck {
  id: string;
  displayName: string;
  description: string;
  ping(): Promise<void>;
}

/** Liveness, per-component health with recent request activity, and the planned tracks. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const checks: ComponentCheck[] = [
    {
      id: 'metadata-store',
      displayName: `Metadata store (${registry.store.kind})`,
      description: 'Artifacts, users, tokens and audit entries.',
      ping: () => registry.store.ping(),
    },
    {
      id: 'blob-store',
      displayName: `Blob store (${registry.blobs.kind})`,
      description: 'Package bytes, content-addressed by SHA-256.',
      ping: () => registry.blobs.ping(),
    },
  ];

  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Heartbeat check (BASELINE)',
        operationId: 'RegistryHealthHeartbeat',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/components',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Get component health details (NON-BASELINE)',
        operationId: 'RegistryHealthComponents',
        querystring: Type.Object({
          windowMinutes: Type.Integer({ minimum: 5, maximum: 1440, default: 60 }),
          includeTimeline: Type.Boolean({ default: false }),
        }),
      },
    },
    async (request) => {
      const { windowMinutes, includeTimeline } = request.query;
      const activity = registry.activity.summarize(windowMinutes);
      const components = await Promise.all(
        checks.map(async (check) => {
          const started = performance.now();
          const observedAt = new Date().toISOString();
          try {
            await check.ping();
            const latencyMs = Math.round(performance.now() - started);
            const slow = latencyMs > SLOW_CHECK_MS;
            return {
              id: check.id,
              display_name: check.displayName,
              status: slow ? 'degraded' : 'ok',
              observed_at: observedAt,
              description: check.description,
              metrics: { check_latency_ms: latencyMs },
              issues: slow
                ? [{ code: 'SLOW', severity: 'warning', summary: `Health check took ${latencyMs} ms.` }]
                : [],
            };
          } catch (error) {
            return {
              id: check.id,
              display_name: check.displayName,
              status: 'degraded',
              observed_at: observedAt,
              description: check.description,
              metrics: { check_latency_ms: Math.round(performance.now() - started) },
              issues: [{ code: 'UNREACHABLE', severity: 'error', summary: (error as Error).message }],
            };
          }
        }),
      );
      const api = {
        id: 'api',
        display_name: 'Registry API',
        status: 'ok',
        observed_at: new Date().toISOString(),
        description: 'This instance: requests served in the window.',
        metrics: {
          uptime_seconds: Math.round((Date.now() - registry.startedAt.getTime()) / 1000),
          total_requests: activity.total,
          error_responses: activity.errors,
          unique_clients: activity.uniqueClients,
          // More distinct clients than are remembered: the count above is a lower bound.
          ...(activity.uniqueClientsCapped ? { unique_clients_capped: true } : {}),
          window_start: activity.windowStart.toISOString(),
          window_end: activity.windowEnd.toISOString(),
          ...Object.fromEntries(Object.entries(activity.perRoute).map(([route, n]) => [`route ${route}`, n])),
          ...Object.fromEntries(Object.entries(activity.perType).map(([type, n]) => [`type ${type}`, n])),
        },
        issues: [],
        ...(includeTimeline
          ? {
              timeline: activity.timeline.map((t) => ({
                bucket: t.bucket.toISOString(),
                value: t.value,
                unit: 'requests/min',
                // Extensions for the dashboard: the same minute's 5xx answers and latency.
                errors: t.errors,
                mean_latency_ms: t.meanLatencyMs,
                max_latency_ms: t.maxLatencyMs,
              })),
            }
          : {}),
      };
      return {
        components: [api, ...components, await sandboxComponent(registry.monitors)],
        generated_at: new Date().toISOString(),
        window_minutes: windowMinutes,
      };
    },
  );

  app.get(
    '/health/logs',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Recent log lines of this instance (extension, admins only)',
        description:
          `The newest lines this instance logged (at most ${RECENT_LOG_LINES} are kept, oldest first), ` +
          'as the health dashboard shows them. Other instances keep their own.',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: RECENT_LOG_LINES, default: 100 }),
        }),
        response: {
          200: Type.Object({
            lines: Type.Array(
              Type.Object({
                time: Type.String(),
                level: Type.String(),
                msg: Type.String(),
                fields: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({ lines: registry.logs.recent(request.query.limit) }),
  );

  app.get(
    '/tracks',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Get the list of tracks a student has planned to implement in their code',
        response: {
          200: Type.Object({ plannedTracks: Type.Array(Type.String()) }),
          500: Type.Object({ error: Type.String(), message: Type.String() }),
        },
      },
    },
    async () => ({ plannedTracks: PLANNED_TRACKS }),
  );
};

/** Where sensitive models' monitor programs run: degraded when an OS isolation layer is missing here. */
async function sandboxComponent(monitors: MonitorService) {
  const support = await monitors.isolationSupport();
  const missing = [
    ...(support.network ? [] : ['a network namespace (unshare -n)']),
    ...(support.memory ? [] : ['a native memory limit (prlimit --data)']),
  ];
  return {
    id: 'monitor-sandbox',
    display_name: 'Monitor sandbox',
    status: missing.length > 0 ? 'degraded' : 'ok',
    observed_at: new Date().toISOString(),
    description: "Runs sensitive models' monitor programs before their bytes are sent (docs/security.md).",
    metrics: { network_isolated: support.network, native_memory_limited: support.memory },
    issues:
      missing.length > 0
        ? [
            {
              code: 'PARTIAL_ISOLATION',
              severity: 'warning',
              summary: `Isolation is partial: this host offers no ${missing.join(' and no ')}; the permission model, empty environment and time, heap and output limits still apply.`,
            },
          ]
        : [],
  };
}
