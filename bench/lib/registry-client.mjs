import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

/** Where packages are uploaded; the only place that knows the upload route. */
export const UPLOAD_PATH = (name) => `/artifact/model/upload?name=${encodeURIComponent(name)}`;
export const DOWNLOAD_PATH = (id) => `/download/model/${encodeURIComponent(id)}`;

const ADMIN = {
  user: { name: 'ece30861defaultadminuser', is_admin: true },
  secret: { password: 'correcthorsebatterystaple123(!__+@**(A\'"`;DROP TABLE artifacts;' },
};
/** A token allows 1000 calls; renew well before that. */
const CALLS_PER_TOKEN = 900;

async function call(baseUrl, method, path, { token, json } = {}) {
  const headers = {};
  if (token) headers['X-Authorization'] = token;
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** The `X-Authorization` value for the default admin ("bearer <jwt>"). */
export function authenticate(baseUrl) {
  return call(baseUrl, 'PUT', '/authenticate', { json: ADMIN });
}

/** Hands out an admin token per call, authenticating again before the token runs out of uses. */
export class TokenSource {
  #baseUrl;
  #token = null; // a promise, so concurrent callers share one authentication
  #uses = CALLS_PER_TOKEN;

  constructor(baseUrl) {
    this.#baseUrl = baseUrl;
  }

  next() {
    if (this.#uses >= CALLS_PER_TOKEN) {
      this.#uses = 0;
      this.#token = authenticate(this.#baseUrl);
      this.#token.catch(() => {
        this.#uses = CALLS_PER_TOKEN; // retry on the next call
      });
    }
    this.#uses++;
    return this.#token;
  }
}

export async function resetRegistry(baseUrl, tokens) {
  await call(baseUrl, 'DELETE', '/reset', { token: await tokens.next() });
}

/** Streams the zip at `path` as an upload; resolves with the created artifact's id. */
export async function uploadModel(baseUrl, tokens, name, path) {
  const { size } = await stat(path);
  const token = await tokens.next();
  const { status, body } = await new Promise((resolve, reject) => {
    const request = http.request(baseUrl + UPLOAD_PATH(name), {
      method: 'POST',
      headers: { 'Content-Type': 'application/zip', 'Content-Length': size, 'X-Authorization': token },
    });
    request.once('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.once('end', () =>
        resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString() }),
      );
      response.once('error', reject);
    });
    request.once('error', reject);
    pipeline(createReadStream(path), request).catch(reject);
  });
  if (status !== 201) throw new Error(`upload of ${name} -> ${status}: ${body.slice(0, 500)}`);
  return JSON.parse(body).metadata.id;
}
