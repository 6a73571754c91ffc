"""charts/storefleet against a real Kubernetes API (testenv/ or what KUBECONFIG points at):
server-side validation of its renderings (with the cert-manager and prometheus-operator
CRDs from fixtures/crds.sh), a real install of values-local.yaml, and its least privilege:
the ServiceAccount, impersonated, may do what the platform does (a store namespace, its
RoleBinding, helm install / upgrade / uninstall of both store charts on simulated nodes)
and nothing else (RBAC and the ValidatingAdmissionPolicy, checked with server-side dry
runs so that a hole would change nothing).

Skipped when no cluster answers, unless STOREFLEET_REQUIRE_CLUSTER=1. Everything created
here is deleted at the end, except the CRDs (shared, inert without their controllers).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import (CHARTS, FIXTURES, MEDUSA_CHART, CHART, PLATFORM_CHART, PLATFORM_IMAGE, POSTGRES,
                      render_platform, run_helm)
from test_cluster import cluster, kubectl, kubectl_json, server_side_dry_run, wait_until  # noqa: F401

RESTRICTED = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn", "audit")}
MANAGED = {"app.kubernetes.io/managed-by": "storefleet"}


@pytest.fixture(scope="module")
def crds(cluster) -> None:
    proc = subprocess.run([str(FIXTURES / "crds.sh")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"fixtures/crds.sh failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"


@pytest.fixture(scope="module")
def created(cluster):
    """Namespaces, helm releases and the cluster-scoped leftovers to delete at the end."""
    made = {"namespaces": [], "releases": []}
    yield made
    for release, namespace in made["releases"]:
        run_helm(["uninstall", release, "--namespace", namespace, "--wait", "--timeout", "2m"], check=False)
    for name in made["namespaces"]:
        kubectl("delete", "namespace", name, "--ignore-not-found", "--wait=false", check=False)


def make_namespace(created, purpose: str, labels: dict | None = None) -> str:
    name = f"sfc-{purpose}-{secrets.token_hex(3)}"
    manifest = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": {**RESTRICTED, **(labels or {})}}}
    kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    created["namespaces"].append(name)
    return name


# --- server-side validation --------------------------------------------------------------

DRY_RUNS = {
    "local": (["values-local.yaml"], {}),
    "postgres": ([], {**PLATFORM_IMAGE, **POSTGRES}),
    # The dashboard ConfigMap and the Certificate go to the dry run's namespace.
    "prod": (["values-prod.yaml"], {"monitoring": {"grafanaDashboard": {"namespace": ""}},
                                    "wildcardCertificate": {"enabled": True, "namespace": ""}}),
}


@pytest.mark.parametrize("name", list(DRY_RUNS))
def test_platform_server_side_dry_run(crds, created, tmp_path, name):
    namespace = make_namespace(created, f"dry-{name}")
    files, extra = DRY_RUNS[name]
    # Unique names: the ClusterRoles and the admission policy are cluster-scoped.
    r = render_platform(tmp_path, name, files, extra, release=f"sfdry{secrets.token_hex(3)}", namespace=namespace)
    kinds = {d["kind"] for d in r.docs}
    if name == "prod":
        assert {"ServiceMonitor", "PrometheusRule", "Certificate", "Ingress"} <= kinds
    server_side_dry_run(r, namespace, tmp_path, f"storefleet-{name}")


# --- a real install of values-local.yaml ---------------------------------------------------

@pytest.fixture(scope="module")
def platform(cluster, created):
    namespace = make_namespace(created, "platform")
    release = f"sf{secrets.token_hex(3)}"
    proc = run_helm(["install", release, str(PLATFORM_CHART), "--namespace", namespace,
                     "-f", str(PLATFORM_CHART / "values-local.yaml")], check=False)
    assert proc.returncode == 0, proc.stderr
    created["releases"].append((release, namespace))
    fullname = f"{release}-storefleet"
    sa = f"system:serviceaccount:{namespace}:{fullname}"

    # The policy acts once the API server has loaded it: wait for its first denial.
    def denied() -> tuple[bool, str]:
        p = kubectl("--as", sa, "create", "namespace", f"sfc-unlabelled-{secrets.token_hex(3)}",
                    "--dry-run=server", check=False)
        return "ValidatingAdmissionPolicy" in p.stderr, p.stdout + p.stderr
    wait_until("the admission policy to deny an unlabelled namespace", denied, timeout=60, interval=1)
    return {"namespace": namespace, "release": release, "fullname": fullname, "sa": sa}


def test_install_creates_the_platform(platform):
    ns, name = platform["namespace"], platform["fullname"]
    dep = kubectl_json("get", "deployment", name, "-n", ns)
    assert dep["spec"]["replicas"] == 1
    for kind in ("service", "serviceaccount", "networkpolicy", "poddisruptionbudget", "pvc", "configmap"):
        kubectl("get", kind, "-n", ns, "-l", f"app.kubernetes.io/instance={platform['release']}", "-o", "name")
    kubectl("get", "clusterrole", f"{name}-platform")
    kubectl("get", "clusterrole", f"{name}-store")
    kubectl("get", "clusterrolebinding", f"{name}-platform")
    kubectl("get", "validatingadmissionpolicy", f"{name}-confine")


def test_pod_is_admitted_on_the_real_node(platform):
    """Pod Security restricted admits the pod and it is scheduled on the real node (the image
    may be absent: the pod is not waited for)."""
    ns = platform["namespace"]
    selector = f"app.kubernetes.io/instance={platform['release']}"

    def scheduled() -> tuple[bool, str]:
        pods = kubectl_json("get", "pods", "-n", ns, "-l", selector)["items"]
        return bool(pods and pods[0]["spec"].get("nodeName")), json.dumps([p.get("status") for p in pods])[-800:]
    wait_until("the platform pod to be scheduled", scheduled, timeout=90, interval=2)
    pod = kubectl_json("get", "pods", "-n", ns, "-l", selector)["items"][0]
    node = kubectl_json("get", "node", pod["spec"]["nodeName"])
    assert node["metadata"]["labels"].get("storefleet.io/node-kind") == "real"


def can_i(sa: str, *args: str) -> bool:
    proc = kubectl("auth", "can-i", "--as", sa, *args, check=False)
    return proc.stdout.strip() == "yes"


def test_rbac_of_the_service_account(platform):
    sa, name = platform["sa"], platform["fullname"]
    assert can_i(sa, "create", "namespaces")
    assert can_i(sa, "watch", "pods", "--all-namespaces")
    assert can_i(sa, "list", "statefulsets.apps", "--all-namespaces")
    assert can_i(sa, "list", "storageclasses.storage.k8s.io")
    assert can_i(sa, "create", "rolebindings", "-n", "any-namespace")
    assert can_i(sa, "bind", f"clusterroles/{name}-store")
    assert not can_i(sa, "bind", "clusterroles/admin")
    assert not can_i(sa, "get", "secrets", "--all-namespaces")
    assert not can_i(sa, "get", "secrets", "-n", "kube-system")
    assert not can_i(sa, "get", "secrets", "-n", platform["namespace"])
    assert not can_i(sa, "create", "pods", "-n", "default")
    assert not can_i(sa, "create", "clusterrolebindings")
    assert not can_i(sa, "escalate", "clusterroles")
    assert not can_i(sa, "impersonate", "users")


def as_sa(platform, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return kubectl("--as", platform["sa"], *args, stdin=stdin, check=False)


def assert_denied_by_policy(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "ValidatingAdmissionPolicy" in proc.stderr and "denied request" in proc.stderr, proc.stderr


def namespace_manifest(name: str, labels: dict) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})


def rolebinding(name: str, namespace: str, role: str, sa_namespace: str, sa_name: str) -> str:
    return json.dumps({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": sa_name, "namespace": sa_namespace}]})


def test_admission_policy_confines_the_service_account(platform, created):
    """Every write below would pass RBAC; the policy alone refuses it (dry runs: no effect)."""
    name, ns = platform["fullname"], platform["namespace"]
    dry = "--dry-run=server"
    store_ns = make_namespace(created, "managed", MANAGED)
    other_ns = make_namespace(created, "unmanaged")
    # Namespaces: only labelled ones may be created, changed or deleted.
    assert_denied_by_policy(as_sa(platform, "create", dry, "-f", "-",
                                  stdin=namespace_manifest(f"sfc-x-{secrets.token_hex(3)}", {"team": "x"})))
    ok = as_sa(platform, "create", dry, "-f", "-",
               stdin=namespace_manifest(f"sfc-y-{secrets.token_hex(3)}", {**MANAGED, **RESTRICTED}))
    assert ok.returncode == 0, ok.stderr
    assert_denied_by_policy(as_sa(platform, "label", dry, "namespace", other_ns, "x=y"))
    assert_denied_by_policy(as_sa(platform, "delete", dry, "namespace", other_ns))
    assert_denied_by_policy(as_sa(platform, "label", dry, "namespace", store_ns, "app.kubernetes.io/managed-by-"))
    assert as_sa(platform, "label", dry, "namespace", store_ns, "x=y").returncode == 0
    assert as_sa(platform, "delete", dry, "namespace", store_ns).returncode == 0
    # RoleBindings: only <fullname>-store, only to itself, only in managed namespaces.
    sa_name = name
    good = rolebinding("storefleet-platform", store_ns, f"{name}-store", ns, sa_name)
    assert as_sa(platform, "create", dry, "-f", "-", stdin=good).returncode == 0
    assert_denied_by_policy(as_sa(platform, "create", dry, "-f", "-",
                                  stdin=rolebinding("x", other_ns, f"{name}-store", ns, sa_name)))
    assert_denied_by_policy(as_sa(platform, "create", dry, "-f", "-",
                                  stdin=rolebinding("x", "kube-system", f"{name}-store", ns, sa_name)))
    assert_denied_by_policy(as_sa(platform, "create", dry, "-f", "-",
                                  stdin=rolebinding("x", ns, f"{name}-store", ns, sa_name)))
    assert_denied_by_policy(as_sa(platform, "create", dry, "-f", "-",
                                  stdin=rolebinding("x", store_ns, f"{name}-store", "default", "default")))
    # Binding another ClusterRole is refused by RBAC already (bind only on <fullname>-store).
    other = as_sa(platform, "create", dry, "-f", "-", stdin=rolebinding("x", store_ns, "admin", ns, sa_name))
    assert other.returncode != 0


@pytest.mark.parametrize("chart, keys, simulated", [
    (CHART, ["mariadb-root-password", "mariadb-password", "wordpress-admin-password", "wp-auth-key",
             "wp-secure-auth-key", "wp-logged-in-key", "wp-nonce-key", "wp-auth-salt", "wp-secure-auth-salt",
             "wp-logged-in-salt", "wp-nonce-salt"], "simulated.yaml"),
    (MEDUSA_CHART, ["postgres-password", "redis-password", "medusa-admin-password", "medusa-jwt-secret",
                    "medusa-cookie-secret"], "medusa-simulated.yaml"),
], ids=["woocommerce-store", "medusa-store"])
def test_store_lifecycle_under_the_service_account(platform, created, tmp_path, chart, keys, simulated):
    """What the platform does for a store, as its ServiceAccount: create the namespace, bind
    <fullname>-store there, write the credentials, helm install / upgrade / uninstall (on
    testenv's simulated nodes), delete the namespace."""
    name, ns, sa = platform["fullname"], platform["namespace"], platform["sa"]
    store_ns = f"sfc-store-{secrets.token_hex(3)}"
    created["namespaces"].append(store_ns)

    def ok(proc: subprocess.CompletedProcess) -> None:
        assert proc.returncode == 0, proc.stderr

    ok(as_sa(platform, "create", "-f", "-", stdin=namespace_manifest(store_ns, {**MANAGED, **RESTRICTED})))
    ok(as_sa(platform, "create", "-f", "-", stdin=rolebinding("storefleet-platform", store_ns, f"{name}-store", ns, name)))
    wait_until("the store role to apply", lambda: (can_i(sa, "create", "secrets", "-n", store_ns), ""), timeout=30)
    ok(as_sa(platform, "create", "-f", "-", stdin=json.dumps({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "shop-credentials", "namespace": store_ns},
        "stringData": {k: secrets.token_hex(24) for k in keys}})))
    values = tmp_path / "store.yaml"
    values.write_text(yaml.safe_dump({
        "store": {"host": f"shop-{secrets.token_hex(3)}.stores.localhost", "title": "Chart Test Shop",
                  "adminEmail": "owner@example.com", "id": str(uuid.uuid4())},
        "credentials": {"existingSecret": "shop-credentials"}}))
    as_user = ["--kube-as-user", sa]
    common = ["shop", str(chart), "--namespace", store_ns, "-f", str(chart / "values-local.yaml"),
              "-f", str(CHARTS.parent / "testenv" / "store-values" / simulated), "-f", str(values),
              "--history-max", "3", "--timeout", "5m", *as_user]
    # As the platform runs it (src/helm): upgrade --install, no --wait.
    for _ in range(2):
        proc = run_helm(["upgrade", "--install", *common, "--server-side=false"], check=False)
        assert proc.returncode == 0, proc.stderr
    status = json.loads(run_helm(["status", "shop", "-n", store_ns, "-o", "json", *as_user]).stdout)
    assert status["info"]["status"] == "deployed" and status["version"] == 2
    proc = run_helm(["uninstall", "shop", "--namespace", store_ns, *as_user], check=False)
    assert proc.returncode == 0, proc.stderr
    ok(as_sa(platform, "delete", "namespace", store_ns, "--wait=false"))


