import { type Static, Type } from '@sinclair/typebox';
import { ARTIFACT_TYPES, ASPECTS, AUDIT_ACTIONS } from '../domain/artifact.js';

/** Request and response schemas, named and shaped exactly as in the API contract. */

export const ArtifactType = Type.Union(
  ARTIFACT_TYPES.map((t) => Type.Literal(t)),
  { $id: 'ArtifactType', description: 'Artifact category.' },
);

export const ArtifactID = Type.String({
  $id: 'ArtifactID',
  pattern: '^[a-zA-Z0-9\\-]+$',
  maxLength: 128,
  description: 'Unique identifier for use with artifact endpoints.',
});

export const ArtifactName = Type.String({
  $id: 'ArtifactName',
  minLength: 1,
  maxLength: 255,
  description: 'Name of an artifact: typical "keyboard" characters. The name "*" is reserved.',
});

export const ArtifactMetadata = Type.Object(
  { name: Type.Ref(ArtifactName), id: Type.Ref(ArtifactID), type: Type.Ref(ArtifactType) },
  { $id: 'ArtifactMetadata' },
);

export const ArtifactData = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Artifact source url used during ingest.',
    }),
    download_url: Type.Optional(
      Type.String({ readOnly: true, description: 'Download link served by this registry (responses only).' }),
    ),
  },
  { $id: 'ArtifactData' },
);

export const Artifact = Type.Object(
  { metadata: Type.Ref(ArtifactMetadata), data: Type.Ref(ArtifactData) },
  { $id: 'Artifact' },
);

export const ArtifactQuery = Type.Object(
  {
    name: Type.Ref(ArtifactName),
    types: Type.Optional(Type.Array(Type.Ref(ArtifactType), { maxItems: 3 })),
    version: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'Extension: exact 1.2.3, bounded 1.2.3-2.1.0, tilde ~1.2.0 or caret ^1.2.0 (npm semantics).',
      }),
    ),
  },
  { $id: 'ArtifactQuery' },
);

export const User = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 128 }), is_admin: Type.Boolean() },
  { $id: 'User' },
);

export const UserAuthenticationInfo = Type.Object(
  { password: Type.String({ maxLength: 1024 }) },
  { $id: 'UserAuthenticationInfo' },
);

export const AuthenticationRequest = Type.Object(
  { user: Type.Ref(User), secret: Type.Ref(UserAuthenticationInfo) },
  { $id: 'AuthenticationRequest' },
);

export const AuthenticationToken = Type.String({ $id: 'AuthenticationToken' });

export const ArtifactAuditEntry = Type.Object(
  {
    user: Type.Ref(User),
    date: Type.String({ format: 'date-time' }),
    artifact: Type.Ref(ArtifactMetadata),
    action: Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a))),
    weights_scan: Type.Optional(
      Type.Object(
        { policy: Type.String(), verdict: Type.String(), files_scanned: Type.Integer() },
        {
          description:
            'Extension, on the entry that stored the current package: its malicious-weights scan (details at .../weights-scan).',
        },
      ),
    ),
  },
  { $id: 'ArtifactAuditEntry' },
);

export const ArtifactCost = Type.Record(
  Type.String(),
  Type.Object({ standalone_cost: Type.Optional(Type.Number()), total_cost: Type.Number() }),
  { $id: 'ArtifactCost' },
);

export const ArtifactRegEx = Type.Object({ regex: Type.String() }, { $id: 'ArtifactRegEx' });

export const ErrorResponse = Type.Object(
  { error: Type.String(), message: Type.String() },
  { $id: 'ErrorResponse', description: 'Every error answers with this body.' },
);

/** Extension: a 424 from the ingest gate also lists each failing metric with its score and reason. */
export const GateRefusal = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    failing: Type.Optional(
      Type.Array(
        Type.Object({
          metric: Type.String({ description: 'Metric name; size_score.DEVICE for a device score.' }),
          score: Type.Number(),
          threshold: Type.Number(),
          reason: Type.String({ description: 'Why the metric scored what it did.' }),
        }),
      ),
    ),
  },
  { $id: 'GateRefusal', description: 'The ingest gate refused the artifact.' },
);

type ErrorRef = ReturnType<typeof errorRef>;
const errorRef = () => Type.Ref(ErrorResponse);

/** The `{ code: ErrorResponse }` entries of a route's responses, one per error status it answers. */
export function errorResponses<const Codes extends readonly number[]>(
  ...codes: Codes
): { [Code in Codes[number]]: ErrorRef } {
  return Object.fromEntries(codes.map((code) => [code, errorRef()])) as {
    [Code in Codes[number]]: ErrorRef;
  };
}

export const AspectParam = Type.Union([Type.Literal('full'), ...ASPECTS.map((a) => Type.Literal(a))], {
  description: 'Which part of the package to download: the full zip (default) or one aspect.',
});

