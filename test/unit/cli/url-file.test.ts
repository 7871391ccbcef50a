import { describe, expect, it } from 'vitest';
import { parseUrlFile } from '../../../src/cli/url-file.js';

describe('parseUrlFile', () => {
  it('reads a bare model URL', () => {
    expect(parseUrlFile('https://huggingface.co/google-bert/bert-base-uncased\n')).toEqual([
      {
        lineNumber: 1,
        text: 'https://huggingface.co/google-bert/bert-base-uncased',
        target: {
          url: 'https://huggingface.co/google-bert/bert-base-uncased',
          modelId: 'google-bert/bert-base-uncased',
          code: null,
          datasetId: null,
        },
      },
    ]);
  });

  it('reads code, dataset and model from the three-field form, fields trimmed', () => {
    const [line] = parseUrlFile(
      'https://github.com/google-research/bert , https://huggingface.co/datasets/bookcorpus/bookcorpus, https://huggingface.co/google-bert/bert-base-uncased',
    );
    expect(line).toMatchObject({
      target: {
        modelId: 'google-bert/bert-base-uncased',
        code: { owner: 'google-research', repo: 'bert' },
        datasetId: 'bookcorpus/bookcorpus',
      },
    });
  });

  it('allows empty code and dataset fields', () => {
    const [line] = parseUrlFile(',,https://huggingface.co/openai/whisper-tiny');
    expect(line).toMatchObject({ target: { modelId: 'openai/whisper-tiny', code: null, datasetId: null } });
  });

  it('skips blank lines and keeps the file line numbers, CRLF included', () => {
    const lines = parseUrlFile('\r\n  \r\nhttps://huggingface.co/a/b\r\n\r\nhttps://huggingface.co/c/d\r\n');
    expect(lines.map((line) => line.lineNumber)).toEqual([3, 5]);
  });

  it.each([
    ['two fields', 'https://github.com/a/b,https://huggingface.co/c/d', /got 2 comma-separated fields/],
    ['four fields', ',,,https://huggingface.co/c/d', /got 4/],
    ['no model', 'https://github.com/a/b,,', /model URL .* is missing/],
    ['not a URL', 'bert-base-uncased', /not a valid URL/],
    ['a dataset as the model', 'https://huggingface.co/datasets/x/y', /not a Hugging Face model URL/],
    [
      'a model as the code',
      'https://huggingface.co/a/b,,https://huggingface.co/c/d',
      /not a GitHub repository/,
    ],
    [
      'a model as the dataset',
      ',https://huggingface.co/a/b,https://huggingface.co/c/d',
      /not a Hugging Face dataset URL/,
    ],
  ])('reports %s with its line number and keeps reading', (_case, text, message) => {
    const lines = parseUrlFile(`${text}\nhttps://huggingface.co/ok/model`);
    expect(lines[0]).toMatchObject({ lineNumber: 1, text });
    expect((lines[0] as { error: string }).error).toMatch(/^line 1: /);
    expect((lines[0] as { error: string }).error).toMatch(message);
    expect(lines[1]).toMatchObject({ target: { modelId: 'ok/model' } });
  });
});
