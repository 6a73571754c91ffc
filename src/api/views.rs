//! The JSON shapes of the API (`api.md`), separate from the database rows they show.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{CredentialKind, Engine, Role, StoreStatus};
use crate::storage::{AuditEvent, EventLevel, Store, StoreEvent, User, UserSummary};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            role: u.role,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// 10–256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// A password change: the current password proves it is the account's owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(min_length = 1, max_length = 256)]
    pub current_password: String,
    /// 10–256 characters, different from the current one.
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub user: UserView,
    /// Bearer token for API clients; browsers use the httpOnly cookie set alongside.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub store_quota: i64,
    pub stores_active: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreView {
    pub id: Uuid,
    pub name: String,
    pub engine: Engine,
    pub status: StoreStatus,
    pub status_reason: String,
    pub step: Option<String>,
    pub steps_done: i64,
    pub steps_total: i64,
    pub domain: String,
    pub url: Option<String>,
    pub admin_url: Option<String>,
    pub namespace: String,
    pub owner_id: Uuid,
    /// The owner's email address (administrators see whose store it is).
    pub owner_email: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ready_at: Option<DateTime<Utc>>,
    /// When the current step began: never before the latest create, retry or delete
    /// request, so after a retry it does not point into the failed attempt. Null until
    /// the first step of the store starts.
    pub step_started_at: Option<DateTime<Utc>>,
    /// What the owner calls the store (1–80 characters), shown above `name`; null when
    /// none was given.
    pub display_name: Option<String>,
    /// `true` when the store's last provisioning placed a real test order through its
    /// checkout, `false` when verification was skipped (checkout verification turned off
    /// on this server), null before the store was first Ready.
    pub checkout_verified: Option<bool>,
    /// The Helm revision of the store's release the engine last applied (null before the
    /// first install finished).
    pub revision: Option<i64>,
}

impl From<&Store> for StoreView {
    fn from(s: &Store) -> Self {
        // An Upgrading store keeps serving at its addresses.
        let ready = matches!(s.status, StoreStatus::Ready | StoreStatus::Upgrading);
        Self {
            id: s.id,
            name: s.name.clone(),
            engine: s.engine,
            status: s.status,
            status_reason: s.status_reason.clone(),
            step: s.step.clone(),
            steps_done: s.steps_done,
            steps_total: s.steps_total,
            domain: s.domain.clone(),
            url: if ready { s.url.clone() } else { None },
            admin_url: if ready { s.admin_url.clone() } else { None },
            namespace: s.namespace.clone(),
            owner_id: s.owner_id,
            owner_email: s.owner_email.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
            ready_at: s.ready_at,
            step_started_at: current_step_start(s.step_started_at, s.work_started_at),
            revision: s.release.revision,
            display_name: s.display_name.clone(),
            checkout_verified: s.ready_at.and(s.checkout_verified),
        }
    }
}

/// The stored step start, unless it predates the request the engine works on now: a
/// retry or delete leaves the failed attempt's step in place until the engine's next
/// progress, and that step's old start is not when anything current began.
fn current_step_start(
    step_started_at: Option<DateTime<Utc>>,
    work_started_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let started = step_started_at?;
    Some(work_started_at.map_or(started, |work| started.max(work)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreList {
    pub items: Vec<StoreView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStoreBody {
    /// 3–63 of `a-z`, `0-9`, `-`; starts with a letter, ends with a letter or digit.
    #[schema(min_length = 3, max_length = 63, pattern = "^[a-z][a-z0-9-]*[a-z0-9]$")]
    pub name: String,
    /// Defaults to `woocommerce`. An engine this server does not offer (see
    /// `/api/v1/info`) is refused with 422.
    #[serde(default)]
    #[schema(value_type = Option<Engine>)]
    pub engine: Option<String>,
    /// A lowercase FQDN; defaults to `<name>-<short id>.<base domain>`.
    #[serde(default)]
    #[schema(
        max_length = 253,
        pattern = "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{1,63}$"
    )]
    pub domain: Option<String>,
    /// Optional name shown above the address name: 1–80 characters after trimming, no
    /// control characters.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
}

/// A change to a store. `display_name` must be given: a string sets it (1–80 characters
/// after trimming, no control characters), `null` removes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StorePatch {
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required = true, min_length = 1, max_length = 80)]
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub level: EventLevel,
    pub step: Option<String>,
    pub message: String,
    /// How long the step took, when the event closes a step.
    pub duration_ms: Option<i64>,
}

