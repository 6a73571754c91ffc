import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminUser, AuditEvent, Me } from '../../api/types';
import { info, makeStore, me } from '../../test/fixtures';
import { FakeEventSource, installServer, type Recorded } from '../../test/http';
import { renderApp } from '../../test/render';
import { auditQuery } from './AuditLog';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const admin: Me = { ...me, id: 'a1', email: 'admin@example.com', role: 'admin' };
const users: AdminUser[] = [
  { id: 'a1', email: 'admin@example.com', role: 'admin', store_quota: 5, stores_active: 0, created_at: '2025-01-01T00:00:00Z', suspended: false, last_login_at: '2025-01-03T09:00:00Z' },
  { id: 'u2', email: 'bob@example.com', role: 'user', store_quota: 1, stores_active: 1, created_at: '2025-01-02T00:00:00Z', suspended: false, last_login_at: null },
];
const audit: AuditEvent[] = [
  { id: 3, at: '2025-01-03T10:00:00Z', actor_id: 'u2', actor_email: 'bob@example.com', action: 'store.create', target_type: 'store', target_id: 's1', ip: '127.0.0.1', details: { name: 'bobs-shop' } },
  { id: 2, at: '2025-01-03T09:00:00Z', actor_id: 'a1', actor_email: 'admin@example.com', action: 'user.login', target_type: 'user', target_id: 'a1', ip: '127.0.0.1', details: {} },
  { id: 1, at: '2025-01-03T08:00:00Z', actor_id: null, actor_email: 'bob@example.com', action: 'user.login_failed', target_type: null, target_id: null, ip: '10.0.0.9', details: {} },
];

function serve(asUser = admin) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: asUser },
    'GET /stores': { body: { items: [] } },
    'GET /stores?all=true': { body: { items: [makeStore({ name: 'bobs-shop', owner_id: 'u2', owner_email: 'bob@example.com', status: 'Ready' })] } },
    'GET /admin/users': { body: { items: users } },
    'PATCH /admin/users/u2': (req: Recorded) => ({ body: { ...users[1], ...(req.body as object) } }),
    'GET /audit-events?limit=50': { body: { items: audit } },
  });
}

describe('admin', () => {
  it('lists users with store counts and changes a quota', async () => {
    const { requests } = serve();
    renderApp('/admin/users');
    const row = (await screen.findByText('bob@example.com')).closest('tr')!;
    expect(within(row).getByText('1 of 1')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(within(row).getByRole('button', { name: 'Edit bob@example.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit bob@example.com' });
    const quota = within(dialog).getByLabelText('Store quota');
    await user.clear(quota);
    await user.type(quota, '4');
    await user.selectOptions(within(dialog).getByLabelText('Role'), 'admin');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // A visible confirmation, announced by its status role.
    expect(screen.getByText('Saved bob@example.com: quota 4, role admin.')).toHaveAttribute('role', 'status');
    expect(requests.find((r) => r.method === 'PATCH')!.body).toEqual({ store_quota: 4, role: 'admin' });
    expect(within(screen.getByText('bob@example.com').closest('tr')!).getByText('1 of 4')).toBeInTheDocument();
  });

  it('rejects a negative quota before sending', async () => {
    const { requests } = serve();
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit bob@example.com' }));
    const quota = screen.getByLabelText('Store quota');
    await user.clear(quota);
    await user.type(quota, '-1');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(quota).toHaveAccessibleDescription(/whole number, 0 or more/);
    expect(requests.some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('shows all stores with their owner emails, and finds them by owner', async () => {
    serve();
    renderApp('/admin/stores');
    const row = await screen.findByRole('article', { name: 'bobs-shop' });
    await waitFor(() => expect(row).toHaveTextContent('bob@example.com'));
    const user = userEvent.setup();
    const search = screen.getByRole('searchbox', { name: 'Search stores' });
    await user.type(search, 'BOB@example{Enter}');
    expect(screen.getByRole('article', { name: 'bobs-shop' })).toBeInTheDocument();
    await user.clear(search);
    await user.type(search, 'admin@example{Enter}');
    expect(screen.getByTestId('no-matches')).toHaveTextContent('No store matches “admin@example”');
  });

  it("follows every user's stores through the admin stream (?all=true)", async () => {
    serve();
    renderApp('/admin/stores');
    await screen.findByRole('article', { name: 'bobs-shop' });
    const es = FakeEventSource.instances.find((e) => e.url === '/api/v1/events/stream?all=true');
    expect(es).toBeDefined();
    act(() => {
      es!.open();
      es!.emit('store', makeStore({ name: 'carols-shop', owner_id: 'u3', status: 'Provisioning', steps_done: 3, created_at: new Date().toISOString() }));
    });
    expect(await screen.findByRole('article', { name: 'carols-shop' })).toBeInTheDocument();
  });

  it('filters the audit log by action and actor on the server, and pages with the id cursor', async () => {
    const { requests, routes } = serve();
    routes['GET /audit-events?limit=50&action=user.login_failed'] = { body: { items: [audit[2]] } };
    routes['GET /audit-events?limit=50&action=user.login_failed&actor_id=u2'] = { body: { items: [] } };
    routes['GET /audit-events?limit=50&before=1'] = { body: { items: [] } };
    renderApp('/admin/audit');
    await screen.findByRole('table');
    expect(screen.getAllByRole('row')).toHaveLength(4);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Action'), 'user.login_failed');
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    expect(screen.getByText('1 matching event loaded')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Actor'), 'bob@example.com');
    expect(await screen.findByText('No event matches these filters.')).toBeInTheDocument();
    expect(requests.map((r) => r.path)).toContain('/audit-events?limit=50&action=user.login_failed&actor_id=u2');
    expect(auditQuery({ action: '', actorId: '', before: 1 })).toBe('limit=50&before=1');
  });

  it('keeps regular users out of admin pages', async () => {
    serve(me);
    renderApp('/admin/users');
    expect(await screen.findByText('Administrators only')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
  });
});
