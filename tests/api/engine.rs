//! The provisioning engine against the local real Kubernetes and real helm
//! (`testenv/cluster up`): the whole lifecycle through the HTTP API, failure paths with
//! the cluster's failure injection, and retry after the cause is fixed. Runs when
//! STOREFLEET_TEST_KUBECONFIG names the cluster's kubeconfig (scripts/test sets it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, Secret};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use kube::api::{Api, ListParams};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, TestUser, problem};

/// The local cluster's kubeconfig. These tests are ignored by default (reported as
/// skipped); `scripts/test engine` brings the cluster up and runs them with `--ignored`.
fn kubeconfig() -> PathBuf {
    match std::env::var("STOREFLEET_TEST_KUBECONFIG") {
        Ok(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "STOREFLEET_TEST_KUBECONFIG is not set: run these tests through `scripts/test engine`"
        ),
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// values-local with stores on testenv's simulated (kwok) nodes, where failures can be
/// injected; `scripts/test-real-store` covers the real node.
fn simulated_values() -> String {
    [
        ("woocommerce", "charts/woocommerce-store/values-local.yaml"),
        ("woocommerce", "testenv/store-values/simulated.yaml"),
        ("medusa", "charts/medusa-store/values-local.yaml"),
        ("medusa", "testenv/store-values/medusa-simulated.yaml"),
    ]
    .map(|(engine, p)| format!("{engine}={}", repo().join(p).display()))
    .join(",")
}

/// Settings that wire a server to the local cluster's simulated nodes (plus `extra`
/// values files for one engine's stores) and checkout verification off (nothing answers
/// on simulated nodes).
fn engine_env(kubeconfig: &Path, extra: &[(&str, &Path)]) -> Vec<(String, String)> {
    let mut values = vec![simulated_values()];
    values.extend(
        extra
            .iter()
            .map(|(engine, p)| format!("{engine}={}", p.display())),
    );
    vec![
        ("KUBECONFIG".to_owned(), kubeconfig.display().to_string()),
        (
            "STOREFLEET_CHART_DIR".to_owned(),
            repo().join("charts").display().to_string(),
        ),
        ("STOREFLEET_VALUES_FILE".to_owned(), values.join(",")),
        ("STOREFLEET_CHECKOUT_VERIFY".to_owned(), "off".to_owned()),
        ("STOREFLEET_WORKERS".to_owned(), "4".to_owned()),
    ]
}

/// A server wired to the real cluster with values-local plus `overrides` (YAML) for
/// `engine`'s stores.
async fn engine_app(
    kubeconfig: &Path,
    engine: &str,
    overrides: &str,
    timeout_secs: u32,
) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("overrides.yaml");
    std::fs::write(&extra, overrides).unwrap();
    let mut options = Options::default().env(
        "STOREFLEET_PROVISION_TIMEOUT_SECS",
        &timeout_secs.to_string(),
    );
    options
        .env
        .extend(engine_env(kubeconfig, &[(engine, &extra)]));
    let app = TestApp::spawn_with(options.env("STOREFLEET_WORKERS", "2")).await;
    (app, dir)
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let config = storefleet::cluster::load_config(Some(kubeconfig), None)
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Poll the store until `done` says so, or fail after `within`.
async fn wait_for(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let resp = app.get(user, &format!("/stores/{id}")).await;
        let body: Value = resp.json().await.unwrap();
        if done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting; last: {body}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn namespace_gone(client: &kube::Client, ns: &str, within: Duration) {
    let api: Api<Namespace> = Api::all(client.clone());
    let deadline = tokio::time::Instant::now() + within;
    while api.get_opt(ns).await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "namespace {ns} still exists"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn a_store_goes_from_request_to_ready_and_is_deleted_without_a_trace() {
    let kc = kubeconfig();
    let (app, _dir) = engine_app(&kc, "woocommerce", "{}\n", 300).await;
    let kube = client(&kc).await;
    let user = app.user().await;
    let store = app.store(&user, "lifecycle").await;
    let id = store["id"].as_str().unwrap().to_owned();
    let ns = store["namespace"].as_str().unwrap().to_owned();

    let ready = wait_for(&app, &user, &id, Duration::from_secs(240), |s| {
        s["status"] == "Ready" || s["status"] == "Failed"
    })
    .await;
    assert_eq!(ready["status"], "Ready", "{ready}");
    assert_eq!(ready["steps_done"], 8);
    let domain = ready["domain"].as_str().unwrap();
    assert_eq!(ready["url"], format!("http://{domain}/"));
    assert_eq!(ready["admin_url"], format!("http://{domain}/wp-admin/"));
    assert!(ready["ready_at"].is_string());

    // Every object the store needs is in its namespace.
    let namespace = Api::<Namespace>::all(kube.clone()).get(&ns).await.unwrap();
    let labels = namespace.metadata.labels.unwrap();
    assert_eq!(labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert_eq!(labels["app.kubernetes.io/managed-by"], "storefleet");
    assert_eq!(labels["storefleet.io/store-id"], id);
    let lp = ListParams::default();
    assert_eq!(
        Api::<ResourceQuota>::namespaced(kube.clone(), &ns)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        Api::<LimitRange>::namespaced(kube.clone(), &ns)
            .list(&lp)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let policies = Api::<NetworkPolicy>::namespaced(kube.clone(), &ns)
        .list(&lp)
        .await
        .unwrap()
        .items;
    assert!(policies.iter().any(|p| {
        p.metadata
            .name
            .as_deref()
            .is_some_and(|n| n.ends_with("default-deny"))
    }));
    let secrets = Api::<Secret>::namespaced(kube.clone(), &ns)
        .list(&lp)
        .await
        .unwrap()
        .items;
    let names: Vec<_> = secrets
        .iter()
        .filter_map(|s| s.metadata.name.clone())
        .collect();
    assert!(
        names.contains(&"storefleet-credentials".to_owned()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("sh.helm.release.v1.lifecycle.")),
        "the helm release: {names:?}"
    );
    let sts = Api::<StatefulSet>::namespaced(kube.clone(), &ns)
        .list(&lp)
        .await
        .unwrap()
        .items;
    assert_eq!(sts[0].status.as_ref().unwrap().ready_replicas, Some(1));
    let deploys = Api::<Deployment>::namespaced(kube.clone(), &ns)
        .list(&lp)
        .await
        .unwrap()
        .items;
    assert_eq!(deploys[0].status.as_ref().unwrap().ready_replicas, Some(1));
    let ingresses = Api::<Ingress>::namespaced(kube.clone(), &ns)
        .list(&lp)
        .await
        .unwrap()
        .items;
    let host = ingresses[0].spec.as_ref().unwrap().rules.as_ref().unwrap()[0]
        .host
        .clone();
    assert_eq!(host.as_deref(), Some(domain));

    // Events tell the story, step by step, with timings.
    let events: Value = app
        .get(&user, &format!("/stores/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let steps: Vec<_> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    for step in [
        "plan",
        "namespace",
        "credentials",
        "release",
        "workloads",
        "bootstrap",
        "verify",
        "ready",
    ] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
    let skipped = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["message"].as_str().unwrap().contains("skipped"));
    assert!(skipped, "an explicit event says verification was skipped");

    // Health from live state, and the credentials from the store's Secret, audited.
    let health: Value = app
        .get(&user, &format!("/stores/{id}/health"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(health["healthy"], true, "{health}");
    let creds = app.get(&user, &format!("/stores/{id}/credentials")).await;
    assert_eq!(creds.status(), StatusCode::OK);
    assert_eq!(creds.headers()["cache-control"], "no-store");
    let creds: Value = creds.json().await.unwrap();
    assert!(creds["password"].as_str().unwrap().len() >= 24);
    assert_eq!(creds["admin_url"], ready["admin_url"]);
    let audit: Value = app
        .get(&user, "/audit-events?action=store.credentials_read")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert!(
        !audit
            .to_string()
            .contains(creds["password"].as_str().unwrap()),
        "the password is not in the audit log"
    );
    let other = app.user().await;
    problem(
        app.get(&other, &format!("/stores/{id}/credentials")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Delete: Deleting until gone, then 404 and no namespace.
    let resp = app.delete(&user, &format!("/stores/{id}")).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    problem(
        app.get(&user, &format!("/stores/{id}/credentials")).await,
        StatusCode::CONFLICT,
        "not_ready",
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    loop {
        let resp = app.get(&user, &format!("/stores/{id}")).await;
        if resp.status() == StatusCode::NOT_FOUND {
            break;
        }
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "Deleting");
        assert!(
            tokio::time::Instant::now() < deadline,
            "still not gone: {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    namespace_gone(&kube, &ns, Duration::from_secs(5)).await;
    let me: Value = app.get(&user, "/me").await.json().await.unwrap();
    assert_eq!(me["stores_active"], 0);
}

/// Delete the store and wait until the server says it is gone (namespace included), so
/// that no test leaves a namespace behind when its server stops.
async fn delete_and_wait(app: &TestApp, user: &TestUser, id: &str) {
    let resp = app.delete(user, &format!("/stores/{id}")).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    wait_for(app, user, id, Duration::from_secs(240), |s| {
        s["code"] == "not_found"
    })
    .await;
}

/// Provision a store of `engine` with `overrides`, expect Failed with `reason` in
/// status_reason.
async fn fails_with(
    engine: &str,
    overrides: &str,
    timeout: u32,
    name: &str,
    reason: &str,
) -> (TestApp, TestUser, String, tempfile::TempDir) {
    let kc = kubeconfig();
    let (app, dir) = engine_app(&kc, engine, overrides, timeout).await;
    let user = app.user().await;
    let resp = app
        .create_store(&user, json!({ "name": name, "engine": engine }))
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "create {name}");
    let store: Value = resp.json().await.unwrap();
    let id = store["id"].as_str().unwrap().to_owned();
    let failed = wait_for(
        &app,
        &user,
        &id,
        Duration::from_secs(u64::from(timeout) + 120),
        |s| s["status"] == "Failed" || s["status"] == "Ready",
    )
    .await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    let why = failed["status_reason"].as_str().unwrap();
    assert!(why.contains(reason), "expected {reason:?} in {why:?}");
    (app, user, id, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn a_quota_too_small_fails_naming_the_resource_and_retry_after_the_fix_reaches_ready() {
    quota_then_fix("woocommerce", "tiny-quota").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn medusa_a_quota_too_small_fails_and_retry_after_the_fix_reaches_ready() {
    quota_then_fix("medusa", "tiny-medusa").await;
}

/// A store of `engine` under a quota too small for it fails naming the resource; after
/// the operator's fix and a restart, the owner's retry reaches Ready in the same namespace
/// with the same credentials.
async fn quota_then_fix(engine: &str, name: &str) {
    let kc = kubeconfig();
    let (app, user, id, _dir) = fails_with(
        engine,
        "quota:\n  limits: {cpu: \"2\", memory: 200Mi}\n",
        120,
        name,
        "quota is too small",
    )
    .await;
    let store: Value = app
        .get(&user, &format!("/stores/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        store["status_reason"]
            .as_str()
            .unwrap()
            .contains("limits.memory"),
        "{store}"
    );
    let ns = store["namespace"].as_str().unwrap().to_owned();

    // The operator fixes the configuration and restarts; the owner retries. The store keeps
    // its namespace and its credentials.
    let kube = client(&kc).await;
    let secret_before = Api::<Secret>::namespaced(kube.clone(), &ns)
        .get("storefleet-credentials")
        .await
        .unwrap();
    let mut app = app;
    app.stop().await.unwrap();
    let fixed_dir = tempfile::tempdir().unwrap();
    let fixed = fixed_dir.path().join("fixed.yaml");
    std::fs::write(&fixed, "{}\n").unwrap();
    let (dir, db) = app.take_storage_dirs();
    let env = engine_env(&kc, &[(engine, &fixed)]);
    let restarted = TestApp::start(app.data_dir.clone(), app.db_url.clone(), &env).await;
    let resp = restarted
        .post(&user, &format!("/stores/{id}/retry"), json!({}))
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let ready = wait_for(&restarted, &user, &id, Duration::from_secs(240), |s| {
        s["status"] == "Ready" || s["status"] == "Failed"
    })
    .await;
    assert_eq!(ready["status"], "Ready", "{ready}");
    assert_eq!(ready["namespace"], ns.as_str());
    let secret_after = Api::<Secret>::namespaced(kube.clone(), &ns)
        .get("storefleet-credentials")
        .await
        .unwrap();
    assert_eq!(
        secret_before.data, secret_after.data,
        "credentials are never regenerated"
    );
    assert_eq!(secret_before.metadata.uid, secret_after.metadata.uid);
    delete_and_wait(&restarted, &user, &id).await;
    drop(restarted);
    drop((dir, db));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn an_image_that_cannot_be_pulled_fails_naming_the_image() {
    let (app, user, id, _dir) = fails_with(
        "woocommerce",
        "wordpress:\n  image: {tag: \"no-such-tag\"}\n  podLabels: {testenv.storefleet.io/fail: image-pull}\n",
        30,
        "bad-image",
        "image cannot be pulled",
    )
    .await;
    let store: Value = app
        .get(&user, &format!("/stores/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        store["status_reason"]
            .as_str()
            .unwrap()
            .contains("no-such-tag"),
        "{store}"
    );
    let health: Value = app
        .get(&user, &format!("/stores/{id}/health"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(health["healthy"], false);
    delete_and_wait(&app, &user, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn a_crash_looping_database_fails_naming_the_component() {
    let (app, user, id, _dir) = fails_with(
        "woocommerce",
        "mariadb:\n  podLabels: {testenv.storefleet.io/fail: crash-loop}\n",
        30,
        "crashy-db",
        "mariadb keeps crashing",
    )
    .await;
    delete_and_wait(&app, &user, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn a_failing_setup_job_fails_the_store() {
    let (app, user, id, _dir) = fails_with(
        "woocommerce",
        "setup:\n  backoffLimit: 0\n  podLabels: {testenv.storefleet.io/fail: job-fail}\n",
        120,
        "bad-setup",
        "Store setup failed",
    )
    .await;
    delete_and_wait(&app, &user, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn medusa_an_image_that_cannot_be_pulled_fails_naming_the_image() {
    let (app, user, id, _dir) = fails_with(
        "medusa",
        "medusa:\n  image: {tag: \"no-such-tag\"}\n  server:\n    podLabels: {testenv.storefleet.io/fail: image-pull}\n",
        30,
        "medusa-bad-image",
        "image cannot be pulled",
    )
    .await;
    let store: Value = app
        .get(&user, &format!("/stores/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let why = store["status_reason"].as_str().unwrap();
    assert!(
        why.contains("no-such-tag") && why.contains("medusa-server"),
        "{store}"
    );
    delete_and_wait(&app, &user, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn medusa_a_crash_looping_database_fails_naming_the_component() {
    let (app, user, id, _dir) = fails_with(
        "medusa",
        "postgres:\n  podLabels: {testenv.storefleet.io/fail: crash-loop}\n",
        30,
        "medusa-crashy-db",
        "postgres keeps crashing",
    )
    .await;
    delete_and_wait(&app, &user, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn medusa_a_failing_setup_job_fails_the_store() {
    let (app, user, id, _dir) = fails_with(
        "medusa",
        "setup:\n  backoffLimit: 0\n  podLabels: {testenv.storefleet.io/fail: job-fail}\n",
        120,
        "medusa-bad-setup",
        "Store setup failed",
    )
    .await;
    delete_and_wait(&app, &user, &id).await;
}

/// The `storefleet_provisioning_duration_seconds_count{...outcome="ready"}` of one server.
async fn ready_count(app: &TestApp) -> u64 {
    let text = app.metrics().await;
    text.lines()
        .filter(|l| {
            l.starts_with("storefleet_provisioning_duration_seconds_count")
                && l.contains("outcome=\"ready\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn two_servers_on_one_postgresql_share_the_work_without_overlap() {
    let kc = kubeconfig();
    let Some(_) = crate::helpers::postgres_admin_url() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut options = Options {
        postgres: true,
        ..Default::default()
    }
    .env("STOREFLEET_WORKERS", "2");
    options.env.extend(engine_env(&kc, &[]));
    let a = TestApp::spawn_with(options.clone()).await;
    // The second replica: same database, its own data dir (the signing key is shared
    // through configuration in production; here tokens are only used against `a`).
    let b = TestApp::start(dir.path().to_path_buf(), a.db_url.clone(), &options.env).await;
    let user = a.user().await;
    let admin = a.admin().await;
    a.patch(
        &admin,
        &format!("/admin/users/{}", user.id),
        json!({ "store_quota": 20 }),
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let s = a.store(&user, &format!("replica-{i}")).await;
        ids.push((
            s["id"].as_str().unwrap().to_owned(),
            s["namespace"].as_str().unwrap().to_owned(),
        ));
    }
    for (id, _) in &ids {
        let s = wait_for(&a, &user, id, Duration::from_secs(300), |s| {
            s["status"] == "Ready" || s["status"] == "Failed"
        })
        .await;
        assert_eq!(s["status"], "Ready", "{s}");
    }
    let (ra, rb) = (ready_count(&a).await, ready_count(&b).await);
    assert_eq!(
        ra + rb,
        8,
        "each store was made Ready exactly once ({ra} + {rb})"
    );
    assert!(ra > 0 && rb > 0, "both replicas took work ({ra} + {rb})");
    // Nobody installed a store twice: one release revision each.
    let kube = client(&kc).await;
    for (_, ns) in &ids {
        let secrets = Api::<Secret>::namespaced(kube.clone(), ns)
            .list(&ListParams::default().labels("owner=helm"))
            .await
            .unwrap();
        assert_eq!(secrets.items.len(), 1, "one helm revision in {ns}");
    }
    for (id, _) in &ids {
        a.delete(&user, &format!("/stores/{id}")).await;
    }
    for (id, ns) in &ids {
        wait_for(&a, &user, id, Duration::from_secs(300), |s| {
            s["code"] == "not_found"
        })
        .await;
        namespace_gone(&kube, ns, Duration::from_secs(10)).await;
    }
    drop(b);
}

/// A `storefleet serve` child process on the local cluster.
struct Child {
    child: std::process::Child,
    port: u16,
}

/// A test that fails part-way must not leave its server running (it would go on
/// provisioning into the shared cluster).
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_server(data_dir: &Path, kc: &Path, port: u16) -> Child {
    spawn_server_with(data_dir, kc, port, &[])
}

/// A server whose WooCommerce stores also get the `extra` values files (a chart or values
/// change, as an operator makes it).
fn spawn_server_with(data_dir: &Path, kc: &Path, port: u16, extra: &[&Path]) -> Child {
    spawn_server_env(data_dir, kc, port, extra, &[])
}

/// [`spawn_server_with`], with more settings in `env`.
fn spawn_server_env(
    data_dir: &Path,
    kc: &Path,
    port: u16,
    extra: &[&Path],
    env: &[(&str, &str)],
) -> Child {
    let mut values = simulated_values();
    for p in extra {
        values.push_str(&format!(",woocommerce={}", p.display()));
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("server.log"))
        .unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_storefleet"))
        .arg("serve")
        .current_dir(repo())
        .env("STOREFLEET_LISTEN", format!("127.0.0.1:{port}"))
        .env("STOREFLEET_DATA_DIR", data_dir)
        .env("KUBECONFIG", kc)
        .env("STOREFLEET_VALUES_FILE", values)
        .env("STOREFLEET_CHECKOUT_VERIFY", "off")
        .env("STOREFLEET_DEFAULT_STORE_QUOTA", "60")
        .env("STOREFLEET_CREATE_RATE_PER_MINUTE", "1000")
        .env("STOREFLEET_USER_CREATE_RATE_PER_MINUTE", "1000")
        .envs(env.iter().copied())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Child { child, port }
}

async fn until_up(http: &reqwest::Client, port: u16, data_dir: &Path) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while http
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .is_err()
    {
        let log = std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default();
        assert!(
            tokio::time::Instant::now() < deadline,
            "server did not come up:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn killing_the_server_at_random_moments_never_leaves_a_mess() {
    use rand::Rng as _;
    let kc = kubeconfig();
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let mut server = spawn_server(dir.path(), &kc, port);
    until_up(&http, port, dir.path()).await;
    let session: Value = http
        .post(format!("{base}/auth/register"))
        .json(&json!({ "email": "crash@example.com", "password": "crash-test-password" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let mut stores = Vec::new();
    for i in 0..15 {
        let s: Value = http
            .post(format!("{base}/stores"))
            .bearer_auth(&token)
            .json(&json!({ "name": format!("crash-{i}") }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stores.push((
            s["id"].as_str().unwrap().to_owned(),
            s["namespace"].as_str().unwrap().to_owned(),
        ));
    }
    let (doomed, kept) = stores.split_at(5);
    let mut deleted = false;
    for round in 0..10 {
        let pause = rand::rng().random_range(300..2500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        if round == 2 && !deleted {
            for (id, _) in doomed {
                http.delete(format!("{base}/stores/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
            }
            deleted = true;
        }
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        server = spawn_server(dir.path(), &kc, server.port);
        until_up(&http, port, dir.path()).await;
    }
    // After the last restart everything converges.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    loop {
        let mut done = true;
        for (id, _) in kept {
            let s: Value = http
                .get(format!("{base}/stores/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_ne!(s["status"], "Failed", "{s}");
            done &= s["status"] == "Ready";
        }
        for (id, _) in doomed {
            let status = http
                .get(format!("{base}/stores/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status();
            done &= status == StatusCode::NOT_FOUND;
        }
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "stores did not converge after the crashes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let kube = client(&kc).await;
    for (_, ns) in doomed {
        namespace_gone(&kube, ns, Duration::from_secs(10)).await;
    }
    for (_, ns) in kept {
        // One set of credentials, one release, and no release left locked.
        let secrets = Api::<Secret>::namespaced(kube.clone(), ns)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items;
        let creds = secrets
            .iter()
            .filter(|s| s.metadata.name.as_deref() == Some("storefleet-credentials"))
            .count();
        assert_eq!(creds, 1, "{ns}");
        for s in secrets.iter().filter(|s| {
            s.metadata
                .labels
                .as_ref()
                .is_some_and(|l| l.get("owner").is_some_and(|o| o == "helm"))
        }) {
            let status = s
                .metadata
                .labels
                .as_ref()
                .unwrap()
                .get("status")
                .cloned()
                .unwrap_or_default();
            assert!(
                !status.starts_with("pending"),
                "{ns}: release record {:?} is {status}",
                s.metadata.name
            );
        }
    }
    // No namespace of ours without a live store.
    let ours: Vec<_> = stores.iter().map(|(id, _)| id.clone()).collect();
    let namespaces = Api::<Namespace>::all(kube.clone())
        .list(&ListParams::default().labels("app.kubernetes.io/managed-by=storefleet"))
        .await
        .unwrap();
    for ns in namespaces.items {
        let labels = ns.metadata.labels.unwrap_or_default();
        let Some(id) = labels.get("storefleet.io/store-id") else {
            continue;
        };
        if ours.contains(id) && ns.metadata.deletion_timestamp.is_none() {
            assert!(
                kept.iter().any(|(k, _)| k == id),
                "orphaned namespace {:?}",
                ns.metadata.name
            );
        }
    }
    for (id, _) in kept {
        http.delete(format!("{base}/stores/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    for (id, ns) in kept {
        while http
            .get(format!("{base}/stores/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
            != StatusCode::NOT_FOUND
        {
            assert!(tokio::time::Instant::now() < deadline, "cleanup of {ns}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// A client of one `storefleet serve` child: its API with a bearer token.
struct Api2 {
    http: reqwest::Client,
    base: String,
}

impl Api2 {
    async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, token: &str, path: &str) -> Value {
        self.call(token, reqwest::Method::GET, path, None).await.1
    }
}

async fn sign_in(api: &Api2, email: &str, password: &str) -> String {
    let resp: Value = api
        .http
        .post(format!("{}/auth/login", api.base))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    resp["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{resp}"))
        .to_owned()
}

/// Wait until a rollout satisfies `done`; returns it.
async fn rollout_until(
    api: &Api2,
    token: &str,
    id: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let r = api.get(token, &format!("/admin/fleet/upgrades/{id}")).await;
        if done(&r) {
            return r;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "rollout did not get there: {r}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn a_fleet_upgrade_of_50_stores_survives_sigkill_and_halts_on_failures() {
    const STORES: usize = 50;
    let kc = kubeconfig();
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let api = Api2 {
        http: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}/api/v1"),
    };
    let mut server = spawn_server(dir.path(), &kc, port);
    until_up(&api.http, port, dir.path()).await;
    // The operator's first admin, from the CLI against the same database.
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_storefleet"))
        .args([
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--admin",
            "--password-stdin",
        ])
        .current_dir(repo())
        .env("STOREFLEET_DATA_DIR", dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        cli.stdin
            .take()
            .unwrap()
            .write_all(b"fleet-admin-password\n")
            .unwrap();
    }
    assert!(cli.wait().unwrap().success());
    let admin = sign_in(&api, "ops@example.com", "fleet-admin-password").await;
    let (status, owner) = api
        .call(
            "",
            reqwest::Method::POST,
            "/auth/register",
            Some(json!({ "email": "fleet@example.com", "password": "fleet-owner-password" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{owner}");
    let token = owner["token"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for i in 0..STORES {
        let (status, s) = api
            .call(
                &token,
                reqwest::Method::POST,
                "/stores",
                Some(json!({ "name": format!("fleet-{i}") })),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{s}");
        ids.push(s["id"].as_str().unwrap().to_owned());
    }
    let all_ready = |api: &Api2, token: String, within: u64| {
        let ids = ids.clone();
        let api = Api2 {
            http: api.http.clone(),
            base: api.base.clone(),
        };
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(within);
            loop {
                let list = api.get(&token, "/stores").await;
                let items = list["items"].as_array().cloned().unwrap_or_default();
                let ready = items.iter().filter(|s| s["status"] == "Ready").count();
                assert!(items.iter().all(|s| s["status"] != "Failed"), "{list}");
                if ready == ids.len() {
                    return items;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{ready} of {} Ready",
                    ids.len()
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    all_ready(&api, token.clone(), 600).await;
    let revisions = api
        .get(&token, &format!("/stores/{}/revisions", ids[0]))
        .await;
    assert_eq!(revisions["upgrade_available"], false, "{revisions}");
    assert_eq!(revisions["current_revision"], 1, "{revisions}");

    // The operator changes the stores' values and restarts the platform: every store is
    // now behind, and none was changed behind its owner's back.
    let v2 = dir.path().join("v2.yaml");
    std::fs::write(
        &v2,
        "wordpress:\n  podLabels:\n    storefleet.io/rollout: v2\n",
    )
    .unwrap();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    server = spawn_server_with(dir.path(), &kc, port, &[&v2]);
    until_up(&api.http, port, dir.path()).await;
    let revisions = api
        .get(&token, &format!("/stores/{}/revisions", ids[0]))
        .await;
    assert_eq!(revisions["upgrade_available"], true, "{revisions}");
    assert_eq!(revisions["current_revision"], 1, "{revisions}");
    let (status, body) = api
        .call(
            &token,
            reqwest::Method::POST,
            "/admin/fleet/upgrades",
            Some(json!({ "engine": "woocommerce" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, rollout) = api
        .call(
            &admin,
            reqwest::Method::POST,
            "/admin/fleet/upgrades",
            Some(json!({ "engine": "woocommerce", "max_unavailable": 10, "max_failures": 1 })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rollout}");
    assert_eq!(rollout["total"], STORES);
    let rid = rollout["id"].as_str().unwrap().to_owned();
    let (status, again) = api
        .call(
            &admin,
            reqwest::Method::POST,
            "/admin/fleet/upgrades",
            Some(json!({ "engine": "woocommerce" })),
        )
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("rollout_active")),
        "{again}"
    );
    // Never more than 10 stores upgrading; SIGKILL the platform a third of the way in.
    let mut killed = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(900);
    loop {
        let r = api
            .get(&admin, &format!("/admin/fleet/upgrades/{rid}"))
            .await;
        if r.is_null() || r["state"].is_null() {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        let upgrading = r["stores"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["state"] == "upgrading")
            .count();
        assert!(upgrading <= 10, "{upgrading} upgrading at once");
        if !killed && r["succeeded"].as_u64().unwrap() >= 15 {
            server.child.kill().unwrap(); // SIGKILL, mid-rollout
            server.child.wait().unwrap();
            server = spawn_server_with(dir.path(), &kc, port, &[&v2]);
            until_up(&api.http, port, dir.path()).await;
            killed = true;
            continue;
        }
        if r["state"] != "running" {
            assert_eq!(r["state"], "completed", "{r}");
            assert_eq!(
                (r["succeeded"].as_u64(), r["failed"].as_u64()),
                (Some(STORES as u64), Some(0)),
                "{r}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the rollout did not finish: {r}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(killed, "the platform was killed mid-rollout");
    let revisions = api
        .get(&token, &format!("/stores/{}/revisions", ids[7]))
        .await;
    assert_eq!(revisions["upgrade_available"], false, "{revisions}");
    assert_eq!(revisions["items"][0]["status"], "deployed", "{revisions}");
    assert!(
        revisions["items"][0]["changed_values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("wordpress.podLabels")),
        "{revisions}"
    );

    // A change that breaks the stores (their WordPress crash-loops): the rollout halts
    // at 3 failures, the failed stores are rolled back and serve their earlier revision,
    // and the rest are left alone.
    let v3 = dir.path().join("v3.yaml");
    std::fs::write(&v3, "wordpress:\n  podLabels:\n    storefleet.io/rollout: v3\n    testenv.storefleet.io/fail: crash-loop\n").unwrap();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // A crash-looping upgrade fails at the provisioning deadline (and is rolled back):
    // a short one lets the halting rollout end within the wait below; simulated pods are
    // Ready in seconds.
    server = spawn_server_env(
        dir.path(),
        &kc,
        port,
        &[&v2, &v3],
        &[("STOREFLEET_PROVISION_TIMEOUT_SECS", "150")],
    );
    until_up(&api.http, port, dir.path()).await;
    let (status, bad) = api
        .call(
            &admin,
            reqwest::Method::POST,
            "/admin/fleet/upgrades",
            Some(json!({ "engine": "woocommerce", "max_unavailable": 2, "max_failures": 3 })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{bad}");
    let bid = bad["id"].as_str().unwrap().to_owned();
    let r = rollout_until(&api, &admin, &bid, Duration::from_secs(900), |r| {
        r["state"] != "running" && r["upgrading"] == 0
    })
    .await;
    assert_eq!(r["state"], "halted", "{r}");
    let failed = r["failed"].as_u64().unwrap();
    assert!((3..=4).contains(&failed), "{r}");
    assert!(
        r["pending"].as_u64().unwrap() >= 40,
        "the rest were not touched: {r}"
    );
    assert!(
        r["halt_reason"].as_str().unwrap().contains("limit is 3"),
        "{r}"
    );
    for s in r["stores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "failed")
    {
        let id = s["store_id"].as_str().unwrap();
        // The rollout and the store's events say how it ended; the status reason is the
        // store's state now (a later check of the Ready store may have replaced it).
        assert!(
            s["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("rolled back to revision 2"),
            "{s}"
        );
        let store = api.get(&token, &format!("/stores/{id}")).await;
        assert_eq!(store["status"], "Ready", "{store}");
        let events = api.get(&token, &format!("/stores/{id}/events")).await;
        assert!(
            events["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["level"] == "error"
                    && e["message"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("rolled back to revision 2")),
            "{events}"
        );
        let revisions = api.get(&token, &format!("/stores/{id}/revisions")).await;
        assert_eq!(
            revisions["upgrade_available"], true,
            "still behind: {revisions}"
        );
    }
    let (status, body) = api
        .call(
            &admin,
            reqwest::Method::POST,
            &format!("/admin/fleet/upgrades/{bid}/resume"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_rollout_state")),
        "{body}"
    );
    all_ready(&api, token.clone(), 300).await;

    for id in &ids {
        api.call(
            &token,
            reqwest::Method::DELETE,
            &format!("/stores/{id}"),
            None,
        )
        .await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
    while !api.get(&token, "/stores").await["items"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(tokio::time::Instant::now() < deadline, "cleanup");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// A Ready store's page: checkout not verified (verification is off here), its resources
/// per component with the namespace's quota, the versions its pods run, and the
/// namespace's recent events in words; renaming keeps the address.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn a_ready_stores_page_shows_resources_versions_and_events_in_words() {
    let kc = kubeconfig();
    let (app, _dir) = engine_app(&kc, "woocommerce", "{}\n", 300).await;
    let user = app.user().await;
    let resp = app
        .create_store(
            &user,
            json!({ "name": "page-shop", "display_name": "Page Shop" }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let store: Value = resp.json().await.unwrap();
    let id = store["id"].as_str().unwrap().to_owned();
    assert!(store["checkout_verified"].is_null());

    let ready = wait_for(&app, &user, &id, Duration::from_secs(240), |s| {
        s["status"] == "Ready" || s["status"] == "Failed"
    })
    .await;
    assert_eq!(ready["status"], "Ready", "{ready}");
    assert_eq!(
        ready["checkout_verified"], false,
        "STOREFLEET_CHECKOUT_VERIFY=off: verification skipped, recorded on the store"
    );
    assert_eq!(ready["display_name"], "Page Shop");

    let resp = app.get(&user, &format!("/stores/{id}/resources")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let res: Value = resp.json().await.unwrap();
    let components = res["components"].as_array().unwrap();
    let names: Vec<&str> = components
        .iter()
        .map(|c| c["component"].as_str().unwrap())
        .collect();
    assert_eq!(&names[..2], ["mariadb", "wordpress"], "{res}");
    for c in &components[..2] {
        assert!(c["pods"].as_i64().unwrap() >= 1, "{c}");
        for key in ["requests", "limits"] {
            assert!(
                c[key]["cpu_millicores"].as_i64().unwrap() > 0
                    && c[key]["memory_bytes"].as_i64().unwrap() > 0,
                "the chart sets {key} on every container: {c}"
            );
        }
        assert!(
            c["limits"]["memory_bytes"].as_i64() >= c["requests"]["memory_bytes"].as_i64(),
            "{c}"
        );
    }
    // Usage: live where metrics-server runs, else null everywhere with the reason.
    match res["usage_unavailable_reason"].as_str() {
        Some(reason) => {
            assert!(reason.contains("metrics"), "{reason}");
            assert!(components.iter().all(|c| c["usage"].is_null()));
        }
        None => assert!(components.iter().any(|c| c["usage"].is_object())),
    }
    let quota = res["quota"].as_array().unwrap();
    let cpu = quota
        .iter()
        .find(|q| q["resource"] == "requests.cpu")
        .unwrap_or_else(|| panic!("the store quota limits requests.cpu: {res}"));
    assert_eq!(cpu["unit"], "millicores");
    let (used, hard) = (
        cpu["used_value"].as_i64().unwrap(),
        cpu["hard_value"].as_i64().unwrap(),
    );
    let requested: i64 = components
        .iter()
        .filter_map(|c| c["requests"]["cpu_millicores"].as_i64())
        .sum();
    assert!(used >= requested && used <= hard, "{cpu} vs {requested}");

    let versions: Vec<(String, Value)> = res["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["product"].as_str().unwrap().to_owned(),
                v["version"].clone(),
            )
        })
        .collect();
    let products: Vec<&str> = versions.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        products.contains(&"WordPress") && products.contains(&"MariaDB"),
        "{versions:?}"
    );
    // testenv's images are tagged `testenv`, which names no version: the version is then
    // null, never guessed, and the source names the image the pod runs.
    let wordpress = res["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["product"] == "WordPress")
        .unwrap();
    let image = wordpress["source"].as_str().unwrap();
    assert!(
        image.starts_with("image ") && image.contains("wordpress"),
        "{wordpress}"
    );
    match image.rsplit(':').next() {
        Some(tag) if tag.starts_with(|c: char| c.is_ascii_digit()) => {
            assert!(wordpress["version"].is_string(), "{wordpress}");
        }
        _ => assert!(wordpress["version"].is_null(), "{wordpress}"),
    }

    let events = res["events"].as_array().unwrap();
    assert!(!events.is_empty(), "{res}");
    assert!(events.iter().any(|e| {
        e["reason"] == "Scheduled"
            && e["words"]
                .as_str()
                .unwrap()
                .contains("was given a place on a server")
    }));
    for e in events {
        let words = e["words"].as_str().unwrap();
        assert!(!words.is_empty() && !e["object"].as_str().unwrap().is_empty());
        assert!(!words.contains("kwok"), "owner words name no node: {words}");
    }
    // Compared as times: "…:43Z" is later than "…:43.107Z" but sorts before it as text.
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = events
        .iter()
        .filter_map(|e| e["at"].as_str())
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );

    // Another user may not look.
    let other = app.user().await;
    problem(
        app.get(&other, &format!("/stores/{id}/resources")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    delete_and_wait(&app, &user, &id).await;
}
