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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    pub id: Uuid,
    pub owner_id: Uuid,
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
}

impl Store {
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
}
