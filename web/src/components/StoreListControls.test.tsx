// Store list search and sort (issue 13): debounced search over name, display name and
// domain, sort by name / status / age both ways, both kept in the URL, a polite count and
// an empty result that says what matched nothing — for the owner's list and All stores.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer } from '../test/http';
import { renderApp } from '../test/render';
import { SEARCH_DEBOUNCE_MS, searchAndSort } from './StoreListControls';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const day = 86_400_000;
const at = (daysAgo: number) => new Date(Date.UTC(2025, 5, 30) - daysAgo * day).toISOString();

function stores(): Store[] {
  return [
    makeStore({ name: 'acme-shop', display_name: 'Zebra Coffee', status: 'Ready', created_at: at(10), domain: 'acme-shop-aaaaa.stores.localhost' }),
    makeStore({ name: 'bolt', display_name: null, status: 'Failed', created_at: at(5), domain: 'shop.bolt.example' }),
    makeStore({ name: 'corner', display_name: 'Corner Café', status: 'Provisioning', created_at: at(1), domain: 'corner-bbbbb.stores.localhost' }),
    makeStore({ name: 'delta', display_name: null, status: 'Ready', created_at: at(20), domain: 'delta-ccccc.stores.localhost' }),
  ];
}

function serve(items: Store[], who = me) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: { ...who, stores_active: items.length } },
    'GET /stores': { body: { items } },
    'GET /stores?all=true': { body: { items } },
    'GET /admin/users': { body: { items: [{ id: 'u1', email: 'owner@example.com', role: 'user', store_quota: 5, stores_active: 4, created_at: at(30) }] } },
  });
}

const rowNames = (list: HTMLElement) => within(list).getAllByRole('article').map((a) => a.getAttribute('aria-label'));

describe('searchAndSort', () => {
  const all = stores();
  it('matches name, display name and domain, case-insensitively', () => {
    expect(searchAndSort(all, 'CAFÉ', 'name').map((s) => s.name)).toEqual(['corner']);
    expect(searchAndSort(all, 'bolt.example', 'name').map((s) => s.name)).toEqual(['bolt']);
    expect(searchAndSort(all, 'acme', 'name').map((s) => s.name)).toEqual(['acme-shop']);
    expect(searchAndSort(all, 'owner@', 'name', () => ['owner@example.com'])).toHaveLength(4);
    expect(searchAndSort(all, 'nothing-like-it', 'name')).toEqual([]);
  });
  it('sorts by shown name, status and age, both ways', () => {
    const names = (sort: Parameters<typeof searchAndSort>[2]) => searchAndSort(all, '', sort).map((s) => s.name);
    expect(names('name')).toEqual(['bolt', 'corner', 'delta', 'acme-shop']); // Bolt, Corner Café, delta, Zebra Coffee
    expect(names('-name')).toEqual(['acme-shop', 'delta', 'corner', 'bolt']);
    expect(names('newest')).toEqual(['corner', 'bolt', 'acme-shop', 'delta']);
    expect(names('oldest')).toEqual(['delta', 'acme-shop', 'bolt', 'corner']);
    expect(names('status')).toEqual(['bolt', 'corner', 'delta', 'acme-shop']);
    expect(names('-status')).toEqual(['delta', 'acme-shop', 'corner', 'bolt']);
  });
});

