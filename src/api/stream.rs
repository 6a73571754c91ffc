//! `GET /events/stream`: server-sent events for every change to the caller's stores.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::stream::{Stream, StreamExt};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::AppState;
use super::error::{ApiError, ApiResult, Problem};
use super::extract::AuthUser;
use super::views::StoreView;

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
/// and the client should fetch the list again.
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
    let user = auth.user.id;
    let changes =
        BroadcastStream::new(state.notifier.subscribe()).filter_map(move |item| async move {
            match item {
                Ok(change) if all || change.store.owner_id == user => {
                    let store = &change.store;
                    let event = if store.is_deleted() {
                        Event::default()
                            .event("store_gone")
                            .data(serde_json::json!({ "id": store.id }).to_string())
                    } else {
                        Event::default().event("store").data(
                            serde_json::to_string(&StoreView::from(store)).unwrap_or_default(),
                        )
                    };
                    Some(Ok(event))
                }
                Ok(_) => None,
                Err(BroadcastStreamRecvError::Lagged(n)) => Some(Ok(Event::default()
                    .event("resync")
                    .data(format!("{{\"missed\":{n}}}")))),
            }
        });
    let hello = futures::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let shutdown = state.shutdown;
    let stream = hello
        .chain(changes)
        .take_until(async move { shutdown.cancelled().await });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
