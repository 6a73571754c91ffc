//! Request extractors: strict JSON bodies, the client's IP, and the signed-in user.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::{ApiError, FieldErrors};
use crate::auth::{SESSION_COOKIE, TokenError};
use crate::domain::Role;
use crate::storage::User;

/// How long a JSON body (at most 64 KiB) may take to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A JSON body that must be `application/json`, within the size limit, and exactly of
/// the expected shape (unknown fields are refused by the target type).
#[derive(Debug)]
pub struct StrictJson<T>(pub T);

impl<S, T> FromRequest<S> for StrictJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| {
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "Send the body as JSON with Content-Type: application/json.".to_owned(),
            ));
        }
        // A client that trickles its body must not hold the request open for long.
        let bytes = tokio::time::timeout(BODY_TIMEOUT, Bytes::from_request(req, state))
            .await
            .map_err(|_| ApiError::RequestTimeout)?
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::field("body", "could not be read")
                }
            })?;
        parse_json(&bytes).map(StrictJson)
    }
}

/// Parse a JSON body, turning serde's message into a field error where it names a field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let field = between(&text, "missing field `", "`")
            .map(|f| (f, "is required".to_owned()))
            .or_else(|| {
                between(&text, "unknown field `", "`")
                    .map(|f| (f, "is not a known field".to_owned()))
            });
        match field {
            Some((f, msg)) => ApiError::field(&f, msg),
            None => {
                let kind = if e.is_syntax() || e.is_eof() {
                    "malformed JSON"
                } else {
                    "wrong type"
                };
                let mut field_errors = FieldErrors::new();
                field_errors.insert("body".to_owned(), vec![format!("{kind}: {text}")]);
                ApiError::Validation {
                    detail: format!("body: {kind}: {text}"),
                    field_errors,
                }
            }
        }
    })
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(rest[..rest.find(end)?].to_owned())
}

/// The client's address: the peer, or — when the peer is a trusted proxy — the nearest
/// untrusted address in `X-Forwarded-For`.
#[derive(Debug, Clone)]
pub struct ClientIp(pub IpAddr);

impl std::fmt::Display for ClientIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("no peer address on the connection"))
            })?;
        Ok(ClientIp(client_ip(
            peer,
            &parts.headers,
            &app.config.trusted_proxies,
        )))
    }
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    // Walk from the nearest hop outwards; the first address we do not trust is the
    // client. An entry we cannot read ends the walk at the last hop we trust: whatever
    // stands further out came through it unchecked.
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = forwarded_address(entry) else {
            return nearest;
        };
        if !is_trusted(&ip) {
            return ip;
        }
        nearest = ip;
    }
    nearest
}

/// The address in one `X-Forwarded-For` entry: `ip`, `ip:port`, `[v6]` or `[v6]:port`
/// (proxies write all of these).
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim_matches('"');
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|v6| v6.parse().ok())
}

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Bearer,
    Cookie,
}

/// The signed-in user, freshly read from the database (role and quota are current), and
/// the live session the request came with.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    pub session: String,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The origin (`scheme://host[:port]`) a browser says the request came from.
fn request_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return Some(origin.to_owned());
    }
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok())?;
    let (scheme, rest) = referer.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// Whether `origin` is this server. The configured public URL always is (exactly: scheme,
/// host and port). Without one, the server speaks plain http, and `http://` plus the Host
/// header is accepted only when that Host is an IP address or `localhost`: a Host header
/// with a name proves nothing (DNS rebinding points any name at us), so deployments under
/// a name set `STOREFLEET_PUBLIC_URL`.
fn same_origin(origin: &str, headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if public_url.is_some_and(|p| p.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(authority) = origin.strip_prefix("http://") else {
        return false;
    };
    authority.eq_ignore_ascii_case(host) && is_address_host(host)
}

/// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`: hosts no DNS answer can stand for.
fn is_address_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.parse::<u16>().is_ok() => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.parse::<IpAddr>().is_ok() || name.eq_ignore_ascii_case("localhost")
}

/// Refuse cross-site unsafe requests: a browser always names the origin of a cross-site
/// POST, and cookie-authenticated unsafe requests must name ours.
pub fn check_origin(
    method: &Method,
    headers: &HeaderMap,
    public_url: Option<&str>,
    cookie_auth: bool,
) -> Result<(), ApiError> {
    if !is_unsafe(method) {
        return Ok(());
    }
    match request_origin(headers) {
        Some(origin) if same_origin(&origin, headers, public_url) => Ok(()),
        Some(origin) => Err(ApiError::Forbidden(format!(
            "Cross-site request from {origin} refused."
        ))),
        None if cookie_auth => Err(ApiError::Forbidden(
            "Requests authenticated by the session cookie must carry an Origin header.".to_owned(),
        )),
        None => Ok(()),
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let Some((token, method)) = presented_token(&parts.headers) else {
            return Err(ApiError::Unauthorized(
                "Sign in first: send `Authorization: Bearer <token>` or the session cookie."
                    .to_owned(),
            ));
        };
        check_origin(
            &parts.method,
            &parts.headers,
            app.config.public_url.as_deref(),
            method == AuthMethod::Cookie,
        )?;
        let claims = app.tokens.verify_session(token).map_err(|e| match e {
            TokenError::Expired => {
                ApiError::Unauthorized("Your session has expired; sign in again.".to_owned())
            }
            TokenError::Invalid => {
                ApiError::Unauthorized("The session token is not valid; sign in again.".to_owned())
            }
        })?;
        let user = app
            .storage
            .session_user(&claims.session, chrono::Utc::now())
            .await?
            .filter(|u| u.id == claims.user)
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "This session has ended (signed out, or the password was changed); sign in again."
                        .to_owned(),
                )
            })?;
        Ok(AuthUser {
            user,
            session: claims.session,
        })
    }
}

