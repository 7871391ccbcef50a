import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scoringVersion } from '../../../src/rating/scoring-version.js';

const NO_LLM = { llmEndpoint: null, llmModel: 'gpt-4o-mini' };
const roots: string[] = [];

/** A source tree with the given files, as the scoring code digest reads it. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'scoring-version-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const SCORING = {
  'rating/net-score.ts': 'export const WEIGHTS = { license: 0.15 };',
  'rating/metrics/license.ts': 'export const license = () => 1;',
  'licenses/catalog.ts': 'export const MIT = {};',
  'services/evidence-service.ts': 'export class EvidenceService {}',
};

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('scoringVersion', () => {
  it('is stable for the same code and settings, and a 16-digit hex', async () => {
    const version = scoringVersion(NO_LLM, await tree(SCORING));
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(scoringVersion(NO_LLM, await tree(SCORING))).toBe(version);
  });

  it("changes with a metric's code or the weights", async () => {
    const before = scoringVersion(NO_LLM, await tree(SCORING));
    const metric = { ...SCORING, 'rating/metrics/license.ts': 'export const license = () => 0.5;' };
    const weights = { ...SCORING, 'rating/net-score.ts': 'export const WEIGHTS = { license: 0.2 };' };
    expect(scoringVersion(NO_LLM, await tree(metric))).not.toBe(before);
    expect(scoringVersion(NO_LLM, await tree(weights))).not.toBe(before);
  });

  it('ignores code that does not score (routes, storage) and type declarations', async () => {
    const before = scoringVersion(NO_LLM, await tree(SCORING));
    const other = { ...SCORING, 'http/routes/rating.ts': 'route', 'rating/metric.d.ts': 'types' };
    expect(scoringVersion(NO_LLM, await tree(other))).toBe(before);
  });

  it('changes with the assisting LLM, and not with its model while it is off', async () => {
    const root = await tree(SCORING);
    const off = scoringVersion(NO_LLM, root);
    expect(scoringVersion({ llmEndpoint: null, llmModel: 'other' }, root)).toBe(off);
    const on = scoringVersion({ llmEndpoint: 'http://llm', llmModel: 'gpt-4o-mini' }, root);
    expect(on).not.toBe(off);
    expect(scoringVersion({ llmEndpoint: 'http://llm', llmModel: 'gpt-4o' }, root)).not.toBe(on);
  });

  it('refuses to run without scoring code rather than version everything alike', async () => {
    const root = await tree({ 'http/app.ts': 'export {};' });
    expect(() => scoringVersion(NO_LLM, root)).toThrow(`No scoring code found under ${root}`);
  });
});
