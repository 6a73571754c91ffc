// Rename a store: its display name (what the owner calls it) changes; the address name,
// part of its domain and namespace, stays. An empty name removes the display name.
import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import type { Store, StorePatch } from '../api/types';
import { useAnnounce } from '../state/announcer';
import { Dialog } from './Dialog';
import { Alert, Button, TextField } from './ui';

export const DISPLAY_NAME_MAX = 80;

/** The client-side check of a display name (the server checks the same). */
export function checkDisplayName(value: string): string | null {
  const trimmed = value.trim();
  if ([...trimmed].length > DISPLAY_NAME_MAX) return `At most ${DISPLAY_NAME_MAX} characters (this has ${[...trimmed].length}).`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) return 'No tabs, line breaks or other control characters.';
  return null;
}

export function StoreRename({ store, onRenamed }: { store: Store; onRenamed: (s: Store) => void }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const announce = useAnnounce();

  function start() {
    setValue(store.display_name ?? '');
    setError(null);
    setOpen(true);
  }

  async function save(next: string | null) {
    const local = next == null ? null : checkDisplayName(next);
    if (local) {
      setError(local);
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: StorePatch = { display_name: next && next.trim() ? next.trim() : null };
      const s = await api.patch<Store>(`/stores/${encodeURIComponent(store.id)}`, body);
      onRenamed(s);
      setOpen(false);
      announce(s.display_name ? `Store renamed to ${s.display_name}.` : `Display name removed; the store is shown as ${s.name}.`);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldErrors.display_name?.join(' ') ?? errorMessage(err)) : errorMessage(err));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void save(value);
  }

  return (
    <>
      <Button onClick={start}>Rename…</Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        busy={busy}
        title={`Rename ${store.display_name || store.name}`}
        description={`The display name is what you see in this dashboard. The address name “${store.name}” stays: it is part of the store’s address.`}
        initialFocus={input}
      >
        <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Rename store">
          <TextField
            ref={input}
            label="Display name"
            name="display_name"
            autoComplete="off"
            maxLength={DISPLAY_NAME_MAX + 20}
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setError(null);
            }}
            error={error}
            hint={`Up to ${DISPLAY_NAME_MAX} characters. Leave it empty to show the address name instead.`}
          />
          {store.display_name && !value.trim() && (
            <Alert tone="info">Saving an empty name removes the display name; the store is then shown as “{store.name}”.</Alert>
          )}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" loading={busy}>
              Save name
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
