// A store's namespace as the cluster sees it (GET /stores/{id}/resources): resources,
// quota, versions and recent Kubernetes events. Read when the page opens, when the
// store's status changes and on request; never on a timer, since every read costs the
// platform's Kubernetes request budget.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import type { Store, StoreResources } from '../api/types';

export interface StoreResourcesState {
  data: StoreResources | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** `store` null (not loaded, or not visible): nothing is read. */
export function useStoreResources(store: Pick<Store, 'id' | 'status'> | null): StoreResourcesState {
  const id = store?.id ?? '';
  const status = store?.status;
  const [data, setData] = useState<StoreResources | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const load = useCallback(async () => {
    if (!id) return;
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
  }, [id]);
  useEffect(() => {
    void load();
  }, [load, status]);
  return { data, error, loading, reload: () => void load() };
}
