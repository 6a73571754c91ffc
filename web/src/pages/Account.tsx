// Account settings: who is signed in, and a password change that signs out every other
// session (other browsers, API tokens) while this one stays signed in.
import { useRef, useState, type FormEvent } from 'react';
import { ApiError, api, errorMessage } from '../api/client';
import { Alert, Button, Card, PageHeader } from '../components/ui';
import { useCountdown } from '../lib/useCountdown';
import { checkPassword, PASSWORD_MIN } from '../lib/validation';
import { useMe } from '../state/session';
import { AccountSessions } from './AccountSessions';
import { PasswordField } from './Auth';

type Errors = { current?: string | null; next?: string | null; confirm?: string | null; form?: string | null };

/** Problems the server would refuse anyway, found before asking it. */
export function checkPasswordChange(current: string, next: string, confirm: string): Errors {
  const errors: Errors = {};
  if (!current) errors.current = 'Enter your current password.';
  errors.next = checkPassword(next);
  if (!errors.next && next === current) errors.next = 'Choose a password different from the current one.';
  if (!errors.next && confirm !== next) errors.confirm = 'The two new passwords are not the same.';
  return errors;
}

function hasErrors(errors: Errors): boolean {
  return Object.values(errors).some(Boolean);
}

export default function AccountPage() {
  const me = useMe();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [throttled, startThrottle] = useCountdown();
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    const found = checkPasswordChange(current, next, confirm);
    if (hasErrors(found)) {
      setErrors(found);
      (found.current ? currentRef : nextRef).current?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api.post<void>('/me/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'validation_failed') {
        setErrors({
          current: err.fieldErrors.current_password?.join(' ') ?? null,
          next: err.fieldErrors.new_password?.join(' ') ?? null,
          form: Object.keys(err.fieldErrors).length ? null : errorMessage(err),
        });
        if (err.fieldErrors.current_password) {
          setCurrent('');
          currentRef.current?.focus();
        }
      } else if (err instanceof ApiError && err.status === 429) {
        startThrottle(err.retryAfter);
        setErrors({ form: 'Too many wrong current passwords. For your security, password changes are paused for a while.' });
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="max-w-xl">
      <PageHeader title="Account settings" subtitle={<>Signed in as {me.email}</>} />
      <Card className="p-6">
        <h2 className="text-lg font-semibold text-slate-900">Change password</h2>
        <p className="mt-1 text-sm text-slate-600">
          Changing your password signs out every other session: other browsers and API tokens must sign in again. This one stays signed in.
        </p>
        <form className="mt-5 space-y-4" onSubmit={onSubmit} noValidate aria-label="Change password">
          {done && (
            <Alert tone="success" title="Password changed">
              Your other sessions were signed out.
            </Alert>
          )}
          {errors.form && <Alert tone="error">{errors.form}</Alert>}
          <PasswordField
            label="Current password"
            value={current}
            onChange={setCurrent}
            error={errors.current}
            autoComplete="current-password"
            inputRef={currentRef}
          />
          <PasswordField
            label="New password"
            value={next}
            onChange={setNext}
            error={errors.next}
            hint={`At least ${PASSWORD_MIN} characters.`}
            autoComplete="new-password"
            inputRef={nextRef}
          />
          <PasswordField
            label="Repeat the new password"
            value={confirm}
            onChange={setConfirm}
            error={errors.confirm}
            autoComplete="new-password"
          />
          <Button type="submit" loading={busy} disabled={throttled > 0}>
            {throttled > 0 ? `Try again in ${throttled} s` : 'Change password'}
          </Button>
        </form>
      </Card>
      <div className="mt-6">
        <AccountSessions />
      </div>
    </div>
  );
}
