//! The storage conformance suite: every test runs against SQLite and against a real
//! PostgreSQL server, each on a fresh database.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use storefleet::domain::{Engine, LifecycleEvent, Role, StoreStatus};
use storefleet::storage::*;
use uuid::Uuid;

use crate::helpers::{PgDb, TestDb, connect, postgres_admin_url, sqlite_db};

/// Runs `$test(storage)` on SQLite and on PostgreSQL.
macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let dir = tempfile::tempdir().unwrap();
                    let db = super::sqlite_db(&dir).await;
                    super::$test(super::connect(&db).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let Some(admin) = super::postgres_admin_url() else { return };
                    let db = super::TestDb::Postgres(super::PgDb::create(&admin).await);
                    super::$test(super::connect(&db).await).await;
                }
            )*
        }
    };
}

conformance!(
    users_are_unique_by_email_case_insensitively,
    users_can_be_updated_and_listed_with_counts,
    quota_name_and_domain_rules_hold,
    twenty_parallel_creates_with_quota_five_accept_exactly_five,
    idempotency_keys_replay_mismatch_and_progress,
    two_concurrent_claimers_never_get_the_same_store,
    expired_leases_can_be_claimed_again,
    expediting_brings_a_waiting_store_forward_but_never_a_leased_one,
    an_expedited_store_goes_ahead_of_stores_already_due,
    release_records_outcomes_and_gone_frees_name,
    owner_changes_supersede_a_working_lease,
    delete_and_retry_follow_the_lifecycle,
    audit_events_filter_and_page,
    store_events_come_back_in_order,
    queue_stats_count_by_status,
    migrations_are_idempotent,
    sessions_live_until_revoked_or_expired,
    the_write_probe_writes,
    deleting_stores_free_their_quota_slot_and_stores_carry_the_owner_email,
    users_with_stores_cannot_be_deleted_and_deleted_users_leave_nothing_behind,
    own_sessions_are_listed_and_ended_and_suspension_ends_them_all,
);

pub(crate) fn new_user(email: &str) -> NewUser {
    NewUser {
        id: Uuid::new_v4(),
        email: email.to_owned(),
        email_key: email.to_lowercase(),
        password_hash: "$argon2id$fake".to_owned(),
        role: Role::User,
        store_quota: 5,
        now: Utc::now(),
    }
}

fn audit(action: &str, actor: Option<Uuid>) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        actor_id: actor,
        actor_email: None,
        action: action.to_owned(),
        target_type: None,
        target_id: None,
        ip: Some("127.0.0.1".to_owned()),
        details: json!({"k": "v"}),
    }
}

pub(crate) fn new_store(owner: Uuid, name: &str) -> CreateStore {
    let id = Uuid::new_v4();
    CreateStore {
        store: NewStore {
            id,
            owner_id: owner,
            name: name.to_owned(),
            engine: Engine::WooCommerce,
            domain: format!("{name}-{}.stores.localhost", &id.simple().to_string()[..5]),
            namespace: format!("store-{}", &id.simple().to_string()[..8]),
            status_reason: "Waiting".to_owned(),
            steps_total: 8,
            display_name: None,
            now: Utc::now(),
        },
        quota: 5,
        idempotency_key: None,
        audit: audit("store.create", Some(owner)),
    }
}

async fn user(db: &Arc<dyn Storage>) -> User {
    db.create_user(new_user(&format!(
        "u-{}@example.com",
        Uuid::new_v4().simple()
    )))
    .await
    .unwrap()
}

pub(crate) fn outcome(event: LifecycleEvent) -> Outcome {
    Outcome {
        event,
        status_reason: format!("{event:?}"),
        step: Some("release".to_owned()),
        steps_done: 4,
        next_attempt_at: None,
        attempts: 0,
        urls: None,
        applied: None,
        upgrade_result: None,
        checkout_verified: None,
    }
}

