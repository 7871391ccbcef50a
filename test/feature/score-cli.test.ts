import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, runScoreCommand } from '../../src/cli/score-command.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';

const METRICS = [
  'ramp_up_time',
  'bus_factor',
  'performance_claims',
  'license',
  'size_score',
  'dataset_and_code_score',
  'dataset_quality',
  'code_quality',
  'reproducibility',
  'reviewedness',
  'tree_score',
  'net_score',
];
const RATING_FIELDS = ['name', 'category', ...METRICS.flatMap((metric) => [metric, `${metric}_latency`])];

let sources: FixtureSources;
let dir: string;
beforeAll(async () => {
  sources = await startFixtureSources();
  dir = await mkdtemp(join(tmpdir(), 'mg-score-'));
});
afterAll(async () => {
  await sources.close();
  await rm(dir, { recursive: true, force: true });
});

async function score(lines: string[]) {
  const path = join(dir, 'urls.txt');
  await writeFile(path, `${lines.join('\n')}\n`);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runScoreCommand([path], {
    env: sources.env,
    out: (line) => out.push(line),
    err: (message) => err.push(message),
  });
  return { code, records: out.map((line) => JSON.parse(line)), err };
}

describe('npm run score -- URLS.txt', () => {
  it('prints one ModelRating per model in file order, an error line for a bad line, and exits 1', async () => {
    const { code, records, err } = await score([
      'https://huggingface.co/google-bert/bert-base-uncased',
      '',
      'https://huggingface.co/openai/whisper-tiny',
      'https://github.com/google-research/bert,https://huggingface.co/datasets/bookcorpus/bookcorpus,https://huggingface.co/textattack/bert-base-uncased-imdb',
      'not a url',
    ]);
    expect(err).toEqual([]);
    expect(code).toBe(EXIT.someFailed);
    expect(records).toHaveLength(4);

    const [bert, whisper, fineTune, bad] = records;
    for (const rating of [bert, whisper, fineTune]) {
      expect(Object.keys(rating).sort()).toEqual([...RATING_FIELDS].sort());
      expect(Object.keys(rating.size_score).sort()).toEqual([
        'aws_server',
        'desktop_pc',
        'jetson_nano',
        'raspberry_pi',
      ]);
    }
    expect(bert).toMatchObject({ name: 'bert-base-uncased', category: 'fill-mask', tree_score: 1 });
    expect(whisper).toMatchObject({ name: 'whisper-tiny', category: 'automatic-speech-recognition' });
    expect(bert.reviewedness).toBeGreaterThanOrEqual(0);

    // The fine-tune links no code of its own; the given repository is credited as its link.
    expect(fineTune.name).toBe('bert-base-uncased-imdb');
    expect(fineTune.code_quality).toBeGreaterThan(0);
    expect(fineTune.reviewedness).toBeGreaterThanOrEqual(0);
    // Its base model is declared but there is no registry to rate it: tree_score 0.
    expect(fineTune.tree_score).toBe(0);

    expect(bad).toEqual({ url: 'not a url', error: expect.stringMatching(/^line 5: .*not a valid URL/) });
  });

  it('reports a model the hub does not have as an error line', async () => {
    const { code, records } = await score(['https://huggingface.co/nobody/no-such-model']);
    expect(code).toBe(EXIT.someFailed);
    expect(records).toEqual([
      {
        url: 'https://huggingface.co/nobody/no-such-model',
        error: expect.stringMatching(/"nobody\/no-such-model" does not exist on Hugging Face/),
      },
    ]);
  });

  it('exits 0 when every line is rated', async () => {
    const { code, records } = await score([',,https://huggingface.co/openai/whisper-tiny']);
    expect(code).toBe(EXIT.ok);
    expect(records[0].name).toBe('whisper-tiny');
  });

  it('refuses to run without exactly one file', async () => {
    const err: string[] = [];
    const code = await runScoreCommand([], { env: {}, out: () => {}, err: (m) => err.push(m) });
    expect(code).toBe(EXIT.cannotRun);
    expect(err[0]).toMatch(/^usage: score URLS.txt/);
  });
});
