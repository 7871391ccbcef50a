import type { ArtifactRecord } from '../domain/artifact.js';
import { datasetLinks, githubLinks, primaryGithubRepo } from '../sources/card-links.js';
import { hubReferences } from '../sources/hub-ids.js';
import { cardFacts, parseModelCard } from '../sources/model-card.js';
import { readModelConfig } from '../sources/model-config.js';
import type { HuggingFaceMetadata } from '../sources/source.js';

/**
 * Hub-shaped evidence for a model that did not come from the hub (an upload or a plain zip
 * URL), read from its stored package: card, config and file list. Hub statistics it cannot have
 * (downloads, likes, commits) are empty, which the metrics read as "no evidence".
 */
export function packageModelMetadata(record: ArtifactRecord): HuggingFaceMetadata {
  const card = parseModelCard(record.facts.readme ?? '');
  const facts = cardFacts(card.metadata);
  const config = record.facts.configJson === null ? null : readModelConfig(record.facts.configJson);
  const links = githubLinks(card.metadata, card.body);
  const files = record.facts.files.map((file) => ({
    path: file.path,
    size: file.size,
    lfs: false,
    aspect: file.aspect,
  }));
  return {
    kind: 'hf-model',
    repoId: record.name,
    sha: record.packageDigest,
    author: record.createdBy,
    private: true,
    gated: false,
    downloads: 0,
    likes: 0,
    lastModified: record.updatedAt.toISOString(),
    createdAt: record.createdAt.toISOString(),
    tags: facts.tags,
    pipelineTag: facts.pipelineTag,
    libraryName: facts.libraryName,
    card: { text: record.facts.readme, truncated: false, metadata: card.metadata, error: card.error, facts },
    config,
    adapter: null,
    safetensorsParameters: null,
    files,
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    weightsBytes: files.filter((file) => file.aspect === 'weights').reduce((sum, file) => sum + file.size, 0),
    gitTags: [],
    version: record.version?.text ?? null,
    commits: { sampled: 0, truncated: false, authors: [], latest: null, earliest: null },
    ...hubReferences(
      [...facts.baseModels, ...Object.values(config?.baseModelFields ?? {})],
      [...facts.datasets, ...datasetLinks(card.body)],
    ),
    linkedGithub: primaryGithubRepo(links),
    githubLinks: links,
  };
}
