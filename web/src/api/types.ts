// The dashboard's names for the API's shapes. Every server shape comes from
// schema.gen.ts, which is generated from openapi.json (run scripts/gen-openapi after
// changing the API); what is written here by hand is only client-side.
import { storeStatusValues, type components } from './schema.gen';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type User = Schemas['UserView'];

/**
 * The signed-in user. The quota numbers come from GET /me; they are absent only when that
 * call failed right after sign-in and the session holds the sign-in answer's user instead.
 */
export type Me = User & Partial<Pick<Schemas['Me'], 'store_quota' | 'stores_active'>>;

export type AuthResponse = Schemas['Session'];
export type EngineInfo = Schemas['EngineInfo'];
export type ServerInfo = Schemas['ServerInfo'];

export type StoreStatus = Schemas['StoreStatus'] | UpgradeStatus;
export type Store = Omit<Schemas['StoreView'], 'status'> & UpgradeFields;
export type StoreListResponse = Omit<Schemas['StoreList'], 'items'> & { items: Store[] };
export type EventLevel = Schemas['EventLevel'];
export type StoreEvent = Schemas['EventView'];
export type EventListResponse = Schemas['EventList'];
export type Credentials = Schemas['CredentialsView'];
export type RotateCredentialsBody = Schemas['RotateCredentialsBody'];
export type CredentialKind = Schemas['CredentialKind'];
export type HealthComponent = Schemas['ComponentView'];
export type StoreHealth = Schemas['HealthView'];
export type StorePatch = Schemas['StorePatch'];
export type StoreResources = Schemas['ResourcesView'];
export type ComponentResources = Schemas['ComponentResourcesView'];
export type QuotaLine = Schemas['QuotaView'];
export type RunningVersion = Schemas['VersionView'];
export type ClusterEvent = Schemas['ClusterEventView'];

export type AdminUser = Schemas['AdminUserView'];
export type AdminUserListResponse = Schemas['AdminUserList'];
export type AuditEvent = Schemas['AuditEventView'];
export type AuditEventListResponse = Schemas['AuditEventList'];

/**
 * A failed request as the client sees it: the server's RFC 9457 problem details when it
 * sent them, and at least a status and a code otherwise (a network failure, or a proxy's
 * answer that is not problem+json).
 */
export type Problem = Partial<Schemas['Problem']> & Pick<Schemas['Problem'], 'status' | 'code'>;

/** Every store status, in the API's lifecycle order. */
export const STORE_STATUSES: readonly StoreStatus[] = withUpgrading(storeStatusValues);

export const IN_PROGRESS: ReadonlySet<StoreStatus> = new Set(['Pending', 'Provisioning', 'Upgrading', 'Deleting']);

export function isInProgress(s: Pick<Store, 'status'>): boolean {
  return IN_PROGRESS.has(s.status);
}

/** Statuses with a step-by-step progress bar. */
export function showsProgress(s: Pick<Store, 'status'>): boolean {
  return s.status === 'Pending' || s.status === 'Provisioning' || s.status === 'Upgrading';
}

/** The store answers customers: Ready, or being upgraded or rolled back (it keeps serving). */
export function isServing(s: Pick<Store, 'status'>): boolean {
  return s.status === 'Ready' || s.status === 'Upgrading';
}

// ---------------------------------------------------------------------------------------
// Issue 12 (store upgrades, rollbacks, fleet upgrades): written by hand from the lead's
// contract until openapi.json describes them; then each becomes a Schemas[...] name and
// UpgradeStatus / UpgradeFields / withUpgrading go away.

type UpgradeStatus = 'Upgrading';

interface UpgradeFields {
  /** Also `Upgrading`: an upgrade or rollback is in progress, and the store keeps serving. */
  status: Schemas['StoreStatus'] | UpgradeStatus;
  /** The Helm revision the engine last applied. */
  revision?: number | null;
  upgrade_available?: boolean;
}

function withUpgrading(values: readonly StoreStatus[]): readonly StoreStatus[] {
  if (values.includes('Upgrading')) return values;
  const at = values.indexOf('Ready') + 1;
  return [...values.slice(0, at), 'Upgrading', ...values.slice(at)];
}

/** One Helm release revision of a store (GET /stores/{id}/revisions). */
export interface Revision {
  revision: number;
  chart_version: string;
  app_version: string;
  /** Helm's own word: deployed, superseded, failed, pending-upgrade, pending-rollback… */
  status: string;
  description: string;
  updated_at: string;
  /** Dotted key paths whose values differ from the previous revision (never the values). */
  changed_values: string[];
  rollback_allowed: boolean;
}

export interface RevisionListResponse {
  upgrade_available: boolean;
  current_revision: number | null;
  /** Newest first. */
  items: Revision[];
}

export interface RollbackRequest {
  revision: number;
}

export type RolloutState = 'running' | 'paused' | 'halted' | 'cancelled' | 'completed';
export type RolloutStoreState = 'pending' | 'upgrading' | 'succeeded' | 'failed' | 'skipped';

export interface RolloutStore {
  store_id: string;
  name: string;
  state: RolloutStoreState;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/** A fleet upgrade (admin): the stores of one engine, a few at a time. */
export interface Rollout {
  /** Opaque to the dashboard: only put back into URLs. */
  id: string | number;
  engine: string;
  state: RolloutState;
  max_unavailable: number;
  max_failures: number;
  total: number;
  pending: number;
  upgrading: number;
  succeeded: number;
  failed: number;
  skipped: number;
  halt_reason: string | null;
  created_by_email: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** Only in GET /admin/fleet/upgrades/{id}. */
  stores?: RolloutStore[];
}

export interface RolloutListResponse {
  items: Rollout[];
}

export interface StartRolloutRequest {
  engine: string;
  max_unavailable: number;
  max_failures: number;
}