def busybox_pod(namespace: str, name: str, labels: dict, script: str, restart: str = "Never") -> None:
    """A busybox pod (testenv's toolbox image) on the real node running `script`."""
    pod = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "restartPolicy": restart, "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": 1,
            "nodeSelector": {"storefleet.io/node-kind": "real"},
            "tolerations": [{"key": "storefleet.io/real-node", "operator": "Equal", "value": "true",
                             "effect": "NoSchedule"}],
            "securityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "probe", "image": "storefleet.local/toolbox:testenv", "imagePullPolicy": "Never",
                "command": ["/bin/sh", "-c", script],
                "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}},
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                              "limits": {"cpu": "100m", "memory": "32Mi"}}}]}}
    kubectl("apply", "-f", "-", stdin=json.dumps(pod))


def probe_pod(namespace: str, name: str, labels: dict, script: str) -> dict[str, str]:
    """Runs `script` (lines "what=open|blocked") to completion; what it printed."""
    # kube-router applies policies to a new pod within a few seconds of its start.
    busybox_pod(namespace, name, labels, "sleep 6; " + script)

    def finished() -> tuple[bool, str]:
        phase = kubectl_json("get", "pod", name, "-n", namespace).get("status", {}).get("phase")
        return phase in ("Succeeded", "Failed"), str(phase)
    wait_until(f"probe pod {name} to finish", finished, timeout=90, interval=1)
    return dict(line.split("=", 1) for line in kubectl("logs", name, "-n", namespace).stdout.split())


