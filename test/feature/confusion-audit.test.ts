import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../src/domain/artifact.js';
import type { SuspectedModel } from '../../src/services/confusion-audit.js';
import type { AccessEvent } from '../../src/storage/metadata/popularity-store.js';
import { LABELLED, type LabelledModel, type Traffic } from '../fixtures/confusion/labelled.js';
import { authenticate, startTestApp, type TestApp } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { modelZip } from '../support/zips.js';

const DAY = 86_400_000;
/** Traffic starts 40 days ago: inside the audit's 90-day access log, whenever the test runs. */
const START = Date.now() - 40 * DAY;

/** Deterministic pseudo-random numbers (mulberry32), so the traffic is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Accesses as people make them (look first, download irregularly) or as a bot farm does. */
function trafficEvents(artifactId: string, traffic: Traffic, seed: number): AccessEvent[] {
  const next = random(seed);
  const events: AccessEvent[] = [];
  const event = (kind: AccessEvent['kind'], i: number, at: number): AccessEvent => ({
    artifactId,
    kind,
    userName: `${traffic.kind}-user-${i % traffic.accounts}`,
    client: `10.0.${seed % 200}.${i % traffic.clients}`,
    at: new Date(at),
  });
  let at = START;
  for (let i = 0; i < traffic.downloads; i += 1) {
    if (traffic.kind === 'human') {
      at += Math.round(-Math.log(1 - next()) * DAY * 0.5); // exponential gaps, half a day on average
      events.push(event(next() < 0.5 ? 'search_hit' : 'view', i, at - 60_000));
      events.push(event('download', i, at));
    } else if (traffic.kind === 'bot-clock') {
      at += 30_000;
      events.push(event('download', i, at));
    } else {
      at += i % 50 === 0 ? 6 * 3600_000 : 500; // bursts of 50 within half a minute
      events.push(event('download', i, at));
    }
  }
  return events;
}

function recordOf(model: LabelledModel): ArtifactRecord {
  const now = new Date(START);
  return {
    id: randomUUID(),
    type: 'model',
    name: model.name,
    sourceUrl: model.org ? `https://huggingface.co/${model.org}/${model.name}` : `upload:${model.name}`,
    version: null,
    packageDigest: '0'.repeat(64),
    packageSize: 1,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata: model.org
      ? { kind: 'hf-model', repoId: `${model.org}/${model.name}`, downloads: model.hubDownloads ?? 0 }
      : { kind: 'upload' },
    createdBy: 'seed',
    createdAt: now,
    updatedAt: now,
  };
}

describe('package-confusion audit', () => {
  let t: TestApp;
  let token: string;
  const ids = new Map<string, LabelledModel>();
  let suspected: SuspectedModel[];

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
    const { store } = t.app.registry;
    let seed = 1;
    for (const model of LABELLED) {
      const record = recordOf(model);
      await store.insertArtifact(record);
      ids.set(record.id, model);
      if (model.traffic) await store.popularity.record(trafficEvents(record.id, model.traffic, seed));
      seed += 1;
    }
    const response = await t.app.inject({
      method: 'POST',
      url: '/artifacts/PackageConfusionAudit',
      headers: { 'x-authorization': token },
    });
    expect(response.statusCode, response.body).toBe(200);
    suspected = response.json().suspected;
  });
  afterAll(() => t.close());

  it('answers the contract shape: artifact_id, name, source_url, metadata with score, target and reasons', () => {
    expect(suspected.length).toBeGreaterThan(0);
    for (const entry of suspected) {
      expect(Object.keys(entry).sort()).toEqual(['artifact_id', 'metadata', 'name', 'source_url']);
      expect(entry.metadata.score).toBeGreaterThanOrEqual(0);
      expect(entry.metadata.score).toBeLessThanOrEqual(1);
      expect(entry.metadata.reasons.length).toBeGreaterThan(0);
      expect(ids.has(entry.metadata.imitates.artifact_id)).toBe(true);
    }
  });

  it('holds precision and recall at 0.9 or more on the labelled set (docs/security.md)', () => {
    expect(LABELLED.length).toBeGreaterThanOrEqual(60);
    const flagged = new Set(suspected.map((entry) => entry.artifact_id));
    const imitations = [...ids].filter(([, model]) => model.label === 'imitation');
    const truePositives = imitations.filter(([id]) => flagged.has(id)).length;
    const precision = truePositives / flagged.size;
    const recall = truePositives / imitations.length;
    const missed = imitations.filter(([id]) => !flagged.has(id)).map(([, m]) => `${m.name} (${m.technique})`);
    const wrong = [...flagged]
      .filter((id) => ids.get(id)?.label !== 'imitation')
      .map((id) => ids.get(id)?.name);
    console.info(
      `confusion audit on ${LABELLED.length} labelled models: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; missed ${JSON.stringify(missed)}; false alarms ${JSON.stringify(wrong)}`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('names the model each flagged imitation imitates', () => {
    for (const entry of suspected) {
      const model = ids.get(entry.artifact_id);
      if (model?.label !== 'imitation') continue;
      const target = ids.get(entry.metadata.imitates.artifact_id);
      expect(`${target?.org}/${target?.name}`, entry.name).toBe(model.imitates);
    }
  });

  it('flags bought downloads through the bot-farm signal when popularity alone does not tell', () => {
    const clock = suspected.find((entry) => entry.name === 'defect_detector');
    expect(clock?.metadata.reasons.map((reason) => reason.kind)).toEqual(
      expect.arrayContaining(['delimiter', 'few-sources', 'uniform-intervals', 'no-discovery']),
    );
    expect(clock?.metadata.reasons.some((reason) => reason.signal === 'popularity')).toBe(false);
    const burst = suspected.find((entry) => entry.name === 'defect-detectr');
    expect(burst?.metadata.reasons.map((reason) => reason.kind)).toEqual(
      expect.arrayContaining(['edit', 'burst']),
    );
  });

  it('needs a token', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/artifacts/PackageConfusionAudit' });
    expect(anonymous.statusCode).toBe(403);
  });
});

describe('popularity is recorded from real requests', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('counts downloads, distinct downloaders, search hits and metadata views', async () => {
    const token = await authenticate(t.app);
    const id = await uploadOk(t.app, token, 'counted-model', await modelZip('counted-model'));
    const headers = { 'x-authorization': token };
    await t.app.inject({ url: '/artifact/byName/counted-model', headers });
    await t.app.inject({ method: 'POST', url: '/artifact/byRegEx', headers, payload: { regex: 'counted' } });
    await t.app.inject({ url: `/artifacts/model/${id}`, headers });
    for (let i = 0; i < 3; i += 1) await t.app.inject({ url: `/download/model/${id}`, headers });
    // A resumed range is the same download, not another one.
    await t.app.inject({ url: `/download/model/${id}`, headers: { ...headers, range: 'bytes=10-20' } });

    expect(await t.app.registry.store.popularity.get(id)).toEqual({
      downloads: 3,
      downloaders: 1,
      searchHits: 2,
      views: 1,
    });
    const recent = await t.app.registry.store.popularity.recentAccess(id, 10);
    expect(recent.map((event) => event.kind)).toEqual([
      'download',
      'download',
      'download',
      'view',
      'search_hit',
      'search_hit',
    ]);
    expect(recent[0]).toMatchObject({ userName: 'ece30861defaultadminuser', client: '127.0.0.1' });
  });
});