impl From<&StoreEvent> for EventView {
    fn from(e: &StoreEvent) -> Self {
        Self {
            at: e.at,
            level: e.level,
            step: e.step.clone(),
            message: e.message.clone(),
            duration_ms: e.duration_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub store_quota: i64,
    /// Stores counting toward the quota: live and not being deleted.
    pub stores_active: i64,
    pub created_at: DateTime<Utc>,
    /// A suspended user cannot sign in; their stores keep running.
    pub suspended: bool,
    /// When the user last signed in (or signed up); `null` if never.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl AdminUserView {
    pub fn new(user: &User, stores_active: i64) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            role: user.role,
            store_quota: user.store_quota,
            stores_active,
            created_at: user.created_at,
            suspended: user.suspended,
            last_login_at: user.last_login_at,
        }
    }
}

impl From<&UserSummary> for AdminUserView {
    fn from(s: &UserSummary) -> Self {
        Self::new(&s.user, s.stores_active)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserList {
    pub items: Vec<AdminUserView>,
}

/// Give `store_quota`, `role`, `suspended` or several; an empty patch is refused (422).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Live stores this user may have (0–10000).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000, nullable = false)]
    pub store_quota: Option<i64>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// Suspend (`true`: the user cannot sign in and all their sessions end at once; their
    /// stores keep running) or restore (`false`) the account.
    #[serde(default)]
    #[schema(nullable = false)]
    pub suspended: Option<bool>,
}

/// A user an administrator creates; the server generates a temporary password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Default `user`.
    #[serde(default)]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// Default: the server's default quota.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000, nullable = false)]
    pub store_quota: Option<i64>,
}

/// A new user and their temporary password, shown this once: the server keeps only
/// its hash. The user should change it after signing in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: AdminUserView,
    pub temporary_password: String,
}

/// A new temporary password, shown this once; every session of the user has ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub temporary_password: String,
    pub sessions_ended: u64,
}

/// One of the signed-in user's live sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The session this request came with ("this browser").
    pub current: bool,
    /// The client's `User-Agent` at sign-in, at most 200 characters.
    pub user_agent: Option<String>,
    /// The client address at sign-in.
    pub ip: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    pub sessions_ended: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Cursor for paging: pass as `before` to get older events.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<&AuditEvent> for AuditEventView {
    fn from(e: &AuditEvent) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            actor_email: e.actor_email.clone(),
            action: e.action.clone(),
            target_type: e.target_type.clone(),
            target_id: e.target_id.clone(),
            ip: e.ip.clone(),
            details: e.details.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EngineInfo {
    pub id: Engine,
    pub name: String,
    pub default: bool,
    /// The kinds of credentials a store of this engine can rotate (the fields of
    /// `POST /api/v1/stores/{id}/credentials/rotate`); empty when it cannot rotate any yet.
    pub rotatable_credentials: Vec<CredentialKind>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerInfo {
    pub version: String,
    /// `open` or `closed`.
    pub signup: String,
    pub base_domain: String,
    /// The engines this server can provision.
    pub engines: Vec<EngineInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyChecks {
    pub database: String,
    pub cluster: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub checks: ReadyChecks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentView {
    pub name: String,
    pub ready: bool,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    pub healthy: bool,
    pub checked_at: DateTime<Utc>,
    pub components: Vec<ComponentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialsView {
    pub admin_url: String,
    pub username: String,
    /// Generated at provisioning; change it after the first sign-in.
    pub password: String,
}

/// CPU in millicores and memory in bytes; null when not set.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountsView {
    pub cpu_millicores: Option<i64>,
    pub memory_bytes: Option<i64>,
}

impl From<crate::cluster::inspect::Amounts> for AmountsView {
    fn from(a: crate::cluster::inspect::Amounts) -> Self {
        Self {
            cpu_millicores: a.cpu_millicores,
            memory_bytes: a.memory_bytes,
        }
    }
}

/// One component's pods: what they request, their limits, and live usage.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentResourcesView {
    /// `wordpress`, `mariadb`, `postgres`, ..., `setup` for the setup job's pod.
    pub component: String,
    /// Pods of the component that run or wait to run (finished job pods are left out).
    pub pods: i64,
    pub requests: AmountsView,
    pub limits: AmountsView,
    /// Live usage from the metrics API; null when the cluster offers none (see
    /// `usage_unavailable_reason`) or has no sample of these pods yet.
    pub usage: Option<AmountsView>,
}

/// One entry of the store namespace's ResourceQuota.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaView {
    /// The ResourceQuota's name.
    pub quota: String,
    /// `requests.cpu`, `limits.memory`, `pods`, ...
    pub resource: String,
    /// As Kubernetes writes it (`1500m`, `2Gi`).
    pub used: String,
    pub hard: String,
    /// `used` and `hard` as numbers in `unit`.
    pub used_value: Option<i64>,
    pub hard_value: Option<i64>,
    /// `millicores`, `bytes` or `count`.
    pub unit: String,
}

/// One piece of software the store runs.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub component: String,
    /// `WordPress`, `WooCommerce`, `MariaDB`, `Medusa`, `PostgreSQL`, `Redis`.
    pub product: String,
    /// Null when the source does not say (an image pinned by digest, WooCommerce bundled
    /// in the image).
    pub version: Option<String>,
    /// Where the version was read: the image a pod runs, or the setup job's settings.
    pub source: String,
}

/// A recent Kubernetes event of the store's namespace, in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterEventView {
    pub at: Option<DateTime<Utc>>,
    pub warning: bool,
    /// What happened, in an owner's words.
    pub words: String,
    /// For operators: the event's reason, object (`Kind/name`), message and count.
    pub reason: String,
    pub object: String,
    pub message: String,
    pub count: i32,
}

