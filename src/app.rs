//! Builds the application from configuration and runs it: the HTTP server and the
//! background tasks side by side. Tests start it on port 0 with their own database.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::limits::{CreateLimits, LoginThrottle, SignupLimit};
use crate::api::{self, AppState};
use crate::auth::TokenKeys;
use crate::cluster::ClusterProbe;
use crate::config::Config;
use crate::helm::HelmCli;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::provision::Provisioner;
use crate::{server, storage};

/// Sign-in failures allowed per email and per client IP within the window.
const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
const LOGIN_FAILURES_PER_EMAIL: u32 = 5;
const LOGIN_FAILURES_PER_IP: u32 = 30;

#[derive(Debug)]
pub struct App {
    pub state: AppState,
    listener: TcpListener,
}

impl App {
    /// Open (and migrate) the database, load the signing key and bind the listener.
    pub async fn build(mut config: Config) -> anyhow::Result<App> {
        // Fail at start, naming the path, rather than answering every write with an error.
        storage::check_writable_dir(&config.data_dir)?;
        crate::charts::resolve(&mut config)?;
        let storage = storage::connect(config.database_url.expose()).await?;
        let tokens = TokenKeys::from_config(&config)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let config = Arc::new(config);
        let notifier = Arc::new(Notifier::new(Some(storage.clone())));
        let metrics = Arc::new(Metrics::new());
        let observer_metrics = metrics.clone();
        let helm = HelmCli::new(
            config.helm.clone(),
            config.kubeconfig.clone(),
            config.kube_context.clone(),
            config.data_dir.join("tmp"),
            config.helm_concurrency as usize,
        )
        .with_observer(Arc::new(move |command: &str, ok: bool, took: Duration| {
            observer_metrics.observe_helm(command, ok, took);
        }));
        let provisioner = Arc::new(Provisioner::new(
            config.clone(),
            storage.clone(),
            notifier.clone(),
            metrics.clone(),
            Arc::new(helm),
        ));
        let state = AppState {
            create_limits: Arc::new(CreateLimits::new(
                config.create_rate_per_minute,
                config.user_create_rate_per_minute,
            )),
            signup_limit: Arc::new(SignupLimit::new(config.signup_rate_per_minute)),
            login_throttle: Arc::new(LoginThrottle::new(
                LOGIN_WINDOW,
                LOGIN_FAILURES_PER_EMAIL,
                LOGIN_FAILURES_PER_IP,
            )),
            cluster: Arc::new(ClusterProbe::new(
                config.kubeconfig.clone(),
                config.kube_context.clone(),
            )),
            config,
            storage,
            tokens: Arc::new(tokens),
            notifier,
            metrics,
            provisioner,
            shutdown: CancellationToken::new(),
        };
        Ok(App { state, listener })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serve until `shutdown` completes, then drain requests and stop. If a task dies,
    /// the whole process stops with that task named.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let App { state, listener } = self;
        let token = state.shutdown.clone();
        let addr = listener.local_addr()?;
        tracing::info!(%addr, backend = state.storage.backend().as_str(), "serving Storefleet");

        let mut tasks: JoinSet<(&'static str, anyhow::Result<()>)> = JoinSet::new();
        let app = api::router(state.clone());
        let limits = server::Limits::from_config(&state.config);
        let http = server::serve(listener, app, limits, state.metrics.clone(), token.clone());
        tasks.spawn(async move { ("http server", http.await.context("HTTP server failed")) });
        tasks.spawn(housekeeping(state.clone(), token.clone()));
        tasks.spawn(replica_news(state.clone(), token.clone()));
        let provisioner = state.provisioner.clone();
        let workers_token = token.clone();
        tasks.spawn(async move { ("provisioning workers", provisioner.run(workers_token).await) });
        if state.config.workers > 0 {
            let (storage, notifier) = (state.storage.clone(), state.notifier.clone());
            let fleet_token = token.clone();
            tasks.spawn(async move {
                (
                    "fleet rollouts",
                    crate::fleet::run(storage, notifier, fleet_token).await,
                )
            });
        }

        let stop = token.clone();
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutting down");
            stop.cancel();
        });

