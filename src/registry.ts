import { join } from 'node:path';
import type { Config } from './config.js';
import { ActivityRecorder } from './observability/activity.js';
import { RecentLogs } from './observability/recent-logs.js';
import { createCardAssessor } from './rating/llm/card-assessor.js';
import { scoringVersion } from './rating/scoring-version.js';
import { RegexScanner } from './search/regex-scanner.js';
import { PasswordHasher } from './security/passwords.js';
import { ArtifactService } from './services/artifact-service.js';
import { AspectPackages } from './services/aspect-packages.js';
import { AuthService } from './services/auth-service.js';
import { ConfusionAudit } from './services/confusion-audit.js';
import { CostService } from './services/cost-service.js';
import { DownloadService } from './services/download-service.js';
import { EvidenceService } from './services/evidence-service.js';
import { HubRepoService } from './services/hub-repos.js';
import { LicenseService } from './services/license-service.js';
import { LineageService } from './services/lineage-service.js';
import { MonitorService } from './services/monitor-service.js';
import { type PackageSources, SourceRouter } from './services/package-sources.js';
import { PerformanceWorkloads } from './services/performance-workload.js';
import { PopularityService } from './services/popularity-service.js';
import { RatingService } from './services/rating-service.js';
import { SearchService } from './services/search-service.js';
import { SecurityAudit } from './services/security-audit.js';
import { InterruptedResetFinisher } from './services/startup-sweep.js';
import { TempFiles } from './services/temp-files.js';
import { TransactionService } from './services/transaction-service.js';
import { UserService } from './services/user-service.js';
import { createGitHubSource } from './sources/github.js';
import { DEFAULT_CACHE_OPTIONS, ResponseCache } from './sources/http-cache.js';
import { createHuggingFaceSource } from './sources/huggingface.js';
import type { BlobStore } from './storage/blobs/blob-store.js';
import { createBlobStore } from './storage/blobs/index.js';
import { createMetadataStore } from './storage/metadata/index.js';
import type { MetadataStore } from './storage/metadata/metadata-store.js';

/** The registry core without HTTP: adapters chosen by configuration, and the services over them. */
export interface Registry {
  config: Config;
  store: MetadataStore;
  blobs: BlobStore;
  temp: TempFiles;
  auth: AuthService;
  users: UserService;
  securityAudit: SecurityAudit;
  artifacts: ArtifactService;
  /** Group transactions: commands staged one by one, executed all or nothing. */
  transactions: TransactionService;
  downloads: DownloadService;
  /** Sensitive models: monitor programs, the check before their bytes go, their download history. */
  monitors: MonitorService;
  /** Registry artifacts as Hugging Face Hub repos (the Hub-compatible read API). */
  hubRepos: HubRepoService;
  search: SearchService;
  costs: CostService;
  lineage: LineageService;
  licenses: LicenseService;
  ratings: RatingService;
  popularity: PopularityService;
  /** The course's performance workload against this deployment (`/performance/workloads`). */
  workloads: PerformanceWorkloads;
  confusion: ConfusionAudit;
  activity: ActivityRecorder;
  logs: RecentLogs;
  startedAt: Date;
  /** Empty the registry and restore the default admin. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface RegistryOverrides {
  store?: MetadataStore;
  blobs?: BlobStore;
  /** Where URLs are fetched from (default: Hugging Face, GitHub and direct links over the network). */
  sources?: PackageSources;
}

