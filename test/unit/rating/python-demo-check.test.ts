import { describe, expect, it } from 'vitest';
import { checkPythonDemo, idKind, placeholderIn } from '../../../src/rating/python/demo-check.js';
import { nodesNamed, parsePython, textOf } from '../../../src/rating/python/syntax.js';

const target = { repoId: 'google-bert/bert-base-uncased', relatives: ['distilbert/distilbert-base-uncased'] };
const check = (...blocks: string[]) => checkPythonDemo(blocks, target);

describe('parsePython', () => {
  it('reads strings, comments and brackets across lines without problems', () => {
    const program = parsePython('x = f(\n  "a)", # not a bracket )\n  """multi\n(line"""\n)\n');
    expect(program.problems).toEqual([]);
    expect(nodesNamed(program, 'String').map((node) => textOf(program, node))).toEqual([
      '"a)"',
      '"""multi\n(line"""',
    ]);
  });

  it('reports unclosed and mismatched brackets and unterminated strings, by line', () => {
    expect(parsePython('f(1, 2\n').problems).toEqual(['"(" opened on line 1 is never closed']);
    expect(parsePython('for x in y:\n').problems).toEqual(['line 2: the snippet ends early']);
    expect(parsePython('x = 1\nf(1]\n').problems).toEqual(['line 2: unexpected "]"']);
    expect(parsePython('x = "abc\ny = 2\n').problems).toEqual(['line 1: unterminated string']);
  });

  it('keeps parsing after an error, so later statements are still read', () => {
    const program = parsePython('f(1]\nmodel = load()\n');
    expect(nodesNamed(program, 'AssignStatement').map((node) => textOf(program, node))).toEqual([
      'model = load()',
    ]);
  });

  it('takes notebook magics as lines of their own, not as Python', () => {
    expect(parsePython('!pip install x\n%matplotlib inline\nimport torch\n').problems).toEqual([]);
  });
});

