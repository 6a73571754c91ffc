//! What the `storefleet` subcommands do; `main.rs` only parses arguments and sets up
//! logging.

use std::io::{BufRead as _, Write as _};

use anyhow::Context as _;
use chrono::Utc;
use uuid::Uuid;

use crate::app::{App, shutdown_signal};
use crate::auth;
use crate::config::{Config, LogFormat};
use crate::domain::{Email, Password, Role};
use crate::storage::{self, DbError, NewUser, UserUpdate};

/// Set up logging: `RUST_LOG` filters (default `info`), text or JSON lines on stderr.
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// `storefleet serve`
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    let cluster = app.state.cluster.check().await;
    if cluster.is_ok() {
        tracing::info!(cluster = cluster.describe(), "cluster reachable");
    } else {
        tracing::warn!(
            cluster = cluster.describe(),
            "serving without a cluster: stores will wait in Pending"
        );
    }
    app.run(shutdown_signal()).await
}

/// `storefleet migrate`
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let storage = storage::connect(config.database_url.expose()).await?;
    let mut out = std::io::stdout();
    writeln!(out, "database migrated ({})", storage.backend().as_str())?;
    Ok(())
}

/// `storefleet user create --email E [--admin] [--password-stdin]`: create a user, or
/// promote (and with `--password-stdin`, re-password) an existing one.
pub async fn user_create(
    config: &Config,
    email: &str,
    admin: bool,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let line = line.trim_end_matches(['\n', '\r']);
        let password = Password::parse(line).map_err(|e| anyhow::anyhow!("password: {e}"))?;
        (Some(password), false)
    } else {
        (None, true)
    };
    let storage = storage::connect(config.database_url.expose()).await?;
    let now = Utc::now();
    let mut out = std::io::stdout();

    if let Some((user, _)) = storage.user_credentials(&email.key()).await? {
        if !admin && password.is_none() {
            anyhow::bail!(
                "{} already exists; pass --admin to promote it or --password-stdin to set a new password",
                user.email
            );
        }
        if let Some(password) = &password {
            let hash = auth::hash_password(password.expose())?;
            storage.set_password_hash(user.id, &hash, now).await?;
            writeln!(out, "password of {} changed", user.email)?;
        }
        if admin && user.role != Role::Admin {
            storage
                .update_user(
                    user.id,
                    UserUpdate {
                        role: Some(Role::Admin),
                        store_quota: None,
                    },
                    now,
                )
                .await?;
            writeln!(out, "{} is now an admin", user.email)?;
        }
        return Ok(());
    }

    let password = match password {
        Some(p) => p,
        None => {
            Password::parse(&crate::domain::random_id(24)).map_err(|e| anyhow::anyhow!("{e}"))?
        }
    };
    let hash = auth::hash_password(password.expose())?;
    let role = if admin { Role::Admin } else { Role::User };
    let result = storage
        .create_user(NewUser {
            id: Uuid::new_v4(),
            email: email.as_str().to_owned(),
            email_key: email.key(),
            password_hash: hash,
            role,
            store_quota: i64::from(config.default_store_quota),
            now,
        })
        .await;
    match result {
        Ok(user) => {
            writeln!(
                out,
                "created {} {} ({})",
                role.as_str(),
                user.email,
                user.id
            )?;
            if generated {
                // Shown once, to the operator who ran the command; never logged.
                writeln!(out, "generated password: {}", password.expose())?;
            }
            Ok(())
        }
        Err(DbError::Conflict(_)) => {
            anyhow::bail!("{} was created by someone else just now", email)
        }
        Err(e) => Err(e.into()),
    }
}

/// `storefleet config`
pub fn print_config(config: &Config) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    out.write_all(config.render().as_bytes())?;
    Ok(())
}

/// `storefleet openapi`
pub fn print_openapi() -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    out.write_all(crate::api::openapi::document_json().as_bytes())?;
    Ok(())
}
