import rangeParser from 'range-parser';
import type { ByteRange } from '../storage/blobs/blob-store.js';

export type RangeOutcome =
  | { kind: 'full' }
  | { kind: 'partial'; range: ByteRange }
  | { kind: 'unsatisfiable' };

/**
 * Interpret a `Range` header for a representation of `size` bytes (RFC 9110 §14.2), parsed by
 * range-parser. Only one byte range is served: overlapping or adjacent ranges are combined, and a
 * set that stays several ranges, another unit or a malformed header is ignored (the full body is
 * sent), which the RFC allows and every download client handles.
 */
export function parseRange(header: string | undefined, size: number): RangeOutcome {
  if (!header) return { kind: 'full' };
  const parsed = rangeParser(size, header, { combine: true });
  if (parsed === -2) return { kind: 'full' };
  if (parsed === -1) {
    return isLongSuffix(header, size)
      ? { kind: 'partial', range: { start: 0, end: size - 1 } }
      : { kind: 'unsatisfiable' };
  }
  const [range] = parsed;
  if (parsed.type !== 'bytes' || parsed.length !== 1 || !range) return { kind: 'full' };
  return { kind: 'partial', range: { start: range.start, end: range.end } };
}

/**
 * `bytes=-N` with N at least the size means the whole representation (RFC 9110 §14.1.3).
 * range-parser 1.x reports it unsatisfiable; the fix (jshttp/range-parser#66) is only in 2.x,
 * which needs Node 22.
 */
function isLongSuffix(header: string, size: number): boolean {
  const suffix = /^bytes=\s*-\s*(\d+)\s*$/.exec(header);
  return size > 0 && suffix !== null && Number(suffix[1]) >= size;
}
