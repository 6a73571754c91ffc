import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../api/types';
import { info, makeStore, me } from '../test/fixtures';
import { installServer, problem, type Handler } from '../test/http';
import { CreateStoreForm } from './CreateStoreForm';

afterEach(() => vi.unstubAllGlobals());

function setup(handler: Handler, who: Me = me) {
  const server = installServer({ 'POST /stores': handler });
  const onCreated = vi.fn();
  const onQuotaExceeded = vi.fn();
  render(<CreateStoreForm info={info} me={who} onCreated={onCreated} onCancel={() => {}} onQuotaExceeded={onQuotaExceeded} />);
  return { ...server, onCreated, onQuotaExceeded, user: userEvent.setup() };
}

const nameInput = () => screen.getByLabelText('Store name');

describe('CreateStoreForm', () => {
  it('validates the name as it is typed and explains the rule', async () => {
    const { user } = setup(() => ({ status: 202 }));
    await user.type(nameInput(), 'Acme');
    expect(nameInput()).toHaveAttribute('aria-invalid', 'true');
    expect(nameInput()).toHaveAccessibleDescription(/lowercase letters only/i);
    await user.clear(nameInput());
    await user.type(nameInput(), 'ac');
    expect(screen.getByText(/at least 3 characters \(it has 2\)/)).toBeInTheDocument();
    await user.type(nameInput(), 'me-');
    expect(screen.getByText(/must end with a letter or a digit/)).toBeInTheDocument();
    await user.type(nameInput(), 'shop');
    expect(nameInput()).not.toHaveAttribute('aria-invalid');
    expect(screen.getByText('starts with a letter').closest('li')).toHaveAttribute('data-ok', 'true');
  });

  it('proposes a valid name in one click and shows the address with its random suffix (issue 13)', async () => {
    const { user, requests } = setup(() => ({ status: 202, body: makeStore({ name: 'my-store' }) }));
    await user.type(nameInput(), 'My Store!');
    expect(nameInput()).toHaveAttribute('aria-invalid', 'true');
    // No list of characters to remove…
    expect(screen.queryByText(/remove/)).toBeNull();
    // …but a name that works, one click away.
    const suggestion = screen.getByTestId('name-suggestion');
    expect(suggestion).toHaveTextContent('Try my-store');
    expect(screen.getByTestId('address-preview')).toHaveTextContent('my-store-‹5 random letters and digits›.stores.localhost');
    await user.click(screen.getByRole('button', { name: 'Use “my-store”' }));
    expect(nameInput()).toHaveValue('my-store');
    expect(nameInput()).not.toHaveAttribute('aria-invalid');
    expect(nameInput()).toHaveFocus();
    expect(screen.queryByTestId('name-suggestion')).toBeNull();
    expect(screen.getByTestId('address-preview')).toHaveTextContent(/^Address: my-store-‹5 random letters and digits›\.stores\.localhost/);
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]!.body).toMatchObject({ name: 'my-store' });
  });

  it('reaches the suggestion by keyboard', async () => {
    const { user } = setup(() => ({ status: 202 }));
    await user.type(nameInput(), 'Big Deal');
    await user.tab();
    expect(screen.getByRole('button', { name: 'Use “big-deal”' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(nameInput()).toHaveValue('big-deal');
  });

  it('offers the engines the server lists, its default first chosen', () => {
    setup(() => ({ status: 202 }));
    const select = screen.getByLabelText('Engine') as HTMLSelectElement;
    expect(select.value).toBe('woocommerce');
    expect([...select.options].map((o) => o.textContent)).toEqual(['WooCommerce (default)', 'Medusa']);
  });

  it('does not send an invalid name', async () => {
    const { user, requests } = setup(() => ({ status: 202 }));
    await user.type(nameInput(), '1bad');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    expect(requests).toHaveLength(0);
    expect(nameInput()).toHaveFocus();
  });

  it('creates the store with an Idempotency-Key and hands it back at once', async () => {
    const store = makeStore({ name: 'acme-shop' });
    const { user, requests, onCreated } = setup(() => ({ status: 202, body: store }));
    await user.type(nameInput(), 'acme-shop');
    await user.type(screen.getByLabelText(/Custom domain/), 'shop.example.com');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(store));
    expect(requests[0]!.body).toEqual({ name: 'acme-shop', engine: 'woocommerce', domain: 'shop.example.com' });
    expect(requests[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends an optional display name, trimmed, and puts its server error on its field (issue 13)', async () => {
    let calls = 0;
    const { user, requests, onCreated } = setup(() =>
      ++calls === 1
        ? problem(422, 'validation_failed', 'invalid', { field_errors: { display_name: ['must not contain control characters (found U+0007)'] } })
        : { status: 202, body: makeStore({ name: 'acme-shop', display_name: 'Acme Coffee' }) },
    );
    await user.type(nameInput(), 'acme-shop');
    const display = screen.getByLabelText(/Display name/);
    expect(display).toHaveAccessibleDescription(/You can change it later/);
    await user.type(display, '  Acme Coffee  ');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    expect(await screen.findByText('must not contain control characters (found U+0007)')).toBeInTheDocument();
    expect(display).toHaveAttribute('aria-invalid', 'true');
    expect(display).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(requests.map((r) => r.body)).toEqual([
      { name: 'acme-shop', engine: 'woocommerce', display_name: 'Acme Coffee' },
      { name: 'acme-shop', engine: 'woocommerce', display_name: 'Acme Coffee' },
    ]);
  });

  it('sends one request for a double click', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { user, requests, onCreated } = setup(async () => {
      await gate;
      return { status: 202, body: makeStore() };
    });
    await user.type(nameInput(), 'acme-shop');
    await user.dblClick(screen.getByRole('button', { name: 'Create store' }));
    await user.keyboard('{Enter}');
    release();
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(requests).toHaveLength(1);
  });

  it('reuses the same Idempotency-Key when the same submission is retried after a lost answer', async () => {
    let calls = 0;
    const { user, requests, onCreated } = setup(() => (++calls === 1 ? 'network-error' : { status: 202, body: makeStore() }));
    await user.type(nameInput(), 'acme-shop');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    expect(await screen.findByText(/Submitting again is safe/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(requests[1]!.headers['idempotency-key']).toBe(requests[0]!.headers['idempotency-key']);
  });

  it('uses a new key when the body changes', async () => {
    const { user, requests } = setup(() => problem(409, 'conflict', 'name taken among your live stores'));
    await user.type(nameInput(), 'acme-shop');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await screen.findByText(/name taken/);
    await user.type(nameInput(), '-two');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[1]!.headers['idempotency-key']).not.toBe(requests[0]!.headers['idempotency-key']);
  });

  it('puts server field errors on the right field', async () => {
    const { user } = setup(() =>
      problem(422, 'validation_failed', 'domain: not allowed', { field_errors: { domain: ['must not be under the platform domain'] } }),
    );
    await user.type(nameInput(), 'acme-shop');
    await user.type(screen.getByLabelText(/Custom domain/), 'x.stores.localhost');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    const domain = screen.getByLabelText(/Custom domain/);
    await waitFor(() => expect(domain).toHaveAccessibleDescription(/must not be under the platform domain/));
    expect(domain).toHaveAttribute('aria-invalid', 'true');
    expect(domain).toHaveFocus();
    expect(nameInput()).not.toHaveAttribute('aria-invalid');
  });

  it('puts a taken domain (409 without field errors) on the domain field', async () => {
    const { user } = setup(() => problem(409, 'conflict', 'domain shop.example.com is already used'));
    await user.type(nameInput(), 'acme-shop');
    await user.type(screen.getByLabelText(/Custom domain/), 'shop.example.com');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(screen.getByLabelText(/Custom domain/)).toHaveAccessibleDescription(/already used/));
  });

  it('explains a reached quota, with usage and what to do', async () => {
    const { user, onQuotaExceeded } = setup(() => problem(429, 'quota_exceeded', 'store quota reached'), { ...me, store_quota: 2, stores_active: 1 });
    await user.type(nameInput(), 'acme-shop');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Store quota reached');
    expect(alert).toHaveTextContent('You have 2 of 2 stores.');
    expect(alert).toHaveTextContent(/Delete a store/);
    expect(alert).toHaveTextContent('its slot frees as soon as the deletion starts');
    expect(alert).not.toHaveTextContent(/waiting/i);
    expect(onQuotaExceeded).toHaveBeenCalled();
  });

  it('drops the quota refusal by itself when a slot frees up', async () => {
    const server = installServer({ 'POST /stores': () => problem(429, 'quota_exceeded', 'store quota reached') });
    const props = { info, onCreated: vi.fn(), onCancel: () => {} };
    const { rerender } = render(<CreateStoreForm {...props} me={{ ...me, store_quota: 2, stores_active: 2 }} />);
    const user = userEvent.setup();
    await user.type(nameInput(), 'acme-shop');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Store quota reached'));
    expect(server.requests).toHaveLength(1);
    // The stores stream says one is being deleted: the count drops, the alert goes.
    rerender(<CreateStoreForm {...props} me={{ ...me, store_quota: 2, stores_active: 1 }} />);
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('warns before submitting when the quota is already used up', () => {
    setup(() => ({ status: 202 }), { ...me, store_quota: 3, stores_active: 3 });
    expect(screen.getByRole('alert')).toHaveTextContent('You have 3 of 3 stores');
  });

  it('explains a rate limit with when to try again, and waits', async () => {
    const { user } = setup(() => problem(429, 'rate_limited', 'too many', { headers: { 'retry-after': '42' } }));
    await user.type(nameInput(), 'acme-shop');
    await user.click(screen.getByRole('button', { name: 'Create store' }));
    expect(await screen.findByText(/^Try again in (42|41) s\.$/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Try again in (42|41) s$/ })).toBeDisabled();
  });
});
