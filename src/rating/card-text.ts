import MarkdownIt, { type Token } from 'markdown-it';
import { parseModelCard } from '../sources/model-card.js';
import type { HuggingFaceMetadata } from '../sources/source.js';

/** One fenced code block of a Markdown document. */
export interface CodeBlock {
  /** The info string's first word, lower-cased ('' when the fence has none). */
  language: string;
  code: string;
}

/** The card's Markdown body without its front matter; '' when the repo has no README. */
export function cardBody(model: HuggingFaceMetadata): string {
  return model.card.text === null ? '' : parseModelCard(model.card.text).body;
}

/**
 * The card parsed as CommonMark (markdown-it, HTML allowed as on the hub): fences inside lists and
 * quotes, setext headings and unclosed fences are read the way the hub renders them. The last
 * parse is kept, since each metric asks for blocks, prose and headings of the same card.
 */
let lastParse: { markdown: string; tokens: Token[] } | null = null;
const markdownParser = new MarkdownIt({ html: true });

function parse(markdown: string): Token[] {
  if (lastParse?.markdown !== markdown) lastParse = { markdown, tokens: markdownParser.parse(markdown, {}) };
  return lastParse.tokens;
}

/** Fenced blocks (``` or ~~~), in order, wherever they sit (lists, quotes). An unclosed fence runs to the end. */
export function codeBlocks(markdown: string): CodeBlock[] {
  return parse(markdown)
    .filter((token) => token.type === 'fence')
    .map((token) => ({
      language: (token.info.trim().split(/\s+/)[0] ?? '').toLowerCase(),
      code: token.content.replace(/\n$/, ''),
    }));
}

/** The body with fenced code removed: what a reader reads as prose, tables and headings. */
export function proseOf(markdown: string): string {
  const fenced = new Set<number>();
  for (const token of parse(markdown)) {
    if (token.type !== 'fence' || !token.map) continue;
    for (let line = token.map[0]; line < token.map[1]; line += 1) fenced.add(line);
  }
  return markdown
    .split(/\r?\n/)
    .filter((_, line) => !fenced.has(line))
    .join('\n');
}

/** Headings (ATX `# Title` and setext `Title` over `===`/`---`) outside code, as plain lower-case text. */
export function headings(markdown: string): string[] {
  const tokens = parse(markdown);
  return tokens.flatMap((token, index) => {
    const inline = tokens[index + 1];
    if (token.type !== 'heading_open' || inline?.type !== 'inline') return [];
    const text = (inline.children ?? [])
      .filter((child) => child.type === 'text' || child.type === 'code_inline')
      .map((child) => child.content)
      .join('');
    return [text.trim().toLowerCase()];
  });
}

export function wordCount(text: string): number {
  return text.match(/[A-Za-z0-9][\w'-]*/g)?.length ?? 0;
}

const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'console', 'zsh', 'cmd', 'powershell', 'ps']);

export function isShellBlock(block: CodeBlock): boolean {
  return SHELL_LANGUAGES.has(block.language);
}

const PYTHON_LANGUAGES = new Set(['python', 'py', 'python3', 'pycon', 'ipython', 'ipython3']);
const OTHER_PROGRAM_LANGUAGES = new Set([
  'js',
  'javascript',
  'ts',
  'typescript',
  'r',
  'julia',
  'cpp',
  'rust',
  'go',
  'java',
]);

/** Python blocks, and untagged blocks that start like Python (cards often omit the tag). */
export function isPythonBlock(block: CodeBlock): boolean {
  if (PYTHON_LANGUAGES.has(block.language)) return true;
  return block.language === '' && /^\s*(?:>>>\s*)?(?:from\s+[\w.]+\s+import\b|import\s+\w)/m.test(block.code);
}

/** Blocks of a programming language a demo can be written in (not shell, data or citations). */
export function isProgramBlock(block: CodeBlock): boolean {
  return isPythonBlock(block) || OTHER_PROGRAM_LANGUAGES.has(block.language);
}
