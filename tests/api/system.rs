//! Health, readiness, metrics, request ids, OpenAPI and framework errors.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Options, TestApp, problem};

#[tokio::test]
async fn healthz_is_ok_and_readyz_names_the_missing_cluster() {
    let app = TestApp::spawn().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    let cluster = body["checks"]["cluster"].as_str().unwrap();
    assert!(
        cluster.starts_with("unreachable") && cluster.contains("127.0.0.1:1"),
        "{cluster}"
    );
    // The API works without a cluster.
    let user = app.user().await;
    assert_eq!(
        app.create_store(&user, serde_json::json!({ "name": "offline" }))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn request_ids_are_generated_or_echoed_and_appear_in_problems() {
    let app = TestApp::spawn().await;
    let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
    let generated = resp.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let resp = app
        .client
        .get(app.api("/me"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-me-123");
    let body = problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(body["request_id"], "trace-me-123");
}

#[tokio::test]
async fn framework_errors_are_problems_too() {
    let app = TestApp::spawn().await;
    problem(
        app.client
            .get(app.api("/nothing-here"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let resp = app.client.put(app.api("/stores")).send().await.unwrap();
    assert!(resp.headers().contains_key("allow"));
    problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    app.get(&user, "/stores").await;
    app.get(&user, "/stores/not-a-uuid").await;
    let text = app.metrics().await;
    assert!(text.contains("storefleet_http_requests_total{method=\"GET\",route=\"/api/v1/stores\",status=\"200\"} 1"), "{text}");
    assert!(
        text.contains("route=\"/api/v1/stores/{id}\",status=\"404\""),
        "{text}"
    );
    assert!(text.contains("storefleet_http_request_duration_seconds_bucket"));
    assert!(text.contains("storefleet_stores{status=\"Pending\"} 0"));
    assert!(text.contains("storefleet_work_queue_due 0"));
    // Each scrape runs the readiness checks: the database answers, the test cluster does not.
    assert!(
        text.contains("storefleet_dependency_up{dependency=\"database\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("storefleet_dependency_up{dependency=\"cluster\"} 0"),
        "{text}"
    );
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = TestApp::spawn().await;
    let served = app
        .client
        .get(app.api("/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/stores",
        "/api/v1/stores/{id}",
        "/api/v1/auth/login",
        "/api/v1/admin/users/{id}",
        "/api/v1/audit-events",
        "/readyz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("openapi.json is committed (regenerate with `storefleet openapi > openapi.json`)");
    assert_eq!(
        served, committed,
        "openapi.json is stale: run `cargo run -q -- openapi > openapi.json`"
    );
}

fn engine_ids(info: &Value) -> Vec<(String, bool)> {
    info["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e["default"] == true))
        .collect()
}

#[tokio::test]
async fn info_lists_the_engines_offered_the_default_first() {
    let app = TestApp::spawn().await;
    let info = app.info().await;
    assert_eq!(info["signup"], "open");
    assert_eq!(info["base_domain"], "stores.localhost");
    assert_eq!(
        engine_ids(&info),
        [
            ("woocommerce".to_owned(), true),
            ("medusa".to_owned(), false)
        ]
    );
    // What each engine can rotate, so a client offers only that.
    let rotatable: Vec<&Value> = info["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["rotatable_credentials"])
        .collect();
    assert_eq!(
        rotatable,
        [
            &serde_json::json!(["admin_password", "database_passwords", "salts"]),
            &serde_json::json!([])
        ]
    );
    let medusa_first =
        TestApp::spawn_with(Options::default().env("STOREFLEET_ENGINES", "medusa")).await;
    assert_eq!(
        engine_ids(&medusa_first.info().await),
        [("medusa".to_owned(), true)]
    );
}
