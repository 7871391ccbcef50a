import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import {
  collectProblems,
  expectAccessible,
  expectNoHorizontalScroll,
  launchBrowser,
  layoutShift,
  tabTo,
  throttle,
} from '../support/browser.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';
import { RegistryClient } from '../support/registry-client.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { makeZip, safetensorsBytes } from '../support/zips.js';

/**
 * The web app in Debian's Chromium against `npm start` on loopback, with the fixture Hugging Face
 * and GitHub servers as sources: one server process and one browser for the whole file, a fresh
 * browser context (empty sessionStorage) per test.
 */
describe('the web app in a real browser', { timeout: 120_000 }, () => {
  let dataDir: string;
  let sources: FixtureSources;
  let server: ServerProcess;
  let api: RegistryClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-e2e-web-'));
    sources = await startFixtureSources();
    [server, browser] = await Promise.all([
      // Small pages, so that paging shows with a handful of artifacts.
      startServerProcess({ DATA_DIR: dataDir, PAGE_SIZE: '3', ...sources.env }),
      launchBrowser(),
    ]);
    api = await RegistryClient.signIn(server.url);
    ids.bert = await api.create('model', 'https://huggingface.co/google-bert/bert-base-uncased');
    ids.bookcorpus = await api.create('dataset', 'https://huggingface.co/datasets/bookcorpus/bookcorpus');
    for (const version of ['1.2.3', '1.4.0', '2.0.0']) {
      ids[`sentiment-${version}`] = await api.upload(
        'model',
        'sentiment-tagger',
        version,
        await makeZip([
          { path: 'README.md', content: `# sentiment-tagger ${version}\n\nTags the sentiment of reviews.` },
          { path: 'config.json', content: '{"model_type":"distilbert"}' },
          { path: 'model.safetensors', content: safetensorsBytes(200_000, 7), store: true },
        ]),
      );
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await sources?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  /**
   * With UI_SCREENSHOTS=docs/ui the journeys also save the README's screenshots, `width` pixels
   * wide when given (a journey on a phone-sized window is shown at desktop width).
   */
  async function snap(name: string, width?: number) {
    const folder = process.env.UI_SCREENSHOTS;
    if (!folder) return;
    if (width) await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
  }

  async function signIn(target = '/search') {
    await page.goto(`/sign-in?${new URLSearchParams({ next: target })}`);
    await page.getByLabel('User name').fill(DEFAULT_ADMIN_NAME);
    await page.getByLabel('Password').fill(DEFAULT_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('serves the app at / under a Content-Security-Policy that allows only its own scripts; API 404s stay JSON', async () => {
    const problems = collectProblems(page);
    const response = await page.goto('/');
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await expect.poll(() => page.url()).toContain('/sign-in?next=%2Fsearch');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // A browser reload of an app page gets the app; an API client asking for a missing route gets JSON.
    const reload = await fetch(`${server.url}/search?q=x`, { headers: { accept: 'text/html' } });
    expect(reload.status).toBe(200);
    expect(await reload.text()).toContain('<div id="root">');
    const missing = await fetch(`${server.url}/artifact/nothing/here/at/all`, {
      headers: { accept: 'text/html' },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'NOT_FOUND' });
    const apiClient = await fetch(`${server.url}/no-such-page`);
    expect(apiClient.status).toBe(404);
    expect(await apiClient.json()).toMatchObject({ error: 'NOT_FOUND' });
    expect(problems).toEqual([]);
  });

  it('keeps the interactive API docs working under the policy', async () => {
    const problems = collectProblems(page);
    await page.goto('/docs');
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
  });

  it('loads at most 250 KB of JavaScript (gzipped) on first load', async () => {
    const scripts: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(new URL(response.url()).pathname);
    });
    await page.goto('/sign-in');
    await page.getByRole('heading', { level: 1 }).waitFor();
    let total = 0;
    for (const path of scripts) total += gzipSync(await readFile(join('dist/web', path))).length;
    console.log(`first load: ${scripts.length} script(s), ${(total / 1024).toFixed(1)} KiB gzipped`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(250 * 1024);
  });

  it('signs in: a wrong password shows the reason, the right one returns to the page asked for', async () => {
    await page.goto('/search?q=bert-base-uncased');
    await expect.poll(() => page.url()).toContain('/sign-in');
    await expectAccessible(page, 'sign-in, empty');
    await snap('sign-in');
    await page.getByLabel('User name').fill(DEFAULT_ADMIN_NAME);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('401');
    await expectAccessible(page, 'sign-in, error');
    await page.getByLabel('Password').fill(DEFAULT_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'bert-base-uncased' }).waitFor();
    expect(new URL(page.url()).search).toBe('?q=bert-base-uncased');
    // The token is in this tab's sessionStorage, never in localStorage or a cookie.
    const storage = await page.evaluate<{ session: string; local: number; cookies: string }>(`({
      session: sessionStorage.getItem('modelguard.session') ?? '',
      local: localStorage.length,
      cookies: document.cookie,
    })`);
    expect(storage.session).toContain('bearer ');
    expect(storage.local).toBe(0);
    expect(storage.cookies).toBe('');
  });

  it('searches by name and version query, by regex and type; the URL carries the query and pages through', async () => {
    await signIn();
    await page.getByText('3 shown, more on the next page.').waitFor();
    await expectAccessible(page, 'search, all artifacts');
    await snap('search');
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.getByText('2 shown.').waitFor();
    expect(new URL(page.url()).searchParams.get('offset')).not.toBeNull();
    await page.getByRole('link', { name: 'First page' }).click();
    await page.getByText('3 shown, more on the next page.').waitFor();
    await page.getByLabel('Name or pattern').fill('sentiment-tagger');
    await page.getByLabel('Version').fill('^1.2.0');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('2 shown.').waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('sentiment-tagger');
    expect(url.searchParams.get('version')).toBe('^1.2.0');

    // The same address in a new tab (its own session: sessionStorage is per tab) shows the same results.
    const shared = await context.newPage();
    await shared.goto(page.url());
    await shared.getByLabel('User name').fill(DEFAULT_ADMIN_NAME);
    await shared.getByLabel('Password').fill(DEFAULT_ADMIN_PASSWORD);
    await shared.getByRole('button', { name: 'Sign in' }).click();
    await shared.getByText('2 shown.').waitFor();
    expect(await shared.getByLabel('Version').inputValue()).toBe('^1.2.0');
    await shared.close();

    await page.getByLabel('Name or pattern').fill('uncased|sentiment');
    await page.getByLabel('Version').fill('');
    await page.getByLabel(/Regular expression/).check();
    await page.getByRole('checkbox', { name: 'model' }).check();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('4 matches.').waitFor();
    expect(new URL(page.url()).searchParams.getAll('type')).toEqual(['model']);

    await page.getByLabel('Name or pattern').fill('no-such-thing-anywhere');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No artifacts match.').waitFor();
    await expectAccessible(page, 'search, empty');

    await page.getByLabel('Name or pattern').fill('(unclosed');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').filter({ hasText: 'The search failed' }).waitFor();
    await expectAccessible(page, 'search, error');
  });

  it('shows an artifact: metadata, a bar and a reason per metric, lineage picture with links, cost and audit', async () => {
    await signIn(`/model/${ids.bert}`);
    await page.getByRole('heading', { level: 1, name: 'bert-base-uncased' }).waitFor();
    const rating = page.getByRole('region', { name: 'Rating' });
    await rating.getByText('Net score').waitFor({ timeout: 60_000 });
    for (const metric of ['Ramp-up time', 'Bus factor', 'License', 'Reproducibility', 'Raspberry Pi']) {
      await expect.poll(() => rating.getByText(metric, { exact: true }).count()).toBe(1);
    }
    expect(await rating.locator('.reason').count()).toBe(11);
    for (const reason of await rating.locator('.reason').allTextContents())
      expect(reason.length).toBeGreaterThan(10);

    const overview = page.getByRole('region', { name: 'Overview' });
    expect(await overview.textContent()).toContain('https://huggingface.co/google-bert/bert-base-uncased');
    const lineage = page.getByRole('region', { name: 'Lineage' });
    await lineage.locator('svg').waitFor();
    await page.getByRole('region', { name: 'Audit trail' }).getByRole('cell', { name: 'CREATE' }).waitFor();
    await page
      .getByRole('region', { name: 'Download cost' })
      .getByText('With everything it depends on')
      .waitFor();
    await expectAccessible(page, 'artifact, loaded');
    await snap('artifact');

    // The registry dataset in the lineage links to its own page.
    expect(
      await lineage
        .getByText(/wikipedia is the training dataset of bert-base-uncased \(not in this registry\)/)
        .count(),
    ).toBe(1);
    await lineage.getByRole('link', { name: 'bookcorpus' }).first().click();
    await page.waitForURL(`**/dataset/${ids.bookcorpus}`);
    await page.getByRole('heading', { level: 1, name: 'bookcorpus' }).waitFor();
  });

  it("an unknown artifact shows the registry's 404 and an unknown page says so", async () => {
    await signIn('/model/00000000-0000-4000-8000-000000000000');
    await page.getByRole('alert').filter({ hasText: 'This artifact cannot be shown' }).waitFor();
    await expectAccessible(page, 'artifact, error');
    await page.goto('/no/such/page/here');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  });

  it('is usable 320 px wide without horizontal scrolling and without layout shift as data arrives', async () => {
    await page.setViewportSize({ width: 320, height: 700 });
    await signIn(`/model/${ids['sentiment-1.2.3']}`);
    // Measure one page load as its data arrives, not the header growing from sign-in to signed in.
    await page.reload();
    await page.getByRole('region', { name: 'Rating' }).getByText('Net score').waitFor({ timeout: 60_000 });
    await page.getByRole('region', { name: 'Audit trail' }).getByRole('table').waitFor();
    await expectNoHorizontalScroll(page);
    expect(await layoutShift(page)).toBeLessThan(0.1);
    await page.goto('/search');
    await page.getByRole('list').filter({ hasText: 'sentiment-tagger' }).waitFor();
    await expectNoHorizontalScroll(page);
  });

  it('works by keyboard alone: sign in, search, open and download, with focus always visible', async () => {
    await page.goto('/search');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await tabTo(page, /^Skip to content$/);
    await tabTo(page, /^User name$/);
    await page.keyboard.type(DEFAULT_ADMIN_NAME);
    await tabTo(page, /^Password$/);
    await page.keyboard.type(DEFAULT_ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Search the registry' }).waitFor();
    await tabTo(page, /^Name or pattern$/);
    await page.keyboard.type('sentiment-tagger');
    await tabTo(page, /^Version$/);
    await page.keyboard.type('2.0.0');
    await page.keyboard.press('Enter');
    await page.getByText('1 shown.').waitFor();
    await tabTo(page, /^sentiment-tagger$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'sentiment-tagger' }).waitFor();
    // The new page's heading has focus, so reading and tabbing start there.
    expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('H1');
    await page.getByRole('region', { name: 'Rating' }).getByText('Net score').waitFor({ timeout: 60_000 });
    const download = page.waitForEvent('download');
    await tabTo(page, /^Download the full package$/);
    await page.keyboard.press('Enter');
    expect((await download).suggestedFilename()).toBe('sentiment-tagger.zip');
  });

  it("downloads the package and each aspect with a progress bar, and the bytes are the package's", async () => {
    await signIn(`/model/${ids['sentiment-1.4.0']}`);
    await page.getByRole('heading', { level: 1, name: 'sentiment-tagger' }).waitFor();
    const downloads = page.getByRole('region', { name: 'Download' });
    await throttle(page, 100_000);
    const full = page.waitForEvent('download');
    await downloads.getByRole('button', { name: 'Download the full package' }).click();
    const bar = downloads.getByRole('progressbar', { name: /Downloading the full package/ });
    await bar.waitFor();
    await expectAccessible(page, 'artifact, download in progress');
    const saved = await (await full).path();
    const original = await (
      await api.request('GET', `/download/model/${ids['sentiment-1.4.0']}`)
    ).arrayBuffer();
    expect((await readFile(saved)).equals(Buffer.from(original))).toBe(true);
    await downloads.getByText('Downloaded the full package.').waitFor();
    await throttle(page, -1);
    const weights = page.waitForEvent('download');
    await downloads.getByRole('button', { name: 'Download weights only' }).click();
    expect((await weights).suggestedFilename()).toBe('sentiment-tagger-weights.zip');
  });

  it('uploads a zip with a progress bar that can be cancelled, then for real', async () => {
    await signIn('/add');
    const upload = page.getByRole('region', { name: 'Upload a package' });
    const zip = await makeZip([
      { path: 'README.md', content: '# uploaded-in-browser\n\nA model uploaded from the web app.' },
      { path: 'model.safetensors', content: safetensorsBytes(1_500_000, 3), store: true },
    ]);
    await upload.getByLabel('Name').fill('uploaded-in-browser');
    await upload.getByLabel('Version (optional)').fill('0.1.0');
    await upload
      .getByLabel('Zip file')
      .setInputFiles({ name: 'model.zip', mimeType: 'application/zip', buffer: zip });
    await throttle(page, 100_000);
    await upload.getByRole('button', { name: 'Upload' }).click();
    await upload.getByRole('progressbar', { name: /Uploading/ }).waitFor();
    await expectAccessible(page, 'add, upload in progress');
    await upload.getByRole('button', { name: 'Cancel upload' }).click();
    await upload.getByText('The upload was cancelled; nothing was stored.').waitFor();
    expect((await api.request('GET', '/artifact/byName/uploaded-in-browser')).status).toBe(404);

    await throttle(page, -1);
    await upload.getByRole('button', { name: 'Upload' }).click();
    await upload.getByRole('link', { name: 'uploaded-in-browser' }).click();
    await page.getByRole('heading', { level: 1, name: 'uploaded-in-browser' }).waitFor();
    expect(await page.getByRole('region', { name: 'Overview' }).textContent()).toContain('0.1.0');
  });

  it('registers from a Hugging Face URL, and shows which metrics the gate refused and why', async () => {
    await signIn('/add');
    const fromUrl = page.getByRole('region', { name: 'Register from a URL' });
    await fromUrl.getByLabel('Source URL').fill('https://huggingface.co/lonely-dev/untitled-model');
    await fromUrl.getByRole('button', { name: 'Register' }).click();
    const refusal = fromUrl.getByRole('alert');
    await refusal.getByText('The ingest gate refused this model.').waitFor({ timeout: 60_000 });
    for (const metric of ['license', 'bus_factor', 'ramp_up_time']) {
      const item = refusal.getByRole('listitem').filter({ hasText: new RegExp(`^${metric}:`) });
      expect(await item.textContent()).toMatch(/\(needs 0\.5\)\. \S.{10,}/);
    }
    await expectAccessible(page, 'add, gate refusal');
    await snap('add-refused');

    await fromUrl.getByLabel('Source URL').fill('https://huggingface.co/openai/whisper-tiny');
    await fromUrl.getByRole('button', { name: 'Register' }).click();
    await fromUrl.getByRole('link', { name: 'whisper-tiny' }).waitFor({ timeout: 60_000 });
  });

  it('checks a license against a GitHub project and says why', async () => {
    await signIn(`/model/${ids.bert}`);
    const license = page.getByRole('region', { name: 'License check' });
    await license
      .getByLabel("Your project's GitHub repository")
      .fill('https://github.com/google-research/bert');
    await license.getByRole('button', { name: 'Check license' }).click();
    await license.getByText('Compatible', { exact: true }).waitFor({ timeout: 30_000 });
    expect((await license.locator('.verdict').textContent())?.length).toBeGreaterThan(60);
    await expectAccessible(page, 'artifact, license verdict');
  });

  it('shows the health dashboard: components, charts with text alternatives, and log lines for admins', async () => {
    await page.goto('/status');
    await page.getByRole('heading', { level: 1, name: 'Registry health' }).waitFor();
    const components = page.getByRole('region', { name: 'Components' });
    await components.getByRole('heading', { name: /Metadata store/ }).waitFor();
    // Each component the API reports, with its status (how many depends on the build and the host).
    const report = (await (await fetch(`${server.url}/health/components`)).json()) as {
      components: { display_name: string; status: string }[];
    };
    expect(report.components.length).toBeGreaterThanOrEqual(3);
    expect(await components.getByRole('heading', { level: 3 }).count()).toBe(report.components.length);
    for (const { display_name, status } of report.components) {
      const name = `${status === 'ok' ? 'OK' : status} ${display_name}`;
      expect(await components.getByRole('heading', { name, exact: true }).count()).toBe(1);
    }
    const charts = page.getByRole('region', { name: 'Requests, errors and latency' });
    expect(await charts.getByRole('figure').count()).toBe(3);
    expect(await charts.getByRole('figure', { name: /Request rate: Requests peaked at \d+/ }).count()).toBe(
      1,
    );
    await charts.getByText('Values per minute').first().click();
    expect(await charts.getByRole('table').first().getByRole('row').count()).toBe(61);
    // Not signed in: no log lines (the API keeps them for admins).
    expect(await page.getByRole('region', { name: 'Recent log lines' }).count()).toBe(0);
    await expectAccessible(page, 'health, signed out');

    await signIn('/status');
    const logs = page.getByRole('region', { name: 'Recent log lines' });
    // The server logs warnings and worse: whether there are lines yet depends on which journeys ran.
    const logged = (await (await api.request('GET', '/health/logs')).json()) as { lines: unknown[] };
    if (logged.lines.length > 0) await logs.getByRole('listitem').first().waitFor();
    else await logs.getByText('Nothing logged at the configured level yet.').waitFor();
    await expectAccessible(page, 'health, admin');
    await snap('health');
  });

  it('returns to sign-in with the reason when the token is used up', async () => {
    await signIn('/search');
    const token = await page.evaluate<string>(
      `JSON.parse(sessionStorage.getItem('modelguard.session')).token`,
    );
    // Spend the rest of the token's calls from outside the browser.
    for (let status = 0; status !== 403; ) {
      status = (
        await fetch(`${server.url}/artifact/model/none/details`, { headers: { 'x-authorization': token } })
      ).status;
    }
    await page.getByLabel('Name or pattern').fill('anything');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText(/You were signed out\. .*used up its calls/).waitFor();
    await expectAccessible(page, 'sign-in, session ended');
  });

  it('lets an admin add a search-only user, who then can search but not upload (no button; a forced upload is refused)', async () => {
    await signIn('/admin');
    const users = page.getByRole('region', { name: 'Users and permissions' });
    await users.getByRole('rowheader', { name: DEFAULT_ADMIN_NAME }).waitFor();
    await users.getByLabel("New user's name").fill('searcher');
    await users.getByLabel('Initial password').fill('a-long-enough-passphrase-42');
    await users.getByRole('checkbox', { name: 'search', exact: true }).check();
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByText('Added searcher.').waitFor();
    await users.getByRole('rowheader', { name: 'searcher' }).waitFor();
    expect(await users.getByRole('checkbox', { name: 'Search: searcher' }).isChecked()).toBe(true);
    expect(await users.getByRole('checkbox', { name: 'Upload: searcher' }).isChecked()).toBe(false);
    await page.getByRole('region', { name: 'Security audit trail' }).getByRole('table').waitFor();
    await expectAccessible(page, 'admin, users');
    await snap('admin-users');

    // The search-only user: can search, is offered no way to add, and the API refuses a forced upload.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`/sign-in?${new URLSearchParams({ next: '/search' })}`);
    await page.getByLabel('User name').fill('searcher');
    await page.getByLabel('Password').fill('a-long-enough-passphrase-42');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Search the registry' }).waitFor();
    await page.getByRole('list').filter({ hasText: 'sentiment-tagger' }).waitFor();
    expect(await page.getByRole('link', { name: 'Add artifact' }).count()).toBe(0);
    await page.goto('/add');
    await page.getByText('You do not have the upload permission').waitFor();
    expect(await page.getByRole('button', { name: /upload/i }).count()).toBe(0);
    // A string, as the page runs it: the tests' own TypeScript has no DOM types.
    const forced = await page.evaluate<{ status: number; body: { message: string } }>(`(async () => {
      const { token } = JSON.parse(sessionStorage.getItem('modelguard.session'));
      const response = await fetch('/artifact/model/upload?name=forced&version=1.0.0', {
        method: 'POST',
        headers: { 'x-authorization': token, 'content-type': 'application/zip' },
        body: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]),
      });
      return { status: response.status, body: await response.json() };
    })()`);
    expect(forced.status).toBe(403);
    expect(forced.body.message).toBe('You do not have the upload permission.');
  });

  it('runs the package-confusion audit (admins): each suspect with its score, the model it imitates and the evidence, by keyboard at 320 px', async () => {
    // A look-alike of the far more popular bert-base-uncased (55 million hub downloads), with none of its own.
    const lookAlike = await api.upload(
      'model',
      'bert_base_uncased',
      '1.0.0',
      await makeZip([
        { path: 'README.md', content: '# bert_base_uncased\n\nNot the BERT you know.' },
        { path: 'model.safetensors', content: safetensorsBytes(10_000, 5), store: true },
      ]),
    );
    await page.setViewportSize({ width: 320, height: 700 });
    await signIn('/admin');
    const audit = page.getByRole('region', { name: 'Package-confusion audit' });
    await audit.getByRole('button', { name: 'Run the audit' }).waitFor();
    await expectAccessible(page, 'admin, confusion audit not run');
    await tabTo(page, /^Run the audit$/, 120);
    await page.keyboard.press('Enter');
    await audit.getByText(/\d+ suspected models?, highest score first\./).waitFor({ timeout: 60_000 });

    const answer = (await (await api.request('POST', '/artifacts/PackageConfusionAudit')).json()) as {
      suspected: { artifact_id: string; metadata: { score: number; reasons: { signal: string }[] } }[];
    };
    const expected = answer.suspected.find((model) => model.artifact_id === lookAlike);
    expect(expected).toBeDefined();
    expect(
      await audit
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading') })
        .count(),
    ).toBe(answer.suspected.length);
    const suspect = audit
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'bert_base_uncased' }) });
    const text = (await suspect.textContent()) ?? '';
    expect(text).toContain('Imitates bert-base-uncased');
    expect(text).toContain(`Suspicion score${expected?.metadata.score.toFixed(2)}`);
    expect(text).toMatch(
      /Name delimiter: "bert_base_uncased" vs "bert-base-uncased": only the delimiters differ/,
    );
    expect(text).toMatch(/Popularity lower popularity: popularity \d/);
    expect(await suspect.getByRole('list').getByRole('listitem').count()).toBe(
      expected?.metadata.reasons.length,
    );
    await expectAccessible(page, 'admin, confusion audit results');
    await expectNoHorizontalScroll(page);
    await snap('admin-confusion', 1280);
    await suspect.getByRole('link', { name: 'bert-base-uncased' }).click();
    await page.waitForURL(`**/model/${ids.bert}`);

    // Someone who is not an administrator is offered no audit, and the API refuses it.
    const password = 'a-long-enough-passphrase-43';
    const created = await api.request('POST', '/users', {
      user: { name: 'uploader', is_admin: false },
      secret: { password },
      permissions: { can_upload: true, can_search: true, can_download: true },
    });
    expect(created.status).toBe(201);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`/sign-in?${new URLSearchParams({ next: '/admin' })}`);
    await page.getByLabel('User name').fill('uploader');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Only administrators can use this page.').waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /audit/i }).count()).toBe(0);
    const uploader = await RegistryClient.signIn(server.url, 'uploader', password);
    expect((await uploader.request('POST', '/artifacts/PackageConfusionAudit')).status).toBe(403);
  });

  it("makes a model sensitive (admins): a pasted, then a file's monitor program; refusals show its output; the paged download history for admins and the uploader", async () => {
    const password = 'another-long-passphrase-44';
    const created = await api.request('POST', '/users', {
      user: { name: 'owner', is_admin: false },
      secret: { password },
      permissions: { can_upload: true, can_search: true, can_download: true },
    });
    expect(created.status).toBe(201);
    const owner = await RegistryClient.signIn(server.url, 'owner', password);
    const guarded = await owner.upload(
      'model',
      'guarded-model',
      '1.0.0',
      await makeZip([
        { path: 'README.md', content: '# guarded-model\n\nOnly for the chosen few.' },
        { path: 'model.safetensors', content: safetensorsBytes(20_000, 9), store: true },
      ]),
    );
    await page.setViewportSize({ width: 320, height: 700 });
    await signIn(`/model/${guarded}`);
    const sensitive = page.getByRole('region', { name: 'Sensitive model' });
    await sensitive.getByText('Not sensitive.').waitFor();
    const history = page.getByRole('region', { name: 'Sensitive downloads' });
    await history.getByText('No download of this model has been judged by a monitor program.').waitFor();
    await expectAccessible(page, 'artifact, not sensitive');

    // Pasted: only the uploader may download, so the admin is refused with the program's words.
    await sensitive
      .getByLabel('Monitor program (JavaScript)')
      .fill(
        'const [, , model, uploader, downloader] = process.argv;\n' +
          'if (downloader !== uploader) {\n' +
          "  console.log('only ' + uploader + ' may download ' + model);\n" +
          '  process.exit(1);\n' +
          '}\n',
      );
    await sensitive.getByRole('button', { name: 'Upload a monitor program' }).click();
    await sensitive.getByText(/the model is now sensitive/).waitFor();
    await sensitive.getByText('Sensitive.', { exact: true }).waitFor();
    expect(await sensitive.getByText('Uploaded by').count()).toBe(1);
    const downloads = page.getByRole('region', { name: 'Download' });
    // One after the other, so the history's order is known.
    for (const what of ['the full package', 'weights only']) {
      await downloads.getByRole('button', { name: `Download ${what}` }).click();
      const refusal = downloads
        .getByRole('alert')
        .filter({ hasText: `The model's monitor program refused downloading ${what}` });
      await refusal.waitFor();
      expect(await refusal.textContent()).toMatch(
        /403 MONITOR_REFUSED.*Its output: only owner may download guarded-model/,
      );
    }
    await expectAccessible(page, 'artifact, download refused by the monitor');

    // From a file: the program shows in the text box before it replaces the first; it allows all.
    const allowAll = "console.log('cleared for ' + process.argv[4]);\n";
    await sensitive
      .getByLabel('Or read the program from a file')
      .setInputFiles({ name: 'allow-all.js', mimeType: 'text/javascript', buffer: Buffer.from(allowAll) });
    await expect.poll(() => sensitive.getByLabel('Monitor program (JavaScript)').inputValue()).toBe(allowAll);
    await sensitive.getByRole('button', { name: 'Replace the program' }).click();
    await sensitive.getByText('The monitor program', { exact: true }).click();
    await sensitive
      .getByRole('region', { name: 'Monitor program source' })
      .getByText(/cleared for/)
      .waitFor();
    const full = page.waitForEvent('download');
    await downloads.getByRole('button', { name: 'Download the full package' }).click();
    expect((await full).suggestedFilename()).toBe('guarded-model.zip');
    const weights = page.waitForEvent('download');
    await downloads.getByRole('button', { name: 'Download weights only' }).click();
    expect((await weights).suggestedFilename()).toBe('guarded-model-weights.zip');

    // Four verdicts, newest first, three to a page (a header row and three).
    const rows = history.getByRole('row');
    await expect
      .poll(() => rows.nth(1).textContent())
      .toMatch(/ece30861defaultadminuserweightsAllowed0cleared for/);
    expect(await rows.count()).toBe(4);
    expect(await rows.nth(2).textContent()).toMatch(/ece30861defaultadminuserfullAllowed0cleared for/);
    expect(await rows.nth(3).textContent()).toMatch(/ece30861defaultadminuserweightsRefused1only owner/);
    await expectAccessible(page, 'artifact, sensitive with history');
    await expectNoHorizontalScroll(page);
    await snap('artifact-sensitive', 1280);
    await history.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toMatch(/fullRefused1only owner may download guarded-model/);

    await sensitive.getByRole('button', { name: 'Remove the program…' }).click();
    await sensitive.getByRole('button', { name: 'Remove the program for good' }).click();
    await sensitive.getByText('Not sensitive.').waitFor();

    // The uploader sees the history of the model, not its program; nobody else's history.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`/sign-in?${new URLSearchParams({ next: `/model/${guarded}` })}`);
    await page.getByLabel('User name').fill('owner');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await history.getByRole('table').waitFor();
    expect(await page.getByRole('region', { name: 'Sensitive model' }).count()).toBe(0);
    await page.goto(`/model/${ids['sentiment-1.2.3']}`);
    await page.getByRole('region', { name: 'Audit trail' }).getByRole('table').waitFor();
    expect(await page.getByRole('region', { name: 'Sensitive downloads' }).count()).toBe(0);
  });

  it('runs the performance workload from the health dashboard (admins): progress while it runs, then its results beside earlier runs', async () => {
    await page.goto('/status');
    await page.getByRole('heading', { level: 1, name: 'Registry health' }).waitFor();
    expect(await page.getByRole('region', { name: 'Performance workload' }).count()).toBe(0);
    await page.setViewportSize({ width: 320, height: 700 });
    await signIn('/status');
    const workload = page.getByRole('region', { name: 'Performance workload' });
    const start = workload.getByRole('button', { name: 'Start the workload' });
    await start.waitFor();
    await expectAccessible(page, 'health, workload form');
    // A small run: the journey is about the screen, bench/ measures the registry.
    await workload.getByLabel('Concurrent clients').fill('4');
    await workload.getByLabel('Models in the registry').fill('3');
    await workload.getByLabel('Large model (MiB)').fill('1');
    await start.click();
    await workload.getByRole('progressbar', { name: /of 4 downloads finished/ }).waitFor();
    await expectAccessible(page, 'health, workload in progress');
    const run = workload.getByRole('region', { name: /^Run of / });
    await run.getByText('Done', { exact: true }).waitFor({ timeout: 120_000 });
    const [first] = (await (await api.request('GET', '/performance/workloads')).json()) as {
      status: string;
      results: { requests: number; throughput_mbps: number };
    }[];
    expect(first?.status).toBe('done');
    expect(first?.results.requests).toBe(4);
    const shown = (await run.textContent()) ?? '';
    expect(shown).toContain(`Throughput${first?.results.throughput_mbps.toFixed(1)} Mbit/s`);
    for (const fact of ['Mean latency', 'Median latency', '99th percentile latency']) {
      expect(shown).toMatch(new RegExp(`${fact}\\d+(\\.\\d)? ms`));
    }

    // A second run lands beside the first, for comparison.
    await workload.getByLabel('Concurrent clients').fill('2');
    await start.click();
    await run.getByText(/2 clients, 3 models/).waitFor();
    const rows = workload.getByRole('table').getByRole('row');
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(3);
    await expect.poll(() => rows.nth(1).textContent(), { timeout: 120_000 }).toMatch(/done231 MiB/);
    expect(await rows.nth(2).textContent()).toMatch(/done431 MiB/);
    await expectAccessible(page, 'health, workload results');
    await expectNoHorizontalScroll(page);
    await snap('health-workload', 1280);
  });

  it('resets the registry after a typed confirmation (admins), then shows the empty registry', async () => {
    await signIn('/admin');
    await page.getByRole('button', { name: 'Reset the registry…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset the registry?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete everything' });
    expect(await confirm.isDisabled()).toBe(true);
    await expectAccessible(page, 'admin, reset dialog open');
    await snap('admin-reset');
    await dialog.getByLabel(/Type .reset the registry. to confirm/).fill('reset the registry');
    await confirm.click();
    await page.getByText('The registry was reset; sign in as the default administrator.').waitFor();
    await signIn('/search');
    await page.getByText('No artifacts match.').waitFor();
    await expectAccessible(page, 'search, empty registry');
  });
});
