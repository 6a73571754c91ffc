//! PostgreSQL: the production backend, shared by several `storefleet serve` replicas.
//! Row locks (`FOR UPDATE`, `FOR UPDATE SKIP LOCKED`) keep quota checks and work claims
//! race-free across processes (see [`super::sql`]).

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use super::Backend;
use super::sql::SqlStorage;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a request waits for a connection before the database counts as down.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

pub(super) async fn connect(url: &str) -> anyhow::Result<SqlStorage> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .min_connections(1)
        // When the server is down, a request learns it within a few seconds (a 503)
        // instead of hanging; the pool reconnects by itself once it is back.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect(url)
        .await?;
    Ok(SqlStorage {
        url: url.to_owned(),
        pool,
        backend: Backend::Postgres,
        writes: Default::default(),
    })
}
