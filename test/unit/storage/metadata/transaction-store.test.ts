import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import type { AppendLimits, TransactionCommand } from '../../../../src/storage/metadata/transaction-store.js';
import { artifactRecord, at, memoryStore, semver } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
  await store.transactions.open({ id: 'tx', owner: 'bob', createdAt: at(0), expiresAt: at(30) });
});
afterEach(() => store.close());

const limits = (overrides: Partial<AppendLimits> = {}): AppendLimits => ({
  now: at(1),
  expiresAt: at(31),
  maxCommands: 10,
  maxStagedBytes: 1_000,
  ...overrides,
});

function create(id: string, size = 100): TransactionCommand {
  return {
    op: 'create',
    artifact: { id, type: 'model', name: `name-${id}` },
    expectedUpdatedAt: null,
    record: artifactRecord(id, { packageSize: size, packageDigest: `staged-${id}` }),
    rating: { net_score: 0.9 },
  };
}

function remove(id: string): TransactionCommand {
  return {
    op: 'delete',
    artifact: { id, type: 'code', name: `name-${id}` },
    expectedUpdatedAt: at(-5),
    record: null,
    rating: null,
  };
}

describe('transaction store', () => {
  it('opens an empty transaction', async () => {
    expect(await store.transactions.get('tx')).toEqual({
      id: 'tx',
      owner: 'bob',
      state: 'open',
      createdAt: at(0),
      expiresAt: at(30),
      commandCount: 0,
      stagedBytes: 0,
      result: null,
    });
    expect(await store.transactions.get('other')).toBeNull();
    expect(await store.transactions.commands('tx')).toEqual([]);
  });

  it('keeps each command as appended, with its record, rating and expected version', async () => {
    const staged: TransactionCommand = {
      ...create('m'),
      op: 'update',
      expectedUpdatedAt: at(-1),
      record: artifactRecord('m', {
        version: semver('1.2.3-beta'),
        facts: { files: [], readme: 'hello', configJson: null },
        sourceMetadata: { kind: 'upload' },
      }),
    };
    const withoutRating = { ...create('n'), rating: undefined };
    expect(await store.transactions.append('tx', staged, limits())).toBe('appended');
    expect(await store.transactions.append('tx', remove('gone'), limits())).toBe('appended');
    expect(await store.transactions.append('tx', withoutRating, limits())).toBe('appended');
    expect(await store.transactions.commands('tx')).toEqual([
      staged,
      remove('gone'),
      { ...withoutRating, rating: null },
    ]);
    expect(await store.transactions.get('tx')).toMatchObject({
      commandCount: 3,
      stagedBytes: 200,
      expiresAt: at(31),
    });
  });

  it('answers why an append was refused, and changes nothing then', async () => {
    const tx = store.transactions;
    expect(await tx.append('nope', create('a'), limits())).toBe('not-found');
    expect(await tx.append('tx', create('a'), limits({ now: at(30) }))).toBe('not-found');
    expect(await tx.append('tx', create('big', 1_001), limits())).toBe('too-many-bytes');
    expect(await tx.append('tx', create('a', 600), limits({ maxCommands: 1 }))).toBe('appended');
    expect(await tx.append('tx', remove('b'), limits({ maxCommands: 1 }))).toBe('too-many-commands');
    expect(await tx.append('tx', create('c', 401), limits())).toBe('too-many-bytes');
    expect(await tx.append('tx', create('c', 400), limits())).toBe('appended');
    expect(await tx.append('tx', remove('a'), limits())).toBe('artifact-already-in-transaction');
    expect(await tx.get('tx')).toMatchObject({ commandCount: 2, stagedBytes: 1_000 });
    expect((await tx.commands('tx')).map((c) => c.artifact.id)).toEqual(['a', 'c']);

    await tx.finish('tx', 'failed', { status: 409, body: 'conflict' }, at(60));
    expect(await tx.append('tx', remove('d'), limits())).toBe('not-open');
  });

  it('finishes once, keeping the first result and dropping the commands', async () => {
    await store.transactions.append('tx', create('a'), limits());
    const first = { status: 200, body: { created: ['a'] } };
    expect(await store.transactions.finish('tx', 'executed', first, at(90))).toBe(true);
    expect(await store.transactions.finish('tx', 'failed', { status: 409, body: null }, at(99))).toBe(false);
    expect(await store.transactions.get('tx')).toMatchObject({
      state: 'executed',
      result: first,
      expiresAt: at(90),
    });
    expect(await store.transactions.commands('tx')).toEqual([]);
    expect(await store.transactions.stagedPackages()).toEqual([]);
    expect(await store.transactions.finish('missing', 'executed', first, at(90))).toBe(false);
  });

  it('lists the packages staged by commands, not deletions', async () => {
    await store.transactions.append('tx', create('a', 7), limits());
    await store.transactions.append('tx', remove('b'), limits());
    expect(await store.transactions.stagedPackages()).toEqual([
      {
        transactionId: 'tx',
        artifact: { id: 'a', type: 'model', name: 'name-a' },
        packageDigest: 'staged-a',
        packageSize: 7,
      },
    ]);
  });

  it('forgets expired transactions oldest first up to the limit, answering each staged digest once', async () => {
    await store.transactions.open({ id: 'later', owner: 'bob', createdAt: at(0), expiresAt: at(40) });
    await store.transactions.open({ id: 'live', owner: 'bob', createdAt: at(0), expiresAt: at(100) });
    await store.transactions.append('tx', create('a'), limits());
    await store.transactions.append('tx', remove('b'), limits());
    const sameDigest = { ...create('c'), record: artifactRecord('c', { packageDigest: 'staged-a' }) };
    await store.transactions.append('later', sameDigest, limits({ expiresAt: at(40) }));

    expect(await store.transactions.expire(at(50), 1)).toEqual(['staged-a']);
    expect(await store.transactions.get('tx')).toBeNull();
    expect(await store.transactions.get('later')).not.toBeNull();
    expect(await store.transactions.expire(at(50), 10)).toEqual(['staged-a']);
    expect(await store.transactions.get('later')).toBeNull();
    expect(await store.transactions.expire(at(50), 10)).toEqual([]);
    expect(await store.transactions.get('live')).not.toBeNull();
  });
});