async fn users_are_unique_by_email_case_insensitively(db: Arc<dyn Storage>) {
    let u = db.create_user(new_user("Ann@Example.com")).await.unwrap();
    let err = db
        .create_user(new_user("ann@EXAMPLE.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DbError::Conflict(Conflict::EmailTaken)),
        "{err:?}"
    );
    let (found, hash) = db
        .user_credentials("ann@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, u.id);
    assert_eq!(found.email, "Ann@Example.com");
    assert_eq!(hash, "$argon2id$fake");
    assert_eq!(
        db.user_by_id(u.id).await.unwrap().unwrap().email,
        "Ann@Example.com"
    );
    assert!(db.user_by_id(Uuid::new_v4()).await.unwrap().is_none());
    db.set_password_hash(u.id, "$argon2id$new", Utc::now())
        .await
        .unwrap();
    assert_eq!(
        db.user_credentials("ann@example.com")
            .await
            .unwrap()
            .unwrap()
            .1,
        "$argon2id$new"
    );
}

async fn users_can_be_updated_and_listed_with_counts(db: Arc<dyn Storage>) {
    let a = user(&db).await;
    let b = user(&db).await;
    db.create_store(new_store(a.id, "shop-one")).await.unwrap();
    db.create_store(new_store(a.id, "shop-two")).await.unwrap();
    let updated = db
        .update_user(
            b.id,
            UserUpdate {
                store_quota: Some(9),
                role: Some(Role::Admin),
                suspended: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!((updated.store_quota, updated.role), (9, Role::Admin));
    let only_quota = db
        .update_user(
            b.id,
            UserUpdate {
                store_quota: Some(2),
                role: None,
                suspended: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!((only_quota.store_quota, only_quota.role), (2, Role::Admin));
    let users = db.list_users().await.unwrap();
    let count = |id| {
        users
            .iter()
            .find(|u| u.user.id == id)
            .unwrap()
            .stores_active
    };
    assert_eq!((count(a.id), count(b.id)), (2, 0));
    assert_eq!(db.count_live_stores(a.id).await.unwrap(), 2);
    let missing = db
        .update_user(Uuid::new_v4(), UserUpdate::default(), Utc::now())
        .await;
    assert!(matches!(missing, Err(DbError::NotFound)));
}

async fn quota_name_and_domain_rules_hold(db: Arc<dyn Storage>) {
    let a = user(&db).await;
    let b = user(&db).await;
    let mut first = new_store(a.id, "acme");
    first.quota = 2;
    let s1 = db.create_store(first).await.unwrap();
    assert_eq!(s1.status, StoreStatus::Pending);
    assert_eq!(s1.desired, storefleet::domain::Desired::Present);
    assert!(s1.next_attempt_at.is_some(), "a new store is due at once");

    let same_name = db.create_store(new_store(a.id, "acme")).await.unwrap_err();
    assert!(
        matches!(same_name, DbError::Conflict(Conflict::StoreNameTaken)),
        "{same_name:?}"
    );
    // Another owner may use the same name.
    db.create_store(new_store(b.id, "acme")).await.unwrap();

    let mut same_domain = new_store(b.id, "other");
    same_domain.store.domain = s1.domain.clone();
    let err = db.create_store(same_domain).await.unwrap_err();
    assert!(
        matches!(err, DbError::Conflict(Conflict::DomainTaken)),
        "{err:?}"
    );

    let mut second = new_store(a.id, "second");
    second.quota = 2;
    db.create_store(second).await.unwrap();
    let mut third = new_store(a.id, "third");
    third.quota = 2;
    let err = db.create_store(third).await.unwrap_err();
    assert!(
        matches!(
            err,
            DbError::QuotaExceeded {
                quota: 2,
                active: 2
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        db.list_stores(Some(a.id)).await.unwrap().len(),
        2,
        "a rejected create stores nothing"
    );
}

async fn twenty_parallel_creates_with_quota_five_accept_exactly_five(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = db.clone();
        let mut req = new_store(owner.id, &format!("race-{i}"));
        req.quota = 5;
        tasks.push(tokio::spawn(async move { db.create_store(req).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(DbError::QuotaExceeded { .. }) => {}
            Err(e) => panic!("unexpected error under concurrency: {e:?}"),
        }
    }
    assert_eq!(ok, 5);
    assert_eq!(db.count_live_stores(owner.id).await.unwrap(), 5);
}

async fn idempotency_keys_replay_mismatch_and_progress(db: Arc<dyn Storage>) {
    let u = user(&db).await;
    let now = Utc::now();
    assert_eq!(
        db.begin_idempotent(u.id, "k1", "h1", now).await.unwrap(),
        IdempotencyStart::Fresh
    );
    // Second arrival while the first has not finished.
    assert!(matches!(
        db.begin_idempotent(u.id, "k1", "h1", now).await,
        Err(DbError::IdempotencyInProgress)
    ));
    let mut req = new_store(u.id, "idem");
    req.idempotency_key = Some("k1".to_owned());
    let store = db.create_store(req).await.unwrap();
    assert_eq!(
        db.begin_idempotent(u.id, "k1", "h1", now).await.unwrap(),
        IdempotencyStart::Replay(store.id)
    );
    assert!(matches!(
        db.begin_idempotent(u.id, "k1", "other", now).await,
        Err(DbError::IdempotencyMismatch)
    ));
    // Keys are per user.
    let v = user(&db).await;
    assert_eq!(
        db.begin_idempotent(v.id, "k1", "h1", now).await.unwrap(),
        IdempotencyStart::Fresh
    );
    // A rejected request gives its key back.
    db.abandon_idempotent(v.id, "k1").await.unwrap();
    assert_eq!(
        db.begin_idempotent(v.id, "k1", "h2", now).await.unwrap(),
        IdempotencyStart::Fresh
    );
    // A reservation abandoned by a crash is taken over after a while; old keys expire.
    let later = now + chrono::Duration::minutes(5);
    assert_eq!(
        db.begin_idempotent(v.id, "k1", "h3", later).await.unwrap(),
        IdempotencyStart::Fresh
    );
    let next_day = now + chrono::Duration::hours(25);
    assert_eq!(
        db.begin_idempotent(u.id, "k1", "h9", next_day)
            .await
            .unwrap(),
        IdempotencyStart::Fresh
    );
    assert!(
        db.purge_idempotency(next_day + chrono::Duration::seconds(1))
            .await
            .unwrap()
            >= 1
    );
}

async fn two_concurrent_claimers_never_get_the_same_store(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let mut ids = HashSet::new();
    for i in 0..40 {
        let mut req = new_store(owner.id, &format!("claim-{i}"));
        req.quota = 100;
        ids.insert(db.create_store(req).await.unwrap().id);
    }
    let now = Utc::now() + chrono::Duration::seconds(1);
    let claim = |worker: &'static str| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = db
                    .claim_due(worker, 3, Duration::from_secs(60), now)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                for s in &got {
                    assert_eq!(s.lease_owner.as_deref(), Some(worker));
                }
                mine.extend(got.into_iter().map(|s| s.id));
            }
        })
    };
    let (a, b) = (claim("worker-a"), claim("worker-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let a_set: HashSet<_> = a.iter().copied().collect();
    let b_set: HashSet<_> = b.iter().copied().collect();
    assert_eq!(a.len(), a_set.len());
    assert!(a_set.is_disjoint(&b_set), "a store was claimed twice");
    assert_eq!(a_set.len() + b_set.len(), 40);
    assert_eq!(&(&a_set | &b_set), &ids);
}

async fn expired_leases_can_be_claimed_again(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let store = db.create_store(new_store(owner.id, "lease")).await.unwrap();
    let t0 = Utc::now() + chrono::Duration::seconds(1);
    let got = db
        .claim_due("w1", 10, Duration::from_secs(30), t0)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert!(
        db.claim_due("w2", 10, Duration::from_secs(30), t0)
            .await
            .unwrap()
            .is_empty()
    );
    // Renewal keeps it.
    let t1 = t0 + chrono::Duration::seconds(20);
    assert!(
        db.renew_lease(store.id, "w1", Duration::from_secs(30), t1)
            .await
            .unwrap()
    );
    assert!(
        !db.renew_lease(store.id, "w2", Duration::from_secs(30), t1)
            .await
            .unwrap()
    );
    let t2 = t0 + chrono::Duration::seconds(40);
    assert!(
        db.claim_due("w2", 10, Duration::from_secs(30), t2)
            .await
            .unwrap()
            .is_empty(),
        "renewed lease holds"
    );
    // Expired: anyone may take it, and the old holder has lost it.
    let t3 = t1 + chrono::Duration::seconds(31);
    let got = db
        .claim_due("w2", 10, Duration::from_secs(30), t3)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].lease_owner.as_deref(), Some("w2"));
    assert!(
        !db.renew_lease(store.id, "w1", Duration::from_secs(30), t3)
            .await
            .unwrap()
    );
    let lost = db
        .release(store.id, "w1", outcome(LifecycleEvent::Work), t3)
        .await
        .unwrap();
    assert_eq!(lost, Released::LeaseLost);
    let progress = Progress {
        event: LifecycleEvent::Work,
        step: Some("namespace".into()),
        steps_done: 2,
        status_reason: "Creating namespace".into(),
    };
    assert!(
        !db.record_progress(store.id, "w1", progress.clone(), t3)
            .await
            .unwrap()
    );
    assert!(
        db.record_progress(store.id, "w2", progress, t3)
            .await
            .unwrap()
    );
    let s = db.get_store(store.id).await.unwrap().unwrap();
    assert_eq!(
        (s.status, s.steps_done, s.step.as_deref()),
        (StoreStatus::Provisioning, 2, Some("namespace"))
    );
}

async fn expediting_brings_a_waiting_store_forward_but_never_a_leased_one(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let store = db.create_store(new_store(owner.id, "soon")).await.unwrap();
    let t0 = Utc::now() + chrono::Duration::seconds(1);
    assert!(
        !db.expedite(store.id, t0).await.unwrap(),
        "a new store is due already"
    );
    db.claim_due("w1", 1, Duration::from_secs(30), t0)
        .await
        .unwrap();
    assert!(
        !db.expedite(store.id, t0).await.unwrap(),
        "a leased store is left to its worker"
    );
    let mut later = outcome(LifecycleEvent::Work);
    later.next_attempt_at = Some(t0 + chrono::Duration::seconds(60));
    db.release(store.id, "w1", later, t0).await.unwrap();
    let t1 = t0 + chrono::Duration::seconds(1);
    assert!(
        db.claim_due("w2", 1, Duration::from_secs(30), t1)
            .await
            .unwrap()
            .is_empty(),
        "waits a minute"
    );
    assert!(db.expedite(store.id, t1).await.unwrap());
    let got = db
        .claim_due("w2", 1, Duration::from_secs(30), t1)
        .await
        .unwrap();
    assert_eq!(got.len(), 1, "due at once after expedite");
    assert!(!db.expedite(Uuid::new_v4(), t1).await.unwrap());
}

/// What it waited for has happened (its namespace is gone): it finishes before the
/// first passes of a bulk delete queued earlier, instead of waiting behind all of them.
async fn an_expedited_store_goes_ahead_of_stores_already_due(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let waiting = db
        .create_store(new_store(owner.id, "waiting"))
        .await
        .unwrap();
    let t0 = Utc::now() + chrono::Duration::seconds(1);
    db.claim_due("w1", 1, Duration::from_secs(30), t0)
        .await
        .unwrap();
    let mut later = outcome(LifecycleEvent::Work);
    later.next_attempt_at = Some(t0 + chrono::Duration::seconds(60));
    db.release(waiting.id, "w1", later, t0).await.unwrap();
    // Three stores queued after it, all due before the wake-up comes.
    let mut queued = Vec::new();
    for name in ["queued-a", "queued-b", "queued-c"] {
        queued.push(db.create_store(new_store(owner.id, name)).await.unwrap().id);
    }
    let t1 = t0 + chrono::Duration::seconds(5);
    assert!(db.expedite(waiting.id, t1).await.unwrap());
    let got = db
        .claim_due("w2", 1, Duration::from_secs(30), t1)
        .await
        .unwrap();
    assert_eq!(
        got.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![waiting.id],
        "the expedited store comes first, before {queued:?}"
    );
    let rest = db
        .claim_due("w2", 10, Duration::from_secs(30), t1)
        .await
        .unwrap();
    assert_eq!(rest.len(), 3, "the others are still due");
}

async fn release_records_outcomes_and_gone_frees_name(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let store = db.create_store(new_store(owner.id, "flow")).await.unwrap();
    let mut now = Utc::now() + chrono::Duration::seconds(1);
    let pass = |event: LifecycleEvent, urls: Option<(String, String)>| {
        let mut o = outcome(event);
        o.urls = urls;
        o.next_attempt_at = Some(Utc::now());
        o
    };
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    let Released::Applied(s) = db
        .release(store.id, "w", pass(LifecycleEvent::Work, None), now)
        .await
        .unwrap()
    else {
        panic!("applied")
    };
    assert_eq!(s.status, StoreStatus::Provisioning);
    assert!(s.lease_owner.is_none());
    now += chrono::Duration::seconds(1);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    let urls = Some((
        "http://flow.example.com/".to_owned(),
        "http://flow.example.com/wp-admin/".to_owned(),
    ));
    let Released::Applied(s) = db
        .release(store.id, "w", pass(LifecycleEvent::Succeed, urls), now)
        .await
        .unwrap()
    else {
        panic!("applied")
    };
    assert_eq!(s.status, StoreStatus::Ready);
    assert_eq!(
        s.ready_at.map(|t| t.timestamp_millis()),
        Some(now.timestamp_millis())
    );
    assert_eq!(s.url.as_deref(), Some("http://flow.example.com/"));
    // A forbidden transition is never written: Ready cannot fail straight away.
    now += chrono::Duration::seconds(1);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    let r = db
        .release(store.id, "w", pass(LifecycleEvent::Fail, None), now)
        .await
        .unwrap();
    assert!(
        matches!(r, Released::Superseded(ref s) if s.status == StoreStatus::Ready),
        "{r:?}"
    );
    // Delete, then the engine reports it gone.
    db.request_delete(store.id, audit("store.delete", Some(owner.id)), now)
        .await
        .unwrap();
    now += chrono::Duration::seconds(1);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    let Released::Applied(s) = db
        .release(store.id, "w", pass(LifecycleEvent::Gone, None), now)
        .await
        .unwrap()
    else {
        panic!("applied")
    };
    assert!(s.is_deleted());
    assert!(db.list_stores(Some(owner.id)).await.unwrap().is_empty());
    assert!(
        db.claim_due(
            "w",
            1,
            Duration::from_secs(60),
            now + chrono::Duration::hours(1)
        )
        .await
        .unwrap()
        .is_empty()
    );
    // The name and domain are free again; the old row remains for the record.
    let mut again = new_store(owner.id, "flow");
    again.store.domain = store.domain.clone();
    db.create_store(again).await.unwrap();
    assert!(db.get_store(store.id).await.unwrap().unwrap().is_deleted());
}

async fn owner_changes_supersede_a_working_lease(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let store = db.create_store(new_store(owner.id, "busy")).await.unwrap();
    let now = Utc::now() + chrono::Duration::seconds(1);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    db.request_delete(store.id, audit("store.delete", Some(owner.id)), now)
        .await
        .unwrap();
    let r = db
        .release(store.id, "w", outcome(LifecycleEvent::Succeed), now)
        .await
        .unwrap();
    let Released::Superseded(s) = r else {
        panic!("{r:?}")
    };
    assert_eq!(s.status, StoreStatus::Deleting);
    assert!(s.lease_owner.is_none());
    assert!(s.next_attempt_at.is_some(), "due again so teardown starts");
}

async fn delete_and_retry_follow_the_lifecycle(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let store = db.create_store(new_store(owner.id, "life")).await.unwrap();
    let err = db
        .request_retry(store.id, audit("store.retry", None), Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, DbError::Transition(_)),
        "only Failed stores can be retried"
    );
    // Fail it through the engine path.
    let now = Utc::now() + chrono::Duration::seconds(1);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    db.release(store.id, "w", outcome(LifecycleEvent::Fail), now)
        .await
        .unwrap();
    let failed = db.get_store(store.id).await.unwrap().unwrap();
    assert_eq!(failed.status, StoreStatus::Failed);
    let retried = db
        .request_retry(store.id, audit("store.retry", None), now)
        .await
        .unwrap();
    assert_eq!(retried.status, StoreStatus::Provisioning);
    assert!(retried.next_attempt_at.is_some());
    let deleting = db
        .request_delete(store.id, audit("store.delete", None), now)
        .await
        .unwrap();
    assert_eq!(
        (deleting.status, deleting.desired),
        (StoreStatus::Deleting, storefleet::domain::Desired::Absent)
    );
    let again = db
        .request_delete(store.id, audit("store.delete", None), now)
        .await
        .unwrap();
    assert_eq!(again.status, StoreStatus::Deleting);
    assert!(matches!(
        db.request_delete(Uuid::new_v4(), audit("x", None), now)
            .await,
        Err(DbError::NotFound)
    ));
    let events = db.store_events(store.id).await.unwrap();
    let messages: Vec<_> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| **m == "Deletion requested")
            .count(),
        1,
        "{messages:?}"
    );
    assert!(messages.contains(&"Retry requested"));
}

async fn audit_events_filter_and_page(db: Arc<dyn Storage>) {
    let a = user(&db).await;
    let b = user(&db).await;
    for i in 0..5 {
        db.record_audit(audit(
            if i % 2 == 0 {
                "user.login"
            } else {
                "store.create"
            },
            Some(a.id),
        ))
        .await
        .unwrap();
    }
    db.record_audit(audit("user.login", Some(b.id)))
        .await
        .unwrap();
    let all = db
        .audit_events(AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(all[0].details, json!({"k": "v"}));
    let mine = db
        .audit_events(AuditQuery {
            actor: Some(a.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 5);
    let logins = db
        .audit_events(AuditQuery {
            actor: Some(a.id),
            action: Some("user.login".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(logins.len(), 3);
    let page1 = db
        .audit_events(AuditQuery {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    let page2 = db
        .audit_events(AuditQuery {
            limit: 2,
            before: Some(page1[1].id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page2.len(), 2);
    assert!(page2[0].id < page1[1].id);
}

async fn store_events_come_back_in_order(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    let store = db
        .create_store(new_store(owner.id, "events"))
        .await
        .unwrap();
    for (i, level) in [EventLevel::Info, EventLevel::Warning, EventLevel::Error]
        .into_iter()
        .enumerate()
    {
        db.add_store_event(NewStoreEvent {
            store_id: store.id,
            at: Utc::now(),
            level,
            step: Some(format!("step-{i}")),
            message: format!("message {i}"),
            duration_ms: Some(i as i64 * 10),
        })
        .await
        .unwrap();
    }
    let events = db.store_events(store.id).await.unwrap();
    assert_eq!(events.len(), 4, "creation event plus three");
    assert!(events[0].message.starts_with("Store requested"));
    assert_eq!(events[3].level, EventLevel::Error);
    assert_eq!(events[2].duration_ms, Some(10));
}

async fn queue_stats_count_by_status(db: Arc<dyn Storage>) {
    let owner = user(&db).await;
    for i in 0..3 {
        db.create_store(new_store(owner.id, &format!("q-{i}")))
            .await
            .unwrap();
    }
    let now = Utc::now() + chrono::Duration::seconds(2);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    let stats = db.queue_stats(now).await.unwrap();
    assert_eq!(stats.by_status, vec![(StoreStatus::Pending, 3)]);
    assert_eq!((stats.due, stats.leased), (2, 1));
    assert!(stats.oldest_due_secs >= 1);
    assert_eq!(stats.oldest_lease_secs, 0, "the lease was taken just now");
    // 40 s on, the same lease (renewed, not retaken) is 40 s old; a released one counts no more.
    let later = now + chrono::Duration::seconds(40);
    let leased = db
        .claim_due("w2", 5, Duration::from_secs(60), now)
        .await
        .unwrap();
    assert_eq!(leased.len(), 2, "the other two are claimed too");
    assert!(db.give_back(leased[0].id, "w2", now).await.unwrap());
    let stats = db.queue_stats(later).await.unwrap();
    assert_eq!(stats.leased, 2);
    assert_eq!(stats.oldest_lease_secs, 40);
}

async fn migrations_are_idempotent(db: Arc<dyn Storage>) {
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    db.ping().await.unwrap();
}

fn session(user: Uuid, id: &str, ttl_secs: i64) -> NewSession {
    NewSession {
        id: id.to_owned(),
        user_id: user,
        created_at: Utc::now(),
        expires_at: Utc::now() + chrono::Duration::seconds(ttl_secs),
        user_agent: Some("test agent".to_owned()),
        ip: Some("192.0.2.1".to_owned()),
    }
}

async fn sessions_live_until_revoked_or_expired(db: Arc<dyn Storage>) {
    let alice = user(&db).await;
    let bob = user(&db).await;
    let now = Utc::now();
    for (who, id) in [
        (alice.id, "a1"),
        (alice.id, "a2"),
        (alice.id, "a3"),
        (bob.id, "b1"),
    ] {
        db.create_session(session(who, id, 3600)).await.unwrap();
    }
    db.create_session(session(alice.id, "old", -1))
        .await
        .unwrap();
    assert_eq!(
        db.session_user("a1", now).await.unwrap().unwrap().id,
        alice.id
    );
    assert!(
        db.session_user("old", now).await.unwrap().is_none(),
        "expired"
    );
    assert!(
        db.session_user("nope", now).await.unwrap().is_none(),
        "unknown"
    );
    assert_eq!(db.count_sessions(alice.id, now).await.unwrap(), 3);

    assert!(db.revoke_session("a1", now).await.unwrap());
    assert!(
        !db.revoke_session("a1", now).await.unwrap(),
        "already ended"
    );
    assert!(db.session_user("a1", now).await.unwrap().is_none());

    // A password change keeps the session it came from and ends the others.
    let ended = db
        .change_password(alice.id, "$argon2id$new", Some("a2"), now)
        .await
        .unwrap();
    assert_eq!(ended, 1, "a3 ended; a1 was already");
    assert!(db.session_user("a2", now).await.unwrap().is_some());
    assert!(db.session_user("a3", now).await.unwrap().is_none());
    assert!(
        db.session_user("b1", now).await.unwrap().is_some(),
        "other users untouched"
    );
    let (_, hash) = db
        .user_credentials(&alice.email.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash, "$argon2id$new");

    assert_eq!(db.revoke_user_sessions(bob.id, None, now).await.unwrap(), 1);
    assert!(db.session_user("b1", now).await.unwrap().is_none());
    assert_eq!(
        db.purge_sessions(now).await.unwrap(),
        1,
        "only the expired row"
    );
    assert!(matches!(
        db.change_password(Uuid::new_v4(), "x", None, now).await,
        Err(DbError::NotFound)
    ));
}

async fn the_write_probe_writes(db: Arc<dyn Storage>) {
    for _ in 0..3 {
        db.probe_write(Utc::now()).await.unwrap();
    }
}

async fn deleting_stores_free_their_quota_slot_and_stores_carry_the_owner_email(
    db: Arc<dyn Storage>,
) {
    let owner = user(&db).await;
    let mut requests = Vec::new();
    for i in 0..5 {
        requests.push(
            db.create_store(new_store(owner.id, &format!("q{i}")))
                .await
                .unwrap(),
        );
    }
    assert_eq!(requests[0].owner_email, owner.email);
    assert!(matches!(
        db.create_store(new_store(owner.id, "q5")).await,
        Err(DbError::QuotaExceeded {
            quota: 5,
            active: 5
        })
    ));
    let deleting = db
        .request_delete(
            requests[0].id,
            audit("store.delete", Some(owner.id)),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(deleting.status, StoreStatus::Deleting);
    // Deletion started: the slot is free at once, in every count.
    assert_eq!(db.count_live_stores(owner.id).await.unwrap(), 4);
    let listed = db.list_users().await.unwrap();
    let summary = listed.iter().find(|u| u.user.id == owner.id).unwrap();
    assert_eq!(summary.stores_active, 4);
    let sixth = db.create_store(new_store(owner.id, "q5")).await.unwrap();
    assert_eq!(sixth.owner_email, owner.email);
    // The deleting store is still listed (with its owner) until it is gone.
    let stores = db.list_stores(None).await.unwrap();
    assert_eq!(stores.len(), 6);
    assert!(stores.iter().all(|s| s.owner_email == owner.email));
    let loaded = db.get_store(requests[1].id).await.unwrap().unwrap();
    assert_eq!(loaded.owner_email, owner.email);
    let claimed = db
        .claim_due(
            "w",
            10,
            Duration::from_secs(60),
            Utc::now() + chrono::Duration::seconds(1),
        )
        .await
        .unwrap();
    assert!(claimed.iter().all(|s| s.owner_email == owner.email));
}

async fn users_with_stores_cannot_be_deleted_and_deleted_users_leave_nothing_behind(
    db: Arc<dyn Storage>,
) {
    let owner = user(&db).await;
    let store = db.create_store(new_store(owner.id, "keep")).await.unwrap();
    db.request_delete(store.id, audit("store.delete", Some(owner.id)), Utc::now())
        .await
        .unwrap();
    // A store still being deleted needs its owner: the user stays.
    assert!(matches!(
        db.delete_user(owner.id).await,
        Err(DbError::UserHasStores(1))
    ));
    let now = Utc::now() + chrono::Duration::seconds(1);
    db.claim_due("w", 1, Duration::from_secs(60), now)
        .await
        .unwrap();
    db.release(store.id, "w", outcome(LifecycleEvent::Gone), now)
        .await
        .unwrap();
    assert!(db.get_store(store.id).await.unwrap().unwrap().is_deleted());
    db.create_session(session(owner.id, "gone-1", 3600))
        .await
        .unwrap();
    db.begin_idempotent(owner.id, "k", "h", Utc::now())
        .await
        .unwrap();
    db.delete_user(owner.id).await.unwrap();
    assert!(db.user_by_id(owner.id).await.unwrap().is_none());
    assert!(db.get_store(store.id).await.unwrap().is_none());
    assert!(
        db.session_user("gone-1", Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        db.delete_user(owner.id).await,
        Err(DbError::NotFound)
    ));
    // The email is free again.
    db.create_user(new_user(&owner.email)).await.unwrap();
}

async fn own_sessions_are_listed_and_ended_and_suspension_ends_them_all(db: Arc<dyn Storage>) {
    let alice = user(&db).await;
    let bob = user(&db).await;
    assert_eq!(alice.last_login_at, None);
    assert!(!alice.suspended);
    for (who, id) in [(alice.id, "s-a1"), (alice.id, "s-a2"), (bob.id, "s-b1")] {
        db.create_session(session(who, id, 3600)).await.unwrap();
    }
    db.create_session(session(alice.id, "s-old", -1))
        .await
        .unwrap();
    let now = Utc::now();
    let alice_now = db.user_by_id(alice.id).await.unwrap().unwrap();
    assert!(
        alice_now.last_login_at.is_some(),
        "a session records the sign-in"
    );
    let listed = db.list_sessions(alice.id, now).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"s-a1") && ids.contains(&"s-a2"));
    assert_eq!(listed[0].user_agent.as_deref(), Some("test agent"));
    assert_eq!(listed[0].ip.as_deref(), Some("192.0.2.1"));
    // Only one's own live sessions can be ended this way.
    assert!(!db.revoke_own_session(bob.id, "s-a1", now).await.unwrap());
    assert!(!db.revoke_own_session(alice.id, "s-old", now).await.unwrap());
    assert!(db.revoke_own_session(alice.id, "s-a1", now).await.unwrap());
    assert!(!db.revoke_own_session(alice.id, "s-a1", now).await.unwrap());
    assert!(db.session_user("s-a1", now).await.unwrap().is_none());
    // Suspension ends every session at once and keeps new ones from counting.
    let suspended = db
        .update_user(
            alice.id,
            UserUpdate {
                suspended: Some(true),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    assert!(suspended.suspended);
    assert!(db.session_user("s-a2", now).await.unwrap().is_none());
    assert_eq!(db.count_sessions(alice.id, now).await.unwrap(), 0);
    db.create_session(session(alice.id, "s-a3", 3600))
        .await
        .unwrap();
    assert!(db.session_user("s-a3", now).await.unwrap().is_none());
    assert!(
        db.session_user("s-b1", now).await.unwrap().is_some(),
        "others unaffected"
    );
    let restored = db
        .update_user(
            alice.id,
            UserUpdate {
                suspended: Some(false),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    assert!(!restored.suspended);
    assert!(db.session_user("s-a3", now).await.unwrap().is_some());
    assert!(
        db.session_user("s-a2", now).await.unwrap().is_none(),
        "ended stays ended"
    );
}
