import type { Me, ServerInfo, Store } from '../api/types';

export const info: ServerInfo = {
  version: 'test',
  signup: 'open',
  base_domain: 'stores.localhost',
  engines: [
    { id: 'woocommerce', name: 'WooCommerce', default: true, rotatable_credentials: ['admin_password', 'database_passwords', 'salts'] },
    { id: 'medusa', name: 'Medusa', default: false, rotatable_credentials: [] },
  ],
};

export const me: Me = { id: 'u1', email: 'owner@example.com', role: 'user', store_quota: 5, stores_active: 3 };

let seq = 0;
export function makeStore(over: Partial<Store> = {}): Store {
  seq += 1;
  const created = new Date(Date.UTC(2025, 0, 1, 12, 0, seq % 60, seq)).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    name: `store-${seq}`,
    engine: 'woocommerce',
    status: 'Pending',
    status_reason: 'Waiting for a worker',
    step: null,
    steps_done: 0,
    steps_total: 8,
    domain: `store-${seq}-abcde.stores.localhost`,
    url: null,
    admin_url: null,
    namespace: `store-abcde${seq}`,
    owner_id: 'u1',
    owner_email: 'owner@example.com',
    created_at: created,
    updated_at: created,
    ready_at: null,
    step_started_at: null,
    display_name: null,
    checkout_verified: null,
    ...over,
  };
}
