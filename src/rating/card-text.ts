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

/** Fenced blocks (``` or ~~~, three or more), in order. An unclosed fence runs to the end. */
export function codeBlocks(markdown: string): CodeBlock[] {
  return splitFences(markdown).blocks;
}

/** The body with fenced code removed: what a reader reads as prose, tables and headings. */
export function proseOf(markdown: string): string {
  return splitFences(markdown).prose;
}

function splitFences(markdown: string): { prose: string; blocks: CodeBlock[] } {
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  let open: { fence: string; language: string; lines: string[] } | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    if (open === null) {
      const start = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (start) open = { fence: start[1] ?? '```', language: (start[2] ?? '').toLowerCase(), lines: [] };
      else prose.push(line);
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1] ?? '';
    if (close[0] === open.fence[0] && close.length >= open.fence.length) {
      blocks.push({ language: open.language, code: open.lines.join('\n') });
      open = null;
    } else {
      open.lines.push(line);
    }
  }
  if (open !== null) blocks.push({ language: open.language, code: open.lines.join('\n') });
  return { prose: prose.join('\n'), blocks };
}

/** ATX headings (`# Title` .. `###### Title`) outside code, lower-cased. */
export function headings(markdown: string): string[] {
  return [...proseOf(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)].map((match) =>
    (match[1] ?? '').toLowerCase(),
  );
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
