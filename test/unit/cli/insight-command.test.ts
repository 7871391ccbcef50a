import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, json, modelguard, SIGNED_IN } from './support.js';

const rating = {
  name: 'bert',
  category: 'MODEL',
  net_score: 0.81,
  net_score_latency: 0.012,
  license: 0.3,
  license_latency: 0.001,
  size_score: { raspberry_pi: 0.2, desktop_pc: 1 },
  size_score_latency: 0.0025,
};

describe('modelguard rate', () => {
  it('asks for the reasons and prints one row per metric, low scores in red on a terminal', async () => {
    const registry = fakeRegistry({
      'GET /artifact/model/m1/rate': () => json({ ...rating, reasons: { license: 'LGPL is restrictive' } }),
    });
    const run = await modelguard(['rate', 'm1'], { env: SIGNED_IN, fetch: registry.fetch, tty: true });
    expect(registry.requests[0]?.path).toBe('/artifact/model/m1/rate?explain=true');
    expect(run.stdout).toContain('bert (MODEL)\n');
    expect(run.stdout).toContain('REASON');
    expect(run.stdout).toContain('\u001b[31m0.30\u001b[0m');
    expect(run.stdout).toMatch(/license\s+.*0\.001\s+LGPL is restrictive/);
    expect(run.stdout).toMatch(/size_score\s+raspberry_pi 0\.20, desktop_pc 1\.00\s+0\.003/);
    expect(run.stdout).toMatch(/net_score\s+0\.81\s+0\.012/);
  });

  it('without reasons there is no REASON column; --json prints the rating as given', async () => {
    const registry = fakeRegistry({ 'GET /artifact/model/m1/rate': () => json(rating) });
    const plain = await modelguard(['rate', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(plain.stdout).toContain('METRIC      SCORE');
    expect(plain.stdout).not.toContain('REASON');
    expect(plain.stdout).not.toContain('\u001b[');
    const asJson = await modelguard(['rate', 'm1', '--json'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(JSON.parse(asJson.stdout)).toEqual(rating);
  });

  it('a rating without metrics is a failure', async () => {
    const registry = fakeRegistry({
      'GET /artifact/model/m1/rate': () => json({ name: 'x', category: 'MODEL' }),
    });
    const run = await modelguard(['rate', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run).toMatchObject({ code: EXIT.failure });
    expect(run.stderr).toBe('error: the registry answered no metrics\n');
  });
});

describe('modelguard lineage / cost / audit', () => {
  const graph = {
    nodes: [
      { artifact_id: 'm1', name: 'child', source: 'config_json', metadata: { type: 'model' } },
      {
        artifact_id: 'p1',
        name: 'parent',
        source: 'config_json',
        metadata: { type: 'model', in_registry: false },
      },
    ],
    edges: [{ from_node_artifact_id: 'p1', to_node_artifact_id: 'm1', relationship: 'base_model' }],
  };

  it('lineage prints the tree, or the graph as JSON', async () => {
    const registry = fakeRegistry({ 'GET /artifact/model/m1/lineage': () => json(graph) });
    const run = await modelguard(['lineage', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stdout).toBe('child (model, m1)\n└── base_model: parent (model, not in registry)\n');
    const asJson = await modelguard(['lineage', 'm1', '--json'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(JSON.parse(asJson.stdout)).toEqual(graph);
  });

  it('cost prints the total, and with --dependency the standalone cost of each', async () => {
    const registry = fakeRegistry({
      'GET /artifact/model/m1/cost': (request) =>
        request.path.endsWith('dependency=true')
          ? json({ m1: { standalone_cost: 12.5, total_cost: 40 }, d1: { total_cost: 27.5 } })
          : json({ m1: { total_cost: 12.5 } }),
    });
    const alone = await modelguard(['cost', 'm1', '-t', 'model'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(alone.stdout).toBe('ID  TOTAL MB\n--  --------\nm1      12.5\n');
    const all = await modelguard(['cost', 'm1', '-t', 'model', '-d'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(all.stdout).toBe(
      [
        'ID  STANDALONE MB  TOTAL MB',
        '--  -------------  --------',
        'm1           12.5        40',
        'd1           27.5      27.5',
        '',
      ].join('\n'),
    );
    const asJson = await modelguard(['cost', 'm1', '-t', 'model', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(asJson.stdout)).toEqual({ m1: { total_cost: 12.5 } });
  });

  it('audit prints who did what when', async () => {
    const entries = [
      { date: '2026-11-30T10:00:00Z', user: { name: 'ann', is_admin: false }, action: 'DOWNLOAD' },
    ];
    const registry = fakeRegistry({ 'GET /artifact/dataset/d1/audit': () => json(entries) });
    const run = await modelguard(['audit', 'd1', '-t', 'dataset'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stdout).toContain('2026-11-30T10:00:00Z  ann   DOWNLOAD');
    const asJson = await modelguard(['audit', 'd1', '-t', 'dataset', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(asJson.stdout)).toEqual(entries);
  });
});

describe('modelguard license-check', () => {
  const check = (compatible: boolean, reason?: string) =>
    fakeRegistry({
      'POST /artifact/model/m1/license-check': () =>
        json(compatible, 200, reason ? { 'x-license-reason': reason } : {}),
    });

  it('compatible: exit 0, the answer and the reason', async () => {
    const registry = check(true, 'MIT and Apache-2.0 are compatible');
    const run = await modelguard(['license-check', 'm1', '-g', 'https://github.com/o/r'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(run).toMatchObject({ code: EXIT.ok, stdout: 'compatible\nMIT and Apache-2.0 are compatible\n' });
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({ github_url: 'https://github.com/o/r' });
  });

  it('not compatible: exit 6, as text or JSON', async () => {
    const text = await modelguard(['license-check', 'm1', '-g', 'https://github.com/o/r'], {
      env: SIGNED_IN,
      fetch: check(false).fetch,
    });
    expect(text).toMatchObject({ code: EXIT.negative, stdout: 'not compatible\n' });
    const asJson = await modelguard(['license-check', 'm1', '-g', 'u', '--json'], {
      env: SIGNED_IN,
      fetch: check(false, 'GPL').fetch,
    });
    expect(asJson.code).toBe(EXIT.negative);
    expect(JSON.parse(asJson.stdout)).toEqual({ compatible: false, reason: 'GPL' });
  });

  it('needs --github', async () => {
    const run = await modelguard(['license-check', 'm1'], { env: SIGNED_IN });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("required option '-g, --github <url>' not specified");
  });
});
