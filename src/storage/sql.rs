//! The SQL both backends share. Statements use `$n` placeholders, which SQLite and
//! PostgreSQL both accept; where the dialects differ (write locking, claiming) the
//! backend decides.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use super::*;
use crate::domain::{Desired, LifecycleEvent, StoreStatus};

mod fleet;
mod sessions;

/// One SQL database, SQLite or PostgreSQL, reached through sqlx's `Any` driver.
#[derive(Debug, Clone)]
pub struct SqlStorage {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    /// SQLite has one writer at a time. Writers queue here, in order, instead of
    /// holding pool connections in SQLite's busy handler (which sleeps up to 100 ms per
    /// try), so that reads always find a free connection.
    pub(super) writes: Arc<tokio::sync::Mutex<()>>,
    /// The connection URL (PostgreSQL's listener needs its own connection).
    pub(super) url: String,
}

/// A write transaction, holding this process's turn to write (SQLite).
pub(super) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = Transaction<'static, Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// The PostgreSQL channel store changes are announced on.
const CHANNEL: &str = "storefleet_stores";

const STORE_COLUMNS: &str = "id, owner_id, name, engine, domain, namespace, status, status_reason, \
     step, steps_done, steps_total, desired, attempts, next_attempt_at, lease_owner, \
     lease_expires_at, url, admin_url, created_at, updated_at, ready_at, work_started_at, deleted_at, \
     step_started_at, display_name, checkout_verified, revision, applied_fingerprint, \
     upgrade_target, upgrade_from_revision, last_upgrade_result, last_upgrade_at, \
     (SELECT u.email FROM users u WHERE u.id = stores.owner_id) AS owner_email";

const USER_COLUMNS: &str = "id, email, role, store_quota, created_at, suspended_at, last_login_at";

/// The stores that count toward an owner's quota: not deleted, and not being deleted
/// (a deletion, once requested, cannot be undone, so its slot is free at once).
const COUNTS_TOWARD_QUOTA: &str = "deleted_at IS NULL AND desired = 'present'";

/// How long an idempotency reservation may stay "in progress" before it is presumed
/// abandoned (its request crashed) and may be taken over.
const IDEMPOTENCY_STALE: chrono::Duration = chrono::Duration::seconds(60);

pub(super) fn ms(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

fn ts(ms: i64) -> DbResult<Timestamp> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| DbError::Corrupt(format!("timestamp {ms} out of range")))
}

fn opt_ts(ms: Option<i64>) -> DbResult<Option<Timestamp>> {
    ms.map(ts).transpose()
}

fn uuid(s: &str) -> DbResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| DbError::Corrupt(format!("bad uuid {s:?}")))
}

fn parsed<T: FromStr>(s: &str, what: &str) -> DbResult<T> {
    s.parse()
        .map_err(|_| DbError::Corrupt(format!("bad {what} {s:?}")))
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn store_from(row: &AnyRow) -> DbResult<Store> {
    Ok(Store {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        owner_id: uuid(&row.try_get::<String, _>("owner_id")?)?,
        owner_email: row
            .try_get::<Option<String>, _>("owner_email")?
            .unwrap_or_default(),
        name: row.try_get("name")?,
        engine: parsed(&row.try_get::<String, _>("engine")?, "engine")?,
        domain: row.try_get("domain")?,
        namespace: row.try_get("namespace")?,
        status: parsed(&row.try_get::<String, _>("status")?, "status")?,
        status_reason: row.try_get("status_reason")?,
        step: row.try_get("step")?,
        steps_done: row.try_get("steps_done")?,
        steps_total: row.try_get("steps_total")?,
        desired: parsed::<Desired>(&row.try_get::<String, _>("desired")?, "desired")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: opt_ts(row.try_get("next_attempt_at")?)?,
        lease_owner: row.try_get("lease_owner")?,
        lease_expires_at: opt_ts(row.try_get("lease_expires_at")?)?,
        url: row.try_get("url")?,
        admin_url: row.try_get("admin_url")?,
        created_at: ts(row.try_get("created_at")?)?,
        updated_at: ts(row.try_get("updated_at")?)?,
        ready_at: opt_ts(row.try_get("ready_at")?)?,
        work_started_at: opt_ts(row.try_get("work_started_at")?)?,
        step_started_at: opt_ts(row.try_get("step_started_at")?)?,
        deleted_at: opt_ts(row.try_get("deleted_at")?)?,
        display_name: row.try_get("display_name")?,
        checkout_verified: row
            .try_get::<Option<i64>, _>("checkout_verified")?
            .map(|v| v != 0),
        release: ReleaseRecord {
            revision: row.try_get("revision")?,
            applied_fingerprint: row.try_get("applied_fingerprint")?,
            upgrade_target: match row.try_get::<Option<String>, _>("upgrade_target")? {
                None => None,
                Some(t) => Some(
                    UpgradeTarget::decode(&t)
                        .ok_or_else(|| DbError::Corrupt(format!("bad upgrade target {t:?}")))?,
                ),
            },
            upgrade_from_revision: row.try_get("upgrade_from_revision")?,
            last_upgrade_result: match row.try_get::<Option<String>, _>("last_upgrade_result")? {
                None => None,
                Some(r) => Some(
                    UpgradeResult::parse(&r)
                        .ok_or_else(|| DbError::Corrupt(format!("bad upgrade result {r:?}")))?,
                ),
            },
            last_upgrade_at: opt_ts(row.try_get("last_upgrade_at")?)?,
        },
    })
}

fn user_from(row: &AnyRow) -> DbResult<User> {
    Ok(User {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        email: row.try_get("email")?,
        role: parsed(&row.try_get::<String, _>("role")?, "role")?,
        store_quota: row.try_get("store_quota")?,
        created_at: ts(row.try_get("created_at")?)?,
        suspended: row.try_get::<Option<i64>, _>("suspended_at")?.is_some(),
        last_login_at: opt_ts(row.try_get("last_login_at")?)?,
    })
}

fn audit_from(row: &AnyRow) -> DbResult<AuditEvent> {
    let details: String = row.try_get("details")?;
    Ok(AuditEvent {
        id: row.try_get("id")?,
        at: ts(row.try_get("at")?)?,
        actor_id: row
            .try_get::<Option<String>, _>("actor_id")?
            .as_deref()
            .map(uuid)
            .transpose()?,
        actor_email: row.try_get("actor_email")?,
        action: row.try_get("action")?,
        target_type: row.try_get("target_type")?,
        target_id: row.try_get("target_id")?,
        ip: row.try_get("ip")?,
        details: serde_json::from_str(&details)
            .map_err(|e| DbError::Corrupt(format!("audit details: {e}")))?,
    })
}

/// Turn a unique-index violation into the conflict it means; one the code does not know
/// stays an internal error rather than being reported as the wrong conflict.
fn on_unique(err: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
            match conflict_for(&text) {
                Some(conflict) => return DbError::Conflict(conflict),
                None => tracing::error!(violation = %text, "unexpected unique violation"),
            }
        }
    }
    DbError::Other(err)
}

