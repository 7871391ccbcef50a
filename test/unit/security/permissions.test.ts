import { describe, expect, it } from 'vitest';
import { type Actor, allows, type Permission } from '../../../src/security/permissions.js';

const user = (flags: Partial<Actor> = {}): Actor => ({
  name: 'u',
  isAdmin: false,
  canUpload: false,
  canSearch: false,
  canDownload: false,
  ...flags,
});
const ALL: Permission[] = ['upload', 'search', 'download', 'admin'];
const granted = (actor: Actor) => ALL.filter((permission) => allows(actor, permission));

describe('permissions', () => {
  it('gives an administrator everything, whatever the flags say', () => {
    expect(granted(user({ isAdmin: true }))).toEqual(ALL);
  });

  it('gives a user exactly the flags it has, and never admin', () => {
    expect(granted(user())).toEqual([]);
    expect(granted(user({ canUpload: true }))).toEqual(['upload']);
    expect(granted(user({ canSearch: true }))).toEqual(['search']);
    expect(granted(user({ canDownload: true }))).toEqual(['download']);
    expect(granted(user({ canUpload: true, canSearch: true, canDownload: true }))).toEqual([
      'upload',
      'search',
      'download',
    ]);
  });
});
