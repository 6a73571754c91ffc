"""charts/storefleet rendered with helm template: Pod Security restricted, probes, secrets
only by reference, the database modes and their guardrails, least-privilege RBAC and its
admission policy, NetworkPolicy, monitoring objects, values-local / values-prod, schema."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import (CHARTS, PLATFORM_CHART, PLATFORM_IMAGE, PLATFORM_NAMESPACE, PLATFORM_RELEASE, POSTGRES,
                      TINY_ALERTS, TINY_DASHBOARD, platform_args, platform_chart_copy, render_platform, run_helm)

STORE_ENGINES = {"woocommerce": "woocommerce-store", "medusa": "medusa-store"}


def deployment(r) -> dict:
    return r.one("Deployment")


def container(r) -> dict:
    containers = deployment(r)["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["storefleet"]
    return containers[0]


def env(r) -> dict[str, dict]:
    return {e["name"]: e for e in container(r)["env"]}


def env_values(r) -> dict[str, str]:
    return {name: e["value"] for name, e in env(r).items() if "value" in e}


def store_values_cm(r) -> dict:
    found = [c for c in r.of_kind("ConfigMap") if c["metadata"]["name"].endswith("-store-values")]
    assert len(found) == 1, f"{r.name}: expected one store values ConfigMap, found {len(found)}"
    return found[0]


def dashboards(r) -> list[dict]:
    return [c for c in r.of_kind("ConfigMap") if c["metadata"]["labels"].get("grafana_dashboard") == "1"]


def fullname(r) -> str:
    return deployment(r)["metadata"]["name"]


def template_fails(tmp_path, extra: dict, files: list[str] | None = None, chart=None) -> str:
    chart = chart or PLATFORM_CHART
    args = ["template", PLATFORM_RELEASE, str(chart), "--namespace", PLATFORM_NAMESPACE,
            *platform_args(tmp_path, "fails", files or [], extra, chart)]
    proc = run_helm(args, check=False)
    assert proc.returncode != 0, f"rendering should fail:\n{proc.stdout[:2000]}"
    return proc.stderr


# --- every rendering ---------------------------------------------------------------------

def test_names_fit(platform_rendering):
    for doc in platform_rendering.docs:
        assert len(doc["metadata"]["name"]) <= 63, doc["metadata"]["name"]
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", doc["metadata"]["name"])


def test_pod_security_restricted(platform_rendering):
    spec = deployment(platform_rendering)["spec"]["template"]["spec"]
    psc = spec["securityContext"]
    assert psc["runAsNonRoot"] is True and psc["runAsUser"] == 65532 and psc["runAsGroup"] == 65532
    assert psc["seccompProfile"] == {"type": "RuntimeDefault"}
    csc = container(platform_rendering)["securityContext"]
    assert csc["allowPrivilegeEscalation"] is False
    assert csc["readOnlyRootFilesystem"] is True
    assert csc["capabilities"] == {"drop": ["ALL"]}
    assert csc["runAsNonRoot"] is True
    assert csc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "hostNetwork" not in spec and "hostPID" not in spec
    assert spec["automountServiceAccountToken"] is True  # it talks to the Kubernetes API


def test_probes_ports_and_resources(platform_rendering):
    c = container(platform_rendering)
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    for kind in ("requests", "limits"):
        assert set(c["resources"][kind]) == {"cpu", "memory"}
    assert c["args"] == ["serve"]
    assert "command" not in c  # the image's entrypoint is /usr/local/bin/storefleet


def test_writable_tmp_and_helm_homes(platform_rendering):
    r = platform_rendering
    mounts = {m["mountPath"]: m for m in container(r)["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment(r)["spec"]["template"]["spec"]["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]
    assert "/var/lib/storefleet" in mounts
    e = env_values(r)
    for var in ("HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        assert e[var] == "/tmp" or e[var].startswith("/tmp/"), var
    assert e["STOREFLEET_HELM"] == "/usr/local/bin/helm"
    assert e["STOREFLEET_LISTEN"] == "0.0.0.0:8080"
    assert e["STOREFLEET_DATA_DIR"] == "/var/lib/storefleet"


def test_platform_identity_env(platform_rendering):
    r = platform_rendering
    e = env_values(r)
    name = fullname(r)
    assert e["STOREFLEET_STORE_ROLE"] == f"{name}-store"
    assert "STOREFLEET_SERVICE_ACCOUNT" not in e  # asked of the API server instead
    # The store charts are the ones built into the binary unless a directory is given.
    assert "STOREFLEET_CHART_DIR" not in e
    sa = deployment(r)["spec"]["template"]["spec"]["serviceAccountName"]
    assert r.one("ServiceAccount")["metadata"]["name"] == sa


def test_secrets_only_by_reference(platform_rendering):
    r = platform_rendering
    assert not r.of_kind("Secret"), "the chart never creates Secrets"
    variables = env(r)
    for var in ("STOREFLEET_DATABASE_URL", "STOREFLEET_JWT_SECRET"):
        if var in variables:
            assert "value" not in variables[var]
            assert set(variables[var]["valueFrom"]) == {"secretKeyRef"}
    assert "postgres://" not in r.text and "postgresql://" not in r.text
    for doc in r.of_kind("ConfigMap"):
        assert not re.search(r"(?i)password|secret", json.dumps(doc.get("data", {})).replace("existingSecret", "")), \
            doc["metadata"]["name"]


def test_rbac_least_privilege(platform_rendering):
    r = platform_rendering
    name = fullname(r)
    roles = {d["metadata"]["name"]: d for d in r.of_kind("ClusterRole")}
    assert set(roles) == {f"{name}-platform", f"{name}-store"}
    assert not r.of_kind("Role") and not r.of_kind("RoleBinding")
    # Only the platform role is bound cluster-wide.
    bindings = r.of_kind("ClusterRoleBinding")
    assert [b["roleRef"]["name"] for b in bindings] == [f"{name}-platform"]
    for role in roles.values():
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]
            assert not {"escalate", "impersonate"} & set(rule["verbs"])
    platform = roles[f"{name}-platform"]["rules"]
    for rule in platform:
        assert "secrets" not in rule["resources"], "no cluster-wide Secret access"
        if "bind" in rule["verbs"]:
            assert rule == {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                            "verbs": ["bind"], "resourceNames": [f"{name}-store"]}
        if "rolebindings" in rule["resources"]:
            assert rule["verbs"] == ["create"]
    verbs = {(g, res): set(rule["verbs"]) for rule in platform for g in rule["apiGroups"] for res in rule["resources"]}
    assert verbs[("", "namespaces")] == {"get", "list", "watch", "create", "patch", "update", "delete"}
    for key in [("", "pods"), ("apps", "deployments"), ("apps", "statefulsets"), ("batch", "jobs"),
                ("", "events"), ("", "persistentvolumeclaims")]:
        assert verbs[key] == {"get", "list", "watch"}, key
    assert verbs[("storage.k8s.io", "storageclasses")] == {"get", "list"}
    assert verbs[("networking.k8s.io", "ingressclasses")] == {"get", "list"}
    # Everything the store charts create can be managed by the store role.
    store = roles[f"{name}-store"]["rules"]
    can = {(g, res) for rule in store for g in rule["apiGroups"] for res in rule["resources"]
           if {"create", "patch", "delete"} <= set(rule["verbs"])}
    for g, res in [("", "secrets"), ("", "configmaps"), ("", "services"), ("", "serviceaccounts"),
                   ("", "persistentvolumeclaims"), ("", "resourcequotas"), ("", "limitranges"),
                   ("apps", "deployments"), ("apps", "statefulsets"), ("batch", "jobs"),
                   ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies"),
                   ("policy", "poddisruptionbudgets"), ("autoscaling", "horizontalpodautoscalers")]:
        assert (g, res) in can, (g, res)
    assert not any(res.startswith(("roles", "rolebindings", "clusterrole")) for _, res in
                   {(g, res) for rule in store for g in rule["apiGroups"] for res in rule["resources"]})
    # Store pages read pod metrics, quotas and events in store namespaces only, read-only.
    store_verbs = {(g, res): set(rule["verbs"]) for rule in store for g in rule["apiGroups"]
                   for res in rule["resources"]}
    assert store_verbs[("metrics.k8s.io", "pods")] == {"get", "list"}
    assert not any("metrics.k8s.io" in rule["apiGroups"] for rule in platform), "no cluster-wide metrics"
    assert {"get", "list"} <= store_verbs[("", "resourcequotas")]
    assert {"get", "list"} <= store_verbs[("", "events")]


def store_chart_kinds() -> set[str]:
    kinds = set()
    for chart in STORE_ENGINES.values():
        for path in (CHARTS / chart / "templates").rglob("*.yaml"):
            kinds |= set(re.findall(r"(?m)^kind: (\w+)", path.read_text()))
    return kinds


def test_store_role_covers_every_kind_the_store_charts_create(platform_renderings):
    r = platform_renderings["defaults"]
    resources = {res for role in r.of_kind("ClusterRole") if role["metadata"]["name"].endswith("-store")
                 for rule in role["rules"] for res in rule["resources"]}
    plural = {"Deployment": "deployments", "StatefulSet": "statefulsets", "Job": "jobs", "Service": "services",
              "ConfigMap": "configmaps", "Secret": "secrets", "ServiceAccount": "serviceaccounts",
              "PersistentVolumeClaim": "persistentvolumeclaims", "Ingress": "ingresses",
              "NetworkPolicy": "networkpolicies", "ResourceQuota": "resourcequotas", "LimitRange": "limitranges",
              "PodDisruptionBudget": "poddisruptionbudgets", "HorizontalPodAutoscaler": "horizontalpodautoscalers"}
    kinds = store_chart_kinds()
    assert kinds <= set(plural), f"a store chart creates a kind this test does not know: {kinds - set(plural)}"
    for kind in kinds:
        assert plural[kind] in resources, kind


@pytest.mark.parametrize("name", ["defaults", "local", "prod", "postgres", "long-name"])
def test_admission_policy(platform_renderings, name):
    r = platform_renderings[name]
    full = fullname(r)
    policy = r.one("ValidatingAdmissionPolicy")
    binding = r.one("ValidatingAdmissionPolicyBinding")
    assert policy["apiVersion"] == binding["apiVersion"] == "admissionregistration.k8s.io/v1"
    assert binding["spec"]["policyName"] == policy["metadata"]["name"]
    assert binding["spec"]["validationActions"] == ["Deny"]
    spec = policy["spec"]
    assert spec["failurePolicy"] == "Fail"
    sa = deployment(r)["spec"]["template"]["spec"]["serviceAccountName"]
    assert spec["matchConditions"] == [{
        "name": "platform-service-account",
        "expression": f"request.userInfo.username == 'system:serviceaccount:{PLATFORM_NAMESPACE}:{sa}'"}]
    rule = spec["matchConstraints"]["resourceRules"][0]
    assert rule["operations"] == ["CREATE", "UPDATE", "DELETE"] and rule["resources"] == ["*/*"]
    expressions = " ".join(v["expression"] for v in spec["validations"])
    assert "'app.kubernetes.io/managed-by'" in " ".join(v["expression"] for v in spec["variables"])
    assert "== 'storefleet'" in expressions
    assert "namespaceObject" in expressions and "oldObject" in expressions
    assert f"object.roleRef.name == '{full}-store'" in expressions
    assert f"s.namespace == '{PLATFORM_NAMESPACE}'" in expressions and f"s.name == '{sa}'" in expressions
    assert all(v["reason"] == "Forbidden" and v["message"] for v in spec["validations"])


def test_admission_policy_can_be_turned_off(platform_renderings):
    r = platform_renderings["no-admission-policy"]
    assert not r.of_kind("ValidatingAdmissionPolicy") and not r.of_kind("ValidatingAdmissionPolicyBinding")
    assert r.of_kind("ClusterRole")


# --- database modes ----------------------------------------------------------------------

def test_sqlite_mode(platform_renderings):
    r = platform_renderings["defaults"]
    d = deployment(r)
    assert d["spec"]["replicas"] == 1 and d["spec"]["strategy"] == {"type": "Recreate"}
    pvc = r.one("PersistentVolumeClaim")
    volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert "STOREFLEET_DATABASE_URL" not in env(r)
    assert "affinity" not in d["spec"]["template"]["spec"]
    pdb = r.one("PodDisruptionBudget")
    assert pdb["spec"].get("maxUnavailable") == 1 and "minAvailable" not in pdb["spec"]


def test_postgres_mode(platform_renderings):
    r = platform_renderings["postgres"]
    d = deployment(r)
    assert d["spec"]["replicas"] == 2
    assert d["spec"]["strategy"]["type"] == "RollingUpdate"
    assert not r.of_kind("PersistentVolumeClaim")
    volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
    assert "emptyDir" in volumes["data"]
    e = env(r)
    assert e["STOREFLEET_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "storefleet-db", "key": "database-url"}
    assert e["STOREFLEET_JWT_SECRET"]["valueFrom"]["secretKeyRef"] == {"name": "storefleet-jwt", "key": "jwt-secret"}
    spec = d["spec"]["template"]["spec"]
    assert spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert "requiredDuringSchedulingIgnoredDuringExecution" not in spec["affinity"]["podAntiAffinity"]
    assert all(t["whenUnsatisfiable"] == "ScheduleAnyway" for t in spec["topologySpreadConstraints"])
    assert r.one("PodDisruptionBudget")["spec"]["minAvailable"] == 1


def test_sqlite_refuses_more_than_one_replica(tmp_path):
    err = template_fails(tmp_path, {**PLATFORM_IMAGE, "replicaCount": 2})
    assert "database.mode=sqlite runs exactly one replica" in err and "replicaCount=2" in err


def test_postgres_requires_the_database_secret(tmp_path):
    err = template_fails(tmp_path, {**PLATFORM_IMAGE, "database": {"mode": "postgres"},
                                    "jwtSecret": {"existingSecret": "jwt"}})
    assert "database.mode=postgres needs database.existingSecret" in err


def test_postgres_requires_the_jwt_secret(tmp_path):
    err = template_fails(tmp_path, {**PLATFORM_IMAGE, "database": {"mode": "postgres", "existingSecret": "db"}})
    assert "needs jwtSecret.existingSecret" in err


def test_image_repository_is_required(tmp_path):
    assert "image.repository is required" in template_fails(tmp_path, {})


def test_image_tag_defaults_to_app_version(platform_renderings):
    app_version = yaml.safe_load((PLATFORM_CHART / "Chart.yaml").read_text())["appVersion"]
    assert container(platform_renderings["defaults"])["image"] == \
        f"registry.example.com/storefleet/storefleet:{app_version}"


def test_app_version_is_the_cargo_version():
    cargo = (CHARTS.parent / "Cargo.toml").read_text()
    version = re.search(r'(?m)^version\s*=\s*"([^"]+)"', cargo).group(1)
    assert yaml.safe_load((PLATFORM_CHART / "Chart.yaml").read_text())["appVersion"] == version


# --- store values ----------------------------------------------------------------------

def test_store_values_files(tmp_path):
    r = render_platform(tmp_path, "medusa-only", [], {
        **PLATFORM_IMAGE, "storeValues": {"medusa": {"ingress": {"className": "nginx"}}},
        "config": {"valuesFiles": ["/opt/base.yaml"]}})
    e = env_values(r)
    assert e["STOREFLEET_VALUES_FILE"] == "/opt/base.yaml,medusa=/etc/storefleet/store-values/medusa.yaml"
    cm = store_values_cm(r)
    assert set(cm["data"]) == {"medusa.yaml"}
    assert yaml.safe_load(cm["data"]["medusa.yaml"]) == {"ingress": {"className": "nginx"}}
    mount = [m for m in container(r)["volumeMounts"] if m["name"] == "store-values"]
    assert mount == [{"name": "store-values", "mountPath": "/etc/storefleet/store-values", "readOnly": True}]
    assert "checksum/store-values" in deployment(r)["spec"]["template"]["metadata"]["annotations"]


def test_no_store_values_no_configmap(platform_renderings):
    r = platform_renderings["defaults"]
    assert "STOREFLEET_VALUES_FILE" not in env(r)
    assert not r.of_kind("ConfigMap")


def test_local_store_values_are_the_store_charts_values_local(platform_renderings):
    """values-local.yaml copies each store chart's values-local.yaml into storeValues."""
    local = yaml.safe_load((PLATFORM_CHART / "values-local.yaml").read_text())
    for engine, chart in STORE_ENGINES.items():
        assert local["storeValues"][engine] == yaml.safe_load((CHARTS / chart / "values-local.yaml").read_text()), \
            f"values-local.yaml storeValues.{engine} differs from charts/{chart}/values-local.yaml"
    cm = store_values_cm(platform_renderings["local"])
    assert set(cm["data"]) == {"woocommerce.yaml", "medusa.yaml"}


