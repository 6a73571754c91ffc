//! Sessions and the write probe, in the SQL both backends share. A session row is what
//! makes a signed token count: signing out or changing the password revokes rows, and
//! every authenticated request looks its row up.

use sqlx::Row as _;

use super::*;

impl SqlStorage {
    /// Record a new session and, with it, the user's last sign-in time.
    pub(super) async fn insert_session(&self, session: &NewSession) -> DbResult<()> {
        let mut tx = self.begin_write().await?;
        let result = async {
            sqlx::query(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at, user_agent, ip) \
                 VALUES ($1, $2, $3, $4, NULL, $5, $6)",
            )
            .bind(session.id.clone())
            .bind(session.user_id.to_string())
            .bind(ms(session.created_at))
            .bind(ms(session.expires_at))
            .bind(session.user_agent.clone())
            .bind(session.ip.clone())
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
                .bind(ms(session.created_at))
                .bind(session.user_id.to_string())
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
        .await;
        Self::finish(tx, result).await
    }

    /// Live sessions of `user`, newest first.
    pub(super) async fn live_sessions(
        &self,
        user: Uuid,
        now: Timestamp,
    ) -> DbResult<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT id, created_at, expires_at, user_agent, ip FROM sessions \
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC, id",
        )
        .bind(user.to_string())
        .bind(ms(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SessionInfo {
                    id: row.try_get("id")?,
                    created_at: ts(row.try_get("created_at")?)?,
                    expires_at: ts(row.try_get("expires_at")?)?,
                    user_agent: row.try_get("user_agent")?,
                    ip: row.try_get("ip")?,
                })
            })
            .collect()
    }

    /// End one live session, only if it is `user`'s.
    pub(super) async fn revoke_one_of(
        &self,
        user: Uuid,
        session: &str,
        now: Timestamp,
    ) -> DbResult<bool> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 \
             AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(ms(now))
        .bind(session)
        .bind(user.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Delete a user with nothing live left: their sessions, idempotency keys, the rows
    /// (and events) of their deleted stores, then the user.
    pub(super) async fn delete_user_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: Uuid,
    ) -> DbResult<()> {
        let user = id.to_string();
        let lock = match self.backend {
            Backend::Sqlite => "",
            // A store create for this user waits on this lock, so none slips in between
            // the count and the delete.
            Backend::Postgres => " FOR UPDATE",
        };
        sqlx::query(&format!("SELECT id FROM users WHERE id = $1{lock}"))
            .bind(user.clone())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(DbError::NotFound)?;
        let live: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM stores WHERE owner_id = $1 AND deleted_at IS NULL",
        )
        .bind(user.clone())
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
        if live > 0 {
            return Err(DbError::UserHasStores(live));
        }
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM idempotency_keys WHERE user_id = $1",
            "DELETE FROM store_events WHERE store_id IN (SELECT id FROM stores WHERE owner_id = $1)",
            // Fleet rollouts keep their own history; the user's stores leave it.
            "DELETE FROM fleet_rollout_stores WHERE store_id IN (SELECT id FROM stores WHERE owner_id = $1)",
            "UPDATE fleet_rollouts SET created_by = NULL WHERE created_by = $1",
            "DELETE FROM stores WHERE owner_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(user.clone())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn live_session_user(
        &self,
        session: &str,
        now: Timestamp,
    ) -> DbResult<Option<User>> {
        let sql = format!(
            "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
             AND u.suspended_at IS NULL",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let row = sqlx::query(&sql)
            .bind(session)
            .bind(ms(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub(super) async fn revoke_one(&self, session: &str, now: Timestamp) -> DbResult<bool> {
        let _turn = self.write_turn().await;
        let done =
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(ms(now))
                .bind(session)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revoke every live session of `user` but `keep`, inside `tx`; expired ones are
    /// over already and not counted.
    pub(super) async fn revoke_all_tx(
        tx: &mut Transaction<'static, Any>,
        user: Uuid,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
             AND expires_at > $1 AND ($3 IS NULL OR id <> $3)",
        )
        .bind(ms(now))
        .bind(user.to_string())
        .bind(keep.map(str::to_owned))
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected())
    }

    pub(super) async fn revoke_all(
        &self,
        user: Uuid,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64> {
        let mut tx = self.begin_write().await?;
        let result = Self::revoke_all_tx(&mut tx, user, keep, now).await;
        Self::finish(tx, result).await
    }

    /// Set a new password hash and end the user's other sessions, in one transaction, so
    /// that no session signed in with the old password outlives the change.
    pub(super) async fn set_password_revoking(
        &self,
        user: Uuid,
        hash: &str,
        keep: Option<&str>,
        now: Timestamp,
    ) -> DbResult<u64> {
        let mut tx = self.begin_write().await?;
        let result = async {
            let done =
                sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(hash)
                    .bind(ms(now))
                    .bind(user.to_string())
                    .execute(&mut **tx)
                    .await?;
            if done.rows_affected() == 0 {
                return Err(DbError::NotFound);
            }
            Self::revoke_all_tx(&mut tx, user, keep, now).await
        }
        .await;
        Self::finish(tx, result).await
    }

    pub(super) async fn purge_old_sessions(&self, before: Timestamp) -> DbResult<u64> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ms(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Rewrite the probe row: fails when the database cannot take writes (a full disk, a
    /// read-only file or mount), which `SELECT 1` does not notice.
    pub(super) async fn write_probe(&self, now: Timestamp) -> DbResult<()> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query("UPDATE write_probe SET at = $1 WHERE id = 1")
            .bind(ms(now))
            .execute(&mut **tx)
            .await
            .map(|_| ())
            .map_err(DbError::from);
        Self::finish(tx, result).await
    }

    /// Live sessions of a user (for tests and the account page).
    pub(super) async fn count_live_sessions(&self, user: Uuid, now: Timestamp) -> DbResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(user.to_string())
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}
