// Admin user management beyond quota and role: create a user (with a temporary password
// shown once), reset a password (shown once), suspend or restore, and delete (typing the
// email to confirm).
import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../api/client';
import type { components } from '../../api/schema.gen';
import type { AdminUser, Role } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { Alert, Button, SelectField, TextField } from '../../components/ui';
import { checkEmail } from '../../lib/validation';

type CreatedUser = components['schemas']['CreatedUser'];
type PasswordReset = components['schemas']['PasswordReset'];

const userPath = (u: Pick<AdminUser, 'id'>) => `/admin/users/${encodeURIComponent(u.id)}`;

function DialogButtons({ onCancel, busy, children }: { onCancel: () => void; busy: boolean; children: React.ReactNode }) {
  return (
    <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
      <Button onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
      {children}
    </div>
  );
}

/** A one-time secret: shown here and nowhere else, with a copy button. */
export function TemporaryPasswordDialog({ email, password, onClose }: { email: string; password: string; onClose: () => void }) {
  const doneRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog open onClose={onClose} title={`Temporary password for ${email}`} size="sm" initialFocus={doneRef}>
      <div className="space-y-4">
        <Alert tone="warning" title="Shown only this once">
          Copy it now and give it to {email} over a safe channel. It will not be shown again; they should change it after signing in.
        </Alert>
        <div className="flex flex-wrap items-center gap-2">
          <code className="rounded bg-slate-100 px-2 py-1 font-mono text-sm break-all select-all" data-testid="temporary-password" aria-label="Temporary password">
            {password}
          </code>
          <CopyButton text={password} what="Temporary password" />
        </div>
        <div className="flex justify-end">
          <Button ref={doneRef} variant="primary" onClick={onClose}>
            Done
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

export function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: CreatedUser) => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [quota, setQuota] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ email?: string | null; quota?: string | null; form?: string | null }>({});
  const emailRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const emailError = checkEmail(email);
    const n = Number(quota);
    const quotaError = quota.trim() !== '' && (!Number.isInteger(n) || n < 0) ? 'Enter a whole number, 0 or more, or leave it empty.' : null;
    if (emailError || quotaError) {
      setErrors({ email: emailError, quota: quotaError });
      emailRef.current?.focus();
      return;
    }
    const body: { email: string; role: Role; store_quota?: number } = { email: email.trim(), role };
    if (quota.trim() !== '') body.store_quota = n;
    setBusy(true);
    setErrors({});
    try {
      onCreated(await api.post<CreatedUser>('/admin/users', body));
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fieldErrors).length) {
        setErrors({
          email: err.fieldErrors.email?.join(' ') ?? null,
          quota: err.fieldErrors.store_quota?.join(' ') ?? null,
          form: err.fieldErrors.email || err.fieldErrors.store_quota ? null : errorMessage(err),
        });
        emailRef.current?.focus();
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={onClose} busy={busy} title="Create a user" description="Storefleet generates a temporary password, shown to you once." size="sm" initialFocus={emailRef}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        <TextField ref={emailRef} label="Email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="user">User — manages own stores</option>
          <option value="admin">Admin — manages the platform</option>
        </SelectField>
        <TextField
          label="Store quota"
          optional
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={quota}
          onChange={(e) => setQuota(e.target.value)}
          error={errors.quota}
          hint="Leave empty for the server's default."
        />
        <DialogButtons onCancel={onClose} busy={busy}>
          <Button type="submit" variant="primary" loading={busy}>
            Create user
          </Button>
        </DialogButtons>
      </form>
    </Dialog>
  );
}

/** Confirm, then reset: the new password is handed to `onReset` to show once. */
export function ResetPasswordDialog({ user, onClose, onReset }: { user: AdminUser; onClose: () => void; onReset: (password: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function reset() {
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<PasswordReset>(`${userPath(user)}/password-reset`);
      onReset(res.temporary_password);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open
      onClose={onClose}
      busy={busy}
      role="alertdialog"
      size="sm"
      title={`Reset the password of ${user.email}?`}
      description="Their current password stops working and every session of theirs is signed out. You will see a new temporary password once."
    >
      <div className="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        <DialogButtons onCancel={onClose} busy={busy}>
          <Button variant="danger" loading={busy} onClick={() => void reset()}>
            Reset password
          </Button>
        </DialogButtons>
      </div>
    </Dialog>
  );
}

export function SuspendDialog({ user, onClose, onDone }: { user: AdminUser; onClose: () => void; onDone: (u: AdminUser) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suspend = !user.suspended;
  async function apply() {
    setBusy(true);
    setError(null);
    try {
      onDone(await api.patch<AdminUser>(userPath(user), { suspended: suspend }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open
      onClose={onClose}
      busy={busy}
      role="alertdialog"
      size="sm"
      title={suspend ? `Suspend ${user.email}?` : `Restore ${user.email}?`}
      description={
        suspend
          ? 'They are signed out everywhere at once and cannot sign in until restored. Their stores keep running.'
          : 'They can sign in again with their password.'
      }
    >
      <div className="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        <DialogButtons onCancel={onClose} busy={busy}>
          <Button variant={suspend ? 'danger' : 'primary'} loading={busy} onClick={() => void apply()}>
            {suspend ? 'Suspend user' : 'Restore user'}
          </Button>
        </DialogButtons>
      </div>
    </Dialog>
  );
}

export function DeleteUserDialog({ user, onClose, onDeleted }: { user: AdminUser; onClose: () => void; onDeleted: (u: AdminUser) => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const matches = typed.trim().toLowerCase() === user.email.toLowerCase();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.del<void>(userPath(user));
      onDeleted(user);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open
      onClose={onClose}
      busy={busy}
      role="alertdialog"
      size="sm"
      initialFocus={inputRef}
      title={`Delete ${user.email}?`}
      description="The account is removed for good and every session of theirs ends. A user who still has stores cannot be deleted: delete the stores first."
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <TextField
          ref={inputRef}
          label={
            <>
              Type <span className="font-mono font-semibold break-all select-all">{user.email}</span> to confirm
            </>
          }
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
        <DialogButtons onCancel={onClose} busy={busy}>
          <Button type="submit" variant="danger" disabled={!matches} loading={busy}>
            Delete user
          </Button>
        </DialogButtons>
      </form>
    </Dialog>
  );
}