@pytest.mark.parametrize("engine", list(STORE_ENGINES))
def test_store_values_pass_the_store_chart(platform_renderings, tmp_path, engine):
    """The store values of values-local / values-prod render the store chart (its schema)."""
    chart = CHARTS / STORE_ENGINES[engine]
    fixture = CHARTS / "tests" / "fixtures" / ("store.yaml" if engine == "woocommerce" else "medusa-store.yaml")
    for name in ("local", "prod", "prod-wildcard"):
        cm = store_values_cm(platform_renderings[name])
        values = tmp_path / f"{name}-{engine}.yaml"
        values.write_text(cm["data"][f"{engine}.yaml"])
        extra = []
        if engine == "medusa" and name != "local":
            extra = ["--set", "medusa.image.repository=registry.example.com/shop/medusa"]
        proc = run_helm(["template", "shop", str(chart), "-n", "store-shop", "-f", str(values),
                         "-f", str(fixture), *extra], check=False)
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
        if name == "prod-wildcard":
            ingress = [d for d in yaml.safe_load_all(proc.stdout) if d and d["kind"] == "Ingress"][0]
            assert "secretName" not in ingress["spec"]["tls"][0]


# --- values-local and values-prod --------------------------------------------------------

def test_values_local(platform_renderings):
    r = platform_renderings["local"]
    c = container(r)
    assert c["image"] == "storefleet.local/storefleet:testenv" and c["imagePullPolicy"] == "Never"
    spec = deployment(r)["spec"]["template"]["spec"]
    assert spec["nodeSelector"] == {"storefleet.io/node-kind": "real"}
    assert {"key": "storefleet.io/real-node", "operator": "Equal", "value": "true",
            "effect": "NoSchedule"} in spec["tolerations"]
    assert deployment(r)["spec"]["replicas"] == 1
    assert r.one("PersistentVolumeClaim")["spec"]["storageClassName"] == "local-path"
    e = env_values(r)
    assert e["STOREFLEET_BASE_DOMAIN"] == "stores.localhost"
    assert e["STOREFLEET_STORE_URL_SCHEME"] == "http"
    assert e["STOREFLEET_WORKERS"] == "2"
    assert e["STOREFLEET_LOG_FORMAT"] == "json"
    egress = r.one("NetworkPolicy")["spec"]["egress"]
    api = [rule for rule in egress if {"protocol": "TCP", "port": 16443} in rule["ports"]]
    assert len(api) == 1
    assert {"ipBlock": {"cidr": "10.244.0.1/32"}} in api[0]["to"]
    assert {"ipBlock": {"cidr": "10.96.0.1/32"}} in api[0]["to"]
    assert {"protocol": "TCP", "port": 443} in api[0]["ports"]
    assert not r.of_kind("Ingress")