/** Schemas registered once with app.addSchema and referenced by $ref everywhere else. */
export const sharedSchemas = [
  ArtifactType,
  ArtifactID,
  ArtifactName,
  ArtifactMetadata,
  ArtifactData,
  Artifact,
  ArtifactQuery,
  User,
  UserAuthenticationInfo,
  AuthenticationRequest,
  AuthenticationToken,
  ArtifactAuditEntry,
  ArtifactCost,
  ArtifactRegEx,
  ErrorResponse,
  GateRefusal,
];

export const TypeAndIdParams = Type.Object({
  artifact_type: Type.Ref(ArtifactType),
  id: Type.Ref(ArtifactID),
});
export type TypeAndIdParams = Static<typeof TypeAndIdParams>;

/** The `offset` cursor of paginated extension lists (users, audit trails, download history). */
export const PageQuery = Type.Object({ offset: Type.Optional(Type.String({ maxLength: 128 })) });
export const NEXT_PAGE =
  'Paginated: the `offset` response header, present when more exist, is the `offset` query parameter of the next page.';

/*
 * Lineage and license check. The contract's ArtifactLineageNode requires a property `node` that it
 * never defines; nodes are described inline (artifact_id, name, source required) instead of
 * publishing a component that would contradict the contract's.
 */
const LineageNode = Type.Object(
  {
    artifact_id: Type.Ref(ArtifactID),
    name: Type.String({ description: 'Human-readable label for the node.' }),
    source: Type.String({
      description:
        'Provenance: registry (the artifact asked about), model_card, adapter_config or config_json.',
    }),
    metadata: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'type, in_registry, repository_url, sha, declared_as (the name as declared).',
      }),
    ),
  },
  { description: 'A single node in an artifact lineage graph.' },
);

export const ArtifactLineageEdge = Type.Object(
  {
    from_node_artifact_id: Type.Ref(ArtifactID),
    to_node_artifact_id: Type.Ref(ArtifactID),
    relationship: Type.String({
      description:
        'Role of the upstream node: base_model, adapter_base_model, merge_source_model, ' +
        'quantization_source_model, distillation_teacher_model, training_dataset, fine_tuning_dataset, ' +
        'code_repository.',
    }),
  },
  { $id: 'ArtifactLineageEdge', description: 'Directed relationship between two lineage nodes.' },
);

export const ArtifactLineageGraph = Type.Object(
  { nodes: Type.Array(LineageNode), edges: Type.Array(Type.Ref(ArtifactLineageEdge)) },
  { $id: 'ArtifactLineageGraph', description: 'Complete lineage graph for an artifact.' },
);

export const SimpleLicenseCheckRequest = Type.Object(
  {
    github_url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'GitHub repository url to evaluate.',
    }),
  },
  { $id: 'SimpleLicenseCheckRequest' },
);

/** Registered next to `sharedSchemas`. */
export const lineageLicenseSchemas = [ArtifactLineageEdge, ArtifactLineageGraph, SimpleLicenseCheckRequest];

const seconds = (what: string) =>
  Type.Number({ description: `Time (seconds) required to compute \`${what}\`.` });
const score = (what: string) => Type.Number({ description: what });

export const ModelRating = Type.Object(
  {
    name: Type.String({ description: 'Human-friendly label for the evaluated model.' }),
    category: Type.String({ description: 'Model category (its task) assigned during evaluation.' }),
    net_score: score('Weighted combination of the metrics (docs/metrics.md).'),
    net_score_latency: seconds('net_score'),
    ramp_up_time: score('Ease of adoption from the model card.'),
    ramp_up_time_latency: seconds('ramp_up_time'),
    bus_factor: score('How many people really carry the project.'),
    bus_factor_latency: seconds('bus_factor'),
    performance_claims: score('Evidence behind stated performance.'),
    performance_claims_latency: seconds('performance_claims'),
    license: score('Fit of the license for LGPL-2.1-or-later company code.'),
    license_latency: seconds('license'),
    dataset_and_code_score: score('Training data and example code named and linked.'),
    dataset_and_code_score_latency: seconds('dataset_and_code_score'),
    dataset_quality: score('Quality of the linked datasets.'),
    dataset_quality_latency: seconds('dataset_quality'),
    code_quality: score('Quality of the linked code.'),
    code_quality_latency: seconds('code_quality'),
    reproducibility: score('Whether the card demo runs as written (1), after fixes (0.5) or not (0).'),
    reproducibility_latency: seconds('reproducibility'),
    reviewedness: score('Share of code that came through reviewed pull requests; -1 without a repository.'),
    reviewedness_latency: seconds('reviewedness'),
    tree_score: score('Mean net_score of the parents in the lineage graph.'),
    tree_score_latency: seconds('tree_score'),
    size_score: Type.Object({
      raspberry_pi: Type.Number(),
      jetson_nano: Type.Number(),
      desktop_pc: Type.Number(),
      aws_server: Type.Number(),
    }),
    size_score_latency: seconds('size_score'),
  },
  { $id: 'ModelRating', description: 'Model rating summary generated by the evaluation service.' },
);

/** Registered next to `sharedSchemas`. */
export const ratingSchemas = [ModelRating];
