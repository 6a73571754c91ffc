//! The store API: create, list, get, delete, retry, events.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AppState;
use super::account::audit;
use super::error::{ApiError, ApiResult, FieldErrors, Problem};
use super::extract::{AuthUser, ClientIp, StrictJson};
use super::views::{
    ComponentView, CreateStoreBody, CredentialsView, EventList, EventView, HealthView,
    ResourcesView, StoreList, StorePatch, StoreView,
};
use crate::domain::{
    DisplayName, Domain, Engine, Namespace, StoreName, check_claimable, default_domain,
};
use crate::engines;
use crate::storage::{CreateStore, DbError, IdempotencyStart, NewStore, Store};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/stores", post(create_store).get(list_stores))
        .route(
            "/stores/{id}",
            get(get_store).patch(update_store).delete(delete_store),
        )
        .route("/stores/{id}/retry", post(retry_store))
        .route("/stores/{id}/events", get(store_events))
        .route("/stores/{id}/health", get(store_health))
        .route("/stores/{id}/credentials", get(store_credentials))
        .route("/stores/{id}/resources", get(store_resources))
}

/// An audit entry for an action of the signed-in user on one store.
pub(super) fn store_audit(
    auth: &AuthUser,
    action: &str,
    ip: &ClientIp,
    store: Uuid,
    details: serde_json::Value,
) -> crate::storage::AuditEntry {
    let mut entry = audit(Some(&auth.user), action, ip);
    entry.target_type = Some("store".to_owned());
    entry.target_id = Some(store.to_string());
    entry.details = details;
    entry
}

const IDEMPOTENCY_HEADER: &str = "idempotency-key";
const IDEMPOTENCY_MAX_LEN: usize = 255;

/// A create request after validation.
struct Valid {
    name: StoreName,
    engine: Engine,
    domain: Option<Domain>,
    display_name: Option<DisplayName>,
}

/// The platform's own host, from the public URL (`https://sf.example.com` → `sf.example.com`).
fn platform_host(public_url: Option<&str>) -> Option<&str> {
    let authority = public_url?.split_once("://")?.1;
    Some(
        authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    )
}

fn validate(body: &CreateStoreBody, state: &AppState) -> ApiResult<Valid> {
    let mut errors = FieldErrors::new();
    let name = StoreName::parse(&body.name).map_err(|e| errors.insert("name".into(), vec![e.0]));
    let offered = engines::offered(&state.config);
    let engine = match body.engine.as_deref() {
        None => Ok(offered[0]),
        Some(text) => match text.parse::<Engine>() {
            Ok(engine) if offered.contains(&engine) => Ok(engine),
            _ => Err(errors.insert(
                "engine".into(),
                vec![format!(
                    "{text:?} is not offered by this server; choose one of: {}",
                    offered
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )],
            )),
        },
    };
    let domain = match body.domain.as_deref() {
        None => Ok(None),
        Some(text) => Domain::parse(text)
            .and_then(|domain| {
                let platform = platform_host(state.config.public_url.as_deref());
                check_claimable(&domain, &state.config.base_domain, platform).map(|()| domain)
            })
            .map(Some)
            .map_err(|e| errors.insert("domain".into(), vec![e.0])),
    };
    let display_name = body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|e| errors.insert("display_name".into(), vec![e.0]));
    match (name, engine, domain, display_name) {
        (Ok(name), Ok(engine), Ok(domain), Ok(display_name)) => Ok(Valid {
            name,
            engine,
            domain,
            display_name,
        }),
        _ => Err(ApiError::fields(errors)),
    }
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .filter(|t| {
            !t.is_empty()
                && t.len() <= IDEMPOTENCY_MAX_LEN
                && t.bytes().all(|b| (0x21..0x7f).contains(&b))
        })
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                format!("must be 1-{IDEMPOTENCY_MAX_LEN} visible ASCII characters"),
            )
        })?;
    Ok(Some(text.to_owned()))
}

