// Whose store this is, for administrators looking at another user's store: the owner's
// email on the page, and the way back to "All stores" rather than their own list.
import type { Me, Store } from '../api/types';

/** An administrator viewing a store that belongs to someone else. */
export function isOthersStore(store: Pick<Store, 'owner_id'>, me: Pick<Me, 'id' | 'role'> | null | undefined): boolean {
  return me?.role === 'admin' && store.owner_id !== me.id;
}

/** Where the breadcrumb and a finished delete lead back to. */
export function storeListFor(store: Pick<Store, 'owner_id'>, me: Pick<Me, 'id' | 'role'> | null | undefined): { to: string; label: string } {
  return isOthersStore(store, me) ? { to: '/admin/stores', label: 'All stores' } : { to: '/', label: 'Stores' };
}

export function StoreOwner({ store, me }: { store: Pick<Store, 'owner_id' | 'owner_email'>; me: Pick<Me, 'id' | 'role'> | null | undefined }) {
  if (!isOthersStore(store, me)) return null;
  return (
    <p className="text-sm text-slate-600" data-testid="store-owner">
      Owner: <span className="font-medium break-all text-slate-900">{store.owner_email}</span>
    </p>
  );
}
