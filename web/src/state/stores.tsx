// The signed-in user's stores, kept current by the live stream, with polling as the
// fallback while the stream is down and something is still in progress.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { api } from '../api/client';
import { onReconnect } from '../api/connection';
import type { Store, StoreListResponse } from '../api/types';
import { useAnnounce } from './announcer';
import { useSession } from './session';
import {
  emptyCache,
  removeStore,
  replaceStores,
  shouldPoll,
  sortedStores,
  upsertStore,
  type StoreCache,
  type StreamStatus,
} from './storeCache';
import { StoreStream, type EventSourceCtor, type StreamEvent } from './stream';

export const POLL_INTERVAL_MS = 3000;

type Action =
  | { type: 'replace'; items: Store[] }
  | { type: 'upsert'; store: Store }
  | { type: 'remove'; id: string };

function reducer(cache: StoreCache, action: Action): StoreCache {
  switch (action.type) {
    case 'replace':
      return replaceStores(cache, action.items);
    case 'upsert':
      return upsertStore(cache, action.store);
    case 'remove':
      return removeStore(cache, action.id);
  }
}

type Listener = (ev: StreamEvent) => void;

export interface StoresValue {
  stores: Store[];
  byId: ReadonlyMap<string, Store>;
  gone: ReadonlySet<string>;
  loaded: boolean;
  /** At least one list fetch succeeded: the list (even empty) can be trusted as a base. */
  synced: boolean;
  error: unknown;
  stream: StreamStatus;
  refresh: () => Promise<void>;
  upsert: (store: Store) => void;
  remove: (id: string) => void;
  /** Raw stream events, for views that keep their own lists (admin: all stores). */
  subscribe: (l: Listener) => () => void;
}

const StoresContext = createContext<StoresValue | null>(null);

export function StoresProvider({
  children,
  EventSourceImpl,
  pollIntervalMs = POLL_INTERVAL_MS,
}: {
  children: ReactNode;
  EventSourceImpl?: EventSourceCtor;
  pollIntervalMs?: number;
}) {
  const [cache, dispatch] = useReducer(reducer, emptyCache);
  const [loaded, setLoaded] = useState(false);
  const [synced, setSynced] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [stream, setStream] = useState<StreamStatus>('connecting');
  const { refreshMe } = useSession();
  const announce = useAnnounce();
  const cacheRef = useRef(cache);
  const listeners = useRef(new Set<Listener>());
  const meTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    cacheRef.current = cache;
  });

  const refresh = useCallback(async () => {
    try {
      const res = await api.get<StoreListResponse>('/stores');
      dispatch({ type: 'replace', items: res.items });
      setError(null);
      setSynced(true);
    } catch (err) {
      setError(err);
    } finally {
      setLoaded(true);
    }
  }, []);

  // Quota usage on /me moves when stores come and go; ask again, at most twice a second.
  const refreshMeSoon = useCallback(() => {
    if (meTimer.current) clearTimeout(meTimer.current);
    meTimer.current = setTimeout(() => {
      meTimer.current = null;
      refreshMe().catch(() => {});
    }, 500);
  }, [refreshMe]);
  useEffect(() => () => {
    if (meTimer.current) clearTimeout(meTimer.current);
  }, []);

  const upsert = useCallback(
    (store: Store) => {
      if (!cacheRef.current.byId.has(store.id)) refreshMeSoon();
      dispatch({ type: 'upsert', store });
    },
    [refreshMeSoon],
  );
  const remove = useCallback(
    (id: string) => {
      refreshMeSoon();
      dispatch({ type: 'remove', id });
    },
    [refreshMeSoon],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Live stream.
  useEffect(() => {
    let opened = false;
    const s = new StoreStream({
      EventSourceImpl,
      onStatus: (st) => {
        setStream(st);
        if (st === 'open') {
          // Anything missed while we were not listening comes with a fresh list.
          if (opened) void refresh();
          opened = true;
        }
      },
      onGiveUp: () => {
        // A stream refused with 401 means the session ended: this call lets the
        // API client notice and send the person to sign in.
        refreshMe().catch(() => {});
      },
      onEvent: (ev) => {
        if (ev.type === 'resync') {
          void refresh();
        } else if (ev.type === 'store') {
          const before = cacheRef.current.byId.get(ev.store.id);
          if (before && before.status !== ev.store.status) announce(`Store ${ev.store.name} is now ${ev.store.status}.`);
          if (!before) refreshMeSoon();
          dispatch({ type: 'upsert', store: ev.store });
        } else {
          const before = cacheRef.current.byId.get(ev.id);
          if (before) announce(`Store ${before.name} has been deleted.`);
          refreshMeSoon();
          dispatch({ type: 'remove', id: ev.id });
        }
        for (const l of listeners.current) l(ev);
      },
    });
    s.start();
    return () => s.stop();
  }, [EventSourceImpl, refresh, refreshMe, refreshMeSoon, announce]);

  // Polling fallback.
  const stores = useMemo(() => sortedStores(cache), [cache]);
  const poll = shouldPoll(stream, stores);
  useEffect(() => {
    if (!poll) return;
    const t = setInterval(() => {
      void refresh();
    }, pollIntervalMs);
    return () => clearInterval(t);
  }, [poll, refresh, pollIntervalMs]);

  // After an outage, and when the tab comes back to the front, catch up.
  useEffect(() => onReconnect(() => void refresh()), [refresh]);
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      void refresh();
      // Quota or role may have been changed by an administrator meanwhile.
      refreshMe().catch(() => {});
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [refresh, refreshMe]);

  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => {
      listeners.current.delete(l);
    };
  }, []);

  const value = useMemo<StoresValue>(
    () => ({ stores, byId: cache.byId, gone: cache.gone, loaded, synced, error, stream, refresh, upsert, remove, subscribe }),
    [stores, cache, loaded, synced, error, stream, refresh, upsert, remove, subscribe],
  );
  return <StoresContext.Provider value={value}>{children}</StoresContext.Provider>;
}

export function useStores(): StoresValue {
  const v = useContext(StoresContext);
  if (!v) throw new Error('useStores outside StoresProvider');
  return v;
}
