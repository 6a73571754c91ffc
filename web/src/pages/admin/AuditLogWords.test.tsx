// Issue 13: the audit log in words, filters in the address, a phone layout, a natural end.
import { render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useNavigate } from 'react-router';
import { App } from '../../App';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent, Me } from '../../api/types';
import { info, me } from '../../test/fixtures';
import { FakeEventSource, installServer } from '../../test/http';
import { LocationProbe, renderApp } from '../../test/render';

function Back() {
  const navigate = useNavigate();
  return (
    <button type="button" onClick={() => void navigate(-1)}>
      test-back
    </button>
  );
}
import { actionWords, detailsText, targetText } from './AuditLog';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

const admin: Me = { ...me, id: 'a1', email: 'admin@example.com', role: 'admin' };
const events: AuditEvent[] = [
  {
    id: 3,
    at: '2025-01-03T10:00:00Z',
    actor_id: 'a1',
    actor_email: 'admin@example.com',
    action: 'admin.user_update',
    target_type: 'user',
    target_id: 'u2',
    ip: '127.0.0.1',
    details: { email: 'bob@example.com', before: { role: 'user', store_quota: 5 }, after: { role: 'user', store_quota: 8 } },
  },
  {
    id: 2,
    at: '2025-01-03T09:00:00Z',
    actor_id: 'u2',
    actor_email: 'bob@example.com',
    action: 'store.delete',
    target_type: 'store',
    target_id: '5e9110a4-0000-4000-8000-000000000001',
    ip: '127.0.0.1',
    details: { name: 'bobs-shop', status_before: 'Ready' },
  },
  { id: 1, at: '2025-01-03T08:00:00Z', actor_id: 'u2', actor_email: 'bob@example.com', action: 'store.retry', target_type: 'store', target_id: '77aa0000-0000-4000-8000-000000000001', ip: null, details: {} },
];

function serve() {
  return installServer({
    'GET /info': { body: info },
    'GET /me': { body: admin },
    'GET /stores': { body: { items: [] } },
    'GET /admin/users': { body: { items: [{ id: 'u2', email: 'bob@example.com', role: 'user', store_quota: 8, stores_active: 0, created_at: '2025-01-01T00:00:00Z' }] } },
    'GET /audit-events?limit=50': { body: { items: events } },
    'GET /audit-events?limit=50&action=store.delete': { body: { items: [events[1]] } },
    'GET /audit-events?limit=50&action=store.delete&actor_id=u2': { body: { items: [events[1]] } },
  });
}

describe('audit log in words (issue 13)', () => {
  it('words actions, details and targets', () => {
    expect(actionWords('admin.user_update')).toBe('Changed user settings');
    expect(actionWords('something.new')).toBe('something.new');
    expect(detailsText({ after: { role: 'user', store_quota: 8 } })).toBe('after: role: user, store quota: 8');
    expect(detailsText(events[0]!.details, ['email'])).toBe('store quota: 5 → 8');
    expect(targetText(events[1]!)).toEqual({ text: 'Store bobs-shop', usedKey: 'name' });
    expect(targetText(events[2]!).text).toBe('Store (id 77aa0000)');
  });

  it('shows the log readably, wraps details, and ends with "No older entries."', async () => {
    serve();
    renderApp('/admin/audit');
    const table = await screen.findByRole('table', {}, { timeout: 5000 });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toHaveTextContent('Changed user settings');
    expect(rows[1]).toHaveTextContent('User bob@example.com');
    expect(rows[1]).toHaveTextContent('store quota: 5 → 8');
    expect(rows[1]).not.toHaveTextContent(/[{}"]/);
    expect(rows[2]).toHaveTextContent('Deleted a store');
    expect(rows[2]).toHaveTextContent('Store bobs-shop');
    expect(rows[2]).toHaveTextContent('status before: Ready');
    expect(rows[3]).toHaveTextContent('Store (id 77aa0000)');
    // Details wrap instead of being cut off.
    const details = within(rows[1]!).getAllByRole('cell').find((c) => c.dataset.label === 'Details')!;
    expect(details.className).toMatch(/break-words/);
    expect(details.className).not.toMatch(/truncate/);
    // Phones: every cell carries its label for the stacked card.
    for (const cell of within(rows[1]!).getAllByRole('cell')) expect(cell.dataset.label).toBeTruthy();
    expect(rows[1]!.className).toMatch(/(^|\s)block(\s|$)/);
    expect(screen.getByText('No older entries.')).toBeInTheDocument();
    expect(screen.queryByText('That is the beginning of the log.')).toBeNull();
    // The filter offers actions in words; the value sent stays the code.
    const option = within(screen.getByLabelText('Action')).getByRole('option', { name: 'Changed user settings' });
    expect(option).toHaveValue('admin.user_update');
  });

  it('keeps the filters in the address, so back and forward work', async () => {
    const { requests } = serve();
    render(
      <MemoryRouter initialEntries={['/admin/audit']}>
        <App />
        <Routes>
          <Route path="*" element={<><LocationProbe /><Back /></>} />
        </Routes>
      </MemoryRouter>,
    );
    await screen.findByRole('table', {}, { timeout: 5000 });
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Action'), 'store.delete');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/admin/audit?action=store.delete'));
    await user.selectOptions(screen.getByLabelText('Actor'), 'bob@example.com');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/admin/audit?action=store.delete&actor=u2'));
    expect(requests.map((r) => r.path)).toContain('/audit-events?limit=50&action=store.delete&actor_id=u2');
    await user.click(screen.getByRole('button', { name: 'test-back' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/admin\/audit\?action=store\.delete$/));
    expect(screen.getByLabelText('Actor')).toHaveValue('');
    expect(screen.getByLabelText('Action')).toHaveValue('store.delete');
    await user.click(screen.getByRole('button', { name: 'test-back' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/admin\/audit$/));
    expect(screen.getByLabelText('Action')).toHaveValue('');
  });

  it('starts from filters in the address', async () => {
    const { requests } = serve();
    renderApp('/admin/audit?action=store.delete');
    await screen.findByRole('table', {}, { timeout: 5000 });
    expect(screen.getByLabelText('Action')).toHaveValue('store.delete');
    await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2));
    expect(requests.map((r) => r.path)).toContain('/audit-events?limit=50&action=store.delete');
    expect(requests.map((r) => r.path)).not.toContain('/audit-events?limit=50');
  });
});
