// "New store" at the quota: refuses with a visible reason tied to the button, and comes
// back by itself when a store's deletion starts (the stores stream moves the count).
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { info, makeStore, me } from '../test/fixtures';
import { FakeEventSource, installServer } from '../test/http';
import { renderApp } from '../test/render';

beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.reset();
});

describe('new store at the quota', () => {
  it('is disabled with an explanation, and enabled again once a deletion starts', async () => {
    const a = makeStore({ name: 'first', status: 'Ready', status_reason: 'Ready' });
    const b = makeStore({ name: 'second', status: 'Ready', status_reason: 'Ready' });
    installServer({
      'GET /info': { body: info },
      'GET /me': { body: { ...me, store_quota: 2, stores_active: 2 } },
      'GET /stores': { body: { items: [a, b] } },
    });
    renderApp('/');
    await screen.findByRole('article', { name: 'first' });
    const button = screen.getByRole('button', { name: 'New store' });
    expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(button).toHaveAccessibleDescription(/Store quota reached\. You have 2 of 2 stores\. Delete a store you no longer need/);
    expect(screen.getByTestId('quota-note')).not.toHaveTextContent(/waiting/i);
    const user = userEvent.setup();
    await user.click(button);
    expect(screen.queryByRole('dialog')).toBeNull();
    // Keyboard users reach it and hear why.
    button.focus();
    expect(button).toHaveFocus();

    const es = FakeEventSource.latest();
    act(() => es.open());
    act(() => es.emit('store', { ...a, status: 'Deleting', status_reason: 'Deleting', updated_at: '2030-01-01T00:00:00Z' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'New store' })).not.toHaveAttribute('aria-disabled'));
    expect(screen.getByText('1 of 2 stores')).toBeInTheDocument();
    expect(screen.queryByTestId('quota-note')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'New store' }));
    expect(await screen.findByRole('dialog', { name: 'New store' })).toBeInTheDocument();
  });
});
