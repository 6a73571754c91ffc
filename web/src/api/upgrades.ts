// Store upgrades, rollbacks and fleet upgrades (issue 12): the calls, and their refusals
// in words. Kept apart from client.ts so the shared client stays small.
import { api, ApiError, errorMessage } from './client';
import type {
  RevisionListResponse,
  RollbackRequest,
  Rollout,
  RolloutListResponse,
  StartRolloutRequest,
  Store,
} from './types';

const storePath = (id: string) => `/stores/${encodeURIComponent(id)}`;
const rolloutPath = (id: Rollout['id']) => `/admin/fleet/upgrades/${encodeURIComponent(String(id))}`;

export type RolloutAction = 'pause' | 'resume' | 'cancel';

export const upgrades = {
  revisions: (storeId: string) => api.get<RevisionListResponse>(`${storePath(storeId)}/revisions`),
  upgrade: (storeId: string) => api.post<Store>(`${storePath(storeId)}/upgrade`),
  rollback: (storeId: string, revision: number) => api.post<Store>(`${storePath(storeId)}/rollback`, { revision } satisfies RollbackRequest),
  rollouts: () => api.get<RolloutListResponse>('/admin/fleet/upgrades'),
  rollout: (id: Rollout['id']) => api.get<Rollout>(rolloutPath(id)),
  startRollout: (body: StartRolloutRequest) => api.post<Rollout>('/admin/fleet/upgrades', body),
  rolloutAction: (id: Rollout['id'], action: RolloutAction) => api.post<Rollout>(`${rolloutPath(id)}/${action}`),
};

/** The server's refusals of an upgrade or rollback, and its cluster trouble, in words. */
export function upgradeErrorWords(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'up_to_date':
        return 'This store already runs the latest version: there is nothing to upgrade.';
      case 'not_ready':
        return 'The store can be upgraded or rolled back only while it is Ready. Wait until what it is doing now has finished.';
      case 'already_at_revision':
        return 'The store already runs this revision.';
      case 'unknown_revision':
        return 'This revision is no longer in the store’s history. Reload the list and pick another one.';
      case 'cluster_unavailable':
        return 'The Kubernetes cluster is not answering right now, so the store’s versions cannot be read or changed. Try again in a minute.';
    }
    if (err.status === 503) {
      return 'The Kubernetes cluster is not answering right now. Try again in a minute.';
    }
  }
  return errorMessage(err);
}

/** The same for fleet upgrades. */
export function rolloutErrorWords(err: unknown, engineName?: string): string {
  if (err instanceof ApiError) {
    const stores = engineName ? `${engineName} store` : 'store';
    switch (err.code) {
      case 'rollout_active':
        return `A fleet upgrade of the ${stores}s is already running or paused. Resume, finish or cancel it before starting another.`;
      case 'nothing_to_upgrade':
        return `Every ${stores} already runs the current chart and values: there is nothing to upgrade.`;
      case 'invalid_rollout_state':
        return 'The rollout has moved on in the meantime, so this is no longer possible. Its current state is shown below.';
    }
  }
  return upgradeErrorWords(err);
}
