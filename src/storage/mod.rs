//! The platform database behind one interface, [`Storage`], used by the API and the
//! provisioning workers. Two backends share the SQL that both dialects accept and differ
//! where they must (locking, claiming, connection setup): SQLite by default
//! ([`sqlite`]), PostgreSQL in production ([`postgres`]). The backend is chosen once, at
//! start-up, from the database URL's scheme.

mod files;
mod models;
mod outage;
mod postgres;
mod sql;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

pub use files::{check_writable_dir, create_private_dir, secure_sqlite_files};
pub use models::*;
pub use outage::Outage;

use crate::config::redact_url_password;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(Conflict),
    #[error("the store quota of {quota} is reached ({active} live stores)")]
    QuotaExceeded { quota: i64, active: i64 },
    #[error("the user still has {0} live store(s)")]
    UserHasStores(i64),
    #[error("the idempotency key was used with a different request")]
    IdempotencyMismatch,
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyInProgress,
    #[error("invalid transition: {0}")]
    Transition(#[from] crate::domain::TransitionError),
    /// A rollout's state does not allow what was asked.
    #[error("{0}")]
    Rollout(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Other(#[from] sqlx::Error),
}

/// Which uniqueness rule a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    EmailTaken,
    StoreNameTaken,
    DomainTaken,
    NamespaceTaken,
    /// A fleet rollout for the engine is running or paused.
    RolloutActive,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conflict::EmailTaken => "email already registered",
            Conflict::StoreNameTaken => "store name already used by one of your live stores",
            Conflict::DomainTaken => "domain already used by a live store",
            Conflict::RolloutActive => "a rollout for this engine is running or paused",
            Conflict::NamespaceTaken => "namespace already used",
        })
    }
}

pub type DbResult<T> = Result<T, DbError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Everything the platform stores, split by concern (accounts, sessions, stores, the work queue, news, audit) so that each part of the program
/// depends only on what it uses (the engine on [`WorkQueue`] alone). Times are passed in
/// by the caller so tests and replicas agree on "now".
#[async_trait]
pub trait Storage:
    Accounts + Sessions + Stores + WorkQueue + Fleet + News + Audit + Send + Sync + std::fmt::Debug
{
    fn backend(&self) -> Backend;

    /// Apply pending migrations.
    async fn migrate(&self) -> DbResult<()>;

    /// A cheap round trip for `/readyz`.
    async fn ping(&self) -> DbResult<()>;

    /// Prove the database takes writes now (for `/readyz`).
    async fn probe_write(&self, now: Timestamp) -> DbResult<()>;
}

/// Brings every storage trait into scope: `use crate::storage::prelude::*;`.
pub mod prelude {
    pub use super::{Accounts, Audit, Fleet, News, Sessions, Storage, Stores, WorkQueue};
}

/// People: accounts, password hashes, roles and quotas.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Create a user; `Conflict(EmailTaken)` when the email (case-insensitively) exists.
    async fn create_user(&self, user: NewUser) -> DbResult<User>;
    async fn user_by_id(&self, id: Uuid) -> DbResult<Option<User>>;
    /// The user and their password hash, by case-insensitive email.
    async fn user_credentials(&self, email_key: &str) -> DbResult<Option<(User, String)>>;
    async fn set_password_hash(&self, id: Uuid, hash: &str, now: Timestamp) -> DbResult<()>;
    async fn update_user(&self, id: Uuid, update: UserUpdate, now: Timestamp) -> DbResult<User>;
    async fn list_users(&self) -> DbResult<Vec<UserSummary>>;
    /// Stores that count toward the owner's quota: not deleted, and deletion not
    /// requested (a store in `Deleting` frees its slot as soon as its deletion starts).
    async fn count_live_stores(&self, owner: Uuid) -> DbResult<i64>;
    /// Delete a user who has no stores left that are not deleted (`UserHasStores` with
    /// how many otherwise), with their sessions, idempotency keys and the rows of their
    /// deleted stores. The audit log keeps the ids.
    async fn delete_user(&self, id: Uuid) -> DbResult<()>;
}

