import { describe, expect, it } from 'vitest';
import { codeBlocks, headings, proseOf } from '../../../src/rating/card-text.js';

describe('card text (CommonMark)', () => {
  it('finds fences inside list items, including nested and more deeply indented ones', () => {
    const card = [
      '## Usage',
      '',
      '- Install:',
      '',
      '    ```bash',
      '    pip install transformers',
      '    ```',
      '',
      '1.  Load:',
      '    - in Python:',
      '',
      '      ```python',
      '      from transformers import AutoModel',
      '      ```',
    ].join('\n');
    expect(codeBlocks(card)).toEqual([
      { language: 'bash', code: 'pip install transformers' },
      { language: 'python', code: 'from transformers import AutoModel' },
    ]);
    expect(proseOf(card)).not.toMatch(/pip install|from transformers/);
  });

  it('finds fences inside block quotes, without the quote markers', () => {
    const card = '> Quick start:\n>\n> ```python\n> import torch\n> print(torch.ones(2))\n> ```\n\nAfter.';
    expect(codeBlocks(card)).toEqual([{ language: 'python', code: 'import torch\nprint(torch.ones(2))' }]);
    expect(proseOf(card)).toBe('> Quick start:\n>\n\nAfter.');
  });

  it('reads setext headings and ATX headings as plain text', () => {
    const card =
      'Model card\n==========\n\nHow to use\n----------\n\n## **Training** `data`\n\n### Limits ###\n';
    expect(headings(card)).toEqual(['model card', 'how to use', 'training data', 'limits']);
  });

  it('takes no heading from code, and a dash line under a list item is no heading', () => {
    const card = '```python\n# comment\n```\n\n- item\n---\n\n    # indented code\n';
    expect(headings(card)).toEqual([]);
  });

  it('keeps an unclosed fence running to the end, and a longer closing fence closes it', () => {
    expect(codeBlocks('````py\nx = 1\n```\ny = 2\n`````\nafter')).toEqual([
      { language: 'py', code: 'x = 1\n```\ny = 2' },
    ]);
    expect(codeBlocks('text\n~~~\nopen to the end')).toEqual([{ language: '', code: 'open to the end' }]);
  });
});
