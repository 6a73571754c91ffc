// One store: where it lives, how provisioning went step by step, whether its parts are
// healthy, its admin credentials on request (and their rotation), and retry / delete.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, errorMessage } from '../api/client';
import type { Credentials, EventListResponse, Store, StoreEvent, StoreHealth } from '../api/types';
import { isInProgress, isServing, showsProgress } from '../api/types';
import { CopyButton } from '../components/CopyButton';
import { DeleteStoreDialog } from '../components/DeleteStoreDialog';
import { OpenWpAdmin } from '../components/OpenWpAdmin';
import { RotateCredentials } from '../components/RotateCredentials';
import { rotatableKinds } from '../api/credentials';
import { StoreRevisions } from '../components/StoreRevisions';
import { engineName } from '../components/StoreList';
import { engineWords } from '../engineWords';
import { CheckoutNotVerified, StatusBadge, StoreProgress, reasonToShow } from '../components/StatusBadge';
import { Alert, Button, Card, ErrorBlock, LoadingBlock, Spinner, cx } from '../components/ui';
import { formatDateTime, formatDuration } from '../lib/format';
import { ownerMessage, skippedSetting, stepWords } from '../lib/storeWords';
import { StoreClusterEvents } from '../components/StoreClusterEvents';
import { StoreRename } from '../components/StoreRename';
import { StoreResources } from '../components/StoreResources';
import { StoreVersions } from '../components/StoreVersions';
import { useStoreResources } from '../state/storeResources';
import { useNow } from '../lib/useNow';
import { useAnnounce } from '../state/announcer';
import { StoreOwner, storeListFor } from '../components/StoreOwner';
import { useSession } from '../state/session';
import { POLL_INTERVAL_MS, useStores } from '../state/stores';

type LoadState = { kind: 'loading' } | { kind: 'ok' } | { kind: 'gone' } | { kind: 'forbidden' } | { kind: 'error'; message: string };

