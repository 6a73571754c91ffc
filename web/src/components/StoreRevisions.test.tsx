import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Revision, RevisionListResponse, Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer, problem, type Handler, type Reply } from '../test/http';
import { renderApp } from '../test/render';
import { revisionStatusWords } from './StoreRevisions';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const rev = (over: Partial<Revision>): Revision => ({
  revision: 1,
  chart_version: '1.4.0',
  app_version: '6.5.2',
  status: 'superseded',
  description: 'Install complete',
  updated_at: '2025-01-01T12:00:00Z',
  changed_values: [],
  rollback_allowed: true,
  ...over,
});

const history: RevisionListResponse = {
  upgrade_available: true,
  current_revision: 2,
  items: [
    rev({
      revision: 2,
      chart_version: '1.5.0',
      status: 'deployed',
      description: 'Upgrade complete',
      updated_at: '2025-02-01T12:00:00Z',
      changed_values: ['wordpress.image.tag', 'resources.wordpress.limits.memory', 'a.b', 'c.d', 'e.f', 'g.h', 'i.j', 'k.l'],
      rollback_allowed: false,
    }),
    rev({ revision: 1 }),
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
    [`GET /stores/${store.id}/revisions`]: { body: history },
    ...extra,
  });
}

const readyStore = () => makeStore({ name: 'acme', status: 'Ready', status_reason: 'Ready', url: 'http://acme.example', revision: 2, steps_done: 8 });

async function section() {
  return screen.findByRole('region', { name: 'Versions and revisions' });
}

