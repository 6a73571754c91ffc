// The store page's new sections (issue 13): display name and rename, the versions line,
// resource use per component with the quota, and recent Kubernetes events in words.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store, StoreResources } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem, type Handler, type Reply } from '../test/http';
import { renderApp } from '../test/render';

// The page is loaded lazily; load it once up front so that a busy machine does not spend
// the first test's wait on compiling it.
beforeAll(async () => {
  await import('./StoreDetails');
}, 60_000);
beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const MI = 1024 * 1024;

const resources: StoreResources = {
  checked_at: '2025-01-01T12:05:00Z',
  components: [
    {
      component: 'mariadb',
      pods: 1,
      requests: { cpu_millicores: 100, memory_bytes: 256 * MI },
      limits: { cpu_millicores: 500, memory_bytes: 512 * MI },
      usage: { cpu_millicores: 12, memory_bytes: 460 * MI },
    },
    {
      component: 'wordpress',
      pods: 2,
      requests: { cpu_millicores: 200, memory_bytes: 256 * MI },
      limits: { cpu_millicores: 1000, memory_bytes: 1024 * MI },
      usage: null,
    },
  ],
  quota: [
    { quota: 'store-quota', resource: 'requests.cpu', used: '300m', hard: '2', used_value: 300, hard_value: 2000, unit: 'millicores' },
    { quota: 'store-quota', resource: 'limits.memory', used: '1536Mi', hard: '2Gi', used_value: 1536 * MI, hard_value: 2048 * MI, unit: 'bytes' },
    { quota: 'store-quota', resource: 'pods', used: '3', hard: '8', used_value: 3, hard_value: 8, unit: 'count' },
  ],
  usage_unavailable_reason: null,
  versions: [
    { component: 'wordpress', product: 'WordPress', version: '6.8.3', source: 'image docker.io/library/wordpress:6.8.3-php8.3-apache' },
    { component: 'setup', product: 'WooCommerce', version: '10.6.1', source: 'installed from wordpress.org by the setup job' },
    { component: 'mariadb', product: 'MariaDB', version: '11.4.7', source: 'image docker.io/library/mariadb:11.4.7' },
  ],
  events: [
    {
      at: '2025-01-01T12:04:00Z',
      warning: true,
      words: 'The WordPress web server is not ready to answer visitors yet (health check failing)',
      reason: 'Unhealthy',
      object: 'Pod/shop-wordpress-0',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
      count: 3,
    },
    { at: '2025-01-01T12:01:00Z', warning: false, words: 'The database was given a place on a server', reason: 'Scheduled', object: 'Pod/shop-mariadb-0', message: 'Successfully assigned store-x/shop-mariadb-0 to kwok-node-1', count: 1 },
  ],
};

function serve(store: Store, extra: Record<string, Handler | Reply> = {}) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: me },
    'GET /stores': { body: { items: [store] } },
    [`GET /stores/${store.id}`]: { body: store },
    [`GET /stores/${store.id}/events`]: { body: { items: [] } },
    [`GET /stores/${store.id}/health`]: { body: { healthy: true, checked_at: '2025-01-01T12:05:00Z', components: [] } },
    [`GET /stores/${store.id}/resources`]: { body: resources },
    ...extra,
  });
}

const ready = (over: Partial<Store> = {}) =>
  makeStore({ name: 'corner-shop', display_name: 'Corner Café', status: 'Ready', status_reason: 'Ready', ready_at: '2025-01-01T12:03:00Z', checkout_verified: true, ...over });

