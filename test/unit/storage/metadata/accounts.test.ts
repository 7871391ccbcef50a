import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LastAdminError } from '../../../../src/domain/errors.js';
import type { SecurityEvent } from '../../../../src/domain/security-event.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import { at, memoryStore, userRecord } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

const token = (id: string, userName: string, maxUses = 3, expiresAt = at(60)) => ({
  id,
  userName,
  expiresAt,
  maxUses,
});

describe('users', () => {
  it('maps every permission flag separately', async () => {
    const user = userRecord('mixed', {
      isAdmin: true,
      canUpload: false,
      canSearch: true,
      canDownload: false,
    });
    await store.insertUser(user);
    expect(await store.getUser('mixed')).toEqual(user);
  });

  it('changes only the fields given', async () => {
    await store.insertUser(userRecord('bob'));
    expect(await store.updateUser('bob', { canUpload: true })).toBe(true);
    expect(await store.getUser('bob')).toEqual(userRecord('bob', { canUpload: true }));
    expect(
      await store.updateUser('bob', {
        passwordHash: 'new',
        canSearch: false,
        canDownload: false,
        isAdmin: true,
      }),
    ).toBe(true);
    expect(await store.getUser('bob')).toEqual(
      userRecord('bob', {
        passwordHash: 'new',
        canUpload: true,
        canSearch: false,
        canDownload: false,
        isAdmin: true,
      }),
    );
    expect(await store.updateUser('nobody', { canUpload: true })).toBe(false);
  });

  it('refuses to demote or delete the last administrator, changing nothing', async () => {
    await store.insertUser(userRecord('root', { isAdmin: true }));
    await store.insertToken(token('root-token', 'root'));
    await expect(store.updateUser('root', { isAdmin: false, canUpload: true })).rejects.toBeInstanceOf(
      LastAdminError,
    );
    await expect(store.deleteUser('root')).rejects.toThrow(
      'The registry must keep at least one administrator.',
    );
    expect(await store.getUser('root')).toEqual(userRecord('root', { isAdmin: true }));
    expect(await store.consumeToken('root-token', at(0))).toBe(true);
  });

  it('lets an administrator go once another exists, and a registry without any stay so', async () => {
    await store.insertUser(userRecord('plain'));
    expect(await store.hasAdmin()).toBe(false);
    expect(await store.deleteUser('plain')).toBe(true);
    await store.insertUser(userRecord('one', { isAdmin: true }));
    await store.insertUser(userRecord('two', { isAdmin: true }));
    expect(await store.updateUser('one', { isAdmin: false })).toBe(true);
    expect(await store.hasAdmin()).toBe(true);
    expect(await store.deleteUser('nobody')).toBe(false);
  });

  it('lists users by name after the cursor, the last page without one', async () => {
    for (const name of ['carol', 'alice', 'dave', 'bob']) await store.insertUser(userRecord(name));
    const first = await store.listUsers({ limit: 3 });
    expect(first.items.map((u) => u.name)).toEqual(['alice', 'bob', 'carol']);
    expect(first.next).toBe('carol');
    expect(await store.listUsers({ after: 'carol', limit: 3 })).toEqual({
      items: [userRecord('dave')],
      next: null,
    });
    expect(await store.listUsers({ after: 'b', limit: 1 })).toEqual({
      items: [userRecord('bob')],
      next: 'bob',
    });
  });
});

