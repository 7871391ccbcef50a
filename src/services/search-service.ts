import type { Limits } from '../config.js';
import type { ArtifactSummary, ArtifactType } from '../domain/artifact.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../domain/errors.js';
import { assertArtifactName } from '../domain/names.js';
import type { RegexScanner } from '../search/regex-scanner.js';
import { requiredText } from '../search/required-text.js';
import { parseVersionQuery } from '../search/versions.js';
import type { ArtifactQuerySpec, MetadataStore, Page } from '../storage/metadata/metadata-store.js';

export interface ArtifactQueryInput {
  name: string;
  types?: ArtifactType[] | undefined;
  version?: string | undefined;
}

/** Rows examined per round trip while scanning for a regex. */
const SCAN_BATCH = 500;

/**
 * Enumeration and search. Every request has a bounded cost: pages are keyset-paginated and
 * capped, the number of OR-ed queries is capped, exact-name lookups stop at a result cap, and
 * the regex scan (RE2: linear time per text, bounded program size) runs in a worker thread and
 * stops at a result cap or at its deadline.
 */
export class SearchService {
  constructor(
    private readonly store: MetadataStore,
    private readonly limits: Limits,
    private readonly regex: RegexScanner,
  ) {}

  async query(inputs: ArtifactQueryInput[], offset: string | undefined): Promise<Page<ArtifactSummary>> {
    if (inputs.length === 0) throw new BadRequestError('Provide at least one artifact_query.');
    if (inputs.length > this.limits.maxQueriesPerRequest) {
      throw new PayloadTooLargeError(
        `At most ${this.limits.maxQueriesPerRequest} queries per request; split the request.`,
      );
    }
    const specs = inputs.map(toSpec);
    return this.store.queryArtifacts(specs, { after: offset, limit: this.limits.pageSize });
  }

  async byName(name: string): Promise<ArtifactSummary[]> {
    assertArtifactName(name);
    const cap = this.limits.maxSearchResults;
    const found = await this.store.findByName(name, cap + 1);
    if (found.length > cap) {
      throw new PayloadTooLargeError(`More than ${cap} artifacts are named "${name}"; use POST /artifacts.`);
    }
    if (found.length === 0) throw new NotFoundError(`No artifact is named "${name}".`);
    return found;
  }

  async byRegex(pattern: string): Promise<ArtifactSummary[]> {
    const scan = await this.regex.start(pattern);
    // The pattern compiled: the substrings it requires narrow the scan to the index's candidates.
    const required = requiredText(pattern);
    const cap = this.limits.maxSearchResults;
    const matches: ArtifactSummary[] = [];
    let after: string | undefined;
    try {
      do {
        const batch = await scan.withinBudget(
          this.store.scanSearchCandidates({ after, limit: SCAN_BATCH }, required),
        );
        const texts = batch.items.map((c) => (c.readme === null ? [c.name] : [c.name, c.readme]));
        for (const index of await scan.match(texts)) {
          const candidate = batch.items[index];
          if (!candidate) continue;
          matches.push({ name: candidate.name, id: candidate.id, type: candidate.type });
          if (matches.length > cap) {
            throw new PayloadTooLargeError(`More than ${cap} artifacts match; use a more specific pattern.`);
          }
        }
        after = batch.next ?? undefined;
      } while (after !== undefined);
    } finally {
      scan.end();
    }
    if (matches.length === 0) throw new NotFoundError('No artifact found under this regex.');
    return matches;
  }
}

function toSpec(input: ArtifactQueryInput): ArtifactQuerySpec {
  if (input.name !== '*') assertArtifactName(input.name);
  const spec: ArtifactQuerySpec = { name: input.name };
  if (input.types && input.types.length > 0) spec.types = [...new Set(input.types)];
  if (input.version !== undefined) spec.version = parseVersionQuery(input.version);
  return spec;
}
