import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { makeZip } from '../support/zips.js';

/**
 * Schema-driven fuzzing of every route in the served OpenAPI document, and a model-based test of
 * the registry's core against a tiny in-memory model of it. A fixed seed and case count here;
 * FUZZ_RUNS=<n> (and FUZZ_SEED) for a longer hunt. A counterexample found becomes a regular test.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
/** No single request may take longer than this, whatever it carries. */
const REQUEST_LIMIT_MS = 10_000;
/** Longer hunts get time in proportion (PostgreSQL + S3 under load: ~80 ms a request). */
const TEST_TIMEOUT_MS = Math.max(240_000, (RUNS ?? 0) * 200);
/** Stands for the seeded model's current id in generated values; replaced when a request is sent. */
const SEED_ID = 'SEED-ID-PLACEHOLDER';

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
};
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

describe('API fuzzing', () => {
  let t: TestApp;
  let admin: string;
  let doc: OpenApi;
  let modelId: string;

  beforeAll(async () => {
    t = await startTestApp({
      PAGE_SIZE: '4',
      // Anything that reaches out goes nowhere fast: no source answers here.
      HF_ENDPOINT: 'http://127.0.0.1:9',
      GITHUB_API_URL: 'http://127.0.0.1:9',
      INGEST_TIMEOUT_MS: '2000',
      INGEST_DEADLINE_MS: '5000',
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      TOKEN_MAX_USES: '1000000',
    });
    admin = await t.token();
    doc = (await t.app.inject({ url: '/openapi.json' })).json();
    await seed();
  });
  afterAll(() => t.close());

  /** Uploads the model most generated ids name; again whenever a fuzzed request deleted it. */
  async function seed(): Promise<void> {
    const uploaded = await t.app.inject({
      method: 'POST',
      url: '/artifact/model/upload?name=fuzz-seed&version=1.0.0',
      headers: { 'x-authorization': admin, 'content-type': 'application/zip' },
      payload: await makeZip([{ path: 'README.md', content: '# seed' }]),
    });
    modelId = uploaded.json().metadata.id;
  }

  /** A value the schema accepts (roughly: enough to get past validation often). */
  function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
    if (schema.$ref)
      return valueFor(doc.components?.schemas?.[schema.$ref.split('/').pop() as string], depth + 1);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const choices = schema.anyOf ?? schema.oneOf;
    if (choices) return fc.oneof(...choices.map((choice) => valueFor(choice, depth + 1)));
    if (schema.allOf) return valueFor(schema.allOf[0], depth + 1);
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string':
        return fc.oneof(
          fc.constantFrom(modelId, '*', 'fuzz-seed', '.*', 'https://example.com/x'),
          fc.string(),
        );
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 1000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -5, max: schema.maximum ?? 1000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(valueFor(schema.items, depth + 1), { maxLength: 3 });
      case 'object': {
        const properties = schema.properties ?? {};
        const required = new Set(schema.required ?? []);
        return fc.record(
          Object.fromEntries(
            Object.entries(properties).map(([key, value]) => [key, valueFor(value, depth + 1)]),
          ),
          { requiredKeys: Object.keys(properties).filter((key) => required.has(key)) },
        );
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  /** A path segment: mostly the seeded model (so requests get past the lookup), sometimes hostile. */
  const segment = (name: string, schema: Schema | undefined) => {
    const likely =
      name === 'id'
        ? fc.constant(SEED_ID)
        : name === 'artifact_type'
          ? fc.constant('model')
          : valueFor(schema);
    return fc
      .oneof(
        { weight: 4, arbitrary: likely.map(String) },
        { weight: 2, arbitrary: valueFor(schema).map(String) },
        { weight: 1, arbitrary: fc.constantFrom('..', '%00', 'a'.repeat(300), '💥', '\\', '%2F') },
      )
      .map((value) => (value.startsWith('%') ? value : encodeURIComponent(value)));
  };

  /**
   * Left to the model-based test: the reset, which would empty the registry under the fuzzer. And
   * routes that start work far beyond one request (a performance workload).
   */
  const skipped = (path: string, method: string) =>
    path === '/reset' || (path.startsWith('/performance') && method === 'post');

  it(
    'never answers an undocumented 5xx nor takes too long, for random valid and invalid requests to every route',
    async () => {
      const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(([method]) => ['get', 'post', 'put', 'delete'].includes(method))
          .filter(([method]) => !skipped(path, method))
          .map(([method, operation]) => ({ path, method, operation })),
      );
      expect(operations.length).toBeGreaterThan(30);
      const request = fc.constantFrom(...operations).chain(({ path, method, operation }) => {
        const parameters = operation.parameters ?? [];
        const pathValues = fc.record(
          Object.fromEntries(
            parameters.filter((p) => p.in === 'path').map((p) => [p.name, segment(p.name, p.schema)]),
          ),
        );
        const query = fc.record(
          Object.fromEntries(
            parameters.filter((p) => p.in === 'query').map((p) => [p.name, valueFor(p.schema).map(String)]),
          ),
          { requiredKeys: [] },
        );
        const json = operation.requestBody?.content?.['application/json']?.schema;
        const body = fc.oneof(
          { weight: 3, arbitrary: valueFor(json).map((value) => JSON.stringify(value)) },
          { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
          { weight: 1, arbitrary: fc.string() },
        );
        const token = fc.constantFrom<'admin' | 'garbage' | 'none'>(
          'admin',
          'admin',
          'admin',
          'admin',
          'garbage',
          'none',
        );
        return fc.record({
          path: fc.constant(path),
          method: fc.constant(method),
          documented: fc.constant(Object.keys(operation.responses ?? {})),
          hasBody: fc.constant(operation.requestBody !== undefined),
          pathValues,
          query,
          body,
          token,
        });
      });

      // Which routes the generated requests got through to (2xx): a fuzzer refused everywhere tests nothing.
      const reached = new Set<string>();
      await fc.assert(
        fc.asyncProperty(request, async (call) => {
          const withSeed = (text: string) => text.replaceAll(SEED_ID, modelId);
          const url = withSeed(
            call.path.replace(/\{([^}]+)\}/g, (_match, name: string) => call.pathValues[name] ?? 'x'),
          );
          const headers: Record<string, string> = call.hasBody ? { 'content-type': 'application/json' } : {};
          if (call.token !== 'none')
            headers['x-authorization'] = call.token === 'admin' ? admin : 'bearer not.a.jwt';
          const started = performance.now();
          const response = await t.app.inject({
            method: call.method.toUpperCase() as 'GET',
            url,
            query: Object.fromEntries(
              Object.entries(call.query).map(([key, value]) => [key, withSeed(String(value))]),
            ),
            headers,
            ...(call.hasBody ? { payload: withSeed(call.body) } : {}),
          });
          const took = performance.now() - started;
          const status = response.statusCode;
          const fine = status < 500 || call.documented.includes(String(status));
          expect(fine, `${call.method} ${url} answered ${status}: ${response.body.slice(0, 300)}`).toBe(true);
          expect(took, `${call.method} ${url}`).toBeLessThan(REQUEST_LIMIT_MS);
          if (status < 300) reached.add(`${call.method} ${call.path}`);
          if (
            (
              await t.app.inject({
                url: `/artifacts/model/${modelId}`,
                headers: { 'x-authorization': admin },
              })
            ).statusCode === 404
          )
            await seed();
        }),
        { seed: SEED, numRuns: RUNS ?? 600 },
      );
      if (process.env.FUZZ_REPORT) console.log([...reached].sort().join('\n'));
      expect(reached.size).toBeGreaterThan(operations.length * 0.3);
    },
    TEST_TIMEOUT_MS,
  );

  it('answers 4xx to counterexamples it found: a NUL character in a path (500 on PostgreSQL before)', async () => {
    for (const url of [
      '/performance/workloads/%00',
      '/transactions/%00',
      '/users/%00',
      '/artifact/byName/%00',
    ]) {
      const response = await t.app.inject({ url, headers: { 'x-authorization': admin } });
      expect(response.statusCode, `${url}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(500);
    }
  });

  describe('against an in-memory model of the registry', () => {
    type Kind = 'model' | 'dataset' | 'code';
    interface Entry {
      id: string;
      type: Kind;
      name: string;
      zip: Buffer;
    }
    /** What the registry should hold: artifacts by id, in upload order. */
    type Model = { entries: Map<string, Entry> };
    const as = (token: string) => ({ 'x-authorization': token });
    /** The registry's name rule (printable ASCII, no outer spaces): anything else is 400 everywhere. */
    const validName = (name: string) => /^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$/.test(name);

    /** Everything POST /artifacts lists for `*`, following the offset header over every page. */
    async function enumerate(): Promise<{ id: string; name: string; type: string }[]> {
      const all: { id: string; name: string; type: string }[] = [];
      let offset: string | undefined;
      do {
        const response = await t.app.inject({
          method: 'POST',
          url: '/artifacts',
          headers: as(admin),
          payload: [{ name: '*' }],
          ...(offset ? { query: { offset } } : {}),
        });
        expect(response.statusCode).toBe(200);
        all.push(...response.json());
        offset = response.headers.offset as string | undefined;
      } while (offset);
      return all;
    }

    /** After every command: enumerate, get and download agree with the model exactly. */
    async function check(model: Model): Promise<void> {
      const listed = await enumerate();
      expect(new Set(listed.map((item) => item.id))).toEqual(new Set(model.entries.keys()));
      expect(listed).toHaveLength(model.entries.size);
      for (const entry of model.entries.values()) {
        const got = await t.app.inject({ url: `/artifacts/${entry.type}/${entry.id}`, headers: as(admin) });
        expect(got.json().metadata).toEqual({ id: entry.id, name: entry.name, type: entry.type });
        const bytes = await t.app.inject({ url: `/download/${entry.type}/${entry.id}`, headers: as(admin) });
        expect(bytes.rawPayload.equals(entry.zip)).toBe(true);
      }
    }

    class Upload implements fc.AsyncCommand<Model, TestApp> {
      constructor(
        readonly type: Kind,
        readonly name: string,
        readonly content: string,
      ) {}
      check = () => true;
      async run(model: Model): Promise<void> {
        const zip = await makeZip([{ path: 'README.md', content: `# ${this.name}\n${this.content}` }]);
        const response = await t.app.inject({
          method: 'POST',
          url: `/artifact/${this.type}/upload?name=${encodeURIComponent(this.name)}`,
          headers: { ...as(admin), 'content-type': 'application/zip' },
          payload: zip,
        });
        if (!validName(this.name)) {
          expect(response.statusCode, response.body).toBe(400);
          return check(model);
        }
        expect(response.statusCode, response.body).toBe(201);
        const id = response.json().metadata.id as string;
        model.entries.set(id, { id, type: this.type, name: this.name, zip });
        await check(model);
      }
      toString = () => `upload ${this.type} ${this.name}`;
    }

    class Delete implements fc.AsyncCommand<Model, TestApp> {
      constructor(readonly pick: number) {}
      check = (model: Readonly<Model>) => model.entries.size > 0;
      async run(model: Model): Promise<void> {
        const entries = [...model.entries.values()];
        const entry = entries[this.pick % entries.length] as Entry;
        const response = await t.app.inject({
          method: 'DELETE',
          url: `/artifacts/${entry.type}/${entry.id}`,
          headers: as(admin),
        });
        expect(response.statusCode).toBe(200);
        const again = await t.app.inject({
          method: 'DELETE',
          url: `/artifacts/${entry.type}/${entry.id}`,
          headers: as(admin),
        });
        expect(again.statusCode).toBe(404);
        model.entries.delete(entry.id);
        await check(model);
      }
      toString = () => `delete #${this.pick}`;
    }

    class FindByName implements fc.AsyncCommand<Model, TestApp> {
      constructor(readonly name: string) {}
      check = () => true;
      async run(model: Model): Promise<void> {
        const response = await t.app.inject({
          url: `/artifact/byName/${encodeURIComponent(this.name)}`,
          headers: as(admin),
        });
        const expected = [...model.entries.values()].filter((entry) => entry.name === this.name);
        if (!validName(this.name)) {
          expect(response.statusCode).toBe(400);
          return;
        }
        if (expected.length === 0) {
          expect(response.statusCode).toBe(404);
          return;
        }
        expect(response.statusCode).toBe(200);
        const found = response.json() as { id: string }[];
        expect(new Set(found.map((item) => item.id))).toEqual(new Set(expected.map((entry) => entry.id)));
      }
      toString = () => `byName ${this.name}`;
    }

    class Reset implements fc.AsyncCommand<Model, TestApp> {
      check = () => true;
      async run(model: Model): Promise<void> {
        const response = await t.app.inject({ method: 'DELETE', url: '/reset', headers: as(admin) });
        expect(response.statusCode).toBe(200);
        model.entries.clear();
        await check(model);
      }
      toString = () => 'reset';
    }

    it(
      'agrees with the model after every step of random upload, delete, search and reset sequences',
      async () => {
        const names = fc.constantFrom('alpha', 'beta', 'alpha-2', 'acme/gamma', 'Δelta');
        const commands = fc.commands(
          [
            fc
              .tuple(fc.constantFrom<Kind>('model', 'dataset', 'code'), names, fc.string({ maxLength: 40 }))
              .map(([type, name, content]) => new Upload(type, name, content)),
            fc.nat().map((pick) => new Delete(pick)),
            names.map((name) => new FindByName(name)),
            fc.constant(new Reset()),
          ],
          { maxCommands: 12 },
        );
        await fc.assert(
          fc.asyncProperty(commands, async (sequence) => {
            const reset = await t.app.inject({ method: 'DELETE', url: '/reset', headers: as(admin) });
            expect(reset.statusCode).toBe(200);
            await fc.asyncModelRun(() => ({ model: { entries: new Map() }, real: t }), sequence);
          }),
          { seed: SEED, numRuns: RUNS ? Math.ceil(RUNS / 20) : 25 },
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
});
