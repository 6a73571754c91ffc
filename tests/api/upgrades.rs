//! Store upgrades, rollbacks and fleet rollouts through the API: who may, what is
//! refused and why. (The engine's side, on a fake cluster, is in the library's
//! `provision::tests`; on simulated nodes in `engine`.)

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

#[tokio::test]
async fn only_a_ready_store_of_ones_own_can_be_upgraded_or_rolled_back() {
    let app = TestApp::spawn().await;
    let (owner, other) = (app.user().await, app.user().await);
    let store = app.store(&owner, "upgradable").await;
    let id = store["id"].as_str().unwrap();
    assert_eq!(store["revision"], Value::Null);
    for path in ["upgrade", "rollback"] {
        problem(
            app.post(
                &other,
                &format!("/stores/{id}/{path}"),
                json!({ "revision": 1 }),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    let body = problem(
        app.post(&owner, &format!("/stores/{id}/upgrade"), json!({}))
            .await,
        StatusCode::CONFLICT,
        "not_ready",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("Pending"),
        "{body}"
    );
    problem(
        app.post(
            &owner,
            &format!("/stores/{id}/rollback"),
            json!({ "revision": 1 }),
        )
        .await,
        StatusCode::CONFLICT,
        "not_ready",
    )
    .await;
    for bad in [
        json!({}),
        json!({ "revision": 0 }),
        json!({ "revision": "1" }),
        json!({ "revision": 1.5 }),
        json!({ "revision": 1, "extra": true }),
    ] {
        let resp = app
            .post(&owner, &format!("/stores/{id}/rollback"), bad.clone())
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // A Pending store has no release yet: an empty history, nothing to upgrade.
    let revisions: Value = app
        .get(&owner, &format!("/stores/{id}/revisions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        revisions,
        json!({ "upgrade_available": false, "current_revision": null, "items": [] })
    );
    problem(
        app.get(&other, &format!("/stores/{id}/revisions")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(
        app.audit_of("store.upgrade").await.is_empty(),
        "a refusal changes nothing"
    );
}

#[tokio::test]
async fn fleet_upgrades_are_for_admins_and_refuse_what_they_cannot_do() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    problem(
        app.post(
            &user,
            "/admin/fleet/upgrades",
            json!({ "engine": "woocommerce" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get(&user, "/admin/fleet/upgrades").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let admin = app.admin().await;
    for (bad, field) in [
        (json!({ "engine": "magento" }), "engine"),
        (
            json!({ "engine": "woocommerce", "max_unavailable": 0 }),
            "max_unavailable",
        ),
        (
            json!({ "engine": "woocommerce", "max_unavailable": 51 }),
            "max_unavailable",
        ),
        (
            json!({ "engine": "woocommerce", "max_failures": "2" }),
            "max_failures",
        ),
    ] {
        let body = problem(
            app.post(&admin, "/admin/fleet/upgrades", bad.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(body["field_errors"][field].is_array(), "{bad}: {body}");
    }
    // No Ready store runs an older chart: nothing to do, and nothing recorded.
    app.store(&user, "not-ready-yet").await;
    problem(
        app.post(
            &admin,
            "/admin/fleet/upgrades",
            json!({ "engine": "woocommerce", "max_unavailable": 5 }),
        )
        .await,
        StatusCode::CONFLICT,
        "nothing_to_upgrade",
    )
    .await;
    let list: Value = app
        .get(&admin, "/admin/fleet/upgrades")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!({ "items": [] }));
    let unknown = uuid::Uuid::new_v4();
    problem(
        app.get(&admin, &format!("/admin/fleet/upgrades/{unknown}"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for action in ["pause", "resume", "cancel"] {
        problem(
            app.post(
                &admin,
                &format!("/admin/fleet/upgrades/{unknown}/{action}"),
                json!({}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        problem(
            app.post(
                &admin,
                &format!("/admin/fleet/upgrades/not-an-id/{action}"),
                json!({}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    assert!(app.audit_of("fleet.upgrade_start").await.is_empty());
}
