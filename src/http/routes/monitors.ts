import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { PermissionError } from '../../domain/errors.js';
import { MONITOR_OUTCOMES } from '../../domain/monitor.js';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { ArtifactID, errorResponses, NEXT_PAGE, PageQuery } from '../schemas.js';

const ModelParams = Type.Object({ id: Type.Ref(ArtifactID) });

const MonitorProgramView = Type.Object({
  artifact_id: Type.String(),
  program: Type.String({ description: 'The program source (UTF-8).' }),
  sha256: Type.String(),
  size: Type.Integer({ description: 'Bytes.' }),
  uploaded_by: Type.String(),
  uploaded_at: Type.String({ format: 'date-time' }),
});

const SensitiveDownloadEntry = Type.Object({
  username: Type.String(),
  at: Type.String({ format: 'date-time' }),
  allowed: Type.Boolean(),
  exit_code: Type.Union([Type.Integer(), Type.Null()], { description: 'null when killed or not started.' }),
  reason: Type.Union(
    MONITOR_OUTCOMES.map((o) => Type.Literal(o)),
    { description: 'How the program ended: exit, timeout, output-limit or spawn-error.' },
  ),
  stdout: Type.String({ description: "The start of the program's output." }),
  part: Type.String({ description: 'full, an aspect, or file:<path> (Hub-compatible API).' }),
  duration_ms: Type.Integer(),
  reused: Type.Boolean({ description: 'A resumed request allowed by a recent verdict, without a run.' }),
});

/** Sensitive models: the contract's JSProgramUpload and its extensions (docs/security.md). */
export const monitorRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const { artifacts, monitors } = registry;
  const { programMaxBytes } = registry.config.monitor;

  app.post(
    '/artifacts/JSProgramUpload',
    {
      config: { access: 'admin' },
      // base64 grows the program by a third; room for the rest of the JSON besides.
      bodyLimit: Math.ceil((programMaxBytes * 4) / 3) + 64 * 1024,
      schema: {
        summary: 'Upload a JS program for a model (NON-BASELINE)',
        operationId: 'JSProgramUpload',
        description:
          "Admin only. Sets or replaces the model's monitor program; the model is then sensitive: before any of " +
          'its bytes are sent, the program runs in a sandbox as `node PROGRAM MODEL_NAME UPLOADER_USERNAME ' +
          'DOWNLOADER_USERNAME ZIP_FILE_PATH`, and only exit code 0 lets the download go. The program must parse ' +
          'as a CommonJS module and stay within MONITOR_PROGRAM_MAX_BYTES. It is kept in the metadata store; ' +
          's3_key names it there.',
        body: Type.Object({
          artifact_id: Type.Ref(ArtifactID),
          js_program: Type.String({
            description: 'The JavaScript program, as plain text or base64-encoded.',
          }),
          isBase64Encoded: Type.Optional(Type.Boolean()),
        }),
        response: {
          200: Type.Object({ message: Type.String(), s3_key: Type.String() }),
          ...errorResponses(400, 403, 404, 500),
        },
      },
    },
    async (request) => {
      const { artifact_id, js_program, isBase64Encoded } = request.body;
      const record = await artifacts.get('model', artifact_id);
      const program = await monitors.setProgram(
        actorOf(request),
        record,
        js_program,
        isBase64Encoded ?? false,
      );
      return {
        message: `Monitor program stored for model ${record.name} (${record.id}); the model is now sensitive.`,
        s3_key: `monitor-programs/${record.id}/${program.sha256}.js`,
      };
    },
  );

  app.get(
    '/artifacts/model/:id/monitor',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Read a sensitive model's monitor program (extension)",
        description: 'Admin only. 404 when the model does not exist or has no program.',
        params: ModelParams,
        response: { 200: MonitorProgramView, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const program = await monitors.getProgram(await artifacts.get('model', request.params.id));
      return {
        artifact_id: program.artifactId,
        program: program.source,
        sha256: program.sha256,
        size: program.size,
        uploaded_by: program.uploadedBy,
        uploaded_at: program.uploadedAt.toISOString(),
      };
    },
  );

  app.delete(
    '/artifacts/model/:id/monitor',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Remove a model's monitor program (extension)",
        description: 'Admin only. The model is no longer sensitive; its download history stays.',
        params: ModelParams,
        response: { 200: Type.Object({ message: Type.String() }), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const record = await artifacts.get('model', request.params.id);
      await monitors.removeProgram(actorOf(request), record);
      return { message: `Model ${record.name} (${record.id}) is no longer sensitive.` };
    },
  );

  app.get(
    '/artifacts/model/:id/downloads',
    {
      config: { access: 'uploader-or-admin' },
      schema: {
        summary: "A sensitive model's download history (extension)",
        description:
          'Admins and the user who uploaded the model. Every request for its bytes while it had a monitor ' +
          `program: who, when, allowed or refused, the exit code and the start of the output; newest first. ${NEXT_PAGE}`,
        params: ModelParams,
        querystring: PageQuery,
        response: { 200: Type.Array(SensitiveDownloadEntry), ...errorResponses(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const record = await artifacts.get('model', request.params.id);
      if (!actor.isAdmin && record.createdBy !== actor.name)
        throw new PermissionError(
          "Only administrators and the model's uploader may read its download history.",
        );
      const page = await monitors.history(record, {
        limit: registry.config.limits.pageSize,
        ...(request.query.offset ? { after: request.query.offset } : {}),
      });
      if (page.next !== null) reply.header('offset', page.next);
      return page.items.map((entry) => ({
        username: entry.userName,
        at: entry.at.toISOString(),
        allowed: entry.allowed,
        exit_code: entry.exitCode,
        reason: entry.reason,
        stdout: entry.stdout,
        part: entry.part,
        duration_ms: entry.durationMs,
        reused: entry.reused,
      }));
    },
  );
};
