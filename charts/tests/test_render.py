"""Render-time assertions on every rendering of the chart (see conftest.RENDERINGS)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import (
    CHART, RENDERINGS, WORKLOAD_KINDS, Rendering, all_containers, pod_spec, pod_template_metadata, render,
)

# Pod Security Standards, "restricted" profile.
RESTRICTED_VOLUME_TYPES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
COMPONENTS = {"Deployment": "wordpress", "StatefulSet": "mariadb", "Job": "setup"}


def workloads(r: Rendering) -> list[dict]:
    return [d for d in r.docs if d["kind"] in WORKLOAD_KINDS]


def ident(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def test_renders_the_expected_objects(rendering):
    kinds = sorted(d["kind"] for d in rendering.docs)
    for kind in ["ConfigMap", "Deployment", "Ingress", "Job", "LimitRange", "NetworkPolicy",
                 "PersistentVolumeClaim", "ResourceQuota", "Service", "ServiceAccount", "StatefulSet"]:
        assert kind in kinds, f"{rendering.name}: no {kind}"
    assert "Secret" not in kinds, "the chart must never create or embed secrets"
    assert {d["kind"] for d in workloads(rendering)} == {"Deployment", "StatefulSet", "Job"}


def test_every_pod_meets_pod_security_restricted(rendering):
    for doc in workloads(rendering):
        check_pod_security_restricted(doc)


def check_pod_security_restricted(doc: dict) -> None:
    """Pod Security "restricted", plus a read-only root filesystem, for one workload."""
    spec, where = pod_spec(doc), ident(doc)
    psc = spec.get("securityContext", {})
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        assert not spec.get(host, False), f"{where}: {host}"
    for vol in spec.get("volumes", []):
        types = set(vol) - {"name"}
        assert types <= RESTRICTED_VOLUME_TYPES, f"{where}: volume {vol['name']} of type {types}"
    for sysctl in psc.get("sysctls", []):
        assert sysctl["name"] in SAFE_SYSCTLS, f"{where}: sysctl {sysctl['name']}"
    assert psc.get("seccompProfile", {}).get("type") in ("RuntimeDefault", "Localhost"), f"{where}: pod seccomp"
    assert psc.get("runAsNonRoot") is True, f"{where}: pod runAsNonRoot"
    assert psc.get("runAsUser", 1) != 0, f"{where}: pod runs as root"
    assert "seLinuxOptions" not in psc or set(psc["seLinuxOptions"]) <= {"type", "level"}, where
    for c in all_containers(spec):
        cwhere = f"{where} container {c['name']}"
        sc = c.get("securityContext", {})
        assert sc.get("privileged", False) is False, f"{cwhere}: privileged"
        assert sc.get("allowPrivilegeEscalation") is False, f"{cwhere}: allowPrivilegeEscalation"
        caps = sc.get("capabilities", {})
        assert "ALL" in caps.get("drop", []), f"{cwhere}: capabilities not dropped"
        assert set(caps.get("add", [])) <= {"NET_BIND_SERVICE"}, f"{cwhere}: capabilities added"
        assert sc.get("seccompProfile", psc.get("seccompProfile", {})).get("type") in ("RuntimeDefault", "Localhost"), cwhere
        assert sc.get("seccompProfile", {}).get("type") != "Unconfined", cwhere
        assert sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, f"{cwhere}: runAsNonRoot"
        assert sc.get("runAsUser", psc.get("runAsUser", 1)) != 0, f"{cwhere}: runs as root"
        assert sc.get("procMount", "Default") == "Default", cwhere
        assert sc.get("readOnlyRootFilesystem") is True, f"{cwhere}: root filesystem is writable"
        for port in c.get("ports", []):
            assert not port.get("hostPort"), f"{cwhere}: hostPort"
            assert port["containerPort"] >= 1024, f"{cwhere}: privileged port {port['containerPort']}"


def test_every_container_has_requests_and_limits(rendering):
    for doc in workloads(rendering):
        for c in all_containers(pod_spec(doc)):
            res = c.get("resources", {})
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    assert res.get(kind, {}).get(resource), f"{ident(doc)} {c['name']}: no {kind}.{resource}"


def test_no_pod_mounts_an_api_token(rendering):
    sa_names = {d["metadata"]["name"] for d in rendering.of_kind("ServiceAccount")}
    for sa in rendering.of_kind("ServiceAccount"):
        assert sa.get("automountServiceAccountToken") is False
    for doc in workloads(rendering):
        spec = pod_spec(doc)
        assert spec.get("automountServiceAccountToken") is False, ident(doc)
        assert spec.get("serviceAccountName") in sa_names, f"{ident(doc)} uses a ServiceAccount the chart does not own"
        for vol in spec.get("volumes", []):
            for source in vol.get("projected", {}).get("sources", []):
                assert "serviceAccountToken" not in source, ident(doc)
            assert "kube-api-access" not in vol["name"], ident(doc)


def test_images_are_pinned(rendering):
    for doc in workloads(rendering):
        for c in all_containers(pod_spec(doc)):
            image = c["image"]
            if "@sha256:" in image:
                continue
            if image.startswith("storefleet.local/") and c.get("imagePullPolicy") == "Never":
                # testenv's images, built locally and never pulled; their recipe hash is a
                # label of the image (testenv/images/build).
                continue
            name, _, tag = image.rpartition(":")
            assert name and "/" not in tag, f"{ident(doc)} {c['name']}: {image} has no tag"
            assert tag != "latest" and not tag.endswith("-latest"), f"{ident(doc)}: {image}"
            assert re.search(r"\d", tag), f"{ident(doc)}: tag {tag} pins no version"


def test_guardrails_are_present(rendering):
    quota = rendering.one("ResourceQuota")["spec"]["hard"]
    for key in ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "requests.storage",
                "persistentvolumeclaims", "pods", "services", "secrets"):
        assert key in quota, f"quota lacks {key}"
    limits = rendering.one("LimitRange")["spec"]["limits"]
    container = next(lim for lim in limits if lim["type"] == "Container")
    for key in ("default", "defaultRequest", "max"):
        assert {"cpu", "memory"} <= set(container[key]), f"LimitRange {key}"
    deny = [p for p in rendering.of_kind("NetworkPolicy")
            if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert len(deny) == 1, "no default-deny NetworkPolicy"


def test_default_limit_range_matches_the_requirements(renderings):
    limits = renderings["defaults"].one("LimitRange")["spec"]["limits"][0]
    assert limits["defaultRequest"] == {"cpu": "250m", "memory": "256Mi"}
    assert limits["default"] == {"cpu": "500m", "memory": "512Mi"}
    quota = renderings["defaults"].one("ResourceQuota")["spec"]["hard"]
    assert quota["limits.cpu"] == "2" and quota["limits.memory"] == "2Gi" and quota["requests.storage"] == "2Gi"


# --- quantities -----------------------------------------------------------------------

UNITS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
         "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 0.001}


def qty(value) -> float:
    m = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    assert m, f"bad quantity {value}"
    return float(m.group(1)) * UNITS[m.group(2)]


def pod_resources(spec: dict, kind: str) -> dict[str, float]:
    """Effective pod requests/limits: max(any init container, sum of app containers)."""
    out = {}
    for resource in ("cpu", "memory"):
        app = sum(qty(c["resources"][kind][resource]) for c in spec["containers"])
        init = max([qty(c["resources"][kind][resource]) for c in spec.get("initContainers", [])] or [0])
        out[resource] = max(app, init)
    return out


def test_store_fits_its_quota_with_one_rolling_update(rendering):
    quota = rendering.one("ResourceQuota")["spec"]["hard"]
    deployment = rendering.one("Deployment")
    hpas = rendering.of_kind("HorizontalPodAutoscaler")
    wordpress_pods = hpas[0]["spec"]["maxReplicas"] if hpas else deployment["spec"]["replicas"]
    surge = deployment["spec"]["strategy"].get("rollingUpdate", {}).get("maxSurge", 0)
    counts = {"wordpress": wordpress_pods + surge, "mariadb": 1, "setup": 1}
    specs = {"wordpress": pod_spec(deployment), "mariadb": pod_spec(rendering.one("StatefulSet")),
             "setup": pod_spec(rendering.one("Job"))}
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            total = sum(pod_resources(specs[c], kind)[resource] * n for c, n in counts.items())
            assert total <= qty(quota[f"{kind}.{resource}"]), (
                f"{rendering.name}: {kind}.{resource} {total} exceeds the quota {quota[f'{kind}.{resource}']}")
    assert sum(counts.values()) <= int(quota["pods"])
    storage = qty(rendering.one("PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"])
    for vct in rendering.one("StatefulSet")["spec"]["volumeClaimTemplates"]:
        storage += qty(vct["spec"]["resources"]["requests"]["storage"])
    assert storage <= qty(quota["requests.storage"])
    assert len(rendering.of_kind("Service")) <= int(quota["services"])
    assert len(rendering.of_kind("PersistentVolumeClaim")) + 1 <= int(quota["persistentvolumeclaims"])
    assert len(rendering.of_kind("ConfigMap")) + 1 <= int(quota["configmaps"])  # + kube-root-ca.crt


def test_every_container_is_within_the_limit_range(rendering):
    maxima = rendering.one("LimitRange")["spec"]["limits"][0]["max"]
    for doc in workloads(rendering):
        for c in all_containers(pod_spec(doc)):
            for resource in ("cpu", "memory"):
                assert qty(c["resources"]["limits"][resource]) <= qty(maxima[resource]), f"{ident(doc)} {c['name']}"
                assert qty(c["resources"]["requests"][resource]) <= qty(c["resources"]["limits"][resource])


# --- labels and names -----------------------------------------------------------------

def test_labels(rendering):
    release = rendering.release
    for doc in rendering.docs:
        labels = doc["metadata"].get("labels", {})
        for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
                    "app.kubernetes.io/version", "helm.sh/chart"):
            assert key in labels, f"{ident(doc)} lacks label {key}"
        assert labels["app.kubernetes.io/instance"] == release
        assert labels["storefleet.io/store-id"] == "3f0c1a9e-8a8b-4c1e-9d2e-0c6d2b1a7f11", ident(doc)
        for value in labels.values():
            assert len(str(value)) <= 63, f"{ident(doc)}: label value {value}"
    for doc in workloads(rendering):
        component = COMPONENTS[doc["kind"]]
        assert doc["metadata"]["labels"]["app.kubernetes.io/component"] == component
        pod_labels = pod_template_metadata(doc)["labels"]
        assert pod_labels["app.kubernetes.io/instance"] == release
        assert pod_labels["app.kubernetes.io/component"] == component
        assert pod_labels["storefleet.io/store-id"]
        if doc["kind"] != "Job":
            selector = doc["spec"]["selector"]["matchLabels"]
            assert selector == {"app.kubernetes.io/name": "woocommerce-store",
                                "app.kubernetes.io/instance": release,
                                "app.kubernetes.io/component": component}


def test_claim_template_labels_never_change_with_the_chart_version(rendering):
    for vct in rendering.one("StatefulSet")["spec"]["volumeClaimTemplates"]:
        labels = vct["metadata"]["labels"]
        assert "helm.sh/chart" not in labels and "app.kubernetes.io/version" not in labels
        assert labels["app.kubernetes.io/component"] == "mariadb"


DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def test_names_fit(rendering):
    for doc in rendering.docs:
        name = doc["metadata"]["name"]
        assert len(name) <= 63 and DNS1123.match(name), f"{ident(doc)}: name"
        if doc["kind"] == "Service":
            assert DNS1035.match(name), f"{ident(doc)}: Service names must start with a letter"
        if doc["kind"] == "StatefulSet":
            assert len(name) <= 52, f"{ident(doc)}: pods' controller-revision-hash label would not fit"


def test_pod_label_and_annotation_values_reach_the_pods(render_dir):
    extra = {c: {"podLabels": {"testenv.storefleet.io/fail": "image-pull"}, "podAnnotations": {"note": c}}
             for c in ("mariadb", "wordpress", "setup")}
    extra["wordpress"]["image"] = {"tag": "0.0.0-does-not-exist"}
    r = render(render_dir, "pod-extras", [], extra)
    for doc in workloads(r):
        component = COMPONENTS[doc["kind"]]
        meta = pod_template_metadata(doc)
        assert meta["labels"]["testenv.storefleet.io/fail"] == "image-pull"
        assert meta["annotations"]["note"] == component
    images = {c["image"] for c in all_containers(pod_spec(r.one("Deployment")))}
    assert images == {"docker.io/library/wordpress:0.0.0-does-not-exist"}


# --- WordPress, MariaDB and the Ingress ---------------------------------------------------

def test_wordpress_runs_unprivileged_with_host_header_probes(rendering):
    spec = pod_spec(rendering.one("Deployment"))
    assert spec["securityContext"]["runAsUser"] == 33
    container = next(c for c in spec["containers"] if c["name"] == "wordpress")
    assert container["ports"][0]["containerPort"] == 8080
    host = "shop-3f0c1a9e.stores.localhost"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        headers = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] == host, probe
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/var/www/html", "/tmp", "/var/www/html/wp-content/uploads", "/etc/apache2/ports.conf"} <= mounts
    config = next(d for d in rendering.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-wordpress"))
    assert "Listen 8080" in config["data"]["ports.conf"]
    assert "<VirtualHost *:8080>" in config["data"]["000-default.conf"]
    env = {e["name"]: e for e in container["env"]}
    for key in ("WORDPRESS_DB_PASSWORD", "WORDPRESS_AUTH_KEY", "WORDPRESS_NONCE_SALT"):
        assert env[key]["valueFrom"]["secretKeyRef"]["name"] == "shop-credentials"


def test_mariadb_probes_mean_accepting_queries(rendering):
    sts = rendering.one("StatefulSet")
    container = pod_spec(sts)["containers"][0]
    assert container["image"].startswith(("docker.io/library/mariadb:11.4.", "storefleet.local/mariadb:"))
    assert container["readinessProbe"]["exec"]["command"] == ["healthcheck.sh", "--connect", "--innodb_initialized"]
    env = {e["name"]: e for e in container["env"]}
    assert env["MARIADB_ROOT_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "mariadb-root-password"
    assert env["MARIADB_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "mariadb-password"
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"


def test_services_are_cluster_ip(rendering):
    for svc in rendering.of_kind("Service"):
        assert svc["spec"].get("type", "ClusterIP") == "ClusterIP"


def test_uploads_volume_survives_uninstall(rendering):
    pvc = rendering.one("PersistentVolumeClaim")
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


@pytest.mark.parametrize("name, tls, annotation, secret, scheme", [
    ("defaults", False, None, None, "http"),
    ("local", False, None, None, "http"),
    ("tls-cert-manager", True, ("cert-manager.io/issuer", "store-ca"), "shop-tls", "https"),
    ("tls-existing-secret", True, None, "wildcard-stores-tls", "https"),
    ("tls-wildcard", True, None, None, "https"),
    ("prod", True, ("cert-manager.io/cluster-issuer", "letsencrypt-prod"), "shop-tls", "https"),
])
def test_ingress_tls_modes(renderings, name, tls, annotation, secret, scheme):
    r = renderings[name]
    ingress = r.one("Ingress")
    host = "shop-3f0c1a9e.stores.localhost"
    assert ingress["spec"]["rules"][0]["host"] == host
    annotations = ingress["metadata"].get("annotations", {})
    if tls:
        # wildcard mode: no secretName, the controller's default certificate serves it.
        expected = {"hosts": [host], **({"secretName": secret} if secret else {})}
        assert ingress["spec"]["tls"] == [expected]
    else:
        assert "tls" not in ingress["spec"]
    if annotation:
        assert annotations[annotation[0]] == annotation[1]
    else:
        assert not any(k.startswith("cert-manager.io/") for k in annotations)
    env = {e["name"]: e.get("value") for e in pod_spec(r.one("Deployment"))["containers"][0]["env"]}
    assert env["STOREFLEET_URL"] == f"{scheme}://{host}"


def test_local_and_prod_use_their_classes(renderings):
    assert renderings["local"].one("Ingress")["spec"]["ingressClassName"] == "nginx"
    prod = renderings["prod"]
    assert prod.one("StatefulSet")["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "ssd"
    assert prod.one("HorizontalPodAutoscaler")["spec"]["minReplicas"] == 2
    assert "replicas" not in prod.one("Deployment")["spec"]
    assert prod.one("PodDisruptionBudget")["spec"]["minAvailable"] == 1


# --- the setup Job ----------------------------------------------------------------------

def job_name(r: Rendering) -> str:
    return r.one("Job")["metadata"]["name"]


def test_setup_job_name_carries_revision_and_checksum(rendering):
    job = rendering.one("Job")
    name = job["metadata"]["name"]
    checksum = job["metadata"]["labels"]["storefleet.io/setup-checksum"]
    assert re.fullmatch(r".+-setup-1-[0-9a-f]{10}", name), name
    assert name.endswith(checksum) and len(name) <= 63
    assert job["metadata"]["labels"]["storefleet.io/release-revision"] == "1"
    assert pod_spec(job)["restartPolicy"] == "Never"


def test_setup_job_name_changes_with_what_it_does(render_dir, renderings, tmp_path):
    base = job_name(renderings["defaults"])
    changed_values = {
        "products": {"woocommerce": {"sampleProducts": [{"name": "Other", "price": "1.00", "stock": 1}]}},
        "currency": {"woocommerce": {"currency": "EUR"}},
        "title": {"store": {"title": "Renamed"}},
        "wordpress-image": {"wordpress": {"image": {"tag": "6.8.3-php8.4-apache"}}},
    }
    for label, extra in changed_values.items():
        assert job_name(render(render_dir, f"job-{label}", [], extra)) != base, label
    # Values the Job does not read leave its name alone.
    same = render(render_dir, "job-unrelated", [], {"wordpress": {"replicas": 3}, "quota": {"pods": 20},
                                                   "imagePullPolicy": "Never",
                                                   "placement": {"nodeSelector": {"storefleet.io/node-kind": "real"}}})
    assert job_name(same) == base
    # A different script gives a different name.
    chart_copy = tmp_path / "woocommerce-store"
    shutil.copytree(CHART, chart_copy)
    script = chart_copy / "files" / "setup.php"
    script.write_text(script.read_text() + "\n// changed\n")
    assert job_name(render(render_dir, "job-script", [], {}, chart=chart_copy)) != base


def test_setup_job_runs_php_in_the_wordpress_image(rendering):
    job = rendering.one("Job")
    spec = pod_spec(job)
    container = spec["containers"][0]
    wordpress_image = pod_spec(rendering.one("Deployment"))["containers"][0]["image"]
    assert container["image"] == wordpress_image, "the setup runs in the WordPress image (no wp-cli image)"
    assert container["command"][0] == "php" and container["command"][-1] == "/opt/storefleet/setup/setup.php"
    assert [a for a in container["command"] if re.fullmatch(r"memory_limit=\d+M", a)], container["command"]
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    env = {e["name"]: e for e in container["env"]}
    assert not [name for name in env if name.startswith("WP_CLI")]
    assert env["WORDPRESS_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "wordpress-admin-password"
    assert env["STORE_ADMIN_USER"]["value"] == "shopadmin"
    assert env["STORE_ADMIN_EMAIL"]["value"] == "owner@example.com"
    assert env["STORE_TITLE"]["value"] == "Test Shop"
    assert env["WORDPRESS_DOCROOT"]["value"] == "/var/www/html"
    for value in container["command"]:
        assert "$(" not in value and "password" not in value.lower(), value
    init = spec["initContainers"][0]
    assert init["image"] == wordpress_image, "the Job must copy WordPress (and image plugins) from the WordPress image"


def test_init_container_mounts_the_content_volume_outside_the_docroot(rendering):
    """The runtime creates missing mount points as root: the init container mounts nothing
    inside the docroot, and creates the main containers' subPath mount points itself."""
    plugins_on_volume = "woocommerce-from-image" != rendering.name and rendering.name != "prod"
    for doc in (rendering.one("Deployment"), rendering.one("Job")):
        spec = pod_spec(doc)
        init = next(c for c in spec["initContainers"] if c["name"] == "prepare-docroot")
        mounts = {m["mountPath"]: m for m in init["volumeMounts"]}
        assert not [p for p in mounts if p.startswith("/var/www/html/")], ident(doc)
        assert mounts["/storefleet/content"]["name"] == "content" and "subPath" not in mounts["/storefleet/content"]
        env = {e["name"]: e.get("value") for e in init["env"]}
        assert env["STOREFLEET_CONTENT_DIR"] == "/storefleet/content"
        assert env["STOREFLEET_PLUGINS_ON_VOLUME"] == ("true" if plugins_on_volume else "false")
        main = spec["containers"][0]
        sub = {m["mountPath"]: m.get("subPath") for m in main["volumeMounts"] if m["name"] == "content"}
        expected = {"/var/www/html/wp-content/uploads": "uploads"}
        if plugins_on_volume:
            expected["/var/www/html/wp-content/plugins"] = "plugins"
        assert sub == expected, ident(doc)


