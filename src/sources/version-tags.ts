import semver from 'semver';

/** Tags written `vX.Y.Z` or `X.Y.Z` (no pre-release or build parts) name released versions. */
const RELEASE_TAG = /^v?(\d+\.\d+\.\d+)$/;

/** The highest release version among git tag names, or null when none is a release tag. */
export function versionFromTags(tags: readonly string[]): string | null {
  const versions = tags
    .map((tag) => RELEASE_TAG.exec(tag)?.[1])
    .filter((version): version is string => version !== undefined && semver.valid(version) !== null);
  return versions.sort(semver.rcompare)[0] ?? null;
}
