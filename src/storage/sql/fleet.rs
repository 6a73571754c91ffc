//! Fleet rollouts in the SQL both backends share. Each call is one write transaction;
//! on PostgreSQL the rollout's row is locked first, so replicas driving the same rollout
//! take turns and each sees what the previous one wrote.

use sqlx::Row as _;

use super::*;

const ROLLOUT_COLUMNS: &str = "r.id, r.engine, r.state, r.max_unavailable, r.max_failures, r.halt_reason, \
     r.created_by, u.email AS created_by_email, r.created_at, r.updated_at, r.finished_at";

fn rollout_from(row: &AnyRow, counts: RolloutCounts) -> DbResult<Rollout> {
    let state: String = row.try_get("state")?;
    Ok(Rollout {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        engine: parsed(&row.try_get::<String, _>("engine")?, "engine")?,
        state: RolloutState::parse(&state)
            .ok_or_else(|| DbError::Corrupt(format!("bad rollout state {state:?}")))?,
        max_unavailable: row.try_get("max_unavailable")?,
        max_failures: row.try_get("max_failures")?,
        halt_reason: row.try_get("halt_reason")?,
        created_by: row
            .try_get::<Option<String>, _>("created_by")?
            .as_deref()
            .map(uuid)
            .transpose()?,
        created_by_email: row.try_get("created_by_email")?,
        created_at: ts(row.try_get("created_at")?)?,
        updated_at: ts(row.try_get("updated_at")?)?,
        finished_at: opt_ts(row.try_get("finished_at")?)?,
        counts,
    })
}

/// One store's place in a rollout, as the driver works with it.
struct Entry {
    store_id: Uuid,
    state: RolloutStoreState,
    started_at: Option<Timestamp>,
}

