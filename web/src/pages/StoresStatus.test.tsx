// Issue 13: the list says each status once, shows "checkout not verified", drops the
// "on its way" banner once the store is Ready, counts stores being set up against the
// quota, confirms a delete, keeps the focus ring inside rows, and does not carry
// announcements from one session into the next.
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

describe('store list status (issue 13)', () => {
  it('says Ready once and marks a store whose checkout was not verified, from the store itself', async () => {
    const plain = makeStore({ name: 'plain', status: 'Ready', status_reason: 'Ready', url: 'http://p.stores.localhost', ready_at: '2025-01-01T12:00:00Z', checkout_verified: true });
    const skipped = makeStore({ name: 'skipped', status: 'Ready', status_reason: 'Ready', url: 'http://s.stores.localhost', ready_at: '2025-01-01T12:00:00Z', checkout_verified: false });
    const building = makeStore({ name: 'building', status: 'Provisioning', checkout_verified: null });
    const server = installServer({
      'GET /info': { body: info },
      'GET /me': { body: { ...me, stores_active: 3 } },
      'GET /stores': { body: { items: [plain, skipped, building] } },
    });
    renderApp('/');
    const row = await screen.findByRole('article', { name: 'skipped' });
    expect(row.querySelector('[data-checkout="not-verified"]')).toHaveTextContent('checkout not verified');
    expect(row).not.toHaveTextContent(/ReadyReady/);
    expect(within(row).getAllByText(/^Ready$/)).toHaveLength(1);
    const plainRow = screen.getByRole('article', { name: 'plain' });
    expect(plainRow.querySelector('[data-checkout]')).toBeNull();
    expect(within(plainRow).getAllByText(/^Ready$/)).toHaveLength(1);
    expect(screen.getByRole('article', { name: 'building' }).querySelector('[data-checkout]')).toBeNull();
    // The list no longer reads each store's events to find out.
    expect(server.requests.filter((r) => r.path.endsWith('/events'))).toEqual([]);
  });

  it('draws the store link’s focus ring inside the row, where nothing clips it', async () => {
    const s = makeStore({ name: 'focusme', status: 'Pending' });
    installServer({ 'GET /info': { body: info }, 'GET /me': { body: me }, 'GET /stores': { body: { items: [s] } } });
    renderApp('/');
    const link = await screen.findByRole('link', { name: 'focusme' });
    expect(link).toHaveAttribute('data-focus-ring', 'inset');
    expect(link.className).toMatch(/focus-visible:-outline-offset-2/);
    expect(link.className).toMatch(/focus-visible:outline-2/);
    // The heading around it no longer truncates (and clips) it; the link itself does.
    expect(link.parentElement!.className).not.toMatch(/truncate/);
    const user = userEvent.setup();
    await user.tab();
    for (let i = 0; i < 20 && document.activeElement !== link; i++) await user.tab();
    expect(link).toHaveFocus();
  });

  it('counts a store being set up against the quota, and drops the banner once it is Ready', async () => {
    const created = makeStore({ name: 'first', status: 'Pending' });
    const state = { stores: [] as Store[] };
    installServer({
      'GET /info': { body: info },
      // /me still says 0: the count comes from the stores that exist.
      'GET /me': { body: { ...me, stores_active: 0 } },
      'GET /stores': () => ({ body: { items: state.stores } }),
      'POST /stores': () => {
        state.stores = [created];
        return { status: 202, body: created };
      },
      [`GET /stores/${created.id}/events`]: { body: { items: [] } },
    });
    renderApp('/');
    await screen.findByText('0 of 5 stores');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create your first store' }));
    await user.type(await screen.findByLabelText('Store name'), 'first');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    expect(await screen.findByText('first is on its way')).toBeInTheDocument();
    expect(screen.getByText('1 of 5 stores')).toBeInTheDocument();

    const es = FakeEventSource.latest();
    act(() => es.open());
    act(() => es.emit('store', { ...created, status: 'Provisioning', step: 'namespace', steps_done: 1 }));
    expect(screen.getByText('first is on its way')).toBeInTheDocument();
    act(() => es.emit('store', { ...created, status: 'Ready', status_reason: 'Ready', steps_done: 8, url: 'http://f.stores.localhost', ready_at: '2025-01-01T12:00:00Z', updated_at: '2025-01-01T12:10:00Z' }));
    await waitFor(() => expect(screen.queryByText('first is on its way')).toBeNull());
    expect(screen.getByText('1 of 5 stores')).toBeInTheDocument();
  });

  it('confirms a delete on the list it returns to', async () => {
    const s = makeStore({ name: 'doomed', status: 'Ready', status_reason: 'Ready' });
    const state = { stores: [s] };
    installServer({
      'GET /info': { body: info },
      'GET /me': { body: { ...me, stores_active: 1 } },
      'GET /stores': () => ({ body: { items: state.stores } }),
      [`GET /stores/${s.id}`]: { body: s },
      [`GET /stores/${s.id}/events`]: { body: { items: [] } },
      [`GET /stores/${s.id}/health`]: problem(404, 'not_found', 'no health'),
      [`DELETE /stores/${s.id}`]: () => {
        state.stores = [{ ...s, status: 'Deleting', status_reason: 'Deleting' }];
        return { status: 202, body: state.stores[0] };
      },
    });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete…' }, { timeout: 5000 }));
    const dialog = await screen.findByRole('alertdialog');
    await user.type(within(dialog).getByLabelText(/Type doomed to confirm/), 'doomed');
    await user.click(within(dialog).getByRole('button', { name: 'Delete store' }));
    const status = await screen.findByText('Deleting doomed');
    expect(status.closest('[role="status"]')).toHaveTextContent('disappears from this list');
    await user.click(within(status.closest('[role="status"]') as HTMLElement).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Deleting doomed')).toBeNull();
  });

  it('shows the account email at every width', async () => {
    installServer({ 'GET /info': { body: info }, 'GET /me': { body: me }, 'GET /stores': { body: { items: [] } } });
    renderApp('/');
    const email = await screen.findByTestId('account-email');
    expect(email).toHaveTextContent('owner@example.com');
    expect(email.className).not.toMatch(/(^|\s)hidden(\s|$)/);
  });
});

describe('live announcements (issue 13)', () => {
  it('are cleared on sign-out, so the next person does not hear the previous session', async () => {
    const s = makeStore({ name: 'secret-shop', status: 'Provisioning' });
    let signedIn = true;
    installServer({
      'GET /info': { body: info },
      'GET /me': () => (signedIn ? { body: me } : problem(401, 'unauthorized', 'no session')),
      'GET /stores': { body: { items: [s] } },
      'POST /auth/logout': () => {
        signedIn = false;
        return { status: 204 };
      },
    });
    renderApp('/');
    await screen.findByRole('article', { name: 'secret-shop' });
    const es = FakeEventSource.latest();
    act(() => es.open());
    act(() => es.emit('store', { ...s, status: 'Ready', status_reason: 'Ready', updated_at: '2030-01-01T00:00:00Z' }));
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Store secret-shop is now Ready.'));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in to Storefleet' });
    expect(screen.getByTestId('announcer')).toBeEmptyDOMElement();
  });
});
