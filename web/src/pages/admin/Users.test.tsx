// Admin user management: create (temporary password shown once), reset password,
// suspend and restore, delete with the email typed to confirm.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminUser, Me } from '../../api/types';
import { info, me } from '../../test/fixtures';
import { FakeEventSource, installServer, problem, type Recorded } from '../../test/http';
import { renderApp } from '../../test/render';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const admin: Me = { ...me, id: 'a1', email: 'admin@example.com', role: 'admin' };
const bob: AdminUser = { id: 'u2', email: 'bob@example.com', role: 'user', store_quota: 1, stores_active: 1, created_at: '2025-01-02T00:00:00Z', suspended: false, last_login_at: null };
const self: AdminUser = { id: 'a1', email: 'admin@example.com', role: 'admin', store_quota: 5, stores_active: 0, created_at: '2025-01-01T00:00:00Z', suspended: false, last_login_at: '2025-01-03T09:00:00Z' };

function serve() {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: admin },
    'GET /stores': { body: { items: [] } },
    'GET /admin/users': { body: { items: [self, bob] } },
  });
}

const row = async (email: string) => (await screen.findByText(email, { selector: 'th span' })).closest('tr')!;

describe('user management', () => {
  it('creates a user and shows the temporary password once, with a copy button', async () => {
    const { requests, routes } = serve();
    routes['POST /admin/users'] = (req: Recorded) => ({
      status: 201,
      body: { user: { ...bob, id: 'u9', email: (req.body as { email: string }).email, stores_active: 0, store_quota: 2 }, temporary_password: 'tmp4pass8word2xyz9ab' },
    });
    renderApp('/admin/users');
    await row('bob@example.com');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    const dialog = screen.getByRole('dialog', { name: 'Create a user' });
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(within(dialog).getByLabelText('Email')).toHaveAccessibleDescription(/email/i);
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    await user.type(within(dialog).getByLabelText('Email'), 'carol@example.com');
    await user.type(within(dialog).getByLabelText(/Store quota/), '2');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    const shown = await screen.findByRole('dialog', { name: 'Temporary password for carol@example.com' });
    expect(within(shown).getByTestId('temporary-password')).toHaveTextContent('tmp4pass8word2xyz9ab');
    expect(within(shown).getByText('Shown only this once')).toBeInTheDocument();
    expect(within(shown).getByText(/It will not be shown again/)).toBeInTheDocument();
    expect(within(shown).getByRole('button', { name: 'Copy temporary password' })).toBeInTheDocument();
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({ email: 'carol@example.com', role: 'user', store_quota: 2 });
    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('tmp4pass8word2xyz9ab')).toBeNull();
    expect(await row('carol@example.com')).toBeInTheDocument();
    expect(screen.getByText('Created carol@example.com.')).toHaveAttribute('role', 'status');
  });

  it('shows a taken email on its field', async () => {
    const { routes } = serve();
    routes['POST /admin/users'] = problem(409, 'conflict', 'email: is already registered', { field_errors: { email: ['is already registered'] } });
    renderApp('/admin/users');
    await row('bob@example.com');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    const dialog = screen.getByRole('dialog', { name: 'Create a user' });
    await user.type(within(dialog).getByLabelText('Email'), 'bob@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(within(dialog).getByLabelText('Email')).toHaveAccessibleDescription('is already registered'));
  });

  it('resets a password after confirming, and shows the new one once', async () => {
    const { routes, requests } = serve();
    routes['POST /admin/users/u2/password-reset'] = { body: { temporary_password: 'new0temp1pass2word3x', sessions_ended: 2 } };
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.click(within(await row('bob@example.com')).getByRole('button', { name: 'Reset password of bob@example.com' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Reset the password of bob@example.com?' });
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Reset password' }));
    const shown = await screen.findByRole('dialog', { name: 'Temporary password for bob@example.com' });
    expect(within(shown).getByTestId('temporary-password')).toHaveTextContent('new0temp1pass2word3x');
    expect(screen.getByText(/Reset the password of bob@example.com/, { selector: '[role=status]' })).toBeInTheDocument();
  });

  it('suspends and restores a user, and offers neither (nor delete) on your own row', async () => {
    const { routes, requests } = serve();
    routes['PATCH /admin/users/u2'] = (req: Recorded) => ({ body: { ...bob, ...(req.body as object) } });
    renderApp('/admin/users');
    const user = userEvent.setup();
    const own = await row('admin@example.com');
    expect(within(own).queryByRole('button', { name: /Suspend|Delete/ })).toBeNull();
    await user.click(within(await row('bob@example.com')).getByRole('button', { name: 'Suspend bob@example.com' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Suspend bob@example.com?' });
    expect(confirm).toHaveTextContent('Their stores keep running.');
    await user.click(within(confirm).getByRole('button', { name: 'Suspend user' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    const bobRow = await row('bob@example.com');
    expect(within(bobRow).getByText('Suspended')).toBeInTheDocument();
    expect(screen.getByText('Suspended bob@example.com; they were signed out everywhere.')).toHaveAttribute('role', 'status');
    await user.click(within(bobRow).getByRole('button', { name: 'Restore bob@example.com' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Restore user' }));
    await waitFor(() => expect(within(bobRow).queryByText('Suspended')).toBeNull());
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ suspended: true }, { suspended: false }]);
  });

  it('deletes only after the email is typed, and explains a user who still has stores', async () => {
    const { routes } = serve();
    let hasStores = true;
    routes['DELETE /admin/users/u2'] = () =>
      hasStores ? problem(409, 'user_has_stores', 'This user still has 1 store; delete it first.', { active: 1 }) : { status: 204 };
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.click(within(await row('bob@example.com')).getByRole('button', { name: 'Delete bob@example.com' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete bob@example.com?' });
    const button = within(dialog).getByRole('button', { name: 'Delete user' });
    expect(button).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), 'bob@example.co');
    expect(button).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), 'm');
    await user.click(button);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('This user still has 1 store; delete it first.');
    hasStores = false;
    await user.click(button);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(screen.queryByText('bob@example.com', { selector: 'th span' })).toBeNull();
    expect(screen.getByText('Deleted bob@example.com.')).toHaveAttribute('role', 'status');
  });
});