describe('checkPythonDemo', () => {
  it('accepts a runnable pipeline demo that names the legacy id', () => {
    const verdict = check(
      "from transformers import pipeline\nunmasker = pipeline('fill-mask', model='bert-base-uncased')\nunmasker(\"Hello I'm a [MASK] model.\")",
    );
    expect(verdict).toEqual({ loadsModel: true, issues: [] });
  });

  it('accepts ids passed through a variable, REPL transcripts and relatives alongside the model', () => {
    const verdict = check(
      '>>> from transformers import AutoModel, AutoTokenizer\n>>> model_id = "google-bert/bert-base-uncased"\n>>> tokenizer = AutoTokenizer.from_pretrained("distilbert/distilbert-base-uncased")\n>>> model = AutoModel.from_pretrained(model_id)\n>>> model\nBertModel(...)',
    );
    expect(verdict.issues).toEqual([]);
  });

  it('binds loop, comprehension, with, lambda, def and walrus names', () => {
    const verdict = check(
      [
        'import torch',
        'from transformers import AutoModel',
        'model = AutoModel.from_pretrained("google-bert/bert-base-uncased")',
        'def embed(text, *, scale=1.0):',
        '    return [t.lower() for t in text.split()], scale',
        'with torch.no_grad() as ctx, open("x") as fh:',
        '    pass',
        'key = lambda item: item[0]',
        'if (n := len(embed("a b"))) > 0:',
        '    print(n, key, ctx, fh)',
        'a = b = 3',
        'for i, (x, y) in enumerate([(a, b)]):',
        '    print(i, x, y)',
        'x = torch.ones(2)[..., 0]',
      ].join('\n'),
    );
    expect(verdict.issues).toEqual([]);
  });

  it('flags missing imports and undefined names', () => {
    const verdict = check(
      'model = AutoModel.from_pretrained("google-bert/bert-base-uncased")\nprint(tokenizer)',
    );
    expect(verdict.issues).toEqual(['uses AutoModel, tokenizer without importing or defining it']);
  });

  it('sees names used in f-strings, subscript targets and annotations', () => {
    const verdict = check(
      [
        'from transformers import AutoModel',
        'model: PreTrainedModel = AutoModel.from_pretrained("google-bert/bert-base-uncased")',
        'cache = {}',
        'cache[key] = model',
        'print(f"{greeting}: {model!r}")',
      ].join('\n'),
    );
    expect(verdict.issues).toEqual(['uses PreTrainedModel, key, greeting without importing or defining it']);
  });

  it('flags syntax errors beyond brackets and quotes, and reads the rest', () => {
    const verdict = check(
      'from transformers import AutoModel\nif ready\n    print(1)\nm = AutoModel.from_pretrained("bert-base-uncased")',
    );
    expect(verdict.loadsModel).toBe(true);
    expect(verdict.issues).toEqual([
      'does not parse: line 2: incomplete statement',
      'uses ready without importing or defining it',
    ]);
  });

  it('does not judge names behind a star import', () => {
    expect(
      check('from transformers import *\nm = AutoModel.from_pretrained("bert-base-uncased")').issues,
    ).toEqual([]);
  });

  it.each([
    [
      'a placeholder id',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("<model_name>")',
      'placeholder',
    ],
    [
      'a YOUR_ placeholder',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("YOUR_USERNAME/bert")',
      'placeholder',
    ],
    [
      'a path placeholder',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("path/to/model")',
      'placeholder',
    ],
    [
      'a local path',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("./checkpoint")',
      'local path',
    ],
    [
      'another model',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("roberta-base")',
      'no load names',
    ],
    [
      'only a parent',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("distilbert/distilbert-base-uncased")',
      'no load names',
    ],
    ['a default pipeline', "from transformers import pipeline\np = pipeline('fill-mask')", 'default model'],
    [
      'an elided call',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("bert-base-uncased", ...)',
      'omitted code',
    ],
    [
      'an elided statement',
      'from transformers import AutoModel\n...\nm = AutoModel.from_pretrained("bert-base-uncased")',
      'omitted code',
    ],
    [
      'a shell prompt',
      '$ pip install transformers\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained("bert-base-uncased")',
      'does not parse',
    ],
    [
      'a shell command',
      'pip install transformers\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained("bert-base-uncased")',
      'shell command',
    ],
    [
      'broken syntax',
      'from transformers import AutoModel\nm = AutoModel.from_pretrained("bert-base-uncased"',
      'does not parse',
    ],
  ])('flags %s', (_label, code, expected) => {
    const verdict = check(code);
    expect(verdict.loadsModel).toBe(true);
    expect(verdict.issues.join(' | ')).toContain(expected);
  });

  it('leaves notebook magics, def bodies of "..." and tokenizer specials alone', () => {
    const verdict = check(
      '!pip install transformers\n%matplotlib inline\nfrom transformers import pipeline\ndef todo(): ...\np = pipeline("fill-mask", model="google-bert/bert-base-uncased")\np("<s> a <mask> </s> <extra_id_0>")',
    );
    expect(verdict.issues).toEqual([]);
  });

  it('reports code that loads no model', () => {
    expect(check('from peft import PeftModel').loadsModel).toBe(false);
  });

  it('checks several blocks as one notebook-style program', () => {
    const verdict = check(
      'from transformers import pipeline',
      "p = pipeline('fill-mask', model='bert-base-uncased')",
    );
    expect(verdict.issues).toEqual([]);
  });
});

describe('idKind and placeholderIn', () => {
  it('matches the repo id case-insensitively, with hf_hub: and as a bare legacy name', () => {
    expect(idKind('Google-BERT/bert-base-uncased', target)).toBe('self');
    expect(idKind('hf_hub:google-bert/bert-base-uncased', target)).toBe('self');
    expect(idKind('bert-base-uncased', target)).toBe('self');
    expect(idKind('other-org/bert-base-uncased', target)).toBe('other');
    expect(idKind('...', target)).toBe('placeholder');
  });

  it('finds placeholders but not ordinary text', () => {
    expect(placeholderIn('<your token>')).toBe('<your token>');
    expect(placeholderIn('your-username/model')).toBe('your-username');
    expect(placeholderIn('What is your name?')).toBeNull();
    expect(placeholderIn('<s>Hello</s>')).toBeNull();
  });
});