describe('store list search and sort', () => {
  it('shows the display name first with the address name beneath', async () => {
    serve(stores());
    renderApp('/');
    const row = await screen.findByRole('article', { name: 'Zebra Coffee' });
    expect(within(row).getByRole('link', { name: 'Zebra Coffee' })).toBeInTheDocument();
    expect(within(row).getByTestId('address-name')).toHaveTextContent('acme-shop');
    // A store without one shows its address name once.
    const bolt = screen.getByRole('article', { name: 'bolt' });
    expect(within(bolt).queryByTestId('address-name')).toBeNull();
  });

  it('searches after a pause, keeps the query in the URL and announces the count politely', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    serve(stores());
    renderApp('/');
    const list = await screen.findByRole('list', { name: 'Your stores' });
    expect(rowNames(list)).toHaveLength(4);
    const count = screen.getByTestId('store-count');
    expect(count).toHaveAttribute('role', 'status');
    expect(count).toHaveAttribute('aria-live', 'polite');
    expect(count).toHaveTextContent('4 stores');
    const box = screen.getByRole('searchbox', { name: 'Search stores' });
    fireEvent.change(box, { target: { value: 'caf' } });
    // Not at once: typing is not interrupted by a list that jumps with every letter.
    expect(screen.getAllByRole('article')).toHaveLength(4);
    act(() => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS + 10));
    await waitFor(() => expect(screen.getAllByRole('article')).toHaveLength(1));
    expect(screen.getByRole('article', { name: 'Corner Café' })).toBeInTheDocument();
    expect(count).toHaveTextContent('1 of 4 stores matches “caf”');
    expect(screen.getByTestId('location')).toHaveTextContent('/?q=caf');
  });

  it('reads search and sort from the URL, says what matched nothing and clears by keyboard', async () => {
    serve(stores());
    renderApp('/?q=nomatch&sort=-name');
    const empty = await screen.findByTestId('no-matches');
    expect(empty).toHaveTextContent('No store matches “nomatch”');
    expect(empty).toHaveTextContent('Searched names, display names and domains');
    expect(screen.getByRole('searchbox', { name: 'Search stores' })).toHaveValue('nomatch');
    expect(screen.getByRole('combobox', { name: 'Sort by' })).toHaveValue('-name');
    expect(screen.getByTestId('store-count')).toHaveTextContent('0 of 4 stores match “nomatch”');
    const user = userEvent.setup();
    // Escape in the box clears the search at once.
    await user.click(screen.getByRole('searchbox', { name: 'Search stores' }));
    await user.keyboard('{Escape}');
    const list = await screen.findByRole('list', { name: 'Your stores' });
    expect(rowNames(list)).toEqual(['Zebra Coffee', 'delta', 'Corner Café', 'bolt']);
    expect(screen.getByTestId('location')).toHaveTextContent('/?sort=-name');
  });

  it('sorts from the keyboard and writes the order into the URL', async () => {
    serve(stores());
    renderApp('/');
    const list = await screen.findByRole('list', { name: 'Your stores' });
    expect(rowNames(list)).toEqual(['Corner Café', 'bolt', 'Zebra Coffee', 'delta']);
    const user = userEvent.setup();
    const sort = screen.getByRole('combobox', { name: 'Sort by' });
    await user.selectOptions(sort, 'status');
    expect(rowNames(screen.getByRole('list', { name: 'Your stores' }))).toEqual(['bolt', 'Corner Café', 'delta', 'Zebra Coffee']);
    expect(screen.getByTestId('location')).toHaveTextContent('/?sort=status');
    await user.selectOptions(sort, 'oldest');
    expect(rowNames(screen.getByRole('list', { name: 'Your stores' }))).toEqual(['delta', 'Zebra Coffee', 'bolt', 'Corner Café']);
    // Enter applies the search without waiting.
    await user.type(screen.getByRole('searchbox', { name: 'Search stores' }), 'localhost{Enter}');
    expect(rowNames(screen.getByRole('list', { name: 'Your stores' }))).toEqual(['delta', 'Zebra Coffee', 'Corner Café']);
    expect(screen.getByTestId('location')).toHaveTextContent('/?sort=oldest&q=localhost');
  });

  it('works the same in the admin’s All stores, where the owner is searched too', async () => {
    serve(stores(), { ...me, role: 'admin' });
    renderApp('/admin/stores?q=owner%40example&sort=name');
    const list = await screen.findByRole('list', { name: 'All stores' });
    expect(rowNames(list)).toEqual(['bolt', 'Corner Café', 'delta', 'Zebra Coffee']);
    expect(screen.getByTestId('store-count')).toHaveTextContent('4 of 4 stores match “owner@example”');
    const user = userEvent.setup();
    await user.clear(screen.getByRole('searchbox', { name: 'Search stores' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search stores' }), 'nobody-here{Enter}');
    expect(await screen.findByTestId('no-matches')).toHaveTextContent('Searched names, display names, domains and owners');
  });
});