impl SqlStorage {
    async fn counts_tx(conn: &mut sqlx::AnyConnection, id: Uuid) -> DbResult<RolloutCounts> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM fleet_rollout_stores WHERE rollout_id = $1 GROUP BY state",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut c = RolloutCounts::default();
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            c.total += n;
            match RolloutStoreState::parse(&state) {
                Some(RolloutStoreState::Pending) => c.pending += n,
                Some(RolloutStoreState::Upgrading) => c.upgrading += n,
                Some(RolloutStoreState::Succeeded) => c.succeeded += n,
                Some(RolloutStoreState::Failed) => c.failed += n,
                Some(RolloutStoreState::Skipped) => c.skipped += n,
                None => {
                    return Err(DbError::Corrupt(format!(
                        "bad rollout store state {state:?}"
                    )));
                }
            }
        }
        Ok(c)
    }

    async fn rollout_tx(conn: &mut sqlx::AnyConnection, id: Uuid) -> DbResult<Option<Rollout>> {
        let sql = format!(
            "SELECT {ROLLOUT_COLUMNS} FROM fleet_rollouts r LEFT JOIN users u ON u.id = r.created_by WHERE r.id = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let counts = Self::counts_tx(conn, id).await?;
        rollout_from(&row, counts).map(Some)
    }

    /// Lock the rollout's row for this transaction (PostgreSQL; SQLite's write lock is
    /// held already).
    async fn lock_rollout(&self, tx: &mut Transaction<'static, Any>, id: Uuid) -> DbResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM fleet_rollouts WHERE id = $1 FOR UPDATE")
                .bind(id.to_string())
                .fetch_optional(&mut **tx)
                .await?;
        }
        Ok(())
    }

    async fn set_entry(
        tx: &mut Transaction<'static, Any>,
        rollout: Uuid,
        store: Uuid,
        state: RolloutStoreState,
        reason: Option<&str>,
        now: Timestamp,
    ) -> DbResult<()> {
        let (started, finished) = match state {
            RolloutStoreState::Upgrading => (Some(ms(now)), None),
            RolloutStoreState::Pending => (None, None),
            _ => (None, Some(ms(now))),
        };
        sqlx::query(
            "UPDATE fleet_rollout_stores SET state = $1, reason = $2, \
             started_at = COALESCE($3, started_at), finished_at = $4 \
             WHERE rollout_id = $5 AND store_id = $6",
        )
        .bind(state.as_str())
        .bind(reason.map(str::to_owned))
        .bind(started)
        .bind(finished)
        .bind(rollout.to_string())
        .bind(store.to_string())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn advance_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
        now: Timestamp,
    ) -> DbResult<Vec<Store>> {
        self.lock_rollout(tx, id).await?;
        let Some(rollout) = Self::rollout_tx(&mut *tx, id).await? else {
            return Err(DbError::NotFound);
        };
        let rows = sqlx::query(
            "SELECT store_id, state, started_at FROM fleet_rollout_stores \
             WHERE rollout_id = $1 AND state IN ('pending', 'upgrading') ORDER BY position",
        )
        .bind(id.to_string())
        .fetch_all(&mut **tx)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let state: String = row.try_get("state")?;
            entries.push(Entry {
                store_id: uuid(&row.try_get::<String, _>("store_id")?)?,
                state: RolloutStoreState::parse(&state).ok_or_else(|| {
                    DbError::Corrupt(format!("bad rollout store state {state:?}"))
                })?,
                started_at: opt_ts(row.try_get("started_at")?)?,
            });
        }
        // 1. How the stores being upgraded ended.
        let mut failed = rollout.counts.failed;
        let mut upgrading = 0;
        for e in entries
            .iter()
            .filter(|e| e.state == RolloutStoreState::Upgrading)
        {
            let store = self.lock_store(tx, e.store_id).await?;
            let verdict = match &store {
                None => Some((
                    RolloutStoreState::Skipped,
                    "the store no longer exists".to_owned(),
                )),
                Some(s) if s.is_deleted() || s.desired == Desired::Absent => Some((
                    RolloutStoreState::Skipped,
                    "the store was deleted".to_owned(),
                )),
                Some(s) if s.status == StoreStatus::Upgrading => None,
                Some(s) => {
                    let ended_after_start = matches!(
                        (s.release.last_upgrade_at, e.started_at),
                        (Some(end), Some(start)) if end >= start
                    );
                    match (ended_after_start, s.release.last_upgrade_result) {
                        (true, Some(UpgradeResult::Succeeded)) => {
                            Some((RolloutStoreState::Succeeded, "upgraded".to_owned()))
                        }
                        (true, Some(UpgradeResult::RolledBack | UpgradeResult::Failed)) => {
                            Some((RolloutStoreState::Failed, s.status_reason.clone()))
                        }
                        _ => Some((
                            RolloutStoreState::Failed,
                            format!(
                                "the store left its upgrade as {}: {}",
                                s.status, s.status_reason
                            ),
                        )),
                    }
                }
            };
            match verdict {
                Some((state, reason)) => {
                    if state == RolloutStoreState::Failed {
                        failed += 1;
                    }
                    Self::set_entry(tx, id, e.store_id, state, Some(&reason), now).await?;
                }
                None => upgrading += 1,
            }
        }
        let mut state = rollout.state;
        let mut halt_reason = rollout.halt_reason.clone();
        // 2. The failure limit.
        if state == RolloutState::Running && failed >= rollout.max_failures {
            state = RolloutState::Halted;
            halt_reason = Some(format!(
                "{failed} store upgrade{} failed (the limit is {}); the failed stores were rolled back",
                if failed == 1 { "" } else { "s" },
                rollout.max_failures
            ));
        }
        // 3. Start upgrades while fewer than max_unavailable stores are upgrading.
        let mut started = Vec::new();
        if state == RolloutState::Running {
            for e in entries
                .iter()
                .filter(|e| e.state == RolloutStoreState::Pending)
            {
                if upgrading >= rollout.max_unavailable {
                    break;
                }
                let store = self.lock_store(tx, e.store_id).await?;
                let skip = match &store {
                    None => Some("the store no longer exists".to_owned()),
                    Some(s) if s.is_deleted() || s.desired == Desired::Absent => {
                        Some("the store was deleted".to_owned())
                    }
                    Some(s) if s.status != StoreStatus::Ready => {
                        Some(format!("the store was {} when its turn came", s.status))
                    }
                    Some(_) => None,
                };
                if let Some(reason) = skip {
                    Self::set_entry(
                        tx,
                        id,
                        e.store_id,
                        RolloutStoreState::Skipped,
                        Some(&reason),
                        now,
                    )
                    .await?;
                    continue;
                }
                let audit = AuditEntry {
                    at: now,
                    actor_id: rollout.created_by,
                    actor_email: rollout.created_by_email.clone(),
                    action: "store.upgrade".to_owned(),
                    target_type: Some("store".to_owned()),
                    target_id: Some(e.store_id.to_string()),
                    ip: None,
                    details: serde_json::json!({ "rollout": id.to_string() }),
                };
                let store = self
                    .owner_transition_tx(
                        tx,
                        e.store_id,
                        (LifecycleEvent::Upgrade, Some(UpgradeTarget::Latest)),
                        "Upgrading to the latest version (fleet rollout)",
                        &audit,
                        now,
                    )
                    .await?;
                Self::set_entry(tx, id, e.store_id, RolloutStoreState::Upgrading, None, now)
                    .await?;
                upgrading += 1;
                started.push(store);
            }
        }
        // 4. Done when nothing is left to start or to wait for.
        let remaining = sqlx::query(
            "SELECT COUNT(*) AS n FROM fleet_rollout_stores WHERE rollout_id = $1 AND state = 'pending'",
        )
        .bind(id.to_string())
        .fetch_one(&mut **tx)
        .await?
        .try_get::<i64, _>("n")?;
        if state == RolloutState::Running && upgrading == 0 && remaining == 0 {
            state = RolloutState::Completed;
        }
        let finished = match state {
            RolloutState::Running | RolloutState::Paused => None,
            _ => rollout.finished_at.or(Some(now)),
        };
        sqlx::query(
            "UPDATE fleet_rollouts SET state = $1, halt_reason = $2, finished_at = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(state.as_str())
        .bind(halt_reason)
        .bind(finished.map(ms))
        .bind(ms(now))
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
        Ok(started)
    }
}

