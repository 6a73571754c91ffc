// Create a store: the name is checked as it is typed with the server's rules in words,
// server errors land on their field, and quota / rate limits say what to do next. An
// Idempotency-Key per submission makes a repeated click or a retry after a lost answer
// return the same store instead of a second one.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import type { Me, ServerInfo, Store } from '../api/types';
import { isAtQuota, quotaAdvice } from '../lib/quota';
import { useCountdown } from '../lib/useCountdown';
import { uuid } from '../lib/uuid';
import { DEFAULT_HOST_SUFFIX_LEN, checkDomain, checkStoreName, defaultHostPrefix, suggestStoreName } from '../lib/validation';
import { Alert, Button, SelectField, TextField, cx } from './ui';

type Field = 'name' | 'engine' | 'domain' | 'display_name';
type FieldErrors = Partial<Record<Field, string>>;

export interface CreateStoreFormProps {
  info: ServerInfo | null;
  me: Me;
  onCreated: (store: Store) => void;
  onCancel: () => void;
  /** Asks for fresh quota numbers after a quota answer. */
  onQuotaExceeded?: () => void;
}

interface CreateBody {
  name: string;
  engine?: string;
  domain?: string;
  display_name?: string;
}

export function defaultEngine(info: ServerInfo | null): string {
  const engines = info?.engines ?? [];
  return (engines.find((e) => e.default) ?? engines[0])?.id ?? '';
}

/** Which field a server error belongs on. */
export function mapServerErrors(err: ApiError): { fields: FieldErrors; form: string | null } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const [key, messages] of Object.entries(err.fieldErrors)) {
    const text = messages.join(' ');
    if (key === 'name' || key === 'engine' || key === 'domain' || key === 'display_name') fields[key] = text;
    else other.push(`${key}: ${text}`);
  }
  if (err.code === 'conflict' && Object.keys(fields).length === 0) {
    const detail = err.detail ?? '';
    if (/domain/i.test(detail)) fields.domain = detail || 'This domain is already used by another store.';
    else fields.name = detail || 'You already have a store with this name.';
  }
  const form = other.length ? other.join(' ') : Object.keys(fields).length ? null : errorMessage(err);
  return { fields, form };
}

