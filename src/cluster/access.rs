//! Least privilege for the platform itself: it holds no cluster-wide access to Secrets or
//! workloads, and gains it in each store namespace it creates through a RoleBinding of
//! `STOREFLEET_STORE_ROLE` (a ClusterRole) to its own identity.
//!
//! The identity is asked of the API server (SelfSubjectReview), so it is right whatever
//! the credentials are: the pod's ServiceAccount, or a user from a kubeconfig.

use std::time::Duration;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::rbac::v1::{RoleBinding, RoleRef, Subject};
use kube::api::{Api, ObjectMeta, PostParams};

use super::store::{ClusterError, ClusterResult};

/// Name of the RoleBinding the platform creates in every store namespace.
pub const BINDING_NAME: &str = "storefleet-platform";

/// How long a new binding may take to reach the API server's authorizer.
const EFFECTIVE_WITHIN: Duration = Duration::from_secs(10);

/// What to bind in each store namespace, and to whom.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreAccess {
    pub cluster_role: String,
    pub subject: Subject,
}

/// The RBAC subject for a Kubernetes user name: a ServiceAccount for
/// `system:serviceaccount:<namespace>:<name>`, a User otherwise.
#[must_use]
pub fn subject_for(username: &str) -> Subject {
    match username
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((namespace, name)) if !namespace.is_empty() && !name.is_empty() => Subject {
            kind: "ServiceAccount".to_owned(),
            name: name.to_owned(),
            namespace: Some(namespace.to_owned()),
            api_group: None,
        },
        _ => Subject {
            kind: "User".to_owned(),
            name: username.to_owned(),
            namespace: None,
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
        },
    }
}

/// The RoleBinding that gives `access.subject` the store role in `namespace`.
#[must_use]
pub fn binding(access: &StoreAccess, namespace: &str) -> RoleBinding {
    RoleBinding {
        metadata: ObjectMeta {
            name: Some(BINDING_NAME.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(
                [(
                    "app.kubernetes.io/managed-by".to_owned(),
                    "storefleet".to_owned(),
                )]
                .into(),
            ),
            ..Default::default()
        },
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".to_owned(),
            kind: "ClusterRole".to_owned(),
            name: access.cluster_role.clone(),
        },
        subjects: Some(vec![access.subject.clone()]),
    }
}

/// Ask the API server who these credentials are, for binding `cluster_role` to them.
pub async fn who_am_i(client: &kube::Client, cluster_role: &str) -> ClusterResult<StoreAccess> {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    let review = api
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await?;
    let username = review
        .status
        .and_then(|s| s.user_info)
        .and_then(|u| u.username)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ClusterError {
            message:
                "the API server did not say who the platform's credentials are (SelfSubjectReview)"
                    .to_owned(),
            transient: true,
        })?;
    Ok(StoreAccess {
        cluster_role: cluster_role.to_owned(),
        subject: subject_for(&username),
    })
}

/// Bind the store role in `namespace` (idempotent) and, when the binding is new, wait until
/// the authorizer lets the platform manage Secrets there, which Helm does first. Every pass
/// comes here, so an existing binding costs one request and no wait.
pub async fn grant(
    client: &kube::Client,
    access: &StoreAccess,
    namespace: &str,
) -> ClusterResult<()> {
    let api: Api<RoleBinding> = Api::namespaced(client.clone(), namespace);
    match api
        .create(&PostParams::default(), &binding(access, namespace))
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => return Ok(()),
        Err(kube::Error::Api(s)) if s.code == 403 => {
            return Err(ClusterError {
                message: format!(
                    "the platform may not bind ClusterRole {} in namespace {namespace}: {} (its own role needs `create` on rolebindings and `bind` on that ClusterRole)",
                    access.cluster_role, s.message
                ),
                transient: false,
            });
        }
        Err(e) => return Err(e.into()),
    }
    let deadline = tokio::time::Instant::now() + EFFECTIVE_WITHIN;
    loop {
        if may_manage_secrets(client, namespace).await? {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ClusterError {
                message: format!(
                    "ClusterRole {} is bound in namespace {namespace} but does not let the platform manage Secrets there",
                    access.cluster_role
                ),
                transient: true,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn may_manage_secrets(client: &kube::Client, namespace: &str) -> ClusterResult<bool> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.to_owned()),
                verb: Some("create".to_owned()),
                resource: Some("secrets".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = api.create(&PostParams::default(), &review).await?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_accounts_and_users_become_the_right_subjects() {
        let sa = subject_for("system:serviceaccount:storefleet:storefleet");
        assert_eq!(sa.kind, "ServiceAccount");
        assert_eq!(sa.name, "storefleet");
        assert_eq!(sa.namespace.as_deref(), Some("storefleet"));
        assert_eq!(sa.api_group, None);

        let user = subject_for("storefleet-admin");
        assert_eq!(user.kind, "User");
        assert_eq!(user.name, "storefleet-admin");
        assert_eq!(user.namespace, None);

        // Not a well-formed ServiceAccount name: bound as the user it claims to be.
        for odd in [
            "system:serviceaccount:",
            "system:serviceaccount:ns",
            "system:serviceaccount::x",
        ] {
            assert_eq!(subject_for(odd).kind, "User", "{odd}");
        }
    }

    #[test]
    fn the_binding_names_the_store_role_and_only_the_platform() {
        let access = StoreAccess {
            cluster_role: "storefleet-store".to_owned(),
            subject: subject_for("system:serviceaccount:sf:platform"),
        };
        let b = binding(&access, "store-abc");
        assert_eq!(b.metadata.name.as_deref(), Some(BINDING_NAME));
        assert_eq!(b.metadata.namespace.as_deref(), Some("store-abc"));
        assert_eq!(b.role_ref.kind, "ClusterRole");
        assert_eq!(b.role_ref.name, "storefleet-store");
        assert_eq!(b.subjects.as_deref(), Some(&[access.subject][..]));
    }
}
