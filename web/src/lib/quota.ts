// The store quota as the server counts it: every live store except those being deleted
// (a deletion cannot be undone, so its slot is free as soon as it starts).
import type { Me, Store } from '../api/types';

export function storesTowardQuota(stores: readonly Pick<Store, 'status'>[]): number {
  return stores.filter((s) => s.status !== 'Deleting').length;
}

/** True when the user's quota numbers are known and a new store would be refused. */
export function isAtQuota(me: Pick<Me, 'store_quota' | 'stores_active'>): boolean {
  return me.store_quota != null && me.stores_active != null && me.stores_active >= me.store_quota;
}

/** What to do at the quota, in one sentence. */
export function quotaAdvice(me: Pick<Me, 'store_quota' | 'stores_active'>): string {
  const quota = me.store_quota ?? 0;
  return `You have ${me.stores_active ?? quota} of ${quota} ${quota === 1 ? 'store' : 'stores'}. Delete a store you no longer need (its slot frees as soon as the deletion starts), or ask an administrator to raise your quota.`;
}