def test_values_prod(platform_renderings):
    r = platform_renderings["prod"]
    d = deployment(r)
    assert d["spec"]["replicas"] == 3 and d["spec"]["strategy"]["type"] == "RollingUpdate"
    assert "STOREFLEET_DATABASE_URL" in env(r)
    assert container(r)["resources"]["limits"]["memory"] == "2Gi"
    ingress = r.one("Ingress")
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    assert ingress["spec"]["tls"] == [{"hosts": ["storefleet.example.com"], "secretName": f"{fullname(r)}-tls"}]
    assert r.one("ServiceMonitor")["spec"]["endpoints"][0]["path"] == "/metrics"
    assert r.one("PrometheusRule")["spec"]["groups"]
    assert len(dashboards(r)) == 1
    assert not r.of_kind("Certificate")
    np = r.one("NetworkPolicy")["spec"]
    assert {"ipBlock": {"cidr": "10.20.0.10/32"}} in [t for rule in np["egress"] for t in rule.get("to", [])]
    assert all(rule.get("to") for rule in np["egress"]), "values-prod locks every egress rule to destinations"
    assert len(np["ingress"][0]["from"]) == 2  # the ingress controller and Prometheus
    for engine in STORE_ENGINES:
        values = yaml.safe_load(store_values_cm(r)["data"][f"{engine}.yaml"])
        assert values["ingress"]["tls"]["mode"] == "certManager"


