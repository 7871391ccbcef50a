import { describe, expect, it } from 'vitest';
import { hubReferences, hubRepoIdProblem } from '../../../src/sources/hub-ids.js';

describe('hub repo ids from cards', () => {
  it.each(['squad', 'rajpurkar/squad', 'google-bert/bert-base-uncased', 'org_1/data.v2'])(
    '%s is an id',
    (name) => {
      expect(hubRepoIdProblem(name)).toBeNull();
    },
  );

  it.each([
    '../../../api/whoami-v2',
    'a/b?x=1#',
    'a#b',
    'a/../b',
    '..',
    'a/b/c',
    '/abs',
    'spaces here',
    '',
    'x'.repeat(201),
  ])('%s is refused', (name) => {
    expect(hubRepoIdProblem(name)).toMatch(/^not a hub repo id/);
  });

  it('keeps ids, deduplicated, and lists the rest with reasons', () => {
    expect(hubReferences(['bert', 'bert', '../x'], ['squad', 'a/b?x=1#'])).toEqual({
      baseModels: ['bert'],
      datasets: ['squad'],
      ignoredReferences: [
        { name: '../x', reason: expect.stringMatching(/not a hub repo id/) },
        { name: 'a/b?x=1#', reason: expect.stringMatching(/not a hub repo id/) },
      ],
    });
  });
});