def test_network_policy_on_testenv(platform):
    """values-local's NetworkPolicy, enforced: the platform's pods reach the API server
    (Service and endpoint) and DNS; another pod is blocked (a pod without the platform's
    labels reaches it)."""
    api = kubectl_json("get", "service", "kubernetes", "-n", "default")["spec"]["clusterIP"]
    local = yaml.safe_load((PLATFORM_CHART / "values-local.yaml").read_text())
    if f"{api}/32" not in local["networkPolicy"]["apiServer"]["cidrs"]:
        pytest.skip(f"not testenv: the kubernetes Service is {api}")
    ns = platform["namespace"]
    slices = kubectl_json("get", "endpointslices", "-n", "default", "-l", "kubernetes.io/service-name=kubernetes")
    endpoint = slices["items"][0]["endpoints"][0]["addresses"][0]
    endpoint_port = slices["items"][0]["ports"][0]["port"]
    busybox_pod(ns, "probe-listener", {"app": "probe-listener"}, "exec nc -ll -p 8081 -e /bin/cat", restart="Always")

    def listening() -> tuple[bool, str]:
        status = kubectl_json("get", "pod", "probe-listener", "-n", ns).get("status", {})
        return status.get("phase") == "Running" and bool(status.get("podIP")), str(status.get("phase"))
    wait_until("the listener pod to run", listening, timeout=90, interval=1)
    listener = kubectl_json("get", "pod", "probe-listener", "-n", ns)["status"]["podIP"]
    time.sleep(1)

    def check(addr: str, port: int, what: str) -> str:
        return f"nc -w 3 {addr} {port} </dev/null >/dev/null 2>&1 && echo {what}=open || echo {what}=blocked; "
    script = (check(api, 443, "api-service") + check(endpoint, endpoint_port, "api-endpoint")
              + "nslookup kubernetes.default.svc.cluster.local >/dev/null 2>&1 && echo dns=open || echo dns=blocked; "
              + check(listener, 8081, "other-pod"))
    selector = {"app.kubernetes.io/name": "storefleet", "app.kubernetes.io/instance": platform["release"],
                "app.kubernetes.io/component": "platform"}
    seen = probe_pod(ns, "probe-platform", selector, script)
    assert seen == {"api-service": "open", "api-endpoint": "open", "dns": "open", "other-pod": "blocked"}, seen
    control = probe_pod(ns, "probe-control", {"app": "probe"}, check(listener, 8081, "other-pod"))
    assert control == {"other-pod": "open"}, "without the NetworkPolicy the listener is reachable"
    kubectl("delete", "pod", "probe-listener", "probe-platform", "probe-control", "-n", ns, "--wait=false", check=False)
