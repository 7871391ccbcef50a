import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../../src/domain/artifact.js';
import { confusionAuditRoutes } from '../../../../src/http/routes/confusion-audit.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';

let h: RouteHarness;
let app: FastifyInstance;

beforeAll(async () => {
  h = await routeHarness([confusionAuditRoutes]);
  app = h.app;
});
afterAll(() => h.close());

function model(
  name: string,
  sourceMetadata: Record<string, unknown>,
  sourceUrl = `upload:${name}`,
): ArtifactRecord {
  const now = new Date();
  return {
    id: randomUUID(),
    type: 'model',
    name,
    sourceUrl,
    version: null,
    packageDigest: '0'.repeat(64),
    packageSize: 1,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata,
    createdBy: 'seed',
    createdAt: now,
    updatedAt: now,
  };
}

const audit = (authorization?: string) =>
  app.inject({
    method: 'POST',
    url: '/artifacts/PackageConfusionAudit',
    headers: authorization ? { 'x-authorization': authorization } : {},
  });

describe('POST /artifacts/PackageConfusionAudit', () => {
  it('answers nothing suspected for an empty registry, then flags a look-alike of a popular model', async () => {
    const empty = await audit(await h.adminToken());
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ suspected: [] });

    const target = model(
      'bert-base-uncased',
      { kind: 'hf-model', repoId: 'google-bert/bert-base-uncased', downloads: 50_000_000 },
      'https://huggingface.co/google-bert/bert-base-uncased',
    );
    const imitation = model('bert-base-uncasde', { kind: 'upload' });
    await h.registry.store.insertArtifact(target);
    await h.registry.store.insertArtifact(imitation);
    const response = await audit(await h.adminToken());
    expect(response.statusCode).toBe(200);
    const { suspected } = response.json();
    expect(suspected).toHaveLength(1);
    expect(suspected[0]).toMatchObject({
      artifact_id: imitation.id,
      name: 'bert-base-uncasde',
      source_url: 'upload:bert-base-uncasde',
      metadata: { imitates: { artifact_id: target.id, name: 'bert-base-uncased' } },
    });
    expect(suspected[0].metadata.score).toBeGreaterThanOrEqual(0.6);
    expect(suspected[0].metadata.reasons.map((r: { signal: string }) => r.signal)).toContain('name');
  });

  it('is for administrators only: 403 for a user with every permission, 403 without a token', async () => {
    const user = await h.userToken('everything', {
      can_upload: true,
      can_search: true,
      can_download: true,
    });
    const refused = await audit(user);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: 'PERMISSION_DENIED',
      message: 'Only administrators may do this.',
    });
    expect((await audit()).statusCode).toBe(403);
  });
});
