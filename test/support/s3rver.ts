import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** The slice of s3rver's (untyped, CommonJS) API used here. */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
  store: S3rverStore;
}
interface S3rverStore {
  getObject(
    bucket: string,
    key: string,
    range?: { start?: number; end?: number },
  ): Promise<S3rverObject | null>;
  getResourcePath(bucket: string, key: string, resource: 'object' | 'object.md5' | 'metadata.json'): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}
interface S3rverObject {
  content: Readable | null;
  range?: { start: number; end: number };
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** s3rver accepts only these keys unless told otherwise. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3rver {
  endpoint: string;
  bucket: string;
  credentials: typeof S3RVER_CREDENTIALS;
  /** Stops listening and drops open connections, keeping the stored objects. */
  stop(): Promise<void>;
  /** Starts again on the same port over the same directory. */
  start(): Promise<void>;
  /** Stops if running and deletes the temporary directory. */
  dispose(): Promise<void>;
}

export interface S3rverOptions {
  bucket?: string;
  /** 0 (the default) picks a free port; restarts reuse whichever port was bound. */
  port?: number;
  /** Kept on dispose when given; by default a temporary directory that dispose deletes. */
  directory?: string;
}

/** Starts a real S3-protocol server on 127.0.0.1, its bucket already created. */
export async function startS3rver(options: S3rverOptions = {}): Promise<RunningS3rver> {
  const bucket = options.bucket ?? 'modelguard-test';
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'mg-s3rver-')));
  await mkdir(directory, { recursive: true });
  let port = options.port ?? 0;
  let server: S3rverInstance | null = null;

  // A fresh instance per start: s3rver closes its logger when its HTTP server closes.
  const start = async () => {
    if (server) return;
    const instance = new S3rver({
      port,
      address: '127.0.0.1',
      directory,
      silent: true,
      configureBuckets: [{ name: bucket }],
    });
    // Innermost first: the range patch replaces (and destroys) the streams this one watches.
    surviveObjectsDeletedWhileOpening(instance.store);
    keepFoldersWhenDeleting(instance.store);
    readFirstByteRangeExactly(instance.store);
    ({ port } = await instance.run());
    server = instance;
  };

  const stop = async () => {
    if (!server) return;
    const closing = server.close();
    // close() alone waits for keep-alive sockets, so a client would still see a live server.
    server.httpServer?.closeAllConnections();
    await closing;
    server = null;
  };

  await start();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: S3RVER_CREDENTIALS,
    start,
    stop,
    dispose: async () => {
      await stop();
      if (options.directory === undefined) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver 3.7 parses `Range: bytes=0-0` as `end || Infinity` and serves the whole object, where
 * S3 serves one byte. Patch its store so the first-byte case behaves like S3.
 */
function readFirstByteRangeExactly(store: S3rverStore): void {
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, range) => {
    if (range?.start !== 0 || range.end !== 0) return getObject(bucket, key, range);
    const object = await getObject(bucket, key, { start: 0 });
    if (object?.content) {
      object.content.destroy();
      object.content = createReadStream(store.getResourcePath(bucket, key, 'object'), { start: 0, end: 0 });
      object.content.on('error', () => {}); // as surviveObjectsDeletedWhileOpening does
      object.range = { start: 0, end: 0 };
    }
    return object;
  };
}

/**
 * s3rver 3.7 opens an object's file lazily and, for a HEAD, never consumes or watches that stream:
 * when the object is deleted in between (a reset racing uploads), the open fails with ENOENT as an
 * uncaught exception that takes down the test process. S3 itself just answers; so an error
 * listener is attached to every object stream (a GET's response still sees and reports the error).
 */
function surviveObjectsDeletedWhileOpening(store: S3rverStore): void {
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, range) => {
    const object = await getObject(bucket, key, range);
    object?.content?.on('error', () => {});
    return object;
  };
}

/**
 * s3rver 3.7 removes a key's folders once they are empty after a delete. A put racing that delete
 * (a reset racing uploads) creates the folder, sees it removed, and its unwatched write stream's
 * ENOENT is an uncaught exception. S3 has no folders to lose, so deletes here leave them be.
 */
function keepFoldersWhenDeleting(store: S3rverStore): void {
  store.deleteObject = async (bucket, key) => {
    const files = (['object', 'object.md5', 'metadata.json'] as const).map((resource) =>
      store.getResourcePath(bucket, key, resource),
    );
    await Promise.all(
      files.map((file) =>
        unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
  };
}