#[async_trait]
impl Fleet for SqlStorage {
    async fn create_rollout(
        &self,
        rollout: NewRollout,
        stores: Vec<Uuid>,
        audit: AuditEntry,
    ) -> DbResult<Rollout> {
        let mut tx = self.begin_write().await?;
        let result = async {
            sqlx::query(
                "INSERT INTO fleet_rollouts (id, engine, state, max_unavailable, max_failures, halt_reason, \
                 created_by, created_at, updated_at, finished_at) VALUES ($1, $2, 'running', $3, $4, NULL, $5, $6, $6, NULL)",
            )
            .bind(rollout.id.to_string())
            .bind(rollout.engine.as_str())
            .bind(rollout.max_unavailable)
            .bind(rollout.max_failures)
            .bind(rollout.created_by.map(|u| u.to_string()))
            .bind(ms(rollout.now))
            .execute(&mut *tx.tx)
            .await
            .map_err(on_unique)?;
            for (position, store) in stores.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO fleet_rollout_stores (rollout_id, store_id, position, state) VALUES ($1, $2, $3, 'pending')",
                )
                .bind(rollout.id.to_string())
                .bind(store.to_string())
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .execute(&mut *tx.tx)
                .await?;
            }
            Self::insert_audit(&mut tx.tx, &audit).await?;
            Self::rollout_tx(&mut tx.tx, rollout.id)
                .await?
                .ok_or(DbError::NotFound)
        }
        .await;
        Self::finish(tx, result).await
    }

    async fn rollout(&self, id: Uuid) -> DbResult<Option<(Rollout, Vec<RolloutStore>)>> {
        let mut conn = self.pool.acquire().await?;
        let Some(rollout) = Self::rollout_tx(&mut conn, id).await? else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT f.store_id, s.name, f.state, f.reason, f.started_at, f.finished_at \
             FROM fleet_rollout_stores f JOIN stores s ON s.id = f.store_id \
             WHERE f.rollout_id = $1 ORDER BY f.position",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let stores = rows
            .iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                Ok(RolloutStore {
                    store_id: uuid(&row.try_get::<String, _>("store_id")?)?,
                    name: row.try_get("name")?,
                    state: RolloutStoreState::parse(&state).ok_or_else(|| {
                        DbError::Corrupt(format!("bad rollout store state {state:?}"))
                    })?,
                    reason: row.try_get("reason")?,
                    started_at: opt_ts(row.try_get("started_at")?)?,
                    finished_at: opt_ts(row.try_get("finished_at")?)?,
                })
            })
            .collect::<DbResult<Vec<_>>>()?;
        Ok(Some((rollout, stores)))
    }

    async fn list_rollouts(&self, limit: i64) -> DbResult<Vec<Rollout>> {
        let mut conn = self.pool.acquire().await?;
        let sql = format!(
            "SELECT {ROLLOUT_COLUMNS} FROM fleet_rollouts r LEFT JOIN users u ON u.id = r.created_by \
             ORDER BY r.created_at DESC, r.id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = uuid(&row.try_get::<String, _>("id")?)?;
            let counts = Self::counts_tx(&mut conn, id).await?;
            out.push(rollout_from(row, counts)?);
        }
        Ok(out)
    }

    async fn change_rollout(
        &self,
        id: Uuid,
        action: RolloutAction,
        audit: AuditEntry,
        now: Timestamp,
    ) -> DbResult<Rollout> {
        let mut tx = self.begin_write().await?;
        let result = async {
            self.lock_rollout(&mut tx.tx, id).await?;
            let rollout = Self::rollout_tx(&mut tx.tx, id)
                .await?
                .ok_or(DbError::NotFound)?;
            let next = action.apply(rollout.state).ok_or_else(|| {
                DbError::Rollout(format!(
                    "a {} rollout cannot be {}d",
                    rollout.state.as_str(),
                    action.as_str()
                ))
            })?;
            if action == RolloutAction::Cancel {
                sqlx::query(
                    "UPDATE fleet_rollout_stores SET state = 'skipped', reason = 'the rollout was cancelled', \
                     finished_at = $1 WHERE rollout_id = $2 AND state = 'pending'",
                )
                .bind(ms(now))
                .bind(id.to_string())
                .execute(&mut *tx.tx)
                .await?;
            }
            let finished = (next == RolloutState::Cancelled).then(|| ms(now));
            sqlx::query(
                "UPDATE fleet_rollouts SET state = $1, updated_at = $2, finished_at = COALESCE($3, finished_at) WHERE id = $4",
            )
            .bind(next.as_str())
            .bind(ms(now))
            .bind(finished)
            .bind(id.to_string())
            .execute(&mut *tx.tx)
            .await?;
            Self::insert_audit(&mut tx.tx, &audit).await?;
            Self::rollout_tx(&mut tx.tx, id)
                .await?
                .ok_or(DbError::NotFound)
        }
        .await;
        Self::finish(tx, result).await
    }

    async fn rollouts_in_motion(&self) -> DbResult<Vec<Uuid>> {
        let rows = sqlx::query(
            "SELECT id FROM fleet_rollouts r WHERE state = 'running' OR EXISTS \
             (SELECT 1 FROM fleet_rollout_stores f WHERE f.rollout_id = r.id AND f.state = 'upgrading') \
             ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| uuid(&row.try_get::<String, _>("id")?))
            .collect()
    }

    async fn advance_rollout(&self, id: Uuid, now: Timestamp) -> DbResult<Vec<Store>> {
        let mut tx = self.begin_write().await?;
        let result = self.advance_tx(&mut tx.tx, id, now).await;
        Self::finish(tx, result).await
    }
}
