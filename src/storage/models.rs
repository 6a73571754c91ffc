//! Rows of the platform database, as the rest of the program sees them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{Desired, Engine, LifecycleEvent, Role, StoreStatus};

pub type Timestamp = DateTime<Utc>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub store_quota: i64,
    pub created_at: Timestamp,
    /// A suspended user cannot sign in; their stores keep running.
    pub suspended: bool,
    pub last_login_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub email_key: String,
    pub password_hash: String,
    pub role: Role,
    pub store_quota: i64,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub user: User,
    pub stores_active: i64,
}

#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub store_quota: Option<i64>,
    pub role: Option<Role>,
    /// Suspending also ends every session of the user, in the same transaction.
    pub suspended: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    pub id: Uuid,
    pub owner_id: Uuid,
    /// The owner's email (read with the store, for administrators' views).
    pub owner_email: String,
    pub name: String,
    pub engine: Engine,
    pub domain: String,
    pub namespace: String,
    pub status: StoreStatus,
    pub status_reason: String,
    pub step: Option<String>,
    pub steps_done: i64,
    pub steps_total: i64,
    pub desired: Desired,
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<Timestamp>,
    pub url: Option<String>,
    pub admin_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub ready_at: Option<Timestamp>,
    pub work_started_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    /// When the current step began.
    pub step_started_at: Option<Timestamp>,
    /// What the owner calls the store (trimmed, 1–80 characters), when set.
    pub display_name: Option<String>,
    /// Whether the last provisioning placed a real test order (`false`: verification was
    /// skipped); `None` before the store was first Ready.
    pub checkout_verified: Option<bool>,
    /// The store's release as the engine last applied it, and its upgrades.
    pub release: ReleaseRecord,
}

/// What the engine last applied to a store's release, and where an upgrade stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseRecord {
    /// The Helm revision last applied.
    pub revision: Option<i64>,
    /// The plan's fingerprint it was applied with (`rollback:N` after a rollback).
    pub applied_fingerprint: Option<String>,
    /// What an Upgrading store is being brought to.
    pub upgrade_target: Option<UpgradeTarget>,
    /// The revision to return to when the upgrade fails.
    pub upgrade_from_revision: Option<i64>,
    pub last_upgrade_result: Option<UpgradeResult>,
    pub last_upgrade_at: Option<Timestamp>,
}

/// What an upgrade brings a store to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeTarget {
    /// The platform's current chart and values.
    Latest,
    /// An earlier revision of the store's release (a rollback).
    Revision(u32),
}

impl UpgradeTarget {
    pub fn encode(self) -> String {
        match self {
            UpgradeTarget::Latest => "latest".to_owned(),
            UpgradeTarget::Revision(n) => format!("revision:{n}"),
        }
    }

    pub fn decode(s: &str) -> Option<Self> {
        match s {
            "latest" => Some(UpgradeTarget::Latest),
            _ => s
                .strip_prefix("revision:")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .map(UpgradeTarget::Revision),
        }
    }
}

/// How an upgrade or rollback ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeResult {
    /// The store runs what was asked for and passed verification.
    Succeeded,
    /// It failed and the store was returned to the revision it ran before.
    RolledBack,
    /// It failed and so did the way back: the store is Failed.
    Failed,
}

