import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/domain/errors.js';
import { lineageReferences } from '../../../src/services/lineage-references.js';
import { githubCode, hfDataset, hfModel, uploadedModel } from './records.js';

describe('lineageReferences: what a model declares', () => {
  it('reads the card base_model as the base model', () => {
    const record = hfModel({ repoId: 'acme/tuned', card: { base_model: 'google-bert/bert-base-uncased' } });
    expect(lineageReferences(record)).toEqual([
      {
        type: 'model',
        name: 'google-bert/bert-base-uncased',
        relationship: 'base_model',
        source: 'model_card',
      },
    ]);
  });

  it.each([
    ['finetune', 'base_model'],
    ['adapter', 'adapter_base_model'],
    ['merge', 'merge_source_model'],
    ['quantized', 'quantization_source_model'],
    ['something-new', 'base_model'],
  ])('maps base_model_relation %s to %s for every listed parent', (relation, relationship) => {
    const record = hfModel({
      repoId: 'acme/child',
      card: { base_model: ['org/a', 'org/b'], base_model_relation: relation },
    });
    expect(lineageReferences(record).map((ref) => [ref.name, ref.relationship])).toEqual([
      ['org/a', relationship],
      ['org/b', relationship],
    ]);
  });

  it('merges a legacy config _name_or_path into the qualified card id of the same model', () => {
    const record = hfModel({
      repoId: 'textattack/bert-base-uncased-imdb',
      card: { base_model: 'google-bert/bert-base-uncased' },
      config: { _name_or_path: 'bert-base-uncased', model_type: 'bert' },
    });
    expect(lineageReferences(record)).toEqual([
      {
        type: 'model',
        name: 'google-bert/bert-base-uncased',
        relationship: 'base_model',
        source: 'model_card',
      },
    ]);
  });

  it('takes config.json parents when the card names none', () => {
    const record = hfModel({
      repoId: 'acme/student',
      config: {
        _name_or_path: 'distilbert/distilbert-base-uncased',
        teacher_model: 'google-bert/bert-large',
      },
    });
    expect(lineageReferences(record)).toEqual([
      {
        type: 'model',
        name: 'google-bert/bert-large',
        relationship: 'distillation_teacher_model',
        source: 'config_json',
      },
      {
        type: 'model',
        name: 'distilbert/distilbert-base-uncased',
        relationship: 'base_model',
        source: 'config_json',
      },
    ]);
  });

  it.each([
    ['its own id', 'acme/tuned'],
    ['its own legacy name', 'tuned'],
    ['a local path', '/content/drive/checkpoint-500'],
    ['a relative path', './output'],
    ['a URL', 'https://huggingface.co/org/x'],
  ])('ignores a _name_or_path that is %s', (_label, nameOrPath) => {
    const record = hfModel({ repoId: 'acme/tuned', config: { _name_or_path: nameOrPath } });
    expect(lineageReferences(record)).toEqual([]);
  });

  it('reads adapter_config.json base_model_name_or_path as the adapter base', () => {
    const record = hfModel({
      repoId: 'acme/bert-lora-adapter',
      adapter: { base_model_name_or_path: 'google-bert/bert-base-uncased', peft_type: 'LORA' },
    });
    expect(lineageReferences(record)).toEqual([
      {
        type: 'model',
        name: 'google-bert/bert-base-uncased',
        relationship: 'adapter_base_model',
        source: 'adapter_config',
      },
    ]);
  });

  it('keeps the card as source but the adapter relationship when both name the base', () => {
    const record = hfModel({
      repoId: 'acme/bert-lora-adapter',
      card: { base_model: 'google-bert/bert-base-uncased', library_name: 'peft' },
      adapter: { base_model_name_or_path: 'google-bert/bert-base-uncased' },
    });
    expect(lineageReferences(record)).toEqual([
      {
        type: 'model',
        name: 'google-bert/bert-base-uncased',
        relationship: 'adapter_base_model',
        source: 'model_card',
      },
    ]);
  });

  it('calls datasets fine-tuning data when the model has a parent, training data when not', () => {
    const tuned = hfModel({
      repoId: 'a/tuned',
      card: { base_model: 'a/base', datasets: ['stanfordnlp/imdb'] },
    });
    const pretrained = hfModel({ repoId: 'a/base', card: { datasets: ['bookcorpus', 'wikipedia'] } });
    expect(lineageReferences(tuned)[1]).toEqual({
      type: 'dataset',
      name: 'stanfordnlp/imdb',
      relationship: 'fine_tuning_dataset',
      source: 'model_card',
    });
    expect(lineageReferences(pretrained).map((ref) => [ref.name, ref.relationship])).toEqual([
      ['bookcorpus', 'training_dataset'],
      ['wikipedia', 'training_dataset'],
    ]);
  });

  it('adds the linked GitHub repository as the code', () => {
    const record = hfModel({
      repoId: 'openai/whisper-tiny',
      linkedGithub: { owner: 'openai', repo: 'whisper' },
    });
    expect(lineageReferences(record)).toEqual([
      { type: 'code', name: 'openai/whisper', relationship: 'code_repository', source: 'model_card' },
    ]);
  });

  it.each([
    ['front matter', { cardError: 'Front matter is not valid YAML: bad indentation' }, /front matter/],
    ['config.json', { config: '{"model_type": "bert", "architectures": [' }, /config\.json: Not valid JSON/],
    ['config.json that is not an object', { config: '[1, 2]' }, /config\.json: Not a JSON object/],
    ['adapter_config.json', { adapter: '{oops' }, /adapter_config\.json: Not valid JSON/],
  ])('refuses malformed %s with a 400', (_label, spec, message) => {
    const record = hfModel({ repoId: 'broken-org/bad', ...spec });
    expect(() => lineageReferences(record)).toThrow(BadRequestError);
    expect(() => lineageReferences(record)).toThrow(message);
  });

  it('reads an uploaded package from its README front matter and config.json', () => {
    const record = uploadedModel('my-classifier', {
      readme:
        '---\nbase_model: acme/base\ndatasets: [acme/reviews]\n---\nSee https://github.com/acme/trainer.\n',
      configJson: JSON.stringify({ _name_or_path: 'acme/base' }),
    });
    expect(lineageReferences(record).map((ref) => [ref.type, ref.name, ref.source])).toEqual([
      ['model', 'acme/base', 'model_card'],
      ['dataset', 'acme/reviews', 'model_card'],
      ['code', 'acme/trainer', 'model_card'],
    ]);
  });

  it('refuses an uploaded package whose config.json is not JSON', () => {
    expect(() => lineageReferences(uploadedModel('x', { configJson: '{oops' }))).toThrow(BadRequestError);
  });

  it('gives datasets and code no parents', () => {
    expect(lineageReferences(hfDataset('stanfordnlp/imdb'))).toEqual([]);
    expect(lineageReferences(githubCode('openai/whisper'))).toEqual([]);
  });
});
