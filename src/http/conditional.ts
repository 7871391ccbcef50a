import fresh from 'fresh';

/**
 * `If-None-Match` (RFC 9110 §13.1.2), evaluated by the `fresh` library: true for `*` or when any
 * listed tag matches `etag` by weak comparison (`W/"x"` matches `"x"`), so a 304 is due. Only
 * that header is passed on: the RFC says to ignore If-Modified-Since when If-None-Match is
 * present (downloads have no Last-Modified anyway), and a request's `Cache-Control: no-cache`
 * is addressed to caches, not to the origin's validator check.
 */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && fresh({ 'if-none-match': ifNoneMatch }, { etag });
}

/**
 * `If-Range` (RFC 9110 §13.1.5): the range applies only when the validator is a strong tag
 * equal to `etag` (strong comparison: a weak tag never matches). A date never matches either,
 * since downloads carry no Last-Modified; then the whole representation is sent.
 */
export function rangeStillApplies(ifRange: string | string[] | undefined, etag: string): boolean {
  if (ifRange === undefined) return true;
  // Repeated, the field is a list, which is no validator at all.
  const validator = (Array.isArray(ifRange) ? ifRange.join(', ') : ifRange).trim();
  return !validator.startsWith('W/') && validator === etag;
}
