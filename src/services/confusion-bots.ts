import type { AccessEvent } from '../storage/metadata/popularity-store.js';

/**
 * Bot-farm signal of the package-confusion audit, from an artifact's recent accesses: imitations
 * buy downloads to look established. Four indicators, each in [0, 1]:
 * - few sources: many downloads from very few (account, client address) pairs;
 * - bursts: a large share of the downloads arriving ten or more within a minute;
 * - uniform intervals: machine-regular gaps between downloads (low coefficient of variation);
 * - no discovery: downloads by accounts that never searched for or looked at the artifact first.
 * Needs at least MIN_DOWNLOADS downloads; fewer is no evidence either way.
 */
export const MIN_DOWNLOADS = 10;
const BURST_WINDOW_MS = 60_000;
const BURST_SIZE = 10;

export interface BotIndicator {
  name: 'few-sources' | 'burst' | 'uniform-intervals' | 'no-discovery';
  strength: number;
  detail: string;
}

export interface BotSignal {
  strength: number;
  indicators: BotIndicator[];
}

export function botPattern(events: AccessEvent[]): BotSignal {
  const ordered = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const downloads = ordered.filter((event) => event.kind === 'download');
  if (downloads.length < MIN_DOWNLOADS) return { strength: 0, indicators: [] };
  const indicators = [
    fewSources(downloads),
    burst(downloads),
    uniformIntervals(downloads),
    noDiscovery(ordered),
  ];
  const [sources, bursts, uniform, undiscovered] = indicators.map((indicator) => indicator.strength) as [
    number,
    number,
    number,
    number,
  ];
  // Volume from few sources or in bursts, or clockwork regularity; undiscovered downloads confirm.
  const volume = Math.max(sources * (0.5 + 0.5 * Math.max(bursts, uniform)), uniform, sources * bursts);
  return {
    strength: Math.min(1, 0.7 * volume + 0.3 * undiscovered * (volume > 0 ? 1 : 0)),
    indicators: indicators.filter((indicator) => indicator.strength > 0),
  };
}

function fewSources(downloads: AccessEvent[]): BotIndicator {
  const sources = new Set(downloads.map((event) => `${event.userName}\u0000${event.client}`)).size;
  const perSource = downloads.length / sources;
  return {
    name: 'few-sources',
    strength: clamp((perSource - 2) / 8), // 2 per source is normal use, 10 per source is a farm
    detail: `${downloads.length} downloads from ${sources} account/address pairs`,
  };
}

/** Downloads that have at least BURST_SIZE downloads (themselves included) in the minute before them. */
function burst(downloads: AccessEvent[]): BotIndicator {
  let inBursts = 0;
  let start = 0;
  for (let end = 0; end < downloads.length; end += 1) {
    const endAt = (downloads[end] as AccessEvent).at.getTime();
    while (endAt - (downloads[start] as AccessEvent).at.getTime() > BURST_WINDOW_MS) start += 1;
    if (end - start + 1 >= BURST_SIZE) inBursts += 1;
  }
  const share = inBursts / downloads.length;
  return {
    name: 'burst',
    strength: clamp((share - 0.3) / 0.5),
    detail: `${inBursts} of ${downloads.length} downloads came ${BURST_SIZE} or more within a minute`,
  };
}

function uniformIntervals(downloads: AccessEvent[]): BotIndicator {
  const gaps = downloads
    .slice(1)
    .map((event, i) => event.at.getTime() - (downloads[i] as AccessEvent).at.getTime());
  const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
  const cv = mean > 0 ? sd / mean : 1;
  return {
    name: 'uniform-intervals',
    strength: mean > 0 ? clamp((0.2 - cv) / 0.15) : 0, // human traffic is bursty: cv near or above 1
    detail: `gaps between downloads vary by ${Math.round(cv * 100)}% around ${Math.round(mean / 1000)} s`,
  };
}

function noDiscovery(ordered: AccessEvent[]): BotIndicator {
  const discovered = new Set<string>();
  let downloads = 0;
  let blind = 0;
  for (const event of ordered) {
    if (event.kind !== 'download') discovered.add(event.userName);
    else {
      downloads += 1;
      if (!discovered.has(event.userName)) blind += 1;
    }
  }
  const share = blind / downloads;
  return {
    name: 'no-discovery',
    strength: clamp((share - 0.5) / 0.4),
    detail: `${blind} of ${downloads} downloads with no search hit or metadata view by that account first`,
  };
}

function clamp(value: number): number {
  return Math.max(0, Math.min(1, value));
}
