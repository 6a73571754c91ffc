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
            // A new password ends every session signed in with the old one.
            let ended = storage.change_password(user.id, &hash, None, now).await?;
            writeln!(
                out,
                "password of {} changed; {ended} session(s) signed out",
                user.email
            )?;
        }
        if admin && user.role != Role::Admin {
            storage
                .update_user(
                    user.id,
                    UserUpdate {
                        role: Some(Role::Admin),
                        store_quota: None,
                        suspended: None,
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

/// One line of `storefleet doctor`.
struct Check {
    name: &'static str,
    result: Result<String, String>,
}

/// `storefleet doctor`: check everything serving and provisioning need, and say what to
/// do about anything missing. Fails (exit 1) when any check fails.
pub async fn doctor(config: &Config) -> anyhow::Result<()> {
    use crate::helm::{Helm as _, HelmCli};
    let mut checks = Vec::new();

    let db = crate::config::redact_url_password(config.database_url.expose());
    checks.push(Check {
        name: "database",
        result: match storage::connect(config.database_url.expose()).await {
            Ok(s) => s
                .ping()
                .await
                .map(|()| format!("{db} answers and is migrated"))
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("{e:#}; check STOREFLEET_DATABASE_URL")),
        },
    });

    let cluster = match crate::cluster::load_config(
        config.kubeconfig.as_deref(),
        config.kube_context.as_deref(),
    )
    .await
    {
        Err(e) => Err(format!(
            "no cluster configured ({e}); run `testenv/cluster up` or set KUBECONFIG"
        )),
        Ok(kc) => {
            let server = kc.cluster_url.to_string();
            use crate::cluster::StoreCluster as _;
            match crate::cluster::Cluster::connect(kc, config.kube_qps, config.kube_burst).await {
                Err(e) => Err(e.message),
                Ok(c) => match tokio::time::timeout(std::time::Duration::from_secs(5), c.version())
                    .await
                {
                    Ok(Ok(v)) => Ok((c, format!("{server} answers (Kubernetes {v})"))),
                    Ok(Err(e)) => Err(format!(
                        "no answer from {server}: {e}; run `testenv/cluster up` or check KUBECONFIG"
                    )),
                    Err(_) => Err(format!(
                        "no answer from {server} within 5 s; run `testenv/cluster up` or check KUBECONFIG"
                    )),
                },
            }
        }
    };
    let cluster = match cluster {
        Ok((c, message)) => {
            checks.push(Check {
                name: "cluster",
                result: Ok(message),
            });
            Some(c)
        }
        Err(message) => {
            checks.push(Check {
                name: "cluster",
                result: Err(message),
            });
            None
        }
    };

    let helm = HelmCli::new(
        config.helm.clone(),
        config.kubeconfig.clone(),
        config.kube_context.clone(),
        config.data_dir.join("tmp"),
        1,
    );
    checks.push(Check {
        name: "helm",
        result: helm.version().await.map(|v| format!("{} {v}", config.helm.display())).map_err(|e| {
            format!("{e}; install helm or set STOREFLEET_HELM (testenv/cluster env puts one on PATH)")
        }),
    });

    let built_in = config.chart_dir.as_os_str().is_empty();
    if built_in {
        checks.push(Check {
            name: "chart",
            result: if crate::charts::embedded() {
                Ok(format!(
                    "store charts built in (digest {})",
                    &crate::charts::digest()[..16]
                ))
            } else {
                Err("this binary has no store charts built in; set STOREFLEET_CHART_DIR".to_owned())
            },
        });
    }
    for engine in crate::engines::offered(config) {
        if built_in {
            break;
        }
        if let Some(e) = crate::engines::for_engine(*engine) {
            let chart = e.chart(&config.chart_dir);
            checks.push(Check {
                name: "chart",
                result: if chart.join("Chart.yaml").is_file() {
                    Ok(format!(
                        "{} chart at {}",
                        engine.display_name(),
                        chart.display()
                    ))
                } else {
                    Err(format!(
                        "no chart at {}; set STOREFLEET_CHART_DIR to the repository's charts/",
                        chart.display()
                    ))
                },
            });
        }
    }

    if let Some(c) = &cluster {
        checks.push(Check {
            name: "storage class",
            result: match c.default_storage_class().await {
                Ok(Some(name)) => Ok(format!("default StorageClass {name}")),
                Ok(None) => Err("no default StorageClass: store databases could not get volumes; mark one default or set the chart's storageClass values".to_owned()),
                Err(e) => Err(e.message),
            },
        });
        checks.push(Check {
            name: "ingress class",
            result: match c.ingress_classes().await {
                Ok(names) if !names.is_empty() => Ok(format!("IngressClass {}", names.join(", "))),
                Ok(_) => Err("no IngressClass: stores would get no URL; install an ingress controller (ingress-nginx, Traefik)".to_owned()),
                Err(e) => Err(e.message),
            },
        });
    }

    let mut out = std::io::stdout();
    let mut failed = 0;
    for check in &checks {
        match &check.result {
            Ok(message) => writeln!(out, "ok    {:<14} {message}", check.name)?,
            Err(message) => {
                failed += 1;
                writeln!(out, "FAIL  {:<14} {message}", check.name)?;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

/// What `storefleet fleet …` does.
#[derive(Debug, Clone)]
pub enum FleetCommand {
    Upgrade {
        engine: String,
        max_unavailable: i64,
        max_failures: i64,
    },
    List,
    Status(String),
    Change(String, storage::RolloutAction),
}

/// `storefleet fleet …`: fleet upgrades straight in the database; the running server's
/// driver does the work (and picks up a pause, resume or cancel at its next tick).
pub async fn fleet(mut config: Config, command: FleetCommand) -> anyhow::Result<()> {
    use crate::storage::AuditEntry;
    let mut out = std::io::stdout();
    let storage = storage::connect(config.database_url.expose()).await?;
    let audit = |action: &str, target: Option<String>, details: serde_json::Value| AuditEntry {
        at: Utc::now(),
        actor_id: None,
        actor_email: Some("storefleet CLI".to_owned()),
        action: action.to_owned(),
        target_type: Some("rollout".to_owned()),
        target_id: target,
        ip: None,
        details,
    };
    let parse_id =
        |id: &str| Uuid::parse_str(id).with_context(|| format!("{id:?} is not a fleet upgrade id"));
    match command {
        FleetCommand::Upgrade {
            engine,
            max_unavailable,
            max_failures,
        } => {
            let engine: crate::domain::Engine = engine
                .parse()
                .map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
            anyhow::ensure!(
                crate::engines::offered_engine(&config, engine).is_some(),
                "--engine: {} is not offered by this configuration (STOREFLEET_ENGINES)",
                engine.as_str()
            );
            anyhow::ensure!(
                (1..=crate::api::FLEET_MAX_UNAVAILABLE).contains(&max_unavailable),
                "--max-unavailable must be from 1 to {}",
                crate::api::FLEET_MAX_UNAVAILABLE
            );
            anyhow::ensure!(
                (1..=crate::api::FLEET_MAX_FAILURES).contains(&max_failures),
                "--max-failures must be from 1 to {}",
                crate::api::FLEET_MAX_FAILURES
            );
            crate::charts::resolve(&mut config)?;
            let config = std::sync::Arc::new(config);
            let helm = crate::helm::HelmCli::new(
                config.helm.clone(),
                None,
                None,
                config.data_dir.join("tmp"),
                1,
            );
            let provisioner = crate::provision::Provisioner::new(
                config.clone(),
                storage.clone(),
                std::sync::Arc::new(crate::notify::Notifier::new(None)),
                std::sync::Arc::new(crate::metrics::Metrics::new()),
                std::sync::Arc::new(helm),
            );
            let stores =
                crate::fleet::stores_behind(storage.as_ref(), &provisioner, engine).await?;
            anyhow::ensure!(
                !stores.is_empty(),
                "nothing to upgrade: every Ready {} store runs the current chart and values",
                engine.as_str()
            );
            let id = Uuid::new_v4();
            let rollout = storage
                .create_rollout(
                    storage::NewRollout {
                        id,
                        engine,
                        max_unavailable,
                        max_failures,
                        created_by: None,
                        now: Utc::now(),
                    },
                    stores.iter().map(|s| s.id).collect(),
                    audit(
                        "fleet.upgrade_start",
                        Some(id.to_string()),
                        serde_json::json!({ "engine": engine.as_str(), "stores": stores.len(),
                            "max_unavailable": max_unavailable, "max_failures": max_failures }),
                    ),
                )
                .await
                .map_err(|e| match e {
                    DbError::Conflict(_) => anyhow::anyhow!(
                        "a fleet upgrade for {} is running or paused already (storefleet fleet list)",
                        engine.as_str()
                    ),
                    other => other.into(),
                })?;
            writeln!(
                out,
                "started fleet upgrade {} of {} {} stores ({} at a time, halting after {} failures); \
                 the running server carries it out",
                rollout.id,
                stores.len(),
                engine.as_str(),
                max_unavailable,
                max_failures
            )?;
        }
        FleetCommand::List => {
            for r in storage.list_rollouts(100).await? {
                writeln!(out, "{}", rollout_line(&r))?;
            }
        }
        FleetCommand::Status(id) => {
            let (r, stores) = storage
                .rollout(parse_id(&id)?)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no fleet upgrade {id}"))?;
            writeln!(out, "{}", rollout_line(&r))?;
            if let Some(why) = &r.halt_reason {
                writeln!(out, "halted: {why}")?;
            }
            for s in stores {
                writeln!(
                    out,
                    "  {:<10} {:<24} {}",
                    s.state.as_str(),
                    s.name,
                    s.reason.unwrap_or_default()
                )?;
            }
        }
        FleetCommand::Change(id, action) => {
            let id = parse_id(&id)?;
            let r = storage
                .change_rollout(
                    id,
                    action,
                    audit(
                        &format!("fleet.upgrade_{}", action.as_str()),
                        Some(id.to_string()),
                        serde_json::json!({}),
                    ),
                    Utc::now(),
                )
                .await
                .map_err(|e| match e {
                    DbError::NotFound => anyhow::anyhow!("no fleet upgrade {id}"),
                    DbError::Rollout(why) => anyhow::anyhow!("{why}"),
                    other => other.into(),
                })?;
            writeln!(out, "{}", rollout_line(&r))?;
        }
    }
    Ok(())
}

fn rollout_line(r: &storage::Rollout) -> String {
    let c = &r.counts;
    format!(
        "{} {} {:<9} {}/{} upgraded, {} failed, {} upgrading, {} pending, {} skipped (started {})",
        r.id,
        r.engine.as_str(),
        r.state.as_str(),
        c.succeeded,
        c.total,
        c.failed,
        c.upgrading,
        c.pending,
        c.skipped,
        r.created_at.format("%Y-%m-%d %H:%M:%S UTC")
    )
}
