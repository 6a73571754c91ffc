"""Checks against a real Kubernetes API (testenv/ or any cluster KUBECONFIG points at).

Skipped when no cluster answers, unless STOREFLEET_REQUIRE_CLUSTER=1 makes that a failure.
Every namespace created here is labelled Pod Security `restricted` and deleted at the end.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import CHART, MEDUSA_RENDERINGS, RENDERINGS, WORKLOAD_KINDS, pod_spec, pod_template_metadata, run_helm

REQUIRE_CLUSTER = os.environ.get("STOREFLEET_REQUIRE_CLUSTER") == "1"
RELEASE = "shop"
CREDENTIAL_KEYS = [
    "mariadb-root-password", "mariadb-password", "wordpress-admin-password", "wp-auth-key",
    "wp-secure-auth-key", "wp-logged-in-key", "wp-nonce-key", "wp-auth-salt", "wp-secure-auth-salt",
    "wp-logged-in-salt", "wp-nonce-salt",
]
# Each revision's Helm record is a Secret (etcd's limit is 1.5 MiB per object). 128 KiB since
# the setup program (files/setup.php, which replaced wp-cli) travels in the chart: the
# record was 108 KB with it (docs/benchmarks.md).
RELEASE_SECRET_LIMIT = 128 * 1024


def kubectl(*args: str, stdin: str | None = None, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run(["kubectl", *args], input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def kubectl_json(*args: str) -> dict:
    return json.loads(kubectl(*args, "-o", "json").stdout)


def wait_until(what: str, check, timeout: float = 120, interval: float = 1.0) -> None:
    """Polls `check`, which returns (done, what it saw), until done or the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        done, seen = check()
        if done:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last seen: {seen}")
        time.sleep(interval)


@pytest.fixture(scope="module")
def cluster() -> None:
    reason = None
    if not os.environ.get("KUBECONFIG"):
        reason = "KUBECONFIG is not set"
    elif not shutil.which("kubectl"):
        reason = "kubectl is not on PATH"
    else:
        proc = kubectl("get", "ns", check=False, timeout=30)
        if proc.returncode != 0:
            reason = "kubectl get ns failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    if reason:
        if REQUIRE_CLUSTER:
            pytest.fail(f"no cluster reachable ({reason}) and STOREFLEET_REQUIRE_CLUSTER=1")
        pytest.skip(f"no cluster reachable: {reason}")


@pytest.fixture(scope="module")
def namespaces(cluster):
    """Factory of Pod-Security-restricted namespaces, deleted when the module ends."""
    created: list[str] = []

    def make(purpose: str) -> str:
        name = f"wcs-{purpose}-{secrets.token_hex(3)}"
        labels = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "warn", "audit")}
        labels["pod-security.kubernetes.io/enforce-version"] = "latest"
        labels["app.kubernetes.io/managed-by"] = "storefleet-chart-tests"
        manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
        kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
        created.append(name)
        return name

    yield make
    for name in created:
        kubectl("delete", "namespace", name, "--ignore-not-found", "--wait=false", check=False)


# --- server-side validation of every rendering --------------------------------------------

@pytest.fixture(scope="module")
def dry_run_namespace(namespaces) -> str:
    return namespaces("dryrun")


@pytest.mark.parametrize("name", list(RENDERINGS))
def test_server_side_dry_run(renderings, dry_run_namespace, tmp_path, name):
    server_side_dry_run(renderings[name], dry_run_namespace, tmp_path, name)


@pytest.mark.parametrize("name", list(MEDUSA_RENDERINGS))
def test_medusa_server_side_dry_run(medusa_renderings, dry_run_namespace, tmp_path, name):
    server_side_dry_run(medusa_renderings[name], dry_run_namespace, tmp_path, f"medusa-{name}")


