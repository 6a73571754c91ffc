// Issue 13: the store page in an owner's words — checkout not verified is visible, setup
// is not alarming, Kubernetes names sit under "Technical details", phone reading order.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer } from '../test/http';
import { renderApp } from '../test/render';

// The page is loaded lazily; load it once up front so that a busy machine does not spend
// the first test's wait on compiling it.
beforeAll(async () => {
  await import('./StoreDetails');
}, 60_000);
beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const SKIPPED =
  "Checkout verification skipped: no test order was placed, so the store's checkout is untested (verification is turned off: STOREFLEET_CHECKOUT_VERIFY=off)";

function serve(store: Store, events: unknown[], health: unknown, who = me) {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: who },
    'GET /stores': { body: { items: [store] } },
    [`GET /stores/${store.id}`]: { body: store },
    [`GET /stores/${store.id}/events`]: { body: { items: events } },
    [`GET /stores/${store.id}/health`]: { body: health },
  });
}

const healthy = { healthy: true, checked_at: '2025-01-01T12:05:00Z', components: [{ name: 'mariadb', ready: true, message: '' }] };

describe('store page words (issue 13)', () => {
  it('says a Ready store’s checkout was not verified, in words, with the setting only for operators', async () => {
    const s = makeStore({ name: 'unverified', status: 'Ready', status_reason: 'Ready', ready_at: '2025-01-01T12:01:10Z', url: 'http://u.stores.localhost', checkout_verified: false });
    serve(
      s,
      [
        { at: '2025-01-01T12:00:00Z', level: 'info', step: 'verify', message: 'Verifying checkout with a test order' },
        { at: '2025-01-01T12:00:01Z', level: 'warning', step: 'verify', message: SKIPPED },
        { at: '2025-01-01T12:00:02Z', level: 'info', step: 'ready', message: 'Store is ready' },
      ],
      healthy,
    );
    renderApp(`/stores/${s.id}`);
    const alert = await screen.findByText('Ready · checkout not verified');
    const box = alert.closest('[role]') as HTMLElement;
    expect(box).toHaveTextContent('nobody has checked yet that customers can pay');
    // The setting name is inside the operators' disclosure, not in the owner's sentence.
    const operators = within(box).getByText('For operators').closest('details')!;
    expect(operators).not.toHaveAttribute('open');
    // The setting's name comes from the store's events, read alongside.
    await waitFor(() => expect(operators).toHaveTextContent('STOREFLEET_CHECKOUT_VERIFY=off'));
    expect(box.querySelector('p')).not.toHaveTextContent('STOREFLEET_');
    // Next to the status badge, too.
    const heading = screen.getByRole('heading', { level: 1, name: 'unverified' });
    expect(heading.parentElement!.querySelector('[data-checkout="not-verified"]')).toHaveTextContent('checkout not verified');
    // "Ready" is said once: the badge, not a reason line repeating it.
    expect(heading.parentElement!.parentElement!.querySelectorAll('p')).toHaveLength(0);
    // The timeline words it for people.
    const timeline = await screen.findByRole('list', { name: /Provisioning events/ });
    expect(timeline).toHaveTextContent('Checkout was not tested');
    expect(timeline).not.toHaveTextContent('STOREFLEET_CHECKOUT_VERIFY');
  });

  it('does not warn when checkout was verified', async () => {
    const s = makeStore({ name: 'verified', status: 'Ready', status_reason: 'Ready', ready_at: '2025-01-01T12:01:10Z', checkout_verified: true });
    serve(s, [{ at: '2025-01-01T12:00:01Z', level: 'info', step: 'verify', message: 'Checkout verified: order #12 for "Mug" is processing' }], healthy);
    renderApp(`/stores/${s.id}`);
    await screen.findByRole('list', { name: /Provisioning events/ });
    expect(screen.queryByText('Ready · checkout not verified')).toBeNull();
    expect(document.querySelector('[data-checkout]')).toBeNull();
  });

  it('shows components not created yet neutrally while the store is being set up', async () => {
    const s = makeStore({ name: 'building', status: 'Provisioning', step: 'workloads', steps_done: 5, status_reason: 'Waiting for the database and WordPress' });
    serve(s, [], {
      healthy: false,
      checked_at: '2025-01-01T12:05:00Z',
      components: [
        { name: 'mariadb', ready: false, message: 'not created' },
        { name: 'wordpress', ready: false, message: '0/1 pods ready' },
      ],
    });
    renderApp(`/stores/${s.id}`);
    const list = await screen.findByRole('list', { name: 'Components' });
    expect(list).toHaveTextContent('mariadb — not started yet');
    expect(list).toHaveTextContent('wordpress — starting');
    expect(screen.queryByText('Some components are not ready')).toBeNull();
    expect(screen.getByText(/Still being set up/)).toBeInTheDocument();
  });

  it('warns about parts not ready once the store is Ready, and about real failures during setup', async () => {
    const s = makeStore({ name: 'broken', status: 'Provisioning', step: 'workloads', steps_done: 5 });
    serve(s, [], {
      healthy: false,
      checked_at: '2025-01-01T12:05:00Z',
      components: [{ name: 'wordpress', ready: false, message: 'CrashLoopBackOff' }],
    });
    renderApp(`/stores/${s.id}`);
    const list = await screen.findByRole('list', { name: 'Components' });
    expect(list).toHaveTextContent('wordpress — not ready');
    expect(screen.getByText('Some components are not ready')).toBeInTheDocument();
  });

  it('speaks of steps in words and keeps namespace, release and Pod Security under Technical details', async () => {
    const s = makeStore({ name: 'words', status: 'Provisioning', step: 'release', steps_done: 3, namespace: 'store-abc12345' });
    serve(
      s,
      [
        { at: '2025-01-01T12:00:00Z', level: 'info', step: 'namespace', message: 'Creating namespace store-abc12345' },
        { at: '2025-01-01T12:00:02Z', level: 'info', step: 'namespace', message: 'Namespace store-abc12345 is ready (Pod Security: restricted)', duration_ms: 2000 },
        { at: '2025-01-01T12:00:03Z', level: 'info', step: 'release', message: 'Installing release words' },
      ],
      { healthy: false, checked_at: '2025-01-01T12:05:00Z', components: [] },
    );
    renderApp(`/stores/${s.id}`);
    const timeline = await screen.findByRole('list', { name: /Provisioning events/ });
    await waitFor(() => expect(within(timeline).getAllByRole('listitem')).toHaveLength(3));
    expect(timeline).toHaveTextContent('Setting up an isolated space');
    expect(timeline).toHaveTextContent('Installing your store');
    expect(timeline).not.toHaveTextContent(/Pod Security|release words|store-abc12345/);
    expect(screen.getByText(/Step 4 of 8 · Installing your store/)).toBeInTheDocument();
    const tech = screen.getByTestId('technical-details');
    expect(tech.tagName).toBe('DETAILS');
    expect(tech).not.toHaveAttribute('open');
    expect(tech).toHaveTextContent('store-abc12345');
    expect(tech).toHaveTextContent('Namespace store-abc12345 is ready (Pod Security: restricted)');
    expect(tech).toHaveTextContent('Installing release words');
    expect(within(tech).getByText('Technical details').tagName).toBe('SUMMARY');
  });

  it('opens Technical details for admins', async () => {
    const s = makeStore({ name: 'adminview', status: 'Ready', status_reason: 'Ready' });
    serve(s, [], healthy, { ...me, role: 'admin' });
    renderApp(`/stores/${s.id}`);
    await screen.findByRole('heading', { level: 1, name: 'adminview' });
    await waitFor(() => expect(screen.getByTestId('technical-details')).toHaveAttribute('open'));
  });

  it('puts credentials and health before the timeline in reading order (phones), with durations that do not wrap', async () => {
    const s = makeStore({ name: 'order', status: 'Ready', status_reason: 'Ready' });
    serve(s, [{ at: '2025-01-01T12:00:00Z', level: 'info', step: 'ready', message: 'Store is ready', duration_ms: 61000 }], healthy);
    renderApp(`/stores/${s.id}`);
    const timelineHeading = await screen.findByRole('heading', { name: 'Timeline' });
    const credentials = screen.getByRole('heading', { name: 'Admin credentials' });
    const health = screen.getByRole('heading', { name: 'Health' });
    const before = (a: Element, b: Element) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    expect(before(credentials, timelineHeading)).toBe(true);
    expect(before(health, timelineHeading)).toBe(true);
    const took = await screen.findByText('took 1 min 1 s');
    expect(took).toHaveClass('whitespace-nowrap', 'tabular-nums');
  });
});
