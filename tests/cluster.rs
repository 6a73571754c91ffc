//! Against the local real Kubernetes (`testenv/cluster up`): the Rust client connects with
//! the generated kubeconfig over TLS (rustls) and lists namespaces, and the readiness
//! probe reports the cluster. Runs when STOREFLEET_TEST_KUBECONFIG names a kubeconfig
//! (scripts/test sets it after bringing the cluster up).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use storefleet::cluster::{ClusterProbe, load_config};

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

#[tokio::test]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn kube_rs_connects_with_the_generated_kubeconfig_and_lists_namespaces() {
    let path = kubeconfig();
    let config = load_config(Some(&path), None)
        .await
        .expect("kubeconfig loads");
    assert!(
        config
            .cluster_url
            .to_string()
            .starts_with("https://127.0.0.1"),
        "loopback TLS: {}",
        config.cluster_url
    );
    let client = kube::Client::try_from(config).expect("client");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let list = namespaces
        .list(&ListParams::default())
        .await
        .expect("list namespaces over TLS");
    let names: Vec<_> = list
        .items
        .iter()
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    for expected in ["default", "kube-system"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let version = client.apiserver_version().await.expect("version");
    assert!(
        version.git_version.starts_with("v1."),
        "stamped version: {}",
        version.git_version
    );
}

#[tokio::test]
#[ignore = "needs the local Kubernetes (testenv): `scripts/test engine` runs it"]
async fn the_readiness_probe_reports_a_reachable_cluster() {
    let path = kubeconfig();
    let probe = ClusterProbe::new(Some(path), None);
    let state = probe.check().await;
    assert!(state.is_ok(), "{}", state.describe());
    assert!(
        state.describe().starts_with("ok (https://127.0.0.1"),
        "{}",
        state.describe()
    );
}