/// Which uniqueness rule a violation names: PostgreSQL gives the constraint's name
/// (`stores_live_owner_name`), SQLite the columns (`UNIQUE constraint failed:
/// stores.owner_id, stores.name`).
fn conflict_for(violation: &str) -> Option<Conflict> {
    const RULES: [(&[&str], Conflict); 5] = [
        (
            &["fleet_rollouts_active", "fleet_rollouts.engine"],
            Conflict::RolloutActive,
        ),
        (
            &["users_email_key", "users.email_key"],
            Conflict::EmailTaken,
        ),
        (
            &["stores_live_domain", "stores.domain"],
            Conflict::DomainTaken,
        ),
        (
            &["stores_namespace", "stores.namespace"],
            Conflict::NamespaceTaken,
        ),
        (
            &["stores_live_owner_name", "stores.owner_id, stores.name"],
            Conflict::StoreNameTaken,
        ),
    ];
    RULES
        .iter()
        .find(|(names, _)| names.iter().any(|n| violation.contains(n)))
        .map(|(_, conflict)| *conflict)
}

impl SqlStorage {
    /// A write transaction that holds the database's write lock from its first statement
    /// on SQLite (`BEGIN IMMEDIATE`: waits on the busy timeout instead of failing when
    /// another writer commits first) and row locks as taken on PostgreSQL.
    async fn begin_write(&self) -> DbResult<WriteTx> {
        let turn = self.write_turn().await;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    /// This process's turn to write (SQLite only; PostgreSQL has row locks).
    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writes.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Commit on success; on failure roll back at once, so row locks taken by the
    /// transaction (PostgreSQL) are not held until the connection is next used.
    async fn finish<T>(tx: WriteTx, result: DbResult<T>) -> DbResult<T> {
        match result {
            Ok(value) => {
                tx.tx.commit().await?;
                Ok(value)
            }
            Err(e) => {
                let _ = tx.tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn insert_audit(tx: &mut Transaction<'static, Any>, e: &AuditEntry) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO audit_events (at, actor_id, actor_email, action, target_type, target_id, ip, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(ms(e.at))
        .bind(e.actor_id.map(|u| u.to_string()))
        .bind(e.actor_email.clone())
        .bind(e.action.clone())
        .bind(e.target_type.clone())
        .bind(e.target_id.clone())
        .bind(e.ip.clone())
        .bind(e.details.to_string())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn insert_event(tx: &mut Transaction<'static, Any>, e: &NewStoreEvent) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO store_events (store_id, at, level, step, message, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.store_id.to_string())
        .bind(ms(e.at))
        .bind(e.level.as_str())
        .bind(e.step.clone())
        .bind(e.message.clone())
        .bind(e.duration_ms)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn store_in(tx: &mut Transaction<'static, Any>, id: Uuid) -> DbResult<Option<Store>> {
        let sql = format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(store_from).transpose()
    }

    /// Lock one store row for the rest of the transaction (PostgreSQL; SQLite's
    /// `BEGIN IMMEDIATE` already serialises writers).
    async fn lock_store(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
    ) -> DbResult<Option<Store>> {
        let sql = match self.backend {
            Backend::Sqlite => format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = $1"),
            Backend::Postgres => {
                format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = $1 FOR UPDATE")
            }
        };
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(store_from).transpose()
    }

    /// Apply an owner's request (delete or retry) to a live store.
    async fn owner_transition(
        &self,
        id: Uuid,
        event: LifecycleEvent,
        reason: &str,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        self.owner_transition_to(id, event, None, reason, audit, now)
            .await
    }

    async fn owner_transition_to(
        &self,
        id: Uuid,
        event: LifecycleEvent,
        target: Option<UpgradeTarget>,
        reason: &str,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        let mut tx = self.begin_write().await?;
        let result = self
            .owner_transition_tx(&mut tx, id, (event, target), reason, &audit, now)
            .await;
        Self::finish(tx, result).await
    }

    async fn owner_transition_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
        (event, target): (LifecycleEvent, Option<UpgradeTarget>),
        reason: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        let store = self.lock_store(tx, id).await?.ok_or(DbError::NotFound)?;
        if store.is_deleted() {
            return Err(DbError::NotFound);
        }
        let next = store.status.on(event)?;
        let repeat = store.status == StoreStatus::Deleting && next == StoreStatus::Deleting;
        if !repeat {
            let desired = if next == StoreStatus::Deleting {
                Desired::Absent
            } else {
                Desired::Present
            };
            sqlx::query(
                "UPDATE stores SET status = $1, status_reason = $2, desired = $3, next_attempt_at = $4, \
                 attempts = 0, updated_at = $4, work_started_at = $4 WHERE id = $5",
            )
            .bind(next.as_str())
            .bind(reason)
            .bind(desired.as_str())
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
            if event == LifecycleEvent::Upgrade {
                sqlx::query(
                    "UPDATE stores SET upgrade_target = $1, upgrade_from_revision = revision WHERE id = $2",
                )
                .bind(target.unwrap_or(UpgradeTarget::Latest).encode())
                .bind(id.to_string())
                .execute(&mut **tx)
                .await?;
            }
            let message = match (event, target) {
                (LifecycleEvent::Delete, _) => "Deletion requested".to_owned(),
                (LifecycleEvent::Upgrade, Some(UpgradeTarget::Revision(n))) => {
                    format!("Rollback to revision {n} requested")
                }
                (LifecycleEvent::Upgrade, _) => "Upgrade requested".to_owned(),
                _ => "Retry requested".to_owned(),
            };
            Self::insert_event(
                tx,
                &NewStoreEvent {
                    store_id: id,
                    at: now,
                    level: EventLevel::Info,
                    step: None,
                    message,
                    duration_ms: None,
                },
            )
            .await?;
            Self::insert_audit(tx, audit).await?;
        }
        Self::store_in(tx, id).await?.ok_or(DbError::NotFound)
    }

    async fn request_rotation_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
        kinds: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        let store = self.lock_store(tx, id).await?.ok_or(DbError::NotFound)?;
        if store.is_deleted() {
            return Err(DbError::NotFound);
        }
        if store.status != StoreStatus::Ready {
            return Err(DbError::Transition(crate::domain::TransitionError {
                from: store.status,
                what: "rotate its credentials (only Ready stores can)",
            }));
        }
        sqlx::query(
            "UPDATE stores SET status = $1, status_reason = $2, next_attempt_at = $3, \
             attempts = 0, steps_done = 0, updated_at = $3, work_started_at = $3 WHERE id = $4",
        )
        .bind(StoreStatus::Provisioning.as_str())
        .bind("Rotating credentials")
        .bind(ms(now))
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO store_rotations (store_id, kinds, requested_at) VALUES ($1, $2, $3) \
             ON CONFLICT (store_id) DO UPDATE SET kinds = excluded.kinds, requested_at = excluded.requested_at",
        )
        .bind(id.to_string())
        .bind(kinds)
        .bind(ms(now))
        .execute(&mut **tx)
        .await?;
        Self::insert_event(
            tx,
            &NewStoreEvent {
                store_id: id,
                at: now,
                level: EventLevel::Info,
                step: None,
                message: "Credential rotation requested".to_owned(),
                duration_ms: None,
            },
        )
        .await?;
        Self::insert_audit(tx, audit).await?;
        Self::store_in(tx, id).await?.ok_or(DbError::NotFound)
    }

    async fn create_store_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        request: &CreateStore,
    ) -> DbResult<Store> {
        let s = &request.store;
        let owner = s.owner_id.to_string();
        if self.backend == Backend::Postgres {
            // Serialise creates of one owner so the quota check below cannot race.
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(owner.clone())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(DbError::NotFound)?;
        }
        let active: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM stores WHERE owner_id = $1 AND {COUNTS_TOWARD_QUOTA}"
        ))
        .bind(owner.clone())
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
        if active >= request.quota {
            return Err(DbError::QuotaExceeded {
                quota: request.quota,
                active,
            });
        }
        let name_taken = sqlx::query(
            "SELECT 1 AS one FROM stores WHERE owner_id = $1 AND name = $2 AND deleted_at IS NULL",
        )
        .bind(owner.clone())
        .bind(s.name.clone())
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
        if name_taken {
            return Err(DbError::Conflict(Conflict::StoreNameTaken));
        }
        let domain_taken =
            sqlx::query("SELECT 1 AS one FROM stores WHERE domain = $1 AND deleted_at IS NULL")
                .bind(s.domain.clone())
                .fetch_optional(&mut **tx)
                .await?
                .is_some();
        if domain_taken {
            return Err(DbError::Conflict(Conflict::DomainTaken));
        }
        sqlx::query(
            "INSERT INTO stores (id, owner_id, name, engine, domain, namespace, status, status_reason, \
             step, steps_done, steps_total, desired, attempts, next_attempt_at, created_at, updated_at, work_started_at, \
             display_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 0, $9, 'present', 0, $10, $10, $10, $10, $11)",
        )
        .bind(s.id.to_string())
        .bind(owner.clone())
        .bind(s.name.clone())
        .bind(s.engine.as_str())
        .bind(s.domain.clone())
        .bind(s.namespace.clone())
        .bind(StoreStatus::Pending.as_str())
        .bind(s.status_reason.clone())
        .bind(s.steps_total)
        .bind(ms(s.now))
        .bind(s.display_name.clone())
        .execute(&mut **tx)
        .await
        .map_err(on_unique)?;
        Self::insert_event(
            tx,
            &NewStoreEvent {
                store_id: s.id,
                at: s.now,
                level: EventLevel::Info,
                step: None,
                message: format!(
                    "Store requested ({} at {})",
                    s.engine.display_name(),
                    s.domain
                ),
                duration_ms: None,
            },
        )
        .await?;
        Self::insert_audit(tx, &request.audit).await?;
        if let Some(key) = &request.idempotency_key {
            sqlx::query(
                "UPDATE idempotency_keys SET store_id = $1 WHERE user_id = $2 AND key = $3",
            )
            .bind(s.id.to_string())
            .bind(owner.clone())
            .bind(key.clone())
            .execute(&mut **tx)
            .await?;
        }
        Self::store_in(tx, s.id).await?.ok_or(DbError::NotFound)
    }