def test_wildcard_certificate(platform_renderings):
    cert = platform_renderings["prod-wildcard"].one("Certificate")
    assert cert["apiVersion"] == "cert-manager.io/v1"
    assert cert["metadata"]["namespace"] == "ingress-nginx"
    assert cert["spec"]["dnsNames"] == ["*.stores.example.com"]
    assert cert["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-dns01"}
    assert cert["spec"]["secretName"].endswith("-wildcard-tls")


def test_wildcard_certificate_needs_an_issuer(tmp_path):
    err = template_fails(tmp_path, {**PLATFORM_IMAGE, "wildcardCertificate": {"enabled": True}})
    assert "wildcardCertificate.enabled=true needs wildcardCertificate.issuerName" in err


# --- NetworkPolicy ---------------------------------------------------------------------

def test_network_policy(platform_rendering):
    r = platform_rendering
    np = r.one("NetworkPolicy")["spec"]
    assert np["policyTypes"] == ["Ingress", "Egress"]
    assert np["podSelector"]["matchLabels"] == deployment(r)["spec"]["selector"]["matchLabels"]
    assert [rule["ports"] for rule in np["ingress"]] == [[{"protocol": "TCP", "port": 8080}]]
    dns = np["egress"][0]
    assert dns["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    assert dns["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    for rule in np["egress"]:
        assert rule["ports"], "every egress rule names its ports"


def test_network_policy_database_and_stores(tmp_path):
    r = render_platform(tmp_path, "np", [], {**PLATFORM_IMAGE, **POSTGRES, "networkPolicy": {
        "database": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "db"}},
                     "podSelector": {"matchLabels": {"app": "postgres"}}},
        "stores": {"enabled": True}}})
    egress = r.one("NetworkPolicy")["spec"]["egress"]
    db = [rule for rule in egress if rule["ports"] == [{"protocol": "TCP", "port": 5432}]]
    assert db == [{"ports": [{"protocol": "TCP", "port": 5432}], "to": [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "db"}},
        "podSelector": {"matchLabels": {"app": "postgres"}}}]}]
    stores = [rule for rule in egress if rule.get("to") == [
        {"namespaceSelector": {"matchLabels": {"app.kubernetes.io/managed-by": "storefleet"}}}]]
    assert stores and stores[0]["ports"] == [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 9000}]
    sqlite = render_platform(tmp_path, "np-sqlite", [], PLATFORM_IMAGE)
    assert not [rule for rule in sqlite.one("NetworkPolicy")["spec"]["egress"]
                if {"protocol": "TCP", "port": 5432} in rule["ports"]]


