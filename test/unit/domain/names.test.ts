import { describe, expect, it } from 'vitest';
import { isArtifactType } from '../../../src/domain/artifact.js';
import { BadRequestError } from '../../../src/domain/errors.js';
import { assertArtifactName, nameFromUrl } from '../../../src/domain/names.js';

describe('assertArtifactName', () => {
  it.each(['bert', 'a', 'my model (v2)!', '~'.repeat(255), 'x*', '**'])('accepts %j', (name) => {
    expect(assertArtifactName(name)).toBe(name);
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(256)],
    ['leading space', ' bert'],
    ['trailing space', 'bert '],
    ['non-ASCII', 'bért'],
    ['control character', 'be\trt'],
    ['newline', 'bert\n'],
  ])('refuses a name that is %s with 400', (_, name) => {
    expect(() => assertArtifactName(name)).toThrow(BadRequestError);
    expect(() => assertArtifactName(name)).toThrow(/1-255 printable ASCII/);
  });

  it('reserves "*" for queries', () => {
    expect(() => assertArtifactName('*')).toThrow(
      'The name "*" is reserved: it means all artifacts in queries.',
    );
  });
});

describe('nameFromUrl', () => {
  it.each([
    ['https://example.com/files/model.zip', 'model'],
    ['https://example.com/files/Model.ZIP', 'Model'],
    ['https://example.com/files/my%20model.zip', 'my model'],
    ['https://example.com/a/b/c/', 'c'],
    ['https://example.com/data.tar.gz', 'data.tar.gz'],
    ['https://example.com/caf%C3%A9.zip', 'caf'],
    ['https://example.com/%E2%82%AC.zip', 'example.com'],
    ['https://example.com/', 'example.com'],
    ['https://example.com/%2A.zip', 'example.com'],
    ['https://example.com/%20padded%20.zip', 'padded'],
    ['https://example.com/100%25off%zz.zip', '100%25off%zz'],
  ])('names %s %j', (url, name) => {
    expect(nameFromUrl(new URL(url))).toBe(name);
  });

  it('cuts a long segment to 255 characters', () => {
    const name = nameFromUrl(new URL(`https://example.com/${'n'.repeat(300)}.zip`));
    expect(name).toBe('n'.repeat(255));
    expect(assertArtifactName(name)).toBe(name);
  });
});

describe('isArtifactType', () => {
  it('knows the three kinds and nothing else', () => {
    expect(['model', 'dataset', 'code'].every(isArtifactType)).toBe(true);
    expect(isArtifactType('Model')).toBe(false);
    expect(isArtifactType('weights')).toBe(false);
  });
});