/// The store's namespace as the cluster sees it now: resources per component, quota,
/// live usage where the cluster offers metrics, software versions and recent events.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourcesView {
    pub checked_at: DateTime<Utc>,
    pub components: Vec<ComponentResourcesView>,
    pub quota: Vec<QuotaView>,
    /// Why `usage` is null everywhere (no metrics API, not permitted, not answering);
    /// null when live usage is available.
    pub usage_unavailable_reason: Option<String>,
    pub versions: Vec<VersionView>,
    /// Newest first, at most 20.
    pub events: Vec<ClusterEventView>,
}

impl From<crate::provision::insight::StoreInsight> for ResourcesView {
    fn from(i: crate::provision::insight::StoreInsight) -> Self {
        Self {
            checked_at: Utc::now(),
            components: i
                .components
                .into_iter()
                .map(|c| ComponentResourcesView {
                    component: c.component,
                    pods: i64::try_from(c.pods).unwrap_or(i64::MAX),
                    requests: c.requests.into(),
                    limits: c.limits.into(),
                    usage: c.usage.map(Into::into),
                })
                .collect(),
            quota: i
                .quota
                .into_iter()
                .map(|q| QuotaView {
                    quota: q.quota,
                    resource: q.resource,
                    used: q.used,
                    hard: q.hard,
                    used_value: q.used_value,
                    hard_value: q.hard_value,
                    unit: q.unit.to_owned(),
                })
                .collect(),
            usage_unavailable_reason: i.usage_unavailable_reason,
            versions: i
                .versions
                .into_iter()
                .map(|v| VersionView {
                    component: v.component,
                    product: v.product,
                    version: v.version,
                    source: v.source,
                })
                .collect(),
            events: i
                .events
                .into_iter()
                .map(|e| ClusterEventView {
                    at: e.at,
                    warning: e.warning,
                    words: e.words,
                    reason: e.reason,
                    object: e.object,
                    message: e.message,
                    count: e.count,
                })
                .collect(),
        }
    }
}

/// A one-click login link to the store's administration.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminLoginView {
    /// Opens the store's admin signed in as its administrator. Works once, until
    /// `expires_at` (60 seconds); never stored by the platform.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Which credentials to rotate. Omitted fields: `admin_password` true, the others false;
/// at least one must be true.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateCredentialsBody {
    #[serde(default)]
    pub admin_password: Option<bool>,
    #[serde(default)]
    pub database_passwords: Option<bool>,
    /// WordPress's authentication keys and salts (signs everyone out).
    #[serde(default)]
    pub salts: Option<bool>,
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn the_current_step_start_is_the_recorded_one_unless_it_predates_the_current_request() {
        let created = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let step_began = created + Duration::seconds(40);
        let retried = created + Duration::minutes(30);
        let cases = [
            // A new store: no step has started.
            (None, Some(created), None),
            // The engine recorded a step start during the first pass.
            (Some(step_began), Some(created), Some(step_began)),
            // Failed, then retried: the failed attempt's step start gives way to the retry,
            // until the engine records the step it starts now.
            (Some(step_began), Some(retried), Some(retried)),
            (
                Some(retried + Duration::seconds(5)),
                Some(retried),
                Some(retried + Duration::seconds(5)),
            ),
            // A row written before work starts were recorded.
            (Some(step_began), None, Some(step_began)),
            (None, None, None),
        ];
        for (step_started_at, work_started_at, want) in cases {
            assert_eq!(
                current_step_start(step_started_at, work_started_at),
                want,
                "step {step_started_at:?}, work {work_started_at:?}"
            );
        }
    }
}