/// The session token a request carries: the bearer token, else the session cookie.
pub fn presented_token(headers: &HeaderMap) -> Option<(&str, AuthMethod)> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match (bearer, cookie_value(headers, SESSION_COOKIE)) {
        (Some(t), _) => Some((t, AuthMethod::Bearer)),
        (None, Some(t)) if !t.is_empty() => Some((t, AuthMethod::Cookie)),
        _ => None,
    }
}

/// A signed-in administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl<S> FromRequestParts<S> for AdminUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if !user.is_admin() {
            return Err(ApiError::Forbidden("Administrators only.".to_owned()));
        }
        Ok(AdminUser(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 10.1.2.3"),
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(
            client_ip(proxy, &h, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(stranger, &h, &trusted), stranger);
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
    }

    #[test]
    fn forwarded_for_entries_with_ports_are_read_not_skipped() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let forwarded = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("x-forwarded-for", HeaderValue::from_static(value));
            client_ip(proxy, &h, &trusted).to_string()
        };
        // The spoofed address before the real client must never win.
        assert_eq!(forwarded("6.6.6.6, 203.0.113.9:51234"), "203.0.113.9");
        assert_eq!(forwarded("6.6.6.6, [2001:db8::7]:443"), "2001:db8::7");
        assert_eq!(forwarded("6.6.6.6, [2001:db8::7]"), "2001:db8::7");
        assert_eq!(
            forwarded("6.6.6.6, 203.0.113.9:1, 10.2.2.2:80"),
            "203.0.113.9"
        );
        // Unreadable: stop at the last trusted hop instead of believing what is beyond.
        assert_eq!(forwarded("6.6.6.6, garbage, 10.2.2.2"), "10.2.2.2");
        assert_eq!(forwarded("6.6.6.6, garbage"), "10.0.0.1");
    }

    #[test]
    fn origins_must_match_scheme_and_a_host_we_serve() {
        let post = |host: &'static str, origin: &'static str, public: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_static(host));
            h.insert(header::ORIGIN, HeaderValue::from_static(origin));
            check_origin(&Method::POST, &h, public, true).is_ok()
        };
        assert!(post("127.0.0.1:8080", "http://127.0.0.1:8080", None));
        assert!(post("localhost:8080", "http://localhost:8080", None));
        assert!(post("[::1]:8080", "http://[::1]:8080", None));
        assert!(
            !post("127.0.0.1:8080", "https://127.0.0.1:8080", None),
            "wrong scheme"
        );
        assert!(
            !post("127.0.0.1:8080", "ftp://127.0.0.1:8080", None),
            "not http"
        );
        assert!(!post("127.0.0.1:8080", "null", None), "opaque origin");
        assert!(
            !post("evil.example", "http://evil.example", None),
            "a Host header with a name proves nothing"
        );
        let public = Some("https://sf.example.com");
        assert!(post("sf.example.com", "https://sf.example.com", public));
        assert!(
            !post("sf.example.com", "http://sf.example.com", public),
            "wrong scheme"
        );
        assert!(
            !post("sf.example.com:8443", "https://sf.example.com:8443", public),
            "wrong port"
        );
    }

    #[test]
    fn origin_checks() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(
            check_origin(&Method::POST, &h, None, true).is_err(),
            "cookie without origin"
        );
        assert!(
            check_origin(&Method::POST, &h, None, false).is_ok(),
            "API client without origin"
        );
        assert!(check_origin(&Method::GET, &h, None, true).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(check_origin(&Method::POST, &h, None, true).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(check_origin(&Method::DELETE, &h, None, true).is_err());
        assert!(check_origin(&Method::DELETE, &h, Some("https://evil.example"), true).is_ok());
    }

    #[test]
    fn json_errors_name_fields() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct B {
            name: String,
        }
        let Err(ApiError::Validation { field_errors, .. }) = parse_json::<B>(br#"{}"#) else {
            panic!()
        };
        assert!(field_errors.contains_key("name"));
        let Err(ApiError::Validation { field_errors, .. }) =
            parse_json::<B>(br#"{"name":"a","x":1}"#)
        else {
            panic!()
        };
        assert!(field_errors.contains_key("x"));
        let Err(ApiError::Validation { field_errors, .. }) = parse_json::<B>(b"{") else {
            panic!()
        };
        assert!(field_errors.contains_key("body"));
    }
}