    async fn begin_idempotent_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        user: Uuid,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> DbResult<IdempotencyStart> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, store_id, created_at) \
             VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user.to_string())
        .bind(key)
        .bind(request_hash)
        .bind(ms(now))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(IdempotencyStart::Fresh);
        }
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let row = sqlx::query(&format!(
            "SELECT request_hash, store_id, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2{lock}"
        ))
        .bind(user.to_string())
        .bind(key)
        .fetch_one(&mut **tx)
        .await?;
        let hash: String = row.try_get("request_hash")?;
        let store_id: Option<String> = row.try_get("store_id")?;
        let created = ts(row.try_get("created_at")?)?;
        let expired = now - created > chrono::Duration::hours(24);
        let stale = store_id.is_none() && now - created > IDEMPOTENCY_STALE;
        if expired || stale {
            // An old record (or the reservation of a request that never finished) gives
            // way to this request.
            sqlx::query(
                "UPDATE idempotency_keys SET request_hash = $1, store_id = NULL, created_at = $2 \
                 WHERE user_id = $3 AND key = $4",
            )
            .bind(request_hash)
            .bind(ms(now))
            .bind(user.to_string())
            .bind(key)
            .execute(&mut **tx)
            .await?;
            return Ok(IdempotencyStart::Fresh);
        }
        if hash != request_hash {
            return Err(DbError::IdempotencyMismatch);
        }
        match store_id {
            Some(id) => Ok(IdempotencyStart::Replay(uuid(&id)?)),
            None => Err(DbError::IdempotencyInProgress),
        }
    }

    async fn record_progress_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
        worker: &str,
        progress: Progress,
        now: Timestamp,
    ) -> DbResult<bool> {
        let Some(store) = self.lock_store(tx, id).await? else {
            return Err(DbError::NotFound);
        };
        let held = store.lease_owner.as_deref() == Some(worker)
            && store.lease_expires_at.is_some_and(|t| t > now);
        if !held {
            return Ok(false);
        }
        let next = store.status.on(progress.event)?;
        let step_started = if store.step == progress.step {
            store.step_started_at.map(ms)
        } else {
            Some(ms(now))
        };
        let work_started = if matches!(store.status, StoreStatus::Pending | StoreStatus::Ready)
            && next == StoreStatus::Provisioning
        {
            Some(ms(now))
        } else {
            store.work_started_at.map(ms)
        };
        sqlx::query(
            "UPDATE stores SET status = $1, status_reason = $2, step = $3, steps_done = $4, updated_at = $5, \
             step_started_at = $6, work_started_at = $7 WHERE id = $8",
        )
        .bind(next.as_str())
        .bind(progress.status_reason)
        .bind(progress.step)
        .bind(progress.steps_done)
        .bind(ms(now))
        .bind(step_started)
        .bind(work_started)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
        Ok(true)
    }

    async fn release_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
        worker: &str,
        outcome: Outcome,
        now: Timestamp,
    ) -> DbResult<Released> {
        let Some(store) = self.lock_store(tx, id).await? else {
            return Err(DbError::NotFound);
        };
        if store.lease_owner.as_deref() != Some(worker) {
            return Ok(Released::LeaseLost);
        }
        let Ok(next) = store.status.on(outcome.event) else {
            // The owner changed the store while we worked: keep their change, free the
            // store and make it due so the next pass acts on it.
            sqlx::query(
                "UPDATE stores SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = $1 WHERE id = $2",
            )
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
            let store = Self::store_in(tx, id).await?.ok_or(DbError::NotFound)?;
            return Ok(Released::Superseded(store));
        };
        let gone = outcome.event == LifecycleEvent::Gone;
        let became_ready = next == StoreStatus::Ready && store.status != StoreStatus::Ready;
        let (url, admin_url) = match &outcome.urls {
            Some((u, a)) => (Some(u.clone()), Some(a.clone())),
            None => (store.url.clone(), store.admin_url.clone()),
        };
        let ready_at = if became_ready {
            Some(now)
        } else {
            store.ready_at
        };
        // An upgrade ends when the store leaves Upgrading (or the pass says how it ended).
        let upgrade_end = outcome
            .upgrade_result
            .or(
                (store.status == StoreStatus::Upgrading && next != StoreStatus::Upgrading)
                    .then_some(match next {
                        StoreStatus::Failed => UpgradeResult::Failed,
                        _ => UpgradeResult::Succeeded,
                    }),
            );
        let (revision, fingerprint) = match &outcome.applied {
            Some((r, f)) => (Some(*r), Some(f.clone())),
            None => (
                store.release.revision,
                store.release.applied_fingerprint.clone(),
            ),
        };
        if let Some(result) = upgrade_end {
            sqlx::query(
                "UPDATE stores SET upgrade_target = NULL, upgrade_from_revision = NULL, \
                 last_upgrade_result = $1, last_upgrade_at = $2 WHERE id = $3",
            )
            .bind(result.as_str())
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query(
            "UPDATE stores SET status = $1, status_reason = $2, step = $3, steps_done = $4, attempts = $5, \
             next_attempt_at = $6, lease_owner = NULL, lease_expires_at = NULL, url = $7, admin_url = $8, \
             ready_at = $9, deleted_at = $10, updated_at = $11, checkout_verified = $12, \
             revision = $14, applied_fingerprint = $15 WHERE id = $13",
        )
        .bind(next.as_str())
        .bind(outcome.status_reason)
        .bind(outcome.step)
        .bind(outcome.steps_done)
        .bind(outcome.attempts)
        .bind(outcome.next_attempt_at.map(ms))
        .bind(url)
        .bind(admin_url)
        .bind(ready_at.map(ms))
        .bind(gone.then(|| ms(now)))
        .bind(ms(now))
        .bind(
            outcome
                .checkout_verified
                .or(store.checkout_verified)
                .map(i64::from),
        )
        .bind(id.to_string())
        .bind(revision)
        .bind(fingerprint)
        .execute(&mut **tx)
        .await?;
        let store = Self::store_in(tx, id).await?.ok_or(DbError::NotFound)?;
        Ok(Released::Applied(store))
    }
}

