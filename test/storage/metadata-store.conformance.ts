import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord, ArtifactType, AuditEntry, ParsedVersion } from '../../src/domain/artifact.js';
import { BadRequestError, ConflictError, LastAdminError } from '../../src/domain/errors.js';
import { compileSearchPattern } from '../../src/search/regex.js';
import { requiredText, type TextQuery } from '../../src/search/required-text.js';
import type {
  ArtifactQuerySpec,
  MetadataStore,
  Page,
  PageRequest,
  SearchCandidate,
  UserRecord,
  VersionComparator,
  VersionFilter,
} from '../../src/storage/metadata/metadata-store.js';
import type { AppendLimits, TransactionCommand } from '../../src/storage/metadata/transaction-store.js';

export interface StoreUnderTest {
  store: MetadataStore;
  cleanup(): Promise<void>;
}

const CREATED = new Date('2024-07-11T14:22:05.123Z');

function version(text: string): ParsedVersion {
  const [core = '', pre] = text.split('-');
  const [major = 0, minor = 0, patch = 0] = core.split('.').map(Number);
  return { text, major, minor, patch, prerelease: pre !== undefined };
}

function artifact(id: string, overrides: Partial<ArtifactRecord> = {}): ArtifactRecord {
  return {
    id,
    type: 'model',
    name: `name-${id}`,
    sourceUrl: `https://huggingface.co/org/${id}`,
    version: null,
    packageDigest: `digest-${id}`,
    packageSize: 1234,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata: {},
    createdBy: 'alice',
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

function user(name: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    name,
    passwordHash: `hash-of-${name}`,
    isAdmin: false,
    canUpload: true,
    canSearch: true,
    canDownload: false,
    createdAt: CREATED,
    ...overrides,
  };
}

function audit(artifactId: string, action: AuditEntry['action'], minute: number): AuditEntry {
  return {
    artifact: { id: artifactId, name: `name-${artifactId}`, type: 'model' },
    user: { name: 'alice', is_admin: minute % 2 === 0 },
    action,
    date: new Date(CREATED.getTime() + minute * 60_000),
  };
}

const ids = (page: Page<{ id: string }> | { id: string }[]) =>
  ('items' in page ? page.items : page).map((a) => a.id);

/** Follows `next` cursors until the last page; returns every page. */
async function allPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let after: string | undefined;
  do {
    const page = await fetch({ after, limit });
    pages.push(page);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return pages;
}

/**
 * The behaviour every MetadataStore adapter must share. `make` returns a fresh, migrated, empty
 * store; `cleanup` disposes of it.
 */
export function describeMetadataStoreConformance(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: MetadataStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    describe('lifecycle', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('migrates again without harm and keeps data', async () => {
        await store.insertArtifact(artifact('a1'));
        await store.migrate();
        await store.migrate();
        expect((await store.getArtifact('a1'))?.id).toBe('a1');
      });
    });

    describe('artifacts', () => {
      it('round-trips every field', async () => {
        const record = artifact('full', {
          type: 'dataset',
          name: 'bookcorpus',
          version: version('1.2.3-rc.1'),
          packageSize: 21_474_836_480,
          facts: {
            files: [
              {
                path: 'model.safetensors',
                size: 5_000_000_000,
                compressedSize: 4_900_000_000,
                aspect: 'weights',
              },
              { path: 'README.md', size: 10, compressedSize: 8, aspect: 'docs' },
            ],
            readme: '# Book corpus\nünïcödé ✓',
            configJson: '{"architectures":["Bert"]}',
          },
          sourceMetadata: { downloads: 42, tags: ['a', 'b'], card: { license: 'mit', nested: null } },
          createdAt: new Date('2023-01-02T03:04:05.678Z'),
          updatedAt: new Date('2024-05-06T07:08:09.012Z'),
        });
        await store.insertArtifact(record);
        expect(await store.getArtifact('full')).toEqual(record);
      });

      it('round-trips an artifact without version or readme', async () => {
        const record = artifact('bare');
        await store.insertArtifact(record);
        const stored = await store.getArtifact('bare');
        expect(stored).toEqual(record);
        expect(stored?.version).toBeNull();
        expect(stored?.facts.readme).toBeNull();
      });

      it('answers null for an unknown id', async () => {
        expect(await store.getArtifact('missing')).toBeNull();
      });

      it('refuses a duplicate id with ConflictError', async () => {
        await store.insertArtifact(artifact('dup'));
        await expect(store.insertArtifact(artifact('dup', { name: 'other' }))).rejects.toBeInstanceOf(
          ConflictError,
        );
      });

      it('replaces content when updatedAt matches, refuses a stale one', async () => {
        const original = artifact('r1', { version: version('1.0.0') });
        await store.insertArtifact(original);
        const updated = artifact('r1', {
          name: 'renamed',
          version: version('2.0.0'),
          packageDigest: 'digest-new',
          updatedAt: new Date(CREATED.getTime() + 1000),
        });
        expect(await store.replaceArtifact(updated, original.updatedAt)).toBe(true);
        expect(await store.getArtifact('r1')).toEqual(updated);

        const lost = artifact('r1', { name: 'lost-update' });
        expect(await store.replaceArtifact(lost, original.updatedAt)).toBe(false);
        expect(await store.getArtifact('r1')).toEqual(updated);
      });

      it('replace of an unknown id answers false', async () => {
        expect(await store.replaceArtifact(artifact('ghost'), CREATED)).toBe(false);
        expect(await store.getArtifact('ghost')).toBeNull();
      });

      it('delete returns the record once', async () => {
        const record = artifact('d1', { version: version('0.1.0') });
        await store.insertArtifact(record);
        expect(await store.deleteArtifact('d1')).toEqual(record);
        expect(await store.getArtifact('d1')).toBeNull();
        expect(await store.deleteArtifact('d1')).toBeNull();
      });

      it('counts artifacts per package digest', async () => {
        await store.insertArtifact(artifact('c1', { packageDigest: 'shared' }));
        await store.insertArtifact(artifact('c2', { packageDigest: 'shared' }));
        await store.insertArtifact(artifact('c3', { packageDigest: 'own' }));
        expect(await store.countByDigest('shared')).toBe(2);
        expect(await store.countByDigest('own')).toBe(1);
        expect(await store.countByDigest('none')).toBe(0);
        await store.deleteArtifact('c1');
        expect(await store.countByDigest('shared')).toBe(1);
      });

      it('scans every package reference in registry order, a page at a time', async () => {
        await store.insertArtifact(artifact('p1', { packageDigest: 'shared', packageSize: 10 }));
        await store.insertArtifact(
          artifact('p2', { packageDigest: 'shared', packageSize: 10, type: 'code' }),
        );
        await store.insertArtifact(artifact('p3', { packageDigest: 'own', packageSize: 7 }));
        const pages = await allPages((page) => store.scanPackageReferences(page), 2);
        expect(pages.map((page) => page.items.length)).toEqual([2, 1]);
        expect(pages.flatMap((page) => page.items)).toEqual([
          { id: 'p1', type: 'model', name: 'name-p1', packageDigest: 'shared', packageSize: 10 },
          { id: 'p2', type: 'code', name: 'name-p2', packageDigest: 'shared', packageSize: 10 },
          { id: 'p3', type: 'model', name: 'name-p3', packageDigest: 'own', packageSize: 7 },
        ]);
      });
    });

    describe('queryArtifacts', () => {
      const query = (queries: ArtifactQuerySpec[], limit = 100) => store.queryArtifacts(queries, { limit });

      beforeEach(async () => {
        const rows: [string, string, ArtifactType][] = [
          ['q1', 'bert', 'model'],
          ['q2', 'squad', 'dataset'],
          ['q3', 'bert', 'code'],
          ['q4', 'gpt', 'model'],
          ['q5', 'bert', 'model'],
        ];
        for (const [id, name, type] of rows) await store.insertArtifact(artifact(id, { name, type }));
      });

      it('matches an exact name in registry order', async () => {
        const page = await query([{ name: 'bert' }]);
        expect(page.items).toEqual([
          { id: 'q1', name: 'bert', type: 'model' },
          { id: 'q3', name: 'bert', type: 'code' },
          { id: 'q5', name: 'bert', type: 'model' },
        ]);
        expect(page.next).toBeNull();
        expect(ids(await query([{ name: 'BERT' }]))).toEqual([]);
      });

      it("matches every artifact with '*'", async () => {
        expect(ids(await query([{ name: '*' }]))).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
      });

      it('filters by types', async () => {
        expect(ids(await query([{ name: '*', types: ['model'] }]))).toEqual(['q1', 'q4', 'q5']);
        expect(ids(await query([{ name: 'bert', types: ['code', 'dataset'] }]))).toEqual(['q3']);
      });

      it('unions several queries without duplicates', async () => {
        const page = await query([{ name: 'bert' }, { name: '*', types: ['model'] }, { name: 'squad' }]);
        expect(ids(page)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
      });

      it('pages a union of overlapping queries and types in registry order, each artifact once', async () => {
        const specs: ArtifactQuerySpec[] = [
          { name: 'bert', types: ['model', 'code'] },
          { name: '*', types: ['model', 'dataset'] },
          { name: 'gpt' },
        ];
        const pages = await allPages((page) => store.queryArtifacts(specs, page), 2);
        expect(pages.map((p) => ids(p))).toEqual([['q1', 'q2'], ['q3', 'q4'], ['q5']]);
      });

      it('answers an empty page for no queries', async () => {
        expect(await query([])).toEqual({ items: [], next: null });
      });

      it('pages by keyset over several pages without gaps or duplicates', async () => {
        for (let i = 0; i < 7; i++) await store.insertArtifact(artifact(`p${i}`, { name: 'paged' }));
        const pages = await allPages((page) => store.queryArtifacts([{ name: 'paged' }], page), 3);
        expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
        expect(pages.flatMap((p) => ids(p))).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
        expect(pages.at(-1)?.next).toBeNull();
      });

      it('keeps the order stable while artifacts are added and removed between pages', async () => {
        for (let i = 0; i < 6; i++) await store.insertArtifact(artifact(`s${i}`, { name: 'stable' }));
        const first = await store.queryArtifacts([{ name: 'stable' }], { limit: 2 });
        await store.deleteArtifact('s0');
        await store.deleteArtifact('s3');
        await store.insertArtifact(artifact('s6', { name: 'stable' }));
        const rest = await allPages(
          (page) =>
            store.queryArtifacts([{ name: 'stable' }], { ...page, after: page.after ?? first.next ?? '' }),
          2,
        );
        expect([...ids(first), ...rest.flatMap((p) => ids(p))]).toEqual(['s0', 's1', 's2', 's4', 's5', 's6']);
      });

      it('answers no next cursor when the last page is exactly full', async () => {
        const page = await store.queryArtifacts([{ name: 'bert' }], { limit: 3 });
        expect(page.items).toHaveLength(3);
        expect(page.next).toBeNull();
      });

      it.each(['abc', '-1', '1.5', '', ' 1', '1e3', '99999999999999999999'])(
        'rejects the malformed cursor %j',
        async (after) => {
          const attempt = store.queryArtifacts([{ name: '*' }], { after, limit: 10 });
          await expect(attempt).rejects.toBeInstanceOf(BadRequestError);
          await expect(attempt).rejects.toThrow('invalid offset');
        },
      );
    });

    describe('version filters', () => {
      const VERSIONS = ['0.9.9', '1.0.0', '1.2.3', '1.2.4', '1.3.0', '2.0.0-beta.1', '2.0.0', '10.0.0'];

      beforeEach(async () => {
        for (const text of VERSIONS) {
          await store.insertArtifact(artifact(`v${text}`, { name: 'lib', version: version(text) }));
        }
        await store.insertArtifact(artifact('unversioned', { name: 'lib' }));
      });

      const cmp = (op: VersionComparator['op'], text: string): VersionComparator => {
        const { major, minor, patch } = version(text);
        return { op, major, minor, patch };
      };
      const matching = async (filter: VersionFilter) => {
        const page = await store.queryArtifacts([{ name: 'lib', version: filter }], { limit: 100 });
        return ids(page).map((id) => id.slice(1));
      };
      const single = (comparator: VersionComparator, includePrerelease = false) =>
        matching({ anyOf: [[comparator]], includePrerelease });

      it.each([
        ['=', '1.2.3', ['1.2.3']],
        ['=', '1.2.5', []],
        ['>', '1.2.3', ['1.2.4', '1.3.0', '2.0.0', '10.0.0']],
        ['>', '1.2.9', ['1.3.0', '2.0.0', '10.0.0']],
        ['>', '1.9.9', ['2.0.0', '10.0.0']],
        ['>=', '1.2.4', ['1.2.4', '1.3.0', '2.0.0', '10.0.0']],
        ['<', '1.2.4', ['0.9.9', '1.0.0', '1.2.3']],
        ['<', '1.3.0', ['0.9.9', '1.0.0', '1.2.3', '1.2.4']],
        ['<', '2.0.0', ['0.9.9', '1.0.0', '1.2.3', '1.2.4', '1.3.0']],
        ['<=', '1.0.0', ['0.9.9', '1.0.0']],
        ['<=', '0.9.8', []],
      ] as const)('%s %s', async (op, text, expected) => {
        expect(await single(cmp(op, text))).toEqual(expected);
      });

      it('compares numerically, not as text', async () => {
        expect(await single(cmp('>', '9.0.0'))).toEqual(['10.0.0']);
      });

      it('requires every comparator of a set', async () => {
        const filter = { anyOf: [[cmp('>=', '1.0.0'), cmp('<', '1.3.0')]], includePrerelease: false };
        expect(await matching(filter)).toEqual(['1.0.0', '1.2.3', '1.2.4']);
      });

      it('accepts any of several sets', async () => {
        const filter = {
          anyOf: [[cmp('<', '1.0.0')], [cmp('=', '1.3.0')], [cmp('>=', '10.0.0')]],
          includePrerelease: false,
        };
        expect(await matching(filter)).toEqual(['0.9.9', '1.3.0', '10.0.0']);
      });

      it('excludes prereleases unless asked', async () => {
        expect(await single(cmp('>=', '2.0.0'))).toEqual(['2.0.0', '10.0.0']);
        expect(await single(cmp('=', '2.0.0'), true)).toEqual(['2.0.0-beta.1', '2.0.0']);
      });

      it('matches every versioned artifact with an unconstrained set, never an unversioned one', async () => {
        const stable = VERSIONS.filter((v) => !v.includes('-'));
        expect(await matching({ anyOf: [[]], includePrerelease: false })).toEqual(stable);
        expect(await matching({ anyOf: [[]], includePrerelease: true })).toEqual(VERSIONS);
      });

      it('handles version numbers beyond 32 bits', async () => {
        const huge = artifact('huge', { name: 'big', version: version('5000000000.0.1') });
        await store.insertArtifact(huge);
        expect(await store.getArtifact('huge')).toEqual(huge);
        const filter = { anyOf: [[cmp('>', '4999999999.9.9')]], includePrerelease: false };
        const page = await store.queryArtifacts([{ name: 'big', version: filter }], { limit: 10 });
        expect(ids(page)).toEqual(['huge']);
      });

      it('matches nothing with no sets', async () => {
        expect(await matching({ anyOf: [], includePrerelease: true })).toEqual([]);
      });

      it('unions a version query with an unversioned one', async () => {
        const page = await store.queryArtifacts(
          [
            { name: 'lib', version: { anyOf: [[cmp('=', '1.0.0')]], includePrerelease: false } },
            { name: 'lib', types: ['model'] },
          ],
          { limit: 100 },
        );
        expect(page.items).toHaveLength(VERSIONS.length + 1);
      });
    });

    describe('name and search scans', () => {
      it('finds by name up to the limit', async () => {
        for (let i = 0; i < 4; i++) await store.insertArtifact(artifact(`n${i}`, { name: 'same' }));
        await store.insertArtifact(artifact('other', { name: 'different' }));
        expect(ids(await store.findByName('same', 3))).toEqual(['n0', 'n1', 'n2']);
        expect(ids(await store.findByName('same', 10))).toEqual(['n0', 'n1', 'n2', 'n3']);
        expect(await store.findByName('nobody', 10)).toEqual([]);
      });

      it('scans names and readmes in pages', async () => {
        for (let i = 0; i < 5; i++) {
          const facts = { files: [], readme: i === 2 ? null : `readme ${i}`, configJson: null };
          await store.insertArtifact(artifact(`m${i}`, { facts }));
        }
        const pages = await allPages((page) => store.scanSearchCandidates(page), 2);
        expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
        expect(pages.flatMap((p) => p.items)).toEqual(
          [0, 1, 2, 3, 4].map((i) => ({
            id: `m${i}`,
            name: `name-m${i}`,
            type: 'model',
            readme: i === 2 ? null : `readme ${i}`,
          })),
        );
        await expect(store.scanSearchCandidates({ after: 'x', limit: 2 })).rejects.toThrow('invalid offset');
      });

      it('narrows a scan to the text a pattern requires, missing no artifact the pattern matches', async () => {
        const texts: [string, string | null][] = [
          ['kelvin-model', 'Temperatures in KELVIN.'],
          ['scales', '\u212aelvin, with the Kelvin sign'],
          ['stra\u00dfe', null],
          ['quote"d', 'has 100% of a_b and back\\slash'],
          ['plain', 'nothing here'],
          ['ABC-upper', null],
          ['edited', 'the first text'],
          ['removed', 'deleted text'],
        ];
        for (const [i, [name, readme]] of texts.entries()) {
          await store.insertArtifact(
            artifact(`t${i}`, { name, facts: { files: [], readme, configJson: null } }),
          );
        }
        // The index follows updates and deletions.
        const edited = await store.getArtifact('t6');
        if (!edited) throw new Error('t6 was just inserted');
        const facts = { ...edited.facts, readme: 'the replaced text' };
        expect(await store.replaceArtifact({ ...edited, facts }, edited.updatedAt)).toBe(true);
        await store.deleteArtifact('t7');

        const scan = async (required: TextQuery | null) =>
          (await allPages((page) => store.scanSearchCandidates(page, required), 2)).flatMap((p) => p.items);
        const everything = await scan(null);
        const patterns = [
          '(?i)kelvin',
          'KELVIN',
          'stra\u00dfe',
          'quote"d',
          '100% of a_b',
          'back\\\\slash',
          '(?i)abc-upper',
          'nothing|kelvin',
          'Temperature.*KELVIN',
          'replaced text',
          'first text',
          'deleted text',
        ];
        for (const source of patterns) {
          const required = requiredText(source);
          expect(required, source).not.toBeNull();
          const pattern = compileSearchPattern(source, { maxLength: 1024, maxProgramSize: 1000 });
          const matching = (items: SearchCandidate[]) =>
            ids(items.filter((c) => pattern.test(c.name) || (c.readme !== null && pattern.test(c.readme))));
          const candidates = await scan(required);
          expect(matching(candidates), source).toEqual(matching(everything));
          expect(candidates.length, source).toBeLessThan(everything.length);
        }
      });
    });

    describe('audit log', () => {
      it('lists one artifact’s entries newest first, a page at a time', async () => {
        await store.appendAudit(audit('a1', 'CREATE', 0));
        await store.appendAudit(audit('a2', 'CREATE', 1));
        await store.appendAudit(audit('a1', 'DOWNLOAD', 2));
        await store.appendAudit(audit('a1', 'RATE', 3));
        const all = await store.listAudit('a1', { limit: 10 });
        expect(all).toEqual({
          items: [audit('a1', 'RATE', 3), audit('a1', 'DOWNLOAD', 2), audit('a1', 'CREATE', 0)],
          next: null,
        });
        const first = await store.listAudit('a1', { limit: 2 });
        expect(first.items.map((e) => e.action)).toEqual(['RATE', 'DOWNLOAD']);
        expect(first.next).not.toBeNull();
        // Entries appended after the first page do not shift the older pages.
        await store.appendAudit(audit('a1', 'UPDATE', 4));
        const second = await store.listAudit('a1', { after: first.next ?? undefined, limit: 2 });
        expect(second).toEqual({ items: [audit('a1', 'CREATE', 0)], next: null });
        expect(await store.listAudit('none', { limit: 10 })).toEqual({ items: [], next: null });
        await expect(store.listAudit('a1', { after: 'x', limit: 2 })).rejects.toThrow('invalid offset');
      });
    });

    describe('users', () => {
      it('inserts, reads and deletes a user', async () => {
        const admin = user('root', { isAdmin: true, canDownload: true, canUpload: false });
        // Another admin, so deleting root does not remove the last one.
        await store.insertUser(user('spare', { isAdmin: true }));
        await store.insertUser(admin);
        expect(await store.getUser('root')).toEqual(admin);
        expect(await store.getUser('nobody')).toBeNull();
        await expect(store.insertUser(user('root'))).rejects.toBeInstanceOf(ConflictError);
        expect(await store.deleteUser('root')).toBe(true);
        expect(await store.getUser('root')).toBeNull();
        expect(await store.deleteUser('root')).toBe(false);
      });

      it("revokes a deleted user's tokens and only theirs", async () => {
        const expiresAt = new Date(Date.now() + 3_600_000);
        await store.insertUser(user('bob'));
        await store.insertUser(user('carol'));
        await store.insertToken({ id: 'bob-1', userName: 'bob', expiresAt, maxUses: 5 });
        await store.insertToken({ id: 'carol-1', userName: 'carol', expiresAt, maxUses: 5 });
        await store.deleteUser('bob');
        expect(await store.consumeToken('bob-1', new Date())).toBe(false);
        expect(await store.consumeToken('carol-1', new Date())).toBe(true);
      });
    });

    describe('user administration', () => {
      it('lists users in name order, one page at a time', async () => {
        for (const name of ['carl', 'abe', 'bea']) await store.insertUser(user(name));
        const first = await store.listUsers({ limit: 2 });
        expect(first.items.map((u) => u.name)).toEqual(['abe', 'bea']);
        expect(first.next).toBe('bea');
        expect(await store.listUsers({ limit: 2, after: 'bea' })).toEqual({
          items: [user('carl')],
          next: null,
        });
      });

      it('updates flags and hashes, and refuses to leave no administrator', async () => {
        await store.insertUser(user('root', { isAdmin: true }));
        await store.insertUser(user('ops'));
        expect(await store.updateUser('ops', { isAdmin: true, canDownload: true, passwordHash: 'h2' })).toBe(
          true,
        );
        expect(await store.getUser('ops')).toEqual(
          user('ops', { isAdmin: true, canDownload: true, passwordHash: 'h2' }),
        );
        expect(await store.updateUser('nobody', { canSearch: true })).toBe(false);
        expect(await store.updateUser('root', { isAdmin: false })).toBe(true);
        await expect(store.updateUser('ops', { isAdmin: false })).rejects.toBeInstanceOf(LastAdminError);
        await expect(store.deleteUser('ops')).rejects.toBeInstanceOf(LastAdminError);
        expect((await store.getUser('ops'))?.isAdmin).toBe(true);
      });

      it('keeps an administrator when two demote each other at once', async () => {
        await store.insertUser(user('a1', { isAdmin: true }));
        await store.insertUser(user('a2', { isAdmin: true }));
        const results = await Promise.allSettled([
          store.updateUser('a1', { isAdmin: false }),
          store.deleteUser('a2'),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const left = [await store.getUser('a1'), await store.getUser('a2')].filter((u) => u?.isAdmin);
        expect(left).toHaveLength(1);
      });

      it("revokes a user's tokens except the one named", async () => {
        const expiresAt = new Date(Date.now() + 3_600_000);
        for (const id of ['k1', 'k2', 'k3'])
          await store.insertToken({ id, userName: 'kim', expiresAt, maxUses: 5 });
        await store.insertToken({ id: 'other', userName: 'lee', expiresAt, maxUses: 5 });
        expect(await store.revokeTokens('kim', 'k2')).toBe(2);
        expect(await store.consumeToken('k1', new Date())).toBe(false);
        expect(await store.consumeToken('k2', new Date())).toBe(true);
        expect(await store.consumeToken('other', new Date())).toBe(true);
      });

      it('counts failed sign-ins, forgets old runs and clears on request', async () => {
        const t0 = new Date('2026-01-01T00:00:00.000Z');
        const at = (ms: number) => new Date(t0.getTime() + ms);
        expect(await store.getSignInFailures('mo')).toBeNull();
        await store.addSignInFailure('mo', t0, at(-1000));
        expect(await store.addSignInFailure('mo', at(10), at(-1000))).toEqual({
          failures: 2,
          lastFailureAt: at(10),
        });
        const burst = await Promise.all(
          Array.from({ length: 8 }, () => store.addSignInFailure('mo', at(20), at(-1000))),
        );
        expect(Math.max(...burst.map((b) => b.failures))).toBe(10);
        // A run whose last failure is older than forgetBefore starts again.
        expect(await store.addSignInFailure('mo', at(5000), at(1000))).toEqual({
          failures: 1,
          lastFailureAt: at(5000),
        });
        await store.clearSignInFailures('mo');
        expect(await store.getSignInFailures('mo')).toBeNull();
      });

      it('appends security events and lists them newest first, by subject', async () => {
        const event = (minute: number, subject: string) => ({
          date: new Date(Date.UTC(2026, 0, 1, 0, minute)),
          action: 'SIGN_IN' as const,
          outcome: 'success' as const,
          actor: subject,
          subject,
          address: '10.0.0.1',
          detail: null,
        });
        for (let m = 0; m < 5; m++) await store.appendSecurityEvent(event(m, m % 2 ? 'odd' : 'even'));
        const first = await store.listSecurityEvents({ limit: 2 });
        expect(first.items).toEqual([event(4, 'even'), event(3, 'odd')]);
        const rest = await store.listSecurityEvents({ limit: 10, after: first.next ?? '' });
        expect(rest.items.map((e) => e.date.getUTCMinutes())).toEqual([2, 1, 0]);
        expect((await store.listSecurityEvents({ limit: 10 }, 'odd')).items.map((e) => e.subject)).toEqual([
          'odd',
          'odd',
        ]);
        await store.beginReset(user('admin', { isAdmin: true }));
        await store.endReset();
        expect((await store.listSecurityEvents({ limit: 10 })).items).toHaveLength(5);
      });
    });

    describe('tokens', () => {
      const now = new Date('2025-01-01T00:00:00.000Z');
      const later = new Date(now.getTime() + 60_000);

      it('counts uses up to maxUses', async () => {
        await store.insertToken({ id: 't1', userName: 'alice', expiresAt: later, maxUses: 3 });
        const results = [];
        for (let i = 0; i < 5; i++) results.push(await store.consumeToken('t1', now));
        expect(results).toEqual([true, true, true, false, false]);
      });

      it('refuses an expired token', async () => {
        await store.insertToken({ id: 't2', userName: 'alice', expiresAt: later, maxUses: 3 });
        expect(await store.consumeToken('t2', later)).toBe(false);
        expect(await store.consumeToken('t2', new Date(later.getTime() - 1))).toBe(true);
      });

      it('refuses an unknown token', async () => {
        expect(await store.consumeToken('nope', now)).toBe(false);
      });

      it('refuses a duplicate token id', async () => {
        await store.insertToken({ id: 't3', userName: 'alice', expiresAt: later, maxUses: 1 });
        await expect(
          store.insertToken({ id: 't3', userName: 'bob', expiresAt: later, maxUses: 1 }),
        ).rejects.toBeInstanceOf(ConflictError);
      });

      it('never exceeds maxUses under concurrent consumption', async () => {
        await store.insertToken({ id: 'hot', userName: 'alice', expiresAt: later, maxUses: 7 });
        const results = await Promise.all(Array.from({ length: 40 }, () => store.consumeToken('hot', now)));
        expect(results.filter(Boolean)).toHaveLength(7);
      });
    });

    describe('settings', () => {
      it('creates a setting once and returns it afterwards', async () => {
        expect(await store.getOrCreateSetting('jwt', () => 'first')).toBe('first');
        let called = false;
        const again = await store.getOrCreateSetting('jwt', () => {
          called = true;
          return 'second';
        });
        expect(again).toBe('first');
        expect(called).toBe(false);
        expect(await store.getOrCreateSetting('other', () => 'x')).toBe('x');
      });

      it('agrees on one value under concurrent creation', async () => {
        const values = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.getOrCreateSetting('race', () => `value-${i}`)),
        );
        expect(new Set(values).size).toBe(1);
      });
    });

    describe('withDigestLock', () => {
      it('runs work on the same digest one at a time, and other digests freely', async () => {
        const events: string[] = [];
        const hold = (tag: string) => async () => {
          events.push(`${tag}:start`);
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push(`${tag}:end`);
          return tag;
        };
        const results = await Promise.all([
          store.withDigestLock('d1', hold('a')),
          store.withDigestLock('d1', hold('b')),
          store.withDigestLock('d2', hold('c')),
        ]);
        expect(results).toEqual(['a', 'b', 'c']);
        const a = events.indexOf('a:end');
        expect(events.indexOf('b:start')).toBeGreaterThan(a);
        expect(events.indexOf('c:start')).toBeLessThan(a);
      });

      it('releases the lock when the work fails', async () => {
        await expect(
          store.withDigestLock('d3', async () => Promise.reject(new Error('boom'))),
        ).rejects.toThrow('boom');
        await expect(store.withDigestLock('d3', async () => 'again')).resolves.toBe('again');
      });
    });

    describe('group transactions', () => {
      const HOUR = 3_600_000;
      const limits = (overrides: Partial<AppendLimits> = {}): AppendLimits => ({
        now: CREATED,
        expiresAt: new Date(CREATED.getTime() + HOUR),
        maxCommands: 3,
        maxStagedBytes: 2000,
        ...overrides,
      });
      const create = (id: string, size = 500): TransactionCommand => ({
        op: 'create',
        artifact: { id, type: 'model', name: `name-${id}` },
        expectedUpdatedAt: null,
        record: artifact(id, { packageDigest: `staged-${id}`, packageSize: size }),
        rating: { net: 0.9 },
      });
      const open = (id: string) =>
        store.transactions.open({
          id,
          owner: 'alice',
          createdAt: CREATED,
          expiresAt: new Date(CREATED.getTime() + HOUR),
        });

      it('appends commands in order within the command and staged-byte limits, one per artifact', async () => {
        await open('t1');
        expect(await store.transactions.append('t1', create('a1'), limits())).toBe('appended');
        expect(await store.transactions.append('t1', create('a1'), limits())).toBe(
          'artifact-already-in-transaction',
        );
        expect(await store.transactions.append('t1', create('a2', 1600), limits())).toBe('too-many-bytes');
        expect(await store.transactions.append('t1', create('a2'), limits())).toBe('appended');
        const remove: TransactionCommand = {
          op: 'delete',
          artifact: { id: 'x', type: 'code', name: 'name-x' },
          expectedUpdatedAt: CREATED,
          record: null,
          rating: null,
        };
        expect(await store.transactions.append('t1', remove, limits())).toBe('appended');
        expect(await store.transactions.append('t1', create('a4', 1), limits())).toBe('too-many-commands');
        expect(await store.transactions.append('nope', create('a5'), limits())).toBe('not-found');
        expect(await store.transactions.get('t1')).toMatchObject({
          owner: 'alice',
          state: 'open',
          commandCount: 3,
          stagedBytes: 1000,
          result: null,
        });
        const commands = await store.transactions.commands('t1');
        expect(commands).toEqual([create('a1'), create('a2'), remove]);
        // Staged packages are named: a release keeps them, fsck counts them.
        expect(await store.countByDigest('staged-a1')).toBe(1);
        expect(
          (await store.transactions.stagedPackages()).map((staged) => staged.packageDigest).sort(),
        ).toEqual(['staged-a1', 'staged-a2']);
      });

      it('finishes once: the result is kept, the commands and their package references go', async () => {
        await open('t2');
        await store.transactions.append('t2', create('b1'), limits());
        const later = new Date(CREATED.getTime() + 2 * HOUR);
        const result = { status: 200, body: { done: true } };
        expect(await store.transactions.finish('t2', 'executed', result, later)).toBe(true);
        expect(await store.transactions.finish('t2', 'failed', { status: 409, body: {} }, later)).toBe(false);
        expect(await store.transactions.get('t2')).toMatchObject({
          state: 'executed',
          result,
          expiresAt: later,
        });
        expect(await store.transactions.commands('t2')).toEqual([]);
        expect(await store.countByDigest('staged-b1')).toBe(0);
        expect(await store.transactions.append('t2', create('b2'), limits())).toBe('not-open');
      });

      it('forgets expired transactions, answering the packages their commands staged', async () => {
        await open('old');
        await open('young');
        // Appending sets the expiry; this one's is already reached.
        expect(await store.transactions.append('old', create('c1'), limits({ expiresAt: CREATED }))).toBe(
          'appended',
        );
        await store.transactions.append('young', create('c2'), limits());
        expect(await store.transactions.append('old', create('c3'), limits())).toBe('not-found');
        expect(await store.transactions.expire(CREATED, 10)).toEqual(['staged-c1']);
        expect(await store.transactions.get('old')).toBeNull();
        expect(await store.transactions.get('young')).not.toBeNull();
        expect(await store.countByDigest('staged-c2')).toBe(1);
      });

      it('applies a group in one transaction: all of it or, when any part fails, none', async () => {
        await store.insertArtifact(artifact('g0'));
        const generation = await store.writeGeneration();
        await expect(
          store.withGroupLock(['d2', 'd1', 'd1'], generation, async (locked) => {
            await locked.insertArtifact(artifact('g1'));
            await locked.deleteArtifact('g0');
            throw new Error('a later part fails');
          }),
        ).rejects.toThrow('a later part fails');
        expect(await store.getArtifact('g1')).toBeNull();
        expect(await store.getArtifact('g0')).not.toBeNull();
        await store.withGroupLock(['d1'], generation, async (locked) => {
          await locked.insertArtifact(artifact('g1'));
          // Conditional on the row being unchanged: a different updated time deletes nothing.
          expect(await locked.deleteArtifact('g0', new Date(CREATED.getTime() + 1))).toBeNull();
        });
        expect(await store.getArtifact('g1')).not.toBeNull();
        expect(await store.getArtifact('g0')).not.toBeNull();
        await expect(store.withGroupLock([], generation + 1, async () => undefined)).rejects.toBeInstanceOf(
          ConflictError,
        );
      });
    });

    describe('ratings', () => {
      it('stores, replaces and returns a rating, and drops it with its artifact', async () => {
        await store.insertArtifact(artifact('r1'));
        expect(await store.getRating('r1')).toBeNull();
        const first = {
          body: { net_score: 0.5, name: 'r1' },
          inputs: 'v1',
          scoringVersion: 's1',
          computedAt: new Date(1_700_000_000_000),
        };
        await store.putRating('r1', first);
        expect(await store.getRating('r1')).toEqual(first);
        const second = {
          body: { net_score: 0.75 },
          inputs: 'v2',
          scoringVersion: 's2',
          computedAt: new Date(1_700_000_001_000),
        };
        await store.putRating('r1', second);
        expect(await store.getRating('r1')).toEqual(second);
        await store.deleteArtifact('r1');
        expect(await store.getRating('r1')).toBeNull();
      });
    });

    describe('upstream answers', () => {
      const answer = (key: string, body: string, usedAt: number) => ({
        key,
        etag: `W/"${key}"`,
        status: 200,
        headers: [
          ['content-type', 'application/json; charset=utf-8'],
          ['link', '<https://api.example/x?page=2>; rel="next"'],
        ] as [string, string][],
        body,
        usedAt: new Date(usedAt),
      });

      it('stores, replaces and returns an answer with its headers and unicode body', async () => {
        expect(await store.getUpstreamAnswer('k1')).toBeNull();
        const first = answer('k1', '{"name":"bért ✓"}', 1_700_000_000_000);
        await store.putUpstreamAnswer(first, 1 << 20);
        expect(await store.getUpstreamAnswer('k1')).toEqual(first);
        const second = { ...answer('k1', '[]', 1_700_000_005_000), etag: 'W/"k1-v2"' };
        await store.putUpstreamAnswer(second, 1 << 20);
        expect(await store.getUpstreamAnswer('k1')).toEqual(second);
      });

      it('keeps within its byte bound by dropping the least recently used answers', async () => {
        const body = 'x'.repeat(1000);
        for (let index = 0; index < 5; index += 1) {
          await store.putUpstreamAnswer(answer(`b${index}`, body, 1_700_000_000_000 + index), 3500);
        }
        const kept = await Promise.all([0, 1, 2, 3, 4].map((index) => store.getUpstreamAnswer(`b${index}`)));
        expect(kept.map((entry) => entry !== null)).toEqual([false, false, true, true, true]);
        // Using an old answer again (a revalidation) makes it the most recent.
        await store.putUpstreamAnswer(answer('b2', body, 1_700_000_000_100), 3500);
        await store.putUpstreamAnswer(answer('b5', body, 1_700_000_000_101), 3500);
        expect(await store.getUpstreamAnswer('b3')).toBeNull();
        expect(await store.getUpstreamAnswer('b2')).not.toBeNull();
      });

      it('survives a registry reset (it is a cache of public answers, not registry content)', async () => {
        await store.putUpstreamAnswer(answer('kept', '{}', 1_700_000_000_000), 1 << 20);
        await store.beginReset(user('admin', { isAdmin: true }));
        await store.endReset();
        expect(await store.getUpstreamAnswer('kept')).not.toBeNull();
      });
    });

    describe('popularity', () => {
      const access = (
        artifactId: string,
        kind: 'download' | 'search_hit' | 'view',
        user: string,
        second: number,
      ) => ({
        artifactId,
        kind,
        userName: user,
        client: `10.0.0.${second % 3}`,
        at: new Date(CREATED.getTime() + second * 1000),
      });

      it('counts downloads, distinct downloaders, search hits and views, and keeps the access log', async () => {
        await store.insertArtifact(artifact('p1'));
        expect(await store.popularity.get('p1')).toEqual({
          downloads: 0,
          downloaders: 0,
          searchHits: 0,
          views: 0,
        });
        await store.popularity.record([
          access('p1', 'search_hit', 'alice', 1),
          access('p1', 'download', 'alice', 2),
          access('p1', 'download', 'alice', 3),
        ]);
        await store.popularity.record([access('p1', 'view', 'bob', 4), access('p1', 'download', 'bob', 5)]);
        await store.popularity.record([access('p1', 'download', 'alice', 6)]);
        expect(await store.popularity.get('p1')).toEqual({
          downloads: 4,
          downloaders: 2,
          searchHits: 1,
          views: 1,
        });
        const recent = await store.popularity.recentAccess('p1', 2);
        expect(recent).toEqual([access('p1', 'download', 'alice', 6), access('p1', 'download', 'bob', 5)]);
        await store.popularity.pruneAccessBefore(new Date(CREATED.getTime() + 5000));
        expect(await store.popularity.recentAccess('p1', 10)).toHaveLength(2);
        expect((await store.popularity.get('p1')).downloads).toBe(4);
        await store.deleteArtifact('p1');
        expect(await store.popularity.get('p1')).toEqual({
          downloads: 0,
          downloaders: 0,
          searchHits: 0,
          views: 0,
        });
        expect(await store.popularity.recentAccess('p1', 10)).toEqual([]);
      });

      it('counts concurrent downloads by one new account once as a downloader', async () => {
        await store.insertArtifact(artifact('p2'));
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.popularity.record([access('p2', 'download', 'carol', i)]),
          ),
        );
        expect(await store.popularity.get('p2')).toMatchObject({ downloads: 8, downloaders: 1 });
      });

      it('scans models with their popularity and hub download counts, in pages', async () => {
        await store.insertArtifact(
          artifact('m1', {
            sourceMetadata: { kind: 'hf-model', downloads: 55_000_000, card: { text: 'x' } },
          }),
        );
        await store.insertArtifact(
          artifact('m2', { sourceUrl: 'upload:m2', sourceMetadata: { kind: 'upload' } }),
        );
        await store.insertArtifact(
          artifact('d1', { type: 'dataset', sourceMetadata: { kind: 'hf-dataset', downloads: 9 } }),
        );
        await store.popularity.record([access('m2', 'download', 'dave', 1)]);
        const first = await store.popularity.scanModels({ limit: 1 });
        const second = await store.popularity.scanModels({ after: first.next ?? undefined, limit: 1 });
        expect(second.next).toBeNull();
        expect([...first.items, ...second.items]).toEqual([
          {
            id: 'm1',
            name: 'name-m1',
            sourceUrl: 'https://huggingface.co/org/m1',
            createdBy: 'alice',
            hubDownloads: 55_000_000,
            popularity: { downloads: 0, downloaders: 0, searchHits: 0, views: 0 },
          },
          {
            id: 'm2',
            name: 'name-m2',
            sourceUrl: 'upload:m2',
            createdBy: 'alice',
            hubDownloads: null,
            popularity: { downloads: 1, downloaders: 1, searchHits: 0, views: 0 },
          },
        ]);
      });
    });

    describe('monitors', () => {
      const program = (artifactId: string, source: string) => ({
        artifactId,
        source,
        sha256: `sha-${source.length}`,
        size: source.length,
        uploadedBy: 'admin',
        uploadedAt: CREATED,
      });
      const verdict = (artifactId: string, userName: string, allowed: boolean, minute: number) => ({
        artifactId,
        userName,
        at: new Date(CREATED.getTime() + minute * 60_000),
        allowed,
        exitCode: allowed ? 0 : null,
        reason: allowed ? ('exit' as const) : ('timeout' as const),
        stdout: allowed ? 'ok\n' : '',
        part: 'full',
        durationMs: 90 + minute,
        reused: minute % 2 === 1,
      });

      it('sets, replaces, reads and deletes a model program', async () => {
        await store.insertArtifact(artifact('m1'));
        expect(await store.monitors.getProgram('m1')).toBeNull();
        await store.monitors.putProgram(program('m1', 'process.exit(1)'));
        await store.monitors.putProgram(program('m1', 'process.exit(0);'));
        expect(await store.monitors.getProgram('m1')).toEqual(program('m1', 'process.exit(0);'));
        expect(await store.monitors.deleteProgram('m1')).toBe(true);
        expect(await store.monitors.deleteProgram('m1')).toBe(false);
        expect(await store.monitors.getProgram('m1')).toBeNull();
      });

      it('pages the download history newest first, per model', async () => {
        for (let minute = 0; minute < 5; minute++)
          await store.monitors.recordDownload(verdict('m1', `user${minute}`, minute % 3 !== 0, minute));
        await store.monitors.recordDownload(verdict('m2', 'other', true, 9));
        const pages = await allPages((page) => store.monitors.listDownloads('m1', page), 2);
        expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
        expect(pages.flatMap((page) => page.items)).toEqual(
          [4, 3, 2, 1, 0].map((minute) => verdict('m1', `user${minute}`, minute % 3 !== 0, minute)),
        );
      });

      it('forgets the program with its model, and both with a reset', async () => {
        await store.insertArtifact(artifact('m1'));
        await store.insertArtifact(artifact('m2'));
        await store.monitors.putProgram(program('m1', 'a'));
        await store.monitors.putProgram(program('m2', 'b'));
        await store.monitors.recordDownload(verdict('m2', 'dave', true, 0));
        await store.deleteArtifact('m1');
        expect(await store.monitors.getProgram('m1')).toBeNull();
        await store.beginReset(user('admin', { isAdmin: true }));
        await store.endReset();
        expect(await store.monitors.getProgram('m2')).toBeNull();
        expect((await store.monitors.listDownloads('m2', { limit: 10 })).items).toEqual([]);
      });
    });

    describe('reset', () => {
      const admin = user('admin', { isAdmin: true });

      it('begins by removing artifacts, ratings, audit entries, users and tokens, keeping settings and the admin', async () => {
        const later = new Date(Date.now() + 60_000);
        await store.insertArtifact(artifact('x1', { packageDigest: 'dx' }));
        await store.appendAudit(audit('x1', 'CREATE', 0));
        await store.insertUser(user('dave'));
        await store.insertToken({ id: 'tx', userName: 'dave', expiresAt: later, maxUses: 5 });
        await store.insertToken({ id: 'kept', userName: 'admin', expiresAt: later, maxUses: 5 });
        await store.getOrCreateSetting('key', () => 'kept');
        await store.putRating('x1', { body: {}, inputs: 'i', scoringVersion: 's', computedAt: new Date() });

        await store.beginReset(admin);
        await store.endReset();

        expect(await store.getRating('x1')).toBeNull();
        expect(await store.getArtifact('x1')).toBeNull();
        expect(await store.countByDigest('dx')).toBe(0);
        expect((await store.listAudit('x1', { limit: 10 })).items).toEqual([]);
        expect(await store.getUser('dave')).toBeNull();
        expect(await store.getUser('admin')).toEqual(admin);
        expect(await store.consumeToken('tx', new Date())).toBe(false);
        expect(await store.consumeToken('kept', new Date())).toBe(true);
        expect(await store.queryArtifacts([{ name: '*' }], { limit: 10 })).toEqual({ items: [], next: null });
        expect(await store.getOrCreateSetting('key', () => 'new')).toBe('kept');

        await store.insertArtifact(artifact('x1'));
        expect((await store.getArtifact('x1'))?.id).toBe('x1');
      });

      it('refuses writes while it runs, and fenced writes that started before it', async () => {
        const before = await store.writeGeneration();
        await store.beginReset(admin);
        await expect(store.writeGeneration()).rejects.toBeInstanceOf(ConflictError);
        const late = { startedIn: before, audit: audit('late', 'CREATE', 0) };
        await expect(store.insertArtifact(artifact('late'), late)).rejects.toBeInstanceOf(ConflictError);
        await store.endReset();
        await expect(store.insertArtifact(artifact('late'), late)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getArtifact('late')).toBeNull();
        expect((await store.listAudit('late', { limit: 10 })).items).toEqual([]);

        const after = await store.writeGeneration();
        expect(after).not.toBe(before);
        await store.insertArtifact(artifact('late'), { startedIn: after, audit: audit('late', 'CREATE', 1) });
        expect(await store.getArtifact('late')).not.toBeNull();
        expect((await store.listAudit('late', { limit: 10 })).items).toEqual([audit('late', 'CREATE', 1)]);
      });

      it('commits a fenced replace with its audit entry only in its generation and only when applied', async () => {
        const first = await store.writeGeneration();
        const original = artifact('f1');
        await store.insertArtifact(original, { startedIn: first, audit: audit('f1', 'CREATE', 0) });
        const updated = artifact('f1', { name: 'renamed', updatedAt: new Date(CREATED.getTime() + 1) });
        const update = { startedIn: first, audit: audit('f1', 'UPDATE', 1) };
        expect(await store.replaceArtifact(updated, new Date(0), update)).toBe(false);
        expect(await store.replaceArtifact(updated, original.updatedAt, update)).toBe(true);
        expect((await store.listAudit('f1', { limit: 10 })).items.map((e) => e.action)).toEqual([
          'UPDATE',
          'CREATE',
        ]);

        await store.beginReset(admin);
        await store.endReset();
        await store.insertArtifact(original);
        await expect(store.replaceArtifact(updated, original.updatedAt, update)).rejects.toBeInstanceOf(
          ConflictError,
        );
        expect((await store.getArtifact('f1'))?.name).toBe(original.name);
      });

      it('lets one reset run at a time', async () => {
        const events: string[] = [];
        const hold = (tag: string) => async () => {
          events.push(`${tag}:start`);
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push(`${tag}:end`);
        };
        await Promise.all([store.withResetLock(hold('a')), store.withResetLock(hold('b'))]);
        expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
      });

      it('tells whether any administrator exists', async () => {
        expect(await store.hasAdmin()).toBe(false);
        await store.insertUser(user('bob'));
        expect(await store.hasAdmin()).toBe(false);
        await store.insertUser(user('root', { isAdmin: true }));
        expect(await store.hasAdmin()).toBe(true);
      });
    });
  });
}
