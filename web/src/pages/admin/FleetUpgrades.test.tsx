import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me, Rollout, RolloutStore } from '../../api/types';
import { info, me } from '../../test/fixtures';
import { FakeEventSource, installServer, problem, type Handler, type Reply } from '../../test/http';
import { renderApp } from '../../test/render';
import { actionWords } from './AuditLog';
import { checkWholeNumber } from './FleetUpgrades';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const admin: Me = { ...me, id: 'a1', email: 'admin@example.com', role: 'admin' };

const storeRow = (over: Partial<RolloutStore>): RolloutStore => ({
  store_id: 's1',
  name: 'shop-1',
  state: 'pending',
  reason: null,
  started_at: null,
  finished_at: null,
  ...over,
});

function rollout(over: Partial<Rollout> = {}): Rollout {
  return {
    id: 'r1',
    engine: 'woocommerce',
    state: 'running',
    max_unavailable: 1,
    max_failures: 2,
    total: 4,
    pending: 1,
    upgrading: 1,
    succeeded: 1,
    failed: 1,
    skipped: 0,
    halt_reason: null,
    created_by_email: 'admin@example.com',
    created_at: '2025-03-01T10:00:00Z',
    updated_at: '2025-03-01T10:01:00Z',
    finished_at: null,
    stores: [
      storeRow({ store_id: 's1', name: 'shop-1', state: 'succeeded', started_at: '2025-03-01T10:00:01Z', finished_at: '2025-03-01T10:00:40Z' }),
      storeRow({ store_id: 's2', name: 'shop-2', state: 'failed', reason: 'wordpress did not become ready; rolled back to revision 1', started_at: '2025-03-01T10:00:41Z', finished_at: '2025-03-01T10:01:00Z' }),
      storeRow({ store_id: 's3', name: 'shop-3', state: 'upgrading', started_at: '2025-03-01T10:01:00Z' }),
      storeRow({ store_id: 's4', name: 'shop-4' }),
    ],
    ...over,
  };
}

function serve(routes: Record<string, Handler | Reply> = {}, asUser: Me = admin) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: asUser },
    'GET /stores': { body: { items: [] } },
    'GET /admin/fleet/upgrades': { body: { items: [] } },
    ...routes,
  });
}