#[async_trait]
impl Storage for SqlStorage {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn migrate(&self) -> DbResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &super::sqlite::MIGRATOR,
            Backend::Postgres => &super::postgres::MIGRATOR,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| DbError::Other(sqlx::Error::Migrate(Box::new(e))))
    }

    async fn probe_write(&self, now: Timestamp) -> DbResult<()> {
        self.write_probe(now).await
    }

    async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

#[async_trait]
impl Accounts for SqlStorage {
    async fn create_user(&self, user: NewUser) -> DbResult<User> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO users (id, email, email_key, password_hash, role, store_quota, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(user.id.to_string())
        .bind(user.email.clone())
        .bind(user.email_key.clone())
        .bind(user.password_hash.clone())
        .bind(user.role.as_str())
        .bind(user.store_quota)
        .bind(ms(user.now))
        .execute(&self.pool)
        .await
        .map_err(on_unique)?;
        Ok(User {
            id: user.id,
            email: user.email,
            role: user.role,
            store_quota: user.store_quota,
            created_at: ts(ms(user.now))?,
            suspended: false,
            last_login_at: None,
        })
    }

    async fn user_by_id(&self, id: Uuid) -> DbResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn user_credentials(&self, email_key: &str) -> DbResult<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email_key = $1");
        let row = sqlx::query(&sql)
            .bind(email_key)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((user_from(&row)?, row.try_get("password_hash")?))),
        }
    }

    async fn set_password_hash(&self, id: Uuid, hash: &str, now: Timestamp) -> DbResult<()> {
        let _turn = self.write_turn().await;
        let done =
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }

    async fn update_user(&self, id: Uuid, update: UserUpdate, now: Timestamp) -> DbResult<User> {
        let mut tx = self.begin_write().await?;
        let result = async {
            // Suspending keeps the first suspension time; unsuspending clears it.
            let suspended_at = match update.suspended {
                None => "suspended_at",
                Some(true) => "COALESCE(suspended_at, $3)",
                Some(false) => "NULL",
            };
            let done = sqlx::query(&format!(
                "UPDATE users SET store_quota = COALESCE($1, store_quota), role = COALESCE($2, role), \
                 suspended_at = {suspended_at}, updated_at = $3 WHERE id = $4"
            ))
            .bind(update.store_quota)
            .bind(update.role.map(|r| r.as_str()))
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(DbError::NotFound);
            }
            if update.suspended == Some(true) {
                Self::revoke_all_tx(&mut tx, id, None, now).await?;
            }
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
            let row = sqlx::query(&sql)
                .bind(id.to_string())
                .fetch_one(&mut **tx)
                .await?;
            user_from(&row)
        }
        .await;
        Self::finish(tx, result).await
    }

    async fn list_users(&self) -> DbResult<Vec<UserSummary>> {
        let sql = format!(
            "SELECT u.id, u.email, u.role, u.store_quota, u.created_at, u.suspended_at, u.last_login_at, \
             (SELECT COUNT(*) FROM stores WHERE stores.owner_id = u.id AND {COUNTS_TOWARD_QUOTA}) AS stores_active \
             FROM users u ORDER BY u.created_at, u.id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(UserSummary {
                    user: user_from(row)?,
                    stores_active: row.try_get("stores_active")?,
                })
            })
            .collect()
    }

    async fn delete_user(&self, id: Uuid) -> DbResult<()> {
        let mut tx = self.begin_write().await?;
        let result = self.delete_user_tx(&mut tx, id).await;
        Self::finish(tx, result).await
    }

    async fn count_live_stores(&self, owner: Uuid) -> DbResult<i64> {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM stores WHERE owner_id = $1 AND {COUNTS_TOWARD_QUOTA}"
        ))
        .bind(owner.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}

