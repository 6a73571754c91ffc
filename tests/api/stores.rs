//! The store API: create, list, get, delete, retry, events, and its guardrails.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, problem};

#[tokio::test]
async fn create_answers_202_with_location_and_a_default_domain() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let resp = app
        .create_store(&user, json!({ "name": "acme-shop" }))
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let store: Value = resp.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/stores/{}", store["id"].as_str().unwrap())
    );
    assert_eq!(store["status"], "Pending");
    assert_eq!(store["engine"], "woocommerce");
    assert_eq!(store["steps_done"], 0);
    assert_eq!(store["steps_total"], 8);
    assert!(store["url"].is_null() && store["admin_url"].is_null() && store["ready_at"].is_null());
    assert!(
        store.as_object().unwrap().contains_key("step_started_at")
            && store["step_started_at"].is_null(),
        "no step has started yet: {store}"
    );
    assert!(!store["status_reason"].as_str().unwrap().is_empty());
    let ns = store["namespace"].as_str().unwrap();
    assert!(ns.starts_with("store-") && ns.len() == 14, "{ns}");
    let domain = store["domain"].as_str().unwrap();
    let short = &ns["store-".len().."store-".len() + 5];
    assert_eq!(domain, format!("acme-shop-{short}.stores.localhost"));
    assert_eq!(store["owner_id"], user.id.to_string());
    for key in ["password", "credentials", "token"] {
        assert!(
            !store.to_string().contains(key),
            "no {key} in the store object"
        );
    }
    let got: Value = app
        .client
        .get(app.url(&location))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The worker may have noted since that no cluster answers; identity stays.
    for key in [
        "id",
        "name",
        "namespace",
        "domain",
        "owner_id",
        "created_at",
        "engine",
    ] {
        assert_eq!(got[key], store[key], "{key}");
    }
    assert_eq!(got["status"], "Pending");
    let events: Value = app
        .get(&user, &format!("{}/events", &location["/api/v1".len()..]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(events["items"][0]["level"], "info");
    assert!(
        events["items"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Store requested")
    );
}

#[tokio::test]
async fn a_medusa_store_is_accepted_and_a_store_without_an_engine_gets_the_default() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let resp = app
        .create_store(&user, json!({ "name": "medusa-one", "engine": "medusa" }))
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let store: Value = resp.json().await.unwrap();
    assert_eq!(store["engine"], "medusa");
    assert_eq!(store["status"], "Pending");
    let plain = app.store(&user, "plain-one").await;
    assert_eq!(plain["engine"], "woocommerce");
    let medusa_default =
        TestApp::spawn_with(Options::default().env("STOREFLEET_ENGINES", "medusa,woocommerce"))
            .await;
    let owner = medusa_default.user().await;
    assert_eq!(
        medusa_default.store(&owner, "defaulted").await["engine"],
        "medusa"
    );
}

#[tokio::test]
async fn custom_domains_and_engines_are_validated() {
    // This server offers WooCommerce only: a Medusa store is refused.
    let app =
        TestApp::spawn_with(Options::default().env("STOREFLEET_ENGINES", "woocommerce")).await;
    let user = app.user().await;
    let ok: Value = app
        .create_store(
            &user,
            json!({ "name": "custom", "engine": "woocommerce", "domain": "shop.example.com" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok["domain"], "shop.example.com");
    let cases = [
        (json!({ "name": "ab" }), "name"),
        (json!({ "name": "Acme" }), "name"),
        (json!({ "name": "1shop" }), "name"),
        (json!({ "name": "shop-" }), "name"),
        (
            json!({ "name": "okay", "domain": "Shop.Example.com" }),
            "domain",
        ),
        (json!({ "name": "okay", "domain": "localhost" }), "domain"),
        (
            json!({ "name": "okay", "domain": "shop.example.c0m" }),
            "domain",
        ),
        (json!({ "name": "okay", "engine": "medusa" }), "engine"),
        (json!({ "name": "okay", "engine": "magento" }), "engine"),
        (json!({ "name": "okay", "colour": "blue" }), "colour"),
        (json!({}), "name"),
        (json!({ "name": 42 }), "body"),
    ];
    for (body, field) in cases {
        let resp = app.create_store(&user, body.clone()).await;
        let problem = problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            problem["field_errors"][field].is_array(),
            "{body} → {problem}"
        );
    }
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "rejected creates store nothing"
    );
}

#[tokio::test]
async fn bodies_must_be_small_json() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let resp = app
        .client
        .post(app.api("/stores"))
        .bearer_auth(&user.token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    problem(
        resp,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let resp = app
        .client
        .post(app.api("/stores"))
        .bearer_auth(&user.token)
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(
        resp,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let big = format!("{{\"name\":\"{}\"}}", "a".repeat(70 * 1024));
    let resp = app
        .client
        .post(app.api("/stores"))
        .bearer_auth(&user.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(resp, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let resp = app
        .client
        .post(app.api("/stores"))
        .bearer_auth(&user.token)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn names_are_unique_per_owner_and_domains_among_live_stores() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.user().await, app.user().await);
    app.store(&a, "shared-name").await;
    let body = problem(
        app.create_store(&a, json!({ "name": "shared-name" })).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["field_errors"]["name"].is_array());
    app.store(&b, "shared-name").await;
    app.create_store(
        &a,
        json!({ "name": "first", "domain": "taken.example.com" }),
    )
    .await;
    let body = problem(
        app.create_store(
            &b,
            json!({ "name": "second", "domain": "taken.example.com" }),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["field_errors"]["domain"].is_array());
}

#[tokio::test]
async fn users_see_only_their_own_stores() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.user().await, app.user().await);
    let sa = app.store(&a, "alpha").await;
    let id = sa["id"].as_str().unwrap();
    problem(
        app.get(&b, &format!("/stores/{id}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.delete(&b, &format!("/stores/{id}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.post(&b, &format!("/stores/{id}/retry"), json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get(&b, &format!("/stores/{id}/events")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let list: Value = app.get(&b, "/stores").await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    problem(
        app.get(&b, "/stores?all=true").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get(&a, "/stores/not-a-uuid").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.get(&a, &format!("/stores/{}", uuid::Uuid::new_v4()))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Admins see every store.
    let admin = app.admin().await;
    let all: Value = app
        .get(&admin, "/stores?all=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"][0]["id"], sa["id"]);
    assert_eq!(
        app.get(&admin, &format!("/stores/{id}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn lists_are_newest_first() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    for name in ["one", "two", "three"] {
        app.store(&user, &format!("shop-{name}")).await;
    }
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["shop-three", "shop-two", "shop-one"]);
}

#[tokio::test]
async fn delete_is_accepted_and_repeatable_retry_only_from_failed() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user, "doomed").await;
    let id = store["id"].as_str().unwrap();
    let body = problem(
        app.post(&user, &format!("/stores/{id}/retry"), json!({}))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("Pending"),
        "{body}"
    );
    for _ in 0..2 {
        let resp = app.delete(&user, &format!("/stores/{id}")).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        let s: Value = resp.json().await.unwrap();
        assert_eq!(s["status"], "Deleting");
    }
    let audit = app
        .storage
        .audit_events(storefleet::storage::AuditQuery {
            action: Some("store.delete".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "a repeated delete is not a new action");
    assert_eq!(audit[0].target_id.as_deref(), Some(id));
}

#[tokio::test]
async fn quota_is_enforced_and_explained() {
    let app =
        TestApp::spawn_with(Options::default().env("STOREFLEET_DEFAULT_STORE_QUOTA", "2")).await;
    let user = app.user().await;
    app.store(&user, "q-one").await;
    app.store(&user, "q-two").await;
    let resp = app.create_store(&user, json!({ "name": "q-three" })).await;
    assert!(
        !resp.headers().contains_key("retry-after"),
        "waiting does not free quota"
    );
    let body = problem(resp, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded").await;
    assert_eq!(
        (body["quota"].as_i64(), body["active"].as_i64()),
        (Some(2), Some(2))
    );
    assert!(body["detail"].as_str().unwrap().contains("2 of 2"));
    let me: Value = app.get(&user, "/me").await.json().await.unwrap();
    assert_eq!(
        (me["store_quota"].as_i64(), me["stores_active"].as_i64()),
        (Some(2), Some(2))
    );
}

async fn quota_race(app: TestApp) {
    let user = app.user().await;
    let admin = app.admin().await;
    app.patch(
        &admin,
        &format!("/admin/users/{}", user.id),
        json!({ "store_quota": 5 }),
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = app.client.clone();
        let url = app.api("/stores");
        let token = user.token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "name": format!("race-{i}") }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::ACCEPTED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(accepted, 5);
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_creates_with_quota_five_accept_exactly_five_sqlite() {
    quota_race(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_creates_with_quota_five_accept_exactly_five_postgres() {
    if crate::helpers::postgres_admin_url().is_none() {
        return;
    }
    quota_race(
        TestApp::spawn_with(Options {
            postgres: true,
            ..Default::default()
        })
        .await,
    )
    .await;
}

#[tokio::test]
async fn creation_is_rate_limited_per_user_with_standard_headers() {
    let app = TestApp::spawn_with(
        Options::default()
            .env("STOREFLEET_USER_CREATE_RATE_PER_MINUTE", "3")
            .env("STOREFLEET_DEFAULT_STORE_QUOTA", "50"),
    )
    .await;
    let user = app.user().await;
    for i in 0..3 {
        let resp = app
            .create_store(&user, json!({ "name": format!("rl-{i}") }))
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        assert!(
            resp.headers()["ratelimit-policy"]
                .to_str()
                .unwrap()
                .contains("\"user\";q=3;w=60")
        );
        assert!(resp.headers().contains_key("ratelimit"));
    }
    let resp = app.create_store(&user, json!({ "name": "rl-more" })).await;
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("whole seconds");
    assert!((1..=60).contains(&retry));
    assert!(
        resp.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .contains("r=0")
    );
    let body = problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(body["retry_after"].as_u64(), Some(retry));
    // Another user is not affected by this user's budget.
    let other = app.user().await;
    assert_eq!(
        app.create_store(&other, json!({ "name": "rl-other" }))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    // Invalid requests are refused before they spend the budget.
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn quota_comes_before_the_rate_limit_and_refused_attempts_cost_no_rate() {
    let app = TestApp::spawn_with(
        Options::default()
            .env("STOREFLEET_USER_CREATE_RATE_PER_MINUTE", "2")
            .env("STOREFLEET_DEFAULT_STORE_QUOTA", "1"),
    )
    .await;
    let admin = app.admin().await;
    let user = app.user().await;
    app.store(&user, "first").await;
    // At quota, every attempt hears "quota", never "wait": none of them spends the rate.
    for _ in 0..4 {
        let resp = app.create_store(&user, json!({ "name": "second" })).await;
        assert!(!resp.headers().contains_key("retry-after"));
        problem(resp, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded").await;
    }
    app.patch(
        &admin,
        &format!("/admin/users/{}", user.id),
        json!({ "store_quota": 10 }),
    )
    .await;
    // Invalid and conflicting requests do not spend it either.
    for _ in 0..3 {
        problem(
            app.create_store(&user, json!({ "name": "Bad Name!" }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        problem(
            app.create_store(&user, json!({ "name": "first" })).await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
    // One created store of two per minute so far: one more is allowed, then the limit.
    let resp = app.create_store(&user, json!({ "name": "second" })).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert!(
        resp.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .contains("\"user\";r=0"),
        "{:?}",
        resp.headers()["ratelimit"]
    );
    let limited = problem(
        app.create_store(&user, json!({ "name": "third" })).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    let retry = limited["retry_after"].as_u64().unwrap();
    assert!((50..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn a_store_being_deleted_frees_its_quota_slot_at_once() {
    let app =
        TestApp::spawn_with(Options::default().env("STOREFLEET_DEFAULT_STORE_QUOTA", "1")).await;
    let admin = app.admin().await;
    let user = app.user().await;
    let store = app.store(&user, "short-lived").await;
    let id = store["id"].as_str().unwrap();
    assert_eq!(store["owner_email"], user.email.as_str());
    let resp = app.delete(&user, &format!("/stores/{id}")).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let me: Value = app.get(&user, "/me").await.json().await.unwrap();
    assert_eq!(me["stores_active"], 0, "deleting stores do not count");
    let next = app.store(&user, "replacement").await;
    assert_eq!(next["owner_email"], user.email.as_str());
    let users: Value = app.get(&admin, "/admin/users").await.json().await.unwrap();
    let row = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == user.id.to_string())
        .unwrap()
        .clone();
    assert_eq!(row["stores_active"], 1, "the admin list agrees with /me");
    // Admins see every store's owner.
    let all: Value = app
        .get(&admin, "/stores?all=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["owner_email"] == user.email.as_str())
    );
}

#[tokio::test]
async fn creation_is_rate_limited_per_client_ip() {
    let app =
        TestApp::spawn_with(Options::default().env("STOREFLEET_CREATE_RATE_PER_MINUTE", "2")).await;
    let (a, b, c) = (app.user().await, app.user().await, app.user().await);
    app.store(&a, "ip-one").await;
    app.store(&b, "ip-two").await;
    problem(
        app.create_store(&c, json!({ "name": "ip-three" })).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

fn with_key(app: &TestApp, token: &str, key: &str, body: Value) -> reqwest::RequestBuilder {
    app.client
        .post(app.api("/stores"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
}

#[tokio::test]
async fn idempotency_keys_replay_and_refuse_mismatches() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let first = with_key(&app, &user.token, "key-1", json!({ "name": "idem" }))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let first: Value = first.json().await.unwrap();
    let again = with_key(&app, &user.token, "key-1", json!({ "name": "idem" }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert!(again.headers().contains_key("location"));
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"], "the same store again");
    let mismatch = with_key(&app, &user.token, "key-1", json!({ "name": "idem-two" }))
        .send()
        .await
        .unwrap();
    problem(
        mismatch,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_mismatch",
    )
    .await;
    let too_long = with_key(
        &app,
        &user.token,
        &"k".repeat(256),
        json!({ "name": "idem-three" }),
    )
    .send()
    .await
    .unwrap();
    problem(
        too_long,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // A key whose request was rejected is free again.
    let clash = with_key(&app, &user.token, "key-2", json!({ "name": "idem" }))
        .send()
        .await
        .unwrap();
    problem(clash, StatusCode::CONFLICT, "conflict").await;
    let ok = with_key(&app, &user.token, "key-2", json!({ "name": "idem-four" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_requests_with_one_key_create_one_store() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let req = with_key(&app, &user.token, "same-key", json!({ "name": "once" }));
        tasks.push(tokio::spawn(async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let body: Value = resp.json().await.unwrap();
            (status, body)
        }));
    }
    let mut ids = HashSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::ACCEPTED => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(body["code"], "idempotency_in_progress"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "exactly one store: {ids:?}");
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_event_stream_reports_changes_to_my_stores_only() {
    use futures::StreamExt as _;
    let app = TestApp::spawn().await;
    let (me, other) = (app.user().await, app.user().await);
    let resp = app
        .client
        .get(app.api("/events/stream"))
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = resp.bytes_stream();
    let mut text = String::new();
    // Wait for the stream's greeting so the subscription is live.
    while !text.contains("event: ready") {
        text.push_str(&String::from_utf8_lossy(
            &stream.next().await.unwrap().unwrap(),
        ));
    }
    app.store(&other, "not-mine").await;
    let mine = app.store(&me, "mine").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains(mine["id"].as_str().unwrap()) {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("event in time")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: store"));
    assert!(
        !text.contains("not-mine"),
        "other users' stores are not sent: {text}"
    );
    problem(
        app.client
            .get(app.api("/events/stream"))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn a_display_name_is_given_at_create_trimmed_and_checked() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let resp = app
        .create_store(
            &user,
            json!({ "name": "named-shop", "display_name": "  Ünïcode Café & Co.  " }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let store: Value = resp.json().await.unwrap();
    assert_eq!(store["display_name"], "Ünïcode Café & Co.");
    assert!(
        store.as_object().unwrap().contains_key("checkout_verified")
            && store["checkout_verified"].is_null(),
        "not verified or skipped before Ready: {store}"
    );
    let audit = app.audit_of("store.create").await;
    assert_eq!(audit[0].details["display_name"], "Ünïcode Café & Co.");
    // Without one: null.
    let plain = app.store(&user, "plain-shop").await;
    assert!(plain["display_name"].is_null());

    for (bad, says) in [
        (json!("   "), "empty"),
        (json!("x".repeat(81)), "at most 80"),
        (json!("tab\there"), "control characters"),
        (json!(7), "expected a string"),
    ] {
        let body = problem(
            app.create_store(&user, json!({ "name": "bad-shop", "display_name": bad }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(body.to_string().contains(says), "{bad}: {body}");
    }
    let list: Value = app.get(&user, "/stores").await.json().await.unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "refused creates made nothing"
    );
}

#[tokio::test]
async fn patch_renames_and_clears_the_display_name_audited_owner_or_admin_only() {
    let app = TestApp::spawn().await;
    let owner = app.user().await;
    let store = app.store(&owner, "rename-me").await;
    let id = store["id"].as_str().unwrap().to_owned();
    let path = format!("/stores/{id}");

    let resp = app
        .patch(&owner, &path, json!({ "display_name": " Corner Shop " }))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let renamed: Value = resp.json().await.unwrap();
    assert_eq!(renamed["display_name"], "Corner Shop");
    assert_eq!(renamed["name"], "rename-me", "the address name stays");
    assert_eq!(renamed["domain"], store["domain"]);
    let got: Value = app.get(&owner, &path).await.json().await.unwrap();
    assert_eq!(got["display_name"], "Corner Shop");
    let audit = app.audit_of("store.update").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target_id.as_deref(), Some(id.as_str()));
    assert_eq!(audit[0].actor_id, Some(owner.id));
    assert!(audit[0].details["display_name_before"].is_null());
    assert_eq!(audit[0].details["display_name_after"], "Corner Shop");

    // Bad input: a clear 422 and nothing changes.
    for body in [
        json!({}),
        json!({ "display_name": "" }),
        json!({ "display_name": "a\u{0}b" }),
        json!({ "display_name": "y".repeat(81) }),
        json!({ "display_name": "ok", "name": "other" }),
    ] {
        let err = problem(
            app.patch(&owner, &path, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(err["field_errors"].is_object(), "{body}: {err}");
    }
    let got: Value = app.get(&owner, &path).await.json().await.unwrap();
    assert_eq!(got["display_name"], "Corner Shop");
    assert_eq!(app.audit_of("store.update").await.len(), 1);

    // Another user: 403; an unknown id: 404; without a session: 401.
    let other = app.user().await;
    problem(
        app.patch(&other, &path, json!({ "display_name": "Mine now" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.patch(
            &owner,
            &format!("/stores/{}", uuid::Uuid::new_v4()),
            json!({ "display_name": "Nope" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let anonymous = app
        .client
        .patch(app.api(&path))
        .json(&json!({ "display_name": "Anon" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // An admin may rename anyone's store; null clears it.
    let admin = app.admin().await;
    let resp = app
        .patch(&admin, &path, json!({ "display_name": null }))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let cleared: Value = resp.json().await.unwrap();
    assert!(cleared["display_name"].is_null());
    let audit = app.audit_of("store.update").await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].actor_id, Some(admin.id));
    assert_eq!(audit[0].details["display_name_before"], "Corner Shop");
    assert!(audit[0].details["display_name_after"].is_null());
}

#[tokio::test]
async fn resources_answer_503_naming_the_cluster_quickly_when_it_does_not_answer() {
    let app = TestApp::spawn().await;
    let owner = app.user().await;
    let store = app.store(&owner, "no-cluster").await;
    let path = format!("/stores/{}/resources", store["id"].as_str().unwrap());
    let started = std::time::Instant::now();
    let body = problem(
        app.get(&owner, &path).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "answered in {:?}",
        started.elapsed()
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("cluster") && detail.contains("127.0.0.1:1"),
        "names the cluster: {detail}"
    );
    // The same guards as every store endpoint.
    let other = app.user().await;
    problem(
        app.get(&other, &path).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get(
            &owner,
            &format!("/stores/{}/resources", uuid::Uuid::new_v4()),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