/// The same request, byte for byte in meaning, hashes the same.
fn request_hash(v: &Valid) -> String {
    let canonical = json!({
        "name": v.name.as_str(),
        "engine": v.engine.as_str(),
        "domain": v.domain.as_ref().map(Domain::as_str),
        "display_name": v.display_name.as_ref().map(DisplayName::as_str),
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

pub(super) fn accepted(
    store: &Store,
    limit_headers: Option<&super::error::RateLimitHeaders>,
) -> Response {
    let mut resp = (StatusCode::ACCEPTED, Json(StoreView::from(store))).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/stores/{}", store.id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    if let Some(h) = limit_headers {
        h.apply(resp.headers_mut());
    }
    resp
}

/// Ask for a new store. The answer comes at once; provisioning happens in the background.
#[utoipa::path(post, path = "/api/v1/stores", tag = "stores",
    request_body = CreateStoreBody,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Same key and body within 24 h returns the first response again; 1-255 visible ASCII characters",
        min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, description = "Store accepted (Pending)", body = StoreView,
            headers(("Location" = String, description = "URL of the new store"))),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "`conflict` (name or domain taken) or `idempotency_in_progress`", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, description = "`validation_failed` or `idempotency_mismatch`", body = Problem),
        (status = 429, description = "`quota_exceeded` or `rate_limited` (with Retry-After)", body = Problem),
    ))]
pub async fn create_store(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    headers: HeaderMap,
    StrictJson(body): StrictJson<CreateStoreBody>,
) -> ApiResult<Response> {
    // Order of checks: auth → validation → idempotency → quota → rate limit → uniqueness.
    // api.md checks the rate limit before idempotency and quota; here a replay answers
    // first (it creates nothing), and a user at their quota hears "quota", not "wait".
    // Only a store actually created spends the rate limit (see `limits::CreateWindow`).
    let valid = validate(&body, &state)?;
    let key = idempotency_key(&headers)?;
    if let Some(key) = &key {
        match state
            .storage
            .begin_idempotent(auth.user.id, key, &request_hash(&valid), Utc::now())
            .await?
        {
            IdempotencyStart::Fresh => {}
            IdempotencyStart::Replay(id) => {
                let store = state
                    .storage
                    .get_store(id)
                    .await?
                    .ok_or(DbError::NotFound)?;
                return Ok(accepted(&store, None));
            }
        }
    }
    let result = async {
        let active = state.storage.count_live_stores(auth.user.id).await?;
        if active >= auth.user.store_quota {
            return Err(ApiError::QuotaExceeded {
                quota: auth.user.store_quota,
                active,
            });
        }
        let reservation = state
            .create_limits
            .reserve(&ip.to_string(), &auth.user.id.to_string())?;
        // The insert checks the quota again, atomically with the create.
        let store = insert_store(&state, &auth, &ip, &valid, key.clone()).await?;
        let headers = reservation.headers().clone();
        reservation.keep();
        Ok((store, headers))
    }
    .await;
    match result {
        Ok((store, headers)) => {
            state.notifier.work_requested(&store);
            Ok(accepted(&store, Some(&headers)))
        }
        Err(err) => {
            if let Some(key) = &key {
                state.storage.abandon_idempotent(auth.user.id, key).await?;
            }
            Err(err)
        }
    }
}