#[async_trait]
impl Sessions for SqlStorage {
    async fn create_session(&self, session: NewSession) -> DbResult<()> {
        self.insert_session(&session).await
    }

    async fn session_user(&self, session: &str, now: Timestamp) -> DbResult<Option<User>> {
        self.live_session_user(session, now).await
    }

    async fn revoke_session(&self, session: &str, now: Timestamp) -> DbResult<bool> {
        self.revoke_one(session, now).await
    }

    async fn revoke_user_sessions(
        &self,
        user: Uuid,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64> {
        self.revoke_all(user, keep, now).await
    }

    async fn change_password(
        &self,
        user: Uuid,
        hash: &str,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64> {
        self.set_password_revoking(user, hash, keep, now).await
    }

    async fn count_sessions(&self, user: Uuid, now: Timestamp) -> DbResult<i64> {
        self.count_live_sessions(user, now).await
    }

    async fn list_sessions(&self, user: Uuid, now: Timestamp) -> DbResult<Vec<SessionInfo>> {
        self.live_sessions(user, now).await
    }

    async fn revoke_own_session(
        &self,
        user: Uuid,
        session: &str,
        now: Timestamp,
    ) -> DbResult<bool> {
        self.revoke_one_of(user, session, now).await
    }

    async fn purge_sessions(&self, before: Timestamp) -> DbResult<u64> {
        self.purge_old_sessions(before).await
    }
}

#[async_trait]
impl Stores for SqlStorage {
    async fn begin_idempotent(
        &self,
        user: Uuid,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> DbResult<IdempotencyStart> {
        let mut tx = self.begin_write().await?;
        let result = self
            .begin_idempotent_tx(&mut tx, user, key, request_hash, now)
            .await;
        Self::finish(tx, result).await
    }

    async fn abandon_idempotent(&self, user: Uuid, key: &str) -> DbResult<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND store_id IS NULL",
        )
        .bind(user.to_string())
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn purge_idempotency(&self, before: Timestamp) -> DbResult<u64> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(ms(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_store(&self, request: CreateStore) -> DbResult<Store> {
        let mut tx = self.begin_write().await?;
        let result = self.create_store_tx(&mut tx, &request).await;
        Self::finish(tx, result).await
    }

    async fn get_store(&self, id: Uuid) -> DbResult<Option<Store>> {
        let sql = format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(store_from).transpose()
    }

    async fn list_stores(&self, owner: Option<Uuid>) -> DbResult<Vec<Store>> {
        let rows = match owner {
            Some(owner) => {
                let sql = format!(
                    "SELECT {STORE_COLUMNS} FROM stores WHERE owner_id = $1 AND deleted_at IS NULL \
                     ORDER BY created_at DESC, id DESC"
                );
                sqlx::query(&sql)
                    .bind(owner.to_string())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                let sql = format!(
                    "SELECT {STORE_COLUMNS} FROM stores WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC"
                );
                sqlx::query(&sql).fetch_all(&self.pool).await?
            }
        };
        rows.iter().map(store_from).collect()
    }

    async fn request_delete(&self, id: Uuid, audit: AuditEntry, now: Timestamp) -> DbResult<Store> {
        self.owner_transition(id, LifecycleEvent::Delete, "Deletion requested", audit, now)
            .await
    }

    async fn request_retry(&self, id: Uuid, audit: AuditEntry, now: Timestamp) -> DbResult<Store> {
        self.owner_transition(id, LifecycleEvent::Retry, "Retry requested", audit, now)
            .await
    }

    async fn request_upgrade(
        &self,
        id: Uuid,
        target: UpgradeTarget,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        let reason = match target {
            UpgradeTarget::Latest => "Upgrading to the latest version".to_owned(),
            UpgradeTarget::Revision(n) => format!("Rolling back to revision {n}"),
        };
        self.owner_transition_to(
            id,
            LifecycleEvent::Upgrade,
            Some(target),
            &reason,
            audit,
            now,
        )
        .await
    }

    async fn set_display_name(
        &self,
        id: Uuid,
        display_name: Option<String>,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        let mut tx = self.begin_write().await?;
        let result = async {
            let store = self
                .lock_store(&mut tx, id)
                .await?
                .ok_or(DbError::NotFound)?;
            if store.is_deleted() {
                return Err(DbError::NotFound);
            }
            sqlx::query("UPDATE stores SET display_name = $1, updated_at = $2 WHERE id = $3")
                .bind(display_name)
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&mut **tx)
                .await?;
            Self::insert_audit(&mut tx, &audit).await?;
            Self::store_in(&mut tx, id).await?.ok_or(DbError::NotFound)
        }
        .await;
        Self::finish(tx, result).await
    }

    async fn request_rotation(
        &self,
        id: Uuid,
        kinds: &str,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Store> {
        let mut tx = self.begin_write().await?;
        let result = self
            .request_rotation_tx(&mut tx, id, kinds, &audit, now)
            .await;
        Self::finish(tx, result).await
    }

    async fn store_events(&self, id: Uuid) -> DbResult<Vec<StoreEvent>> {
        let rows = sqlx::query(
            "SELECT at, level, step, message, duration_ms FROM store_events WHERE store_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let level: String = row.try_get("level")?;
                Ok(StoreEvent {
                    at: ts(row.try_get("at")?)?,
                    level: EventLevel::parse(&level)
                        .ok_or_else(|| DbError::Corrupt(format!("bad level {level:?}")))?,
                    step: row.try_get("step")?,
                    message: row.try_get("message")?,
                    duration_ms: row.try_get("duration_ms")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl WorkQueue for SqlStorage {
    async fn add_store_event(&self, event: NewStoreEvent) -> DbResult<()> {
        let mut tx = self.begin_write().await?;
        let result = Self::insert_event(&mut tx, &event).await;
        Self::finish(tx, result).await
    }

    async fn claim_due(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: Timestamp,
    ) -> DbResult<Vec<Store>> {
        let _turn = self.write_turn().await;
        // One statement: pick due, unleased (or expired) live stores and lease them.
        // PostgreSQL skips rows another claimer has locked; SQLite runs the statement
        // under its single write lock.
        let skip_locked = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE stores SET lease_owner = $1, lease_expires_at = $2, leased_at = $3 \
             WHERE id IN (SELECT id FROM stores WHERE deleted_at IS NULL AND next_attempt_at IS NOT NULL \
               AND next_attempt_at <= $3 AND (lease_expires_at IS NULL OR lease_expires_at <= $3) \
               ORDER BY next_attempt_at, id LIMIT $4{skip_locked}) \
             RETURNING {STORE_COLUMNS}"
        );
        let rows = sqlx::query(&sql)
            .bind(worker)
            .bind(ms(now) + duration_ms(lease))
            .bind(ms(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(store_from).collect()
    }

    async fn expedite(&self, id: Uuid, now: Timestamp) -> DbResult<bool> {
        let _turn = self.write_turn().await;
        // Due at the head of the queue: just before the oldest store already due, so that
        // what it waited for is acted on now, not after every first pass queued meanwhile
        // (a bulk delete queues hundreds).
        let least = match self.backend {
            Backend::Sqlite => "MIN",
            Backend::Postgres => "LEAST",
        };
        let sql = format!(
            "UPDATE stores SET next_attempt_at = {least}($1, COALESCE((SELECT MIN(next_attempt_at) - 1 \
               FROM stores WHERE deleted_at IS NULL AND next_attempt_at IS NOT NULL), $1)) \
             WHERE id = $2 AND deleted_at IS NULL \
             AND next_attempt_at > $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1)"
        );
        let done = sqlx::query(&sql)
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn give_back(&self, id: Uuid, worker: &str, now: Timestamp) -> DbResult<bool> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE stores SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = $1 \
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(ms(now))
        .bind(id.to_string())
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn load(&self, id: Uuid) -> DbResult<Option<Store>> {
        Stores::get_store(self, id).await
    }

    async fn owner_email(&self, owner: Uuid) -> DbResult<Option<String>> {
        Ok(Accounts::user_by_id(self, owner).await?.map(|u| u.email))
    }

    async fn pending_rotation(&self, id: Uuid) -> DbResult<Option<String>> {
        let row = sqlx::query("SELECT kinds FROM store_rotations WHERE store_id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("kinds")).transpose()?)
    }

    async fn clear_rotation(&self, id: Uuid) -> DbResult<()> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM store_rotations WHERE store_id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn renew_lease(
        &self,
        id: Uuid,
        worker: &str,
        lease: Duration,
        now: Timestamp,
    ) -> DbResult<bool> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE stores SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3 AND lease_expires_at > $4",
        )
        .bind(ms(now) + duration_ms(lease))
        .bind(id.to_string())
        .bind(worker)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_progress(
        &self,
        id: Uuid,
        worker: &str,
        progress: Progress,
        now: Timestamp,
    ) -> DbResult<bool> {
        let mut tx = self.begin_write().await?;
        let result = self
            .record_progress_tx(&mut tx, id, worker, progress, now)
            .await;
        Self::finish(tx, result).await
    }

    async fn release(
        &self,
        id: Uuid,
        worker: &str,
        outcome: Outcome,
        now: Timestamp,
    ) -> DbResult<Released> {
        let mut tx = self.begin_write().await?;
        let result = self.release_tx(&mut tx, id, worker, outcome, now).await;
        Self::finish(tx, result).await
    }

    async fn queue_stats(&self, now: Timestamp) -> DbResult<QueueStats> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM stores WHERE deleted_at IS NULL GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_status = Vec::new();
        for row in &rows {
            let status: StoreStatus = parsed(&row.try_get::<String, _>("status")?, "status")?;
            by_status.push((status, row.try_get("n")?));
        }
        let row = sqlx::query(
            "SELECT \
               SUM(CASE WHEN next_attempt_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1) THEN 1 ELSE 0 END) AS due, \
               SUM(CASE WHEN lease_expires_at > $1 THEN 1 ELSE 0 END) AS leased, \
               MIN(CASE WHEN next_attempt_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1) THEN next_attempt_at END) AS oldest, \
               MIN(CASE WHEN lease_expires_at > $1 THEN leased_at END) AS oldest_lease \
             FROM stores WHERE deleted_at IS NULL",
        )
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        let due: Option<i64> = row.try_get("due")?;
        let leased: Option<i64> = row.try_get("leased")?;
        let oldest: Option<i64> = row.try_get("oldest")?;
        let oldest_lease: Option<i64> = row.try_get("oldest_lease")?;
        Ok(QueueStats {
            by_status,
            due: due.unwrap_or(0),
            leased: leased.unwrap_or(0),
            oldest_due_secs: oldest.map_or(0, |t| ((ms(now) - t) / 1000).max(0)),
            oldest_lease_secs: oldest_lease.map_or(0, |t| ((ms(now) - t) / 1000).max(0)),
        })
    }
}

#[async_trait]
impl News for SqlStorage {
    async fn announce(&self, store: Uuid) -> DbResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(store.to_string())
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    async fn listen(&self) -> DbResult<Option<futures::stream::BoxStream<'static, Uuid>>> {
        use futures::StreamExt as _;
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(CHANNEL).await?;
        // The listener reconnects by itself; notifications sent while it was away are lost,
        // which the workers' polling and the periodic resync make up for.
        let stream = listener
            .into_stream()
            .filter_map(|n| async move { n.ok().and_then(|n| Uuid::parse_str(n.payload()).ok()) });
        Ok(Some(stream.boxed()))
    }
}

#[async_trait]
impl Audit for SqlStorage {
    async fn record_audit(&self, entry: AuditEntry) -> DbResult<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_audit(&mut tx, &entry).await?;
        tx.tx.commit().await?;
        Ok(())
    }

    async fn audit_events(&self, query: AuditQuery) -> DbResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_email, action, target_type, target_id, ip, details FROM audit_events \
             WHERE ($1 IS NULL OR actor_id = $1) AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR id < $3) \
             ORDER BY id DESC LIMIT $4",
        )
        .bind(query.actor.map(|u| u.to_string()))
        .bind(query.action)
        .bind(query.before)
        .bind(query.limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_name_their_rule_or_none() {
        let cases = [
            (
                "UNIQUE constraint failed: users.email_key",
                Some(Conflict::EmailTaken),
            ),
            (
                "duplicate key value violates unique constraint \"users_email_key_key\" users_email_key_key",
                Some(Conflict::EmailTaken),
            ),
            (
                "UNIQUE constraint failed: stores.domain",
                Some(Conflict::DomainTaken),
            ),
            (
                "duplicate key stores_live_domain",
                Some(Conflict::DomainTaken),
            ),
            (
                "UNIQUE constraint failed: stores.namespace",
                Some(Conflict::NamespaceTaken),
            ),
            (
                "duplicate key stores_namespace_key",
                Some(Conflict::NamespaceTaken),
            ),
            (
                "UNIQUE constraint failed: stores.owner_id, stores.name",
                Some(Conflict::StoreNameTaken),
            ),
            (
                "duplicate key stores_live_owner_name",
                Some(Conflict::StoreNameTaken),
            ),
            ("UNIQUE constraint failed: stores.id", None),
            (
                "duplicate key value violates unique constraint \"stores_pkey\"",
                None,
            ),
            (
                "UNIQUE constraint failed: idempotency_keys.user_id, idempotency_keys.key",
                None,
            ),
        ];
        for (violation, want) in cases {
            assert_eq!(conflict_for(violation), want, "{violation}");
        }
    }
}
