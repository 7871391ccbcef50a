import { describe, expect, it } from 'vitest';
import { datasetAndCodeScore } from '../../../src/rating/metrics/dataset-and-code.js';
import { performanceClaims } from '../../../src/rating/metrics/performance-claims.js';
import { rampUpTime } from '../../../src/rating/metrics/ramp-up-time.js';
import { reproducibility, reproducibilityWith } from '../../../src/rating/metrics/reproducibility.js';
import { card, cardText, evidence, githubRepo, hfDataset, hfModel } from './evidence-builder.js';

const FULL_CARD = cardText(
  [
    'license: apache-2.0',
    'datasets: [acme/corpus]',
    'model-index:',
    '  - name: model',
    '    results:',
    '      - task: {type: text-classification}',
    '        dataset: {type: acme/corpus}',
    '        metrics: [{type: accuracy, value: 91.2}]',
  ],
  `# Acme model

${'A well documented model for classifying support tickets by urgency and topic. '.repeat(30)}

## How to use

\`\`\`bash
pip install transformers
\`\`\`

\`\`\`python
from transformers import pipeline
classifier = pipeline("text-classification", model="acme/model")
classifier("My invoice is wrong")
\`\`\`

## Training data

Trained on [the corpus](https://huggingface.co/datasets/acme/corpus).

## Evaluation results

| Task | Accuracy |
|------|----------|
| tickets | 91.2 |

The model reaches an accuracy of 91.2 on held-out tickets. See https://arxiv.org/abs/2401.00001.
`,
);

const fullModel = () =>
  hfModel({
    card: card(FULL_CARD),
    libraryName: 'transformers',
    datasets: ['acme/corpus'],
    linkedGithub: { owner: 'acme', repo: 'code' },
  });
const bareModel = (text: string | null) => hfModel({ card: card(text) });

describe('ramp_up_time', () => {
  it('scores a complete card 1', () => {
    expect(rampUpTime(evidence({ model: fullModel() })).score).toBe(1);
  });

  it('scores a missing card 0 and a stub card near 0', () => {
    expect(rampUpTime(evidence({ model: bareModel(null) }))).toEqual({
      score: 0,
      reason: 'The model has no model card to learn from.',
    });
    const stub = rampUpTime(evidence({ model: bareModel('# untitled\n\nTODO\n') }));
    expect(stub.score).toBeLessThan(0.1);
    expect(stub.reason).toContain('lacks');
  });

  it('gives half the example weight to code that does not name the model', () => {
    const named = rampUpTime(evidence({ model: bareModel('```python\nload("acme/model")\n```\n') })).score;
    const generic = rampUpTime(evidence({ model: bareModel('```python\nload("other")\n```\n') })).score;
    expect(named - generic).toBeCloseTo(0.175, 3);
  });
});

describe('performance_claims', () => {
  it('scores structured results, table, section, quoted metrics and a citation 1', () => {
    const result = performanceClaims(evidence({ model: fullModel() }));
    expect(result.score).toBe(1);
    expect(result.reason).toContain('1 model-index metrics');
  });

  it('scores an empty card 0', () => {
    expect(performanceClaims(evidence({ model: bareModel(null) })).score).toBe(0);
  });

  it('credits prose claims without structured results only partly', () => {
    const result = performanceClaims(
      evidence({ model: bareModel('# M\n\n## Results\n\nWER: 7.5 on LibriSpeech.\n') }),
    );
    expect(result.score).toBeCloseTo(0.25, 3);
  });
});

describe('dataset_and_code_score', () => {
  it('scores named and fetched data, a fetched repository and example code 1', () => {
    const result = datasetAndCodeScore(
      evidence({
        model: fullModel(),
        github: githubRepo(),
        datasets: [hfDataset({ repoId: 'acme/corpus' })],
      }),
    );
    expect(result.score).toBe(1);
  });

  it('halves a repository that is linked but could not be fetched, and a data section without names', () => {
    const model = hfModel({
      card: card('# M\n\n## Training data\n\nSecret.\n'),
      linkedGithub: { owner: 'acme', repo: 'gone' },
    });
    expect(datasetAndCodeScore(evidence({ model })).score).toBeCloseTo(0.125 + 0.175, 3);
  });

  it('scores a model with nothing linked 0', () => {
    expect(datasetAndCodeScore(evidence({ model: bareModel('# M\n') })).score).toBe(0);
  });
});

describe('reproducibility', () => {
  it('scores a card demo that looks runnable 1, and says the check is static', () => {
    const result = reproducibility(evidence({ model: fullModel() }));
    expect(result.score).toBe(1);
    expect(result.reason).toContain('heuristic');
  });

  it('scores no demo 0, and code that never loads a model 0', () => {
    expect(
      reproducibility(evidence({ model: bareModel('# M\n\n```bash\npip install x\n```\n') })).score,
    ).toBe(0);
    expect(
      reproducibility(evidence({ model: bareModel('```python\nfrom peft import PeftModel\n```\n') })).score,
    ).toBe(0);
  });

  it('scores a demo needing fixes 0.5 and lists them', () => {
    const result = reproducibility(
      evidence({ model: bareModel('```python\nmodel = AutoModel.from_pretrained("<model_name>")\n```\n') }),
    );
    expect(result.score).toBe(0.5);
    expect(result.reason).toContain('placeholder');
    expect(result.reason).toContain('AutoModel');
  });

  it('accepts the parent model loaded next to this one', () => {
    const model = hfModel({
      repoId: 'acme/tuned',
      baseModels: ['acme/base'],
      card: card(
        '```python\nfrom transformers import AutoModel, AutoTokenizer\ntok = AutoTokenizer.from_pretrained("acme/base")\nm = AutoModel.from_pretrained("acme/tuned")\n```\n',
      ),
    });
    expect(reproducibility(evidence({ model })).score).toBe(1);
  });

  it('counts a non-Python demo as needing verification', () => {
    const result = reproducibility(
      evidence({ model: bareModel('```js\nconst m = await load("acme/model");\n```\n') }),
    );
    expect(result.score).toBe(0.5);
  });

  it('lets a plugged-in executor decide between 1 and 0.5, and never runs without a demo', async () => {
    const runs: string[] = [];
    const executor = (ran: boolean) => ({
      run: async (program: { code: string }) => {
        runs.push(program.code);
        return { ran, detail: ran ? 'exit 0' : 'ImportError' };
      },
    });
    const placeholder = evidence({
      model: bareModel('```python\nm = AutoModel.from_pretrained("<model_name>")\n```\n'),
    });
    expect((await reproducibilityWith(executor(true))(placeholder)).score).toBe(1);
    expect((await reproducibilityWith(executor(false))(evidence({ model: fullModel() }))).score).toBe(0.5);
    expect((await reproducibilityWith(executor(true))(evidence({ model: bareModel(null) }))).score).toBe(0);
    expect(runs).toHaveLength(2);
  });
});
