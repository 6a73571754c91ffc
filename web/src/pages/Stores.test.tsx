import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem } from '../test/http';
import { renderApp } from '../test/render';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

function serve(stores: Store[], extra: Parameters<typeof installServer>[0] = {}) {
  const state = { stores, me: { ...me, stores_active: stores.length } };
  const server = installServer({
    'GET /info': { body: info },
    'GET /me': () => ({ body: state.me }),
    'GET /stores': () => ({ body: { items: state.stores } }),
    ...extra,
  });
  return { ...server, state };
}

const rowOf = (name: string) => screen.getByRole('article', { name });
/** The status badge of a row, as a screen reader reads it. */
const statusOf = (row: HTMLElement) => row.querySelector('[data-status] > span[data-status]')?.textContent ?? row.querySelector('span[data-status]')?.textContent;

describe('stores list', () => {
  it('invites the first store when there is none', async () => {
    serve([]);
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Launch your first store' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create your first store' })).toBeInTheDocument();
    expect(screen.getByText('0 of 5 stores')).toBeInTheDocument();
  });

  it('shows each store with status, reason, progress, link and age, and quota usage', async () => {
    const now = Date.now();
    serve([
      makeStore({ name: 'alpha', status: 'Provisioning', status_reason: 'Waiting for MariaDB to become ready', step: 'workloads', steps_done: 4, steps_total: 8, created_at: new Date(now - 130_000).toISOString() }),
      makeStore({ name: 'beta', status: 'Ready', status_reason: 'Checkout verified', url: 'http://beta-x.stores.localhost', steps_done: 8, created_at: new Date(now - 3 * 3600_000).toISOString() }),
      makeStore({ name: 'gamma', status: 'Failed', status_reason: 'image cannot be pulled: wordpress:bad', created_at: new Date(now - 86400_000 * 2).toISOString() }),
    ]);
    renderApp('/');
    const alpha = await screen.findByRole('article', { name: 'alpha' });
    expect(statusOf(alpha)).toBe('Status: Provisioning');
    expect(within(alpha).getByText('Waiting for MariaDB to become ready')).toBeInTheDocument();
    expect(within(alpha).getByText(/Step 5 of 8 · Starting the database and shop/)).toHaveTextContent(/2 min 1\d s elapsed/);
    expect(within(alpha).getByText('Not ready yet')).toBeInTheDocument();
    expect(within(alpha).getByText('2 min ago')).toBeInTheDocument();
    expect(within(alpha).getByRole('link', { name: 'alpha' })).toHaveAttribute('href', expect.stringMatching(/^\/stores\//));

    const beta = rowOf('beta');
    expect(within(beta).getByRole('link', { name: /Open storefront/ })).toHaveAttribute('href', 'http://beta-x.stores.localhost');
    expect(within(beta).queryByRole('progressbar')).toBeNull();
    expect(within(beta).getByText('3 h ago')).toBeInTheDocument();

    expect(statusOf(rowOf('gamma'))).toBe('Status: Failed');
    expect(within(rowOf('gamma')).getByText('2 days ago')).toBeInTheDocument();
    expect(screen.getByText('3 of 5 stores')).toBeInTheDocument();
  });

  it('renders a list of 500 stores without putting 500 rows in the page', async () => {
    const many = Array.from({ length: 500 }, (_, i) => makeStore({ name: `shop-${i}`, status: i % 7 === 0 ? 'Provisioning' : 'Ready' }));
    serve(many);
    // jsdom has no layout: give rows the height a browser would.
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.tagName === 'LI' ? 84 : 0;
    });
    const t0 = performance.now();
    renderApp('/');
    const list = await screen.findByRole('list', { name: 'Your stores' });
    const elapsed = performance.now() - t0;
    const rows = within(list).getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]).toHaveAttribute('aria-setsize', '500');
    expect(elapsed).toBeLessThan(5000);
  });

  it('shows a new store at once as Pending after creating it', async () => {
    const created = makeStore({ name: 'fresh-shop', status: 'Pending', status_reason: 'Queued', created_at: new Date().toISOString() });
    const { requests } = serve([], { 'POST /stores': { status: 202, body: created } });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create your first store' }));
    const dialog = screen.getByRole('dialog', { name: 'New store' });
    expect(within(dialog).getByLabelText('Store name')).toHaveFocus();
    await user.type(within(dialog).getByLabelText('Store name'), 'fresh-shop');
    await user.click(within(dialog).getByRole('button', { name: 'Create store' }));
    const row = await screen.findByRole('article', { name: 'fresh-shop' });
    expect(statusOf(row)).toBe('Status: Pending');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(requests.find((r) => r.method === 'POST')!.headers['idempotency-key']).toBeTruthy();
  });
});