impl UpgradeResult {
    pub fn as_str(self) -> &'static str {
        match self {
            UpgradeResult::Succeeded => "succeeded",
            UpgradeResult::RolledBack => "rolled_back",
            UpgradeResult::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            UpgradeResult::Succeeded,
            UpgradeResult::RolledBack,
            UpgradeResult::Failed,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

impl Store {
    /// A Pending WooCommerce store, for unit tests.
    #[cfg(test)]
    pub fn sample(name: &str) -> Store {
        let now = chrono::Utc::now();
        Store {
            id: Uuid::new_v4(),
            owner_id: Uuid::new_v4(),
            name: name.to_owned(),
            engine: Engine::WooCommerce,
            domain: format!("{name}-abcde.stores.localhost"),
            namespace: "store-abcde123".to_owned(),
            status: StoreStatus::Pending,
            status_reason: String::new(),
            step: None,
            steps_done: 0,
            steps_total: 8,
            desired: Desired::Present,
            attempts: 0,
            next_attempt_at: None,
            lease_owner: None,
            lease_expires_at: None,
            url: None,
            admin_url: None,
            created_at: now,
            updated_at: now,
            ready_at: None,
            work_started_at: None,
            deleted_at: None,
            step_started_at: None,
            display_name: None,
            checkout_verified: None,
            owner_email: String::new(),
            release: ReleaseRecord::default(),
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct NewStore {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub engine: Engine,
    pub domain: String,
    pub namespace: String,
    pub status_reason: String,
    pub steps_total: i64,
    pub display_name: Option<String>,
    pub now: Timestamp,
}

#[derive(Debug, Clone)]
pub struct CreateStore {
    pub store: NewStore,
    /// The owner's quota of live stores.
    pub quota: i64,
    /// The reserved idempotency key to complete with this store.
    pub idempotency_key: Option<String>,
    pub audit: AuditEntry,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyStart {
    /// The key is reserved for this request; go ahead.
    Fresh,
    /// The same request already created this store.
    Replay(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventLevel {
    Info,
    Warning,
    Error,
}

impl EventLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            EventLevel::Info => "info",
            EventLevel::Warning => "warning",
            EventLevel::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "info" => Some(EventLevel::Info),
            "warning" => Some(EventLevel::Warning),
            "error" => Some(EventLevel::Error),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreEvent {
    pub at: Timestamp,
    pub level: EventLevel,
    pub step: Option<String>,
    pub message: String,
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewStoreEvent {
    pub store_id: Uuid,
    pub at: Timestamp,
    pub level: EventLevel,
    pub step: Option<String>,
    pub message: String,
    pub duration_ms: Option<i64>,
}

/// Progress reported by a worker while it holds the lease.
#[derive(Debug, Clone)]
pub struct Progress {
    pub event: LifecycleEvent,
    pub step: Option<String>,
    pub steps_done: i64,
    pub status_reason: String,
}

/// What a worker's pass over a store ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub event: LifecycleEvent,
    pub status_reason: String,
    pub step: Option<String>,
    pub steps_done: i64,
    /// When the store is due again; `None` leaves it alone until someone acts.
    pub next_attempt_at: Option<Timestamp>,
    pub attempts: i64,
    /// Storefront and admin URLs, recorded when the store becomes Ready.
    pub urls: Option<(String, String)>,
    /// Whether this pass verified checkout with a real order (`Some(false)`: skipped);
    /// `None` keeps what was recorded before.
    pub checkout_verified: Option<bool>,
    /// The revision and fingerprint applied, recorded when they are known.
    pub applied: Option<(i64, String)>,
    /// How an upgrade or rollback ended (with `Upgraded` or a failed upgrade).
    pub upgrade_result: Option<UpgradeResult>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Released {
    /// The outcome was recorded.
    Applied(Store),
    /// The store changed under the worker (say, its owner deleted it): the lease is
    /// released, the store is due again and keeps its new status.
    Superseded(Store),
    /// The worker no longer held the lease; nothing was written.
    LeaseLost,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub by_status: Vec<(StoreStatus, i64)>,
    /// Live stores due for work and not leased.
    pub due: i64,
    /// Stores currently leased.
    pub leased: i64,
    /// Age in seconds of the oldest due, unleased store's due time.
    pub oldest_due_secs: i64,
    /// Age in seconds of the oldest live lease (renewals keep a lease; a pass that never
    /// ends shows here).
    pub oldest_lease_secs: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<Uuid>,
    pub action: Option<String>,
    /// Only events with an id below this one (for paging, newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

/// A session that a signed token names (`jti`); see [`super::Storage::create_session`].
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub user_id: Uuid,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// The browser or client that signed in (`User-Agent`, shortened).
    pub user_agent: Option<String>,
    /// The client address that signed in.
    pub ip: Option<String>,
}

/// A live session as its owner sees it on the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// Where a fleet rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RolloutState {
    Running,
    Paused,
    /// Stopped by itself at its failure limit.
    Halted,
    Cancelled,
    Completed,
}

/// Where one store of a rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RolloutStoreState {
    Pending,
    Upgrading,
    Succeeded,
    /// Its upgrade failed (and was rolled back, or the store is Failed).
    Failed,
    /// Not upgraded: deleted, not Ready when its turn came, or the rollout was cancelled.
    Skipped,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)* _ => None }
            }
        }
    };
}
text_enum!(RolloutState { Running = "running", Paused = "paused", Halted = "halted", Cancelled = "cancelled", Completed = "completed" });
text_enum!(RolloutStoreState { Pending = "pending", Upgrading = "upgrading", Succeeded = "succeeded", Failed = "failed", Skipped = "skipped" });

/// What an admin does to a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutAction {
    Pause,
    Resume,
    Cancel,
}

impl RolloutAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutAction::Pause => "pause",
            RolloutAction::Resume => "resume",
            RolloutAction::Cancel => "cancel",
        }
    }

    /// The state after the action, or `None` when the state does not allow it.
    pub fn apply(self, state: RolloutState) -> Option<RolloutState> {
        use RolloutState::*;
        match (self, state) {
            (RolloutAction::Pause, Running) => Some(Paused),
            (RolloutAction::Resume, Paused) => Some(Running),
            (RolloutAction::Cancel, Running | Paused) => Some(Cancelled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewRollout {
    pub id: Uuid,
    pub engine: Engine,
    pub max_unavailable: i64,
    pub max_failures: i64,
    pub created_by: Option<Uuid>,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RolloutCounts {
    pub total: i64,
    pub pending: i64,
    pub upgrading: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub skipped: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    pub id: Uuid,
    pub engine: Engine,
    pub state: RolloutState,
    pub max_unavailable: i64,
    pub max_failures: i64,
    pub halt_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_email: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub counts: RolloutCounts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutStore {
    pub store_id: Uuid,
    pub name: String,
    pub state: RolloutStoreState,
    pub reason: Option<String>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}
