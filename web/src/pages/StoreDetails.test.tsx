import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem } from '../test/http';
import { renderApp } from '../test/render';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

function serve(store: Store, extra: Parameters<typeof installServer>[0] = {}) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: me },
    'GET /stores': { body: { items: [store] } },
    [`GET /stores/${store.id}`]: { body: store },
    [`GET /stores/${store.id}/events`]: {
      body: {
        items: [
          { at: '2025-01-01T12:00:00Z', level: 'info', step: 'namespace', message: 'Namespace created' },
          { at: '2025-01-01T12:00:04Z', level: 'warning', step: 'workloads', message: 'mariadb-0 waiting: PVC pending' },
          { at: '2025-01-01T12:01:10Z', level: 'info', step: 'ready', message: 'Store is ready' },
        ],
      },
    },
    [`GET /stores/${store.id}/health`]: {
      body: { healthy: false, checked_at: '2025-01-01T12:05:00Z', components: [{ name: 'mariadb', ready: true }, { name: 'wordpress', ready: false, message: '0/1 pods ready' }] },
    },
    ...extra,
  });
}

describe('store details', () => {
  it('shows URLs, engine, namespace, timeline with levels and durations, and health', async () => {
    const s = makeStore({ name: 'acme', status: 'Ready', url: 'http://acme.stores.localhost', admin_url: 'http://acme.stores.localhost/wp-admin', namespace: 'store-acme1', ready_at: '2025-01-01T12:01:10Z' });
    serve(s);
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByRole('heading', { name: 'acme', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'http://acme.stores.localhost/wp-admin' })).toBeInTheDocument();
    expect(screen.getByText('WooCommerce')).toBeInTheDocument();
    expect(screen.getByText('store-acme1')).toBeInTheDocument();
    const timeline = await screen.findByRole('list', { name: /Provisioning events/ });
    const items = within(timeline).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('took 4 s');
    expect(items[1]).toHaveTextContent('Warning');
    expect(items[1]).toHaveTextContent('took 1 min 6 s');
    const health = await screen.findByRole('list', { name: 'Components' });
    expect(health).toHaveTextContent('wordpress — not ready');
    expect(health).toHaveTextContent('0/1 pods ready');
    expect(screen.getByText('Some components are not ready')).toBeInTheDocument();
  });

  it('uses the step durations the server reports', async () => {
    const s = makeStore({ name: 'timed', status: 'Ready' });
    serve(s, {
      [`GET /stores/${s.id}/events`]: {
        body: {
          items: [
            { at: '2025-01-01T12:00:00Z', level: 'info', step: 'namespace', message: 'Namespace created', duration_ms: 1500 },
            { at: '2025-01-01T12:00:09Z', level: 'error', step: 'release', message: 'helm: timed out', duration_ms: 125_000 },
            { at: '2025-01-01T12:03:00Z', level: 'info', step: null, message: 'Retry requested' },
          ],
        },
      },
    });
    renderApp(`/stores/${s.id}`);
    const items = within(await screen.findByRole('list', { name: /Provisioning events/ })).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('took 1 s');
    expect(items[1]).toHaveTextContent('Error');
    expect(items[1]).toHaveTextContent('took 2 min 5 s');
    expect(items[2]).not.toHaveTextContent('took');
  });

  it('reveals credentials on request, with copy buttons and a reminder to change the password', async () => {
    const s = makeStore({ name: 'acme', status: 'Ready' });
    const { requests } = serve(s, {
      [`GET /stores/${s.id}/credentials`]: { body: { admin_url: 'http://acme/wp-admin', username: 'admin', password: 's3cret-Pa55' } },
    });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup(); // also gives the page a clipboard to write to
    await user.click(await screen.findByRole('button', { name: 'Reveal credentials' }));
    expect(await screen.findByText('s3cret-Pa55')).toBeInTheDocument();
    expect(requests.filter((r) => r.path.endsWith('/credentials'))).toHaveLength(1);
    expect(screen.getByText('Change this password')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Copy password' }));
    expect(await navigator.clipboard.readText()).toBe('s3cret-Pa55');
    expect(screen.getByRole('button', { name: 'Copy password' })).toHaveTextContent('Copied');
  });

  it('offers no credentials before the store is Ready', async () => {
    const s = makeStore({ name: 'acme', status: 'Provisioning', steps_done: 2 });
    serve(s);
    renderApp(`/stores/${s.id}`);
    await screen.findByRole('heading', { name: 'acme', level: 1 });
    expect(screen.queryByRole('button', { name: 'Reveal credentials' })).toBeNull();
    expect(screen.getByRole('progressbar')).toBeInTheDocument();
  });

  it('retries a failed store', async () => {
    const s = makeStore({ name: 'broken', status: 'Failed', status_reason: 'image cannot be pulled: wordpress:nope' });
    const { requests } = serve(s, { [`POST /stores/${s.id}/retry`]: { status: 202, body: { ...s, status: 'Provisioning', status_reason: 'Retrying', updated_at: new Date().toISOString() } } });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    expect(await screen.findByText('Provisioning failed')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry provisioning' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Retry provisioning' })).toBeNull());
    expect(requests.some((r) => r.method === 'POST' && r.path.endsWith('/retry'))).toBe(true);
  });

  it('says when a store is not yours (403) or does not exist (404)', async () => {
    const s = makeStore();
    serve(s, { 'GET /stores/other': problem(403, 'forbidden', 'not yours'), 'GET /stores/nope': problem(404, 'not_found', 'no such store') });
    const { unmount } = renderApp('/stores/other');
    expect(await screen.findByText('Not your store')).toBeInTheDocument();
    unmount();
    renderApp('/stores/nope');
    expect(await screen.findByText('Store not found')).toBeInTheDocument();
  });

  it('follows a deletion until the store is gone', async () => {
    const s = makeStore({ name: 'doomed', status: 'Deleting' });
    serve(s);
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByText(/is being removed/)).toBeInTheDocument();
    act(() => {
      FakeEventSource.latest().open();
      FakeEventSource.latest().emit('store_gone', { id: s.id });
    });
    expect(await screen.findByText('doomed has been deleted')).toBeInTheDocument();
  });
});
