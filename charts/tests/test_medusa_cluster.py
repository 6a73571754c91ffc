"""medusa-store against a real Kubernetes API: install on testenv's simulated (kwok) nodes,
upgrade, uninstall. Skipped when no cluster answers (STOREFLEET_REQUIRE_CLUSTER=1 makes
that a failure). kwok makes pods Ready and the setup Job's pod Succeeded without running
anything, so this checks the objects, their admission (quota, LimitRange, Pod Security
restricted) and the release mechanics, not Medusa itself."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import MEDUSA_CHART, run_helm
from test_cluster import cluster, kubectl, kubectl_json, namespaces, wait_until  # noqa: F401 (fixtures)

RELEASE = "shop"
CREDENTIAL_KEYS = ["postgres-password", "redis-password", "medusa-admin-password", "medusa-jwt-secret",
                   "medusa-cookie-secret"]
COMPONENTS = {"postgres": "statefulsets", "redis": "deployments", "medusa-server": "deployments",
              "medusa-worker": "deployments"}


def store_values(tmp_path: Path) -> Path:
    path = tmp_path / "store.yaml"
    path.write_text(yaml.safe_dump({
        "store": {"host": "shop-test.stores.localhost", "title": "Chart Test Shop",
                  "adminEmail": "owner@example.com", "id": str(uuid.uuid4())},
        "credentials": {"existingSecret": "shop-credentials"},
    }))
    return path


def create_credentials(namespace: str) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "shop-credentials", "namespace": namespace},
              "stringData": {key: secrets.token_hex(24) for key in CREDENTIAL_KEYS}}
    kubectl("apply", "-f", "-", stdin=json.dumps(secret))


def helm_args(namespace: str, values: Path, action: str = "install") -> list[str]:
    return [action, RELEASE, str(MEDUSA_CHART), "--namespace", namespace,
            "-f", str(MEDUSA_CHART / "values-local.yaml"),
            "-f", str(MEDUSA_CHART.parent.parent / "testenv" / "store-values" / "medusa-simulated.yaml"),
            "-f", str(values),
            "--wait", "--wait-for-jobs", "--timeout", "5m"]


def instance_objects(namespace: str, kinds: str, component: str | None = None) -> list[dict]:
    selector = f"app.kubernetes.io/instance={RELEASE}"
    if component:
        selector += f",app.kubernetes.io/component={component}"
    return kubectl_json("get", kinds, "-n", namespace, "-l", selector)["items"]


@pytest.fixture(scope="module")
def installed(namespaces, tmp_path_factory):  # noqa: F811
    namespace = namespaces("medusa")
    create_credentials(namespace)
    values = store_values(tmp_path_factory.mktemp("medusa-install"))
    started = time.monotonic()
    proc = run_helm(helm_args(namespace, values), check=False)
    if proc.returncode != 0:
        events = kubectl("get", "events", "-n", namespace, "--sort-by=.lastTimestamp", check=False).stdout
        pytest.fail(f"helm install failed after {time.monotonic() - started:.0f}s:\n{proc.stderr}\n"
                    f"events:\n{events[-4000:]}")
    return {"namespace": namespace, "values": values}


def test_the_four_components_are_ready(installed):
    ns = installed["namespace"]
    for component, kinds in COMPONENTS.items():
        items = instance_objects(ns, kinds, component)
        assert len(items) == 1, f"{component}: {[i['metadata']['name'] for i in items]}"
        status = items[0]["status"]
        assert status.get("readyReplicas") == items[0]["spec"]["replicas"], f"{component}: {status}"
    pvcs = {p["metadata"]["name"]: p["status"].get("phase")
            for p in instance_objects(ns, "persistentvolumeclaims")}
    assert pvcs == {"data-shop-postgres-0": "Bound"}, pvcs


def setup_jobs(namespace: str) -> list[dict]:
    return [j for j in instance_objects(namespace, "jobs", "setup") if not j["metadata"].get("deletionTimestamp")]


def job_complete(job: dict) -> bool:
    return any(c["type"] == "Complete" and c["status"] == "True" for c in job["status"].get("conditions", []))


def test_setup_job_completed(installed):
    jobs = setup_jobs(installed["namespace"])
    assert len(jobs) == 1
    assert jobs[0]["metadata"]["labels"]["storefleet.io/release-revision"] == "1"
    assert jobs[0]["metadata"]["name"].startswith("shop-setup-1-")
    assert job_complete(jobs[0]), jobs[0]["status"]


def test_missing_credentials_fail_the_install_clearly(namespaces, tmp_path):  # noqa: F811
    namespace = namespaces("medusa-nosecret")
    proc = run_helm(helm_args(namespace, store_values(tmp_path)), check=False)
    assert proc.returncode != 0
    assert 'credentials Secret "shop-credentials" not found' in proc.stderr, proc.stderr


def test_upgrade_runs_a_new_setup_job(installed):
    ns = installed["namespace"]
    proc = run_helm(helm_args(ns, installed["values"], action="upgrade"), check=False)
    assert proc.returncode == 0, proc.stderr
    revisions = {j["metadata"]["labels"]["storefleet.io/release-revision"]: j for j in setup_jobs(ns)}
    assert "2" in revisions and job_complete(revisions["2"]), list(revisions)

    def old_job_gone():
        names = [j["metadata"]["name"] for j in setup_jobs(ns)]
        return not any(n.startswith("shop-setup-1-") for n in names), names
    wait_until("the revision 1 setup Job to go away", old_job_gone)


def test_uninstall_leaves_only_the_database_volume(installed):
    ns = installed["namespace"]
    run_helm(["uninstall", RELEASE, "--namespace", ns, "--wait", "--timeout", "3m"])

    def only_the_claim_left():
        left = sorted((o["kind"], o["metadata"]["name"]) for o in
                      kubectl_json("get", "all,configmaps,pvc,networkpolicies,resourcequotas,limitranges,"
                                   "serviceaccounts,ingresses,jobs", "-n", ns)["items"]
                      if (o["kind"], o["metadata"]["name"]) not in
                      {("ConfigMap", "kube-root-ca.crt"), ("ServiceAccount", "default")})
        return left == [("PersistentVolumeClaim", "data-shop-postgres-0")], left
    wait_until("only the PostgreSQL PVC to remain after helm uninstall", only_the_claim_left, timeout=180, interval=2)
