import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeStore } from '../test/fixtures';
import { installServer, problem } from '../test/http';
import { OpenWpAdmin } from './OpenWpAdmin';

afterEach(() => vi.unstubAllGlobals());

function fakeTab() {
  return { opener: {} as unknown, closed: false, close: vi.fn(), location: { href: '' }, document: { title: '', body: { textContent: '' } } };
}

const LINK = 'http://acme-shop.stores.localhost/wp-login.php?storefleet_login=abc.def';

describe('Open WP Admin', () => {
  it('opens the tab in the click, then points it at the login link', async () => {
    const { requests } = installServer({
      'POST /stores/s1/admin-login': { body: { url: LINK, expires_at: '2026-01-01T00:01:00Z' } },
    });
    const tab = fakeTab();
    const openSpy = vi.fn(() => tab);
    vi.stubGlobal('open', openSpy);
    render(<OpenWpAdmin store={makeStore({ id: 's1', name: 'acme-shop', status: 'Ready', engine: 'woocommerce' })} />);
    const button = screen.getByRole('button', { name: /Open WP Admin/ });
    expect(button).toHaveAccessibleDescription(/new tab, signed in/);
    button.focus();
    await userEvent.setup().keyboard('{Enter}');
    expect(openSpy).toHaveBeenCalledWith('', '_blank');
    await waitFor(() => expect(tab.location.href).toBe(LINK));
    expect(tab.opener).toBeNull();
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/stores/s1/admin-login' });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('closes the tab and says why when the platform refuses', async () => {
    installServer({ 'POST /stores/s1/admin-login': problem(409, 'not_ready', 'This store has no login key yet: rotate its credentials once to add one.') });
    const tab = fakeTab();
    vi.stubGlobal('open', vi.fn(() => tab));
    render(<OpenWpAdmin store={makeStore({ id: 's1', status: 'Ready', engine: 'woocommerce' })} />);
    await userEvent.setup().click(screen.getByRole('button', { name: /Open WP Admin/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This store has no login key yet: rotate its credentials once to add one.');
    expect(tab.close).toHaveBeenCalled();
    expect(tab.location.href).toBe('');
  });

  it('offers the link when the browser blocks the tab', async () => {
    installServer({ 'POST /stores/s1/admin-login': { body: { url: LINK, expires_at: '2026-01-01T00:01:00Z' } } });
    vi.stubGlobal('open', vi.fn(() => null));
    render(<OpenWpAdmin store={makeStore({ id: 's1', status: 'Ready', engine: 'woocommerce' })} />);
    await userEvent.setup().click(screen.getByRole('button', { name: /Open WP Admin/ }));
    expect(await screen.findByRole('link', { name: 'Open WP Admin now' })).toHaveAttribute('href', LINK);
  });

  it('is absent for stores that are not Ready and for Medusa stores', () => {
    installServer({});
    const { rerender } = render(<OpenWpAdmin store={makeStore({ status: 'Provisioning', engine: 'woocommerce' })} />);
    expect(screen.queryByRole('button', { name: /Open WP Admin/ })).toBeNull();
    rerender(<OpenWpAdmin store={makeStore({ status: 'Ready', engine: 'medusa' })} />);
    expect(screen.queryByRole('button', { name: /Open WP Admin/ })).toBeNull();
  });
});
