// The list of stores. Rows are virtualised against the window scroll, so 500 stores
// cost as much as the dozen on screen; each row re-renders only when its store changes.
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { EngineInfo, Store } from '../api/types';
import { isServing, showsProgress } from '../api/types';
import { formatAge, formatDateTime } from '../lib/format';
import { useNow } from '../lib/useNow';
import { CheckoutNotVerified, StatusBadge, StoreProgress, reasonToShow } from './StatusBadge';
import { storeTitle } from './StoreListControls';
import { cx } from './ui';

export interface StoreListProps {
  stores: Store[];
  engines?: EngineInfo[];
  /** Admin view: show who owns each store. */
  ownerLabel?: (store: Store) => string | null;
  highlightId?: string | null;
  label?: string;
}

const ESTIMATED_ROW = 84;

export function engineName(engines: EngineInfo[] | undefined, id: string): string {
  return engines?.find((e) => e.id === id)?.name ?? id;
}

export function StoreList({ stores, engines, ownerLabel, highlightId, label = 'Stores' }: StoreListProps) {
  const listRef = useRef<HTMLUListElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el) setScrollMargin(el.getBoundingClientRect().top + window.scrollY);
  }, []);

  const virtualizer = useWindowVirtualizer({
    count: stores.length,
    estimateSize: () => ESTIMATED_ROW,
    overscan: 8,
    scrollMargin,
    getItemKey: (i) => stores[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();

  return (
    <div className="overflow-hidden rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <div
        aria-hidden="true"
        className={cx(
          'hidden gap-4 border-b border-slate-200 bg-slate-50 px-4 py-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid',
          ownerLabel ? 'md:grid-cols-[minmax(0,2fr)_minmax(0,1.3fr)_minmax(0,2.6fr)_minmax(0,1.3fr)_7rem]' : 'md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,2.6fr)_minmax(0,1.3fr)_7rem]',
        )}
      >
        <span>Store</span>
        <span>{ownerLabel ? 'Owner · engine' : 'Engine'}</span>
        <span>Status</span>
        <span>Storefront</span>
        <span className="text-right">Created</span>
      </div>
      <ul
        ref={listRef}
        aria-label={label}
        className="relative"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const store = stores[item.index];
          if (!store) return null;
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              aria-setsize={stores.length}
              aria-posinset={item.index + 1}
              className="absolute top-0 left-0 w-full"
              style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
            >
              <StoreRow
                store={store}
                engine={engineName(engines, store.engine)}
                owner={ownerLabel ? ownerLabel(store) : undefined}
                highlight={store.id === highlightId}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const StoreRow = memo(function StoreRow({
  store,
  engine,
  owner,
  highlight,
}: {
  store: Store;
  engine: string;
  owner?: string | null;
  highlight: boolean;
}) {
  const inProgress = showsProgress(store);
  const reason = reasonToShow(store);
  const title = storeTitle(store);
  return (
    <article
      aria-label={title}
      data-store-id={store.id}
      data-status={store.status}
      className={cx(
        'grid grid-cols-[minmax(0,1fr)_auto] gap-x-4 gap-y-1.5 border-b border-slate-100 px-4 py-3 md:items-center',
        owner !== undefined
          ? 'md:grid-cols-[minmax(0,2fr)_minmax(0,1.3fr)_minmax(0,2.6fr)_minmax(0,1.3fr)_7rem]'
          : 'md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,2.6fr)_minmax(0,1.3fr)_7rem]',
        highlight && 'bg-indigo-50/40',
      )}
    >
      <div className="min-w-0">
        <h3 className="text-sm font-semibold">
          {/* The ring is drawn inside the link: the row clips whatever sticks out. */}
          <Link
            to={`/stores/${store.id}`}
            data-focus-ring="inset"
            className="block truncate rounded-sm text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600"
          >
            {title}
          </Link>
        </h3>
        {store.display_name && (
          <p className="truncate font-mono text-xs text-slate-700" data-testid="address-name">
            <span className="sr-only">Address name: </span>
            {store.name}
          </p>
        )}
        {store.domain && <p className="truncate font-mono text-xs text-slate-600">{store.domain}</p>}
      </div>
      <div className="min-w-0 justify-self-end text-sm text-slate-700 md:justify-self-auto">
        {owner && <p className="truncate text-slate-700" title={owner}>{owner}</p>}
        <p className={cx('truncate', owner && 'text-xs text-slate-500')}>{engine}</p>
      </div>
      <div className="col-span-2 min-w-0 space-y-1 md:col-span-1">
        {/* One line, the reason truncated: rows keep the height the virtualiser expects. */}
        <div className="flex min-w-0 items-center gap-2">
          <StatusBadge status={store.status} />
          {store.status === 'Ready' && store.checkout_verified === false && <CheckoutNotVerified />}
          {reason && (
            <span className="min-w-0 truncate text-xs text-slate-600" title={reason}>
              {reason}
            </span>
          )}
        </div>
        {inProgress && <StoreProgress store={store} compact />}
      </div>
      <div className="min-w-0 text-sm">
        {isServing(store) && store.url ? (
          <a href={store.url} target="_blank" rel="noreferrer" className="inline-flex max-w-full items-center gap-1 font-medium text-indigo-700 hover:underline">
            <span className="truncate">Open storefront</span>
            <span aria-hidden="true">↗</span>
            <span className="sr-only">(opens {title} in a new tab)</span>
          </a>
        ) : (
          <span className="text-slate-500">{store.status === 'Failed' ? 'Not available' : store.status === 'Deleting' ? '—' : 'Not ready yet'}</span>
        )}
      </div>
      <Age iso={store.created_at} />
    </article>
  );
});

function Age({ iso }: { iso: string }) {
  const now = useNow(15_000);
  return (
    <p className="text-right text-xs text-slate-600">
      <time dateTime={iso} title={formatDateTime(iso)}>
        {formatAge(iso, now)}
      </time>
    </p>
  );
}