describe('versions and revisions', () => {
  it('lists revisions newest first with versions, status in words, changed key paths and the current one', async () => {
    const s = readyStore();
    serve(s);
    renderApp(`/stores/${s.id}`);
    const list = await within(await section()).findByRole('list', { name: 'Revisions, newest first' });
    const items = within(list).getAllByRole('listitem', { name: /^Revision \d$/ });
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Revision 2');
    expect(items[0]).toHaveTextContent('current');
    expect(items[0]).toHaveTextContent('Running');
    expect(items[0]).toHaveTextContent('1.5.0');
    const paths = within(items[0]!).getByRole('list', { name: 'Settings changed in revision 2' });
    expect(within(paths).getAllByRole('listitem')).toHaveLength(6);
    expect(paths).toHaveTextContent('wordpress.image.tag');
    expect(within(items[0]!).getByText('and 2 more')).toBeInTheDocument();
    expect(items[1]).toHaveTextContent('Replaced by a later revision');
    expect(items[1]).toHaveTextContent('First installation.');
    expect(items[1]).not.toHaveTextContent('current');
    // Only the earlier revision offers a rollback; the current one does not.
    expect(within(items[0]!).queryByRole('button')).toBeNull();
    expect(within(items[1]!).getByRole('button', { name: 'Roll back to this revision (revision 1)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Upgrade to the latest version' })).toBeInTheDocument();
  });

  it('upgrades after a confirmation, by keyboard, then follows the live status and reloads when Ready', async () => {
    const s = readyStore();
    const upgrading: Store = { ...s, status: 'Upgrading', status_reason: 'Upgrading', step: 'release', steps_done: 3, steps_total: 8, updated_at: new Date().toISOString() };
    const { requests } = serve(s, { [`POST /stores/${s.id}/upgrade`]: { status: 202, body: upgrading } });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    const open = await within(await section()).findByRole('button', { name: 'Upgrade to the latest version' });
    open.focus();
    await user.keyboard('{Enter}');
    const dialog = screen.getByRole('dialog', { name: 'Upgrade acme to the latest version?' });
    expect(dialog).toHaveAccessibleDescription(/keeps serving customers/);
    expect(dialog).toHaveAccessibleDescription(/rolls back to revision 2 by itself/);
    // Focus stays in the dialog, and Escape gives it back to the button.
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    expect(cancel).toHaveFocus();
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Upgrade store' })).toHaveFocus();
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Close' })).toHaveFocus();
    await user.tab();
    expect(cancel).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(open).toHaveFocus();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.keyboard('{Enter}');
    await user.tab();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.filter((r) => r.method === 'POST' && r.path === `/stores/${s.id}/upgrade`)).toHaveLength(1);
    // Upgrading: a calm badge, the storefront still open, progress, and a polite announcement.
    expect(screen.getByRole('heading', { level: 1, name: 'acme' }).parentElement!.querySelector('[data-status]')).toHaveTextContent('Status: Upgrading');
    expect(screen.getByRole('link', { name: /Open storefront/ })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Upgrade progress of acme' })).toHaveAttribute('aria-valuenow', '3');
    expect(screen.getByText(/Step 4 of 8 · Installing the new version/)).toBeInTheDocument();
    expect(within(await section()).getByText('Upgrade in progress')).toBeInTheDocument();
    expect(within(await section()).queryByRole('button', { name: /Roll back/ })).toBeNull();
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Upgrading acme. It keeps serving customers meanwhile.'));
    await waitFor(() => expect(within(screen.getByTestId('store-revisions')).getByRole('heading', { name: 'Versions and revisions' })).toHaveFocus());

    const reads = () => requests.filter((r) => r.path === `/stores/${s.id}/revisions`).length;
    await waitFor(() => expect(reads()).toBe(2));
    act(() => {
      FakeEventSource.latest().open();
      FakeEventSource.latest().emit('store', { ...s, revision: 3, updated_at: new Date(Date.now() + 1000).toISOString() });
    });
    await waitFor(() => expect(reads()).toBe(3));
    expect(screen.queryByText('Upgrade in progress')).toBeNull();
  });

  it('rolls back to the revision named in the confirmation', async () => {
    const s = readyStore();
    const { requests } = serve(s, { [`POST /stores/${s.id}/rollback`]: { status: 202, body: { ...s, status: 'Upgrading', updated_at: new Date().toISOString() } } });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    await user.click(await within(await section()).findByRole('button', { name: 'Roll back to this revision (revision 1)' }));
    const dialog = screen.getByRole('dialog', { name: 'Roll back acme to revision 1?' });
    expect(dialog).toHaveAccessibleDescription(/returns to revision 1 \(chart 1\.4\.0, app 6\.5\.2\)/);
    await user.click(within(dialog).getByRole('button', { name: 'Roll back to revision 1' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.find((r) => r.method === 'POST')).toMatchObject({ path: `/stores/${s.id}/rollback`, body: { revision: 1 } });
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Rolling back acme to revision 1.'));
  });

  it.each([
    ['upgrade', 'up_to_date', 'This store already runs the latest version'],
    ['upgrade', 'not_ready', 'only while it is Ready'],
    ['rollback', 'already_at_revision', 'The store already runs this revision.'],
  ])('says why a %s was refused (409 %s) and keeps the dialog open', async (action, code, words) => {
    const s = readyStore();
    const { requests } = serve(s, { [`POST /stores/${s.id}/${action}`]: problem(409, code, `server text ${code}`) });
    renderApp(`/stores/${s.id}`);
    const user = userEvent.setup();
    const sec = await section();
    await user.click(
      await within(sec).findByRole('button', { name: action === 'upgrade' ? 'Upgrade to the latest version' : 'Roll back to this revision (revision 1)' }),
    );
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: action === 'upgrade' ? 'Upgrade store' : 'Roll back to revision 1' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(words);
    expect(dialog).toBeInTheDocument();
    // The list is read again: it was out of date.
    await waitFor(() => expect(requests.filter((r) => r.path.endsWith('/revisions'))).toHaveLength(2));
    expect(screen.getByRole('heading', { level: 1, name: 'acme' }).parentElement!.querySelector('[data-status]')).toHaveAttribute('data-status', 'Ready');
  });

  it('explains an unreachable cluster (503) and retries on request', async () => {
    const s = readyStore();
    let calls = 0;
    serve(s, {
      [`GET /stores/${s.id}/revisions`]: () => (++calls === 1 ? problem(503, 'cluster_unavailable', 'kube down') : { body: { ...history, upgrade_available: false } }),
    });
    renderApp(`/stores/${s.id}`);
    const sec = await section();
    expect(await within(sec).findByText(/The Kubernetes cluster is not answering right now/)).toBeInTheDocument();
    await userEvent.setup().click(within(sec).getByRole('button', { name: 'Try again' }));
    expect(await within(sec).findByText('This store runs the platform’s latest chart and settings.')).toBeInTheDocument();
    expect(within(sec).queryByRole('button', { name: 'Upgrade to the latest version' })).toBeNull();
  });

  it('says when a failed upgrade was rolled back by itself', async () => {
    const s = makeStore({ name: 'acme', status: 'Ready', status_reason: 'Upgrade failed: wordpress did not become ready; rolled back to revision 2', revision: 4 });
    serve(s);
    renderApp(`/stores/${s.id}`);
    const sec = await section();
    expect(await within(sec).findByText('The last change was undone')).toBeInTheDocument();
    expect(sec).toHaveTextContent('Upgrade failed: wordpress did not become ready; rolled back to revision 2. The store is Ready on the revision marked current.');
  });

  it('is not shown, and not loaded, while the store is still being set up', async () => {
    const s = makeStore({ name: 'young', status: 'Provisioning', steps_done: 2 });
    const { requests } = serve(s);
    renderApp(`/stores/${s.id}`);
    await screen.findByRole('heading', { name: 'young', level: 1 });
    await screen.findByRole('heading', { name: 'Timeline' });
    expect(screen.queryByRole('region', { name: 'Versions and revisions' })).toBeNull();
    expect(requests.some((r) => r.path.endsWith('/revisions'))).toBe(false);
  });

  it('shows an Upgrading store in the list as serving, with its progress', async () => {
    const s = makeStore({
      name: 'moving',
      status: 'Upgrading',
      status_reason: 'Upgrading to chart 1.5.0',
      url: 'http://moving.example',
      step: 'workloads',
      steps_done: 4,
      steps_total: 8,
      step_started_at: new Date(Date.now() - 30_000).toISOString(),
    });
    serve(s);
    renderApp('/');
    const row = await screen.findByRole('article', { name: 'moving' });
    expect(row).toHaveAttribute('data-status', 'Upgrading');
    expect(row.querySelector('span[data-status]')).toHaveTextContent('Status: Upgrading');
    expect(within(row).getByRole('link', { name: /Open storefront/ })).toHaveAttribute('href', 'http://moving.example');
    expect(within(row).getByRole('progressbar', { name: 'Upgrade progress of moving' })).toBeInTheDocument();
    expect(row).toHaveTextContent(/Step 5 of 8 · Starting the database and shop · (29|30|31) s elapsed/);
    expect(within(row).queryByText('Not ready yet')).toBeNull();
  });

  it('puts Helm statuses in words and keeps unknown ones', () => {
    expect(revisionStatusWords('pending-upgrade')).toBe('Being upgraded');
    expect(revisionStatusWords('something-new')).toBe('something-new');
  });
});
