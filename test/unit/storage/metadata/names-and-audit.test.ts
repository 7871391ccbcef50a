import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MONITOR_OUTCOMES } from '../../../../src/domain/monitor.js';
import { SECURITY_ACTIONS } from '../../../../src/domain/security-event.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import { artifactRecord, at, auditEntry, memoryStore } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

describe('findByName', () => {
  it('answers artifacts of exactly that name, oldest first, up to the limit', async () => {
    await store.insertArtifact(artifactRecord('1', { name: 'bert', type: 'model' }));
    await store.insertArtifact(artifactRecord('2', { name: 'BERT' }));
    await store.insertArtifact(artifactRecord('3', { name: 'bert', type: 'dataset' }));
    await store.insertArtifact(artifactRecord('4', { name: 'bert', type: 'code' }));
    expect(await store.findByName('bert', 2)).toEqual([
      { id: '1', type: 'model', name: 'bert' },
      { id: '3', type: 'dataset', name: 'bert' },
    ]);
    expect(await store.findByName('ber', 10)).toEqual([]);
  });
});

describe('audit log', () => {
  it('pages one artifact’s entries newest first, keeping who acted and whether they were admin', async () => {
    const entries = [
      auditEntry('a', 'CREATE', 0),
      { ...auditEntry('a', 'DOWNLOAD', 1), user: { name: 'root', is_admin: true } },
      auditEntry('b', 'CREATE', 2),
      auditEntry('a', 'RATE', 3),
    ];
    for (const entry of entries) await store.appendAudit(entry);
    const first = await store.listAudit('a', { limit: 2 });
    expect(first.items).toEqual([entries[3], entries[1]]);
    const rest = await store.listAudit('a', { after: first.next ?? undefined, limit: 2 });
    expect(rest).toEqual({ items: [entries[0]], next: null });
  });
});

describe('constraint failures other than duplicates', () => {
  it('are not reported as a conflict', async () => {
    const broken = artifactRecord('x', { name: null as unknown as string });
    const failure = await store.insertArtifact(broken).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(await store.getArtifact('x')).toBeNull();
  });
});

describe('domain vocabularies round-trip through the store', () => {
  it('keeps every monitor outcome', async () => {
    for (const [i, reason] of MONITOR_OUTCOMES.entries()) {
      await store.monitors.recordDownload({
        artifactId: 'm',
        userName: 'bob',
        at: at(i),
        allowed: reason === 'exit',
        exitCode: reason === 'exit' ? 0 : null,
        reason,
        stdout: '',
        part: 'full',
        durationMs: i,
        reused: false,
      });
    }
    const { items } = await store.monitors.listDownloads('m', { limit: 10 });
    expect(items.map((d) => d.reason).reverse()).toEqual([...MONITOR_OUTCOMES]);
  });

  it('keeps every security action', async () => {
    for (const [i, action] of SECURITY_ACTIONS.entries()) {
      await store.appendSecurityEvent({
        date: at(i),
        action,
        outcome: 'success',
        actor: 'root',
        subject: null,
        address: null,
        detail: null,
      });
    }
    const { items } = await store.listSecurityEvents({ limit: 20 });
    expect(items.map((e) => e.action).reverse()).toEqual([...SECURITY_ACTIONS]);
  });
});