/// Stores as their owners see and change them through the API.
#[async_trait]
pub trait Stores: Send + Sync {
    /// Start an idempotent request: reserve `key` for this user and body hash.
    async fn begin_idempotent(
        &self,
        user: Uuid,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> DbResult<IdempotencyStart>;
    /// Forget a reserved key whose request was rejected (a rejected request stores nothing).
    async fn abandon_idempotent(&self, user: Uuid, key: &str) -> DbResult<()>;
    /// Drop idempotency records older than `before`.
    async fn purge_idempotency(&self, before: Timestamp) -> DbResult<u64>;

    /// Create a store if its owner is under quota and its name and domain are free, in one
    /// transaction that also records the first event, the audit entry and completes the
    /// idempotency key.
    async fn create_store(&self, request: CreateStore) -> DbResult<Store>;
    /// A store by id, deleted or not.
    async fn get_store(&self, id: Uuid) -> DbResult<Option<Store>>;
    /// Live stores, newest first; all owners when `owner` is `None`.
    async fn list_stores(&self, owner: Option<Uuid>) -> DbResult<Vec<Store>>;
    /// Mark a live store for deletion (status `Deleting`, desired `absent`, due now).
    async fn request_delete(&self, id: Uuid, audit: AuditEntry, now: Timestamp) -> DbResult<Store>;
    /// Send a `Failed` store back to `Provisioning`, due now.
    async fn request_retry(&self, id: Uuid, audit: AuditEntry, now: Timestamp) -> DbResult<Store>;
    /// Send a `Ready` store to `Upgrading` towards `target`, due now; it remembers the
    /// revision it runs, to return to when the upgrade fails.
    async fn request_upgrade(
        &self,
        id: Uuid,
        target: UpgradeTarget,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store>;
    /// Send a `Ready` store back to `Provisioning` ("Rotating credentials"), due now, with a
    /// rotation of `kinds` for the engine to carry out (`Transition` unless Ready).
    async fn request_rotation(
        &self,
        id: Uuid,
        kinds: &str,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store>;
    async fn store_events(&self, id: Uuid) -> DbResult<Vec<StoreEvent>>;
    /// Set (or with `None` clear) a live store's display name, with its audit entry.
    async fn set_display_name(
        &self,
        id: Uuid,
        display_name: Option<String>,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store>;
}

/// The provisioning engine's view: stores due for work, claimed by lease, worked on and
/// given back with an outcome.
#[async_trait]
pub trait WorkQueue: Send + Sync + std::fmt::Debug {
    /// Lease up to `limit` due stores to `worker` until `now + lease`.
    async fn claim_due(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: Timestamp,
    ) -> DbResult<Vec<Store>>;
    /// Make a store that waits for its next attempt due at `now`, ahead of the stores
    /// already due (something it waits for happened). No effect on a store that is
    /// leased, deleted or already due; `true` when it was brought forward.
    async fn expedite(&self, id: Uuid, now: Timestamp) -> DbResult<bool>;
    /// Extend a lease still held by `worker`; `false` when it was lost.
    async fn renew_lease(
        &self,
        id: Uuid,
        worker: &str,
        lease: Duration,
        now: Timestamp,
    ) -> DbResult<bool>;
    /// Record progress while holding the lease; `false` when the lease was lost,
    /// `Transition` when the store changed under the worker (deleted, say).
    async fn record_progress(
        &self,
        id: Uuid,
        worker: &str,
        progress: Progress,
        now: Timestamp,
    ) -> DbResult<bool>;
    /// Give the store back with the outcome of the pass (see [`Released`]).
    async fn release(
        &self,
        id: Uuid,
        worker: &str,
        outcome: Outcome,
        now: Timestamp,
    ) -> DbResult<Released>;
    /// Give a store that changed under the worker back unchanged, due at `now`, so the
    /// next pass acts on the change; `false` when `worker` did not hold it.
    async fn give_back(&self, id: Uuid, worker: &str, now: Timestamp) -> DbResult<bool>;
    /// The store as it is now, deleted or not.
    async fn load(&self, id: Uuid) -> DbResult<Option<Store>>;
    /// The email of a store's owner (the store administrator's contact address).
    async fn owner_email(&self, owner: Uuid) -> DbResult<Option<String>>;
    async fn add_store_event(&self, event: NewStoreEvent) -> DbResult<()>;
    /// The kinds of a credential rotation requested for the store and not yet carried out.
    async fn pending_rotation(&self, id: Uuid) -> DbResult<Option<String>>;
    /// The rotation's new values are in the store's Secret: forget the request.
    async fn clear_rotation(&self, id: Uuid) -> DbResult<()>;
    /// Stores in each status, and how many are due now (for metrics).
    async fn queue_stats(&self, now: Timestamp) -> DbResult<QueueStats>;
}

/// Fleet-wide rolling upgrades: each rollout and where each of its stores stands. The
/// driver (`crate::fleet`) advances running rollouts one transaction at a time, so any
/// replica may do it and a restart continues where the database says.
#[async_trait]
pub trait Fleet: Send + Sync {
    /// Start a rollout over `stores`, upgraded in that order; `Conflict(RolloutActive)`
    /// when one for the engine is running or paused.
    async fn create_rollout(
        &self,
        rollout: NewRollout,
        stores: Vec<Uuid>,
        audit: AuditEntry,
    ) -> DbResult<Rollout>;
    async fn rollout(&self, id: Uuid) -> DbResult<Option<(Rollout, Vec<RolloutStore>)>>;
    /// Newest first.
    async fn list_rollouts(&self, limit: i64) -> DbResult<Vec<Rollout>>;
    /// Pause, resume or cancel; `Transition` when the rollout's state does not allow it.
    async fn change_rollout(
        &self,
        id: Uuid,
        action: RolloutAction,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Rollout>;
    /// Rollouts the driver has work in: running, or with stores still upgrading.
    async fn rollouts_in_motion(&self) -> DbResult<Vec<Uuid>>;
    /// One step of the driver for one rollout: record how upgrading stores ended, halt
    /// at the failure limit, start upgrades up to the unavailability limit, complete.
    /// Returns the stores it sent to Upgrading.
    async fn advance_rollout(&self, id: Uuid, now: Timestamp) -> DbResult<Vec<Store>>;
}

/// News across replicas.
#[async_trait]
pub trait News: Send + Sync {
    /// Tell every replica that a store changed (PostgreSQL `NOTIFY`; nothing on SQLite,
    /// which one process owns).
    async fn announce(&self, store: Uuid) -> DbResult<()>;
    /// Store ids announced by any replica, this one included; `None` on SQLite.
    async fn listen(&self) -> DbResult<Option<futures::stream::BoxStream<'static, Uuid>>>;
}

/// Who did what, for `GET /admin/audit`.
#[async_trait]
pub trait Audit: Send + Sync {
    async fn record_audit(&self, entry: AuditEntry) -> DbResult<()>;
    async fn audit_events(&self, query: AuditQuery) -> DbResult<Vec<AuditEvent>>;
}

/// Sign-in sessions, revocable server-side (logout, password change, demotion).
#[async_trait]
pub trait Sessions: Send + Sync {
    /// Record a new session (its id is the token's `jti`).
    async fn create_session(&self, session: NewSession) -> DbResult<()>;
    /// The user of a session that is neither revoked nor expired at `now`.
    async fn session_user(&self, session: &str, now: Timestamp) -> DbResult<Option<User>>;
    /// End one session; `false` when it was unknown or already ended.
    async fn revoke_session(&self, session: &str, now: Timestamp) -> DbResult<bool>;
    /// End every live session of `user` except `keep`; how many ended.
    async fn revoke_user_sessions(
        &self,
        user: Uuid,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64>;
    /// Set a new password hash and end every other session of the user, atomically.
    async fn change_password(
        &self,
        user: Uuid,
        hash: &str,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64>;
    /// Live sessions of a user.
    async fn count_sessions(&self, user: Uuid, now: Timestamp) -> DbResult<i64>;
    /// Live sessions of a user, newest first.
    async fn list_sessions(&self, user: Uuid, now: Timestamp) -> DbResult<Vec<SessionInfo>>;
    /// End one live session of `user`; `false` when it is unknown, ended or another's.
    async fn revoke_own_session(&self, user: Uuid, session: &str, now: Timestamp)
    -> DbResult<bool>;
    /// Forget sessions that expired before `before`.
    async fn purge_sessions(&self, before: Timestamp) -> DbResult<u64>;
}

/// Connect to the database named by `url` (scheme picks the backend) and migrate it.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Storage>> {
    use anyhow::Context as _;
    let storage: Arc<dyn Storage> = if url.starts_with("sqlite:") {
        Arc::new(
            sqlite::connect(url)
                .await
                .with_context(|| format!("cannot open SQLite database {url}"))?,
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(postgres::connect(url).await.with_context(|| {
            format!(
                "cannot connect to PostgreSQL at {}",
                redact_url_password(url)
            )
        })?)
    } else {
        anyhow::bail!("unsupported database URL scheme: use sqlite:// or postgres://");
    };
    storage
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(storage)
}