describe('live updates', () => {
  it('applies `store` events from the stream to the row, and `store_gone` removes it', async () => {
    const s = makeStore({ name: 'live-shop', status: 'Provisioning', steps_done: 2, step: 'credentials' });
    serve([s]);
    renderApp('/');
    await screen.findByRole('article', { name: 'live-shop' });
    const es = FakeEventSource.latest();
    expect(es.url).toBe('/api/v1/events/stream');
    act(() => es.open());
    expect(await screen.findByText('Live')).toBeInTheDocument();

    act(() => es.emit('store', { ...s, status: 'Ready', status_reason: 'Checkout verified', url: 'http://live.example', updated_at: new Date().toISOString() }));
    const row = rowOf('live-shop');
    expect(statusOf(row)).toBe('Status: Ready');
    expect(within(row).getByRole('link', { name: /Open storefront/ })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Store live-shop is now Ready.'));

    act(() => es.emit('store_gone', { id: s.id }));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'live-shop' })).toBeNull());
  });

  it('fetches the list again when the server says the stream missed changes (`resync`)', async () => {
    const s = makeStore({ name: 'one', status: 'Ready' });
    const { state, requests } = serve([s]);
    renderApp('/');
    await screen.findByRole('article', { name: 'one' });
    act(() => FakeEventSource.latest().open());
    state.stores = [s, makeStore({ name: 'two', status: 'Pending', created_at: new Date().toISOString() })];
    const before = requests.filter((r) => r.path === '/stores').length;
    act(() => FakeEventSource.latest().emit('resync', { missed: 3 }));
    expect(await screen.findByRole('article', { name: 'two' })).toBeInTheDocument();
    expect(requests.filter((r) => r.path === '/stores').length).toBe(before + 1);
  });

  it('ignores malformed events', async () => {
    const s = makeStore({ name: 'steady', status: 'Ready' });
    serve([s]);
    renderApp('/');
    await screen.findByRole('article', { name: 'steady' });
    act(() => {
      FakeEventSource.latest().open();
      FakeEventSource.latest().emit('store', 'not json');
      FakeEventSource.latest().emit('store', { hello: 1 });
    });
    expect(statusOf(rowOf('steady'))).toBe('Status: Ready');
  });

  it('falls back to polling while the stream is down and a store is in progress', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const s = makeStore({ name: 'polled', status: 'Provisioning', steps_done: 1 });
    const { state, requests } = serve([s]);
    renderApp('/');
    await screen.findByRole('article', { name: 'polled' });
    act(() => FakeEventSource.latest().fail(true));
    state.stores = [{ ...s, status: 'Ready', url: 'http://polled.example', updated_at: new Date(Date.now() + 1000).toISOString() }];
    const listCallsBefore = requests.filter((r) => r.path === '/stores').length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(3500);
    });
    await waitFor(() => expect(statusOf(rowOf('polled'))).toBe('Status: Ready'));
    expect(requests.filter((r) => r.path === '/stores').length).toBeGreaterThan(listCallsBefore);
    // Nothing in progress any more: polling stops.
    const after = requests.filter((r) => r.path === '/stores').length;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_000);
    });
    expect(requests.filter((r) => r.path === '/stores').length).toBe(after);
  });

  it('reconnects a stream the browser gave up on', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    serve([makeStore({ status: 'Ready' })]);
    renderApp('/');
    await screen.findByRole('list', { name: 'Your stores' });
    const first = FakeEventSource.latest();
    act(() => first.fail(true));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2500);
    });
    expect(FakeEventSource.instances.length).toBeGreaterThanOrEqual(2);
    expect(FakeEventSource.latest()).not.toBe(first);
  });
});

describe('server unreachable', () => {
  it('shows a retrying banner instead of a blank page, and recovers by itself', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let down = false;
    const s = makeStore({ name: 'kept', status: 'Ready' });
    serve([s], {
      'GET /stores': () => (down ? 'network-error' : { body: { items: [s] } }),
      'GET /info': () => (down ? 'network-error' : { body: info }),
    });
    renderApp('/');
    await screen.findByRole('article', { name: 'kept' });
    down = true;
    act(() => document.dispatchEvent(new Event('visibilitychange')));
    const banner = await screen.findByText('Server unreachable — retrying.');
    expect(banner.closest('[role="alert"]')).toHaveTextContent(/Next attempt in \d+ s/);
    expect(screen.getByRole('article', { name: 'kept' })).toBeInTheDocument();
    down = false;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2500);
    });
    await waitFor(() => expect(screen.queryByText('Server unreachable — retrying.')).toBeNull());
  });

  it('says so at start when the server does not answer at all', async () => {
    installServer({ 'GET /info': 'network-error', 'GET /me': 'network-error' });
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Storefleet is not answering' })).toBeInTheDocument();
    expect(screen.getByText('Server unreachable — retrying.')).toBeInTheDocument();
  });
});

describe('errors', () => {
  it('shows an error with a retry when the list cannot be loaded', async () => {
    serve([], { 'GET /stores': problem(500, 'internal', 'boom') });
    renderApp('/');
    expect(await screen.findByText('Could not load this')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
