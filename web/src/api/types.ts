// Shapes of the Storefleet HTTP API (see shared/docs/api.md). Only what the dashboard reads.

export type Role = 'user' | 'admin';

export interface User {
  id: string;
  email: string;
  role: Role;
}

export interface Me extends User {
  /** Both numbers come from GET /me; absent only if that call failed right after sign-in. */
  store_quota?: number;
  stores_active?: number;
}

export interface AuthResponse {
  user: User;
  token?: string;
  expires_at?: string;
}

export interface EngineInfo {
  id: string;
  name: string;
  default?: boolean;
}

export interface ServerInfo {
  version: string;
  signup: 'open' | 'closed';
  base_domain: string;
  engines: EngineInfo[];
}

export const STORE_STATUSES = ['Pending', 'Provisioning', 'Ready', 'Failed', 'Deleting'] as const;
export type StoreStatus = (typeof STORE_STATUSES)[number];

export interface Store {
  id: string;
  name: string;
  engine: string;
  status: StoreStatus;
  status_reason?: string | null;
  step?: string | null;
  steps_done?: number | null;
  steps_total?: number | null;
  domain?: string | null;
  url?: string | null;
  admin_url?: string | null;
  namespace?: string | null;
  owner_id?: string | null;
  /** Optional: owner's email, when the server includes it (admin views). */
  owner_email?: string | null;
  created_at: string;
  updated_at?: string | null;
  ready_at?: string | null;
  /** Optional: when the current status began; elapsed time falls back to created_at. */
  status_since?: string | null;
}

export type EventLevel = 'info' | 'warning' | 'error';

export interface StoreEvent {
  at: string;
  level: EventLevel;
  step?: string | null;
  message: string;
  /** How long the step took, when the event closes a step. */
  duration_ms?: number | null;
}

export interface Credentials {
  admin_url: string;
  username: string;
  password: string;
}

export interface HealthComponent {
  name: string;
  ready: boolean;
  message?: string | null;
}

export interface StoreHealth {
  healthy: boolean;
  checked_at?: string | null;
  components: HealthComponent[];
}

export interface AdminUser {
  id: string;
  email: string;
  role: Role;
  store_quota: number;
  stores_active: number;
  created_at: string;
}

export interface AuditEvent {
  /** Paging cursor: pass as `before` to get older events. */
  id: number;
  at: string;
  actor_id?: string | null;
  actor_email?: string | null;
  action: string;
  target_type?: string | null;
  target_id?: string | null;
  ip?: string | null;
  details?: unknown;
}

export interface ListResponse<T> {
  items: T[];
}

/** RFC 9457 problem details as Storefleet sends them. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  field_errors?: Record<string, string[]>;
  request_id?: string;
}

export const IN_PROGRESS: ReadonlySet<StoreStatus> = new Set(['Pending', 'Provisioning', 'Deleting']);

export function isInProgress(s: Pick<Store, 'status'>): boolean {
  return IN_PROGRESS.has(s.status);
}