describe('store page: display name, versions, resources, cluster events', () => {
  it('titles the page with the display name and shows the address name beneath', async () => {
    const s = ready();
    serve(s);
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Corner Café' })).toBeInTheDocument();
    expect(screen.getByTestId('address-name')).toHaveTextContent('corner-shop');
    expect(screen.getByRole('navigation', { name: 'Breadcrumb' })).toHaveTextContent('Corner Café');
    await waitFor(() => expect(document.title).toBe('Corner Café · Storefleet'));
  });

  it('shows the versions the store runs in one line', async () => {
    const s = ready();
    serve(s);
    renderApp(`/stores/${s.id}`);
    const line = await screen.findByTestId('store-versions');
    expect(line).toHaveTextContent('Runs WordPress 6.8.3 · WooCommerce 10.6.1 · MariaDB 11.4.7');
    expect(within(line).getByText(/WooCommerce/)).toHaveAttribute('title', 'From the installed from wordpress.org by the setup job');
  });

  it('shows requests, limits and usage per component, and the quota, with labelled meters', async () => {
    const s = ready();
    serve(s);
    renderApp(`/stores/${s.id}`);
    const card = await screen.findByTestId('store-resources');
    const maria = await within(card).findByText((_, el) => el?.getAttribute('data-component') === 'mariadb');
    expect(maria).toHaveTextContent('mariadb · 1 pod');
    expect(maria).toHaveTextContent('reserved 100m CPU · limit 500m CPU');
    expect(maria).toHaveTextContent('reserved 256 MiB · limit 512 MiB');
    const memory = within(card).getByRole('meter', { name: 'mariadb memory in use' });
    expect(memory).toHaveAttribute('aria-valuetext', '460 MiB of 512 MiB limit (90 %)');
    // Near the limit shows amber.
    expect(memory.firstElementChild!.className).toMatch(/bg-amber-500/);
    const wp = card.querySelector('[data-component="wordpress"]')!;
    expect(wp).toHaveTextContent('2 pods');
    expect(wp).toHaveTextContent('no sample yet');
    const quota = within(card).getByRole('list', { name: 'Quota' });
    expect(quota).toHaveTextContent('CPU reserved300m CPU of 2 CPU');
    expect(quota).toHaveTextContent('Memory limit1.5 GiB of 2 GiB');
    expect(quota).toHaveTextContent('Pods3 of 8');
    expect(within(quota).getByRole('meter', { name: 'CPU reserved used of quota' })).toHaveAttribute('aria-valuenow', '300');
  });

  it('says why usage is missing where the cluster has no metrics', async () => {
    const s = ready();
    serve(s, {
      [`GET /stores/${s.id}/resources`]: {
        body: { ...resources, usage_unavailable_reason: 'The cluster does not serve the metrics API (metrics.k8s.io).', components: resources.components.map((c) => ({ ...c, usage: null })) },
      },
    });
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByTestId('usage-unavailable')).toHaveTextContent('Live usage is not shown: The cluster does not serve the metrics API');
    expect(screen.getByTestId('store-resources').querySelectorAll('[role="meter"]')).toHaveLength(3); // the quota's only
    expect(screen.getAllByText('usage not available').length).toBeGreaterThan(0);
  });

  it('tells recent cluster events in words with the raw reason behind a disclosure', async () => {
    const s = ready();
    serve(s);
    renderApp(`/stores/${s.id}`);
    const list = await screen.findByRole('list', { name: 'Recent activity, newest first' });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('The WordPress web server is not ready to answer visitors yet');
    expect(items[0]).toHaveTextContent('Warning');
    expect(items[0]).toHaveTextContent('3 times');
    const details = items[0]!.querySelector('details')!;
    expect(details).not.toHaveAttribute('open');
    expect(within(details).getByText('For operators')).toBeInTheDocument();
    expect(details).toHaveTextContent('Unhealthy on Pod/shop-wordpress-0: Readiness probe failed');
    const user = userEvent.setup();
    await user.click(within(details).getByText('For operators'));
    expect(details).toHaveAttribute('open');
    expect(items[1]).toHaveTextContent('The database was given a place on a server');
  });

  it('says the cluster cannot be reached (503) without breaking the page', async () => {
    const s = ready();
    serve(s, { [`GET /stores/${s.id}/resources`]: problem(503, 'unavailable', 'the Kubernetes cluster is unreachable: no answer from https://127.0.0.1:6443') });
    renderApp(`/stores/${s.id}`);
    const card = await screen.findByTestId('store-resources');
    expect(await within(card).findByText(/The cluster cannot be reached right now/)).toHaveTextContent('127.0.0.1:6443');
    expect(screen.queryByTestId('store-versions')).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: 'Corner Café' })).toBeInTheDocument();
  });

  it('reads resources again on Refresh, not on a timer', async () => {
    const s = ready();
    const { requests } = serve(s);
    renderApp(`/stores/${s.id}`);
    await screen.findByTestId('store-versions');
    const count = () => requests.filter((r) => r.path.endsWith('/resources')).length;
    expect(count()).toBe(1);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Refresh resources' }));
    await waitFor(() => expect(count()).toBe(2));
  });

  it('does not read the cluster for a Pending store, and says when resources will show', async () => {
    const s = ready({ status: 'Pending', status_reason: 'Waiting for a worker', ready_at: null, checkout_verified: null });
    const { requests } = serve(s);
    renderApp(`/stores/${s.id}`);
    const card = await screen.findByTestId('store-resources');
    expect(within(card).getByText(/Its resources show here once provisioning starts/)).toBeInTheDocument();
    expect(within(card).queryByRole('button', { name: 'Refresh resources' })).toBeNull();
    expect(requests.filter((r) => r.path.endsWith('/resources'))).toHaveLength(0);
  });

  it('marks the store not verified from its checkout_verified field', async () => {
    const s = ready({ checkout_verified: false });
    serve(s);
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByText('Ready · checkout not verified')).toBeInTheDocument();
  });
});