export function CreateStoreForm({ info, me, onCreated, onCancel, onQuotaExceeded }: CreateStoreFormProps) {
  const [name, setName] = useState('');
  const [engine, setEngine] = useState(() => defaultEngine(info));
  const [domain, setDomain] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [domainTouched, setDomainTouched] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<{ title?: string; text: string; tone: 'error' | 'warning' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [retryIn, startRetry] = useCountdown();
  const nameRef = useRef<HTMLInputElement>(null);
  const domainRef = useRef<HTMLInputElement>(null);
  const displayNameRef = useRef<HTMLInputElement>(null);
  const engineId = useId();
  // One key per distinct submission: reused when the same body is sent again (a lost
  // answer, a double click), replaced when the body changes or the server said no.
  const idem = useRef<{ key: string; body: string } | null>(null);

  const nameCheck = checkStoreName(name);
  const domainError = checkDomain(domain);
  const nameError = serverErrors.name ?? (nameTouched ? nameCheck.error : null);
  const shownDomainError = serverErrors.domain ?? (domainTouched ? domainError : null);
  const engines = info?.engines ?? [];
  const atQuota = isAtQuota(me);
  // The server said "quota": shown while the count (kept live by the stores stream) says
  // so, and gone by itself once a store is deleted or the quota raised.
  const [quotaRefused, setQuotaRefused] = useState(false);
  const room = (me.store_quota ?? 0) - (me.stores_active ?? 0);
  const lastRoom = useRef(room);
  useEffect(() => {
    // A slot freed up (a store deleted, the quota raised): the refusal is old news.
    if (room > lastRoom.current) setQuotaRefused(false);
    lastRoom.current = room;
  }, [room]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setNameTouched(true);
    setDomainTouched(true);
    if (!nameCheck.valid) {
      nameRef.current?.focus();
      return;
    }
    if (domainError) {
      domainRef.current?.focus();
      return;
    }
    const body: CreateBody = { name };
    if (engine) body.engine = engine;
    if (domain) body.domain = domain;
    if (displayName.trim()) body.display_name = displayName.trim();
    const bodyKey = JSON.stringify(body);
    if (!idem.current || idem.current.body !== bodyKey) idem.current = { key: uuid(), body: bodyKey };

    setBusy(true);
    setFormError(null);
    setServerErrors({});
    try {
      const store = await api.post<Store>('/stores', body, { headers: { 'Idempotency-Key': idem.current.key } });
      idem.current = null;
      onCreated(store);
    } catch (err) {
      if (!(err instanceof ApiError)) {
        setFormError({ tone: 'error', text: errorMessage(err) });
        return;
      }
      // A definite "no" stores nothing; the next attempt is a new submission.
      if (!err.isNetwork && err.status < 500 && err.code !== 'idempotency_in_progress') idem.current = null;
      switch (err.code) {
        case 'quota_exceeded':
          onQuotaExceeded?.();
          setQuotaRefused(true);
          break;
        case 'rate_limited':
          startRetry(err.retryAfter);
          setFormError({
            tone: 'warning',
            title: 'Too many new stores in a short time',
            text: `Store creation is limited to protect the platform. Your store was not created.${err.retryAfter == null ? ' Wait a little, then try again.' : ''}`,
          });
          break;
        case 'idempotency_in_progress':
          setFormError({ tone: 'warning', text: 'Your previous click is still being processed. Wait a moment, then submit again.' });
          break;
        case 'idempotency_mismatch':
          setFormError({ tone: 'error', text: 'The form changed while a previous request was pending. Submit again.' });
          break;
        case 'network':
          setFormError({
            tone: 'error',
            text: 'The server did not answer, so we cannot tell whether the store was created. Submitting again is safe: it will not create a second store.',
          });
          break;
        default: {
          const mapped = mapServerErrors(err);
          setServerErrors(mapped.fields);
          if (mapped.form) setFormError({ tone: 'error', text: mapped.form });
          if (mapped.fields.name) nameRef.current?.focus();
          else if (mapped.fields.domain) domainRef.current?.focus();
          else if (mapped.fields.display_name) displayNameRef.current?.focus();
        }
      }
    } finally {
      setBusy(false);
    }
  }

  const suggestion = name && !nameCheck.valid ? suggestStoreName(name) : null;
  const previewName = defaultHostPrefix(nameCheck.valid ? name : (suggestion ?? 'your-store'));

  function useSuggestion() {
    if (!suggestion) return;
    setName(suggestion);
    setServerErrors((s) => ({ ...s, name: undefined }));
    nameRef.current?.focus();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="New store">
      {(atQuota || quotaRefused) && !formError && (
        <Alert tone="warning" title={quotaRefused ? 'Store quota reached' : 'You are at your store quota'}>
          {quotaRefused ? 'Your store was not created. ' : 'A new store will be refused. '}
          {quotaAdvice(quotaRefused && !atQuota ? { ...me, stores_active: me.store_quota } : me)}
        </Alert>
      )}
      {formError && (
        <Alert tone={formError.tone} title={formError.title}>
          {formError.text}
          {retryIn > 0 && <span className="block font-medium">Try again in {retryIn} s.</span>}
        </Alert>
      )}
      <TextField
        ref={nameRef}
        label="Store name"
        name="name"
        value={name}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        placeholder="acme-shop"
        maxLength={100}
        required
        onChange={(e) => {
          setName(e.target.value);
          setNameTouched(true);
          setServerErrors((s) => ({ ...s, name: undefined }));
        }}
        error={nameError}
        hint={<NameRules rules={nameCheck.rules} touched={nameTouched} />}
      />
      {nameTouched && suggestion && !serverErrors.name && (
        <p className="-mt-3 flex flex-wrap items-center gap-2 text-sm text-slate-700" data-testid="name-suggestion">
          <span>
            Try <span className="font-mono text-slate-900">{suggestion}</span>
          </span>
          <Button size="sm" onClick={useSuggestion}>
            Use “{suggestion}”
          </Button>
        </p>
      )}
      {info?.base_domain && domain === '' && (
        <p className="-mt-3 text-sm text-slate-600" data-testid="address-preview">
          Address:{' '}
          <span className="font-mono break-all text-slate-800">
            {previewName}-<span className="text-slate-500">‹{DEFAULT_HOST_SUFFIX_LEN} random letters and digits›</span>.{info.base_domain}
          </span>
          <span className="block text-xs text-slate-500">
            A short random part is added so that every store’s address is unique. You can give a custom domain instead.
          </span>
        </p>
      )}
      <TextField
        ref={displayNameRef}
        label="Display name"
        optional
        name="display_name"
        autoComplete="off"
        placeholder="Acme Coffee Roasters"
        maxLength={80}
        value={displayName}
        onChange={(e) => {
          setDisplayName(e.target.value);
          setServerErrors((s) => ({ ...s, display_name: undefined }));
        }}
        error={serverErrors.display_name}
        hint="What you call the store in this dashboard: any letters, spaces and punctuation. You can change it later; the address name stays."
      />
      <SelectField
        id={engineId}
        label="Engine"
        name="engine"
        value={engine}
        onChange={(e) => {
          setEngine(e.target.value);
          setServerErrors((s) => ({ ...s, engine: undefined }));
        }}
        error={serverErrors.engine}
        disabled={engines.length === 0}
        hint={engines.length === 0 ? 'The server did not list its engines; it will use its default.' : undefined}
      >
        {engines.length === 0 ? (
          <option value="">Server default</option>
        ) : (
          engines.map((en) => (
            <option key={en.id} value={en.id}>
              {en.name}
              {en.default ? ' (default)' : ''}
            </option>
          ))
        )}
      </SelectField>
      <TextField
        ref={domainRef}
        label="Custom domain"
        optional
        name="domain"
        inputMode="url"
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        placeholder="shop.example.com"
        value={domain}
        onChange={(e) => {
          setDomain(e.target.value);
          setServerErrors((s) => ({ ...s, domain: undefined }));
        }}
        onBlur={() => setDomainTouched(true)}
        error={shownDomainError}
        hint={
          info?.base_domain ? (
            <>
              Leave empty to use the address above. A custom domain must point at this platform’s ingress.
            </>
          ) : (
            'Leave empty to use a generated address on the platform’s domain.'
          )
        }
      />
      <div className="flex flex-col-reverse gap-2 pt-1 sm:flex-row sm:justify-end">
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" loading={busy} disabled={retryIn > 0}>
          {retryIn > 0 ? `Try again in ${retryIn} s` : 'Create store'}
        </Button>
      </div>
    </form>
  );
}

function NameRules({ rules, touched }: { rules: ReturnType<typeof checkStoreName>['rules']; touched: boolean }) {
  return (
    <div>
      <p>The name is part of the store’s address and cannot be changed later. It needs:</p>
      <ul className="mt-1 grid gap-x-4 gap-y-0.5 sm:grid-cols-2">
        {rules.map((r) => {
          const state = !touched ? 'idle' : r.ok ? 'ok' : 'bad';
          return (
            <li key={r.id} className={cx('flex items-center gap-1.5', state === 'ok' && 'text-emerald-700', state === 'bad' && 'text-slate-700')} data-rule={r.id} data-ok={touched ? String(r.ok) : undefined}>
              <span aria-hidden="true" className="w-3 text-center font-bold">
                {state === 'ok' ? '✓' : state === 'bad' ? '•' : '•'}
              </span>
              {r.label}
              {touched && <span className="sr-only">{r.ok ? ' (met)' : ' (not met yet)'}</span>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
