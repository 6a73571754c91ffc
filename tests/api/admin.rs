//! Administration and the audit log.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

#[tokio::test]
async fn only_admins_reach_admin_endpoints() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    problem(
        app.get(&user, "/admin/users").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.patch(
            &user,
            &format!("/admin/users/{}", user.id),
            json!({ "store_quota": 50 }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let me: Value = app.get(&user, "/me").await.json().await.unwrap();
    assert_eq!(me["store_quota"], 5, "a refused change changes nothing");
}

#[tokio::test]
async fn admins_list_users_with_counts_and_change_quota_and_role() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    app.store(&user, "counted").await;
    let list: Value = app.get(&admin, "/admin/users").await.json().await.unwrap();
    let row = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == user.id.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["stores_active"].as_i64(),
            row["store_quota"].as_i64(),
            row["role"].as_str()
        ),
        (Some(1), Some(5), Some("user"))
    );
    assert!(row["created_at"].is_string());

    let resp = app
        .patch(
            &admin,
            &format!("/admin/users/{}", user.id),
            json!({ "store_quota": 7 }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let updated: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            updated["store_quota"].as_i64(),
            updated["stores_active"].as_i64()
        ),
        (Some(7), Some(1))
    );
    let me: Value = app.get(&user, "/me").await.json().await.unwrap();
    assert_eq!(me["store_quota"], 7);

    let promoted: Value = app
        .patch(
            &admin,
            &format!("/admin/users/{}", user.id),
            json!({ "role": "admin" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(promoted["role"], "admin");
    assert_eq!(
        app.get(&user, "/admin/users").await.status(),
        StatusCode::OK,
        "roles apply at once"
    );

    let audit = app
        .storage
        .audit_events(storefleet::storage::AuditQuery {
            action: Some("admin.user_update".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[1].details["before"]["store_quota"], 5);
    assert_eq!(audit[1].details["after"]["store_quota"], 7);
}

#[tokio::test]
async fn bad_admin_updates_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    let path = format!("/admin/users/{}", user.id);
    for body in [
        json!({}),
        json!({ "store_quota": -1 }),
        json!({ "store_quota": 10001 }),
        json!({ "role": "root" }),
        json!({ "quota": 3 }),
    ] {
        problem(
            app.patch(&admin, &path, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    problem(
        app.patch(
            &admin,
            &format!("/admin/users/{}", uuid::Uuid::new_v4()),
            json!({ "store_quota": 1 }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.patch(&admin, "/admin/users/nope", json!({ "store_quota": 1 }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.patch(
            &admin,
            &format!("/admin/users/{}", admin.id),
            json!({ "role": "user" }),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let me: Value = app.get(&user, "/me").await.json().await.unwrap();
    assert_eq!(me["store_quota"], 5);
}

#[tokio::test]
async fn the_audit_log_shows_who_did_what_from_where() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    let store = app.store(&user, "audited").await;
    let id = store["id"].as_str().unwrap();
    app.delete(&user, &format!("/stores/{id}")).await;

    let mine: Value = app.get(&user, "/audit-events").await.json().await.unwrap();
    let actions: Vec<_> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["store.delete", "store.create", "user.register"]);
    let create = &mine["items"][1];
    assert_eq!(create["actor_id"], user.id.to_string());
    assert_eq!(create["actor_email"], user.email);
    assert_eq!(create["target_type"], "store");
    assert_eq!(create["target_id"], id);
    assert_eq!(create["ip"], "127.0.0.1");
    assert_eq!(create["details"]["name"], "audited");

    let all: Value = app
        .get(&admin, "/audit-events?limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor_id"] == admin.id.to_string())
    );
    let creates: Value = app
        .get(&admin, "/audit-events?action=store.create")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(creates["items"].as_array().unwrap().len(), 1);
    let by_user: Value = app
        .get(&admin, &format!("/audit-events?actor_id={}", user.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_user["items"].as_array().unwrap().len(), 3);
    let page: Value = app
        .get(&admin, "/audit-events?limit=1")
        .await
        .json()
        .await
        .unwrap();
    let cursor = page["items"][0]["id"].as_i64().unwrap();
    let older: Value = app
        .get(&admin, &format!("/audit-events?limit=1&before={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(older["items"][0]["id"].as_i64().unwrap() < cursor);

    problem(
        app.get(&user, &format!("/audit-events?actor_id={}", admin.id))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get(&admin, "/audit-events?limit=0").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.get(&admin, "/audit-events?limit=abc").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn client_ips_come_from_forwarded_for_only_behind_trusted_proxies() {
    let untrusted = TestApp::spawn().await;
    let user = untrusted.user().await;
    untrusted
        .client
        .post(untrusted.api("/stores"))
        .bearer_auth(&user.token)
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({ "name": "spoof" }))
        .send()
        .await
        .unwrap();
    let log: Value = untrusted
        .get(&user, "/audit-events?action=store.create")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["items"][0]["ip"], "127.0.0.1");

    let trusted = TestApp::spawn_with(
        crate::helpers::Options::default().env("STOREFLEET_TRUSTED_PROXIES", "127.0.0.0/8"),
    )
    .await;
    let user = trusted.user().await;
    trusted
        .client
        .post(trusted.api("/stores"))
        .bearer_auth(&user.token)
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({ "name": "proxied" }))
        .send()
        .await
        .unwrap();
    let log: Value = trusted
        .get(&user, "/audit-events?action=store.create")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["items"][0]["ip"], "203.0.113.7");
}
