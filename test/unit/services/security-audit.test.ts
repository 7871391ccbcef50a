import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecurityAudit } from '../../../src/services/security-audit.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { memoryStore } from '../support/metadata-records.js';

let store: MetadataStore;
let audit: SecurityAudit;

beforeEach(async () => {
  store = await memoryStore();
  audit = new SecurityAudit(store);
});

afterEach(() => store.close());

describe('SecurityAudit', () => {
  it('records an event with the current date, and no subject, detail or address unless given', async () => {
    const before = Date.now();
    await audit.record({ action: 'SIGN_IN', outcome: 'failure', actor: 'mallory' });
    const [event] = (await audit.list({ limit: 10 })).items;
    expect(event).toMatchObject({
      action: 'SIGN_IN',
      outcome: 'failure',
      actor: 'mallory',
      subject: null,
      detail: null,
      address: null,
    });
    expect(event?.date.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('lists newest first, page by page, and by subject', async () => {
    await audit.record({ action: 'USER_CREATE', outcome: 'success', actor: 'admin', subject: 'alice' });
    await audit.record({ action: 'USER_CREATE', outcome: 'success', actor: 'admin', subject: 'bob' });
    await audit.record({
      action: 'USER_PERMISSIONS',
      outcome: 'success',
      actor: 'admin',
      subject: 'alice',
      detail: 'can_upload',
      address: '192.0.2.1',
    });
    const first = await audit.list({ limit: 2 });
    expect(first.items.map((event) => [event.action, event.subject])).toEqual([
      ['USER_PERMISSIONS', 'alice'],
      ['USER_CREATE', 'bob'],
    ]);
    const rest = await audit.list({ limit: 2, after: first.next ?? undefined });
    expect(rest.items.map((event) => event.subject)).toEqual(['alice']);
    expect(rest.next).toBeNull();

    const aboutAlice = await audit.list({ limit: 10 }, 'alice');
    expect(aboutAlice.items.map((event) => event.action)).toEqual(['USER_PERMISSIONS', 'USER_CREATE']);
    expect(aboutAlice.items[0]).toMatchObject({ detail: 'can_upload', address: '192.0.2.1' });
  });
});
