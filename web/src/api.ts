import { sessionStore } from './session';

export type ArtifactType = 'model' | 'dataset' | 'code';
export const ARTIFACT_TYPES: ArtifactType[] = ['model', 'dataset', 'code'];
export const ASPECTS = ['weights', 'datasets', 'code', 'docs'] as const;

export interface ArtifactMetadata {
  name: string;
  id: string;
  type: ArtifactType;
}

export interface Artifact {
  metadata: ArtifactMetadata;
  data: { url: string; download_url?: string };
}

export interface ArtifactDetails {
  version: string | null;
  size_bytes: number;
  sha256: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  file_count: number;
  aspects: Record<string, number>;
}

export type DeviceScores = Record<'raspberry_pi' | 'jetson_nano' | 'desktop_pc' | 'aws_server', number>;

export interface ExplainedRating {
  name: string;
  category: string;
  net_score: number;
  net_score_latency: number;
  size_score: DeviceScores;
  reasons: Record<string, string>;
  [metric: string]: unknown;
}

export interface LineageGraph {
  nodes: { artifact_id: string; name: string; source: string; metadata?: Record<string, unknown> }[];
  edges: { from_node_artifact_id: string; to_node_artifact_id: string; relationship: string }[];
}

export type ArtifactCost = Record<string, { standalone_cost?: number; total_cost: number }>;

export interface AuditEntry {
  user: { name: string; is_admin: boolean };
  date: string;
  artifact: ArtifactMetadata;
  action: string;
}

export interface GateFailure {
  metric: string;
  score: number;
  threshold: number;
  reason: string;
}

/** An answer other than 2xx, with the registry's `{error, message}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** A token to send instead of the session's (while a session is being set up). */
  token?: string;
}

/** Calls the registry's public API (same origin) with the session's token. */
export async function apiResponse(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = options.token ?? sessionStore.get()?.token;
  if (token) headers['x-authorization'] = token;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {}))
    if (value !== undefined) query.set(key, value);
  const response = await fetch(query.size > 0 ? `${path}?${query}` : path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await apiResponse(path, options);
  return (await response.json()) as T;
}

/**
 * Turns an error answer into an ApiError. A token the registry no longer accepts (expired, used up,
 * revoked) ends the session, so the app returns to sign-in with the registry's reason.
 */
export async function errorOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON (e.g. a proxy's page): keep the status line
  }
  const code = typeof body.error === 'string' ? body.error : `HTTP_${response.status}`;
  const message =
    typeof body.message === 'string' ? body.message : `The registry answered ${response.status}.`;
  if (code === 'AUTHENTICATION_FAILED' && sessionStore.get()) sessionStore.end(message);
  return new ApiError(response.status, code, message, body);
}

export function artifactPath(type: string, id: string): string {
  return `/${type}/${encodeURIComponent(id)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
