import { type Kysely, sql } from 'kysely';
import { seqAfter, toPage } from './cursor.js';
import type { Page, PageRequest } from './metadata-store.js';
import type { SqlDialect } from './migrations.js';
import type { Database } from './schema.js';

export const ACCESS_KINDS = ['download', 'search_hit', 'view'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** One access to an artifact: who (account and client address) did what, when. */
export interface AccessEvent {
  artifactId: string;
  kind: AccessKind;
  userName: string;
  client: string;
  at: Date;
}

/** What the registry has counted for an artifact since counting began. */
export interface Popularity {
  downloads: number;
  downloaders: number;
  searchHits: number;
  views: number;
}

/** A model as the package-confusion audit sees it: name, origin and popularity evidence. */
export interface ModelPopularity {
  id: string;
  name: string;
  sourceUrl: string;
  createdBy: string;
  /** The upstream hub's download count when the model was ingested from Hugging Face. */
  hubDownloads: number | null;
  popularity: Popularity;
}

/** Popularity counters and the recent access log (package-confusion audit). */
export interface PopularityStore {
  /** Count the events and append them to the access log; atomic per call. */
  record(events: AccessEvent[]): Promise<void>;
  get(artifactId: string): Promise<Popularity>;
  /** The artifact's newest `limit` accesses, newest first. */
  recentAccess(artifactId: string, limit: number): Promise<AccessEvent[]>;
  /** Every model with its popularity, in registry order, one bounded page at a time. */
  scanModels(page: PageRequest): Promise<Page<ModelPopularity>>;
  /** Forget accesses older than `cutoff` (counters stay). */
  pruneAccessBefore(cutoff: Date): Promise<void>;
}

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

type Counter = 'downloads' | 'search_hits' | 'views';

const COUNTER_OF: Record<AccessKind, Counter> = {
  download: 'downloads',
  search_hit: 'search_hits',
  view: 'views',
};

export class KyselyPopularityStore implements PopularityStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    private readonly guard: Guard,
  ) {}

  record(events: AccessEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('access_events')
          .values(
            events.map((event) => ({
              artifact_id: event.artifactId,
              kind: event.kind,
              user_name: event.userName,
              client: event.client,
              at: event.at.getTime(),
            })),
          )
          .execute();
        // One upsert per (artifact, counter) and one insert per new (artifact, downloader).
        const counts = new Map<
          string,
          { artifactId: string; counter: Counter; count: number; newDownloaders: number }
        >();
        const bump = (artifactId: string, counter: Counter) => {
          const key = `${artifactId}\u0000${counter}`;
          const entry = counts.get(key) ?? { artifactId, counter, count: 0, newDownloaders: 0 };
          counts.set(key, entry);
          return entry;
        };
        for (const event of events) bump(event.artifactId, COUNTER_OF[event.kind]).count += 1;
        const pairs = new Map(
          events
            .filter((event) => event.kind === 'download')
            .map((event) => [`${event.artifactId}\u0000${event.userName}`, event] as const),
        );
        for (const event of pairs.values()) {
          const inserted = await trx
            .insertInto('downloaders')
            .values({ artifact_id: event.artifactId, user_name: event.userName })
            .onConflict((oc) => oc.columns(['artifact_id', 'user_name']).doNothing())
            .executeTakeFirst();
          bump(event.artifactId, 'downloads').newDownloaders += Number(
            inserted.numInsertedOrUpdatedRows ?? 0n,
          );
        }
        for (const { artifactId, counter, count, newDownloaders } of counts.values()) {
          await trx
            .insertInto('popularity')
            .values({ artifact_id: artifactId, [counter]: count, downloaders: newDownloaders })
            .onConflict((oc) =>
              oc.column('artifact_id').doUpdateSet((eb) => ({
                [counter]: eb(`popularity.${counter}`, '+', count),
                downloaders: eb('popularity.downloaders', '+', newDownloaders),
              })),
            )
            .execute();
        }
      }),
    );
  }

  get(artifactId: string): Promise<Popularity> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('popularity')
        .selectAll()
        .where('artifact_id', '=', artifactId)
        .executeTakeFirst();
      return row ? toPopularity(row) : { downloads: 0, downloaders: 0, searchHits: 0, views: 0 };
    });
  }

  recentAccess(artifactId: string, limit: number): Promise<AccessEvent[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('access_events')
        .selectAll()
        .where('artifact_id', '=', artifactId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        artifactId: row.artifact_id,
        kind: row.kind as AccessKind,
        userName: row.user_name,
        client: row.client,
        at: new Date(Number(row.at)),
      }));
    });
  }

  scanModels(page: PageRequest): Promise<Page<ModelPopularity>> {
    // Only two fields of the source metadata are read, inside the database.
    const field = (name: string) =>
      this.dialect === 'postgres'
        ? sql<string | null>`(a.source_metadata::jsonb ->> ${name})`
        : sql<string | null>`json_extract(a.source_metadata, ${`$.${name}`})`;
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('artifacts as a')
        .leftJoin('popularity as p', 'p.artifact_id', 'a.id')
        .select([
          'a.seq',
          'a.id',
          'a.name',
          'a.source_url',
          'a.created_by',
          'p.downloads',
          'p.downloaders',
          'p.search_hits',
          'p.views',
          field('kind').as('source_kind'),
          field('downloads').as('hub_downloads'),
        ])
        .where('a.type', '=', 'model')
        .where('a.seq', '>', seqAfter(page.after))
        .orderBy('a.seq')
        .limit(page.limit + 1)
        .execute();
      return toPage(rows, page.limit, (row) => ({
        id: row.id,
        name: row.name,
        sourceUrl: row.source_url,
        createdBy: row.created_by,
        hubDownloads:
          row.source_kind === 'hf-model' && row.hub_downloads !== null ? Number(row.hub_downloads) : null,
        popularity: toPopularity(row),
      }));
    });
  }

  pruneAccessBefore(cutoff: Date): Promise<void> {
    return this.guard(async () => {
      await this.db.deleteFrom('access_events').where('at', '<', cutoff.getTime()).execute();
    });
  }
}

function toPopularity(row: {
  downloads: number | null;
  downloaders: number | null;
  search_hits: number | null;
  views: number | null;
}): Popularity {
  return {
    downloads: Number(row.downloads ?? 0),
    downloaders: Number(row.downloaders ?? 0),
    searchHits: Number(row.search_hits ?? 0),
    views: Number(row.views ?? 0),
  };
}
