import { describe, expect, it } from 'vitest';
import { cardFacts, parseModelCard } from '../../../src/sources/model-card.js';

describe('parseModelCard', () => {
  it('splits YAML front matter from the Markdown body', () => {
    const card = parseModelCard('---\nlicense: mit\ntags:\n- a\n---\n# Title\n\n---\nnot front matter\n');
    expect(card).toEqual({
      body: '# Title\n\n---\nnot front matter\n',
      metadata: { license: 'mit', tags: ['a'] },
      error: null,
    });
  });

  it('treats a card without front matter as all body with empty metadata', () => {
    expect(parseModelCard('# Just a title\n')).toEqual({
      body: '# Just a title\n',
      metadata: {},
      error: null,
    });
  });

  it('accepts empty front matter, a BOM, CRLF line ends and a "..." terminator', () => {
    expect(parseModelCard('---\n---\nbody').metadata).toEqual({});
    expect(parseModelCard('\uFEFF---\r\nlicense: mit\r\n...\r\nbody')).toEqual({
      body: 'body',
      metadata: { license: 'mit' },
      error: null,
    });
  });

  it('records malformed YAML as an error instead of throwing', () => {
    const card = parseModelCard('---\nlicense: [apache-2.0\n---\n# x\n');
    expect(card.metadata).toBeNull();
    expect(card.error).toMatch(/^Front matter is not valid YAML: /);
    expect(card.error).not.toContain('\n');
    expect(card.body).toBe('# x\n');
  });

  it('records unterminated and non-mapping front matter as errors', () => {
    expect(parseModelCard('---\nlicense: mit\n# no end').error).toMatch(/never closed/);
    expect(parseModelCard('---\n- a\n- b\n---\n').error).toMatch(/not a YAML mapping/);
    expect(parseModelCard('---\nlicense: mit\nlicense: gpl\n---\n').error).toMatch(/not valid YAML/);
  });

  it('refuses alias bombs', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 0; level < 8; level += 1) {
      const ref = String.fromCharCode(97 + level);
      lines.push(
        `${String.fromCharCode(98 + level)}: &${String.fromCharCode(98 + level)} [*${ref},*${ref},*${ref},*${ref},*${ref},*${ref},*${ref},*${ref},*${ref}]`,
      );
    }
    expect(parseModelCard(`---\n${lines.join('\n')}\n---\n`).error).toMatch(/not valid YAML/);
  });
});

describe('cardFacts', () => {
  it('reads license, base models, datasets, tags, language and eval results', () => {
    const facts = cardFacts({
      license: 'apache-2.0',
      base_model: ['org/a', 'org/b'],
      datasets: 'imdb',
      tags: ['x', 3],
      language: 'en',
      pipeline_tag: 'fill-mask',
      library_name: 'transformers',
      'model-index': [
        {
          name: 'm',
          results: [
            {
              task: { type: 'text-classification' },
              dataset: { type: 'glue', name: 'GLUE' },
              metrics: [
                { type: 'accuracy', value: 0.9, verified: true },
                { name: 'f1', value: '88 ± 1' },
                { value: 3 },
                { type: 'loss', value: { odd: true } },
              ],
            },
          ],
        },
      ],
    });
    expect(facts).toEqual({
      license: 'apache-2.0',
      licenseName: null,
      licenseLink: null,
      baseModels: ['org/a', 'org/b'],
      datasets: ['imdb'],
      tags: ['x', '3'],
      language: ['en'],
      pipelineTag: 'fill-mask',
      libraryName: 'transformers',
      evalResults: [
        {
          model: 'm',
          task: 'text-classification',
          dataset: 'glue',
          metric: 'accuracy',
          value: 0.9,
          verified: true,
        },
        {
          model: 'm',
          task: 'text-classification',
          dataset: 'glue',
          metric: 'f1',
          value: '88 ± 1',
          verified: false,
        },
        {
          model: 'm',
          task: 'text-classification',
          dataset: 'glue',
          metric: 'loss',
          value: null,
          verified: false,
        },
      ],
    });
  });

  it('gives empty facts for missing or oddly typed metadata', () => {
    const facts = cardFacts({ license: { odd: 1 }, base_model: null, 'model-index': 'nope' });
    expect(facts.license).toBeNull();
    expect(facts.baseModels).toEqual([]);
    expect(facts.evalResults).toEqual([]);
    expect(cardFacts(null).datasets).toEqual([]);
  });

  it('keeps license_name and license_link of "other" licenses', () => {
    const facts = cardFacts({ license: 'other', license_name: 'llama3', license_link: 'LICENSE' });
    expect([facts.license, facts.licenseName, facts.licenseLink]).toEqual(['other', 'llama3', 'LICENSE']);
  });
});
