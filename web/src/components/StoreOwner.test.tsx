// Admins looking at another user's store: the owner is shown, the breadcrumb and a
// finished delete lead to "All stores"; owners see none of that on their own stores.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me, Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem } from '../test/http';
import { renderApp } from '../test/render';
import { isOthersStore, storeListFor } from './StoreOwner';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const admin: Me = { ...me, id: 'a1', email: 'admin@example.com', role: 'admin' };

function serve(who: Me, store: Store) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: who },
    'GET /stores': { body: { items: who.id === store.owner_id ? [store] : [] } },
    'GET /stores?all=true': () => ({ body: { items: [store] } }),
    [`GET /stores/${store.id}`]: { body: store },
    [`GET /stores/${store.id}/events`]: { body: { items: [] } },
    [`GET /stores/${store.id}/health`]: problem(404, 'not_found', 'no health'),
    [`DELETE /stores/${store.id}`]: { status: 202, body: { ...store, status: 'Deleting' } },
  });
}

describe('store owner for admins', () => {
  it('knows whose store it is', () => {
    expect(isOthersStore({ owner_id: 'u2' }, admin)).toBe(true);
    expect(isOthersStore({ owner_id: 'a1' }, admin)).toBe(false);
    expect(isOthersStore({ owner_id: 'u2' }, me)).toBe(false);
    expect(storeListFor({ owner_id: 'u2' }, admin)).toEqual({ to: '/admin/stores', label: 'All stores' });
    expect(storeListFor({ owner_id: 'u1' }, me)).toEqual({ to: '/', label: 'Stores' });
  });

  it("shows the owner, leads back to All stores, and lands there after deleting another user's store", async () => {
    const s = makeStore({ name: 'bobs-shop', owner_id: 'u2', owner_email: 'bob@example.com', status: 'Ready', status_reason: 'Ready' });
    serve(admin, s);
    renderApp(`/stores/${s.id}`);
    expect(await screen.findByTestId('store-owner')).toHaveTextContent('Owner: bob@example.com');
    const crumbs = screen.getByRole('navigation', { name: 'Breadcrumb' });
    expect(within(crumbs).getByRole('link', { name: 'All stores' })).toHaveAttribute('href', '/admin/stores');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete…' }));
    const dialog = await screen.findByRole('alertdialog');
    await user.type(within(dialog).getByLabelText(/to confirm/), 'bobs-shop');
    await user.click(within(dialog).getByRole('button', { name: 'Delete store' }));
    expect(await screen.findByRole('heading', { name: 'All stores' }, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByText('Deleting bobs-shop')).toBeInTheDocument();
    expect(screen.queryByText('Launch your first store')).toBeNull();
    expect(screen.getByTestId('location')).toHaveTextContent('/admin/stores');
  });

  it('shows no owner line on your own store, and the breadcrumb goes to your stores', async () => {
    const s = makeStore({ name: 'mine', status: 'Ready', status_reason: 'Ready' });
    serve(me, s);
    renderApp(`/stores/${s.id}`);
    const crumbs = await screen.findByRole('navigation', { name: 'Breadcrumb' });
    expect(within(crumbs).getByRole('link', { name: 'Stores' })).toHaveAttribute('href', '/');
    expect(screen.queryByTestId('store-owner')).toBeNull();
  });
});
