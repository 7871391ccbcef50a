/** `name` or `owner/name`, as the hub spells repository ids. */
const HUB_REPO_ID = /^[\w.-]+(?:\/[\w.-]+)?$/;
const MAX_ID_LENGTH = 200;

/** A name a card, config or README gives for a hub repository, left out because it is not an id. */
export type IgnoredReference = { name: string; reason: string };

/**
 * Why `name` is not a hub repository id, or null when it is one. Names come from model cards
 * and configs (untrusted text) and end up in hub URLs, so anything that could change the URL's
 * path or query (`..`, `?`, `#`, more slashes) is refused before a request is made.
 */
export function hubRepoIdProblem(name: string): string | null {
  if (name.length === 0 || name.length > MAX_ID_LENGTH) return 'not a hub repo id (empty or too long)';
  if (!HUB_REPO_ID.test(name)) return 'not a hub repo id (only letters, digits, "_", ".", "-" and one "/")';
  if (name.split('/').some((part) => part === '.' || part.includes('..'))) {
    return 'not a hub repo id ("." and ".." are not allowed)';
  }
  return null;
}

/** Splits names into hub repo ids and the ignored rest, each with the reason. */
export function partitionHubIds(names: readonly string[]): { ids: string[]; ignored: IgnoredReference[] } {
  const ids: string[] = [];
  const ignored: IgnoredReference[] = [];
  for (const name of names) {
    const reason = hubRepoIdProblem(name);
    if (reason === null) ids.push(name);
    else ignored.push({ name: name.slice(0, MAX_ID_LENGTH), reason });
  }
  return { ids, ignored };
}

/**
 * The base models and datasets a card, its configs and its README name, each list deduplicated
 * and keeping only hub repo ids; the others are listed with the reason they were left out.
 */
export function hubReferences(
  baseModels: readonly string[],
  datasets: readonly string[],
): { baseModels: string[]; datasets: string[]; ignoredReferences: IgnoredReference[] } {
  const models = partitionHubIds([...new Set(baseModels)]);
  const data = partitionHubIds([...new Set(datasets)]);
  return {
    baseModels: models.ids,
    datasets: data.ids,
    ignoredReferences: [...models.ignored, ...data.ignored],
  };
}
