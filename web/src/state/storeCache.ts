// Pure bookkeeping of the stores the dashboard knows about, fed by list fetches, create
// responses and live events. Kept free of React so the merge rules are unit-tested.
import type { Store } from '../api/types';
import { isInProgress } from '../api/types';

export interface StoreCache {
  byId: ReadonlyMap<string, Store>;
  /** Ids reported gone for good; late events about them are ignored. */
  gone: ReadonlySet<string>;
}

export const emptyCache: StoreCache = { byId: new Map(), gone: new Set() };

function stamp(s: Store): number {
  const t = Date.parse(s.updated_at ?? s.created_at);
  return Number.isNaN(t) ? 0 : t;
}

/** Newer information wins; an equal timestamp takes the incoming copy. */
function newer(incoming: Store, current: Store | undefined): boolean {
  return !current || stamp(incoming) >= stamp(current);
}

export function upsertStore(cache: StoreCache, store: Store): StoreCache {
  if (cache.gone.has(store.id)) return cache;
  const current = cache.byId.get(store.id);
  if (!newer(store, current)) return cache;
  const byId = new Map(cache.byId);
  byId.set(store.id, store);
  return { ...cache, byId };
}

export function removeStore(cache: StoreCache, id: string): StoreCache {
  const byId = new Map(cache.byId);
  byId.delete(id);
  const gone = new Set(cache.gone);
  gone.add(id);
  return { byId, gone };
}

/**
 * A full list from the server is the truth about which stores exist; for each store
 * the newer of the two copies is kept, since an event may have overtaken the fetch.
 */
export function replaceStores(cache: StoreCache, items: Store[]): StoreCache {
  const byId = new Map<string, Store>();
  for (const s of items) {
    if (cache.gone.has(s.id)) continue;
    const current = cache.byId.get(s.id);
    byId.set(s.id, current && !newer(s, current) ? current : s);
  }
  return { byId, gone: cache.gone };
}

/** Newest first, as the API lists them. */
export function sortedStores(cache: StoreCache): Store[] {
  return [...cache.byId.values()].sort((a, b) => {
    const d = Date.parse(b.created_at) - Date.parse(a.created_at);
    return d !== 0 && !Number.isNaN(d) ? d : a.id < b.id ? 1 : -1;
  });
}

export function anyInProgress(stores: Iterable<Store>): boolean {
  for (const s of stores) if (isInProgress(s)) return true;
  return false;
}

export type StreamStatus = 'connecting' | 'open' | 'closed' | 'unsupported';

/** Poll while the live stream is not delivering and something is still changing. */
export function shouldPoll(stream: StreamStatus, stores: Iterable<Store>): boolean {
  return stream !== 'open' && anyInProgress(stores);
}