def server_side_dry_run(r, dry_run_namespace: str, tmp_path: Path, name: str) -> None:
    """The API server accepts every object, and a pod of every workload template passes the
    namespace's Pod Security "restricted" admission."""
    manifest = tmp_path / f"{name}.yaml"
    manifest.write_text(r.text)
    proc = kubectl("apply", "--dry-run=server", "-n", dry_run_namespace, "-f", str(manifest), check=False)
    assert proc.returncode == 0, proc.stderr
    # The namespace warns on workload templates that would violate "restricted".
    assert "would violate PodSecurity" not in proc.stderr, proc.stderr

    # Pods themselves go through PodSecurity enforcement: submit one per workload template.
    # Pods need their ServiceAccount to exist, so that one object is created for real.
    for sa in r.of_kind("ServiceAccount"):
        kubectl("apply", "-n", dry_run_namespace, "-f", "-", stdin=json.dumps(sa))
    for doc in r.docs:
        if doc["kind"] not in WORKLOAD_KINDS - {"Pod"}:
            continue
        meta = pod_template_metadata(doc)
        spec = json.loads(json.dumps(pod_spec(doc)))
        # As the StatefulSet controller does: claim templates become PVC volumes.
        for vct in doc["spec"].get("volumeClaimTemplates", []):
            claim = f"{vct['metadata']['name']}-{doc['metadata']['name']}-0"
            spec.setdefault("volumes", []).append(
                {"name": vct["metadata"]["name"], "persistentVolumeClaim": {"claimName": claim}})
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": f"psa-{doc['kind'].lower()}-{secrets.token_hex(3)}",
                            "labels": meta.get("labels", {})},
               "spec": spec}
        proc = kubectl("apply", "--dry-run=server", "-n", dry_run_namespace, "-f", "-",
                       stdin=json.dumps(pod), check=False)
        assert proc.returncode == 0, f"{name} {doc['kind']} pod rejected:\n{proc.stderr}"
        assert "would violate" not in proc.stderr, proc.stderr


# --- a real install, upgrade and uninstall ---------------------------------------------------

def store_values(tmp_path: Path) -> Path:
    path = tmp_path / "store.yaml"
    path.write_text(yaml.safe_dump({
        "store": {"host": "shop-test.stores.localhost", "title": "Chart Test Shop", "adminUser": "shopadmin",
                  "adminEmail": "owner@example.com", "id": str(uuid.uuid4())},
        "credentials": {"existingSecret": "shop-credentials"},
    }))
    return path


def create_credentials(namespace: str) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "shop-credentials", "namespace": namespace},
              "stringData": {key: secrets.token_urlsafe(32) for key in CREDENTIAL_KEYS}}
    kubectl("apply", "-f", "-", stdin=json.dumps(secret))


def helm_install_args(namespace: str, values: Path, action: str = "install") -> list[str]:
    return [action, RELEASE, str(CHART), "--namespace", namespace,
            # testenv's simulated nodes: helm --wait needs no real pods here (the real node is
            # scripts/test-real-store's).
            "-f", str(CHART / "values-local.yaml"),
            "-f", str(CHART.parent.parent / "testenv" / "store-values" / "simulated.yaml"),
            "-f", str(values),
            "--wait", "--wait-for-jobs", "--timeout", "5m"]


def instance_objects(namespace: str, kinds: str) -> list[dict]:
    return kubectl_json("get", kinds, "-n", namespace, "-l", f"app.kubernetes.io/instance={RELEASE}")["items"]


