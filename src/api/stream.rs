//! `GET /events/stream`: server-sent events for every change to the caller's stores.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::stream::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::{BroadcastStream, ReceiverStream};

use super::AppState;
use super::error::{ApiError, ApiResult, Problem};
use super::extract::AuthUser;
use super::views::StoreView;
use crate::domain::Role;
use crate::notify::AccessChange;

pub fn routes() -> Router<AppState> {
    Router::new().route("/events/stream", get(stream))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Admins only: changes to every user's stores.
    #[serde(default)]
    pub all: Option<bool>,
}

/// Live store changes: `event: store` with the Store as data; `event: store_gone` with
/// `{"id"}` when a store is deleted for good; `event: resync` when changes were missed
/// and the client should fetch the list again; `event: end` with `{"reason"}`
/// (`session_ended`, `role_changed`) just before the server closes a stream whose session
/// ended or whose caller lost the role it needs.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "stores",
    params(StreamQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "text/event-stream of store changes", content_type = "text/event-stream", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    auth: AuthUser,
    query: Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let all = query.all == Some(true);
    if all && !auth.is_admin() {
        return Err(ApiError::Forbidden(
            "Only administrators may follow all stores.".to_owned(),
        ));
    }
    let (tx, rx) = mpsc::channel(64);
    // Subscribe before answering, so no change between now and the first poll is lost.
    let changes = BroadcastStream::new(state.notifier.subscribe());
    let access = state.notifier.subscribe_access();
    tokio::spawn(forward(state, auth, all, changes, access, tx));
    Ok(Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// How often an open stream checks that its session is live and its role still allows
/// it, besides checking at once when this process hears of a change (sign-out, password
/// change, role change). The period covers changes made through another replica.
const RECHECK: Duration = Duration::from_secs(10);
const KEEP_ALIVE: Duration = Duration::from_secs(15);

type Sender = mpsc::Sender<Result<Event, Infallible>>;

/// Pass the caller's store changes to the client until it goes away, the server shuts
/// down, or the caller may no longer see them: then an `event: end` says why.
async fn forward(
    state: AppState,
    auth: AuthUser,
    all: bool,
    mut changes: BroadcastStream<crate::notify::StoreChange>,
    mut access: broadcast::Receiver<AccessChange>,
    tx: Sender,
) {
    let user = auth.user.id;
    if tx
        .send(Ok(Event::default().event("ready").data("{}")))
        .await
        .is_err()
    {
        return;
    }
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    loop {
        let check_now = tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = tx.closed() => return,
            _ = recheck.tick() => true,
            heard = access.recv() => match heard {
                Ok(change) => change.user == user,
                Err(broadcast::error::RecvError::Lagged(_)) => true,
                Err(broadcast::error::RecvError::Closed) => false,
            },
            item = changes.next() => {
                let Some(item) = item else { return };
                if let Some(event) = store_event(item, all, user) {
                    if tx.send(Ok(event)).await.is_err() {
                        return;
                    }
                }
                false
            }
        };
        if check_now {
            if let Some(reason) = revoked(&state, &auth, all).await {
                let end = Event::default()
                    .event("end")
                    .data(serde_json::json!({ "reason": reason }).to_string());
                let _ = tx.send(Ok(end)).await;
                return;
            }
        }
    }
}

/// Why the stream may not go on, if it may not. A database that cannot answer keeps the
/// stream open: nothing could have been revoked while it was down.
async fn revoked(state: &AppState, auth: &AuthUser, all: bool) -> Option<&'static str> {
    match state
        .storage
        .session_user(&auth.session, chrono::Utc::now())
        .await
    {
        Ok(None) => Some("session_ended"),
        Ok(Some(user)) if all && user.role != Role::Admin => Some("role_changed"),
        Ok(Some(_)) | Err(_) => None,
    }
}

/// The event for one store change, when the caller may see it.
fn store_event(
    item: Result<crate::notify::StoreChange, BroadcastStreamRecvError>,
    all: bool,
    user: uuid::Uuid,
) -> Option<Event> {
    match item {
        Ok(change) if all || change.store.owner_id == user => {
            let store = &change.store;
            Some(if store.is_deleted() {
                Event::default()
                    .event("store_gone")
                    .data(serde_json::json!({ "id": store.id }).to_string())
            } else {
                Event::default()
                    .event("store")
                    .data(serde_json::to_string(&StoreView::from(store)).unwrap_or_default())
            })
        }
        Ok(_) => None,
        Err(BroadcastStreamRecvError::Lagged(n)) => Some(
            Event::default()
                .event("resync")
                .data(format!("{{\"missed\":{n}}}")),
        ),
    }
}
