import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';

/** The registry's HTTP API on a real server process, as the end-to-end tests set it up. */
export class RegistryClient {
  private constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  static async signIn(url: string, name = DEFAULT_ADMIN_NAME, password = DEFAULT_ADMIN_PASSWORD) {
    const response = await fetch(`${url}/authenticate`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { name, is_admin: false }, secret: { password } }),
    });
    if (response.status !== 200) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
    return new RegistryClient(url, (await response.json()) as string);
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method,
      headers: {
        'x-authorization': this.token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Register from a source URL; the artifact's id. */
  async create(type: string, url: string): Promise<string> {
    const response = await this.request('POST', `/artifact/${type}`, { url });
    if (response.status !== 201)
      throw new Error(`create ${url}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { metadata: { id: string } }).metadata.id;
  }

  async upload(type: string, name: string, version: string, zip: Buffer): Promise<string> {
    const query = new URLSearchParams({ name, version });
    const response = await fetch(`${this.url}/artifact/${type}/upload?${query}`, {
      method: 'POST',
      headers: { 'x-authorization': this.token, 'content-type': 'application/zip' },
      body: zip,
    });
    if (response.status !== 201)
      throw new Error(`upload ${name}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { metadata: { id: string } }).metadata.id;
  }
}
