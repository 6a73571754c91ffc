//! The HTTP API (`api.md`): routers per resource, the middleware every request passes
//! through (request ids, tracing, metrics, problem+json), and the shared state.

mod account;
mod admin;
pub mod error;
mod fleet;
pub use fleet::{MAX_FAILURES as FLEET_MAX_FAILURES, MAX_UNAVAILABLE as FLEET_MAX_UNAVAILABLE};
mod extract;
pub mod limits;
pub mod openapi;
mod store_admin;
mod stores;
mod stream;
mod system;
mod upgrades;
pub mod views;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::auth::TokenKeys;
use crate::cluster::ClusterProbe;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::storage::Storage;
use error::{ApiError, PROBLEM_JSON, problem_for_status};
use limits::{CreateLimits, LoginThrottle, SignupLimit};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Browsers remember for a year to reach the dashboard over https only. Not for
/// subdomains: stores may live under the platform's name on plain http.
const HSTS: &str = "max-age=31536000";

/// Everything a handler may need; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub storage: Arc<dyn Storage>,
    pub tokens: Arc<TokenKeys>,
    pub create_limits: Arc<CreateLimits>,
    pub login_throttle: Arc<LoginThrottle>,
    pub signup_limit: Arc<SignupLimit>,
    pub notifier: Arc<Notifier>,
    pub metrics: Arc<Metrics>,
    pub cluster: Arc<ClusterProbe>,
    pub provisioner: Arc<crate::provision::Provisioner>,
    /// Cancelled when the server shuts down, so long-lived streams end.
    pub shutdown: CancellationToken,
}

/// The whole HTTP application: API, system endpoints and the dashboard.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(account::routes())
        .merge(stores::routes())
        .merge(upgrades::routes())
        .merge(fleet::routes())
        .merge(store_admin::routes())
        .merge(admin::routes())
        .merge(stream::routes())
        .merge(system::api_routes())
        .fallback(api_not_found);

    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let hsts = state.config.hsts().then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        )
    });
    Router::new()
        .nest("/api/v1", api)
        .merge(system::routes())
        .fallback(crate::web::serve)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(tower::util::option_layer(hsts))
        .layer(middleware::from_fn(problem_details))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_request(())
                .on_response(
                    |resp: &Response, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(status = resp.status().as_u16(), latency_ms = latency.as_millis() as u64, "response");
                    },
                ),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound("No such API endpoint; see /api/v1/openapi.json.".to_owned())
}

/// Make every error a problem+json document carrying the request id.
async fn problem_details(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // Handlers' own bodies (HTML pages, JSON documents such as /readyz) stay as they are;
    // only bare framework answers are replaced.
    let framework = content_type.is_empty() || content_type.starts_with("text/plain");
    if !framework && !content_type.starts_with(PROBLEM_JSON) {
        return resp;
    }
    let (mut parts, body) = if !framework {
        resp.into_parts()
    } else {
        // A framework answer (405, 413, ...): keep its headers (Allow), replace the body.
        let (old_parts, _) = resp.into_parts();
        let (mut parts, body) = problem_for_status(status).into_parts();
        for name in [header::ALLOW, header::RETRY_AFTER] {
            if let Some(v) = old_parts.headers.get(&name) {
                parts.headers.insert(name, v.clone());
            }
        }
        (parts, body)
    };
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if let (Some(obj), Some(id)) = (value.as_object_mut(), request_id) {
        obj.insert("request_id".to_owned(), serde_json::Value::String(id));
    }
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    Response::from_parts(parts, Body::from(bytes))
}

async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = crate::metrics::method_label(req.method());
    let started = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics
        .observe_http(method, &route, resp.status().as_u16(), started.elapsed());
    resp
}
