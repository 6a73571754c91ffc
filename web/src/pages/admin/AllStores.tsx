// Admin: every store on the platform, whoever owns it.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../../api/client';
import { useLocation } from 'react-router';
import type { StoreListResponse, StoreStatus } from '../../api/types';
import { STORE_STATUSES } from '../../api/types';
import { LiveIndicator } from '../../components/LiveIndicator';
import { StoreList } from '../../components/StoreList';
import { NoStoreMatches, StoreListControls, searchAndSort, useStoreListQuery } from '../../components/StoreListControls';
import { Alert, Button, ErrorBlock, LoadingBlock, PageHeader, SelectField } from '../../components/ui';
import { useSession } from '../../state/session';
import { anyInProgress, emptyCache, removeStore, replaceStores, sortedStores, upsertStore, type StoreCache, type StreamStatus } from '../../state/storeCache';
import { STREAM_URL, StoreStream } from '../../state/stream';

const SLOW_POLL_MS = 30_000;
const FAST_POLL_MS = 3_000;

export default function AdminStoresPage() {
  const { info } = useSession();
  const [cache, setCache] = useState<StoreCache>(emptyCache);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A delete started on another user's store page lands here.
  const location = useLocation();
  const [deleted, setDeleted] = useState<string | null>((location.state as { deleted?: string } | null)?.deleted ?? null);
  const [status, setStatus] = useState<'' | StoreStatus>('');
  const { query, sort, setQuery, setSort } = useStoreListQuery();

  const load = useCallback(async () => {
    try {
      const res = await api.get<StoreListResponse>('/stores?all=true');
      setCache((c) => replaceStores(c, res.items));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoaded(true);
    }
  }, []);

  useEffect(() => {
    document.title = 'All stores · Storefleet';
    void load();
  }, [load]);

  // Every user's changes: the admin-only `?all=true` stream.
  const [stream, setStream] = useState<StreamStatus>('connecting');
  useEffect(() => {
    let opened = false;
    const s = new StoreStream({
      url: `${STREAM_URL}?all=true`,
      onStatus: (st) => {
        setStream(st);
        if (st === 'open') {
          if (opened) void load();
          opened = true;
        }
      },
      onEvent: (ev) => {
        if (ev.type === 'resync') void load();
        else setCache((c) => (ev.type === 'store' ? upsertStore(c, ev.store) : removeStore(c, ev.id)));
      },
    });
    s.start();
    return () => s.stop();
  }, [load]);

  const all = useMemo(() => sortedStores(cache), [cache]);
  // Without the stream, poll: quickly while anything is moving.
  const busy = anyInProgress(all);
  useEffect(() => {
    if (stream === 'open') return;
    const t = setInterval(() => void load(), busy ? FAST_POLL_MS : SLOW_POLL_MS);
    return () => clearInterval(t);
  }, [busy, load, stream]);

  const withStatus = useMemo(() => all.filter((s) => !status || s.status === status), [all, status]);
  const shown = useMemo(() => searchAndSort(withStatus, query, sort, (s) => [s.owner_email ?? '']), [withStatus, query, sort]);

  const counts = useMemo(() => {
    const m = new Map<StoreStatus, number>();
    for (const s of all) m.set(s.status, (m.get(s.status) ?? 0) + 1);
    return m;
  }, [all]);

  return (
    <>
      <PageHeader
        title="All stores"
        subtitle={
          loaded && (
            <span className="flex flex-wrap items-center gap-x-4 gap-y-1">
              <span>
                {all.length} {all.length === 1 ? 'store' : 'stores'}
                {STORE_STATUSES.filter((st) => counts.get(st)).map((st) => ` · ${counts.get(st)} ${st}`)}
              </span>
              <LiveIndicator stream={stream} polling={stream !== 'open' && busy} />
            </span>
          )
        }
      />
      {deleted && (
        <Alert
          tone="info"
          className="mb-4"
          title={`Deleting ${deleted}`}
          action={
            <Button size="sm" variant="ghost" onClick={() => setDeleted(null)}>
              Dismiss
            </Button>
          }
        >
          The store and everything it holds are being removed. It disappears from this list once that is done.
        </Alert>
      )}
      {!loaded && <LoadingBlock label="Loading stores" />}
      {loaded && error && all.length === 0 && <ErrorBlock message={error} onRetry={() => void load()} />}
      {loaded && (all.length > 0 || !error) && (
        <div className="space-y-4">
          {error && <Alert tone="warning">Could not refresh: {error}</Alert>}
          <StoreListControls
            query={query}
            sort={sort}
            onQuery={setQuery}
            onSort={setSort}
            total={withStatus.length}
            shown={shown.length}
            searches="name, display name, domain or owner"
          />
          <div className="flex flex-wrap items-end gap-4">
            <div className="w-full sm:w-48">
              <SelectField label="Status" value={status} onChange={(e) => setStatus(e.target.value as '' | StoreStatus)}>
                <option value="">Any status</option>
                {STORE_STATUSES.map((st) => (
                  <option key={st} value={st}>
                    {st}
                  </option>
                ))}
              </SelectField>
            </div>
          </div>
          {all.length === 0 ? (
            <p className="rounded-lg bg-white p-6 text-sm text-slate-600 ring-1 ring-slate-200">No stores on the platform yet.</p>
          ) : shown.length === 0 && query.trim() ? (
            <NoStoreMatches query={query} searches="names, display names, domains and owners" onClear={() => setQuery('')} />
          ) : shown.length === 0 ? (
            <p className="rounded-lg bg-white p-6 text-sm text-slate-600 ring-1 ring-slate-200">No store has the status {status}.</p>
          ) : (
            <StoreList
              key={`${status}|${query}|${sort}`}
              stores={shown}
              engines={info?.engines}
              label="All stores"
              ownerLabel={(s) => s.owner_email}
            />
          )}
        </div>
      )}
    </>
  );
}
