// A scripted stand-in for the server in component tests: routes "METHOD /path" to
// handlers and records every request, so tests assert on what the app sent.
import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | 'network-error';
export type Handler = (req: Recorded) => Reply | Promise<Reply>;

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status,
    body: { type: 'about:blank', title: code, status, code, detail, request_id: 'req-1', ...extra },
    headers: { 'content-type': 'application/problem+json', ...((extra.headers as Record<string, string>) ?? {}) },
  };
}

export function installServer(routes: Record<string, Handler | Reply>) {
  const requests: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/api\/v1/, '') + url.search;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init.headers as Record<string, string>) ?? {})) headers[k.toLowerCase()] = v;
    const req: Recorded = { method, path, headers, body: init.body ? JSON.parse(String(init.body)) : undefined };
    requests.push(req);
    const key = `${method} ${path}`;
    const route = routes[key] ?? routes[`${method} ${url.pathname.replace(/^\/api\/v1/, '')}`];
    if (!route) return new Response(JSON.stringify({ status: 404, code: 'not_found', detail: `no route ${key}` }), { status: 404, headers: { 'content-type': 'application/problem+json' } });
    const reply = typeof route === 'function' ? await route(req) : route;
    if (reply === 'network-error') throw new TypeError('Failed to fetch');
    const status = reply.status ?? 200;
    const body = reply.body === undefined || status === 204 ? null : JSON.stringify(reply.body);
    return new Response(body, { status, headers: { 'content-type': 'application/json', ...reply.headers } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, fetchMock, routes };
}

/** A controllable EventSource: tests open it, push events and break it. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  private listeners = new Map<string, Array<(ev: MessageEvent) => void>>();
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  emit(type: string, data: unknown) {
    const ev = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
  fail(permanently: boolean) {
    this.readyState = permanently ? 2 : 0;
    this.onerror?.(new Event('error'));
  }
  static latest(): FakeEventSource {
    const es = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!es) throw new Error('no EventSource was opened');
    return es;
  }
  static reset() {
    FakeEventSource.instances = [];
  }
}
