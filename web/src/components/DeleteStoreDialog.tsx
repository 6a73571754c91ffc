// Deleting a store is final, so the person types the store's name to confirm.
import { useRef, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import type { Store } from '../api/types';
import { Dialog } from './Dialog';
import { Alert, Button, TextField } from './ui';

export function DeleteStoreDialog({
  store,
  open,
  onClose,
  onDeleted,
}: {
  store: Pick<Store, 'id' | 'name'>;
  open: boolean;
  onClose: () => void;
  onDeleted: (store: Store) => void;
}) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const matches = typed === store.name;

  function close() {
    setTyped('');
    setError(null);
    onClose();
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await api.del<Store>(`/stores/${encodeURIComponent(store.id)}`);
      setTyped('');
      onDeleted(updated);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={busy}
      role="alertdialog"
      size="sm"
      initialFocus={inputRef}
      title={`Delete ${store.name}?`}
      description="The store, its database, uploads and everything else in its namespace will be removed for good. This cannot be undone."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <TextField
          ref={inputRef}
          label={
            <>
              Type <span className="font-mono font-semibold select-all">{store.name}</span> to confirm
            </>
          }
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={!matches} loading={busy}>
            Delete store
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
