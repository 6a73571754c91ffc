//! SQLite: the default backend. One file in the data directory, WAL journal so readers
//! never block the writer, a busy timeout so concurrent writers wait their turn, and
//! `BEGIN IMMEDIATE` write transactions (see [`super::sql`]).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection as _, Executor};

use super::Backend;
use super::sql::SqlStorage;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a writer waits for another to finish before SQLite gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) async fn connect(url: &str) -> anyhow::Result<SqlStorage> {
    sqlx::any::install_default_drivers();
    // Parse with SQLite's own rules to find the file, and create its directory.
    let options = SqliteConnectOptions::from_str(url)?;
    let file = options.get_filename();
    if file != Path::new(":memory:") {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            super::files::check_writable_dir(dir)?;
        }
        super::files::secure_sqlite_files(file)?;
    }
    let url = if url.contains('?') {
        url.to_owned()
    } else {
        format!("{url}?mode=rwc")
    };
    let busy_ms = BUSY_TIMEOUT.as_millis();
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    format!(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms};"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .after_release(|conn, _meta| {
            Box::pin(async move {
                // A COMMIT that failed (a full disk) leaves sqlx counting a transaction
                // that SQLite already rolled back, and every later BEGIN on this
                // connection fails. Let the queued rollback run, then drop a connection
                // that still thinks it is in a transaction instead of pooling it.
                conn.ping().await?;
                Ok(!conn.is_in_transaction())
            })
        })
        .connect(&url)
        .await?;
    Ok(SqlStorage {
        url: url.to_owned(),
        pool,
        backend: Backend::Sqlite,
        writes: Default::default(),
    })
}
