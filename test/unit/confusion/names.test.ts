import { describe, expect, it } from 'vitest';
import { editDistance, nameReasons, skeleton, stripAffixes } from '../../../src/services/confusion-names.js';

const id = (full: string) => {
  const slash = full.indexOf('/');
  return slash === -1
    ? { org: null, name: full }
    : { org: full.slice(0, slash), name: full.slice(slash + 1) };
};
const kinds = (suspect: string, target: string) => nameReasons(id(suspect), id(target)).map((r) => r.kind);

describe('skeleton', () => {
  it('erases case, delimiters, compatibility forms and look-alike characters', () => {
    const original = skeleton('bert-base-uncased');
    for (const variant of [
      'BERT_Base.Uncased',
      'bert-base-uncased',
      'ｂｅｒｔ-base-uncased',
      'bеrt-bаse-uncased',
      'b3rt-ba5e-uncased',
    ]) {
      expect(skeleton(variant), variant).toBe(original);
    }
    expect(skeleton('modern')).toBe(skeleton('modem'));
    expect(skeleton('Llama')).toBe(skeleton('LIama'));
    expect(skeleton('resnet-50')).toBe(skeleton('resnet-5O'));
    expect(skeleton('whisper')).not.toBe(skeleton('wisper'));
  });
});

describe('editDistance', () => {
  it.each([
    ['abcdef', 'abcdef', 0],
    ['abcdef', 'abcdf', 1],
    ['abcdef', 'abcxdef', 1],
    ['abcdef', 'abcxef', 1],
    ['abcdef', 'abdcef', 1],
    ['abcdef', 'badcfe', 3],
  ])('%s -> %s is %i (bounded at 2)', (a, b, expected) => {
    expect(editDistance(a, b, 2)).toBe(Math.min(expected, 3));
  });
});

describe('nameReasons', () => {
  it.each([
    ['Bert-Base-Uncased', 'google-bert/bert-base-uncased', 'case'],
    ['bert_base-uncased', 'google-bert/bert-base-uncased', 'delimiter'],
    ['bert-base-uncasеd', 'google-bert/bert-base-uncased', 'homoglyph'], // Cyrillic е
    ['Mistra1-7B-v0.1', 'mistralai/Mistral-7B-v0.1', 'homoglyph'],
    ['bert-base-uncsed', 'google-bert/bert-base-uncased', 'edit'],
    ['whisperr-tiny', 'openai/whisper-tiny', 'edit'],
    ['flan-t5-bsae', 'google/flan-t5-base', 'edit'],
    ['roberta-bose', 'FacebookAI/roberta-base', 'edit'],
    ['goog1e-bert/bert-base-uncased', 'google-bert/bert-base-uncased', 'organisation'],
    ['openai-cornmunity/gpt2', 'openai-community/gpt2', 'organisation'],
    ['bert-base-uncased-v2', 'google-bert/bert-base-uncased', 'affix'],
    ['official-whisper-tiny-fixed', 'openai/whisper-tiny', 'affix'],
    ['all-MiniLM-L6-v2', 'sentence-transformers/all-MiniLM-L6-v2', 'same-name'],
  ])('%s looks like %s (%s)', (suspect, target, kind) => {
    expect(kinds(suspect, target)).toContain(kind);
  });

  it.each([
    ['google-bert/bert-base-uncased', 'google-bert/bert-base-uncased'], // the model itself
    ['google-bert/bert-large-uncased', 'google-bert/bert-base-uncased'], // own family
    ['google-bert/bert-base-cased', 'google-bert/bert-base-uncased'],
    ['textattack/bert-base-uncased-imdb', 'google-bert/bert-base-uncased'], // a fine-tune's honest suffix
    ['deepset/roberta-base-squad2', 'FacebookAI/roberta-base'],
    ['fraud-detector', 'acme/invoice-ocr'],
    ['gpt', 'openai-community/gpt2'], // too short for an edit to mean anything
  ])('%s does not imitate %s', (suspect, target) => {
    expect(kinds(suspect, target)).toEqual([]);
  });
});

describe('stripAffixes', () => {
  it('lists every core left by removing suspicious words from the ends, longest first', () => {
    expect(stripAffixes('official-llama-2-fixed').map((v) => v.core.join('-'))).toEqual([
      'official-llama-2',
      'llama-2-fixed',
      'llama-2',
    ]);
    expect(stripAffixes('llama-2')).toEqual([]);
  });
});
