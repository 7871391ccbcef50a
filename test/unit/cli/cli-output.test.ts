import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineageTree } from '../../../src/cli/lineage-tree.js';
import { humanBytes, type Output, print, table } from '../../../src/cli/output.js';
import { createProgress } from '../../../src/cli/progress.js';

function captured(interactive: boolean) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk) => {
    text += chunk;
  });
  const out: Output = { json: false, interactive, color: false, stdout: new PassThrough(), stderr };
  return { out, text: () => text };
}

describe('CLI output', () => {
  it('tables pad columns and right-align numbers', () => {
    expect(
      table(
        ['NAME', 'MB'],
        [
          ['a', 1.5],
          ['long-name', 10],
        ],
      ),
    ).toBe(['NAME        MB', '---------  ---', 'a          1.5', 'long-name   10'].join('\n'));
  });

  it('sizes count in powers of 1000', () => {
    expect([humanBytes(999), humanBytes(1500), humanBytes(2_500_000)]).toEqual(['999 B', '1.5 kB', '2.5 MB']);
  });

  it('draws a progress bar only on a terminal, and always ends with a summary line', () => {
    const tty = captured(true);
    const bar = createProgress(tty.out, 'download', 1000);
    bar.update(500);
    bar.finish('Downloaded x');
    expect(tty.text()).toMatch(/download {2}\[#{12}-{12}\] {2}50% {2}500 B\/1.0 kB/);
    expect(tty.text()).toContain('ETA');
    const piped = captured(false);
    const quiet = createProgress(piped.out, 'download', 1000);
    quiet.update(500);
    quiet.finish('Downloaded x');
    expect(piped.text()).toMatch(/^Downloaded x \(500 B in [\d.]+ s, .*\/s\)\n$/);
  });

  it('lineage prints parents beneath the model, each node once', () => {
    const node = (id: string, name: string, inRegistry = true) => ({
      artifact_id: id,
      name,
      source: 'config_json',
      metadata: { type: 'model', in_registry: inRegistry },
    });
    const tree = lineageTree('c', {
      nodes: [node('c', 'child'), node('p', 'parent'), node('g', 'grand', false), node('d', 'data')],
      edges: [
        { from_node_artifact_id: 'p', to_node_artifact_id: 'c', relationship: 'base_model' },
        { from_node_artifact_id: 'd', to_node_artifact_id: 'c', relationship: 'fine_tuning_dataset' },
        { from_node_artifact_id: 'g', to_node_artifact_id: 'p', relationship: 'base_model' },
        { from_node_artifact_id: 'g', to_node_artifact_id: 'd', relationship: 'base_model' },
      ],
    });
    expect(tree).toBe(
      [
        'child (model, c)',
        '├── base_model: parent (model, p)',
        '│   └── base_model: grand (model, not in registry)',
        '└── fine_tuning_dataset: data (model, d)',
        '    └── base_model: grand (model, not in registry) (see above)',
      ].join('\n'),
    );
  });

  it('an empty table is its header; a number column needs rows; a line already ended is not ended twice', () => {
    expect(table(['N', 'SIZE'], [])).toBe('N  SIZE\n-  ----');
    expect(humanBytes(5e15)).toBe('5000.0 TB');
    const chunks: string[] = [];
    const out = { stdout: { write: (text: string) => chunks.push(text) } } as unknown as Output;
    print(out, 'one\n');
    print(out, 'two');
    expect(chunks).toEqual(['one\n', 'two\n']);
  });
});

describe('progress on a terminal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The bar drawn after `seconds`, with `done` of `total` bytes moved. */
  function barAfter(seconds: number, done: number, total: number | null): string {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T12:00:00Z'));
    const tty = captured(true);
    const bar = createProgress(tty.out, 'upload', total);
    vi.setSystemTime(new Date(Date.parse('2026-11-30T12:00:00Z') + seconds * 1000));
    bar.update(done);
    return tty.text();
  }

  it('gives the ETA in seconds, minutes or hours', () => {
    expect(barAfter(1, 500, 1000)).toContain('ETA 1s');
    expect(barAfter(10, 100, 1000)).toContain('ETA 1m30s');
    expect(barAfter(10, 1, 1000)).toContain('ETA 2h46m');
  });

  it('without a known total shows the bytes and speed, and no bar', () => {
    const text = barAfter(2, 4000, null);
    expect(text).toBe('\rupload  4.0 kB  2.0 kB/s\u001b[K');
  });

  it('redraws at most every 100 ms', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tty = captured(true);
    const bar = createProgress(tty.out, 'download', 100);
    bar.update(10);
    bar.update(20);
    expect(tty.text().split('\r').filter(Boolean)).toHaveLength(1);
    vi.advanceTimersByTime(150);
    bar.update(30);
    expect(tty.text().split('\r').filter(Boolean)).toHaveLength(2);
  });
});
