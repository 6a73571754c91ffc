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
        "cannot_change_self",
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

/// The temporary password in a create or reset answer, after checking it is not cached.
async fn temporary_password(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    assert!(body["temporary_password"].as_str().unwrap().len() >= 20);
    body
}

#[tokio::test]
async fn admins_create_users_with_a_temporary_password_shown_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    // Only admins.
    problem(
        app.post(&user, "/admin/users", json!({ "email": "x@example.com" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    for (body, field) in [
        (json!({ "email": "not an email" }), "email"),
        (
            json!({ "email": "q@example.com", "store_quota": -1 }),
            "store_quota",
        ),
    ] {
        let resp = app.post(&admin, "/admin/users", body).await;
        let p = problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(p["field_errors"][field].is_array(), "{p}");
    }
    problem(
        app.post(
            &admin,
            "/admin/users",
            json!({ "email": "a@example.com", "password": "x" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let created = temporary_password(
        app.post(
            &admin,
            "/admin/users",
            json!({ "email": "New.Hire@Example.com", "store_quota": 3 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["user"]["email"], "New.Hire@Example.com");
    assert_eq!(created["user"]["role"], "user");
    assert_eq!(created["user"]["store_quota"], 3);
    assert_eq!(created["user"]["suspended"], false);
    assert!(created["user"]["last_login_at"].is_null());
    let password = created["temporary_password"].as_str().unwrap().to_owned();
    // The temporary password signs in.
    let login = app.login("new.hire@example.com", &password).await;
    assert_eq!(login.status(), StatusCode::OK);
    // The same email again is a conflict.
    problem(
        app.post(
            &admin,
            "/admin/users",
            json!({ "email": "NEW.HIRE@example.com" }),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Audited, without the password.
    let audit = app.audit_of("admin.user_create").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_id, Some(admin.id));
    assert_eq!(
        audit[0].target_id.as_deref(),
        created["user"]["id"].as_str()
    );
    let details = audit[0].details.to_string();
    assert!(!details.contains(&password), "{details}");
    // The list shows the new user with a sign-in time.
    let list: Value = app.get(&admin, "/admin/users").await.json().await.unwrap();
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "New.Hire@Example.com")
        .unwrap()
        .clone();
    assert!(listed["last_login_at"].is_string(), "{listed}");
    // An admin can be created too.
    let second = temporary_password(
        app.post(
            &admin,
            "/admin/users",
            json!({ "email": "ops@example.com", "role": "admin" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(second["user"]["role"], "admin");
    assert_eq!(second["user"]["store_quota"], 5);
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_returns_a_new_password_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    let path = format!("/admin/users/{}/password-reset", user.id);
    problem(
        app.post(&user, &path, json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.post(&admin, "/admin/users/not-a-uuid/password-reset", json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let body = temporary_password(app.post(&admin, &path, json!({})).await, StatusCode::OK).await;
    assert_eq!(body["sessions_ended"], 1);
    let password = body["temporary_password"].as_str().unwrap();
    // The user's old session has ended, the old password no longer works, the new one does.
    assert_eq!(
        app.get(&user, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&user.email, crate::helpers::PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&user.email, password).await.status(),
        StatusCode::OK
    );
    let audit = app.audit_of("admin.user_password_reset").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target_id, Some(user.id.to_string()));
    assert!(!audit[0].details.to_string().contains(password));
}

#[tokio::test]
async fn suspended_users_cannot_sign_in_and_lose_their_sessions_but_keep_their_stores() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    let store = app.store(&user, "kept-running").await;
    let path = format!("/admin/users/{}", user.id);
    let resp = app.patch(&admin, &path, json!({ "suspended": true })).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["suspended"], true);
    assert_eq!(view["stores_active"], 1);
    // Every session ended at once.
    assert_eq!(
        app.get(&user, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A wrong password hears the usual 401; only the right one learns of the suspension.
    problem(
        app.login(&user.email, "wrong password!").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    problem(
        app.login(&user.email, crate::helpers::PASSWORD).await,
        StatusCode::FORBIDDEN,
        "account_suspended",
    )
    .await;
    // Their store is untouched.
    let got: Value = app
        .get(
            &admin,
            &format!("/stores/{}", store["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["status"], "Pending");
    assert_eq!(got["owner_email"], user.email.as_str());
    // An admin cannot suspend, demote or delete themselves.
    let own = format!("/admin/users/{}", admin.id);
    for body in [json!({ "suspended": true }), json!({ "role": "user" })] {
        problem(
            app.patch(&admin, &own, body).await,
            StatusCode::CONFLICT,
            "cannot_change_self",
        )
        .await;
    }
    problem(
        app.delete(&admin, &own).await,
        StatusCode::CONFLICT,
        "cannot_change_self",
    )
    .await;
    assert_eq!(app.get(&admin, "/me").await.status(), StatusCode::OK);
    // Restored: the password works again.
    let resp = app
        .patch(&admin, &path, json!({ "suspended": false }))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        app.login(&user.email, crate::helpers::PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let suspend = app.audit_of("admin.user_suspend").await;
    let unsuspend = app.audit_of("admin.user_unsuspend").await;
    assert_eq!((suspend.len(), unsuspend.len()), (1, 1));
    assert_eq!(suspend[0].target_id, Some(user.id.to_string()));
    assert_eq!(suspend[0].actor_id, Some(admin.id));
    // Suspending alone records no quota/role update.
    assert!(app.audit_of("admin.user_update").await.is_empty());
}

#[tokio::test]
async fn users_with_stores_cannot_be_deleted_and_deleted_users_are_gone() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user().await;
    app.store(&user, "one").await;
    app.store(&user, "two").await;
    let path = format!("/admin/users/{}", user.id);
    problem(
        app.delete(&user, &path).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let refused = problem(
        app.delete(&admin, &path).await,
        StatusCode::CONFLICT,
        "user_has_stores",
    )
    .await;
    assert_eq!(refused["active"], 2);
    assert!(
        refused["detail"].as_str().unwrap().contains("2 stores"),
        "{refused}"
    );
    assert_eq!(app.get(&user, "/me").await.status(), StatusCode::OK);

    let empty = app.user().await;
    let path = format!("/admin/users/{}", empty.id);
    assert_eq!(
        app.delete(&admin, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&empty, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    problem(
        app.delete(&admin, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let audit = app.audit_of("admin.user_delete").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target_id, Some(empty.id.to_string()));
    assert_eq!(audit[0].details["email"], empty.email.as_str());
    // The email can be registered again.
    assert_eq!(
        app.register(&empty.email, crate::helpers::PASSWORD)
            .await
            .status(),
        StatusCode::CREATED
    );
}
