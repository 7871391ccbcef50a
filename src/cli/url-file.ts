import { parseSourceUrl } from '../sources/source-urls.js';

/** What one line of a URL file asks to score: a Hugging Face model, optionally with its code and data. */
export interface ScoreTarget {
  /** The model URL as written. */
  url: string;
  modelId: string;
  code: { owner: string; repo: string } | null;
  datasetId: string | null;
}

/** A non-empty line of the file: what it asks for, or why it cannot be read. */
export type UrlFileLine =
  | { lineNumber: number; text: string; target: ScoreTarget }
  | { lineNumber: number; text: string; error: string };

/**
 * Reads a URL file: each non-empty line is either one model URL or `code_url,dataset_url,model_url`
 * (code and dataset may be empty). Lines are judged one by one, so one bad line does not stop
 * the others from being scored.
 */
export function parseUrlFile(text: string): UrlFileLine[] {
  const lines: UrlFileLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const lineNumber = index + 1;
    try {
      lines.push({ lineNumber, text: line, target: parseLine(line) });
    } catch (error) {
      lines.push({ lineNumber, text: line, error: `line ${lineNumber}: ${(error as Error).message}` });
    }
  });
  return lines;
}

function parseLine(line: string): ScoreTarget {
  const fields = line.split(',').map((field) => field.trim());
  if (fields.length !== 1 && fields.length !== 3) {
    throw new Error(
      `expected one model URL or "code_url,dataset_url,model_url", got ${fields.length} comma-separated fields.`,
    );
  }
  const [codeUrl, datasetUrl, modelUrl] = fields.length === 1 ? ['', '', fields[0] ?? ''] : fields;
  if (!modelUrl) throw new Error('the model URL (the last field) is missing.');
  return {
    url: modelUrl,
    modelId: modelIdOf(modelUrl),
    code: codeUrl ? codeRepoOf(codeUrl) : null,
    datasetId: datasetUrl ? datasetIdOf(datasetUrl) : null,
  };
}

function modelIdOf(url: string): string {
  const ref = parseSourceUrl(url);
  if (ref.kind !== 'hf-model') throw new Error(`"${url}" is not a Hugging Face model URL.`);
  return ref.repoId;
}

function codeRepoOf(url: string): { owner: string; repo: string } {
  const ref = parseSourceUrl(url);
  if (ref.kind !== 'github') throw new Error(`"${url}" is not a GitHub repository URL.`);
  return { owner: ref.owner, repo: ref.repo };
}

function datasetIdOf(url: string): string {
  const ref = parseSourceUrl(url);
  if (ref.kind !== 'hf-dataset') throw new Error(`"${url}" is not a Hugging Face dataset URL.`);
  return ref.repoId;
}
