import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `vite build` puts the web app: dist/web, beside this module's dist/http. */
export const DEFAULT_WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../web');

/**
 * First path segments that belong to the API (and the docs). A browser navigation below them is
 * never answered with the web app, so an API 404 stays the API's JSON error.
 */
const API_ROOTS = new Set([
  'api',
  'artifact',
  'artifacts',
  'audit',
  'authenticate',
  'datasets',
  'download',
  'docs',
  'health',
  'openapi.json',
  'reset',
  'tracks',
  'users',
]);

/** The Content-Security-Policy for the web app and /docs: scripts only from this origin, never inline. */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    // React and the chart set styles through the CSSOM (allowed); swagger-ui also writes style attributes.
    styleSrc: ["'self'", "'unsafe-inline'"],
  },
};

/**
 * Serves the built web app at `/`: its files (hashed assets cached for a year) and, through the
 * returned not-found fallback, index.html for any other page a browser navigates to, so client-side
 * routes survive a reload or a shared link. Without a build (e.g. running from source) the API runs
 * alone and the fallback is null.
 */
export async function registerWebUi(app: FastifyInstance, root: string): Promise<PageFallback | null> {
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) {
    app.log.info({ root }, 'no web app build found; serving the API only');
    return null;
  }
  const indexHtml = await readFile(indexPath, 'utf8');
  const sendApp = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml);
  await app.register(async (web) => {
    web.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await web.register(fastifyStatic, {
      root,
      // One route per built file, no catch-all: unknown paths still reach the not-found handler.
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        const hashed = path.startsWith(join(root, 'assets'));
        res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    web.get('/', (_request, reply) => sendApp(reply));
  });
  return (request, reply) => (isPageNavigation(request) ? sendApp(reply) : null);
}

/** Answers a request with the web app, or null when it is not a page navigation. */
export type PageFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | null;

/** A browser asking for a page (not an API client), outside the API's paths. */
export function isPageNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!String(request.headers.accept ?? '').includes('text/html')) return false;
  const firstSegment = request.url.split(/[/?#]/)[1] ?? '';
  return !API_ROOTS.has(firstSegment);
}
