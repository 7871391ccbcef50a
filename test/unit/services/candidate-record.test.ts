import { describe, expect, it } from 'vitest';
import { candidateRecord } from '../../../src/services/candidate-record.js';
import type { FetchedSource } from '../../../src/sources/source.js';
import { hfModel } from '../rating/evidence-builder.js';

function source(version: string | null): FetchedSource {
  const metadata = hfModel({ repoId: 'acme/tiny' });
  return { name: 'tiny', canonicalUrl: 'https://huggingface.co/acme/tiny', version, files: [], metadata };
}

describe('candidate records', () => {
  it('describe a fetched source before anything is stored: no package, the given metadata', () => {
    const metadata = { kind: 'hf-model', repoId: 'acme/tiny', extra: 1 };
    const record = candidateRecord('model', source('v2.1.0'), metadata, 'alice');
    expect(record).toMatchObject({
      id: 'candidate',
      type: 'model',
      name: 'tiny',
      sourceUrl: 'https://huggingface.co/acme/tiny',
      packageDigest: '',
      packageSize: 0,
      facts: { files: [], readme: null, configJson: null },
      sourceMetadata: metadata,
      createdBy: 'alice',
    });
    expect(record.version?.text).toBe('v2.1.0');
    expect(record.createdAt).toEqual(record.updatedAt);
    expect(candidateRecord('dataset', source(null), metadata, 'bob').version).toBeNull();
  });
});
