import { afterEach, describe, expect, it, vi } from 'vitest';
import { installServer, problem } from '../test/http';
import { api, ApiError, parseRetryAfter, setUnauthorizedHandler } from './client';
import { getConnectionState } from './connection';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('api client', () => {
  it('sends same-origin JSON requests under /api/v1', async () => {
    const { fetchMock } = installServer({ 'POST /stores': { status: 202, body: { id: 'x' } } });
    await api.post('/stores', { name: 'abc' }, { headers: { 'Idempotency-Key': 'k1' } });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/v1/stores');
    expect(init?.credentials).toBe('same-origin');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect((init?.headers as Record<string, string>)['Idempotency-Key']).toBe('k1');
  });

  it('turns problem+json into ApiError with code, field errors and Retry-After', async () => {
    installServer({
      'POST /stores': problem(429, 'rate_limited', 'slow down', { headers: { 'retry-after': '17' } }),
      'GET /x': problem(422, 'validation_failed', 'name: bad', { field_errors: { name: ['must be 3-63 characters'] } }),
    });
    const e1 = await api.post('/stores', {}).then(() => { throw new Error('expected a failure'); }, (e: ApiError) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect(e1.code).toBe('rate_limited');
    expect(e1.retryAfter).toBe(17);
    const e2 = await api.get('/x').then(() => { throw new Error('expected a failure'); }, (e: ApiError) => e);
    expect(e2.fieldErrors).toEqual({ name: ['must be 3-63 characters'] });
  });

  it('reads retry_after from the body when the header is missing', async () => {
    installServer({ 'POST /stores': problem(429, 'rate_limited', 'slow down', { retry_after: 9 }) });
    const e = await api.post('/stores', {}).then(() => { throw new Error('expected a failure'); }, (err: ApiError) => err);
    expect(e.retryAfter).toBe(9);
  });

  it('falls back to a code from the status when the body is not a problem', async () => {
    installServer({ 'GET /y': { status: 404, body: 'nope', headers: { 'content-type': 'text/plain' } } });
    const e = await api.get('/y').then(() => { throw new Error('expected a failure'); }, (e: ApiError) => e);
    expect(e.code).toBe('not_found');
  });

  it('reports 401 unauthorized to the session unless told not to', async () => {
    installServer({ 'GET /stores': problem(401, 'unauthorized', 'no session'), 'POST /auth/login': problem(401, 'invalid_credentials', 'no') });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    await api.get('/stores').catch(() => {});
    expect(handler).toHaveBeenCalledTimes(1);
    await api.post('/auth/login', {}, { reportUnauthorized: false }).catch(() => {});
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('marks the server unreachable on a network failure', async () => {
    installServer({ 'GET /stores': 'network-error' });
    const e = await api.get('/stores').then(() => { throw new Error('expected a failure'); }, (e: ApiError) => e);
    expect(e.code).toBe('network');
    expect(getConnectionState().reachable).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
