// Sign in and sign up. Errors are explained by their `code`, next to the field they
// concern; after signing in the person returns to the page they were on.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/client';
import { safeNext } from '../lib/nav';
import { Logo } from '../components/Layout';
import { Alert, Button, TextField } from '../components/ui';
import { useCountdown } from '../lib/useCountdown';
import { checkEmail, checkPassword, PASSWORD_MIN } from '../lib/validation';
import { useSession } from '../state/session';

function AuthFrame({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center text-center">
          <Logo className="h-10 w-10" />
          <h1 className="mt-4 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {subtitle && <p className="mt-1 text-sm text-slate-600">{subtitle}</p>}
        </div>
        <div className="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">{children}</div>
        {footer && <p className="mt-6 text-center text-sm text-slate-600">{footer}</p>}
      </div>
    </main>
  );
}

export function PasswordField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | null;
  hint?: ReactNode;
  autoComplete: string;
  inputRef?: React.Ref<HTMLInputElement>;
}) {
  const [shown, setShown] = useState(false);
  return (
    <div className="relative">
      <TextField
        ref={props.inputRef}
        label={props.label}
        type={shown ? 'text' : 'password'}
        name="password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        error={props.error}
        hint={props.hint}
        autoComplete={props.autoComplete}
        required
        className="pr-16"
      />
      <button
        type="button"
        onClick={() => setShown((s) => !s)}
        className="absolute top-8 right-2 rounded px-2 py-0.5 text-xs font-medium text-slate-600 hover:bg-slate-100"
        aria-pressed={shown}
        aria-label={shown ? 'Hide password' : 'Show password'}
      >
        {shown ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}

function useNextPath(): string {
  const [params] = useSearchParams();
  return safeNext(params.get('next'));
}

export function SignInPage() {
  const { me, signIn, expired, info } = useSession();
  const next = useNextPath();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string | null; password?: string | null; form?: string | null }>({});
  const [busy, setBusy] = useState(false);
  const [throttled, startThrottle] = useCountdown();
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  if (me) return <Navigate to={next} replace />;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const emailError = checkEmail(email);
    const passwordError = password ? null : 'Enter your password.';
    if (emailError || passwordError) {
      setErrors({ email: emailError, password: passwordError });
      (emailError ? emailRef : passwordRef).current?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await signIn(email.trim(), password);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials') {
        setErrors({ form: 'The email or password is not right. Check both and try again.' });
        setPassword('');
        passwordRef.current?.focus();
      } else if (err instanceof ApiError && err.code === 'account_suspended') {
        setErrors({ form: 'This account is suspended. Ask an administrator to restore it; your stores keep running meanwhile.' });
        setPassword('');
      } else if (err instanceof ApiError && err.status === 429) {
        startThrottle(err.retryAfter);
        setErrors({
          form: `Too many sign-in attempts for this account or address. For your security, sign-in is paused${err.retryAfter == null ? ' for a while' : ''}.`,
        });
      } else if (err instanceof ApiError && err.code === 'validation_failed') {
        setErrors({
          email: err.fieldErrors.email?.join(' ') ?? null,
          password: err.fieldErrors.password?.join(' ') ?? null,
          form: Object.keys(err.fieldErrors).length ? null : errorMessage(err),
        });
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  const notice = expired
    ? 'Your session has ended. Sign in again to continue where you left off.'
    : params.get('next')
      ? 'Sign in to continue.'
      : null;

  return (
    <AuthFrame
      title="Sign in to Storefleet"
      subtitle="Your stores, provisioned on Kubernetes."
      footer={
        info?.signup !== 'closed' && (
          <>
            New here?{' '}
            <Link to={`/signup${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`} className="font-medium text-indigo-700 hover:underline">
              Create an account
            </Link>
          </>
        )
      }
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Sign in">
        {notice && <Alert tone="info">{notice}</Alert>}
        {errors.form && (
          <Alert tone="error">
            {errors.form}
            {throttled > 0 && <span className="block font-medium">Try again in {throttled} s.</span>}
          </Alert>
        )}
        <TextField
          ref={emailRef}
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          required
        />
        <PasswordField
          inputRef={passwordRef}
          label="Password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          autoComplete="current-password"
        />
        <Button type="submit" variant="primary" className="w-full" loading={busy} disabled={throttled > 0}>
          {throttled > 0 ? `Try again in ${throttled} s` : 'Sign in'}
        </Button>
      </form>
    </AuthFrame>
  );
}

export function SignUpPage() {
  const { me, signUp, info } = useSession();
  const next = useNextPath();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: ReactNode; password?: string | null; form?: string | null }>({});
  const [closed, setClosed] = useState(false);
  const [taken, setTaken] = useState(false);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  if (me) return <Navigate to={next} replace />;

  const signupClosed = closed || info?.signup === 'closed';

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const emailError = checkEmail(email);
    const passwordError = checkPassword(password);
    setTaken(false);
    if (emailError || passwordError) {
      setErrors({ email: emailError, password: passwordError });
      (emailError ? emailRef : passwordRef).current?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await signUp(email.trim(), password);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conflict') {
        setTaken(true);
        setErrors({ email: 'An account with this email already exists.' });
        emailRef.current?.focus();
      } else if (err instanceof ApiError && err.code === 'signup_disabled') {
        setClosed(true);
      } else if (err instanceof ApiError && err.code === 'validation_failed') {
        const fe = err.fieldErrors;
        const known = fe.email || fe.password;
        setErrors({
          email: fe.email?.join(' ') ?? null,
          password: fe.password ? `${fe.password.join(' ')}` : null,
          form: known ? null : errorMessage(err),
        });
        (fe.email ? emailRef : passwordRef).current?.focus();
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  const signInLink = (
    <Link to={`/signin${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} className="font-medium text-indigo-700 hover:underline">
      Sign in
    </Link>
  );

  if (signupClosed) {
    return (
      <AuthFrame title="Sign-up is closed" footer={<>Already have an account? {signInLink}</>}>
        <Alert tone="warning" title="New accounts are not open on this Storefleet">
          An administrator creates accounts here. Ask yours for one, then sign in.
        </Alert>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame title="Create your account" subtitle="Then launch your first store in a minute." footer={<>Already have an account? {signInLink}</>}>
      <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Create account">
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        <TextField
          ref={emailRef}
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            setTaken(false);
          }}
          error={typeof errors.email === 'string' ? errors.email : null}
          hint={taken ? <span>Is it yours? {signInLink} instead.</span> : undefined}
          required
        />
        <PasswordField
          inputRef={passwordRef}
          label="Password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a strong one.`}
          autoComplete="new-password"
        />
        <Button type="submit" variant="primary" className="w-full" loading={busy}>
          Create account
        </Button>
      </form>
    </AuthFrame>
  );
}
