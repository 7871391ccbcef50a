import { describe, expect, it } from 'vitest';
import { MetricUnavailableError } from '../../../src/rating/metric.js';
import { datasetQuality } from '../../../src/rating/metrics/dataset-quality.js';
import { license } from '../../../src/rating/metrics/license.js';
import { fitScore, sizeScore } from '../../../src/rating/metrics/size-score.js';
import { treeScore } from '../../../src/rating/metrics/tree-score.js';
import { card, cardText, evidence, file, hfDataset, hfModel } from './evidence-builder.js';

const GIB = 1024 ** 3;

describe('license', () => {
  const withLicense = (lines: string[], tags: string[] = []) =>
    license(evidence({ model: hfModel({ card: card(cardText(lines, '# M\n')), tags }) }));

  it('scores permissive licenses 1 and a missing one 0', () => {
    expect(withLicense(['license: apache-2.0']).score).toBe(1);
    expect(withLicense(['license: mit']).score).toBe(1);
    const none = withLicense([]);
    expect(none.score).toBe(0);
    expect(none.reason).toContain('declares no license');
  });

  it('scores non-commercial licenses 0 and use-restricted ones in between', () => {
    expect(withLicense(['license: cc-by-nc-4.0']).score).toBe(0);
    const rail = withLicense(['license: openrail']).score;
    expect(rail).toBeGreaterThan(0);
    expect(rail).toBeLessThan(1);
  });

  it('falls back to the hub license tag and reads "other" through license_name', () => {
    expect(license(evidence({ model: hfModel({ tags: ['license:mit'] }) })).score).toBe(1);
    const other = withLicense(['license: other', 'license_name: llama3']);
    expect(other.reason).toContain('llama3');
    expect(other.score).toBeLessThan(1);
  });
});

describe('size_score', () => {
  const sized = (...files: ReturnType<typeof file>[]) => sizeScore(evidence({ model: hfModel({ files }) }));

  it('scores a small model 1 everywhere', () => {
    expect(sized(file('model.safetensors', 50e6)).score).toEqual({
      raspberry_pi: 1,
      jetson_nano: 1,
      desktop_pc: 1,
      aws_server: 1,
    });
  });

  it('scores a huge model 0 on small devices and part on a server', () => {
    const { score, reason } = sized(
      file('model-00001-of-00002.safetensors', 13 * GIB),
      file('model-00002-of-00002.safetensors', 13 * GIB),
    );
    expect(score.raspberry_pi).toBe(0);
    expect(score.desktop_pc).toBe(0);
    expect(score.aws_server).toBeGreaterThan(0.4);
    expect(score.aws_server).toBeLessThan(0.6);
    expect(reason).toContain('26.00 GiB of safetensors');
  });

  it('counts one format of duplicated weights, and the smallest GGUF variant', () => {
    const duplicated = sized(
      file('model.safetensors', 1 * GIB),
      file('pytorch_model.bin', 1 * GIB),
      file('tf_model.h5', 1 * GIB),
      file('optimizer.pt', 2 * GIB),
    );
    expect(duplicated.reason).toContain('1.00 GiB of safetensors');
    const gguf = sized(
      file('m.Q4_K_M.gguf', 4 * GIB),
      file('m.Q8_0.gguf', 7 * GIB),
      file('m.F16-00001-of-00002.gguf', 7 * GIB),
      file('m.F16-00002-of-00002.gguf', 7 * GIB),
    );
    expect(gguf.reason).toContain('4.00 GiB of GGUF');
  });

  it('falls back to the parameter count, and is unavailable without any size evidence', () => {
    const model = hfModel({
      safetensorsParameters: 1e9,
      config: {
        error: null,
        modelType: null,
        architectures: [],
        nameOrPath: null,
        baseModelFields: {},
        torchDtype: 'bfloat16',
        numParameters: null,
        peftType: null,
      },
    });
    expect(sizeScore(evidence({ model })).reason).toContain('1000000000 parameters as bfloat16');
    expect(() => sizeScore(evidence())).toThrow(MetricUnavailableError);
  });

  it('follows a smooth curve: 1 up to a quarter of memory, 0.5 at half, 0 when it does not fit', () => {
    expect(fitScore(0.25)).toBe(1);
    expect(fitScore(0.5)).toBe(0.5);
    expect(fitScore(1)).toBe(0);
    expect(fitScore(0.3)).toBeGreaterThan(fitScore(0.4));
  });
});

describe('dataset_quality', () => {
  const goodDataset = hfDataset({
    repoId: 'acme/corpus',
    downloads: 50_000,
    card: card(
      cardText(
        ['license: cc-by-4.0', 'task_categories: [text-classification]', 'size_categories: [10K<n<100K]'],
        `# Corpus\n\n## Summary\n\n${'word '.repeat(200)}\n\n## Structure\n\nRows.\n`,
      ),
    ),
    files: [file('data/train.parquet', 5000)],
  });

  it('scores a well-documented, licensed, sized, used dataset 1', () => {
    expect(
      datasetQuality(evidence({ model: hfModel({ datasets: ['acme/corpus'] }), datasets: [goodDataset] }))
        .score,
    ).toBe(1);
  });

  it('averages over the linked datasets', () => {
    const bare = hfDataset({ repoId: 'anon/data', files: [file('data.csv', 10)] });
    const result = datasetQuality(
      evidence({ model: hfModel({ datasets: ['acme/corpus', 'anon/data'] }), datasets: [goodDataset, bare] }),
    );
    expect(result.score).toBeCloseTo((1 + 0.075 + (0.15 * Math.log10(1)) / 4) / 2, 2);
    expect(result.reason).toContain('anon/data');
  });

  it('scores no linked dataset 0, and is unavailable when linked ones could not be read', () => {
    expect(datasetQuality(evidence()).score).toBe(0);
    expect(() => datasetQuality(evidence({ model: hfModel({ datasets: ['gone/data'] }) }))).toThrow(
      MetricUnavailableError,
    );
  });
});

describe('tree_score', () => {
  it('scores a root model 1', () => {
    expect(treeScore(evidence()).score).toBe(1);
  });

  it('averages the rated parents and names the ones left out', () => {
    const result = treeScore(
      evidence({
        parents: [
          { id: 'a1', name: 'org/a', netScore: 0.8 },
          { id: 'b1', name: 'org/b', netScore: 0.6 },
          { id: 'c1', name: 'org/unrated', netScore: null },
          { id: null, name: 'org/external', netScore: null },
        ],
      }),
    );
    expect(result.score).toBe(0.7);
    expect(result.reason).toContain('org/unrated, org/external');
  });

  it('scores 0 when no parent is rated in the registry', () => {
    const result = treeScore(evidence({ parents: [{ id: null, name: 'org/external', netScore: null }] }));
    expect(result.score).toBe(0);
  });
});

describe('dataset_quality duplicates', () => {
  it('judges a dataset fetched twice (legacy id and canonical link) once', () => {
    const data = hfDataset({ repoId: 'acme/corpus', downloads: 9999 });
    const other = hfDataset({ repoId: 'acme/other', card: card('---\nlicense: mit\n---\n# Other\n') });
    const once = datasetQuality(
      evidence({ model: hfModel({ datasets: ['corpus'] }), datasets: [data, other] }),
    );
    const twice = datasetQuality(
      evidence({ model: hfModel({ datasets: ['corpus'] }), datasets: [data, data, other] }),
    );
    expect(twice).toEqual(once);
  });
});