# --- monitoring objects from files/ ----------------------------------------------------

def test_prometheus_rule_and_dashboard_from_files(tmp_path):
    chart = platform_chart_copy(tmp_path, keep_existing=False)
    r = render_platform(tmp_path, "monitoring", [], {**PLATFORM_IMAGE, "monitoring": {
        "prometheusRule": {"enabled": True, "labels": {"release": "prom"}},
        "grafanaDashboard": {"enabled": True, "namespace": "grafana"},
        "serviceMonitor": {"enabled": True}}}, chart=chart)
    rule = r.one("PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["labels"]["release"] == "prom"
    assert rule["spec"] == yaml.safe_load(TINY_ALERTS)
    cm = dashboards(r)
    assert len(cm) == 1 and cm[0]["metadata"]["namespace"] == "grafana"
    assert json.loads(cm[0]["data"]["storefleet.json"]) == json.loads(TINY_DASHBOARD)
    sm = r.one("ServiceMonitor")
    assert sm["spec"]["endpoints"][0]["port"] == "http"
    assert sm["spec"]["selector"]["matchLabels"] == deployment(r)["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize("key, file", [("prometheusRule", "files/alerts.yaml"),
                                       ("grafanaDashboard", "files/dashboard.json")])
def test_monitoring_file_missing_fails_clearly(tmp_path, key, file):
    chart = platform_chart_copy(tmp_path, alerts=None, dashboard=None, keep_existing=False)
    err = template_fails(tmp_path, {**PLATFORM_IMAGE, "monitoring": {key: {"enabled": True}}}, chart=chart)
    assert f"monitoring.{key}.enabled=true needs {file}" in err


