import { describe, expect, it } from 'vitest';
import { botPattern } from '../../../src/services/confusion-bots.js';
import { TargetIndex } from '../../../src/services/confusion-index.js';
import { lowerPopularity } from '../../../src/services/confusion-popularity.js';
import type { AccessEvent, ModelPopularity } from '../../../src/storage/metadata/popularity-store.js';

const target = (org: string, name: string) => ({ identity: { org, name } });

describe('TargetIndex', () => {
  const bert = target('google-bert', 'bert-base-uncased');
  const whisper = target('openai', 'whisper-tiny');
  const gpt2 = target('openai-community', 'gpt2');
  const index = new TargetIndex([bert, whisper, gpt2]);

  it.each([
    ['BERT_base_uncased', bert],
    ['bert-base-uncsed', bert],
    ['bert-base-uncasedd', bert],
    ['bret-base-uncased', bert],
    ['whisper-tiny-official', whisper],
    ['latest-gpt2-v2', gpt2],
  ])('finds the target of %s by index lookup', (name, expected) => {
    expect(index.candidates(name)).toContain(expected);
  });

  it('finds nothing for an unrelated name', () => {
    expect(index.candidates('invoice-ocr')).toEqual([]);
  });

  it('finds names joined from two popular names', () => {
    expect(index.combinations('gpt2-whisper-tiny')).toEqual([[gpt2, whisper]]);
    expect(index.combinations('gpt2-helper')).toEqual([]);
  });
});

const model = (hubDownloads: number | null, downloads = 0): ModelPopularity => ({
  id: 'x',
  name: 'x',
  sourceUrl: 'upload:x',
  createdBy: 'u',
  hubDownloads,
  popularity: { downloads, downloaders: downloads, searchHits: 0, views: 0 },
});

describe('lowerPopularity', () => {
  it('is no signal within 10x and the full signal from 1000x', () => {
    expect(lowerPopularity(model(null, 100), model(900)).strength).toBe(0);
    expect(lowerPopularity(model(null, 10), model(1_000_000)).strength).toBe(1);
    const middle = lowerPopularity(model(null, 10), model(10_000)).strength;
    expect(middle).toBeGreaterThan(0.3);
    expect(middle).toBeLessThan(1);
  });
});

describe('botPattern', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
  const download = (user: string, ms: number): AccessEvent => ({
    artifactId: 'x',
    kind: 'download',
    userName: user,
    client: `ip-${user}`,
    at: at(ms),
  });

  it('needs enough downloads to say anything', () => {
    expect(botPattern([download('a', 0), download('a', 1000)]).strength).toBe(0);
  });

  it('sees a clock: few accounts, regular gaps, nobody looked first', () => {
    const events = Array.from({ length: 200 }, (_, i) => download(`bot${i % 2}`, i * 30_000));
    const signal = botPattern(events);
    expect(signal.strength).toBeGreaterThan(0.8);
    expect(signal.indicators.map((i) => i.name)).toEqual([
      'few-sources',
      'uniform-intervals',
      'no-discovery',
    ]);
  });

  it('sees bursts', () => {
    const events = Array.from({ length: 200 }, (_, i) =>
      download(`bot${i % 3}`, Math.floor(i / 40) * 3_600_000 + (i % 40) * 700),
    );
    const signal = botPattern(events);
    expect(signal.indicators.map((i) => i.name)).toContain('burst');
    expect(signal.strength).toBeGreaterThan(0.6);
  });

  it('leaves people alone: many accounts that search first, irregular gaps', () => {
    const events: AccessEvent[] = [];
    let ms = 0;
    for (let i = 0; i < 60; i += 1) {
      ms += ((i * 7919) % 13) * 3_600_000 + 60_000;
      events.push({ ...download(`person${i}`, ms - 30_000), kind: 'search_hit' }, download(`person${i}`, ms));
    }
    expect(botPattern(events).strength).toBe(0);
  });
});