async fn insert_store(
    state: &AppState,
    auth: &AuthUser,
    ip: &ClientIp,
    valid: &Valid,
    idempotency_key: Option<String>,
) -> ApiResult<Store> {
    // A namespace name collision is astronomically unlikely; try a fresh one if it happens.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let namespace = Namespace::generate();
        let domain = match &valid.domain {
            Some(d) => d.clone(),
            None => default_domain(&valid.name, &namespace.id()[..5], &state.config.base_domain)
                .map_err(|e| ApiError::field("name", e.0))?,
        };
        // Time-ordered, and in creation order within this process: stores made in the
        // same millisecond still list newest first (created_at is in milliseconds).
        let id = Uuid::now_v7();
        let entry = store_audit(
            auth,
            "store.create",
            ip,
            id,
            json!({
                "name": valid.name.as_str(),
                "engine": valid.engine.as_str(),
                "domain": domain.as_str(),
                "display_name": valid.display_name.as_ref().map(DisplayName::as_str),
            }),
        );
        let request = CreateStore {
            store: NewStore {
                id,
                owner_id: auth.user.id,
                name: valid.name.as_str().to_owned(),
                engine: valid.engine,
                domain: domain.as_str().to_owned(),
                namespace: namespace.as_str().to_owned(),
                status_reason: "Waiting for a provisioning worker".to_owned(),
                steps_total: engines::steps_total(valid.engine),
                display_name: valid.display_name.as_ref().map(|d| d.as_str().to_owned()),
                now: Utc::now(),
            },
            quota: auth.user.store_quota,
            idempotency_key: idempotency_key.clone(),
            audit: entry,
        };
        match state.storage.create_store(request).await {
            Err(DbError::Conflict(crate::storage::Conflict::NamespaceTaken)) if attempt < 3 => {
                continue;
            }
            other => return Ok(other?),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Admins only: list every user's stores.
    #[serde(default)]
    pub all: Option<bool>,
}

/// The caller's live stores, newest first (admins may ask for all).
#[utoipa::path(get, path = "/api/v1/stores", tag = "stores",
    params(ListQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = StoreList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_stores(
    State(state): State<AppState>,
    auth: AuthUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<StoreList>> {
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let owner = if query.all == Some(true) {
        if !auth.is_admin() {
            return Err(ApiError::Forbidden(
                "Only administrators may list all stores.".to_owned(),
            ));
        }
        None
    } else {
        Some(auth.user.id)
    };
    let stores = state.storage.list_stores(owner).await?;
    Ok(Json(StoreList {
        items: stores.iter().map(StoreView::from).collect(),
    }))
}

/// A live store the caller may see: 404 for unknown, malformed or deleted ids, 403 for
/// another user's store.
pub async fn visible_store(state: &AppState, auth: &AuthUser, id: &str) -> ApiResult<Store> {
    let not_found = || ApiError::NotFound("No such store.".to_owned());
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let store = state.storage.get_store(id).await?.ok_or_else(not_found)?;
    if store.is_deleted() {
        return Err(not_found());
    }
    if store.owner_id != auth.user.id && !auth.is_admin() {
        return Err(ApiError::Forbidden(
            "This store belongs to another user.".to_owned(),
        ));
    }
    Ok(store)
}

/// One store.
#[utoipa::path(get, path = "/api/v1/stores/{id}", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_store(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<StoreView>> {
    let store = visible_store(&state, &auth, &id).await?;
    Ok(Json(StoreView::from(&store)))
}

/// Change a store: set its display name, or remove it with `null`. Audited as
/// `store.update` with the display name before and after.
#[utoipa::path(patch, path = "/api/v1/stores/{id}", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    request_body = StorePatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, description = "`validation_failed`", body = Problem)))]
pub async fn update_store(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<StorePatch>,
) -> ApiResult<Json<StoreView>> {
    let store = visible_store(&state, &auth, &id).await?;
    let display_name = body
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(|e| ApiError::field("display_name", e.0))?
        .map(|d| d.as_str().to_owned());
    let entry = store_audit(
        &auth,
        "store.update",
        &ip,
        store.id,
        json!({
            "name": store.name,
            "display_name_before": store.display_name,
            "display_name_after": display_name,
        }),
    );
    let store = state
        .storage
        .set_display_name(store.id, display_name, entry, Utc::now())
        .await?;
    state.notifier.store_changed(&store);
    Ok(Json(StoreView::from(&store)))
}

/// Delete a store and everything it has. Repeatable until the store is gone.
#[utoipa::path(delete, path = "/api/v1/stores/{id}", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Deleting", body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_store(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    let entry = store_audit(
        &auth,
        "store.delete",
        &ip,
        store.id,
        json!({ "name": store.name, "status_before": store.status.as_str() }),
    );
    let store = state
        .storage
        .request_delete(store.id, entry, Utc::now())
        .await?;
    state.notifier.work_requested(&store);
    Ok(accepted(&store, None))
}