describe('fleet upgrades: starting one', () => {
  it('explains each setting, offers the engines from /info and starts a rollout with the values given', async () => {
    const { requests } = serve({
      'POST /admin/fleet/upgrades': { status: 201, body: rollout({ id: 'r9', engine: 'medusa', total: 7 }) },
      'GET /admin/fleet/upgrades/r9': { body: rollout({ id: 'r9', engine: 'medusa', state: 'completed', finished_at: '2025-03-01T10:05:00Z' }) },
    });
    renderApp('/admin/fleet');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Fleet upgrades' }));
    expect(await screen.findByText('No fleet upgrade has been started yet.')).toBeInTheDocument();
    const form = screen.getByRole('region', { name: 'Start a fleet upgrade' });
    const engine = within(form).getByLabelText('Engine');
    expect(engine).toHaveValue('woocommerce');
    expect(within(engine).getAllByRole('option').map((o) => o.textContent)).toEqual(['WooCommerce', 'Medusa']);
    const unavailable = within(form).getByLabelText('Stores upgraded at a time');
    const failures = within(form).getByLabelText('Halt after this many failed stores');
    expect(unavailable).toHaveValue('1');
    expect(unavailable).toHaveAccessibleDescription(/1 to 50 \(max unavailable\)/);
    expect(failures).toHaveAccessibleDescription(/1 to 1,000 \(max failures\).*rolled back/);

    // The engine (jsdom has no keyboard for a select's list), then by keyboard: the two
    // numbers in tab order, and Enter submits.
    await user.selectOptions(engine, 'medusa');
    engine.focus();
    await user.tab();
    expect(unavailable).toHaveFocus();
    await user.keyboard('{Backspace}5');
    await user.tab();
    expect(failures).toHaveFocus();
    await user.keyboard('{Backspace}3{Enter}');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/admin/fleet/r9'));
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({ engine: 'medusa', max_unavailable: 5, max_failures: 3 });
    expect(await screen.findByRole('heading', { level: 1, name: 'Fleet upgrade of Medusa stores' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Fleet upgrade of 7 Medusa stores started.'));
  });

  it('refuses numbers out of range before sending', async () => {
    const { requests } = serve();
    renderApp('/admin/fleet');
    const user = userEvent.setup();
    const unavailable = await screen.findByLabelText('Stores upgraded at a time');
    const failures = screen.getByLabelText('Halt after this many failed stores');
    await user.clear(unavailable);
    await user.type(unavailable, '51');
    await user.clear(failures);
    await user.type(failures, '1.5');
    await user.click(screen.getByRole('button', { name: 'Start fleet upgrade' }));
    expect(unavailable).toHaveAccessibleDescription(/Enter a whole number from 1 to 50\./);
    expect(unavailable).toHaveAttribute('aria-invalid', 'true');
    expect(unavailable).toHaveFocus();
    expect(failures).toHaveAccessibleDescription(/Enter a whole number from 1 to 1,000\./);
    await user.clear(unavailable);
    await user.type(unavailable, '2');
    await user.click(screen.getByRole('button', { name: 'Start fleet upgrade' }));
    expect(failures).toHaveFocus();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('says when a rollout of the engine is already active, and links to it', async () => {
    serve({
      'GET /admin/fleet/upgrades': { body: { items: [rollout({ id: 'r5', state: 'paused' })] } },
      'POST /admin/fleet/upgrades': problem(409, 'rollout_active', 'a rollout is active'),
    });
    renderApp('/admin/fleet');
    const user = userEvent.setup();
    const list = await screen.findByRole('list', { name: 'Rollouts, newest first' });
    expect(within(list).getByRole('listitem')).toHaveTextContent('Paused');
    expect(within(list).getByRole('listitem')).toHaveTextContent('2 of 4 done · 1 failed · by admin@example.com');
    await user.click(screen.getByRole('button', { name: 'Start fleet upgrade' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('A fleet upgrade of the WooCommerce stores is already running or paused.');
    await user.click(within(alert).getByRole('link', { name: 'Open the paused rollout' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/admin/fleet/r5'));
  });

  it.each([
    [problem(409, 'nothing_to_upgrade', 'none'), 'Every WooCommerce store already runs the current chart and values'],
    [problem(422, 'validation_failed', 'bad', { field_errors: { max_failures: ['must be at most 1000'] } }), 'bad'],
    [problem(503, 'cluster_unavailable', 'kube down'), 'The Kubernetes cluster is not answering right now'],
  ])('shows the refusal %# in words', async (reply, words) => {
    serve({ 'POST /admin/fleet/upgrades': reply });
    renderApp('/admin/fleet');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Start fleet upgrade' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(words);
    if (words === 'bad') expect(screen.getByLabelText('Halt after this many failed stores')).toHaveAccessibleDescription(/must be at most 1000/);
  });

  it('keeps regular users out', async () => {
    serve({}, me);
    renderApp('/admin/fleet');
    expect(await screen.findByText('Administrators only')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Fleet upgrades' })).toBeNull();
  });
});

describe('fleet upgrades: one rollout', () => {
  it('shows live progress, links every store, and stops reading once it is complete', async () => {
    let reads = 0;
    const done = rollout({
      state: 'completed',
      pending: 0,
      upgrading: 0,
      succeeded: 3,
      finished_at: '2025-03-01T10:03:00Z',
      stores: rollout().stores!.map((s) => (s.state === 'failed' ? s : { ...s, state: 'succeeded' })),
    });
    const { requests } = serve({ 'GET /admin/fleet/upgrades/r1': () => ({ body: ++reads === 1 ? rollout() : done }) });
    renderApp('/admin/fleet/r1');
    expect(await screen.findByRole('heading', { level: 1, name: 'Fleet upgrade of WooCommerce stores' })).toBeInTheDocument();
    const bar = screen.getByRole('progressbar', { name: 'Fleet upgrade progress of WooCommerce stores' });
    expect(bar).toHaveAttribute('aria-valuenow', '2');
    expect(bar).toHaveAttribute('aria-valuemax', '4');
    expect(bar).toHaveAttribute('aria-valuetext', '2 of 4 stores done: 1 upgraded, 1 failed, 1 upgrading, 1 waiting');
    const counts = screen.getByTestId('rollout-counts');
    expect(within(counts).getByText('Upgraded').nextSibling).toHaveTextContent('1');
    const table = screen.getByRole('table', { name: 'Stores' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    expect(within(rows[1]!).getByRole('link', { name: 'shop-2' })).toHaveAttribute('href', '/stores/s2');
    expect(rows[1]).toHaveTextContent('Failed, rolled back');
    expect(rows[1]).toHaveTextContent('wordpress did not become ready; rolled back to revision 1');
    expect(rows[2]).toHaveTextContent('Upgrading');
    expect(rows[3]).toHaveTextContent('Waiting');

    // Read again every 2 s while running; the state change is announced.
    expect(await screen.findByText('Completed')).toBeInTheDocument();
    expect(bar).toHaveAttribute('aria-valuenow', '4');
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('The fleet upgrade is now completed.'));
    expect(screen.queryByRole('button', { name: /Pause|Resume|Cancel/ })).toBeNull();
    const after = requests.filter((r) => r.path === '/admin/fleet/upgrades/r1').length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(requests.filter((r) => r.path === '/admin/fleet/upgrades/r1')).toHaveLength(after);
  });

  it('pauses, resumes, and cancels after a confirmation that traps focus', async () => {
    let state: Rollout['state'] = 'running';
    const { requests } = serve({
      'GET /admin/fleet/upgrades/r1': () => ({ body: rollout({ state }) }),
      // The answers to actions leave out the per-store list: the page keeps the one it has.
      'POST /admin/fleet/upgrades/r1/pause': () => ((state = 'paused'), { body: { ...rollout({ state }), stores: undefined } }),
      'POST /admin/fleet/upgrades/r1/resume': () => ((state = 'running'), { body: { ...rollout({ state }), stores: undefined } }),
      'POST /admin/fleet/upgrades/r1/cancel': () => ((state = 'cancelled'), { body: { ...rollout({ state }), stores: undefined } }),
    });
    renderApp('/admin/fleet/r1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.getByText('No further store starts its upgrade until you resume.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'shop-1' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeInTheDocument();

    const cancel = screen.getByRole('button', { name: 'Cancel rollout…' });
    cancel.focus();
    await user.keyboard('{Enter}');
    const dialog = screen.getByRole('alertdialog', { name: 'Cancel this fleet upgrade?' });
    expect(dialog).toHaveAccessibleDescription(/1 store still waiting will not be upgraded/);
    expect(within(dialog).getByRole('button', { name: 'Keep it going' })).toHaveFocus();
    await user.tab();
    await user.tab();
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Keep it going' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(cancel).toHaveFocus();
    expect(requests.some((r) => r.path.endsWith('/cancel'))).toBe(false);

    await user.keyboard('{Enter}');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel rollout' }));
    expect(await screen.findByText('Cancelled')).toBeInTheDocument();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.queryByRole('button', { name: /Pause|Resume|Cancel rollout/ })).toBeNull();
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/admin/fleet/upgrades/r1/pause',
      '/admin/fleet/upgrades/r1/resume',
      '/admin/fleet/upgrades/r1/cancel',
    ]);
  });

  it('says when an action no longer fits the state (409 invalid_rollout_state)', async () => {
    serve({
      'GET /admin/fleet/upgrades/r1': { body: rollout() },
      'POST /admin/fleet/upgrades/r1/pause': problem(409, 'invalid_rollout_state', 'not running'),
    });
    renderApp('/admin/fleet/r1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The rollout has moved on in the meantime');
  });

  it('shows why a rollout halted', async () => {
    serve({ 'GET /admin/fleet/upgrades/r1': { body: rollout({ state: 'halted', failed: 2, halt_reason: '2 stores failed (max failures 2)' }) } });
    renderApp('/admin/fleet/r1');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The rollout halted');
    expect(alert).toHaveTextContent('2 stores failed (max failures 2)');
    expect(screen.queryByRole('button', { name: /Pause|Resume|Cancel/ })).toBeNull();
  });

  it('says when there is no such rollout', async () => {
    serve({ 'GET /admin/fleet/upgrades/nope': problem(404, 'not_found', 'no such rollout') });
    renderApp('/admin/fleet/nope');
    expect(await screen.findByText('Rollout not found')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Fleet upgrades', current: false })).toBeInTheDocument();
  });
});

describe('checkWholeNumber', () => {
  it('accepts whole numbers in range only', () => {
    expect(checkWholeNumber('1', 1, 50)).toBeNull();
    expect(checkWholeNumber(' 50 ', 1, 50)).toBeNull();
    for (const bad of ['0', '51', '', '-1', '1.5', '1e1', 'two']) expect(checkWholeNumber(bad, 1, 50)).toMatch(/whole number from 1 to 50/);
  });
});

describe('audit log words for upgrades', () => {
  it('names the upgrade, rollback and fleet actions', () => {
    expect(actionWords('store.rollback')).toBe('Rolled back a store');
    expect(actionWords('fleet.upgrade_cancel')).toBe('Cancelled a fleet upgrade');
  });
});
