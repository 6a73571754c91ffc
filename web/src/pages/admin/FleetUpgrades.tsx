// Admin: fleet upgrades. Start a rollout of the platform's current chart and values over
// one engine's stores, a few at a time; watch it live; pause, resume or cancel it.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { EngineInfo, Rollout, RolloutState, RolloutStore, RolloutStoreState } from '../../api/types';
import { rolloutErrorWords, upgrades, type RolloutAction } from '../../api/upgrades';
import { Dialog } from '../../components/Dialog';
import { engineName } from '../../components/StoreList';
import { Alert, Button, Card, ErrorBlock, LoadingBlock, PageHeader, SelectField, TABLE_CELL, TextField, cx } from '../../components/ui';
import { formatDateTime, pluralize } from '../../lib/format';
import { useAnnounce } from '../../state/announcer';
import { useSession } from '../../state/session';

/** How often a running or paused rollout is read again. */
export const ROLLOUT_POLL_MS = 2_000;
/** How often the list is read again while one of its rollouts is active. */
const LIST_POLL_MS = 5_000;

export const MAX_UNAVAILABLE = { min: 1, max: 50, default: 1 };
export const MAX_FAILURES = { min: 1, max: 1000, default: 1 };

const ACTIVE: ReadonlySet<RolloutState> = new Set(['running', 'paused']);
export const isActive = (r: Pick<Rollout, 'state'>) => ACTIVE.has(r.state);

/** A whole number from `min` to `max`, or the sentence that says what is wrong. */
export function checkWholeNumber(value: string, min: number, max: number): string | null {
  const t = value.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    return `Enter a whole number from ${min} to ${max.toLocaleString('en-US')}.`;
  }
  return null;
}

const STATE_STYLE: Record<RolloutState, { words: string; cls: string }> = {
  running: { words: 'Running', cls: 'bg-violet-50 text-violet-800 ring-violet-300' },
  paused: { words: 'Paused', cls: 'bg-amber-50 text-amber-900 ring-amber-300' },
  halted: { words: 'Halted', cls: 'bg-red-50 text-red-800 ring-red-300' },
  cancelled: { words: 'Cancelled', cls: 'bg-slate-100 text-slate-700 ring-slate-300' },
  completed: { words: 'Completed', cls: 'bg-emerald-50 text-emerald-800 ring-emerald-300' },
};

export function rolloutStateWords(state: RolloutState): string {
  return STATE_STYLE[state]?.words ?? state;
}

function RolloutStateBadge({ state }: { state: RolloutState }) {
  const s = STATE_STYLE[state] ?? { words: state, cls: STATE_STYLE.cancelled.cls };
  return (
    <span className={cx('inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', s.cls)} data-rollout-state={state}>
      <span className="sr-only">State: </span>
      {s.words}
    </span>
  );
}

const STORE_STATE_WORDS: Record<RolloutStoreState, string> = {
  pending: 'Waiting',
  upgrading: 'Upgrading',
  succeeded: 'Upgraded',
  failed: 'Failed, rolled back',
  skipped: 'Skipped',
};

const STORE_STATE_CLS: Record<RolloutStoreState, string> = {
  pending: 'text-slate-600',
  upgrading: 'text-violet-800',
  succeeded: 'text-emerald-800',
  failed: 'font-medium text-red-800',
  skipped: 'text-slate-600',
};

// ---------------------------------------------------------------------------------------
// The page: start form and the list of rollouts.