export async function createRegistry(config: Config, overrides: RegistryOverrides = {}): Promise<Registry> {
  const store = overrides.store ?? (await createMetadataStore(config));
  const blobs = overrides.blobs ?? (await createBlobStore(config));
  await store.migrate();
  const temp = new TempFiles(join(config.dataDir, 'tmp'));
  const interruptedReset = new InterruptedResetFinisher(store, blobs);
  await temp.init();
  const passwords = new PasswordHasher(config.auth.passwordScryptLog2N);
  const securityAudit = new SecurityAudit(store);
  const auth = new AuthService(store, config.auth, passwords, securityAudit);
  await auth.bootstrap();

  const cache = new ResponseCache(DEFAULT_CACHE_OPTIONS);
  const upstreamLimits = { cache, maxTotalBytes: config.limits.maxPackageBytes };
  const huggingFace = createHuggingFaceSource(config.sources, upstreamLimits);
  // GitHub's budget is small (60 requests an hour without a token): its answers are kept in the
  // metadata store and revalidated, which GitHub does not count, after a restart or on other instances.
  const github = createGitHubSource(config.sources, { ...upstreamLimits, answers: store });
  const sources =
    overrides.sources ??
    new SourceRouter({
      huggingFace,
      github,
      direct: {
        allowPrivateNetwork: config.ingest.allowPrivateNetwork,
        timeoutMs: config.ingest.fetchTimeoutMs,
        maxRedirects: config.ingest.maxRedirects,
      },
      maxPackageBytes: config.limits.maxPackageBytes,
      deadlineMs: config.ingest.deadlineMs,
    });
  const lineage = new LineageService(store);
  // LLM assistance for card-reading metrics only when an endpoint is configured (off by default).
  const cardAssessor = config.llm.endpoint
    ? createCardAssessor({ ...config.llm, endpoint: config.llm.endpoint })
    : null;
  const evidence = new EvidenceService(store, lineage, huggingFace, github, cardAssessor);
  const ratings = new RatingService(store, evidence, {
    gate: config.gate,
    scoringVersion: scoringVersion({ llmEndpoint: config.llm.endpoint, llmModel: config.llm.model }),
  });
  const artifacts = new ArtifactService({
    store,
    blobs,
    sources,
    temp,
    limits: config.limits,
    ...(config.gate.enabled ? { admission: ratings } : {}),
  });
  const regexScanner = new RegexScanner({
    limits: { maxLength: config.limits.maxRegexLength, maxProgramSize: config.limits.regexMaxProgramSize },
    timeoutMs: config.limits.regexSearchTimeoutMs,
  });
  return {
    config,
    store,
    blobs,
    temp,
    auth,
    users: new UserService(store, passwords, securityAudit),
    securityAudit,
    artifacts,
    transactions: new TransactionService(store, artifacts, config.transactions),
    downloads: new DownloadService(blobs, new AspectPackages(blobs, store, temp), {
      presign: config.s3?.presignDownloads ?? false,
      accelRedirectPrefix: config.accelRedirectPrefix,
    }),
    monitors: new MonitorService(store, blobs, temp, securityAudit, config.monitor),
    hubRepos: new HubRepoService(store, config.limits.maxSearchResults),
    search: new SearchService(store, config.limits, regexScanner),
    costs: new CostService(lineage),
    lineage,
    licenses: new LicenseService(github),
    ratings,
    popularity: new PopularityService(store.popularity),
    workloads: new PerformanceWorkloads({
      store,
      artifacts,
      auth,
      temp,
      components: { metadata: store.kind, blobs: blobs.kind },
      maxPackageBytes: config.limits.maxPackageBytes,
    }),
    confusion: new ConfusionAudit(store),
    activity: new ActivityRecorder(),
    logs: new RecentLogs(),
    startedAt: new Date(),
    async reset() {
      // One step for every instance: metadata and users go in one transaction that also fences
      // in-flight writes, then the blobs; writes are refused until the reset ends, whatever happens.
      try {
        await store.withResetLock(async () => {
          await store.beginReset(await auth.defaultAdmin());
          try {
            await blobs.clear();
          } finally {
            await store.endReset();
          }
        });
      } catch (error) {
        // The database may have gone after the metadata was cleared, leaving the reset unended:
        // every write would be refused until a restart. Finish it as soon as the stores answer.
        interruptedReset.finishSoon();
        throw error;
      }
    },
    async close() {
      interruptedReset.stop();
      await regexScanner.close();
      await temp.dispose();
      await store.close();
    },
  };
}