        let mut outcome = Ok(());
        while let Some(joined) = tasks.join_next().await {
            let (name, result) =
                joined.unwrap_or_else(|e| ("a task", Err(anyhow::anyhow!("panicked: {e}"))));
            if !token.is_cancelled() {
                // Something stopped on its own: take the process down with it.
                tracing::error!(task = name, "task exited unexpectedly; stopping");
                token.cancel();
                outcome = Err(result
                    .err()
                    .unwrap_or_else(|| anyhow::anyhow!("{name} exited")))
                .with_context(|| format!("{name} stopped"));
            } else if let Err(e) = result {
                outcome = Err(e).with_context(|| format!("{name} failed while stopping"));
            }
        }
        outcome
    }
}

/// Periodic chores: forget day-old idempotency keys, expired sessions and idle
/// rate-limit buckets.
async fn housekeeping(
    state: AppState,
    token: CancellationToken,
) -> (&'static str, anyhow::Result<()>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tokio::select! {
            () = token.cancelled() => return ("housekeeping", Ok(())),
            _ = tick.tick() => {
                let day_ago = chrono::Utc::now() - chrono::Duration::hours(24);
                match state.storage.purge_idempotency(day_ago).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "purged old idempotency keys"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot purge idempotency keys"),
                }
                match state.storage.purge_sessions(chrono::Utc::now()).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "purged expired sessions"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot purge expired sessions"),
                }
                state.create_limits.shrink();
                state.signup_limit.shrink();
            }
        }
    }
}

/// Hear of store changes other replicas announce (PostgreSQL): wake the workers and pass
/// the change on to this process's event streams. A lost connection (the database
/// restarting, a network cut) is reconnected with backoff while the server stays up;
/// changes announced meanwhile are made up for by the workers' polling.
async fn replica_news(
    state: AppState,
    token: CancellationToken,
) -> (&'static str, anyhow::Result<()>) {
    const NAME: &str = "replica news";
    let mut backoff = LISTEN_RETRY_MIN;
    loop {
        let mut stream = tokio::select! {
            () = token.cancelled() => return (NAME, Ok(())),
            listened = state.storage.listen() => match listened {
                Ok(Some(stream)) => stream,
                // One process owns a SQLite database: there is no other replica to hear from.
                Ok(None) => {
                    token.cancelled().await;
                    return (NAME, Ok(()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_secs = backoff.as_secs(), "cannot LISTEN for store changes");
                    if wait_or_stop(&token, backoff).await {
                        return (NAME, Ok(()));
                    }
                    backoff = (backoff * 2).min(LISTEN_RETRY_MAX);
                    continue;
                }
            },
        };
        if backoff > LISTEN_RETRY_MIN {
            tracing::info!("listening for store changes again");
            // Whatever was announced while we were away: workers look for due work.
            state.notifier.wake_workers();
        }
        backoff = LISTEN_RETRY_MIN;
        if pass_news_on(&state, &token, &mut stream).await {
            return (NAME, Ok(()));
        }
        tracing::warn!("the store-change listener lost its connection; reconnecting");
        if wait_or_stop(&token, backoff).await {
            return (NAME, Ok(()));
        }
        backoff = LISTEN_RETRY_MIN * 2;
    }
}

const LISTEN_RETRY_MIN: Duration = Duration::from_secs(1);
const LISTEN_RETRY_MAX: Duration = Duration::from_secs(30);

/// Forward announced store changes until the stream ends (`false`) or the server stops
/// (`true`).
async fn pass_news_on(
    state: &AppState,
    token: &CancellationToken,
    stream: &mut futures::stream::BoxStream<'static, uuid::Uuid>,
) -> bool {
    use futures::StreamExt as _;
    loop {
        tokio::select! {
            () = token.cancelled() => return true,
            next = stream.next() => {
                let Some(id) = next else { return false };
                state.notifier.wake_workers();
                if let Ok(Some(store)) = state.storage.get_store(id).await {
                    state.notifier.changed_here(&store);
                }
            }
        }
    }
}

/// Sleep for `pause`; `true` when the server stops meanwhile.
async fn wait_or_stop(token: &CancellationToken, pause: Duration) -> bool {
    tokio::select! {
        () = token.cancelled() => true,
        () = tokio::time::sleep(pause) => false,
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