describe('tokens', () => {
  it('counts uses until the budget or the expiry runs out', async () => {
    await store.insertToken(token('t', 'bob', 2, at(10)));
    expect(await store.consumeToken('t', at(0))).toBe(true);
    expect(await store.consumeToken('t', at(0))).toBe(true);
    expect(await store.consumeToken('t', at(0))).toBe(false);
    await store.insertToken(token('short', 'bob', 5, at(10)));
    expect(await store.consumeToken('short', at(10))).toBe(false);
    expect(await store.consumeToken('missing', at(0))).toBe(false);
  });

  it("revokes a user's tokens, all or all but one, and nobody else's", async () => {
    for (const id of ['b1', 'b2', 'b3']) await store.insertToken(token(id, 'bob'));
    await store.insertToken(token('c1', 'carol'));
    expect(await store.revokeTokens('bob', 'b2')).toBe(2);
    expect(await store.consumeToken('b1', at(0))).toBe(false);
    expect(await store.consumeToken('b2', at(0))).toBe(true);
    expect(await store.revokeTokens('bob')).toBe(1);
    expect(await store.revokeTokens('bob')).toBe(0);
    expect(await store.consumeToken('c1', at(0))).toBe(true);
  });
});

describe('sign-in failures', () => {
  it('counts a run per account, forgets stale runs of every account and clears on success', async () => {
    expect(await store.getSignInFailures('bob')).toBeNull();
    expect(await store.addSignInFailure('bob', at(0), at(-15))).toEqual({
      failures: 1,
      lastFailureAt: at(0),
    });
    expect(await store.addSignInFailure('bob', at(1), at(-14))).toEqual({
      failures: 2,
      lastFailureAt: at(1),
    });
    expect(await store.addSignInFailure('eve', at(2), at(-13))).toEqual({
      failures: 1,
      lastFailureAt: at(2),
    });
    // Carol's failure forgets the runs last failed before minute 2 (Bob's), whoever they belong to.
    expect(await store.addSignInFailure('carol', at(30), at(2))).toEqual({
      failures: 1,
      lastFailureAt: at(30),
    });
    expect(await store.getSignInFailures('bob')).toBeNull();
    expect(await store.getSignInFailures('eve')).toEqual({ failures: 1, lastFailureAt: at(2) });
    await store.clearSignInFailures('eve');
    expect(await store.getSignInFailures('eve')).toBeNull();
    expect(await store.getSignInFailures('carol')).not.toBeNull();
  });
});

describe('security events', () => {
  const event = (minute: number, subject: string | null): SecurityEvent => ({
    date: at(minute),
    action: 'USER_PERMISSIONS',
    outcome: minute % 2 === 0 ? 'success' : 'failure',
    actor: 'root',
    subject,
    address: minute === 0 ? null : '10.0.0.1',
    detail: minute === 0 ? null : `change ${minute}`,
  });

  it('pages newest first with the cursor, and by subject', async () => {
    for (let minute = 0; minute < 5; minute += 1)
      await store.appendSecurityEvent(event(minute, minute % 2 ? 'bob' : null));
    const first = await store.listSecurityEvents({ limit: 2 });
    expect(first.items).toEqual([event(4, null), event(3, 'bob')]);
    const second = await store.listSecurityEvents({ after: first.next ?? undefined, limit: 2 });
    expect(second.items).toEqual([event(2, null), event(1, 'bob')]);
    const last = await store.listSecurityEvents({ after: second.next ?? undefined, limit: 2 });
    expect(last).toEqual({ items: [event(0, null)], next: null });

    const bob = await store.listSecurityEvents({ limit: 1 }, 'bob');
    expect(bob.items).toEqual([event(3, 'bob')]);
    expect(await store.listSecurityEvents({ after: bob.next ?? undefined, limit: 1 }, 'bob')).toEqual({
      items: [event(1, 'bob')],
      next: null,
    });
  });
});

describe('settings', () => {
  it('creates a setting once and never asks for it again', async () => {
    let calls = 0;
    const create = () => {
      calls += 1;
      return `value-${calls}`;
    };
    expect(await store.getOrCreateSetting('signing-key', create)).toBe('value-1');
    expect(await store.getOrCreateSetting('signing-key', create)).toBe('value-1');
    expect(calls).toBe(1);
    expect(await store.getOrCreateSetting('other', create)).toBe('value-2');
  });
});
