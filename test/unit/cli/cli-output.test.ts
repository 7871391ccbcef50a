import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineageTree } from '../../../src/cli/lineage-tree.js';
import { humanBytes, type Output, table } from '../../../src/cli/output.js';
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
});
