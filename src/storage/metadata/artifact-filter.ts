import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { ArtifactQuerySpec, VersionComparator, VersionFilter } from './metadata-store.js';
import type { Database } from './schema.js';

type ArtifactsBuilder = ExpressionBuilder<Database, 'artifacts'>;

const VERSION_COLUMNS = ['version_major', 'version_minor', 'version_patch'] as const;

/**
 * One page of POST /artifacts after the cursor `afterSeq`, `limit` rows at most, in registry order;
 * null for no queries. One branch per query and type, each reading at most a page in `seq` order
 * from the index that fits it ((name, seq), (type, seq) or the primary key), then the first page
 * of their union. An OR of the conditions in one scan would read every match past the cursor to
 * sort them, which grows with the registry; this way a page costs the same at a thousand
 * artifacts or a million.
 */
export function artifactPageQuery(
  db: Kysely<Database>,
  queries: ArtifactQuerySpec[],
  afterSeq: number,
  limit: number,
) {
  const branches = queries.flatMap((spec) =>
    spec.types && spec.types.length > 1 ? spec.types.map((type) => ({ ...spec, types: [type] })) : [spec],
  );
  const branch = (spec: ArtifactQuerySpec) =>
    db
      .selectFrom('artifacts')
      .select(['seq', 'id', 'type', 'name'])
      .where('seq', '>', afterSeq)
      .where((eb) => matchesQuerySpec(eb, spec))
      .orderBy('seq')
      .limit(limit);
  const [first, ...rest] = branches;
  if (!first) return null;
  if (rest.length === 0) return branch(first);
  const union = rest.reduce(
    (all, spec) => all.union(db.selectFrom(branch(spec).as('branch')).selectAll()),
    db.selectFrom(branch(first).as('branch')).selectAll(),
  );
  return db.selectFrom(union.as('matches')).selectAll().orderBy('seq').limit(limit);
}

/** SQL condition for one query of POST /artifacts: name, types and version all hold. */
function matchesQuerySpec(eb: ArtifactsBuilder, spec: ArtifactQuerySpec): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  if (spec.name !== '*') conditions.push(eb('name', '=', spec.name));
  if (spec.types && spec.types.length > 0) conditions.push(eb('type', 'in', spec.types));
  if (spec.version) conditions.push(matchesVersionFilter(eb, spec.version));
  return eb.and(conditions);
}

/** Any comparator set matches (OR), every comparator of a set holds (AND). */
function matchesVersionFilter(eb: ArtifactsBuilder, filter: VersionFilter): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [
    eb('version_major', 'is not', null),
    eb.or(filter.anyOf.map((set) => eb.and(set.map((comparator) => compareVersion(eb, comparator))))),
  ];
  if (!filter.includePrerelease) conditions.push(eb('version_prerelease', '=', 0));
  return eb.and(conditions);
}

/**
 * Lexicographic comparison of (major, minor, patch) against the comparator's tuple, e.g. for '>':
 * major > a OR (major = a AND (minor > b OR (minor = b AND patch > c))).
 */
function compareVersion(eb: ArtifactsBuilder, comparator: VersionComparator): Expression<SqlBool> {
  const { op } = comparator;
  const values = [comparator.major, comparator.minor, comparator.patch] as const;
  if (op === '=') {
    return eb.and([
      eb('version_major', '=', values[0]),
      eb('version_minor', '=', values[1]),
      eb('version_patch', '=', values[2]),
    ]);
  }

  const strict = op === '<' || op === '<=' ? '<' : '>';
  let condition = eb('version_patch', op, values[2]);
  for (const i of [1, 0] as const) {
    const column = VERSION_COLUMNS[i];
    condition = eb.or([eb(column, strict, values[i]), eb.and([eb(column, '=', values[i]), condition])]);
  }
  return condition;
}
