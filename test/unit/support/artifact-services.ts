import { ArtifactService } from '../../../src/services/artifact-service.js';
import { EvidenceService } from '../../../src/services/evidence-service.js';
import { LineageService } from '../../../src/services/lineage-service.js';
import { SourceRouter, type SourceRouterOptions } from '../../../src/services/package-sources.js';
import { RatingService } from '../../../src/services/rating-service.js';
import { TransactionService } from '../../../src/services/transaction-service.js';
import { FakeGitHub, FakeHuggingFace } from './fake-sources.js';
import type { RegistryParts } from './registry-parts.js';

export interface ArtifactServices {
  hub: FakeHuggingFace;
  github: FakeGitHub;
  sources: SourceRouter;
  evidence: EvidenceService;
  ratings: RatingService;
  artifacts: ArtifactService;
  transactions: TransactionService;
}

/**
 * The artifact and transaction services wired as src/registry.ts wires them, over `parts` and
 * the in-process Hugging Face and GitHub sources (the ingest gate on when GATE_ENABLED is).
 */
export function artifactServices(
  parts: RegistryParts,
  options: { openUrl?: SourceRouterOptions['openUrl']; deadlineMs?: number } = {},
): ArtifactServices {
  const { store, blobs, temp, config } = parts;
  const hub = new FakeHuggingFace();
  const github = new FakeGitHub();
  const sources = new SourceRouter({
    huggingFace: hub,
    github,
    direct: { allowPrivateNetwork: false, timeoutMs: 1000, maxRedirects: 2 },
    maxPackageBytes: config.limits.maxPackageBytes,
    deadlineMs: options.deadlineMs ?? config.ingest.deadlineMs,
    ...(options.openUrl ? { openUrl: options.openUrl } : {}),
  });
  const evidence = new EvidenceService(store, new LineageService(store), hub, github);
  const ratings = new RatingService(store, evidence, { gate: config.gate, scoringVersion: 'unit' });
  const artifacts = new ArtifactService({
    store,
    blobs,
    sources,
    temp,
    limits: config.limits,
    ...(config.gate.enabled ? { admission: ratings } : {}),
  });
  const transactions = new TransactionService(store, artifacts, config.transactions);
  return { hub, github, sources, evidence, ratings, artifacts, transactions };
}
