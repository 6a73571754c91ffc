import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rotatableKinds } from '../api/credentials';
import type { ServerInfo, Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem, type Handler, type Reply } from '../test/http';
import { renderApp } from '../test/render';
import { RotateCredentials } from './RotateCredentials';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const readyStore = (over: Partial<Store> = {}) =>
  makeStore({ name: 'acme', status: 'Ready', status_reason: 'Ready', engine: 'woocommerce', steps_done: 8, ready_at: '2025-01-01T12:01:10Z', ...over });

const rotating = (s: Store): Store => ({ ...s, status: 'Provisioning', status_reason: 'Rotating credentials', steps_done: 0, updated_at: new Date(Date.now() + 1000).toISOString() });

const rotatePath = (s: Store) => `POST /stores/${s.id}/credentials/rotate`;

function renderButton(store: Store, onRotated = vi.fn()) {
  render(<RotateCredentials store={store} kinds={rotatableKinds(info, store.engine)} onRotated={onRotated} />);
  return onRotated;
}

async function openDialog(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Rotate credentials' }));
  return screen.getByRole('dialog', { name: 'Rotate the credentials of acme?' });
}

describe('rotate credentials', () => {
  it('explains what happens, and by default asks for a new admin password only', async () => {
    const s = readyStore();
    const { requests } = installServer({ [rotatePath(s)]: { status: 202, body: rotating(s) } });
    const onRotated = renderButton(s);
    const user = userEvent.setup();
    const dialog = await openDialog(user);
    expect(dialog).toHaveAccessibleDescription(/new administrator password/);
    expect(dialog).toHaveAccessibleDescription(/current one stops working/);
    expect(dialog).toHaveAccessibleDescription(/keeps all its data/);
    expect(dialog).toHaveAccessibleDescription(/briefly back to “Provisioning”/);
    const db = within(dialog).getByRole('checkbox', { name: 'Also replace the database password' });
    const salts = within(dialog).getByRole('checkbox', { name: 'Also replace the WordPress security keys and salts' });
    expect(db).not.toBeChecked();
    expect(salts).not.toBeChecked();
    expect(salts).toHaveAccessibleDescription(/Signs everyone out/);

    await user.click(within(dialog).getByRole('button', { name: 'Rotate now' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: `/stores/${s.id}/credentials/rotate`,
      body: { admin_password: true, database_passwords: false, salts: false },
    });
    expect(onRotated).toHaveBeenCalledWith(expect.objectContaining({ id: s.id, status: 'Provisioning' }));
  });

  it('also asks for the database password and the salts when they are ticked, and starts unticked next time', async () => {
    const s = readyStore();
    const { requests } = installServer({ [rotatePath(s)]: { status: 202, body: rotating(s) } });
    renderButton(s);
    const user = userEvent.setup();
    let dialog = await openDialog(user);
    await user.click(within(dialog).getByRole('checkbox', { name: /database password/ }));
    await user.click(within(dialog).getByRole('checkbox', { name: /security keys and salts/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Rotate now' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests[0]!.body).toEqual({ admin_password: true, database_passwords: true, salts: true });

    dialog = await openDialog(user);
    expect(within(dialog).getByRole('checkbox', { name: /database password/ })).not.toBeChecked();
    expect(within(dialog).getByRole('checkbox', { name: /security keys and salts/ })).not.toBeChecked();
  });

  it.each<[string, Reply, RegExp[]]>([
    [
      '409 not_ready',
      problem(409, 'not_ready', 'The store is Provisioning; its credentials can be rotated once it is Ready.'),
      [/only while the store is Ready\. Wait until it is Ready, then try again\./, /The store is Provisioning; its credentials can be rotated once it is Ready\./],
    ],
    [
      '409 not_supported_for_engine',
      problem(409, 'not_supported_for_engine', 'WooCommerce stores cannot rotate salts yet.'),
      [/This kind of store cannot rotate its credentials yet\./, /WooCommerce stores cannot rotate salts yet\./],
    ],
    ['409 conflict (the store moved on)', problem(409, 'conflict', 'Cannot rotate its credentials (only Ready stores can) from Upgrading.'), [/Wait until it is Ready/]],
    ['429 rate_limited', problem(429, 'rate_limited', 'Slow down.', { headers: { 'retry-after': '30' } }), [/Too many requests\. Try again in 30 s\./]],
    ['404 not_found', problem(404, 'not_found', 'No such store.'), [/This store no longer exists\./]],
  ])('says why a rotation was refused (%s) and keeps the dialog open', async (_name, reply, words) => {
    const s = readyStore();
    installServer({ [rotatePath(s)]: reply });
    const onRotated = renderButton(s);
    const user = userEvent.setup();
    const dialog = await openDialog(user);
    await user.click(within(dialog).getByRole('button', { name: 'Rotate now' }));
    const alert = await within(dialog).findByRole('alert');
    for (const w of words) expect(alert).toHaveTextContent(w);
    expect(screen.getByRole('dialog')).toBe(dialog);
    expect(onRotated).not.toHaveBeenCalled();
    // Closing forgets the refusal.
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await openDialog(user);
    expect(within(screen.getByRole('dialog')).queryByRole('alert')).toBeNull();
  });

  it('is not rendered for stores whose engine cannot rotate credentials (Medusa)', () => {
    installServer({});
    const s = readyStore({ engine: 'medusa' });
    const { container } = render(<RotateCredentials store={s} kinds={rotatableKinds(info, s.engine)} onRotated={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Rotate credentials' })).toBeNull();
    expect(container).toBeEmptyDOMElement();
  });

  it('offers only the kinds the server lists for the engine', async () => {
    const s = readyStore();
    const { requests } = installServer({ [rotatePath(s)]: { status: 202, body: rotating(s) } });
    const onlyAdmin: ServerInfo = { ...info, engines: [{ id: 'woocommerce', name: 'WooCommerce', default: true, rotatable_credentials: ['admin_password'] }] };
    render(<RotateCredentials store={s} kinds={rotatableKinds(onlyAdmin, s.engine)} onRotated={vi.fn()} />);
    const user = userEvent.setup();
    const dialog = await openDialog(user);
    expect(within(dialog).queryByRole('checkbox')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Rotate now' }));
    await waitFor(() => expect(requests).toHaveLength(1));
    // Kinds the engine cannot rotate are left out (the server takes them as false).
    expect(requests[0]?.body).toEqual({ admin_password: true });
  });

  it('is not rendered before the server has said what the engine can rotate', () => {
    installServer({});
    const s = readyStore();
    const { container } = render(<RotateCredentials store={s} kinds={rotatableKinds(null, s.engine)} onRotated={vi.fn()} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('is disabled, saying why, while the store is not Ready, yet stays reachable by keyboard', async () => {
    const s = readyStore({ status: 'Upgrading', status_reason: 'Upgrading' });
    const { requests } = installServer({});
    renderButton(s);
    const user = userEvent.setup();
    const button = screen.getByRole('button', { name: 'Rotate credentials' });
    expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(button).toHaveAccessibleDescription('Credentials can be rotated only while the store is Ready; it is Upgrading now.');
    await user.tab();
    expect(button).toHaveFocus();
    await user.keyboard('{Enter}');
    await user.click(button);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(requests).toHaveLength(0);
  });

  it('is opened by keyboard and gives focus back to its button when closed', async () => {
    const s = readyStore();
    const { requests } = installServer({});
    renderButton(s);
    const user = userEvent.setup();
    const button = screen.getByRole('button', { name: 'Rotate credentials' });
    expect(button).not.toHaveAttribute('aria-disabled');
    await user.tab();
    expect(button).toHaveFocus();
    await user.keyboard('{Enter}');
    let dialog = screen.getByRole('dialog', { name: 'Rotate the credentials of acme?' });
    // Focus moves into the dialog, to the first choice.
    expect(within(dialog).getByRole('checkbox', { name: /database password/ })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(button).toHaveFocus();

    await user.keyboard('{Enter}');
    dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(button).toHaveFocus();
    expect(requests).toHaveLength(0);
  });

  describe('on the store page', () => {
    function serve(store: Store, extra: Record<string, Handler | Reply> = {}) {
      let current = store;
      const server = installServer({
        'GET /info': { body: info },
        'GET /me': { body: me },
        'GET /stores': () => ({ body: { items: [current] } }),
        [`GET /stores/${store.id}`]: () => ({ body: current }),
        [`GET /stores/${store.id}/events`]: { body: { items: [] } },
        [`GET /stores/${store.id}/health`]: { body: { healthy: true, checked_at: '2025-01-01T12:05:00Z', components: [] } },
        [`GET /stores/${store.id}/revisions`]: { body: { upgrade_available: false, current_revision: 1, items: [] } },
        [`GET /stores/${store.id}/credentials`]: { body: { admin_url: 'http://acme/wp-admin', username: 'admin', password: 'old-Pa55word' } },
        [rotatePath(store)]: () => {
          current = rotating(store);
          return { status: 202, body: current };
        },
        ...extra,
      });
      return server;
    }

    it('rotates from the credentials card: the page shows Provisioning, announces it, and focus returns to the button', async () => {
      const s = readyStore();
      const { requests } = serve(s);
      renderApp(`/stores/${s.id}`);
      const user = userEvent.setup();
      const card = await screen.findByRole('region', { name: 'Admin credentials' });
      await user.click(within(card).getByRole('button', { name: 'Reveal credentials' }));
      expect(await within(card).findByText('old-Pa55word')).toBeInTheDocument();

      const button = within(card).getByRole('button', { name: 'Rotate credentials' });
      button.focus();
      await user.keyboard('{Enter}');
      const dialog = screen.getByRole('dialog', { name: 'Rotate the credentials of acme?' });
      await user.click(within(dialog).getByRole('checkbox', { name: /security keys and salts/ }));
      await user.click(within(dialog).getByRole('button', { name: 'Rotate now' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(requests.find((r) => r.method === 'POST')).toMatchObject({ body: { admin_password: true, database_passwords: false, salts: true } });

      // The store view is the answer's: Provisioning, with the reason.
      expect(screen.getByRole('heading', { level: 1, name: 'acme' }).parentElement!.querySelector('[data-status]')).toHaveAttribute('data-status', 'Provisioning');
      expect(screen.getByText('Rotating credentials')).toBeInTheDocument();
      // The old password is gone from the page; the card says when the new one can be read.
      expect(screen.queryByText('old-Pa55word')).toBeNull();
      expect(within(card).queryByRole('button', { name: 'Reveal credentials' })).toBeNull();
      expect(card).toHaveTextContent('Its password can be revealed again once the store is Ready.');
      // The button stays, disabled with its reason, and has the focus back.
      expect(button).toHaveAttribute('aria-disabled', 'true');
      expect(button).toHaveAccessibleDescription(/it is Provisioning now/);
      await waitFor(() => expect(button).toHaveFocus());
      await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Rotating the credentials of acme.'));
    });

    it('offers no rotation on a Medusa store', async () => {
      const s = readyStore({ engine: 'medusa' });
      serve(s);
      renderApp(`/stores/${s.id}`);
      const card = await screen.findByRole('region', { name: 'Admin credentials' });
      expect(within(card).getByRole('button', { name: 'Reveal credentials' })).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Rotate credentials' })).toBeNull();
    });
  });
});
