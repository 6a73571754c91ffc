// A store's namespace as the cluster sees it (GET /stores/{id}/resources): resources,
// quota, versions and recent Kubernetes events. Read when the page opens, when the
// store's status changes and on request; never on a timer, since every read costs the
// platform's Kubernetes request budget. A Pending store has nothing in the cluster yet,
// and a Deleting one is on its way out: neither is read.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import type { Store, StoreResources } from '../api/types';

export interface StoreResourcesState {
  data: StoreResources | null;
  error: string | null;
  loading: boolean;
  /** Why nothing is read, in words: the store is Pending (nothing in the cluster yet) or
   * Deleting (going away). `null` when it is read. */
  notRead: string | null;
  reload: () => void;
}

/** `store` null (not loaded, or not visible): nothing is read. */
export function useStoreResources(store: Pick<Store, 'id' | 'status'> | null): StoreResourcesState {
  const id = store?.id ?? '';
  const status = store?.status;
  const notRead =
    status === 'Pending'
      ? 'Nothing of this store runs yet. Its resources show here once provisioning starts.'
      : status === 'Deleting'
        ? 'This store is being deleted, and its resources with it.'
        : null;
  const notStarted = notRead != null;
  const [data, setData] = useState<StoreResources | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const load = useCallback(async () => {
    if (!id || notStarted) return;
    const mine = ++seq.current;
    setLoading(true);
    try {
      const res = await api.get<StoreResources>(`/stores/${encodeURIComponent(id)}/resources`);
      if (mine !== seq.current) return;
      setData(res);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setError(
        err instanceof ApiError && err.status === 503
          ? `The cluster cannot be reached right now, so this is not known. ${err.detail ?? ''}`.trim()
          : errorMessage(err),
      );
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [id, notStarted]);
  useEffect(() => {
    void load();
  }, [load, status]);
  return { data, error, loading: loading && !notStarted, notRead, reload: () => void load() };
}