def test_placement_and_pull_policy_reach_every_pod(render_dir, renderings):
    toleration = {"key": "storefleet.io/real-node", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    extra = {"imagePullPolicy": "Never",
             "placement": {"nodeSelector": {"storefleet.io/node-kind": "real"}, "tolerations": [toleration]},
             "mariadb": {"nodeSelector": {"disk": "ssd"},
                         "tolerations": [{"key": "db", "operator": "Exists", "effect": "NoSchedule"}]}}
    r = render(render_dir, "placement", [], extra)
    for doc in workloads(r):
        spec = pod_spec(doc)
        assert spec["nodeSelector"]["storefleet.io/node-kind"] == "real", ident(doc)
        assert toleration in spec["tolerations"], ident(doc)
        for c in all_containers(spec):
            assert c["imagePullPolicy"] == "Never", f"{ident(doc)} {c['name']}"
    db = pod_spec(r.one("StatefulSet"))
    assert db["nodeSelector"] == {"storefleet.io/node-kind": "real", "disk": "ssd"}
    assert len(db["tolerations"]) == 2
    for doc in workloads(renderings["defaults"]):
        spec = pod_spec(doc)
        assert "nodeSelector" not in spec and "tolerations" not in spec, ident(doc)
        for c in all_containers(spec):
            assert c["imagePullPolicy"] == "IfNotPresent"


def test_apache_serves_pretty_permalinks_without_htaccess(rendering):
    config = next(d for d in rendering.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-wordpress"))
    site = config["data"]["000-default.conf"]
    assert "RewriteEngine On" in site and "RewriteRule . /index.php [L]" in site


def test_woocommerce_source_decides_where_plugins_live(renderings):
    def plugin_mounts(r):
        spec = pod_spec(r.one("Deployment"))
        return [m for c in all_containers(spec) for m in c["volumeMounts"]
                if m["mountPath"].endswith("/wp-content/plugins")]
    assert plugin_mounts(renderings["defaults"]), "wordpress.org plugins must persist on the content volume"
    assert not plugin_mounts(renderings["woocommerce-from-image"]), "image plugins come from the image"


def test_products_file_is_json(rendering):
    import json
    cm = next(d for d in rendering.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-setup"))
    products = json.loads(cm["data"]["products.json"])
    assert isinstance(products, list) and all({"name", "price", "stock"} <= set(p) for p in products)


def test_values_documented_in_readme():
    """Every leaf of values.yaml appears in the chart README's values table."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    readme = (CHART / "README.md").read_text()

    opaque = {"resources", "initResources", "updateStrategy", "namespaceSelector", "podSelector",
              "requests", "limits", "defaultRequest", "default", "max"}

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


def test_list_keys_are_unique_for_server_side_apply(rendering):
    """Helm 4 applies server-side, which rejects duplicate keys in these lists."""
    for doc in workloads(rendering):
        spec = pod_spec(doc)
        volumes = [v["name"] for v in spec.get("volumes", [])]
        volumes += [t["metadata"]["name"] for t in doc["spec"].get("volumeClaimTemplates", [])]
        assert len(volumes) == len(set(volumes)), ident(doc)
        names = [c["name"] for c in all_containers(spec)]
        assert len(names) == len(set(names)), ident(doc)
        for c in all_containers(spec):
            env = [e["name"] for e in c.get("env", [])]
            assert len(env) == len(set(env)), f"{ident(doc)} {c['name']}: duplicate env"
            mounts = [m["mountPath"] for m in c.get("volumeMounts", [])]
            assert len(mounts) == len(set(mounts)), f"{ident(doc)} {c['name']}: duplicate mountPath"
            assert {m["name"] for m in c.get("volumeMounts", [])} <= set(volumes), ident(doc)
