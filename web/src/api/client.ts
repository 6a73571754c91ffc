// The one door to the HTTP API: same-origin fetch with the session cookie, problem+json
// errors turned into ApiError, 401s reported to the session, network failures to the
// connection monitor.
import type { Problem } from './types';
import { reportReachable, reportUnreachable } from './connection';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly fieldErrors: Record<string, string[]>;
  /** Seconds from the Retry-After header, when present. */
  readonly retryAfter: number | null;
  readonly requestId: string | undefined;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `Request failed (${problem.status})`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.fieldErrors = problem.field_errors ?? {};
    this.retryAfter = retryAfter;
    this.requestId = problem.request_id ?? undefined;
  }

  get isNetwork(): boolean {
    return this.code === 'network';
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** The session registers here; called when any request answers 401 `unauthorized`. */
export function setUnauthorizedHandler(h: UnauthorizedHandler | null): void {
  onUnauthorized = h;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Set false where a 401 is an expected answer (sign-in, the session check). */
  reportUnauthorized?: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

async function readProblem(res: Response): Promise<Problem> {
  let body: Partial<Problem> = {};
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      body = (await res.json()) as Partial<Problem>;
    } catch {
      body = {};
    }
  }
  return {
    ...body,
    status: res.status,
    code: typeof body.code === 'string' ? body.code : (CODE_BY_STATUS[res.status] ?? 'error'),
  };
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    reportUnreachable();
    throw new ApiError({ status: 0, code: 'network', detail: 'The Storefleet server could not be reached.' });
  }
  if (res.status >= 502 && res.status <= 504) {
    reportUnreachable();
  } else {
    reportReachable();
  }
  if (!res.ok) {
    const problem = await readProblem(res);
    if (res.status === 401 && problem.code === 'unauthorized' && opts.reportUnauthorized !== false) {
      onUnauthorized?.();
    }
    // From the body only as a number: a proxy's error page may carry anything.
    const bodyRetry: unknown = problem.retry_after;
    throw new ApiError(problem, parseRetryAfter(res.headers.get('retry-after')) ?? (typeof bodyRetry === 'number' ? bodyRetry : null));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

/** A sentence for people, from any error. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isNetwork) return 'The Storefleet server could not be reached. Check your connection; we keep retrying.';
    if (err.status >= 500) {
      return `The server ran into a problem${err.requestId ? ` (request ${err.requestId})` : ''}. Please try again.`;
    }
    return err.detail || err.message;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
