//! One-click admin login links and credential rotation: who may ask, and what is refused
//! before anything changes. (Links that really log in and rotations that really apply are
//! in `scripts/test-real-store`; the engine side of a rotation in `engine.rs`.)

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

async fn audits(app: &TestApp, action: &str) -> usize {
    app.audit_of(action).await.len()
}

#[tokio::test]
async fn admin_login_is_for_the_owner_or_an_admin_of_a_ready_woocommerce_store() {
    let app = TestApp::spawn().await;
    let owner = app.user().await;
    let store = app.store(&owner, "login-shop").await;
    let id = store["id"].as_str().unwrap();
    let path = format!("/stores/{id}/admin-login");

    let body = problem(
        app.post(&owner, &path, json!({})).await,
        StatusCode::CONFLICT,
        "not_ready",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("Ready"), "{body}");
    let admin = app.admin().await;
    problem(
        app.post(&admin, &path, json!({})).await,
        StatusCode::CONFLICT,
        "not_ready",
    )
    .await;
    let stranger = app.user().await;
    problem(
        app.post(&stranger, &path, json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.post(&owner, "/stores/not-a-uuid/admin-login", json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let anonymous = reqwest::Client::new()
        .post(app.api(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let medusa: Value = app
        .create_store(&owner, json!({ "name": "medusa-shop", "engine": "medusa" }))
        .await
        .json()
        .await
        .unwrap();
    let body = problem(
        app.post(
            &owner,
            &format!("/stores/{}/admin-login", medusa["id"].as_str().unwrap()),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "not_supported_for_engine",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("WooCommerce"),
        "{body}"
    );
    assert_eq!(
        audits(&app, "store.admin_login").await,
        0,
        "refusals are not logins"
    );
}

#[tokio::test]
async fn rotation_checks_who_what_and_when_before_changing_anything() {
    let app = TestApp::spawn().await;
    let owner = app.user().await;
    let store = app.store(&owner, "rotate-shop").await;
    let id = store["id"].as_str().unwrap();
    let path = format!("/stores/{id}/credentials/rotate");

    // Nothing to rotate, unknown kinds and non-boolean values: 422.
    let body = problem(
        app.post(
            &owner,
            &path,
            json!({ "admin_password": false, "database_passwords": false, "salts": false }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("at least one"),
        "{body}"
    );
    problem(
        app.post(&owner, &path, json!({ "api_keys": true })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.post(&owner, &path, json!({ "salts": "yes" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // A store that is not Ready: 409, for the owner and for an admin.
    for who in [&owner, &app.admin().await] {
        problem(
            app.post(who, &path, json!({})).await,
            StatusCode::CONFLICT,
            "not_ready",
        )
        .await;
    }
    problem(
        app.post(&app.user().await, &path, json!({ "salts": true }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Medusa stores cannot rotate yet, whatever the kind.
    let medusa: Value = app
        .create_store(&owner, json!({ "name": "medusa-rot", "engine": "medusa" }))
        .await
        .json()
        .await
        .unwrap();
    let body = problem(
        app.post(
            &owner,
            &format!(
                "/stores/{}/credentials/rotate",
                medusa["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "not_supported_for_engine",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("Medusa"),
        "{body}"
    );

    let after: Value = app
        .get(&owner, &format!("/stores/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], store["status"], "nothing changed");
    assert_eq!(audits(&app, "store.credentials_rotate").await, 0);
}
