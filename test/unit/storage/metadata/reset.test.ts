import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResetConflictError } from '../../../../src/domain/errors.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import { artifactRecord, at, auditEntry, memoryStore, userRecord } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

const admin = userRecord('root', { isAdmin: true, passwordHash: 'fresh' });

describe('reset', () => {
  it('moves the generation on when it starts and again when it ends, refusing writes between', async () => {
    const before = await store.writeGeneration();
    await store.beginReset(admin);
    await expect(store.writeGeneration()).rejects.toThrow(
      new ResetConflictError('The registry is being reset; retry when it has finished.'),
    );
    await store.endReset();
    const after = await store.writeGeneration();
    expect(after).toBe(before + 2);
  });

  it('empties the registry’s content, keeps the admin’s tokens, settings, security trail and upstream cache', async () => {
    await store.insertUser(userRecord('root', { isAdmin: true }));
    await store.insertUser(userRecord('bob'));
    await store.insertToken({ id: 'root-t', userName: 'root', expiresAt: at(60), maxUses: 9 });
    await store.insertToken({ id: 'bob-t', userName: 'bob', expiresAt: at(60), maxUses: 9 });
    await store.insertArtifact(artifactRecord('a'));
    await store.appendAudit(auditEntry('a', 'CREATE'));
    await store.addSignInFailure('bob', at(0), at(-10));
    await store.transactions.open({ id: 'tx', owner: 'bob', createdAt: at(0), expiresAt: at(60) });
    await store.workloads.insert({
      id: 'w',
      status: 'done',
      parameters: { clients: 1, models: 1, modelSizeMb: 1 },
      startedBy: 'root',
      completed: 1,
      total: 1,
      startedAt: at(0),
      finishedAt: at(1),
      updatedAt: at(1),
      components: { metadata: 'sqlite', blobs: 'fs' },
      results: null,
      error: null,
    });
    await store.getOrCreateSetting('k', () => 'v');
    await store.appendSecurityEvent({
      date: at(0),
      action: 'SIGN_IN',
      outcome: 'success',
      actor: 'bob',
      subject: null,
      address: null,
      detail: null,
    });
    await store.putUpstreamAnswer(
      { key: 'q', etag: 'e', status: 200, headers: [], body: 'b', usedAt: at(0) },
      1_000,
    );

    await store.withResetLock(async () => {
      await store.beginReset(admin);
      await store.endReset();
    });

    expect((await store.listUsers({ limit: 10 })).items).toEqual([admin]);
    expect(await store.consumeToken('root-t', at(0))).toBe(true);
    expect(await store.consumeToken('bob-t', at(0))).toBe(false);
    expect(await store.getArtifact('a')).toBeNull();
    expect((await store.listAudit('a', { limit: 10 })).items).toEqual([]);
    expect(await store.getSignInFailures('bob')).toBeNull();
    expect(await store.transactions.get('tx')).toBeNull();
    expect((await store.workloads.get('w'))?.status).toBe('done');
    expect(await store.getOrCreateSetting('k', () => 'other')).toBe('v');
    expect((await store.listSecurityEvents({ limit: 10 })).items).toHaveLength(1);
    expect((await store.getUpstreamAnswer('q'))?.body).toBe('b');
  });

  it('runs one reset at a time and hands back what the work answered', async () => {
    const log: string[] = [];
    const reset = (name: string) =>
      store.withResetLock(async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        log.push(`end ${name}`);
        return name;
      });
    expect(await Promise.all([reset('one'), reset('two')])).toEqual(['one', 'two']);
    expect(log).toEqual(['start one', 'end one', 'start two', 'end two']);
  });
});
