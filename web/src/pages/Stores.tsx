// The signed-in user's stores: usage, the list, and the way to create another.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../api/client';
import type { Store } from '../api/types';
import { CreateStoreForm } from '../components/CreateStoreForm';
import { Dialog } from '../components/Dialog';
import { LiveIndicator } from '../components/LiveIndicator';
import { NewStoreButton } from '../components/NewStoreButton';
import { QuotaMeter } from '../components/QuotaMeter';
import { StoreList } from '../components/StoreList';
import { NoStoreMatches, StoreListControls, searchAndSort, useStoreListQuery } from '../components/StoreListControls';
import { Alert, Button, ErrorBlock, PageHeader } from '../components/ui';
import { storesTowardQuota } from '../lib/quota';
import { useAnnounce } from '../state/announcer';
import { useMe, useSession } from '../state/session';
import { shouldPoll } from '../state/storeCache';
import { useStores } from '../state/stores';

export function StoresPage() {
  const { info, refreshMe } = useSession();
  const me = useMe();
  const { stores, loaded, synced, error, stream, refresh, upsert } = useStores();
  // An outage is told by the banner; here only errors the person can do something about.
  const listError = error instanceof ApiError && error.isNetwork ? null : error;
  const announce = useAnnounce();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Store | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  // A delete started on a store's page lands here; say so where the person now looks.
  const location = useLocation();
  const navigate = useNavigate();
  const deletedName = (location.state as { deleted?: string } | null)?.deleted ?? null;
  const [deleted, setDeleted] = useState<string | null>(deletedName);
  useEffect(() => {
    if (!deletedName) return;
    setDeleted(deletedName);
    // Not again after a reload or going back and forth.
    navigate(location.pathname + location.search, { replace: true, state: null });
  }, [deletedName, navigate, location.pathname, location.search]);
  // Quota usage counts every store that exists, the ones still being set up included and
  // the ones being deleted not (as the server does); the live list knows about a change
  // before /me is asked again.
  const shownMe = synced ? { ...me, stores_active: storesTowardQuota(stores) } : me;
  const createdNow = created ? stores.find((s) => s.id === created.id) : undefined;
  const createdOnItsWay = !!createdNow && (createdNow.status === 'Pending' || createdNow.status === 'Provisioning');
  const { query, sort, setQuery, setSort } = useStoreListQuery();
  const shown = useMemo(() => searchAndSort(stores, query, sort), [stores, query, sort]);

  useEffect(() => {
    document.title = 'Stores · Storefleet';
  }, []);

  function onCreated(store: Store) {
    upsert(store);
    setCreating(false);
    setCreated(store);
    announce(`Store ${store.display_name || store.name} created. It is ${store.status}.`);
    // The empty state's button that opened the dialog is gone now: keep focus somewhere useful.
    requestAnimationFrame(() => {
      if (!document.activeElement || document.activeElement === document.body) newButton.current?.focus();
    });
  }

  const newStoreButton = <NewStoreButton ref={newButton} me={shownMe} onClick={() => setCreating(true)} />;

  return (
    <>
      <PageHeader
        title="Your stores"
        subtitle={
          <span className="flex flex-wrap items-center gap-x-4 gap-y-1">
            <QuotaMeter me={shownMe} />
            {loaded && stores.length > 0 && <LiveIndicator stream={stream} polling={shouldPoll(stream, stores)} />}
          </span>
        }
        actions={newStoreButton}
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

      {created && createdOnItsWay && (
        <Alert
          tone="success"
          className="mb-4"
          title={`${created.name} is on its way`}
          action={
            <Button size="sm" variant="ghost" onClick={() => setCreated(null)}>
              Dismiss
            </Button>
          }
        >
          Provisioning runs in the background and this list updates by itself.{' '}
          <Link to={`/stores/${created.id}`} className="font-medium underline">
            Follow each step
          </Link>
          .
        </Alert>
      )}

      {!loaded ? (
        <ListSkeleton />
      ) : !synced && error ? (
        <ErrorBlock message={errorMessage(error)} onRetry={() => void refresh()} />
      ) : stores.length === 0 ? (
        <EmptyState onCreate={() => setCreating(true)} />
      ) : (
        <>
          {listError != null && (
            <Alert tone="warning" className="mb-4">
              Could not refresh the list: {errorMessage(listError)} Showing what we had.
            </Alert>
          )}
          <StoreListControls query={query} sort={sort} onQuery={setQuery} onSort={setSort} total={stores.length} shown={shown.length} />
          {shown.length === 0 ? (
            <NoStoreMatches query={query} onClear={() => setQuery('')} />
          ) : (
            <StoreList key={`${query}|${sort}`} stores={shown} engines={info?.engines} highlightId={created?.id} label="Your stores" />
          )}
        </>
      )}

      <Dialog
        open={creating}
        onClose={() => setCreating(false)}
        title="New store"
        description="A shop of your own in an isolated namespace, with its own database, storage and address. It is ready in a few minutes."
        size="lg"
      >
        <CreateStoreForm
          info={info}
          me={shownMe}
          onCreated={onCreated}
          onCancel={() => setCreating(false)}
          onQuotaExceeded={() => void refreshMe().catch(() => {})}
        />
      </Dialog>
    </>
  );
}

function EmptyState({ onCreate }: { onCreate: () => void }) {
  return (
    <div className="rounded-lg border-2 border-dashed border-slate-300 bg-white px-6 py-14 text-center">
      <svg viewBox="0 0 48 48" className="mx-auto h-12 w-12 text-indigo-500" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
        <path d="M8 18h32l-3 22H11L8 18Z" strokeLinejoin="round" />
        <path d="M17 18a7 7 0 0 1 14 0" />
      </svg>
      <h2 className="mt-4 text-lg font-semibold text-slate-900">Launch your first store</h2>
      <p className="mx-auto mt-1 max-w-md text-sm text-slate-600">
        Pick a name and Storefleet sets up a complete shop with its own database, storage and address. You can watch every step here.
      </p>
      <Button variant="primary" className="mt-6" onClick={onCreate}>
        Create your first store
      </Button>
    </div>
  );
}

function ListSkeleton() {
  return (
    <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200" aria-busy="true">
      <p role="status" className="sr-only">
        Loading your stores…
      </p>
      {[0, 1, 2].map((i) => (
        <div key={i} className="flex animate-pulse items-center gap-4 border-b border-slate-100 px-4 py-4">
          <div className="h-4 w-40 rounded bg-slate-200" />
          <div className="h-4 w-20 rounded bg-slate-100" />
          <div className="h-5 w-24 rounded-full bg-slate-100" />
        </div>
      ))}
    </div>
  );
}
