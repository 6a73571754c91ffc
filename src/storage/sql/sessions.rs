//! Sessions and the write probe, in the SQL both backends share. A session row is what
//! makes a signed token count: signing out or changing the password revokes rows, and
//! every authenticated request looks its row up.

use sqlx::Row as _;

use super::*;

impl SqlStorage {
    pub(super) async fn insert_session(&self, session: &NewSession) -> DbResult<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(session.id.clone())
        .bind(session.user_id.to_string())
        .bind(ms(session.created_at))
        .bind(ms(session.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn live_session_user(
        &self,
        session: &str,
        now: Timestamp,
    ) -> DbResult<Option<User>> {
        let sql = format!(
            "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
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
    async fn revoke_all_tx(
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
