//! Sign-up, sign-in, sessions and their guardrails.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Options, PASSWORD, TestApp, problem};

#[tokio::test]
async fn register_returns_a_session_with_token_and_cookie() {
    let app = TestApp::spawn().await;
    let resp = app.register("New.Person@Example.com", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("storefleet_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["email"], "New.Person@Example.com");
    assert_eq!(body["user"]["role"], "user");
    assert!(body["token"].as_str().unwrap().len() > 20);
    assert!(body["expires_at"].is_string());

    let me: Value = app
        .client
        .get(app.api("/me"))
        .bearer_auth(body["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "New.Person@Example.com");
    assert_eq!(me["store_quota"], 5);
    assert_eq!(me["stores_active"], 0);
    let audit = app
        .storage
        .audit_events(storefleet::storage::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit[0].action, "user.register");
}

#[tokio::test]
async fn emails_are_unique_case_insensitively() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.register("dup@example.com", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let body = problem(
        app.register("DUP@Example.COM", PASSWORD).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["field_errors"]["email"].is_array());
}

#[tokio::test]
async fn register_validates_email_and_password() {
    let app = TestApp::spawn().await;
    let body = problem(
        app.register("not-an-email", "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["field_errors"]["email"].is_array(), "{body}");
    assert!(
        body["field_errors"]["password"][0]
            .as_str()
            .unwrap()
            .contains("at least 10"),
        "{body}"
    );
    let long = "x".repeat(257);
    let body = problem(
        app.register("ok@example.com", &long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body["field_errors"]["password"][0]
            .as_str()
            .unwrap()
            .contains("at most 256")
    );
    let users = app.storage.list_users().await.unwrap();
    assert!(users.is_empty(), "rejected sign-ups store nothing");
}

#[tokio::test]
async fn closed_signup_refuses_registration() {
    let app = TestApp::spawn_with(Options::default().env("STOREFLEET_SIGNUP", "closed")).await;
    problem(
        app.register("x@example.com", PASSWORD).await,
        StatusCode::FORBIDDEN,
        "signup_disabled",
    )
    .await;
    let info = app.info().await;
    assert_eq!(info["signup"], "closed");
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.login(email, password).await
}

#[tokio::test]
async fn login_gives_the_same_answer_for_unknown_email_and_wrong_password() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let ok = login(&app, &user.email.to_uppercase(), PASSWORD).await;
    assert_eq!(
        ok.status(),
        StatusCode::OK,
        "emails compare case-insensitively"
    );
    let wrong = problem(
        login(&app, &user.email, "wrong-password!").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let unknown = problem(
        login(&app, "nobody@example.com", "wrong-password!").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    let audit = app
        .storage
        .audit_events(storefleet::storage::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "user.login_failed")
            .count(),
        2,
        "{actions:?}"
    );
    assert!(actions.contains(&"user.login"));
    for e in &audit {
        let text = e.details.to_string();
        assert!(
            !text.contains("wrong-password") && !text.contains(PASSWORD),
            "no passwords in audit: {text}"
        );
    }
}

#[tokio::test]
async fn repeated_login_failures_are_throttled() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    for _ in 0..5 {
        assert_eq!(
            login(&app, &user.email, "wrong-password!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let resp = login(&app, &user.email, PASSWORD).await;
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after));
    assert!(resp.headers().contains_key("ratelimit-policy"));
    problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn cookie_sessions_need_a_same_origin_for_unsafe_requests() {
    let app = TestApp::spawn().await;
    let cookie = app.cookie_session("cookie@example.com").await;
    // Safe requests with the cookie work.
    let me = app
        .client
        .get(app.api("/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let create = |origin: Option<&str>| {
        let mut req = app
            .client
            .post(app.api("/stores"))
            .header("cookie", &cookie)
            .json(&json!({ "name": "cookie-shop" }));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    problem(
        create(None).await.unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        create(Some("https://evil.example")).await.unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let ok = create(Some(&app.base)).await.unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn logout_clears_the_cookie() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .post(app.api("/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("storefleet_session=;") && cookie.contains("Max-Age=0"),
        "{cookie}"
    );
}

#[tokio::test]
async fn requests_without_or_with_bad_tokens_are_unauthorized() {
    let app = TestApp::spawn().await;
    problem(
        app.client.get(app.api("/me")).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let bad = app
        .client
        .get(app.api("/me"))
        .bearer_auth("not.a.jwt")
        .send()
        .await
        .unwrap();
    problem(bad, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // A token signed with another key.
    let other = storefleet::auth::TokenKeys::new(b"some-other-key-some-other-key-1234", 60);
    let (token, _) = other
        .issue(uuid::Uuid::new_v4(), chrono::Utc::now())
        .unwrap();
    let forged = app
        .client
        .get(app.api("/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    problem(forged, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn tokens_and_data_survive_a_restart() {
    let mut app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user, "persist").await;
    app.stop().await.unwrap();
    let (dir, db) = app.take_storage_dirs();
    let restarted = TestApp::start(app.data_dir.clone(), app.db_url.clone(), &[]).await;
    let me = restarted.get(&user, "/me").await;
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "the signing key was kept in the data dir"
    );
    let got: Value = restarted
        .get(&user, &format!("/stores/{}", store["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"], "persist");
    drop(restarted);
    drop((dir, db));
}

/// Sign in again as `email` from a client calling itself `agent`; returns the token.
async fn sign_in_as(app: &TestApp, email: &str, agent: &str) -> String {
    let resp = app
        .client
        .post(app.api("/auth/login"))
        .header("user-agent", agent)
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn users_list_and_end_their_own_sessions() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let phone = sign_in_as(&app, &user.email, "Phone Browser/1.0").await;
    let laptop = sign_in_as(&app, &user.email, "Laptop Browser/2.0").await;
    let other = app.user().await;
    let list = |token: String| {
        let app = &app;
        async move {
            let resp = app
                .client
                .get(app.api("/me/sessions"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            resp.json::<Value>().await.unwrap()["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let sessions = list(laptop.clone()).await;
    assert_eq!(sessions.len(), 3, "{sessions:?}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "Laptop Browser/2.0");
    assert_eq!(current[0]["ip"], "127.0.0.1");
    assert!(current[0]["expires_at"].is_string() && current[0]["created_at"].is_string());
    let phone_id = sessions
        .iter()
        .find(|s| s["user_agent"] == "Phone Browser/1.0")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another user cannot end (or learn about) this session.
    problem(
        app.delete(&other, &format!("/me/sessions/{phone_id}"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.delete(&other, "/me/sessions/no-such-session").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let end = app
        .client
        .delete(app.api(&format!("/me/sessions/{phone_id}")))
        .bearer_auth(&laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(end.status(), StatusCode::NO_CONTENT);
    let me = |token: &str| {
        app.client
            .get(app.api("/me"))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(me(&phone).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(list(laptop.clone()).await.len(), 2);
    // End all others: the first (registration) session goes, this one stays.
    let resp = app
        .client
        .post(app.api("/me/sessions/revoke-others"))
        .bearer_auth(&laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["sessions_ended"], 1);
    assert_eq!(
        me(&user.token).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me(&laptop).await.unwrap().status(), StatusCode::OK);
    let left = list(laptop.clone()).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
    // The other user's sessions were never touched.
    assert_eq!(app.get(&other, "/me").await.status(), StatusCode::OK);
    let audit = app.audit_of("user.session_end").await;
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|e| e.actor_id == Some(user.id)));
    assert_eq!(audit[1].target_id.as_deref(), Some(phone_id.as_str()));
    assert_eq!(audit[0].details["sessions_ended"], 1);
    // Signed out: no list.
    assert_eq!(
        app.client
            .get(app.api("/me/sessions"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}
