import {
  FIXTURE_GITHUB_TOKEN,
  type GitHubFixtureServer,
  startGitHubServer,
} from '../fixtures/github-server.js';
import { type HfFixtureServer, startHfServer } from '../fixtures/hf-server.js';
import { startTestApp, type TestApp } from './app.js';

export interface FixtureSources {
  hub: HfFixtureServer;
  github: GitHubFixtureServer;
  /**
   * Environment that points the registry's real clients at the fixture servers, with a GitHub
   * token as a deployed registry has (tests of the anonymous budget leave GITHUB_TOKEN out).
   */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The fixture Hugging Face Hub and GitHub API on loopback, for ingest through the real clients. */
export async function startFixtureSources(): Promise<FixtureSources> {
  const [hub, github] = await Promise.all([startHfServer(), startGitHubServer()]);
  return {
    hub,
    github,
    env: { HF_ENDPOINT: hub.url, GITHUB_API_URL: github.url, GITHUB_TOKEN: FIXTURE_GITHUB_TOKEN },
    async close() {
      await Promise.all([hub.close(), github.close()]);
    },
  };
}

export interface AppOnFixtures {
  sources: FixtureSources;
  t: TestApp;
  /** An admin token. */
  token: string;
  close(): Promise<void>;
}

/** The fixture servers and an app whose Hugging Face and GitHub clients point at them. */
export async function startAppOnFixtures(env: Record<string, string> = {}): Promise<AppOnFixtures> {
  const sources = await startFixtureSources();
  const t = await startTestApp({ ...sources.env, ...env });
  return {
    sources,
    t,
    token: await t.token(),
    async close() {
      await t.close();
      await sources.close();
    },
  };
}
