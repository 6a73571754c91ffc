import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { info, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem, type Handler } from '../test/http';
import { renderApp } from '../test/render';
import { checkPasswordChange } from './Account';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

function server(change: Handler | ReturnType<typeof problem>) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: me },
    'GET /stores': { body: { items: [] } },
    'POST /me/password': change,
    'GET /me/sessions': { body: { items: sessions } },
  });
}

const sessions = [
  { id: 's-here', current: true, created_at: '2025-01-03T10:00:00Z', expires_at: '2025-01-10T10:00:00Z', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36', ip: '127.0.0.1' },
  { id: 's-phone', current: false, created_at: '2025-01-02T10:00:00Z', expires_at: '2025-01-09T10:00:00Z', user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1', ip: '10.0.0.7' },
  { id: 's-script', current: false, created_at: '2025-01-01T10:00:00Z', expires_at: '2025-01-08T10:00:00Z', user_agent: 'deploy-script/1.0', ip: null },
];

async function fill(current: string, next: string, confirm = next) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Current password'), current);
  await user.type(screen.getByLabelText('New password'), next);
  await user.type(screen.getByLabelText('Repeat the new password'), confirm);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('account settings', () => {
  it('is reachable from the header', async () => {
    server({ status: 204 });
    renderApp('/');
    const link = await screen.findByRole('link', { name: 'Account' });
    await userEvent.setup().click(link);
    expect(await screen.findByRole('heading', { name: 'Account settings' })).toBeInTheDocument();
    expect(screen.getByText(/signs out every other session/)).toBeInTheDocument();
  });

  it('changes the password and says the other sessions were signed out', async () => {
    const { requests } = server({ status: 204 });
    renderApp('/account');
    await fill('old-password-1', 'new-password-22');
    expect(await screen.findByText('Password changed')).toBeInTheDocument();
    expect(screen.getByText(/other sessions were signed out/)).toBeInTheDocument();
    const sent = requests.find((r) => r.path === '/me/password');
    expect(sent?.body).toEqual({ current_password: 'old-password-1', new_password: 'new-password-22' });
    expect(screen.getByLabelText('Current password')).toHaveValue('');
  });

  it('shows a wrong current password on its field', async () => {
    server(
      problem(422, 'validation_failed', 'current_password: is not your current password', {
        field_errors: { current_password: ['is not your current password'] },
      }),
    );
    renderApp('/account');
    await fill('wrong-password', 'new-password-22');
    await waitFor(() =>
      expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription(/not your current password/),
    );
    expect(screen.queryByText('Password changed')).not.toBeInTheDocument();
  });

  it('checks length and the repeated password before asking the server', async () => {
    const { requests } = server({ status: 204 });
    renderApp('/account');
    await fill('old-password-1', 'new-password-22', 'new-password-23');
    expect(screen.getByLabelText('Repeat the new password')).toHaveAccessibleDescription(/not the same/);
    expect(requests.some((r) => r.path === '/me/password')).toBe(false);
  });

  it('pauses after too many wrong current passwords', async () => {
    server(problem(429, 'rate_limited', 'Too many failed sign-ins.', { headers: { 'retry-after': '60' } }));
    renderApp('/account');
    await fill('old-password-1', 'new-password-22');
    expect(await screen.findByText(/password changes are paused/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Try again in/ })).toBeDisabled();
  });
});

describe('checkPasswordChange', () => {
  it('names each problem on its field', () => {
    expect(checkPasswordChange('', 'new-password-22', 'new-password-22').current).toMatch(/current password/);
    expect(checkPasswordChange('a', 'short', 'short').next).toMatch(/at least 10/i);
    expect(checkPasswordChange('same-password-1', 'same-password-1', 'same-password-1').next).toMatch(/different/);
    expect(checkPasswordChange('a', 'new-password-22', 'x').confirm).toMatch(/not the same/);
    expect(Object.values(checkPasswordChange('a', 'new-password-22', 'new-password-22')).some(Boolean)).toBe(false);
  });

  it('lists sessions with this browser marked, ends one, then all the others', async () => {
    const { requests, routes } = server({ status: 204 });
    routes['DELETE /me/sessions/s-phone'] = { status: 204 };
    routes['POST /me/sessions/revoke-others'] = { body: { sessions_ended: 1 } };
    renderApp('/account');
    const list = await screen.findByRole('list', { name: 'Your sessions' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('Chrome on Linux');
    expect(items[0]).toHaveTextContent('This browser');
    expect(within(items[0]!).queryByRole('button')).toBeNull();
    expect(items[1]).toHaveTextContent('Safari on iOS');
    expect(items[1]).toHaveTextContent('from 10.0.0.7');
    expect(items[2]).toHaveTextContent('deploy-script/1.0');
    const user = userEvent.setup();
    await user.click(within(items[1]!).getByRole('button', { name: /^Sign out Safari on iOS/ }));
    expect(await screen.findByText('Signed out Safari on iOS.')).toHaveAttribute('role', 'status');
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(requests.some((r) => r.method === 'DELETE' && r.path === '/me/sessions/s-phone')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Sign out all other sessions' }));
    expect(await screen.findByText('Signed out 1 other session.')).toBeInTheDocument();
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Sign out all other sessions' })).toBeNull();
  });
});
