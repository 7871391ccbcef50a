import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument, type ScalarTag } from 'yaml';
import { configSettings, loadConfig } from '../../src/config.js';

/**
 * AWS is not reachable from CI, so the deployment files are checked for what can go wrong
 * without it: the template parses, wires every variable the app needs under the names
 * src/config.ts reads, and yields a configuration the app accepts.
 */
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

type Intrinsic = { Ref: string } | { 'Fn::Sub': string } | { 'Fn::GetAtt': string[] };

/** CloudFormation's short-form tags, kept as their long-form objects. */
const cloudFormationTags: ScalarTag[] = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Sub', resolve: (value: string) => ({ 'Fn::Sub': value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
];

interface Template {
  Parameters: Record<string, { Default?: string | number }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

function loadTemplate(): Template {
  const document = parseDocument(read('deploy/template.yaml'), { customTags: cloudFormationTags });
  expect(document.errors).toEqual([]);
  expect(document.warnings).toEqual([]);
  return document.toJS() as Template;
}

/** A plausible deployed value for each intrinsic: parameter defaults, resolved secrets, names. */
function sampleValue(value: string | number | Intrinsic, template: Template): string {
  if (typeof value !== 'object') return String(value);
  if ('Ref' in value) {
    const parameter = template.Parameters[value.Ref];
    if (parameter?.Default !== undefined) return String(parameter.Default);
    return value.Ref === 'AWS::Region' ? 'eu-west-1' : `sample-${value.Ref.toLowerCase()}`;
  }
  if ('Fn::Sub' in value) {
    return value['Fn::Sub']
      .replace(/\{\{resolve:secretsmanager:[^}]*\}\}/g, 'S3cr3tValueFromSecretsManager0123456789abcdef')
      .replace(/\$\{[^}]+\}/g, (ref) => (ref.endsWith('Port}') ? '5432' : 'sample.internal'));
  }
  return 'sample';
}

/** Every variable the configuration schema reads, aliases included. */
function configVariables(): Set<string> {
  return new Set(
    configSettings().flatMap(({ schema }) => (schema.alias ? [schema.env, schema.alias] : [schema.env])),
  );
}

describe('deploy/template.yaml', () => {
  const template = loadTemplate();
  const fn = template.Resources.RegistryFunction as Template['Resources'][string];
  const variables = (fn.Properties.Environment as { Variables: Record<string, string | Intrinsic> })
    .Variables;
  const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, sampleValue(v, template)]));

  it('runs the Lambda entry point of the bundle built by deploy/build-lambda.sh', () => {
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Properties.Handler).toBe('dist/lambda.handler');
    expect(read('src/lambda.ts')).toMatch(/export const handler\b/);
    expect(fn.Properties.CodeUri).toBe('.lambda/');
    expect(read('deploy/build-lambda.sh')).toMatch(/^out=deploy\/\.lambda$/m);
  });

  it('sets every variable the scale-out deployment needs', () => {
    for (const name of [
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'JWT_SECRET',
      'S3_BUCKET',
      'S3_PRESIGN_DOWNLOADS',
      'DATA_DIR',
      'MAX_PACKAGE_BYTES',
    ]) {
      expect(Object.keys(variables)).toContain(name);
    }
  });

  it('sets no variable the app does not read', () => {
    const known = configVariables();
    expect(known.size).toBeGreaterThan(20);
    const platform = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];
    for (const name of Object.keys(variables)) {
      if (!platform.includes(name)) expect(known, name).toContain(name);
    }
  });

  it('yields a configuration the app accepts: PostgreSQL, S3 with presigned downloads, /tmp', () => {
    const config = loadConfig(env);
    expect(config.databaseUrl).toMatch(
      /^postgres:\/\/.+@sample\.internal:5432\/modelguard\?sslmode=verify-full$/,
    );
    expect(config.database.poolSize).toBe(2);
    expect(config.s3).toMatchObject({
      bucket: 'sample-packagebucket',
      region: 'eu-west-1',
      presignDownloads: true,
    });
    expect(config.dataDir.startsWith('/tmp/')).toBe(true);
    expect(config.auth.jwtSecret?.length).toBeGreaterThanOrEqual(32);
    expect(config.limits.maxPackageBytes).toBe(1024 ** 3);
  });

  it('bounds database and object-store waits below the function timeout', () => {
    const timeoutMs = Number(fn.Properties.Timeout) * 1000;
    for (const name of [
      'DATABASE_STATEMENT_TIMEOUT_MS',
      'S3_REQUEST_TIMEOUT_MS',
      'DATABASE_CONNECT_TIMEOUT_MS',
    ]) {
      expect(Number(env[name]), name).toBeLessThan(timeoutMs);
    }
  });

  it('grants the function only object access to its own bucket', () => {
    const [policy] = fn.Properties.Policies as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    }[];
    const actions = policy?.Statement.flatMap((statement) => statement.Action) ?? [];
    expect(actions.sort()).toEqual(
      ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject'].sort(),
    );
    expect(JSON.stringify(policy)).toContain('PackageBucket');
  });

  it('keeps the database and the bucket private', () => {
    const { Database, PackageBucket } = template.Resources;
    expect(Database?.Properties).toMatchObject({ PubliclyAccessible: false, StorageEncrypted: true });
    expect(PackageBucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds in one stage and runs the server as a non-root user with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health`/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.js"\]$/m);
  });

  it('keeps local installs and data out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});
