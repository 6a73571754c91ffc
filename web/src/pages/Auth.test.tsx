import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { info, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem, type Handler } from '../test/http';
import { renderApp } from '../test/render';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

function server(extra: Record<string, Handler | ReturnType<typeof problem>>, signedIn = false) {
  let session = signedIn;
  return installServer({
    'GET /info': { body: info },
    'GET /me': () => (session ? { body: me } : problem(401, 'unauthorized', 'no session')),
    'GET /stores': { body: { items: [] } },
    'POST /auth/login': () => {
      session = true;
      return { body: { user: me } };
    },
    ...extra,
  });
}

describe('sign up', () => {
  async function fill(email: string, password: string) {
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), email);
    await user.type(screen.getByLabelText('Password'), password);
    await user.click(screen.getByRole('button', { name: 'Create account' }));
  }

  it('shows a taken email on the email field with a way to sign in', async () => {
    server({ 'POST /auth/register': problem(409, 'conflict', 'email already registered') });
    renderApp('/signup');
    await fill('owner@example.com', 'correct horse battery');
    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email).toHaveAccessibleDescription(/already exists/));
    expect(screen.getAllByRole('link', { name: 'Sign in' }).length).toBeGreaterThan(0);
  });

  it('shows a weak password (422 field_errors.password) on the password field', async () => {
    server({
      'POST /auth/register': problem(422, 'validation_failed', 'password: too common', { field_errors: { password: ['is too common'] } }),
    });
    renderApp('/signup');
    await fill('new@example.com', 'password12');
    await waitFor(() => expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(/is too common/));
  });

  it('checks the password length before asking the server', async () => {
    const { requests } = server({});
    renderApp('/signup');
    await fill('new@example.com', 'short');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(/at least 10 characters/i);
    expect(requests.some((r) => r.path === '/auth/register')).toBe(false);
  });

  it('explains when sign-up is closed', async () => {
    server({ 'POST /auth/register': problem(403, 'signup_disabled', 'sign-up is closed') });
    renderApp('/signup');
    await fill('new@example.com', 'correct horse battery');
    expect(await screen.findByRole('heading', { name: 'Sign-up is closed' })).toBeInTheDocument();
  });
});

describe('sign in', () => {
  it('explains wrong credentials', async () => {
    server({ 'POST /auth/login': problem(401, 'invalid_credentials', 'invalid email or password') });
    renderApp('/signin');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is not right');
    expect(screen.getByTestId('location')).toHaveTextContent('/signin');
  });

  it('explains a suspended account (403 account_suspended after a right password)', async () => {
    server({ 'POST /auth/login': problem(403, 'account_suspended', 'This account is suspended') });
    renderApp('/signin');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.type(screen.getByLabelText('Password'), 'right password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This account is suspended. Ask an administrator to restore it');
    expect(screen.getByTestId('location')).toHaveTextContent('/signin');
  });

  it('tells a throttled person when to try again', async () => {
    server({ 'POST /auth/login': problem(429, 'rate_limited', 'too many attempts', { headers: { 'retry-after': '90' } }) });
    renderApp('/signin');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/^Try again in (90|89) s\.$/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Try again in (90|89) s$/ })).toBeDisabled();
  });

  it('sends a signed-out visitor to sign in and back to the page they asked for', async () => {
    server({ 'GET /stores/abc': problem(404, 'not_found', 'no such store') });
    renderApp('/stores/abc?tab=events');
    expect(await screen.findByRole('heading', { name: 'Sign in to Storefleet' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/signin?next=%2Fstores%2Fabc%3Ftab%3Devents');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'owner@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/stores/abc?tab=events'));
  });

  it('keeps the session across reloads: GET /me on start decides', async () => {
    server({}, true);
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Your stores' })).toBeInTheDocument();
  });

  it('calls it an ended session when /me itself answers 401 first', async () => {
    let expired = false;
    server(
      {
        'GET /me': () => (expired ? problem(401, 'unauthorized', 'expired') : { body: me }),
        'GET /stores': () => (expired ? new Promise(() => {}) : { body: { items: [] } }),
      },
      true,
    );
    renderApp('/');
    await screen.findByRole('heading', { name: 'Your stores' });
    expired = true;
    act(() => document.dispatchEvent(new Event('visibilitychange')));
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
  });

  it('returns to sign-in, remembering the page, when the session expires mid-way', async () => {
    let expired = false;
    server(
      {
        'GET /stores': () => (expired ? problem(401, 'unauthorized', 'session expired') : { body: { items: [] } }),
        'GET /admin/users': problem(401, 'unauthorized', 'session expired'),
        'GET /me': () => (expired ? problem(401, 'unauthorized', 'expired') : { body: { ...me, role: 'admin' } }),
      },
      true,
    );
    renderApp('/admin/users');
    expired = true;
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/signin?next=%2Fadmin%2Fusers');
  });
});