export default function FleetUpgradesPage() {
  const { info } = useSession();
  const [rollouts, setRollouts] = useState<Rollout[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setRollouts((await upgrades.rollouts()).items);
      setError(null);
    } catch (err) {
      setError(rolloutErrorWords(err));
    }
  }, []);

  useEffect(() => {
    document.title = 'Fleet upgrades · Storefleet';
    void load();
  }, [load]);

  const anyActive = !!rollouts?.some(isActive);
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(() => void load(), LIST_POLL_MS);
    return () => clearInterval(t);
  }, [anyActive, load]);

  return (
    <>
      <PageHeader
        title="Fleet upgrades"
        subtitle="Bring every store of an engine to the platform’s current chart and settings, a few stores at a time. A store that fails is rolled back, and the rollout halts when too many fail."
      />
      <div className="grid gap-6 lg:grid-cols-5 lg:items-start">
        <div className="lg:col-span-2">
          <StartRolloutForm engines={info?.engines ?? []} rollouts={rollouts ?? []} />
        </div>
        <Card className="p-5 lg:col-span-3" aria-labelledby="rollouts-heading">
          <h2 id="rollouts-heading" className="mb-4 text-base font-semibold text-slate-900">
            Rollouts
          </h2>
          {error && !rollouts && <ErrorBlock message={error} onRetry={() => void load()} />}
          {!rollouts && !error && <LoadingBlock label="Loading rollouts" />}
          {rollouts && error && <Alert tone="warning" className="mb-3">Could not refresh: {error}</Alert>}
          {rollouts && rollouts.length === 0 && <p className="text-sm text-slate-600">No fleet upgrade has been started yet.</p>}
          {rollouts && rollouts.length > 0 && (
            <ul className="divide-y divide-slate-100" aria-label="Rollouts, newest first">
              {rollouts.map((r) => (
                <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-3">
                  <Link
                    to={`/admin/fleet/${encodeURIComponent(String(r.id))}`}
                    className="min-w-0 font-medium text-indigo-700 hover:underline"
                  >
                    {engineName(info?.engines, r.engine)} stores, {formatDateTime(r.created_at)}
                  </Link>
                  <RolloutStateBadge state={r.state} />
                  <span className="w-full text-xs text-slate-600 sm:ml-auto sm:w-auto">
                    {r.succeeded + r.failed + r.skipped} of {r.total} done
                    {r.failed > 0 && <> · {r.failed} failed</>} · by {r.created_by_email}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

type FormErrors = { engine?: string | null; max_unavailable?: string | null; max_failures?: string | null; form?: string | null };

function StartRolloutForm({ engines, rollouts }: { engines: EngineInfo[]; rollouts: Rollout[] }) {
  const navigate = useNavigate();
  const announce = useAnnounce();
  const [engine, setEngine] = useState(() => (engines.find((e) => e.default) ?? engines[0])?.id ?? '');
  const [maxUnavailable, setMaxUnavailable] = useState(String(MAX_UNAVAILABLE.default));
  const [maxFailures, setMaxFailures] = useState(String(MAX_FAILURES.default));
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  const unavailableRef = useRef<HTMLInputElement>(null);
  const failuresRef = useRef<HTMLInputElement>(null);
  const chosen = engine || (engines.find((e) => e.default) ?? engines[0])?.id || '';
  const name = engineName(engines, chosen);
  const active = rollouts.find((r) => r.engine === chosen && isActive(r));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const next: FormErrors = {
      engine: chosen ? null : 'Choose an engine.',
      max_unavailable: checkWholeNumber(maxUnavailable, MAX_UNAVAILABLE.min, MAX_UNAVAILABLE.max),
      max_failures: checkWholeNumber(maxFailures, MAX_FAILURES.min, MAX_FAILURES.max),
    };
    setErrors(next);
    if (next.max_unavailable) return unavailableRef.current?.focus();
    if (next.max_failures) return failuresRef.current?.focus();
    if (next.engine) return;
    setBusy(true);
    try {
      const r = await upgrades.startRollout({ engine: chosen, max_unavailable: Number(maxUnavailable), max_failures: Number(maxFailures) });
      announce(`Fleet upgrade of ${r.total} ${name} ${r.total === 1 ? 'store' : 'stores'} started.`);
      navigate(`/admin/fleet/${encodeURIComponent(String(r.id))}`);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors : {};
      const field = (k: string) => fields[k]?.join(' ') || null;
      setErrors({
        engine: field('engine'),
        max_unavailable: field('max_unavailable'),
        max_failures: field('max_failures'),
        form: rolloutErrorWords(err, name),
      });
      setBusy(false);
    }
  }

  return (
    <Card className="p-5" aria-labelledby="start-rollout-heading">
      <h2 id="start-rollout-heading" className="mb-4 text-base font-semibold text-slate-900">
        Start a fleet upgrade
      </h2>
      {engines.length === 0 ? (
        <p className="text-sm text-slate-600">This platform offers no engine, so there are no stores to upgrade.</p>
      ) : (
        <form onSubmit={onSubmit} className="space-y-4" noValidate aria-describedby="start-rollout-what">
          <p id="start-rollout-what" className="text-sm text-slate-600">
            Upgrades every store of the engine whose release differs from the platform’s current chart and settings, waiting for
            each until it is Ready again. Stores keep serving while they are upgraded.
          </p>
          {errors.form && (
            <Alert tone="error">
              {errors.form}
              {active && (
                <>
                  {' '}
                  <Link to={`/admin/fleet/${encodeURIComponent(String(active.id))}`} className="font-medium underline">
                    Open the {rolloutStateWords(active.state).toLowerCase()} rollout
                  </Link>
                </>
              )}
            </Alert>
          )}
          <SelectField label="Engine" value={chosen} onChange={(e) => setEngine(e.target.value)} error={errors.engine}>
            {engines.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </SelectField>
          <TextField
            ref={unavailableRef}
            label="Stores upgraded at a time"
            inputMode="numeric"
            autoComplete="off"
            value={maxUnavailable}
            onChange={(e) => setMaxUnavailable(e.target.value)}
            error={errors.max_unavailable}
            hint={`${MAX_UNAVAILABLE.min} to ${MAX_UNAVAILABLE.max} (max unavailable). More finishes sooner; fewer limits how many stores are in the middle of an upgrade at once.`}
          />
          <TextField
            ref={failuresRef}
            label="Halt after this many failed stores"
            inputMode="numeric"
            autoComplete="off"
            value={maxFailures}
            onChange={(e) => setMaxFailures(e.target.value)}
            error={errors.max_failures}
            hint={`${MAX_FAILURES.min} to ${MAX_FAILURES.max.toLocaleString('en-US')} (max failures). Each store whose upgrade fails is rolled back to the revision it ran; when this many have failed, the rollout stops and leaves the rest as they are.`}
          />
          <Button type="submit" variant="primary" loading={busy}>
            Start fleet upgrade
          </Button>
        </form>
      )}
    </Card>
  );
}

// ---------------------------------------------------------------------------------------
// One rollout, live.

type Load = { kind: 'loading' } | { kind: 'ok' } | { kind: 'gone' } | { kind: 'error'; message: string };

export function RolloutPage() {
  const { id = '' } = useParams();
  const { info } = useSession();
  const announce = useAnnounce();
  const [rollout, setRollout] = useState<Rollout | null>(null);
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [acting, setActing] = useState<RolloutAction | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const lastState = useRef<RolloutState | null>(null);

  const show = useCallback(
    (r: Rollout) => {
      // The answers of pause/resume/cancel may leave out the per-store list.
      setRollout((cur) => (r.stores || !cur ? r : { ...r, stores: cur.stores }));
      if (lastState.current && lastState.current !== r.state) {
        announce(`The fleet upgrade is now ${rolloutStateWords(r.state).toLowerCase()}.`);
      }
      lastState.current = r.state;
    },
    [announce],
  );

  const fetchRollout = useCallback(async () => {
    try {
      show(await upgrades.rollout(id));
      setLoad({ kind: 'ok' });
      setRefreshError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setLoad({ kind: 'gone' });
      else if (lastState.current) setRefreshError(rolloutErrorWords(err));
      else setLoad({ kind: 'error', message: rolloutErrorWords(err) });
    }
  }, [id, show]);

  useEffect(() => {
    lastState.current = null;
    void fetchRollout();
  }, [fetchRollout]);

  const name = rollout ? engineName(info?.engines, rollout.engine) : '';
  useEffect(() => {
    document.title = `Fleet upgrade${name ? ` of ${name}` : ''} · Storefleet`;
  }, [name]);

  // Live while it can still move; a finished rollout is read once.
  const live = !!rollout && isActive(rollout) && load.kind === 'ok';
  // Every answer (even an unchanged one) schedules the next read.
  useEffect(() => {
    if (!live) return;
    const t = setTimeout(() => void fetchRollout(), ROLLOUT_POLL_MS);
    return () => clearTimeout(t);
  }, [live, fetchRollout, rollout]);

  async function act(action: RolloutAction) {
    if (!rollout || acting) return;
    setActing(action);
    setActionError(null);
    try {
      show(await upgrades.rolloutAction(rollout.id, action));
      setConfirmCancel(false);
    } catch (err) {
      setActionError(rolloutErrorWords(err, name));
      setConfirmCancel(false);
    } finally {
      setActing(null);
    }
    void fetchRollout();
  }

  const back = (
    <nav aria-label="Breadcrumb" className="mb-4 text-sm">
      <Link to="/admin/fleet" className="text-slate-700 underline decoration-slate-300 underline-offset-2 hover:text-slate-900">
        Fleet upgrades
      </Link>
      <span aria-hidden="true" className="mx-2 text-slate-400">
        /
      </span>
      <span aria-current="page" className="text-slate-900">
        {name ? `${name} rollout` : 'Rollout'}
      </span>
    </nav>
  );

  if (load.kind === 'gone') {
    return (
      <>
        {back}
        <Alert tone="info" title="Rollout not found">
          There is no fleet upgrade at this address.
        </Alert>
      </>
    );
  }
  if (load.kind === 'error') return <>{back}<ErrorBlock message={load.message} onRetry={() => void fetchRollout()} /></>;
  if (!rollout) return <>{back}<LoadingBlock label="Loading rollout" /></>;

  const r = rollout;
  return (
    <>
      {back}
      <PageHeader
        title={`Fleet upgrade of ${name} stores`}
        subtitle={
          <>
            <RolloutStateBadge state={r.state} /> Started {formatDateTime(r.created_at)} by {r.created_by_email} · {r.max_unavailable} at a time · halts after{' '}
            {pluralize(r.max_failures, 'failed store')}
            {r.finished_at && <> · finished {formatDateTime(r.finished_at)}</>}
          </>
        }
        actions={
          <>
            {r.state === 'running' && (
              <Button onClick={() => void act('pause')} loading={acting === 'pause'}>
                Pause
              </Button>
            )}
            {r.state === 'paused' && (
              <Button variant="primary" onClick={() => void act('resume')} loading={acting === 'resume'}>
                Resume
              </Button>
            )}
            {isActive(r) && (
              <Button variant="danger" onClick={() => setConfirmCancel(true)} disabled={acting !== null}>
                Cancel rollout…
              </Button>
            )}
          </>
        }
      />
      <div className="space-y-6">
        {actionError && <Alert tone="error">{actionError}</Alert>}
        {refreshError && <Alert tone="warning">Could not refresh: {refreshError} Still trying.</Alert>}
        {r.state === 'paused' && (
          <Alert tone="info" title="Paused">
            No further store starts its upgrade until you resume.
          </Alert>
        )}
        {(r.state === 'halted' || r.halt_reason) && (
          <Alert tone="warning" title="The rollout halted">
            {r.halt_reason || `${pluralize(r.failed, 'store')} failed to upgrade.`} The failed stores were rolled back; the stores
            still waiting were left as they are.
          </Alert>
        )}
        <RolloutProgress rollout={r} engine={name} />
        <RolloutStores stores={r.stores ?? []} />
      </div>
      <Dialog
        open={confirmCancel}
        onClose={() => setConfirmCancel(false)}
        busy={acting === 'cancel'}
        role="alertdialog"
        size="sm"
        title="Cancel this fleet upgrade?"
        description={`${pluralize(r.pending, 'store')} still waiting will not be upgraded. Stores already upgraded keep their new version. A cancelled rollout cannot be resumed; start a new one later if you need to.`}
      >
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={() => setConfirmCancel(false)} disabled={acting === 'cancel'}>
            Keep it going
          </Button>
          <Button variant="danger" onClick={() => void act('cancel')} loading={acting === 'cancel'}>
            Cancel rollout
          </Button>
        </div>
      </Dialog>
    </>
  );
}

const SEGMENTS: Array<{ key: 'succeeded' | 'failed' | 'upgrading' | 'skipped' | 'pending'; label: string; bar: string }> = [
  { key: 'succeeded', label: 'Upgraded', bar: 'bg-emerald-500' },
  { key: 'failed', label: 'Failed', bar: 'bg-red-600' },
  { key: 'upgrading', label: 'Upgrading', bar: 'bg-violet-500' },
  { key: 'skipped', label: 'Skipped', bar: 'bg-slate-400' },
  { key: 'pending', label: 'Waiting', bar: 'bg-slate-200' },
];

function RolloutProgress({ rollout: r, engine }: { rollout: Rollout; engine: string }) {
  const done = r.succeeded + r.failed + r.skipped;
  const total = Math.max(r.total, 0);
  const text = `${done} of ${total} stores done: ${r.succeeded} upgraded, ${r.failed} failed, ${r.upgrading} upgrading, ${r.pending} waiting${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  return (
    <Card className="space-y-3 p-5" aria-labelledby="rollout-progress-heading">
      <h2 id="rollout-progress-heading" className="text-base font-semibold text-slate-900">
        Progress
      </h2>
      <div
        role="progressbar"
        aria-label={`Fleet upgrade progress of ${engine} stores`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={text}
        className="flex h-3 w-full overflow-hidden rounded-full bg-slate-200"
      >
        {total > 0 &&
          SEGMENTS.filter((s) => s.key !== 'pending').map((s) => (
            <div key={s.key} className={cx('h-full transition-[width]', s.bar)} style={{ width: `${(r[s.key] / total) * 100}%` }} />
          ))}
      </div>
      <p className="text-sm text-slate-700">
        {done} of {pluralize(total, 'store')} done
      </p>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="rollout-counts">
        {SEGMENTS.map((s) => (
          <div key={s.key} className="rounded-md bg-slate-50 px-3 py-2 ring-1 ring-slate-200 ring-inset">
            <dt className="flex items-center gap-1.5 text-xs text-slate-600">
              <span aria-hidden="true" className={cx('h-2 w-2 rounded-full', s.bar)} />
              {s.label}
            </dt>
            <dd className="text-lg font-semibold text-slate-900 tabular-nums" data-count={s.key}>
              {r[s.key]}
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function RolloutStores({ stores }: { stores: RolloutStore[] }) {
  return (
    <Card className="overflow-hidden" aria-labelledby="rollout-stores-heading">
      <h2 id="rollout-stores-heading" className="px-5 pt-5 pb-3 text-base font-semibold text-slate-900">
        Stores
      </h2>
      {stores.length === 0 ? (
        <p className="px-5 pb-5 text-sm text-slate-600">No stores in this rollout.</p>
      ) : (
        <table role="table" className="block w-full text-sm md:table" aria-labelledby="rollout-stores-heading">
          <thead role="rowgroup" className="hidden bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase md:table-header-group">
            <tr role="row">
              <th role="columnheader" scope="col" className="px-4 py-2">Store</th>
              <th role="columnheader" scope="col" className="px-4 py-2">State</th>
              <th role="columnheader" scope="col" className="px-4 py-2">Reason</th>
              <th role="columnheader" scope="col" className="px-4 py-2 whitespace-nowrap">Started</th>
              <th role="columnheader" scope="col" className="px-4 py-2 whitespace-nowrap">Finished</th>
            </tr>
          </thead>
          <tbody role="rowgroup" className="block divide-y divide-slate-100 md:table-row-group">
            {stores.map((s) => (
              <tr role="row" key={s.store_id} className="block px-5 py-3 md:table-row md:p-0" data-store-state={s.state}>
                <td role="cell" data-label="Store" className={cx(TABLE_CELL, 'break-words')}>
                  <Link to={`/stores/${encodeURIComponent(s.store_id)}`} className="font-medium text-indigo-700 hover:underline">
                    {s.name}
                  </Link>
                </td>
                <td role="cell" data-label="State" className={cx(TABLE_CELL, STORE_STATE_CLS[s.state])}>
                  {STORE_STATE_WORDS[s.state] ?? s.state}
                </td>
                <td role="cell" data-label="Reason" className={cx(TABLE_CELL, 'text-xs break-words text-slate-600')}>
                  {s.reason || '—'}
                </td>
                <td role="cell" data-label="Started" className={cx(TABLE_CELL, 'text-xs whitespace-nowrap text-slate-600')}>
                  {formatDateTime(s.started_at, true)}
                </td>
                <td role="cell" data-label="Finished" className={cx(TABLE_CELL, 'text-xs whitespace-nowrap text-slate-600')}>
                  {formatDateTime(s.finished_at, true)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
