import { describe, expect, it } from 'vitest';
import { NotFoundError, RegistryError } from '../../../src/domain/errors.js';
import { declaredModelLicense, LicenseService } from '../../../src/services/license-service.js';
import { hfModel, uploadedModel } from '../lineage/records.js';

/** GitHub answering the license of each `owner/repo` it knows (an SPDX id, or null for none). */
function github(licenses: Record<string, string | null | Error | string[]>) {
  return {
    getLicense: async (owner: string, repo: string) => {
      const answer = licenses[`${owner}/${repo}`];
      if (answer === undefined) throw new NotFoundError(`GitHub repository ${owner}/${repo} does not exist.`);
      if (answer instanceof Error) throw answer;
      if (Array.isArray(answer)) throw answer[0]; // not an Error at all
      return answer;
    },
  };
}

const apacheModel = hfModel({ repoId: 'google-bert/bert-base-uncased', card: { license: 'apache-2.0' } });

describe('LicenseService.check', () => {
  it('judges a hub model against a GitHub project by their canonical licenses', async () => {
    const service = new LicenseService(github({ 'acme/trainer': 'MIT' }));
    expect(await service.check(apacheModel, 'https://github.com/acme/trainer')).toEqual({
      compatible: true,
      reason:
        'Compatible for fine-tuning and inference/generation. Keep the notices required by Apache-2.0, MIT.',
      modelLicense: 'Apache-2.0',
      codeLicense: 'MIT',
    });
  });

  it('reads the license of an uploaded model from its README front matter', async () => {
    const model = uploadedModel('classifier', { readme: '---\nlicense: gpl-3.0\n---\n# Classifier\n' });
    const service = new LicenseService(github({ 'acme/unlicensed': null }));
    expect(await service.check(model, 'https://github.com/acme/unlicensed')).toEqual({
      compatible: false,
      reason: 'Not compatible: The code has no license, so nothing grants the right to use it.',
      modelLicense: 'GPL-3.0',
      codeLicense: 'NONE',
    });
  });

  it('treats an uploaded model without a README as unlicensed', async () => {
    const model = uploadedModel('bare', {});
    const result = await new LicenseService(github({ 'acme/trainer': 'MIT' })).check(
      model,
      'https://github.com/acme/trainer',
    );
    expect(result).toMatchObject({ compatible: false, modelLicense: 'NONE' });
    expect(result.reason).toBe(
      'Not compatible: The model has no license, so nothing grants the right to use it.',
    );
  });

  it('says so when the model card front matter is malformed', async () => {
    const model = uploadedModel('broken', { readme: '---\nlicense: [unclosed\n---\n# Broken\n' });
    const result = await new LicenseService(github({ 'acme/trainer': 'MIT' })).check(
      model,
      'https://github.com/acme/trainer',
    );
    expect(result.modelLicense).toBe('NONE');
    expect(result.reason).toMatch(
      /^The model card's front matter is malformed \(Front matter is not valid YAML: .*\)\. Not compatible: The model has no license/,
    );
  });

  it('refuses a URL that is not a GitHub repository with 400', async () => {
    const service = new LicenseService(github({}));
    await expect(service.check(apacheModel, 'https://huggingface.co/acme/model')).rejects.toMatchObject({
      statusCode: 400,
      message:
        '"https://huggingface.co/acme/model" is not a GitHub repository URL (https://github.com/OWNER/REPO).',
    });
  });

  it('passes a repository that does not exist through as 404', async () => {
    const service = new LicenseService(github({}));
    await expect(service.check(apacheModel, 'https://github.com/acme/missing')).rejects.toMatchObject({
      statusCode: 404,
      message: 'GitHub repository acme/missing does not exist.',
    });
  });

  it.each([
    [new RegistryError(503, 'GitHub answered 503'), 'GitHub answered 503'],
    [['a thrown string'], 'a thrown string'],
  ])('answers 502 when the license cannot be fetched (%s)', async (failure, detail) => {
    const service = new LicenseService(github({ 'acme/flaky': failure as Error }));
    await expect(service.check(apacheModel, 'https://github.com/acme/flaky')).rejects.toMatchObject({
      statusCode: 502,
      message: `The license of GitHub repository acme/flaky could not be fetched: ${detail}`,
    });
  });
});

describe('declaredModelLicense', () => {
  it.each([
    [{ license: 'mit' }, ['mit']],
    [{ license: ['apache-2.0', 'mit'] }, ['apache-2.0', 'mit']],
    [{ license: 'other', license_name: 'acme-research-license' }, ['acme-research-license']],
    [{ license: 'other' }, ['other']],
    [{ license: ['other', 'mit'], license_name: 'acme' }, ['other', 'mit']],
    [null, []],
  ])('reads %o as %o', (metadata, expected) => {
    expect(declaredModelLicense(metadata)).toEqual(expected);
  });
});