describe('rename', () => {
  it('renames by keyboard, sends the trimmed name, and announces it', async () => {
    const s = ready({ display_name: null });
    const { requests } = serve(s, {
      [`PATCH /stores/${s.id}`]: (req) => ({ body: { ...s, display_name: (req.body as { display_name: string }).display_name, updated_at: new Date().toISOString() } }),
    });
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'corner-shop' })).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Rename…' }));
    const dialog = screen.getByRole('dialog', { name: 'Rename corner-shop' });
    expect(dialog).toHaveAccessibleDescription(/address name “corner-shop” stays/);
    const input = within(dialog).getByLabelText('Display name');
    expect(input).toHaveFocus();
    await user.type(input, '  Corner Café  {Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ display_name: 'Corner Café' });
    expect(screen.getByRole('heading', { level: 1, name: 'Corner Café' })).toBeInTheDocument();
    expect(screen.getByTestId('address-name')).toHaveTextContent('corner-shop');
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Store renamed to Corner Café.'));
  });

  it('removes the display name when saved empty, and shows the server’s field error', async () => {
    const s = ready();
    let calls = 0;
    const { requests } = serve(s, {
      [`PATCH /stores/${s.id}`]: (req) => {
        calls += 1;
        if (calls === 1) return problem(422, 'validation_failed', 'invalid', { field_errors: { display_name: ['must not contain control characters (found U+0007)'] } });
        return { body: { ...s, display_name: (req.body as { display_name: string | null }).display_name } };
      },
    });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rename…' }));
    const input = screen.getByLabelText('Display name');
    expect(input).toHaveValue('Corner Café');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    expect(await screen.findByText('must not contain control characters (found U+0007)')).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    await user.clear(input);
    expect(screen.getByText(/Saving an empty name removes the display name/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ display_name: 'Corner Café' }, { display_name: null }]);
    expect(screen.getByRole('heading', { level: 1, name: 'corner-shop' })).toBeInTheDocument();
  });

  it('refuses a name that is too long before asking the server', async () => {
    const s = ready({ display_name: null });
    const { requests } = serve(s);
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rename…' }));
    await user.type(screen.getByLabelText('Display name'), `${'x'.repeat(81)}{Enter}`);
    expect(await screen.findByText('At most 80 characters (this has 81).')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});