/// Try a failed store again, keeping its data.
#[utoipa::path(post, path = "/api/v1/stores/{id}/retry", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Back to Provisioning", body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The store is not Failed", body = Problem)))]
pub async fn retry_store(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    let entry = store_audit(
        &auth,
        "store.retry",
        &ip,
        store.id,
        json!({ "name": store.name, "reason_before": store.status_reason }),
    );
    let store = state
        .storage
        .request_retry(store.id, entry, Utc::now())
        .await?;
    state.notifier.work_requested(&store);
    Ok(accepted(&store, None))
}

/// What happened to a store, oldest first.
#[utoipa::path(get, path = "/api/v1/stores/{id}/events", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = EventList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn store_events(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<EventList>> {
    let store = visible_store(&state, &auth, &id).await?;
    let events = state.storage.store_events(store.id).await?;
    Ok(Json(EventList {
        items: events.iter().map(EventView::from).collect(),
    }))
}

/// The store's components as the cluster sees them now.
#[utoipa::path(get, path = "/api/v1/stores/{id}/health", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = HealthView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn store_health(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<HealthView>> {
    let store = visible_store(&state, &auth, &id).await?;
    let components = state.provisioner.health(&store).await;
    Ok(Json(HealthView {
        healthy: !components.is_empty() && components.iter().all(|c| c.ready),
        checked_at: Utc::now(),
        components: components
            .into_iter()
            .map(|c| ComponentView {
                name: c.name,
                ready: c.ready,
                message: c.message,
            })
            .collect(),
    }))
}

/// How long a store page waits for the cluster before answering 503.
const CLUSTER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The store's namespace as the cluster sees it now: per component the pods' CPU and
/// memory requests and limits, the namespace's ResourceQuota, live usage where the
/// cluster serves the metrics API, the software versions the store runs and its recent
/// Kubernetes events in words.
#[utoipa::path(get, path = "/api/v1/stores/{id}/resources", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = ResourcesView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 503, description = "The cluster did not answer", body = Problem)))]
pub async fn store_resources(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    // A cluster that does not answer is named at once (the probe's answer is cached).
    let cluster = state.cluster.check().await;
    if !cluster.is_ok() {
        return Err(ApiError::DependencyDown {
            dependency: "cluster",
            detail: format!(
                "Cannot read the store's resources: the Kubernetes cluster is {}",
                cluster.describe()
            ),
        });
    }
    let insight = tokio::time::timeout(CLUSTER_WAIT, state.provisioner.insight(&store))
        .await
        .map_err(|_| ApiError::DependencyDown {
            dependency: "cluster",
            detail: format!(
                "The Kubernetes cluster did not answer within {} s.",
                CLUSTER_WAIT.as_secs()
            ),
        })?
        .map_err(|e| ApiError::DependencyDown {
            dependency: "cluster",
            detail: format!("Cannot read the store's resources from the Kubernetes cluster: {e}"),
        })?;
    let mut resp = Json(ResourcesView::from(insight)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The store administrator's login, read from the store's Secret on demand (Ready
/// stores only). Every read is audited.
#[utoipa::path(get, path = "/api/v1/stores/{id}/credentials", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = CredentialsView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`not_ready`: the store is not Ready", body = Problem),
        (status = 503, description = "The cluster did not answer", body = Problem)))]
pub async fn store_credentials(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    if store.status != crate::domain::StoreStatus::Ready {
        return Err(ApiError::NotReady(format!(
            "The store is {}; its credentials can be read once it is Ready.",
            store.status
        )));
    }
    let owner_email = state
        .storage
        .owner_email(store.owner_id)
        .await?
        .unwrap_or_default();
    let (username, password) = state
        .provisioner
        .admin_credentials(&store, &owner_email)
        .await
        .map_err(|e| ApiError::DependencyDown {
            dependency: "cluster",
            detail: format!("Cannot read the store's credentials from the cluster: {e}"),
        })?;
    let entry = store_audit(
        &auth,
        "store.credentials_read",
        &ip,
        store.id,
        json!({ "name": store.name, "username": username }),
    );
    state.storage.record_audit(entry).await?;
    let body = CredentialsView {
        admin_url: store.admin_url.clone().unwrap_or_default(),
        username,
        password,
    };
    let mut resp = Json(body).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
