import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequestError } from '../../domain/errors.js';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { artifactEnvelope } from '../links.js';
import {
  ArtifactData,
  ArtifactID,
  ArtifactMetadata,
  ArtifactName,
  ArtifactType,
  ErrorResponse,
  errorResponses,
  GateRefusal,
} from '../schemas.js';

const TransactionId = Type.String({ format: 'uuid', description: 'The id `POST /transactions` answered.' });
const TransactionParams = Type.Object({ id: TransactionId });
const SourceUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'A Hugging Face, GitHub or zip URL, as for `POST /artifact/{artifact_type}`.',
});

export const Transaction = Type.Object(
  {
    id: TransactionId,
    owner: Type.String({ description: 'The user who opened it: only they append and execute.' }),
    state: Type.Union([Type.Literal('open'), Type.Literal('executed'), Type.Literal('failed')]),
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Type.String({
      format: 'date-time',
      description:
        'An open transaction untouched until then is forgotten and its staged packages deleted (TRANSACTION_TTL_SECONDS after the last append); an executed one is remembered until then.',
    }),
    staged_bytes: Type.Integer({ description: 'Package bytes its commands have stored so far.' }),
    commands: Type.Array(
      Type.Object({
        position: Type.Integer(),
        op: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
        artifact: Type.Ref(ArtifactMetadata),
      }),
      { description: 'The commands of an open transaction, in the order they will be applied.' },
    ),
    result: Type.Union([Type.Object({ status: Type.Integer(), body: Type.Unknown() }), Type.Null()], {
      description: 'The answer of its execute, once executed or refused with a conflict.',
    }),
  },
  { $id: 'Transaction', description: 'A group transaction (extension).' },
);

export const Command = Type.Union(
  [
    Type.Object(
      { op: Type.Literal('create'), type: Type.Ref(ArtifactType), url: SourceUrl },
      { additionalProperties: false, description: 'Register a new artifact from a URL.' },
    ),
    Type.Object(
      { op: Type.Literal('update'), type: Type.Ref(ArtifactType), id: Type.Ref(ArtifactID), url: SourceUrl },
      {
        additionalProperties: false,
        description: "Replace the artifact's package with a fresh fetch of the URL.",
      },
    ),
    Type.Object(
      { op: Type.Literal('delete'), type: Type.Ref(ArtifactType), id: Type.Ref(ArtifactID) },
      { additionalProperties: false, description: 'Delete the artifact.' },
    ),
  ],
  { $id: 'TransactionCommand' },
);

export const ExecutedTransaction = Type.Object(
  {
    id: TransactionId,
    state: Type.Literal('executed'),
    results: Type.Array(
      Type.Object({
        op: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
        metadata: Type.Ref(ArtifactMetadata),
        data: Type.Optional(Type.Ref(ArtifactData)),
      }),
      { description: 'Each command as applied, in order: the artifact written, or the one deleted.' },
    ),
  },
  { $id: 'ExecutedTransaction' },
);

const COMMAND_NOTES =
  "Only the transaction's owner appends. At most TRANSACTION_MAX_COMMANDS commands and TRANSACTION_MAX_STAGED_BYTES " +
  'package bytes (413 beyond); one command per artifact (409 for a second). An update or delete remembers the ' +
  "artifact's state now: if it changes before execute, execute answers 409 and applies nothing.";

/** Registered next to `sharedSchemas`. */
export const transactionSchemas = [Transaction, Command, ExecutedTransaction];

/** Three-stage group transactions (extension): open, append commands, execute all or nothing. */
export const transactionRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { transactions, config } = registry;

  app.post(
    '/transactions',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Open an empty group transaction (extension)',
        description:
          'Append commands to it, then execute them together: readers see all of them or none. It belongs to its ' +
          'creator (administrators may read every transaction).',
        operationId: 'TransactionOpen',
        response: { 201: Type.Ref(Transaction), ...errorResponses(403) },
      },
    },
    async (request, reply) => reply.status(201).send(await transactions.open(actorOf(request))),
  );

  app.get(
    '/transactions/:id',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Read a group transaction: its commands, or its result once executed (extension)',
        operationId: 'TransactionRetrieve',
        params: TransactionParams,
        response: { 200: Type.Ref(Transaction), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => transactions.view(request.params.id, actorOf(request)),
  );

  app.post(
    '/transactions/:id/commands',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Append a create (from a URL), update or delete to a group transaction (extension)',
        description: `A URL is fetched, rated by the ingest gate and stored now, so execute cannot fail on the network; a refusal answers as POST /artifact/{artifact_type} does. ${COMMAND_NOTES}`,
        operationId: 'TransactionAppend',
        params: TransactionParams,
        body: Type.Ref(Command),
        response: {
          201: Type.Ref(Transaction),
          ...errorResponses(400, 403, 404, 409, 413, 502, 503),
          424: Type.Ref(GateRefusal),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await transactions.append(request.params.id, request.body, actorOf(request))),
  );

  // The zip upload lives in its own scope so that only this route accepts a raw zip body.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(['application/zip', 'application/octet-stream'], (_request, payload, done) =>
      done(null, payload),
    );
    scope.post(
      '/transactions/:id/commands/upload',
      {
        config: { access: 'upload' },
        schema: {
          summary: "Append the upload of a company's own package to a group transaction (extension)",
          description: `The body is the zip itself (Content-Type: application/zip), as for POST /artifact/{artifact_type}/upload; it is checked and stored now. ${COMMAND_NOTES}`,
          operationId: 'TransactionAppendUpload',
          params: TransactionParams,
          querystring: Type.Object({
            type: Type.Ref(ArtifactType),
            name: Type.Ref(ArtifactName),
            version: Type.Optional(
              Type.String({ maxLength: 64, description: 'Semantic version, e.g. 1.2.3' }),
            ),
          }),
          response: { 201: Type.Ref(Transaction), ...errorResponses(400, 403, 404, 409, 413, 422, 503) },
        },
      },
      async (request, reply) => {
        if (!(request.body instanceof Readable)) {
          throw new BadRequestError('Send the zip itself as the body, with Content-Type: application/zip.');
        }
        const { type, name, version } = request.query;
        const view = await transactions.appendUpload(
          request.params.id,
          type,
          { name, version, body: request.body },
          actorOf(request),
        );
        return reply.status(201).send(view);
      },
    );
  });

  app.post(
    '/transactions/:id/execute',
    {
      config: { access: 'upload' },
      schema: {
        summary: 'Execute a group transaction: every command or none (extension)',
        description:
          'Applies every command in one database transaction. 409 when an artifact an update or delete names ' +
          'changed since it was appended: nothing is applied and the staged packages are deleted. Executing again ' +
          'answers what the first execute answered. 503 (a component unavailable) leaves it open to retry.',
        operationId: 'TransactionExecute',
        params: TransactionParams,
        response: {
          200: Type.Ref(ExecutedTransaction),
          409: Type.Ref(ErrorResponse),
          ...errorResponses(400, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await transactions.execute(request.params.id, actorOf(request), (record) =>
        artifactEnvelope(request, config.publicUrl, record),
      );
      // The kept answer: 200 with the artifacts written, or 409 with the conflict (bodies as declared).
      return reply.status(result.status as 200 | 409).send(result.body as never);
    },
  );
};
