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

export type StoreStatus = Schemas['StoreStatus'];
export type Store = Schemas['StoreView'];
export type StoreListResponse = Schemas['StoreList'];
export type EventLevel = Schemas['EventLevel'];
export type StoreEvent = Schemas['EventView'];
export type EventListResponse = Schemas['EventList'];
export type Credentials = Schemas['CredentialsView'];
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
export const STORE_STATUSES: readonly StoreStatus[] = storeStatusValues;

export const IN_PROGRESS: ReadonlySet<StoreStatus> = new Set(['Pending', 'Provisioning', 'Deleting']);

export function isInProgress(s: Pick<Store, 'status'>): boolean {
  return IN_PROGRESS.has(s.status);
}
