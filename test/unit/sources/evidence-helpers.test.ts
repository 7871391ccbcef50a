import { describe, expect, it } from 'vitest';
import { classifyFile } from '../../../src/packages/classify.js';
import { datasetLinks, githubLinks, primaryGithubRepo } from '../../../src/sources/card-links.js';
import { readModelConfig } from '../../../src/sources/model-config.js';
import { summarizeTree } from '../../../src/sources/tree-summary.js';
import { versionFromTags } from '../../../src/sources/version-tags.js';

describe('versionFromTags', () => {
  it('picks the highest vX.Y.Z or X.Y.Z tag by semver', () => {
    expect(versionFromTags(['v1.0.0', '2.1.0', 'v2.0.0', 'v10.0.0-rc1', 'latest', 'v1.10.0'])).toBe('2.1.0');
    expect(versionFromTags(['v1.2.0', 'v1.10.0'])).toBe('1.10.0');
  });

  it('is null without release tags', () => {
    expect(versionFromTags([])).toBeNull();
    expect(versionFromTags(['v1.0', 'release-1.0.0', '1.0.0-beta'])).toBeNull();
  });
});

describe('githubLinks', () => {
  it('lists front-matter links first, then body links, without duplicates or .git', () => {
    const links = githubLinks(
      { repository: 'https://github.com/acme/code' },
      'See https://github.com/huggingface/transformers and https://github.com/Acme/Code.git and (https://github.com/x/y).',
    );
    expect(links).toEqual([
      { owner: 'acme', repo: 'code' },
      { owner: 'huggingface', repo: 'transformers' },
      { owner: 'x', repo: 'y' },
    ]);
  });

  it('chooses the first link that is not shared tooling', () => {
    const links = githubLinks(
      null,
      'https://github.com/huggingface/transformers https://github.com/openai/whisper.',
    );
    expect(primaryGithubRepo(links)).toEqual({ owner: 'openai', repo: 'whisper' });
    expect(primaryGithubRepo(githubLinks(null, 'https://github.com/huggingface/peft'))).toBeNull();
  });

  it('bounds the number of links', () => {
    const body = Array.from({ length: 50 }, (_, index) => `https://github.com/o/r${index}`).join(' ');
    expect(githubLinks(null, body)).toHaveLength(20);
  });
});

describe('datasetLinks', () => {
  it('finds Hugging Face dataset ids in the body', () => {
    expect(
      datasetLinks(
        '[a](https://huggingface.co/datasets/stanfordnlp/imdb). and https://hf.co/datasets/bookcorpus',
      ),
    ).toEqual(['stanfordnlp/imdb', 'bookcorpus']);
  });
});

describe('readModelConfig', () => {
  it('reads model type, architectures, parents, dtype and parameter count', () => {
    const facts = readModelConfig(
      JSON.stringify({
        _name_or_path: 'bert-base-uncased',
        model_type: 'bert',
        architectures: ['BertModel', 7],
        base_model_name_or_path: 'google-bert/bert-base-uncased',
        torch_dtype: 'float16',
        num_parameters: 110_000_000,
        peft_type: 'LORA',
      }),
    );
    expect(facts).toEqual({
      error: null,
      modelType: 'bert',
      architectures: ['BertModel'],
      nameOrPath: 'bert-base-uncased',
      baseModelFields: { base_model_name_or_path: 'google-bert/bert-base-uncased' },
      torchDtype: 'float16',
      numParameters: 110_000_000,
      peftType: 'LORA',
    });
  });

  it('records malformed JSON and non-objects as errors', () => {
    expect(readModelConfig('{"model_type": ').error).toMatch(/^Not valid JSON/);
    expect(readModelConfig('[1]').error).toBe('Not a JSON object.');
    expect(readModelConfig('{"num_parameters": -1}').numParameters).toBeNull();
  });
});

describe('summarizeTree', () => {
  it('spots tests, CI, lint, type and packaging files', () => {
    const paths = [
      'README.md',
      'setup.py',
      '.flake8',
      'tsconfig.json',
      '.github/workflows/ci.yml',
      'src/tests/helpers.txt',
      'pkg/module.py',
      'pkg/sub/.flake8',
    ];
    const summary = summarizeTree(
      paths.map((path) => ({ path, size: 10, lfs: false, aspect: classifyFile(path) })),
    );
    expect(summary).toMatchObject({
      fileCount: 8,
      totalBytes: 80,
      topLevel: ['.flake8', '.github', 'README.md', 'pkg', 'setup.py', 'src', 'tsconfig.json'],
      hasTests: true,
      ciWorkflows: ['.github/workflows/ci.yml'],
      lintConfigs: ['.flake8'],
      typeConfigs: ['tsconfig.json'],
      packagingFiles: ['setup.py'],
    });
  });

  it('finds test files by name and reports their absence', () => {
    const file = (path: string) => ({ path, size: 1, lfs: false, aspect: classifyFile(path) });
    expect(summarizeTree([file('lib/thing.test.ts')]).hasTests).toBe(true);
    expect(summarizeTree([file('test_model.py')]).hasTests).toBe(true);
    expect(summarizeTree([file('lib/contest.py')]).hasTests).toBe(false);
  });
});