export default function StoreDetailsPage() {
  const { id = '' } = useParams();
  const { byId, gone, stream, subscribe, upsert: upsertMine, remove: removeMine } = useStores();
  const { info, me } = useSession();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const [store, setStore] = useState<Store | null>(() => byId.get(id) ?? null);
  const [load, setLoad] = useState<LoadState>(() => (byId.has(id) ? { kind: 'ok' } : { kind: 'loading' }));
  const [deleting, setDeleting] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const storeRef = useRef(store);
  useEffect(() => {
    storeRef.current = store;
  });

  const fetchStore = useCallback(async () => {
    try {
      const s = await api.get<Store>(`/stores/${encodeURIComponent(id)}`);
      setStore(s);
      setLoad({ kind: 'ok' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setLoad({ kind: 'gone' });
        if (storeRef.current) removeMine(id);
      } else if (err instanceof ApiError && err.status === 403) setLoad({ kind: 'forbidden' });
      else if (!storeRef.current) setLoad({ kind: 'error', message: errorMessage(err) });
    }
  }, [id, removeMine]);

  useEffect(() => {
    void fetchStore();
  }, [fetchStore]);

  // Live: the user's own stores arrive through the shared cache and stream.
  const cached = byId.get(id);
  useEffect(() => {
    if (cached) setStore((cur) => (!cur || (cached.updated_at ?? '') >= (cur.updated_at ?? '') ? cached : cur));
  }, [cached]);
  useEffect(() => {
    if (gone.has(id) && store) setLoad({ kind: 'gone' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [gone, id]);
  useEffect(
    () =>
      subscribe((ev) => {
        if (ev.type === 'resync') void fetchStore();
        if (ev.type === 'store' && ev.store.id === id) setStore(ev.store);
        if (ev.type === 'store_gone' && ev.id === id) setLoad({ kind: 'gone' });
      }),
    [subscribe, id, fetchStore],
  );
  // An admin looking at someone else's store, or a stream that is down: poll.
  const needsPoll = !!store && isInProgress(store) && (stream !== 'open' || !cached) && load.kind === 'ok';
  useEffect(() => {
    if (!needsPoll) return;
    const t = setInterval(() => void fetchStore(), POLL_INTERVAL_MS);
    return () => clearInterval(t);
  }, [needsPoll, fetchStore]);

  useEffect(() => {
    document.title = `${store?.display_name || store?.name || 'Store'} · Storefleet`;
  }, [store?.name, store?.display_name]);

  const events = useStoreEvents(store);
  const verdict = store?.status === 'Ready' && store.checkout_verified != null ? (store.checkout_verified ? 'verified' : 'skipped') : null;
  const cluster = useStoreResources(load.kind === 'ok' ? store : null);

  if (load.kind === 'gone') {
    return (
      <div className="py-12">
        <Alert tone="info" title={store ? `${store.name} has been deleted` : 'Store not found'}>
          {store
            ? 'The store and everything in its namespace are gone.'
            : 'There is no store at this address. It may have been deleted, or the link is wrong.'}{' '}
          <Link to="/" className="font-medium underline">
            Back to your stores
          </Link>
        </Alert>
      </div>
    );
  }
  if (load.kind === 'forbidden') {
    return (
      <div className="py-12">
        <Alert tone="warning" title="Not your store">
          This store belongs to another account.{' '}
          <Link to="/" className="font-medium underline">
            Back to your stores
          </Link>
        </Alert>
      </div>
    );
  }
  if (load.kind === 'error') return <ErrorBlock message={load.message} onRetry={() => void fetchStore()} />;
  if (!store) return <LoadingBlock label="Loading store" />;

  async function onRetry() {
    if (!store) return;
    setRetrying(true);
    setActionError(null);
    try {
      const s = await api.post<Store>(`/stores/${encodeURIComponent(store.id)}/retry`);
      setStore(s);
      if (byId.has(s.id)) upsertMine(s);
      announce(`Retrying ${s.name}.`);
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setRetrying(false);
    }
  }

  const inProgress = showsProgress(store);
  const reason = reasonToShow(store);
  const backTo = storeListFor(store, me);

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to={backTo.to} className="text-slate-700 underline decoration-slate-300 underline-offset-2 hover:text-slate-900 hover:decoration-slate-500">
          {backTo.label}
        </Link>
        <span aria-hidden="true" className="mx-2 text-slate-400">
          /
        </span>
        <span aria-current="page" className="text-slate-900">
          {store.display_name || store.name}
        </span>
      </nav>

      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-2">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="truncate text-2xl font-semibold tracking-tight">{store.display_name || store.name}</h1>
            <StatusBadge status={store.status} />
            {verdict === 'skipped' && <CheckoutNotVerified />}
          </div>
          <StoreOwner store={store} me={me} />
          {store.display_name && <p className="font-mono text-sm text-slate-600" data-testid="address-name"><span className="sr-only">Address name: </span>{store.name}</p>}
          <StoreVersions state={cluster} />
          {reason && <p className={cx('text-sm', store.status === 'Failed' ? 'text-red-800' : 'text-slate-600')}>{reason}</p>}
          {inProgress && <StoreProgress store={store} />}
        </div>
        <div className="flex flex-wrap gap-2">
          {isServing(store) && store.url && (
            <a
              href={store.url}
              target="_blank"
              rel="noreferrer"
              className="inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500"
            >
              Open storefront <span aria-hidden="true">↗</span>
            </a>
          )}
          <OpenWpAdmin store={store} />
          {store.status === 'Failed' && (
            <Button variant="primary" onClick={onRetry} loading={retrying}>
              Retry provisioning
            </Button>
          )}
          {store.status !== 'Deleting' && <StoreRename store={store} onRenamed={(s) => { setStore(s); if (byId.has(s.id)) upsertMine(s); }} />}
          {store.status !== 'Deleting' && (
            <Button variant="danger" onClick={() => setDeleting(true)}>
              Delete…
            </Button>
          )}
        </div>
      </div>

      {actionError && <Alert tone="error">{actionError}</Alert>}
      {store.status === 'Failed' && (
        <Alert tone="error" title="Provisioning failed">
          {store.status_reason || 'The last attempt did not finish.'} Retrying keeps the store’s data; check the timeline below for what went wrong.
        </Alert>
      )}
      {verdict === 'skipped' && (
        <Alert tone="warning" title="Ready · checkout not verified">
          <p>
            Your store is running, but no test order was placed, so nobody has checked yet that customers can pay. Place a test order
            yourself before you share the store.
          </p>
          <details className="mt-2">
            <summary className="cursor-pointer font-medium">For operators</summary>
            <p className="mt-1">
              Checkout verification is turned off on this platform
              {skippedSetting(events.events ?? []) ? (
                <>
                  {' '}
                  (<code className="font-mono text-xs">{skippedSetting(events.events ?? [])}</code>)
                </>
              ) : null}
              . Stores created while it is off are not tested.
            </p>
          </details>
        </Alert>
      )}
      {store.status === 'Deleting' && (
        <Alert tone="warning" title="Deleting">
          Everything in the store’s namespace is being removed. This page updates when it is gone.
        </Alert>
      )}

      {/* On a phone the column order is the reading order: overview, then credentials and
          health, then the long timeline. From lg on, credentials and health sit on the right. */}
      <div className="grid gap-6 lg:grid-cols-3 lg:grid-rows-[auto_1fr] lg:items-start">
        <div className="lg:col-span-2">
          <Overview store={store} engine={engineName(info?.engines, store.engine)} />
        </div>
        <div className="space-y-6 lg:col-start-3 lg:row-span-2 lg:row-start-1" data-testid="side-column">
          {/* Also shown, without the credentials, while a store that was Ready is busy
              (rotating its credentials, say), so the rotate button keeps its place. */}
          {(store.status === 'Ready' || (store.ready_at != null && store.status !== 'Deleting')) && (
            <CredentialsCard store={store} onStoreChange={(s) => { setStore(s); if (byId.has(s.id)) upsertMine(s); }} />
          )}
          <HealthCard store={store} />
          <StoreResources state={cluster} />
        </div>
        <div className="space-y-6 lg:col-span-2 lg:row-start-2">
          <StoreRevisions store={store} onStoreChange={(s) => { setStore(s); if (byId.has(s.id)) upsertMine(s); }} />
          <Timeline store={store} state={events} />
          <StoreClusterEvents state={cluster} />
          <TechnicalDetails store={store} events={events.events} open={info != null && me?.role === 'admin'} />
        </div>
      </div>

      <DeleteStoreDialog
        store={store}
        open={deleting}
        onClose={() => setDeleting(false)}
        onDeleted={(s) => {
          setDeleting(false);
          setStore(s);
          if (byId.has(s.id)) upsertMine(s);
          announce(`${s.name} is being deleted.`);
          navigate(backTo.to, { replace: false, state: { deleted: s.name } });
        }}
      />
    </div>
  );
}

function Section({ title, children, actions, className }: { title: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Card className={cx('p-5', className)} aria-labelledby={id}>
      <div className="mb-4 flex items-center justify-between gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {actions}
      </div>
      {children}
    </Card>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 text-sm break-words text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

function UrlValue({ url }: { url: string | null | undefined }) {
  if (!url) return <span className="text-slate-500">Available once the store is Ready</span>;
  return (
    <a href={url} target="_blank" rel="noreferrer" className="font-mono text-indigo-700 hover:underline">
      {url}
    </a>
  );
}

function Overview({ store, engine }: { store: Store; engine: string }) {
  const words = engineWords(store.engine);
  return (
    <Section title="Overview">
      <dl className="divide-y divide-slate-100">
        <Row label={words.url}>
          <UrlValue url={store.url} />
        </Row>
        <Row label={words.admin}>
          <UrlValue url={store.admin_url} />
        </Row>
        <Row label="Domain">{store.domain ? <span className="font-mono">{store.domain}</span> : '—'}</Row>
        <Row label="Engine">{engine}</Row>
        <Row label="Created">{formatDateTime(store.created_at)}</Row>
        <Row label="Ready since">{store.ready_at ? formatDateTime(store.ready_at) : '—'}</Row>
      </dl>
    </Section>
  );
}

const LEVEL_STYLE: Record<string, { dot: string; text: string; label: string }> = {
  info: { dot: 'bg-sky-500', text: 'text-slate-800', label: 'Info' },
  warning: { dot: 'bg-amber-500', text: 'text-amber-900', label: 'Warning' },
  error: { dot: 'bg-red-600', text: 'text-red-800', label: 'Error' },
};

type EventsState = { events: StoreEvent[] | null; error: string | null; reload: () => void };

/** The store's events, read again whenever its status or step moves. */
function useStoreEvents(store: Store | null): EventsState {
  const [events, setEvents] = useState<StoreEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = store?.id ?? '';
  const version = store ? `${store.status}|${store.step ?? ''}|${store.steps_done ?? ''}|${store.updated_at ?? ''}` : '';
  const load = useCallback(async () => {
    if (!id) return;
    try {
      const res = await api.get<EventListResponse>(`/stores/${encodeURIComponent(id)}/events`);
      setEvents(res.items);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load, version]);
  return { events, error, reload: () => void load() };
}

function Timeline({ store, state }: { store: Store; state: EventsState }) {
  const { events, error } = state;
  const load = state.reload;
  const live = isInProgress(store);
  const now = useNow(1000);
  const serverDurations = !!events?.some((e) => e.duration_ms != null);

  return (
    <Section title="Timeline">
      {error && !events && <ErrorBlock message={error} onRetry={() => void load()} />}
      {!events && !error && <LoadingBlock label="Loading events" />}
      {events && events.length === 0 && <p className="text-sm text-slate-600">No events yet. They appear as soon as provisioning starts.</p>}
      {events && events.length > 0 && (
        <ol className="relative space-y-4 border-l border-slate-200 pl-5" aria-label="Provisioning events, oldest first">
          {events.map((ev, i) => {
            const style = LEVEL_STYLE[ev.level] ?? LEVEL_STYLE.info!;
            const start = Date.parse(ev.at);
            const isLast = i === events.length - 1;
            // The server says how long each step took on the event that closes it; without
            // that, the gap to the next event is the best estimate.
            let dur: number | null = null;
            if (serverDurations) dur = ev.duration_ms ?? (isLast && live && !Number.isNaN(start) ? now - start : null);
            else {
              const nextAt = events[i + 1] ? Date.parse(events[i + 1]!.at) : live ? now : null;
              dur = nextAt != null && !Number.isNaN(start) ? nextAt - start : null;
            }
            return (
              <li key={`${ev.at}-${i}`} className="relative">
                <span aria-hidden="true" className={cx('absolute top-1.5 -left-[1.6rem] h-2.5 w-2.5 rounded-full ring-4 ring-white', style.dot)} />
                <div className="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-500">
                  <time dateTime={ev.at}>{formatDateTime(ev.at, true)}</time>
                  {ev.step && <span className="rounded bg-slate-100 px-1.5 text-slate-700">{stepWords(ev.step, /^(Deleting|Uninstall|Removing)/i.test(ev.message) ? 'Deleting' : undefined)}</span>}
                  {ev.level !== 'info' && <span className={cx('font-semibold uppercase', style.text)}>{style.label}</span>}
                  {ev.level === 'info' && <span className="sr-only">{style.label}</span>}
                  {dur != null && dur >= 0 && (
                    <span className="ml-auto whitespace-nowrap tabular-nums">
                      {isLast && live && ev.duration_ms == null ? `running for ${formatDuration(dur)}` : `took ${formatDuration(dur)}`}
                    </span>
                  )}
                </div>
                <p className={cx('mt-0.5 text-sm', style.text)}>{ownerMessage(ev.message).text}</p>
              </li>
            );
          })}
        </ol>
      )}
    </Section>
  );
}

/**
 * What operators need and owners do not: the namespace, the store's id, and the server's
 * own words for every step (release names, Pod Security, settings). Open for admins.
 */
function TechnicalDetails({ store, events, open }: { store: Store; events: StoreEvent[] | null; open: boolean }) {
  return (
    <Card className="p-5">
      <details open={open || undefined} data-testid="technical-details">
        <summary className="cursor-pointer rounded-sm text-base font-semibold text-slate-900">Technical details</summary>
        <dl className="mt-3 divide-y divide-slate-100">
          <Row label="Namespace">{store.namespace ? <span className="font-mono">{store.namespace}</span> : '—'}</Row>
          <Row label="Store ID">
            <span className="font-mono text-xs">{store.id}</span>
          </Row>
          {store.step && (
            <Row label="Current step">
              <span className="font-mono text-xs">{store.step}</span>
            </Row>
          )}
        </dl>
        {events && events.length > 0 && (
          <>
            <h3 className="mt-4 text-sm font-semibold text-slate-900">Events as the server reports them</h3>
            <ol className="mt-2 space-y-1 text-xs text-slate-700" aria-label="Events as the server reports them">
              {events.map((ev, i) => (
                <li key={`${ev.at}-${i}`} className="break-words">
                  <time dateTime={ev.at} className="whitespace-nowrap text-slate-500 tabular-nums">
                    {formatDateTime(ev.at, true)}
                  </time>{' '}
                  {ev.step && <span className="font-mono">[{ev.step}]</span>} {ev.message}
                </li>
              ))}
            </ol>
          </>
        )}
      </details>
    </Card>
  );
}

function CredentialsCard({ store, onStoreChange }: { store: Store; onStoreChange: (s: Store) => void }) {
  const { info } = useSession();
  const [creds, setCreds] = useState<Credentials | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = store.status === 'Ready';
  // Revealed credentials go when the store leaves Ready: a rotation may be replacing them.
  const [wasReady, setWasReady] = useState(ready);
  if (wasReady !== ready) {
    setWasReady(ready);
    if (!ready) {
      setCreds(null);
      setError(null);
    }
  }

  async function reveal() {
    setBusy(true);
    setError(null);
    try {
      setCreds(await api.get<Credentials>(`/stores/${encodeURIComponent(store.id)}/credentials`));
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'not_ready'
          ? 'Credentials are available once the store is Ready.'
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section
      title="Admin credentials"
      actions={
        creds && (
          <Button size="sm" variant="ghost" onClick={() => setCreds(null)}>
            Hide
          </Button>
        )
      }
    >
      {error && <Alert tone="error" className="mb-3">{error}</Alert>}
      {!ready ? (
        <p className="text-sm text-slate-600">{engineWords(store.engine).account} Its password can be revealed again once the store is Ready.</p>
      ) : !creds ? (
        <div className="space-y-3">
          <p className="text-sm text-slate-600">{engineWords(store.engine).account} Revealing it is recorded in the audit log.</p>
          <Button onClick={reveal} loading={busy}>
            Reveal credentials
          </Button>
        </div>
      ) : (
        <div className="space-y-4">
          <dl className="space-y-3">
            <CredentialRow label={engineWords(store.engine).username} value={creds.username} />
            <CredentialRow label="Password" value={creds.password} />
          </dl>
          {creds.admin_url && (
            <a href={creds.admin_url} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 text-sm font-medium text-indigo-700 hover:underline">
              Sign in to the store admin <span aria-hidden="true">↗</span>
            </a>
          )}
          <Alert tone="warning" title="Change this password">
            This password was generated for you. Sign in to the store admin and change it to one only you know.
          </Alert>
        </div>
      )}
      <div className="mt-4 border-t border-slate-100 pt-4 empty:hidden">
        <RotateCredentials
          store={store}
          kinds={rotatableKinds(info, store.engine)}
          onRotated={(s) => {
            setCreds(null);
            onStoreChange(s);
          }}
        />
      </div>
    </Section>
  );
}

function CredentialRow({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 flex items-center gap-2">
        <code className="min-w-0 flex-1 rounded bg-slate-100 px-2 py-1.5 font-mono text-sm break-all text-slate-900 select-all" data-credential={label.toLowerCase()}>
          {value}
        </code>
        <CopyButton text={value} what={label} />
      </dd>
    </div>
  );
}

function HealthCard({ store }: { store: Store }) {
  const [health, setHealth] = useState<StoreHealth | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    setBusy(true);
    try {
      setHealth(await api.get<StoreHealth>(`/stores/${encodeURIComponent(store.id)}/health`));
      setError(null);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 404
          ? 'No health report for this store yet. It appears once provisioning has created its components.'
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  }, [store.id]);
  useEffect(() => {
    void load();
  }, [load, store.status]);
  // While the store is still being built, parts that do not exist yet are expected;
  // warn only once it is Ready or Failed, or when a part reports a real failure.
  const settingUp = showsProgress(store);
  const anyFailing = !!health?.components.some((c) => componentState(c, settingUp) === 'warning');

  return (
    <Section
      title="Health"
      actions={
        <Button size="sm" variant="ghost" onClick={() => busy || void load()} aria-busy={busy || undefined}>
          {busy && <Spinner className="h-4 w-4" label="" />}
          Refresh<span className="sr-only"> health</span>
        </Button>
      }
    >
      {error && !health && <p className="text-sm text-slate-600">{error}</p>}
      {!health && !error && <LoadingBlock label="Checking health" />}
      {health && (
        <div className="space-y-3">
          <p className={cx('text-sm font-medium', health.healthy ? 'text-emerald-800' : settingUp && !anyFailing ? 'text-slate-700' : 'text-amber-800')}>
            {health.healthy
              ? 'All components are healthy'
              : settingUp && !anyFailing
                ? store.status === 'Upgrading'
                  ? 'Upgrading: new versions of the components start one after another while the store keeps serving'
                  : 'Still being set up: components start one after another'
                : 'Some components are not ready'}
          </p>
          {health.components.length === 0 ? (
            <p className="text-sm text-slate-600">No components reported yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Components">
              {health.components.map((c) => {
                const state = componentState(c, settingUp);
                return (
                  <li key={c.name} className="flex items-start gap-2 py-2" data-state={state}>
                    <span
                      aria-hidden="true"
                      className={cx(
                        'mt-1.5 h-2 w-2 shrink-0 rounded-full',
                        state === 'ready' ? 'bg-emerald-500' : state === 'warning' ? 'bg-amber-500' : state === 'starting' ? 'bg-sky-400' : 'bg-slate-300',
                      )}
                    />
                    <div className="min-w-0">
                      <p className="text-sm font-medium text-slate-900">
                        {c.name} <span className="font-normal text-slate-600">— {COMPONENT_WORDS[state]}</span>
                      </p>
                      {c.message && state !== 'not-started' && <p className="text-xs break-words text-slate-600">{c.message}</p>}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          {health.checked_at && <p className="text-xs text-slate-500">Checked {formatDateTime(health.checked_at, true)}</p>}
        </div>
      )}
    </Section>
  );
}

type ComponentState = 'ready' | 'not-started' | 'starting' | 'warning';

const COMPONENT_WORDS: Record<ComponentState, string> = {
  ready: 'ready',
  'not-started': 'not started yet',
  starting: 'starting',
  warning: 'not ready',
};

const FAILING = /fail|error|crash|backoff|evicted|oomkilled|invalid|cannot|denied|forbidden/i;

export function componentState(c: { ready: boolean; message?: string | null }, settingUp: boolean): ComponentState {
  if (c.ready) return 'ready';
  if (!settingUp || FAILING.test(c.message ?? '')) return 'warning';
  return /not created|not found|missing|no pods/i.test(c.message ?? '') ? 'not-started' : 'starting';
}
