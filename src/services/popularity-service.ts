import type { Actor } from '../security/permissions.js';
import type { AccessKind, PopularityStore } from '../storage/metadata/popularity-store.js';

/** Search hits recorded per search: the first results are what a person sees and picks from. */
export const MAX_HITS_RECORDED = 100;

/**
 * Records the accesses the package-confusion audit reads: downloads (with the account and the
 * client address), search hits (artifacts a byName or byRegEx search returned) and metadata
 * views. Counted from the moment the registry runs this code; nothing is back-filled.
 */
export class PopularityService {
  constructor(private readonly store: PopularityStore) {}

  record(kind: AccessKind, artifactIds: string[], actor: Actor, client: string): Promise<void> {
    const at = new Date();
    return this.store.record(
      artifactIds
        .slice(0, MAX_HITS_RECORDED)
        .map((artifactId) => ({ artifactId, kind, userName: actor.name, client, at })),
    );
  }
}
