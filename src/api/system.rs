//! Liveness, readiness, metrics, server info and the OpenAPI document.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use super::views::{EngineInfo, Readiness, ReadyChecks, ServerInfo};
use crate::config::Signup;
use crate::engines;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/info", get(info))
        .route("/openapi.json", get(openapi))
}

/// 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "Alive", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 when the database and the cluster answer; 503 naming what does not.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let (database, cluster) = check_dependencies(&state).await;
    let ready = database == "ok" && cluster.is_ok();
    let body = Readiness {
        ready,
        checks: ReadyChecks {
            database,
            cluster: cluster.describe(),
        },
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Check the database and the cluster at once, recording each outcome as
/// `storefleet_dependency_up` so alerts need not depend on who probes `/readyz`.
async fn check_dependencies(state: &AppState) -> (String, crate::cluster::ClusterState) {
    let (database, cluster) = tokio::join!(database_check(state), state.cluster.check());
    state
        .metrics
        .set_dependency_up("database", database == "ok");
    state.metrics.set_dependency_up("cluster", cluster.is_ok());
    (database, cluster)
}

/// Whether the database answers and takes writes: `ok`, or what is wrong. A read alone
/// passes on a full disk or a read-only file, so the probe also writes one row.
async fn database_check(state: &AppState) -> String {
    let probe = async {
        state.storage.ping().await?;
        state.storage.probe_write(chrono::Utc::now()).await
    };
    match tokio::time::timeout(std::time::Duration::from_secs(3), probe).await {
        Ok(Ok(())) => "ok".to_owned(),
        Ok(Err(e)) => match e.outage() {
            Some(outage) => format!("error: {outage} ({e})"),
            None => format!("error: {e}"),
        },
        Err(_) => "error: no answer within 3 s".to_owned(),
    }
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, description = "Metrics in OpenMetrics text format", body = String,
        content_type = "application/openmetrics-text")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    // A scrape runs the readiness checks too (the cluster answer is cached for a few
    // seconds), so the dependency gauges are fresh whenever Prometheus looks.
    check_dependencies(&state).await;
    if let Ok(stats) = state.storage.queue_stats(chrono::Utc::now()).await {
        state.metrics.set_queue(&stats);
    }
    match state.metrics.encode() {
        Ok(text) => {
            let mut resp = text.into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            resp
        }
        Err(e) => super::error::ApiError::internal(e).into_response(),
    }
}

/// What this server offers: version, whether sign-up is open, engines.
#[utoipa::path(get, path = "/api/v1/info", tag = "system", responses((status = 200, body = ServerInfo)))]
pub async fn info(State(state): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        signup: match state.config.signup {
            Signup::Open => "open",
            Signup::Closed => "closed",
        }
        .to_owned(),
        base_domain: state.config.base_domain.to_string(),
        engines: engines::offered(&state.config)
            .iter()
            .enumerate()
            .map(|(i, e)| EngineInfo {
                id: *e,
                name: e.display_name().to_owned(),
                default: i == 0,
                rotatable_credentials: engines::for_engine(*e)
                    .map(|engine| engine.rotatable())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}

/// This API's OpenAPI 3.1 document.
pub async fn openapi() -> Response {
    let mut resp = super::openapi::document_json().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
