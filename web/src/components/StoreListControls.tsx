// Search and sort for a list of stores, kept in the URL query (`?q=…&sort=…`) so that a
// reload, a shared link and the back button keep them. The search box applies what is
// typed after a short pause (or at once on Enter) and says politely how many stores match.
import { useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Store, StoreStatus } from '../api/types';
import { Button } from './ui';

export const SORTS = [
  { id: 'newest', label: 'Newest first' },
  { id: 'oldest', label: 'Oldest first' },
  { id: 'name', label: 'Name A–Z' },
  { id: '-name', label: 'Name Z–A' },
  { id: 'status', label: 'Status: needs attention first' },
  { id: '-status', label: 'Status: ready first' },
] as const;

export type SortId = (typeof SORTS)[number]['id'];
export const DEFAULT_SORT: SortId = 'newest';
export const SEARCH_DEBOUNCE_MS = 250;

export function parseSort(value: string | null): SortId {
  return SORTS.find((s) => s.id === value)?.id ?? DEFAULT_SORT;
}

/** What a store is called on screen: its display name, else its address name. */
export function storeTitle(store: Pick<Store, 'name' | 'display_name'>): string {
  return store.display_name || store.name;
}

// Failed first, then what is still moving, then Ready.
const STATUS_RANK: Record<StoreStatus, number> = { Failed: 0, Pending: 1, Provisioning: 2, Upgrading: 3, Deleting: 4, Ready: 5 };

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * The stores that match `query` (case-insensitive, in the address name, display name,
 * domain, or any of `extra`'s texts such as the owner's email), in `sort` order.
 */
export function searchAndSort<T extends Store>(stores: readonly T[], query: string, sort: SortId, extra?: (s: T) => string[]): T[] {
  const q = query.trim().toLocaleLowerCase();
  const matches = (s: T) =>
    !q || [s.name, s.display_name ?? '', s.domain ?? '', ...(extra?.(s) ?? [])].some((text) => text.toLocaleLowerCase().includes(q));
  const byName = (a: T, b: T) => collator.compare(storeTitle(a), storeTitle(b)) || collator.compare(a.name, b.name);
  const byAge = (a: T, b: T) => Date.parse(b.created_at) - Date.parse(a.created_at) || a.id.localeCompare(b.id);
  const byStatus = (a: T, b: T) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) || byName(a, b);
  const compare: Record<SortId, (a: T, b: T) => number> = {
    newest: byAge,
    oldest: (a, b) => byAge(b, a),
    name: byName,
    '-name': (a, b) => byName(b, a),
    status: byStatus,
    '-status': (a, b) => (STATUS_RANK[b.status] ?? 9) - (STATUS_RANK[a.status] ?? 9) || byName(a, b),
  };
  return stores.filter(matches).sort(compare[sort]);
}

/** The list's search text and sort order, read from and written to the URL query. */
export function useStoreListQuery() {
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const sort = parseSort(params.get('sort'));
  const set = (key: 'q' | 'sort', value: string) =>
    setParams(
      (cur) => {
        const next = new URLSearchParams(cur);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  return {
    query,
    sort,
    setQuery: (q: string) => set('q', q.trim() ? q : ''),
    setSort: (s: SortId) => set('sort', s === DEFAULT_SORT ? '' : s),
  };
}

export interface StoreListControlsProps {
  query: string;
  sort: SortId;
  onQuery: (q: string) => void;
  onSort: (s: SortId) => void;
  /** Stores in the list before searching, and how many match. */
  total: number;
  shown: number;
  /** What the search looks at, for the placeholder and the empty result. */
  searches?: string;
}

export function StoreListControls({ query, sort, onQuery, onSort, total, shown, searches = 'name, display name or domain' }: StoreListControlsProps) {
  const searchId = useId();
  const sortId = useId();
  const [text, setText] = useState(query);
  const applied = useRef(query);
  // The latest callback, so that a re-render does not restart the pause.
  const onQueryRef = useRef(onQuery);
  useEffect(() => {
    onQueryRef.current = onQuery;
  });
  // The URL changed under the box (back button, a link): show what it says.
  useEffect(() => {
    if (query !== applied.current) {
      applied.current = query;
      setText(query);
    }
  }, [query]);
  useEffect(() => {
    if (text === applied.current) return;
    const t = setTimeout(() => {
      applied.current = text;
      onQueryRef.current(text);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);
  const applyNow = (value: string) => {
    applied.current = value;
    setText(value);
    onQuery(value);
  };
  const searching = query.trim() !== '';

  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end" role="search" aria-label="Search and sort stores">
      <div className="min-w-0 flex-1 sm:max-w-sm">
        <label htmlFor={searchId} className="block text-sm font-medium text-slate-700">
          Search stores
        </label>
        <input
          id={searchId}
          type="search"
          value={text}
          placeholder={`By ${searches}`}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              applyNow(text);
            } else if (e.key === 'Escape' && text) {
              e.preventDefault();
              applyNow('');
            }
          }}
          className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 ring-inset placeholder:text-slate-400 focus:ring-2 focus:ring-indigo-600 focus:ring-inset"
        />
      </div>
      <div className="sm:w-64">
        <label htmlFor={sortId} className="block text-sm font-medium text-slate-700">
          Sort by
        </label>
        <select
          id={sortId}
          value={sort}
          onChange={(e) => onSort(parseSort(e.target.value))}
          className="mt-1 block w-full rounded-md border-0 py-2 pr-8 pl-3 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 ring-inset focus:ring-2 focus:ring-indigo-600 focus:ring-inset"
        >
          {SORTS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <p role="status" aria-live="polite" className="text-sm text-slate-600 sm:ml-auto sm:pb-2" data-testid="store-count">
        {searching
          ? `${shown} of ${total} ${total === 1 ? 'store' : 'stores'} ${shown === 1 ? 'matches' : 'match'} “${query.trim()}”`
          : `${total} ${total === 1 ? 'store' : 'stores'}`}
      </p>
    </div>
  );
}

/** The list's empty result: says what matched nothing and offers to clear the search. */
export function NoStoreMatches({ query, searches = 'names, display names and domains', onClear }: { query: string; searches?: string; onClear: () => void }) {
  return (
    <div className="rounded-lg bg-white px-6 py-10 text-center ring-1 ring-slate-200" data-testid="no-matches">
      <h2 className="text-base font-semibold text-slate-900">No store matches “{query.trim()}”</h2>
      <p className="mt-1 text-sm text-slate-600">Searched {searches}. Check the spelling, or search for part of a name.</p>
      <Button className="mt-4" onClick={onClear}>
        Clear search
      </Button>
    </div>
  );
}