def test_monitoring_off_by_default(platform_renderings):
    r = platform_renderings["defaults"]
    for kind in ("ServiceMonitor", "PrometheusRule", "Certificate", "Ingress"):
        assert not r.of_kind(kind), kind


# --- values schema ------------------------------------------------------------------------

@pytest.mark.parametrize("extra, where", [
    ({"unknownKey": 1}, "unknownKey"),
    ({"config": {"workerz": 2}}, "workerz"),
    ({"networkPolicy": {"apiServer": {"cidr": ["10.0.0.1/32"]}}}, "cidr"),
    ({"rbac": {"admissionPolicy": {"enable": True}}}, "enable"),
    ({"monitoring": {"serviceMonitor": {"enabled": True, "port": 1}}}, "port"),
    ({"database": {"mode": "mysql"}}, "mode"),
    ({"config": {"storeUrlScheme": "ftp"}}, "storeUrlScheme"),
    ({"config": {"checkoutVerify": True}}, "checkoutVerify"),
    ({"image": {"repository": "x", "pullPolicy": "Sometimes"}}, "pullPolicy"),
])
def test_schema_rejects(tmp_path, extra, where):
    err = template_fails(tmp_path, {**PLATFORM_IMAGE, **extra} if "image" not in extra else extra)
    assert "schema" in err.lower() and where in err, err
