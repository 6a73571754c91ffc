//! Serves the dashboard (`web/dist`, embedded into release builds) with a single-page-app
//! fallback: any path that is not a file gets `index.html`.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/dist"]
#[allow_missing = true]
struct Dashboard;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Storefleet</title>\
<h1>The dashboard is not built into this binary</h1>\
<p>Build it with <code>npm --prefix web ci &amp;&amp; npm --prefix web run build</code> and rebuild \
<code>storefleet</code>, or start everything with <code>scripts/run</code>. The API is at \
<a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>";

fn with_security_headers(mut resp: Response, html: bool) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if html {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                 connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    resp
}

fn file(path: &str) -> Option<Response> {
    let asset = Dashboard::get(path)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let html = mime.essence_str() == "text/html";
    let mut resp = Response::new(Body::from(asset.data.into_owned()));
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if path.starts_with("assets/") {
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    Some(with_security_headers(resp, html))
}

/// The router's fallback: dashboard files, else the app shell.
pub async fn serve(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if let Some(resp) = (!path.is_empty()).then(|| file(path)).flatten() {
        return resp;
    }
    // A missing asset is a real 404; other paths are routes of the app.
    if path.starts_with("assets/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    match file("index.html") {
        Some(resp) => resp,
        None => {
            let mut resp = (StatusCode::NOT_FOUND, NOT_BUILT).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            with_security_headers(resp, true)
        }
    }
}
