import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The code that decides a rating, relative to the source root (src/ under tsx, dist/ when
 * built): the metrics, net_score weights and card reading (rating/), the license rules
 * (licenses/), what the sources report (sources/) and how evidence is gathered from them.
 */
const SCORING_CODE = [
  'rating',
  'licenses',
  'sources',
  'services/evidence-service',
  'services/package-evidence',
];

const SOURCE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What else changes scores without changing code: the LLM that assists the card metrics. */
export interface ScoringSettings {
  llmEndpoint: string | null;
  llmModel: string;
}

/**
 * The scoring version stored with every rating: a digest of the scoring code and the settings that
 * change scores. A rating kept under another version is stale, so changing a metric's code or
 * weights (or the assisting LLM) recomputes every kept rating on its next `/rate`.
 */
export function scoringVersion(settings: ScoringSettings, root = SOURCE_ROOT): string {
  const hash = createHash('sha256').update(codeDigest(root));
  hash.update(JSON.stringify(settings.llmEndpoint ? [settings.llmEndpoint, settings.llmModel] : null));
  return hash.digest('hex').slice(0, 16);
}

const digests = new Map<string, string>();

/** Digest of the scoring code's files under `root` (read once per root: the code does not change while running). */
function codeDigest(root: string): string {
  let digest = digests.get(root);
  if (digest === undefined) {
    const hash = createHash('sha256');
    for (const file of scoringFiles(root)) {
      hash
        .update(`${relative(root, file)}\0`)
        .update(readFileSync(file))
        .update('\0');
    }
    digest = hash.digest('hex');
    digests.set(root, digest);
  }
  return digest;
}

function scoringFiles(root: string): string[] {
  const isCode = (name: string) => /\.(js|ts)$/.test(name) && !name.endsWith('.d.ts');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter(isCode)
    .filter((path) =>
      SCORING_CODE.some(
        (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}.`),
      ),
    )
    .map((path) => join(root, path));
  if (files.length === 0) throw new Error(`No scoring code found under ${root}`);
  return files.sort();
}