@pytest.fixture(scope="module")
def installed(namespaces, tmp_path_factory):
    namespace = namespaces("install")
    create_credentials(namespace)
    values = store_values(tmp_path_factory.mktemp("install"))
    started = time.monotonic()
    proc = run_helm(helm_install_args(namespace, values), check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        events = kubectl("get", "events", "-n", namespace, "--sort-by=.lastTimestamp", check=False).stdout
        pytest.fail(f"helm install failed after {elapsed:.0f}s:\n{proc.stderr}\nevents:\n{events[-4000:]}")
    return {"namespace": namespace, "values": values, "install_seconds": elapsed}


def test_install_workloads_are_ready(installed):
    ns = installed["namespace"]
    deployments = instance_objects(ns, "deployments")
    assert [d["metadata"]["labels"]["app.kubernetes.io/component"] for d in deployments] == ["wordpress"]
    for d in deployments:
        assert d["status"].get("readyReplicas") == d["spec"]["replicas"], d["status"]
    statefulsets = instance_objects(ns, "statefulsets")
    assert [s["metadata"]["labels"]["app.kubernetes.io/component"] for s in statefulsets] == ["mariadb"]
    assert statefulsets[0]["status"].get("readyReplicas") == 1, statefulsets[0]["status"]
    pods = instance_objects(ns, "pods")
    running = [p for p in pods if p["status"]["phase"] == "Running"]
    for pod in running:
        ready = {c["type"]: c["status"] for c in pod["status"].get("conditions", [])}
        assert ready.get("Ready") == "True", pod["metadata"]["name"]


def test_install_volumes_are_bound(installed):
    pvcs = {p["metadata"]["name"]: p["status"].get("phase")
            for p in instance_objects(installed["namespace"], "persistentvolumeclaims")}
    assert pvcs == {"data-shop-mariadb-0": "Bound", "shop-wordpress": "Bound"}, pvcs


def setup_jobs(namespace: str) -> list[dict]:
    return kubectl_json("get", "jobs", "-n", namespace,
                        "-l", f"app.kubernetes.io/instance={RELEASE},app.kubernetes.io/component=setup")["items"]


def job_complete(job: dict) -> bool:
    return any(c["type"] == "Complete" and c["status"] == "True" for c in job["status"].get("conditions", []))


def test_install_setup_job_completed(installed):
    jobs = setup_jobs(installed["namespace"])
    assert len(jobs) == 1
    assert jobs[0]["metadata"]["labels"]["storefleet.io/release-revision"] == "1"
    assert jobs[0]["metadata"]["name"].startswith("shop-setup-1-")
    assert job_complete(jobs[0]), jobs[0]["status"]


def test_release_record_is_small(installed, capsys):
    items = kubectl_json("get", "secrets", "-n", installed["namespace"], "-l", f"owner=helm,name={RELEASE}")["items"]
    assert items, "no Helm release Secret found"
    latest = max(items, key=lambda s: int(s["metadata"]["labels"]["version"]))
    record = kubectl("get", "secret", latest["metadata"]["name"], "-n", installed["namespace"], "-o", "json").stdout
    payload = base64.b64decode(latest["data"]["release"])
    with capsys.disabled():
        print(f"\nRELEASE-SECRET-SIZE {latest['metadata']['name']}: object {len(record)} bytes, "
              f"release payload {len(payload)} bytes; install --wait took {installed['install_seconds']:.0f}s")
    assert len(record) < RELEASE_SECRET_LIMIT


def test_missing_credentials_fail_the_install_clearly(namespaces, tmp_path):
    namespace = namespaces("nosecret")
    proc = run_helm(helm_install_args(namespace, store_values(tmp_path)), check=False)
    assert proc.returncode != 0
    assert 'credentials Secret "shop-credentials" not found' in proc.stderr, proc.stderr


def test_upgrade_runs_a_new_setup_job(installed):
    ns = installed["namespace"]
    proc = run_helm(helm_install_args(ns, installed["values"], action="upgrade"), check=False)
    assert proc.returncode == 0, proc.stderr
    jobs = setup_jobs(ns)
    revisions = {j["metadata"]["labels"]["storefleet.io/release-revision"]: j for j in jobs
                 if not j["metadata"].get("deletionTimestamp")}
    assert "2" in revisions and job_complete(revisions["2"]), jobs
    def old_job_gone():
        names = [j["metadata"]["name"] for j in setup_jobs(ns)]
        return not any(n.startswith("shop-setup-1-") for n in names), names
    wait_until("the revision 1 setup Job to go away", old_job_gone)


# Objects every namespace has, or that the platform (here: the test) created itself.
BASELINE = {("ConfigMap", "kube-root-ca.crt"), ("ServiceAccount", "default"), ("Secret", "shop-credentials")}
IGNORED_KINDS = {"Event"}


def remaining_objects(namespace: str) -> set[tuple[str, str]]:
    kinds = kubectl("api-resources", "--verbs=list", "--namespaced", "-o", "name").stdout.split()
    listing = kubectl_json("get", ",".join(kinds), "-n", namespace, "--ignore-not-found")
    return {(o["kind"], o["metadata"]["name"]) for o in listing.get("items", [])
            if o["kind"] not in IGNORED_KINDS} - BASELINE


def test_uninstall_leaves_only_the_volumes_and_namespace_deletion_removes_them(installed):
    ns = installed["namespace"]
    run_helm(["uninstall", RELEASE, "--namespace", ns, "--wait", "--timeout", "3m"])
    expected = {("PersistentVolumeClaim", "data-shop-mariadb-0"), ("PersistentVolumeClaim", "shop-wordpress")}
    def only_volumes_left():
        left = remaining_objects(ns)
        return left == expected, sorted(left)
    wait_until("only the PVCs to remain after helm uninstall", only_volumes_left, timeout=180, interval=2)

    kubectl("delete", "namespace", ns, "--wait=false")

    def namespace_gone():
        proc = kubectl("get", "namespace", ns, "-o", "jsonpath={.status.phase}", check=False)
        return proc.returncode != 0 and "NotFound" in proc.stderr, proc.stdout or proc.stderr.strip()
    wait_until(f"namespace {ns} to be deleted", namespace_gone, timeout=300, interval=2)
