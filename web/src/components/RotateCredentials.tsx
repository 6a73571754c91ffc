// "Rotate credentials" on the store page: after a confirmation that says what changes, the
// platform replaces the store's admin password (and, when asked, its database password and
// WordPress salts) and applies them; the store is Provisioning until that is done.
import { useId, useState, type ReactNode } from 'react';
import { rotateCredentials, rotateErrorWords, type CredentialKind, type RefusalWords } from '../api/credentials';
import type { RotateCredentialsBody, Store } from '../api/types';
import { useAnnounce } from '../state/announcer';
import { Dialog } from './Dialog';
import { Alert, Button } from './ui';

type OptionalKind = Exclude<CredentialKind, 'admin_password'>;

const OPTION_WORDS: Record<OptionalKind, { label: string; hint: string }> = {
  database_passwords: {
    label: 'Also replace the database password',
    hint: 'The password the store uses to reach its own database. Nobody types it; the data stays as it is.',
  },
  salts: {
    label: 'Also replace the WordPress security keys and salts',
    hint: 'Signs everyone out: you and other administrators in wp-admin, and customers signed in to their accounts.',
  },
};

const NO_OPTIONS: Record<OptionalKind, boolean> = { database_passwords: false, salts: false };

/** `kinds`: what the store's engine can rotate (`rotatableKinds`); nothing shows without the admin password. */
export function RotateCredentials({
  store,
  kinds,
  onRotated,
}: {
  store: Pick<Store, 'id' | 'name' | 'status' | 'engine'>;
  kinds: readonly CredentialKind[];
  onRotated: (store: Store) => void;
}) {
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState(NO_OPTIONS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<RefusalWords | null>(null);
  const announce = useAnnounce();
  const hintId = useId();
  if (!kinds.includes('admin_password')) return null;

  const ready = store.status === 'Ready';
  const optional = kinds.filter((k): k is OptionalKind => k !== 'admin_password');

  function start() {
    if (!ready) return;
    setOptions(NO_OPTIONS);
    setError(null);
    setOpen(true);
  }

  function close() {
    if (busy) return;
    setOpen(false);
    setError(null);
  }

  async function rotate() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const body: RotateCredentialsBody = { admin_password: true };
    for (const k of optional) body[k] = options[k];
    try {
      const s = await rotateCredentials(store.id, body);
      setOpen(false);
      onRotated(s);
      announce(`Rotating the credentials of ${s.name}. It is Provisioning until the new ones are applied; reveal the new password once it is Ready.`);
    } catch (err) {
      setError(rotateErrorWords(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-1.5">
      {/* Not `disabled` while the store is not Ready: the button stays focusable (focus comes
          back to it after a rotation, when the store is Provisioning) and says why. */}
      <Button
        onClick={start}
        aria-disabled={!ready || undefined}
        aria-describedby={ready ? undefined : hintId}
        className="aria-disabled:cursor-not-allowed aria-disabled:text-slate-500 aria-disabled:hover:bg-white"
        data-testid="rotate-credentials"
      >
        Rotate credentials
      </Button>
      {!ready && (
        <p id={hintId} className="text-sm text-slate-600">
          Credentials can be rotated only while the store is Ready; it is {store.status} now.
        </p>
      )}

      <Dialog
        open={open}
        onClose={close}
        busy={busy}
        size="sm"
        title={`Rotate the credentials of ${store.name}?`}
        description={
          <>
            <p>
              The store gets a new administrator password. The current one stops working, also if you changed it yourself in the
              store admin. Reveal the new one here once the store is Ready again.
            </p>
            <p className="mt-2">
              The store keeps all its data. While the change is applied it is briefly back to “Provisioning”.
            </p>
          </>
        }
      >
        <form
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void rotate();
          }}
        >
          {optional.length > 0 && (
            <fieldset className="space-y-3">
              <legend className="text-sm font-medium text-slate-800">Optional</legend>
              {optional.map((k) => (
                <Checkbox
                  key={k}
                  name={k}
                  checked={options[k]}
                  disabled={busy}
                  onChange={(on) => setOptions((o) => ({ ...o, [k]: on }))}
                  label={OPTION_WORDS[k].label}
                  hint={OPTION_WORDS[k].hint}
                />
              ))}
            </fieldset>
          )}
          {error && (
            <Alert tone="error" title={error.title}>
              {error.detail && error.detail !== error.title ? error.detail : null}
            </Alert>
          )}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button onClick={close} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" loading={busy}>
              Rotate now
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function Checkbox({
  name,
  checked,
  disabled,
  onChange,
  label,
  hint,
}: {
  name: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
  label: ReactNode;
  hint: ReactNode;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2.5">
      <input
        id={id}
        type="checkbox"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={`${id}-hint`}
        className="mt-0.5 h-4 w-4 shrink-0 accent-indigo-600"
      />
      <div className="min-w-0">
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
      </div>
    </div>
  );
}
