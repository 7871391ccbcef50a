import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ComponentUnavailableError } from '../../domain/errors.js';
import type { WorkloadRun } from '../../domain/workload.js';
import type { Registry } from '../../registry.js';
import { WORKLOAD_NAME_PREFIX } from '../../services/performance-workload.js';
import { actorOf } from '../access.js';
import { errorResponses } from '../schemas.js';

const WorkloadRequest = Type.Object(
  {
    clients: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 500,
        default: 100,
        description: 'Concurrent clients (default 100).',
      }),
    ),
    models: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2000,
        default: 500,
        description: 'Models in the registry for the run, the large one included (default 500).',
      }),
    ),
    model_size_mb: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1024,
        default: 50,
        description: "Size of the large model's weights in MiB (default 50, about Tiny-LLM's).",
      }),
    ),
  },
  { additionalProperties: false },
);

const Timestamp = Type.String({ format: 'date-time' });

const WorkloadRunSchema = Type.Object({
  id: Type.String(),
  status: Type.Union(['preparing', 'running', 'done', 'failed'].map((status) => Type.Literal(status))),
  parameters: Type.Object({ clients: Type.Integer(), models: Type.Integer(), model_size_mb: Type.Integer() }),
  started_by: Type.String(),
  progress: Type.Object({
    completed: Type.Integer({ description: 'Downloads finished.' }),
    total: Type.Integer({ description: 'Downloads of the run (one per client).' }),
  }),
  started_at: Timestamp,
  finished_at: Type.Union([Timestamp, Type.Null()]),
  components: Type.Object({
    metadata: Type.String({ description: 'Metadata store in use: sqlite or postgres.' }),
    blobs: Type.String({ description: 'Blob store in use: filesystem or s3.' }),
  }),
  results: Type.Union([
    Type.Object({
      requests: Type.Integer({ description: 'Downloads completed.' }),
      bytes: Type.Integer(),
      throughput_mbps: Type.Number({
        description: 'Megabits (10^6 bits) per second over the download phase.',
      }),
      latency_ms: Type.Object({ mean: Type.Number(), median: Type.Number(), p99: Type.Number() }),
    }),
    Type.Null(),
  ]),
  error: Type.Union([Type.String(), Type.Null()]),
});

function toView(run: WorkloadRun): Static<typeof WorkloadRunSchema> {
  const { results } = run;
  return {
    id: run.id,
    status: run.status,
    parameters: {
      clients: run.parameters.clients,
      models: run.parameters.models,
      model_size_mb: run.parameters.modelSizeMb,
    },
    started_by: run.startedBy,
    progress: { completed: run.completed, total: run.total },
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    components: run.components,
    results: results && {
      requests: results.requests,
      bytes: results.bytes,
      throughput_mbps: results.throughputMbps,
      latency_ms: results.latencyMs,
    },
    error: run.error,
  };
}

/** This server's own HTTP address, for the workload's clients; none when it does not listen (inject). */
function ownBaseUrl(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo | string | null;
  if (!address || typeof address === 'string') {
    throw new ComponentUnavailableError(
      'HTTP listener',
      'the workload needs the server to listen on a TCP port',
    );
  }
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The course's performance workload as an admin feature: prepare 500 distinct models plus a
 * Tiny-LLM-sized one (names starting with WORKLOAD_NAME_PREFIX), then 100 concurrent clients
 * download the large one over HTTP from this server; progress while it runs, results kept.
 */
export const performanceRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { workloads } = registry;
  const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });

  app.post(
    '/performance/workloads',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Run the performance workload against this deployment (extension)',
        operationId: 'PerformanceWorkloadStart',
        description:
          `Stores whatever is missing of \`models\` distinct models (names starting with "${WORKLOAD_NAME_PREFIX}", ` +
          'kept for later runs; delete them like any artifact, or by a reset), then `clients` concurrent clients ' +
          'each download the large model once over HTTP. Answers 202 at once; poll GET /performance/workloads/{id}. ' +
          'One run at a time (409).',
        body: Type.Optional(WorkloadRequest),
        response: { 202: WorkloadRunSchema, ...errorResponses(400, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const run = await workloads.start(
        { clients: body.clients ?? 100, models: body.models ?? 500, modelSizeMb: body.model_size_mb ?? 50 },
        actorOf(request),
        ownBaseUrl(app),
      );
      return reply.status(202).send(toView(run));
    },
  );

  app.get(
    '/performance/workloads',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Performance workload runs, newest first (extension)',
        operationId: 'PerformanceWorkloadList',
        description: 'The newest 100 runs, kept for comparison.',
        response: { 200: Type.Array(WorkloadRunSchema), ...errorResponses(403) },
      },
    },
    async () => (await workloads.list()).map(toView),
  );

  app.get(
    '/performance/workloads/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'One performance workload run: status, progress and results (extension)',
        operationId: 'PerformanceWorkloadGet',
        params: Params,
        response: { 200: WorkloadRunSchema, ...errorResponses(403, 404) },
      },
    },
    async (request) => toView(await workloads.get(request.params.id)),
  );
};
