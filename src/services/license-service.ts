import type { ArtifactRecord } from '../domain/artifact.js';
import { BadRequestError, NotFoundError, RegistryError, UpstreamError } from '../domain/errors.js';
import { checkFineTuneInference, type Verdict } from '../licenses/compatibility.js';
import { normalizeLicense } from '../licenses/normalize.js';
import type { GitHubSource } from '../sources/github.js';
import { cardFacts, parseModelCard, stringList } from '../sources/model-card.js';
import type { HuggingFaceMetadata } from '../sources/source.js';
import { parseSourceUrl } from '../sources/source-urls.js';

export interface LicenseCheckResult extends Verdict {
  /** The licenses as read, canonical ids (e.g. `Apache-2.0`, `NONE`). */
  modelLicense: string;
  codeLicense: string;
}

/**
 * Can a GitHub project's code fine-tune this model and run inference with it? The model's
 * license comes from its card, the project's from GitHub; the rules table in src/licenses decides.
 */
export class LicenseService {
  constructor(private readonly github: Pick<GitHubSource, 'getLicense'>) {}

  async check(model: ArtifactRecord, githubUrl: string): Promise<LicenseCheckResult> {
    const ref = parseSourceUrl(githubUrl);
    if (ref.kind !== 'github') {
      throw new BadRequestError(
        `"${githubUrl}" is not a GitHub repository URL (https://github.com/OWNER/REPO).`,
      );
    }
    const card = modelCard(model);
    const modelLicense = normalizeLicense(declaredModelLicense(card.metadata));
    const codeLicense = normalizeLicense(await this.fetchLicense(ref.owner, ref.repo));
    const verdict = checkFineTuneInference(modelLicense, codeLicense);
    return {
      compatible: verdict.compatible,
      reason: card.error
        ? `The model card's front matter is malformed (${card.error}). ${verdict.reason}`
        : verdict.reason,
      modelLicense: modelLicense.expression,
      codeLicense: codeLicense.expression,
    };
  }

  /** 404 passes through; any other failure to learn the license is the contract's 502. */
  private async fetchLicense(owner: string, repo: string): Promise<string | null> {
    try {
      return await this.github.getLicense(owner, repo);
    } catch (error) {
      if (error instanceof NotFoundError) throw error;
      const message = error instanceof RegistryError ? error.message : String(error);
      throw new UpstreamError(
        `The license of GitHub repository ${owner}/${repo} could not be fetched: ${message}`,
      );
    }
  }
}

/**
 * The license the model's card declares: the `license` key (one id, an expression or a list),
 * or `license_name` when the card says `license: other`, as the hub asks for custom licenses.
 * Cards of uploaded packages are their README front matter.
 */
export function declaredModelLicense(metadata: Record<string, unknown> | null): string[] {
  const declared = stringList(metadata?.license);
  const { licenseName } = cardFacts(metadata);
  if (declared.length === 1 && declared[0]?.toLowerCase() === 'other' && licenseName) return [licenseName];
  return declared;
}

/** The card as ingested from the hub, or the uploaded package's README. */
function modelCard(model: ArtifactRecord): {
  metadata: Record<string, unknown> | null;
  error: string | null;
} {
  const meta = model.sourceMetadata;
  if (meta.kind === 'hf-model') return (meta as HuggingFaceMetadata).card;
  return model.facts.readme === null ? { metadata: null, error: null } : parseModelCard(model.facts.readme);
}
