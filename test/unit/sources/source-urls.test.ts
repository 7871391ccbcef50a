import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/domain/errors.js';
import { canonicalSourceUrl, parseSourceUrl } from '../../../src/sources/source-urls.js';

describe('parseSourceUrl', () => {
  it.each([
    ['https://huggingface.co/google-bert/bert-base-uncased', 'google-bert/bert-base-uncased'],
    ['https://huggingface.co/google-bert/bert-base-uncased/', 'google-bert/bert-base-uncased'],
    ['https://huggingface.co/google-bert/bert-base-uncased/tree/main', 'google-bert/bert-base-uncased'],
    ['https://huggingface.co/openai/whisper-tiny/blob/main/config.json', 'openai/whisper-tiny'],
    [
      'https://huggingface.co/arnir0/Tiny-LLM/resolve/main/model.safetensors?download=true',
      'arnir0/Tiny-LLM',
    ],
    ['https://huggingface.co/bert-base-uncased', 'bert-base-uncased'],
    ['https://huggingface.co/bert-base-uncased/tree/main', 'bert-base-uncased'],
    ['http://www.huggingface.co/org/name.v2_x#readme', 'org/name.v2_x'],
    ['https://hf.co/org/name', 'org/name'],
  ])('reads %s as the model %s', (url, repoId) => {
    expect(parseSourceUrl(url)).toEqual({ kind: 'hf-model', repoId });
  });

  it.each([
    ['https://huggingface.co/datasets/stanfordnlp/imdb', 'stanfordnlp/imdb'],
    ['https://huggingface.co/datasets/bookcorpus', 'bookcorpus'],
    ['https://huggingface.co/datasets/stanfordnlp/imdb/tree/main/plain_text', 'stanfordnlp/imdb'],
  ])('reads %s as the dataset %s', (url, repoId) => {
    expect(parseSourceUrl(url)).toEqual({ kind: 'hf-dataset', repoId });
  });

  it.each([
    ['https://github.com/google-research/bert', 'google-research', 'bert'],
    ['https://github.com/openai/whisper.git', 'openai', 'whisper'],
    ['https://www.github.com/openai/whisper/tree/main/whisper', 'openai', 'whisper'],
    ['https://github.com/a-b/c.d_e/', 'a-b', 'c.d_e'],
  ])('reads %s as the GitHub repo %s/%s', (url, owner, repo) => {
    expect(parseSourceUrl(url)).toEqual({ kind: 'github', owner, repo });
  });

  it('passes other http(s) URLs through as plain URLs', () => {
    expect(parseSourceUrl('https://example.com/models/m.zip')).toEqual({
      kind: 'url',
      url: 'https://example.com/models/m.zip',
    });
  });

  it.each([
    'not a url',
    'ftp://huggingface.co/org/name',
    'file:///etc/passwd',
    'https://huggingface.co/',
    'https://huggingface.co/spaces/org/app',
    'https://huggingface.co/models',
    'https://huggingface.co/datasets',
    'https://huggingface.co/org--x/name',
    'https://huggingface.co/org/na..me',
    'https://huggingface.co/-org/name',
    `https://huggingface.co/org/${'a'.repeat(97)}`,
    'https://github.com/',
    'https://github.com/openai',
    'https://github.com/-bad/repo',
    'https://github.com/owner/..',
  ])('refuses %s with a 400', (url) => {
    expect(() => parseSourceUrl(url)).toThrow(BadRequestError);
  });
});

describe('canonicalSourceUrl', () => {
  it('names the public page of each source', () => {
    expect(canonicalSourceUrl({ kind: 'hf-model', repoId: 'a/b' })).toBe('https://huggingface.co/a/b');
    expect(canonicalSourceUrl({ kind: 'hf-dataset', repoId: 'a/b' })).toBe(
      'https://huggingface.co/datasets/a/b',
    );
    expect(canonicalSourceUrl({ kind: 'github', owner: 'o', repo: 'r' })).toBe('https://github.com/o/r');
    expect(canonicalSourceUrl({ kind: 'url', url: 'https://x.test/a.zip' })).toBe('https://x.test/a.zip');
  });
});
