import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeStore } from '../test/fixtures';
import { installServer, problem } from '../test/http';
import { DeleteStoreDialog } from './DeleteStoreDialog';

afterEach(() => vi.unstubAllGlobals());

function Harness({ onDeleted }: { onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Delete…</button>
      <DeleteStoreDialog store={{ id: 's1', name: 'acme-shop' }} open={open} onClose={() => setOpen(false)} onDeleted={onDeleted} />
    </>
  );
}

describe('delete confirmation', () => {
  it('deletes only after the exact store name is typed', async () => {
    const { requests } = installServer({ 'DELETE /stores/s1': { status: 202, body: makeStore({ id: 's1', name: 'acme-shop', status: 'Deleting' }) } });
    const onDeleted = vi.fn();
    render(<Harness onDeleted={onDeleted} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Delete…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete acme-shop?' });
    expect(dialog).toHaveAccessibleDescription(/cannot be undone/);
    const input = screen.getByLabelText('Type acme-shop to confirm');
    expect(input).toHaveFocus();
    const confirm = screen.getByRole('button', { name: 'Delete store' });
    expect(confirm).toBeDisabled();
    await user.type(input, 'acme-sho');
    expect(confirm).toBeDisabled();
    await user.keyboard('{Enter}');
    expect(requests).toHaveLength(0);
    await user.type(input, 'p');
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith(expect.objectContaining({ status: 'Deleting' })));
    expect(requests[0]).toMatchObject({ method: 'DELETE', path: '/stores/s1' });
  });

  it('keeps focus inside, closes on Escape and gives focus back to the opener', async () => {
    installServer({});
    render(<Harness onDeleted={() => {}} />);
    const user = userEvent.setup();
    const opener = screen.getByRole('button', { name: 'Delete…' });
    await user.click(opener);
    const dialog = screen.getByRole('alertdialog');
    for (let i = 0; i < 6; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    await user.tab({ shift: true });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(opener).toHaveFocus();
  });

  it('shows a server error inside the dialog', async () => {
    installServer({ 'DELETE /stores/s1': problem(403, 'forbidden', 'This store belongs to another user.') });
    render(<Harness onDeleted={() => {}} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Delete…' }));
    await user.type(screen.getByLabelText('Type acme-shop to confirm'), 'acme-shop');
    await user.click(screen.getByRole('button', { name: 'Delete store' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('belongs to another user');
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
  });
});
