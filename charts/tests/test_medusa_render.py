"""Render-time assertions on every rendering of medusa-store (see conftest.MEDUSA_RENDERINGS)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import (
    MEDUSA_CHART, MEDUSA_STORE_VALUES, WORKLOAD_KINDS, Rendering, all_containers, pod_spec, pod_template_metadata,
    render_medusa,
)
from test_render import DNS1035, DNS1123, check_pod_security_restricted, ident, pod_resources, qty

HOST = "shop-3f0c1a9e.stores.localhost"
STORE_ID = "3f0c1a9e-8a8b-4c1e-9d2e-0c6d2b1a7f11"
# The contract's components: the engine waits for the first four, then the setup Job.
COMPONENTS = {"postgres": "StatefulSet", "redis": "Deployment", "medusa-server": "Deployment",
              "medusa-worker": "Deployment", "setup": "Job"}
UIDS = {"postgres": 999, "redis": 999, "medusa-server": 1000, "medusa-worker": 1000, "setup": 1000}
SECRET_KEYS = {"postgres-password", "redis-password", "medusa-admin-password", "medusa-jwt-secret",
               "medusa-cookie-secret"}
# Environment variables that carry a secret: they must come from the Secret, never a value.
SECRET_ENV = {"DATABASE_PASSWORD", "REDIS_PASSWORD", "REDISCLI_AUTH", "JWT_SECRET", "COOKIE_SECRET",
              "MEDUSA_ADMIN_PASSWORD", "POSTGRES_PASSWORD"}


def workloads(r: Rendering) -> list[dict]:
    return [d for d in r.docs if d["kind"] in WORKLOAD_KINDS]


def component(doc: dict) -> str:
    return doc["metadata"]["labels"]["app.kubernetes.io/component"]


def workload(r: Rendering, name: str) -> dict:
    return r.one(COMPONENTS[name], name)


def container(r: Rendering, name: str) -> dict:
    return pod_spec(workload(r, name))["containers"][0]


def env_of(c: dict) -> dict[str, dict]:
    return {e["name"]: e for e in c.get("env", [])}


def env_values(c: dict) -> dict[str, str | None]:
    return {e["name"]: e.get("value") for e in c.get("env", [])}


# --- objects, Pod Security, resources ----------------------------------------------------

def test_renders_the_expected_objects(medusa_rendering):
    r = medusa_rendering
    kinds = {d["kind"] for d in r.docs}
    assert {"ConfigMap", "Deployment", "Ingress", "Job", "LimitRange", "NetworkPolicy", "ResourceQuota", "Service",
            "ServiceAccount", "StatefulSet"} <= kinds, kinds
    assert "Secret" not in kinds, "the chart must never create or embed secrets"
    assert sorted(component(d) for d in workloads(r)) == sorted(COMPONENTS)
    for name, kind in COMPONENTS.items():
        assert workload(r, name)["kind"] == kind
    # Redis keeps nothing: no volume claim anywhere but PostgreSQL's template.
    assert not r.of_kind("PersistentVolumeClaim")


def test_every_pod_is_restricted_and_read_only(medusa_rendering):
    for doc in workloads(medusa_rendering):
        check_pod_security_restricted(doc)
        spec = pod_spec(doc)
        uid = UIDS[component(doc)]
        assert spec["securityContext"]["runAsUser"] == uid and spec["securityContext"]["fsGroup"] == uid, ident(doc)
        for c in all_containers(spec):
            assert c["securityContext"]["runAsUser"] == uid, ident(doc)
            assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}, ident(doc)


WRITABLE = {
    "postgres": {"/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"},
    "redis": {"/data", "/tmp", "/run/redis"},
    "medusa-server": {"/tmp", "/app/static"},
    "medusa-worker": {"/tmp", "/app/static"},
    "setup": {"/tmp", "/app/static"},
}


def test_writable_paths_are_volumes(medusa_rendering):
    for doc in workloads(medusa_rendering):
        spec, name = pod_spec(doc), component(doc)
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        claims = {t["metadata"]["name"] for t in doc["spec"].get("volumeClaimTemplates", [])}
        mounts = {m["mountPath"]: m for m in spec["containers"][0]["volumeMounts"]}
        writable = {path for path, m in mounts.items() if not m.get("readOnly")}
        assert writable == WRITABLE[name], f"{ident(doc)}: {sorted(writable)}"
        for path in writable:
            vol = mounts[path]["name"]
            assert vol in claims or "emptyDir" in volumes[vol], f"{ident(doc)}: {path} on {vol}"
        for m in mounts.values():
            if m["name"] in volumes and "configMap" in volumes[m["name"]]:
                assert m.get("readOnly") is True, f"{ident(doc)}: {m['mountPath']}"


def test_every_container_has_requests_and_limits(medusa_rendering):
    for doc in workloads(medusa_rendering):
        for c in all_containers(pod_spec(doc)):
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    assert c["resources"].get(kind, {}).get(resource), f"{ident(doc)}: no {kind}.{resource}"


def test_no_pod_mounts_an_api_token(medusa_rendering):
    sas = medusa_rendering.of_kind("ServiceAccount")
    assert len(sas) == 1 and sas[0]["automountServiceAccountToken"] is False
    for doc in workloads(medusa_rendering):
        spec = pod_spec(doc)
        assert spec["automountServiceAccountToken"] is False, ident(doc)
        assert spec["serviceAccountName"] == sas[0]["metadata"]["name"], ident(doc)
        assert spec["enableServiceLinks"] is False, ident(doc)


def test_images_are_pinned(medusa_rendering):
    for doc in workloads(medusa_rendering):
        for c in all_containers(pod_spec(doc)):
            image = c["image"]
            if image.startswith("storefleet.local/") and c.get("imagePullPolicy") == "Never":
                continue  # testenv's images, built locally (testenv/images/build)
            name, _, tag = image.rpartition(":")
            assert name and "/" not in tag and tag != "latest" and re.search(r"\d", tag), f"{ident(doc)}: {image}"


def test_local_uses_testenv_images_and_placement(medusa_renderings):
    r = medusa_renderings["local"]
    images = {component(d): pod_spec(d)["containers"][0]["image"] for d in workloads(r)}
    assert images == {"postgres": "storefleet.local/postgres:testenv", "redis": "storefleet.local/redis:testenv",
                      "medusa-server": "storefleet.local/medusa:testenv",
                      "medusa-worker": "storefleet.local/medusa:testenv", "setup": "storefleet.local/medusa:testenv"}
    toleration = {"key": "storefleet.io/real-node", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    for doc in workloads(r):
        spec = pod_spec(doc)
        assert spec["nodeSelector"] == {"storefleet.io/node-kind": "real"}, ident(doc)
        assert spec["tolerations"] == [toleration], ident(doc)
        assert all(c["imagePullPolicy"] == "Never" for c in all_containers(spec)), ident(doc)
    sts = workload(r, "postgres")
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "local-path"
    assert r.one("Ingress")["spec"]["ingressClassName"] == "nginx"
    simulated = medusa_renderings["simulated"]
    for doc in workloads(simulated):
        spec = pod_spec(doc)
        assert spec["nodeSelector"] == {"type": "kwok"} and "tolerations" not in spec, ident(doc)
    sts = workload(simulated, "postgres")
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "standard"


def test_placement_pull_policy_and_pod_extras_reach_every_pod(render_dir, medusa_renderings):
    toleration = {"key": "storefleet.io/real-node", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    extra = {"imagePullPolicy": "Always",
             "placement": {"nodeSelector": {"storefleet.io/node-kind": "real"}, "tolerations": [toleration]},
             "postgres": {"nodeSelector": {"disk": "ssd"}, "podLabels": {"testenv.storefleet.io/fail": "never-ready"},
                          "podAnnotations": {"note": "postgres"}},
             "redis": {"podLabels": {"testenv.storefleet.io/fail": "never-ready"}, "podAnnotations": {"note": "redis"}},
             "medusa": {"server": {"podLabels": {"testenv.storefleet.io/fail": "never-ready"},
                                   "podAnnotations": {"note": "medusa-server"}},
                        "worker": {"podLabels": {"testenv.storefleet.io/fail": "never-ready"},
                                   "podAnnotations": {"note": "medusa-worker"}}},
             "setup": {"podLabels": {"testenv.storefleet.io/fail": "never-ready"}, "podAnnotations": {"note": "setup"}}}
    r = render_medusa(render_dir, "placement", [], extra)
    for doc in workloads(r):
        spec, meta = pod_spec(doc), pod_template_metadata(doc)
        assert spec["nodeSelector"]["storefleet.io/node-kind"] == "real", ident(doc)
        assert toleration in spec["tolerations"], ident(doc)
        assert all(c["imagePullPolicy"] == "Always" for c in all_containers(spec)), ident(doc)
        assert meta["labels"]["testenv.storefleet.io/fail"] == "never-ready", ident(doc)
        assert meta["annotations"]["note"] == component(doc), ident(doc)
    assert pod_spec(workload(r, "postgres"))["nodeSelector"] == {"storefleet.io/node-kind": "real", "disk": "ssd"}
    for doc in workloads(medusa_renderings["defaults"]):
        spec = pod_spec(doc)
        assert "nodeSelector" not in spec and "tolerations" not in spec, ident(doc)
        assert all(c["imagePullPolicy"] == "IfNotPresent" for c in all_containers(spec)), ident(doc)


# --- quota and limit range ---------------------------------------------------------------

def test_store_fits_its_quota_with_one_surge_pod_and_the_setup_job(medusa_rendering):
    r = medusa_rendering
    quota = r.one("ResourceQuota")["spec"]["hard"]
    server = workload(r, "medusa-server")
    surge = server["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    counts = {"postgres": 1, "redis": workload(r, "redis")["spec"]["replicas"],
              "medusa-server": server["spec"]["replicas"] + surge,
              "medusa-worker": workload(r, "medusa-worker")["spec"]["replicas"], "setup": 1}
    # Only the server surges: everything else is replaced, not rolled.
    assert workload(r, "redis")["spec"]["strategy"]["type"] == "Recreate"
    assert workload(r, "medusa-worker")["spec"]["strategy"]["type"] == "Recreate"
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            total = sum(pod_resources(pod_spec(workload(r, c)), kind)[resource] * n for c, n in counts.items())
            assert total <= qty(quota[f"{kind}.{resource}"]), (
                f"{r.name}: {kind}.{resource} {total} exceeds the quota {quota[f'{kind}.{resource}']}")
    assert sum(counts.values()) <= int(quota["pods"])
    storage = sum(qty(t["spec"]["resources"]["requests"]["storage"])
                  for t in workload(r, "postgres")["spec"]["volumeClaimTemplates"])
    assert storage <= qty(quota["requests.storage"])
    assert len(r.of_kind("Service")) <= int(quota["services"])
    assert len(r.of_kind("ConfigMap")) + 1 <= int(quota["configmaps"])  # + kube-root-ca.crt
    assert int(quota["services.loadbalancers"]) == 0 and int(quota["services.nodeports"]) == 0


def test_every_container_is_within_the_limit_range(medusa_rendering):
    maxima = medusa_rendering.one("LimitRange")["spec"]["limits"][0]["max"]
    for doc in workloads(medusa_rendering):
        for c in all_containers(pod_spec(doc)):
            for resource in ("cpu", "memory"):
                assert qty(c["resources"]["limits"][resource]) <= qty(maxima[resource]), ident(doc)
                assert qty(c["resources"]["requests"][resource]) <= qty(c["resources"]["limits"][resource]), ident(doc)


def test_node_heap_stays_below_the_memory_limit(medusa_rendering):
    """NODE_OPTIONS --max-old-space-size leaves at least 192 MiB of the limit for the rest of
    the process (code, buffers, native memory), so V8 fails with a heap error before the
    kernel kills the container."""
    for name in ("medusa-server", "medusa-worker", "setup"):
        c = container(medusa_rendering, name)
        m = re.fullmatch(r"--max-old-space-size=(\d+)", env_values(c)["NODE_OPTIONS"])
        assert m, env_values(c)["NODE_OPTIONS"]
        limit_mib = qty(c["resources"]["limits"]["memory"]) / 2**20
        assert int(m.group(1)) + 192 <= limit_mib, f"{medusa_rendering.name} {name}: heap {m.group(1)} vs {limit_mib}"
        assert int(m.group(1)) >= 256, f"{name}: Medusa needs more than {m.group(1)} MiB of heap"


def test_guardrails_are_present(medusa_rendering):
    quota = medusa_rendering.one("ResourceQuota")["spec"]["hard"]
    for key in ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "requests.storage",
                "persistentvolumeclaims", "pods", "services", "secrets", "configmaps"):
        assert key in quota, f"quota lacks {key}"
    limits = medusa_rendering.one("LimitRange")["spec"]["limits"][0]
    for key in ("default", "defaultRequest", "max"):
        assert {"cpu", "memory"} <= set(limits[key]), f"LimitRange {key}"


# --- labels and names --------------------------------------------------------------------

def test_labels(medusa_rendering):
    r = medusa_rendering
    for doc in r.docs:
        labels = doc["metadata"].get("labels", {})
        for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
                    "app.kubernetes.io/version", "app.kubernetes.io/part-of", "helm.sh/chart"):
            assert key in labels, f"{ident(doc)} lacks label {key}"
        assert labels["app.kubernetes.io/name"] == "medusa-store"
        assert labels["app.kubernetes.io/instance"] == r.release
        assert labels["app.kubernetes.io/version"] == "2.21.2"
        assert labels["storefleet.io/store-id"] == STORE_ID, ident(doc)
        assert all(len(str(v)) <= 63 for v in labels.values()), ident(doc)
    for doc in workloads(r):
        name = component(doc)
        pod_labels = pod_template_metadata(doc)["labels"]
        assert pod_labels["app.kubernetes.io/component"] == name
        assert pod_labels["app.kubernetes.io/instance"] == r.release
        assert pod_labels["storefleet.io/store-id"] == STORE_ID
        if doc["kind"] != "Job":
            assert doc["spec"]["selector"]["matchLabels"] == {
                "app.kubernetes.io/name": "medusa-store", "app.kubernetes.io/instance": r.release,
                "app.kubernetes.io/component": name}
    for svc in r.of_kind("Service"):
        assert svc["spec"]["type"] == "ClusterIP"
        assert component(svc) in ("postgres", "redis", "medusa-server")


def test_claim_template_labels_never_change_with_the_chart_version(medusa_rendering):
    for vct in workload(medusa_rendering, "postgres")["spec"]["volumeClaimTemplates"]:
        labels = vct["metadata"]["labels"]
        assert "helm.sh/chart" not in labels and "app.kubernetes.io/version" not in labels
        assert labels["app.kubernetes.io/component"] == "postgres"


def test_names_fit(medusa_rendering):
    for doc in medusa_rendering.docs:
        name = doc["metadata"]["name"]
        assert len(name) <= 63 and DNS1123.match(name), f"{ident(doc)}: name"
        if doc["kind"] == "Service":
            assert DNS1035.match(name), f"{ident(doc)}: Service names must start with a letter"
        if doc["kind"] == "StatefulSet":
            assert len(name) <= 52, f"{ident(doc)}: pods' controller-revision-hash label would not fit"


# --- secrets ---------------------------------------------------------------------------

def test_secrets_only_through_secret_key_refs(medusa_rendering):
    """Every secret reaches a process through a secretKeyRef of the credentials Secret, and
    no command line, probe or ConfigMap carries one."""
    used = set()
    for doc in workloads(medusa_rendering):
        for c in all_containers(pod_spec(doc)):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == "shop-credentials" and ref["key"] in SECRET_KEYS, ident(doc)
                    used.add(ref["key"])
                if e["name"] in SECRET_ENV or re.search(r"PASSWORD|SECRET|AUTH$", e["name"]):
                    assert ref, f"{ident(doc)}: {e['name']} must come from the Secret"
            argv = c.get("command", []) + c.get("args", [])
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                argv += c.get(probe, {}).get("exec", {}).get("command", [])
            for arg in argv:
                assert not re.search(r"-a\b|--pass|requirepass|password=|PGPASSWORD", arg, re.I), f"{ident(doc)}: {arg}"
                assert "$(" not in arg or "redis-cli" in arg, f"{ident(doc)}: {arg}"
    assert used == SECRET_KEYS
    for cm in medusa_rendering.of_kind("ConfigMap"):
        for value in cm["data"].values():
            assert not re.search(r"requirepass\s+\w", value.replace('"%s"', "")), cm["metadata"]["name"]


def test_rendered_output_has_no_secret_material(medusa_rendering):
    text = medusa_rendering.text
    assert "kind: Secret\n" not in text
    assert not re.search(r"\b(stringData|password:\s*\S)", text)
    for key in SECRET_KEYS:
        # A key name appears only as a secretKeyRef key (and in the validation message).
        for line in text.splitlines():
            if key in line:
                assert line.strip() == f"key: {key}", line


# --- components ------------------------------------------------------------------------

def test_postgres(medusa_rendering):
    sts = workload(medusa_rendering, "postgres")
    c = pod_spec(sts)["containers"][0]
    env = env_of(c)
    assert env["PGDATA"]["value"] == "/var/lib/postgresql/data/pgdata"
    data_mount = next(m for m in c["volumeMounts"] if m["name"] == "data")
    assert env["PGDATA"]["value"].startswith(data_mount["mountPath"] + "/"), "PGDATA is a subdirectory of the volume"
    assert env["POSTGRES_USER"]["value"] == "medusa" and env["POSTGRES_DB"]["value"] == "medusa"
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "postgres-password"
    assert c["ports"] == [{"name": "postgres", "containerPort": 5432, "protocol": "TCP"}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["exec"]["command"][:3] == ["pg_isready", "-h", "127.0.0.1"], probe
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert c["args"][0] == "postgres"


def test_redis_password_never_in_argv(medusa_rendering):
    r = medusa_rendering
    dep = workload(r, "redis")
    c = pod_spec(dep)["containers"][0]
    assert c["command"] == ["sh", "/opt/storefleet/redis/start.sh"] and "args" not in c
    env = env_of(c)
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "redis-password"
    assert env["REDISCLI_AUTH"]["valueFrom"]["secretKeyRef"]["key"] == "redis-password"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        cmd = c[probe]["exec"]["command"]
        assert "redis-cli" in cmd[-1] and "-a" not in cmd[-1].split(), cmd
    volumes = {v["name"]: v for v in pod_spec(dep)["volumes"]}
    assert volumes["run"]["emptyDir"]["medium"] == "Memory", "redis.conf holds the password: keep it off disk"
    script = next(cm for cm in r.of_kind("ConfigMap") if component(cm) == "redis")["data"]["start.sh"]
    assert "exec redis-server \"$conf\"" in script and "appendonly no" in script and 'save ""' in script
    assert dep["spec"]["strategy"]["type"] == "Recreate"
    annotations = pod_template_metadata(dep)["annotations"]
    assert re.fullmatch(r"[0-9a-f]{64}", annotations["checksum/config"])


@pytest.mark.parametrize("name, command", [("medusa-server", "server"), ("medusa-worker", "worker")])
def test_medusa_processes(medusa_rendering, name, command):
    dep = workload(medusa_rendering, name)
    c = pod_spec(dep)["containers"][0]
    assert c["args"] == [command] and "command" not in c, "the image's entrypoint storefleet-medusa runs"
    assert c["ports"] == [{"name": "http", "containerPort": 9000, "protocol": "TCP"}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/health", "port": "http"}, probe
    env = env_values(c)
    scheme = "https" if medusa_rendering.one("Ingress")["spec"].get("tls") else "http"
    url = f"{scheme}://{HOST}"
    assert env["MEDUSA_BACKEND_URL"] == url
    for key in ("STORE_CORS", "ADMIN_CORS", "AUTH_CORS"):
        assert env[key].split(",")[0] == url
    assert env["PORT"] == "9000"
    assert env["DATABASE_HOST"] == next(s for s in medusa_rendering.of_kind("Service")
                                        if component(s) == "postgres")["metadata"]["name"]
    assert env["REDIS_HOST"] == next(s for s in medusa_rendering.of_kind("Service")
                                     if component(s) == "redis")["metadata"]["name"]
    assert (env["DATABASE_PORT"], env["REDIS_PORT"]) == ("5432", "6379")
    assert env["DATABASE_NAME"] == "medusa" and env["DATABASE_USER"] == "medusa"
    assert env["MEDUSA_ADMIN_ENABLED"] == ("true" if name == "medusa-server" else "false")
    assert "MEDUSA_ADMIN_PASSWORD" not in env, "only the setup Job needs the admin password"


def test_server_service_and_ingress(medusa_rendering):
    r = medusa_rendering
    svc = next(s for s in r.of_kind("Service") if component(s) == "medusa-server")
    assert svc["spec"]["ports"][0]["targetPort"] == "http"
    rule = r.one("Ingress")["spec"]["rules"][0]
    assert rule["host"] == HOST
    path = rule["http"]["paths"][0]
    assert path["path"] == "/" and path["pathType"] == "Prefix"
    assert path["backend"]["service"] == {"name": svc["metadata"]["name"], "port": {"name": "http"}}


@pytest.mark.parametrize("name, tls, annotation, secret", [
    ("defaults", False, None, None),
    ("local", False, None, None),
    ("tls-cert-manager", True, ("cert-manager.io/issuer", "store-ca"), "shop-tls"),
    ("tls-existing-secret", True, None, "wildcard-stores-tls"),
    ("tls-wildcard", True, None, None),
    ("prod", True, ("cert-manager.io/cluster-issuer", "letsencrypt-prod"), "shop-tls"),
])
def test_ingress_tls_modes(medusa_renderings, name, tls, annotation, secret):
    r = medusa_renderings[name]
    ingress = r.one("Ingress")
    annotations = ingress["metadata"].get("annotations", {})
    if tls:
        # wildcard mode: no secretName, the controller's default certificate serves it.
        expected = {"hosts": [HOST], **({"secretName": secret} if secret else {})}
        assert ingress["spec"]["tls"] == [expected]
    else:
        assert "tls" not in ingress["spec"]
    if annotation:
        assert annotations[annotation[0]] == annotation[1]
    else:
        assert not any(k.startswith("cert-manager.io/") for k in annotations)
    scheme = "https" if tls else "http"
    for name in ("medusa-server", "medusa-worker", "setup"):
        assert env_values(container(r, name))["MEDUSA_BACKEND_URL"] == f"{scheme}://{HOST}"


def test_prod_sizes_and_classes(medusa_renderings):
    prod = medusa_renderings["prod"]
    assert workload(prod, "postgres")["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "ssd"
    assert workload(prod, "medusa-server")["spec"]["replicas"] == 2
    assert prod.one("Ingress")["spec"]["ingressClassName"] == "nginx"
    assert not [p for p in prod.of_kind("NetworkPolicy") if p["metadata"]["name"].endswith("allow-internet-https")]


def test_extra_cors_origins_follow_the_store_url(render_dir):
    r = render_medusa(render_dir, "cors", [], {"medusa": {"extraCorsOrigins": ["https://front.example.com"]}})
    env = env_values(container(r, "medusa-server"))
    assert env["STORE_CORS"] == f"http://{HOST},https://front.example.com"


# --- the setup Job ---------------------------------------------------------------------

def job_name(r: Rendering) -> str:
    return r.one("Job")["metadata"]["name"]


def test_setup_job(medusa_rendering):
    job = medusa_rendering.one("Job")
    labels = job["metadata"]["labels"]
    name = job["metadata"]["name"]
    assert labels["app.kubernetes.io/component"] == "setup"
    assert labels["storefleet.io/release-revision"] == "1"
    assert re.fullmatch(r".+-setup-1-[0-9a-f]{10}", name) and len(name) <= 63, name
    assert name.endswith(labels["storefleet.io/setup-checksum"])
    assert job["spec"]["backoffLimit"] >= 0 and job["spec"]["activeDeadlineSeconds"] >= 60
    spec = pod_spec(job)
    assert spec["restartPolicy"] == "Never" and not spec.get("initContainers")
    c = spec["containers"][0]
    assert c["args"] == ["setup"] and "command" not in c
    assert c["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert c["image"] == container(medusa_rendering, "medusa-server")["image"]
    env = env_of(c)
    assert env["MEDUSA_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "medusa-admin-password"
    values = env_values(c)
    assert values["MEDUSA_ADMIN_EMAIL"] == "owner@example.com"
    assert values["STORE_TITLE"] == "Test Shop"
    assert values["STORE_CURRENCY"] == "usd" and values["STORE_COUNTRIES"] == "us"
    assert re.fullmatch(r"\d+", values["SETUP_WAIT_SECONDS"])
    products = values["STOREFLEET_PRODUCTS_FILE"]
    mount = next(m for m in c["volumeMounts"] if products.startswith(m["mountPath"] + "/"))
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    cm = next(d for d in medusa_rendering.of_kind("ConfigMap")
              if d["metadata"]["name"] == volume["configMap"]["name"])
    assert products.rsplit("/", 1)[1] in cm["data"]
    # Everything the server and worker get, the setup gets too (same database, Redis, secrets).
    server_env = {k for k in env_of(container(medusa_rendering, "medusa-server"))}
    assert server_env <= set(env)


def test_products_file_matches_the_contract(medusa_rendering):
    cm = next(d for d in medusa_rendering.of_kind("ConfigMap") if component(d) == "setup")
    products = json.loads(cm["data"]["products.json"])
    assert [(p["handle"], p["sku"], p["price"], p["stock"]) for p in products] == [
        ("sf-mug", "sf-mug", 12.0, 100), ("sf-tshirt", "sf-tshirt", 24.0, 50),
        ("sf-stickers", "sf-stickers", 4.5, 500)]
    for p in products:
        assert set(p) == {"title", "handle", "sku", "price", "description", "stock"}
        assert isinstance(p["price"], (int, float)) and isinstance(p["stock"], int)
    assert [p["title"] for p in products] == ["Storefleet Mug", "Storefleet T-Shirt", "Storefleet Sticker Pack"]


def test_setup_job_name_changes_with_what_it_does(render_dir, medusa_renderings):
    base = job_name(medusa_renderings["defaults"])
    changed = {
        "products": {"medusa": {"sampleProducts": [{"title": "Other", "handle": "other", "sku": "o",
                                                    "price": "1.00", "stock": 1}]}},
        "currency": {"medusa": {"currency": "eur"}},
        "countries": {"medusa": {"countries": ["us", "ca"]}},
        "title": {"store": {"title": "Renamed"}},
        "admin-email": {"store": {"adminEmail": "new@example.com"}},
        "image": {"medusa": {"image": {"tag": "2.21.3"}}},
        "backoff": {"setup": {"backoffLimit": 1}},
        "tls": {"ingress": {"tls": {"mode": "existingSecret", "secretName": "wildcard"}}},
    }
    for label, extra in changed.items():
        assert job_name(render_medusa(render_dir, f"job-{label}", [], extra)) != base, label
    same = render_medusa(render_dir, "job-unrelated", [], {
        "medusa": {"server": {"replicas": 3}, "worker": {"maxOldSpaceSizeMb": 400}, "adminEnabled": False},
        "quota": {"pods": 20}, "imagePullPolicy": "Never", "redis": {"maxMemory": "32mb"},
        "placement": {"nodeSelector": {"storefleet.io/node-kind": "real"}}})
    assert job_name(same) == base


def test_setup_job_name_fits_with_the_longest_release(medusa_renderings):
    name = job_name(medusa_renderings["long-name"])
    assert len(name) <= 63 and name.startswith("store-1") and re.search(r"-setup-1-[0-9a-f]{10}$", name), name


# --- documentation ---------------------------------------------------------------------

def test_values_documented_in_readme():
    """Every leaf of values.yaml appears in the chart README's values table."""
    values = yaml.safe_load((MEDUSA_CHART / "values.yaml").read_text())
    readme = (MEDUSA_CHART / "README.md").read_text()
    opaque = {"resources", "updateStrategy", "namespaceSelector", "podSelector", "requests", "limits",
              "defaultRequest", "default", "max", "sampleProducts"}

    def leaves(node, prefix=""):
        if isinstance(node, dict) and node:
            for key, value in node.items():
                if key in opaque:
                    yield prefix + key
                    continue
                yield from leaves(value, f"{prefix}{key}.")
        else:
            yield prefix.rstrip(".")

    missing = [leaf for leaf in leaves(values) if f"`{leaf}`" not in readme]
    assert not missing, f"README lacks values: {missing}"


def test_the_store_fixture_matches_the_contract():
    """The engine passes exactly these values (docs: the Medusa contract)."""
    values = yaml.safe_load(MEDUSA_STORE_VALUES.read_text())
    assert set(values) == {"store", "credentials"}
    assert set(values["store"]) == {"id", "host", "title", "adminEmail"}
    assert set(values["credentials"]) == {"existingSecret"}


def test_list_keys_are_unique_for_server_side_apply(medusa_rendering):
    for doc in workloads(medusa_rendering):
        spec = pod_spec(doc)
        volumes = [v["name"] for v in spec.get("volumes", [])]
        volumes += [t["metadata"]["name"] for t in doc["spec"].get("volumeClaimTemplates", [])]
        assert len(volumes) == len(set(volumes)), ident(doc)
        for c in all_containers(spec):
            env = [e["name"] for e in c.get("env", [])]
            assert len(env) == len(set(env)), f"{ident(doc)}: duplicate env"
            mounts = [m["mountPath"] for m in c.get("volumeMounts", [])]
            assert len(mounts) == len(set(mounts)), ident(doc)
            assert {m["name"] for m in c.get("volumeMounts", [])} <= set(volumes), ident(doc)
