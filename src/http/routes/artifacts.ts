import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequestError } from '../../domain/errors.js';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { artifactEnvelope } from '../links.js';
import {
  Artifact,
  ArtifactData,
  ArtifactName,
  ArtifactType,
  errorResponses,
  GateRefusal,
  TypeAndIdParams,
} from '../schemas.js';

/** Create (from a url or an uploaded zip), read, update and delete artifacts. */
export const artifactRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { artifacts, config } = registry;

  app.post(
    '/artifact/:artifact_type',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Register a new artifact. (BASELINE)',
        operationId: 'ArtifactCreate',
        params: Type.Object({ artifact_type: Type.Ref(ArtifactType) }),
        body: Type.Ref(ArtifactData),
        response: {
          201: Type.Ref(Artifact),
          ...errorResponses(400, 403, 404, 409, 413, 502),
          424: Type.Ref(GateRefusal),
        },
      },
    },
    async (request, reply) => {
      const record = await artifacts.createFromUrl(
        request.params.artifact_type,
        request.body.url,
        actorOf(request),
      );
      return reply.status(201).send(artifactEnvelope(request, config.publicUrl, record));
    },
  );

  app.get(
    '/artifacts/:artifact_type/:id',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Interact with the artifact with this id. (BASELINE)',
        operationId: 'ArtifactRetrieve',
        params: TypeAndIdParams,
        response: { 200: Type.Ref(Artifact), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const record = await artifacts.get(request.params.artifact_type, request.params.id);
      await registry.popularity.record('view', [record.id], actorOf(request), request.ip);
      return artifactEnvelope(request, config.publicUrl, record);
    },
  );

  app.put(
    '/artifacts/:artifact_type/:id',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Update this content of the artifact. (BASELINE)',
        operationId: 'ArtifactUpdate',
        params: TypeAndIdParams,
        body: Type.Ref(Artifact),
        response: {
          200: Type.Ref(Artifact),
          ...errorResponses(400, 403, 404, 409, 424, 502),
        },
      },
    },
    async (request) => {
      const { artifact_type: type, id } = request.params;
      const record = await artifacts.update(
        type,
        id,
        request.body.metadata,
        request.body.data.url,
        actorOf(request),
      );
      return artifactEnvelope(request, config.publicUrl, record);
    },
  );

  app.delete(
    '/artifacts/:artifact_type/:id',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Delete this artifact. (NON-BASELINE)',
        operationId: 'ArtifactDelete',
        params: TypeAndIdParams,
        response: { 200: Type.Object({ message: Type.String() }), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      await artifacts.delete(request.params.artifact_type, request.params.id);
      return { message: 'Artifact is deleted.' };
    },
  );

  // The zip upload lives in its own scope so that only this route accepts a raw zip body.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(['application/zip', 'application/octet-stream'], (_request, payload, done) =>
      done(null, payload),
    );
    scope.post(
      '/artifact/:artifact_type/upload',
      {
        config: { access: 'upload' },
        schema: {
          summary: "Upload a company's own package as a zip (extension)",
          description:
            'The request body is the zip itself (Content-Type: application/zip), organised like a Hugging Face ' +
            'repository (config.json, README.md model card, weights, tokenizer files ...). It streams to storage; ' +
            'packages over MAX_PACKAGE_BYTES answer 413. Pickle-based weights naming a global outside the ' +
            'weights-only allowlist, and malformed weight files, answer 422 with the files and globals.',
          operationId: 'ArtifactUpload',
          params: Type.Object({ artifact_type: Type.Ref(ArtifactType) }),
          querystring: Type.Object({
            name: Type.Ref(ArtifactName),
            version: Type.Optional(
              Type.String({ maxLength: 64, description: 'Semantic version, e.g. 1.2.3' }),
            ),
          }),
          response: { 201: Type.Ref(Artifact), ...errorResponses(400, 403, 404, 413, 422) },
        },
      },
      async (request, reply) => {
        if (!(request.body instanceof Readable)) {
          throw new BadRequestError('Send the zip itself as the body, with Content-Type: application/zip.');
        }
        const record = await artifacts.upload(
          request.params.artifact_type,
          { name: request.query.name, version: request.query.version, body: request.body },
          actorOf(request),
        );
        return reply.status(201).send(artifactEnvelope(request, config.publicUrl, record));
      },
    );
  });
};
