//! What issue 14 found an attacker, a full disk and a database outage could do, each
//! shown not to work any more: sessions that outlive sign-out, parallel password guessing,
//! sign-up floods, hostnames a tenant must not claim, origin and proxy header tricks,
//! slow clients, unbounded metric labels, world-readable database files and a
//! PostgreSQL outage. (The full disk and the read-only data directory need a file system
//! of their own: `scripts/test chaos`.)

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::helpers::{Options, PASSWORD, TcpProxy, TestApp, TestUser, problem};

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.login(email, password).await
}

async fn token_of(resp: reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

fn as_user(user: &TestUser, token: &str) -> TestUser {
    TestUser {
        token: token.to_owned(),
        ..user.clone()
    }
}

// --- 7. sessions -----------------------------------------------------------------------

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let other = as_user(
        &user,
        &token_of(login(&app, &user.email, PASSWORD).await).await,
    );
    let resp = app.logout(&user).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&user, "/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(
        app.get(&other, "/me").await.status(),
        StatusCode::OK,
        "signing out one session leaves the others"
    );
    let audit = app.audit_of("user.logout").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_id, Some(user.id));
}

#[tokio::test]
async fn a_password_change_signs_out_the_other_sessions_only() {
    let app = TestApp::spawn().await;
    let first = app.user().await;
    let second = as_user(
        &first,
        &token_of(login(&app, &first.email, PASSWORD).await).await,
    );
    let change = |who: TestUser, current: &str, new: &str| {
        let body = json!({ "current_password": current, "new_password": new });
        let app = &app;
        async move { app.post(&who, "/me/password", body).await }
    };
    let body = problem(
        change(second.clone(), "not-the-password", "a-new-password-1").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body["field_errors"]["current_password"].is_array(),
        "{body}"
    );
    let body = problem(
        change(second.clone(), PASSWORD, PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["field_errors"]["new_password"].is_array(), "{body}");
    problem(
        change(second.clone(), PASSWORD, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        app.get(&first, "/me").await.status(),
        StatusCode::OK,
        "nothing changed yet"
    );

    let resp = change(second.clone(), PASSWORD, "a-new-password-1").await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&first, "/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(app.get(&second, "/me").await.status(), StatusCode::OK);
    problem(
        login(&app, &first.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(
        login(&app, &first.email, "a-new-password-1").await.status(),
        StatusCode::OK
    );
    let audit = app.audit_of("user.password_change").await;
    assert_eq!(audit[0].details["sessions_ended"], 1);
    assert!(!audit[0].details.to_string().contains("a-new-password-1"));
}

/// Read an event stream until it ends; the `event:` names and data lines seen.
async fn read_stream_until_end(resp: reqwest::Response, within: Duration) -> Vec<String> {
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    let ended = tokio::time::timeout(within, async {
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else { break };
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the stream did not end within {within:?}: {text}"
    );
    text.lines()
        .filter(|l| l.starts_with("event:") || l.starts_with("data:"))
        .map(str::to_owned)
        .collect()
}

async fn open_stream(app: &TestApp, user: &TestUser, query: &str) -> reqwest::Response {
    app.client
        .get(app.api(&format!("/events/stream{query}")))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_demoted_admins_all_stores_stream_ends() {
    let app = TestApp::spawn().await;
    let boss = app.admin().await;
    let demoted = app.admin().await;
    let stream = open_stream(&app, &demoted, "?all=true").await;
    let reader = tokio::spawn(read_stream_until_end(stream, Duration::from_secs(10)));
    // Give the stream time to be served before the change.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resp = app
        .patch(
            &boss,
            &format!("/admin/users/{}", demoted.id),
            json!({ "role": "user" }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let lines = reader.await.unwrap();
    assert!(lines.contains(&"event: end".to_owned()), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("role_changed")),
        "{lines:?}"
    );
    problem(
        open_stream(&app, &demoted, "?all=true").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_stream_ends_when_its_session_signs_out() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let stream = open_stream(&app, &user, "").await;
    let reader = tokio::spawn(read_stream_until_end(stream, Duration::from_secs(10)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resp = app.logout(&user).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let lines = reader.await.unwrap();
    assert!(
        lines.iter().any(|l| l.contains("session_ended")),
        "{lines:?}"
    );
}

// --- 4. parallel password guessing ---------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_throttled_and_a_correct_one_resets_nothing() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut attempts = Vec::new();
    for i in 0..61 {
        // One correct password in the middle of the burst.
        let password = if i == 30 {
            PASSWORD.to_owned()
        } else {
            format!("wrong-password-{i}")
        };
        let (client, url, email) = (
            app.client.clone(),
            app.api("/auth/login"),
            user.email.clone(),
        );
        attempts.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({ "email": email, "password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for a in attempts {
        statuses.push(a.await.unwrap());
    }
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    assert!(count(StatusCode::UNAUTHORIZED) <= 5, "{statuses:?}");
    assert!(count(StatusCode::TOO_MANY_REQUESTS) >= 55, "{statuses:?}");
    // Whether or not the correct password got through, the window stays closed.
    let mut unauthorized = count(StatusCode::UNAUTHORIZED);
    for _ in 0..3 {
        if login(&app, &user.email, "wrong-again!!").await.status() == StatusCode::UNAUTHORIZED {
            unauthorized += 1;
        }
    }
    assert!(
        unauthorized <= 5,
        "at most 5 wrong passwords were checked: {unauthorized}"
    );
    problem(
        login(&app, &user.email, "wrong-again!!").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

// --- 10. sign-up flood -----------------------------------------------------------------

#[tokio::test]
async fn sign_ups_are_limited_per_client_address() {
    let app =
        TestApp::spawn_with(Options::default().env("STOREFLEET_SIGNUP_RATE_PER_MINUTE", "3")).await;
    for i in 0..3 {
        let resp = app
            .register(&format!("flood-{i}@example.com"), PASSWORD)
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    let resp = app.register("flood-4@example.com", PASSWORD).await;
    assert!(resp.headers().contains_key("retry-after"));
    let body = problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(
        body["detail"].as_str().unwrap().contains("sign-ups"),
        "{body}"
    );
    assert_eq!(
        app.storage.list_users().await.unwrap().len(),
        3,
        "the refused one stored nothing"
    );
}

// --- 14. a password in the email field ---------------------------------------------

#[tokio::test]
async fn a_password_typed_as_the_email_is_not_audited() {
    let app = TestApp::spawn().await;
    let typed = "Tr0ub4dor&3-my-secret";
    problem(
        login(&app, typed, "whatever-else").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    problem(
        login(&app, "stranger@corp.example.com", "whatever-else").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let audit = app.audit_of("user.login_failed").await;
    assert_eq!(audit.len(), 2);
    for e in &audit {
        let text = serde_json::to_string(e.details.clone().as_object().unwrap()).unwrap();
        assert!(
            !text.contains("Tr0ub4dor") && !text.contains("stranger"),
            "{text}"
        );
    }
    assert_eq!(audit[0].details["email_domain"], "corp.example.com");
    assert_eq!(audit[1].details["not_an_email"], true);
}

// --- 5. hostnames a tenant must not claim ----------------------------------------------

#[tokio::test]
async fn tenants_cannot_claim_platform_internal_or_look_alike_hosts() {
    let app = TestApp::spawn_with(
        Options::default().env("STOREFLEET_PUBLIC_URL", "https://storefleet.example.com"),
    )
    .await;
    let user = app.user().await;
    for (i, domain) in [
        "storefleet.example.com",
        "stores.localhost",
        "unallocated-abcde.stores.localhost",
        "other.localhost",
        "kubernetes.default.svc",
        "api.store-abcd1234.svc.cluster.local",
        "metadata.google.internal",
        "xn--pple-43d.com",
    ]
    .iter()
    .enumerate()
    {
        let resp = app
            .create_store(
                &user,
                json!({ "name": format!("shop-{i}"), "domain": domain }),
            )
            .await;
        let body = problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            body["field_errors"]["domain"].is_array(),
            "{domain}: {body}"
        );
    }
    assert!(app.storage.list_stores(None).await.unwrap().is_empty());
    let ok = app
        .create_store(
            &user,
            json!({ "name": "fine", "domain": "shop.acme-store.com" }),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
}

// --- 6. HSTS -------------------------------------------------------------------------

#[tokio::test]
async fn hsts_is_sent_only_when_the_public_url_is_https() {
    let https = TestApp::spawn_with(
        Options::default().env("STOREFLEET_PUBLIC_URL", "https://storefleet.example.com"),
    )
    .await;
    for path in ["/healthz", "/api/v1/info", "/"] {
        let resp = https.client.get(https.url(path)).send().await.unwrap();
        let hsts = resp.headers().get("strict-transport-security");
        assert_eq!(
            hsts.and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
    let plain = TestApp::spawn().await;
    let resp = plain
        .client
        .get(plain.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert!(!resp.headers().contains_key("strict-transport-security"));
}

// --- 3. metrics cardinality -------------------------------------------------------------

#[tokio::test]
async fn made_up_methods_share_one_metrics_label() {
    let app = TestApp::spawn().await;
    let before = app.metrics().await.len();
    for i in 0..200 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).unwrap();
        let resp = app
            .client
            .request(method, app.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{}", resp.status());
    }
    let text = app.metrics().await;
    assert!(!text.contains("MADEUP"), "method names leak into labels");
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(
        text.len() < before + 20_000,
        "200 made-up methods grew /metrics from {before} to {} bytes",
        text.len()
    );
}

// --- 12. origin checks ------------------------------------------------------------------

#[tokio::test]
async fn origins_of_another_scheme_or_a_spoofed_host_are_refused() {
    let app = TestApp::spawn().await;
    let cookie = app.cookie_session("origin@example.com").await;
    let authority = app.base.trim_start_matches("http://").to_owned();
    let create = |origin: String, host: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.api("/stores"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .json(&json!({ "name": "origin-shop" }));
        if let Some(h) = host {
            req = req.header("host", h);
        }
        req.send()
    };
    for origin in [
        format!("https://{authority}"),
        format!("ftp://{authority}"),
        "null".to_owned(),
        format!("chrome-extension://{authority}"),
    ] {
        let resp = create(origin.clone(), None).await.unwrap();
        problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let spoofed = create("http://evil.example".to_owned(), Some("evil.example"))
        .await
        .unwrap();
    problem(spoofed, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(app.storage.list_stores(None).await.unwrap().is_empty());
    let ok = create(app.base.clone(), None).await.unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
}

// --- 11. X-Forwarded-For with ports ----------------------------------------------------

#[tokio::test]
async fn a_trusted_proxys_ip_port_entry_is_the_client() {
    let app =
        TestApp::spawn_with(Options::default().env("STOREFLEET_TRUSTED_PROXIES", "127.0.0.1/32"))
            .await;
    let resp = app
        .client
        .post(app.api("/auth/register"))
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.9:51234")
        .json(&json!({ "email": "xff@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let audit = app.audit_of("user.register").await;
    assert_eq!(audit[0].ip.as_deref(), Some("203.0.113.9"));
}

// --- 13. file modes ------------------------------------------------------------------

#[cfg(unix)]
#[tokio::test]
async fn the_database_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let app = TestApp::spawn().await;
    app.user().await;
    let db = app.data_dir.join("storefleet.db");
    let mut seen = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        if let Ok(meta) = std::fs::metadata(&path) {
            seen += 1;
            assert_eq!(meta.permissions().mode() & 0o077, 0, "{path} is private");
        }
    }
    assert!(seen >= 2, "the database and its WAL exist");
}

// --- 2. slow clients ---------------------------------------------------------------------

/// Whether the server closed `conn` within `within` (reads end, nothing answered).
async fn closed_within(conn: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    match tokio::time::timeout(within, conn.read(&mut buf)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(_)) => {
            // An answer (a 408, say) followed by the close is fine too.
            matches!(
                tokio::time::timeout(within, conn.read(&mut buf)).await,
                Ok(Ok(0) | Err(_))
            )
        }
        Err(_) => false,
    }
}

#[tokio::test]
async fn silent_and_half_sent_connections_are_closed_and_capped() {
    let app = TestApp::spawn_with(
        Options::default()
            .env("STOREFLEET_HEADER_TIMEOUT_SECS", "1")
            .env("STOREFLEET_MAX_CONNECTIONS_PER_IP", "4"),
    )
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /healthz HT").await.unwrap();
    let mut others = Vec::new();
    for _ in 0..2 {
        others.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // A fifth connection from this address is over the cap: closed at once.
    let mut fifth = tokio::net::TcpStream::connect(&addr).await.unwrap();
    assert!(
        closed_within(&mut fifth, Duration::from_millis(500)).await,
        "cap"
    );
    // The others are closed after the header timeout, not kept forever.
    assert!(
        closed_within(&mut silent, Duration::from_secs(5)).await,
        "silent"
    );
    assert!(
        closed_within(&mut half, Duration::from_secs(5)).await,
        "half a request"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
    for mut c in others {
        assert!(closed_within(&mut c, Duration::from_secs(5)).await);
    }
    // And the server answers again.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(
        app.metrics()
            .await
            .contains("storefleet_http_connections_refused_total 1")
    );
}

// --- 8 + 15 + the general property: a PostgreSQL outage --------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_outage_answers_fast_503s_and_everything_recovers_without_restart() {
    use storefleet::domain::LifecycleEvent;
    let Some(admin_url) = crate::helpers::postgres_admin_url() else {
        return;
    };
    let db = crate::helpers::PgDb::create(&admin_url).await;
    // "Another replica", straight to the server: it sets up a user and a store the
    // workers leave alone (Failed, nothing due), so that the only news of it later is
    // what this replica announces.
    let other = storefleet::storage::connect(&db.url).await.unwrap();
    let mut new_user = crate::storage::new_user("outage@example.com");
    new_user.password_hash = storefleet::auth::hash_password(PASSWORD).unwrap();
    let owner = other.create_user(new_user).await.unwrap();
    let store = other
        .create_store(crate::storage::new_store(owner.id, "outage-shop"))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    other
        .claim_due("test", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    other
        .release(
            store.id,
            "test",
            crate::storage::outcome(LifecycleEvent::Fail),
            now,
        )
        .await
        .unwrap();

    let authority = db
        .url
        .trim_start_matches("postgres://")
        .split_once('@')
        .unwrap();
    let (host_port, name) = authority.1.split_once('/').unwrap();
    let proxy = TcpProxy::start(host_port.parse().unwrap()).await;
    let proxied = format!("postgres://{}@{}/{name}", authority.0, proxy.addr);
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::start(dir.path().to_path_buf(), proxied, &[]).await;
    let user = as_user(
        &TestUser {
            id: owner.id,
            email: owner.email.clone(),
            token: String::new(),
        },
        &token_of(login(&app, &owner.email, PASSWORD).await).await,
    );

    proxy.cut();
    let started = Instant::now();
    let body = problem(
        app.get(&user, "/me").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(body["dependency"], "database", "{body}");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let ready: Value = ready.json().await.unwrap();
    assert!(
        ready["checks"]["database"]
            .as_str()
            .unwrap()
            .starts_with("error"),
        "{ready}"
    );
    // Long enough for the store-change listener to notice and fail to reconnect.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        app.is_running(),
        "the server must stay up through the outage"
    );

    proxy.restore();
    let recovered = Instant::now();
    while app.get(&user, "/me").await.status() != StatusCode::OK {
        assert!(recovered.elapsed() < Duration::from_secs(20), "no recovery");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["database"], "ok", "{ready}");

    // The listener is back: a change the other replica announces reaches our streams.
    let mut body = open_stream(&app, &user, "").await.bytes_stream();
    let heard = tokio::time::timeout(Duration::from_secs(30), async {
        let mut text = String::new();
        loop {
            other.announce(store.id).await.unwrap();
            if let Ok(Some(Ok(chunk))) =
                tokio::time::timeout(Duration::from_millis(500), body.next()).await
            {
                text.push_str(&String::from_utf8_lossy(&chunk));
                if text.contains("event: store\n") {
                    return;
                }
            }
        }
    })
    .await;
    assert!(
        heard.is_ok(),
        "no announced change came through the listener after the outage"
    );
    assert!(app.is_running());
}
