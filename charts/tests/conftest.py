"""Shared fixtures of the chart checks: rendering the charts with helm, once per rendering.

Every rendering adds the per-store values the platform passes: fixtures/store.yaml for
woocommerce-store, fixtures/medusa-store.yaml for medusa-store.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

CHARTS = Path(__file__).resolve().parent.parent
CHART = CHARTS / "woocommerce-store"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
STORE_VALUES = FIXTURES / "store.yaml"
MEDUSA_CHART = CHARTS / "medusa-store"
MEDUSA_STORE_VALUES = FIXTURES / "medusa-store.yaml"
RELEASE = "shop"
NAMESPACE = "store-shop"

# name -> (values files inside the chart, extra values as a dict, release name)
RENDERINGS: dict[str, tuple[list[str], dict, str]] = {
    "defaults": ([], {}, RELEASE),
    "local": (["values-local.yaml"], {}, RELEASE),
    "prod": (["values-prod.yaml"], {}, RELEASE),
    # Autoscaling needs a quota with room for maxReplicas + 1 surge pod.
    "hpa-pdb": ([], {"autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 3},
                     "pdb": {"enabled": True},
                     "quota": {"limits": {"cpu": "3", "memory": "3Gi"}, "pods": 10}}, RELEASE),
    "tls-cert-manager": (
        ["values-local.yaml"],
        {"ingress": {"tls": {"mode": "certManager", "certManager": {"issuerKind": "Issuer", "issuerName": "store-ca"}}}},
        RELEASE,
    ),
    "tls-existing-secret": (
        [],
        {"ingress": {"tls": {"mode": "existingSecret", "secretName": "wildcard-stores-tls"}}},
        RELEASE,
    ),
    # The ingress controller's default (wildcard) certificate serves the host.
    "tls-wildcard": ([], {"ingress": {"tls": {"mode": "wildcard"}}}, RELEASE),
    "woocommerce-from-image": (
        [],
        {"woocommerce": {"source": "image"}, "egress": {"internet": False}},
        RELEASE,
    ),
    # Longest release name Helm accepts (53), starting with a digit.
    "long-name": ([], {}, "1" + "a" * 51 + "z"),
}


# The same for medusa-store. Without values-local or values-prod, the operator names the
# Medusa image (the chart has no default: there is no public one).
MEDUSA_IMAGE = {"medusa": {"image": {"repository": "registry.example.com/shop/medusa"}}}
MEDUSA_RENDERINGS: dict[str, tuple[list[str], dict, str]] = {
    "defaults": ([], {}, RELEASE),
    "local": (["values-local.yaml"], {}, RELEASE),
    "prod": (["values-prod.yaml"], {}, RELEASE),
    "simulated": (["values-local.yaml", "../../testenv/store-values/medusa-simulated.yaml"], {}, RELEASE),
    "tls-cert-manager": (
        ["values-local.yaml"],
        {"ingress": {"tls": {"mode": "certManager", "certManager": {"issuerKind": "Issuer", "issuerName": "store-ca"}}}},
        RELEASE,
    ),
    "tls-existing-secret": (
        [],
        {"ingress": {"tls": {"mode": "existingSecret", "secretName": "wildcard-stores-tls"}}},
        RELEASE,
    ),
    # The ingress controller's default (wildcard) certificate serves the host.
    "tls-wildcard": ([], {"ingress": {"tls": {"mode": "wildcard"}}}, RELEASE),
    "internet": ([], {"egress": {"internet": True}}, RELEASE),
    "long-name": ([], {}, "1" + "a" * 51 + "z"),
}


def helm_binary() -> str:
    helm = shutil.which("helm")
    if not helm:
        pytest.fail("helm not found on PATH: charts/test.sh needs helm (testenv's bin dir puts it there)")
    return helm


def run_helm(args: list[str], check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([helm_binary(), *args], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


@dataclass
class Rendering:
    name: str
    release: str
    text: str
    docs: list[dict] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[dict]:
        return [d for d in self.docs if d.get("kind") == kind]

    def one(self, kind: str, component: str | None = None) -> dict:
        found = [
            d for d in self.of_kind(kind)
            if component is None or d["metadata"]["labels"].get("app.kubernetes.io/component") == component
        ]
        assert len(found) == 1, f"{self.name}: expected one {kind} {component or ''}, found {len(found)}"
        return found[0]


def values_args(tmp_dir: Path, name: str, files: list[str], extra: dict, chart: Path = CHART,
                store_values: Path = STORE_VALUES) -> list[str]:
    args: list[str] = []
    for f in files:
        args += ["-f", str(chart / f)]
    args += ["-f", str(store_values)]
    if extra:
        path = tmp_dir / f"{name}-extra.yaml"
        path.write_text(yaml.safe_dump(extra))
        args += ["-f", str(path)]
    return args


def render(tmp_dir: Path, name: str, files: list[str], extra: dict, release: str = RELEASE,
           chart: Path = CHART, store_values: Path = STORE_VALUES) -> Rendering:
    args = ["template", release, str(chart), "--namespace", NAMESPACE,
            *values_args(tmp_dir, f"{chart.name}-{name}", files, extra, chart, store_values)]
    text = run_helm(args).stdout
    docs = [d for d in yaml.safe_load_all(text) if d]
    return Rendering(name=name, release=release, text=text, docs=docs)


@pytest.fixture(scope="session")
def render_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("renders")


@pytest.fixture(scope="session")
def renderings(render_dir) -> dict[str, Rendering]:
    return {name: render(render_dir, name, files, extra, release)
            for name, (files, extra, release) in RENDERINGS.items()}


@pytest.fixture(params=list(RENDERINGS))
def rendering(request, renderings) -> Rendering:
    return renderings[request.param]


def deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def render_medusa(tmp_dir: Path, name: str, files: list[str], extra: dict, release: str = RELEASE,
                  chart: Path = MEDUSA_CHART) -> Rendering:
    if not files:
        # No environment file names the image: the operator would (see MEDUSA_IMAGE).
        extra = deep_merge(MEDUSA_IMAGE, extra)
    return render(tmp_dir, name, files, extra, release, chart=chart, store_values=MEDUSA_STORE_VALUES)


@pytest.fixture(scope="session")
def medusa_renderings(render_dir) -> dict[str, Rendering]:
    return {name: render_medusa(render_dir, name, files, extra, release)
            for name, (files, extra, release) in MEDUSA_RENDERINGS.items()}


@pytest.fixture(params=list(MEDUSA_RENDERINGS))
def medusa_rendering(request, medusa_renderings) -> Rendering:
    return medusa_renderings[request.param]


WORKLOAD_KINDS = {"Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet", "ReplicaSet", "Pod"}


def pod_spec(doc: dict) -> dict:
    kind = doc["kind"]
    if kind == "Pod":
        return doc["spec"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def pod_template_metadata(doc: dict) -> dict:
    kind = doc["kind"]
    if kind == "Pod":
        return doc["metadata"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"]
    return doc["spec"]["template"]["metadata"]


def all_containers(spec: dict) -> list[dict]:
    return [*spec.get("initContainers", []), *spec.get("containers", []), *spec.get("ephemeralContainers", [])]


# --- charts/storefleet: the platform's own chart ---------------------------------------------

PLATFORM_CHART = CHARTS / "storefleet"
PLATFORM_RELEASE = "storefleet"
PLATFORM_NAMESPACE = "storefleet"
PLATFORM_IMAGE = {"image": {"repository": "registry.example.com/storefleet/storefleet"}}
# Written into a temporary copy of the chart when the chart has no monitoring files yet
# (files/alerts.yaml and files/dashboard.json come from the monitoring work).
TINY_ALERTS = (
    "groups:\n"
    "  - name: storefleet-test\n"
    "    rules:\n"
    "      - alert: StorefleetTestDown\n"
    "        expr: up{job=\"storefleet\"} == 0\n"
    "        for: 5m\n"
    "        labels: {severity: critical}\n"
    "        annotations: {summary: Storefleet is down}\n"
)
TINY_DASHBOARD = '{"title": "Storefleet test", "uid": "storefleet-test", "panels": [], "schemaVersion": 39}\n'
POSTGRES = {"database": {"mode": "postgres", "existingSecret": "storefleet-db"},
            "jwtSecret": {"existingSecret": "storefleet-jwt"}}

# name -> (values files inside the chart, extra values, release name)
PLATFORM_RENDERINGS: dict[str, tuple[list[str], dict, str]] = {
    "defaults": ([], PLATFORM_IMAGE, PLATFORM_RELEASE),
    "local": (["values-local.yaml"], {}, PLATFORM_RELEASE),
    "prod": (["values-prod.yaml"], {}, PLATFORM_RELEASE),
    "postgres": ([], {**PLATFORM_IMAGE, **POSTGRES}, PLATFORM_RELEASE),
    "prod-wildcard": (["values-prod.yaml"], {
        "wildcardCertificate": {"enabled": True},
        "storeValues": {"woocommerce": {"ingress": {"tls": {"mode": "wildcard"}}},
                        "medusa": {"ingress": {"tls": {"mode": "wildcard"}}}},
    }, PLATFORM_RELEASE),
    "no-admission-policy": ([], {**PLATFORM_IMAGE, "rbac": {"admissionPolicy": {"enabled": False}}},
                            PLATFORM_RELEASE),
    # Longest release name Helm accepts (53).
    "long-name": ([], PLATFORM_IMAGE, "p" + "a" * 51 + "z"),
}


def platform_chart_copy(tmp_dir: Path, alerts: str | None = TINY_ALERTS,
                        dashboard: str | None = TINY_DASHBOARD, keep_existing: bool = True) -> Path:
    """A copy of charts/storefleet in tmp_dir with the monitoring files set: kept as they are
    when the chart has them and keep_existing, else written from `alerts` / `dashboard`
    (None removes the file)."""
    copy = tmp_dir / f"storefleet-{len(list(tmp_dir.glob('storefleet-*')))}"
    shutil.copytree(PLATFORM_CHART, copy)
    for name, text in (("alerts.yaml", alerts), ("dashboard.json", dashboard)):
        path = copy / "files" / name
        if keep_existing and path.exists():
            continue
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
    return copy


def platform_chart_for(tmp_dir: Path, files: list[str], extra: dict) -> Path:
    """The chart itself, or a copy with monitoring files when the values enable them and the
    chart has none yet (values-prod.yaml renders only with them)."""
    values: dict = {}
    for f in files:
        values = deep_merge(values, yaml.safe_load((PLATFORM_CHART / f).read_text()) or {})
    values = deep_merge(values, extra)
    monitoring = values.get("monitoring", {})
    needs = {"alerts.yaml": monitoring.get("prometheusRule", {}).get("enabled"),
             "dashboard.json": monitoring.get("grafanaDashboard", {}).get("enabled")}
    if all((PLATFORM_CHART / "files" / name).exists() for name, on in needs.items() if on):
        return PLATFORM_CHART
    return platform_chart_copy(tmp_dir)


def platform_args(tmp_dir: Path, name: str, files: list[str], extra: dict, chart: Path) -> list[str]:
    args: list[str] = []
    for f in files:
        args += ["-f", str(chart / f)]
    if extra:
        path = tmp_dir / f"storefleet-{name}-extra.yaml"
        path.write_text(yaml.safe_dump(extra))
        args += ["-f", str(path)]
    return args


def render_platform(tmp_dir: Path, name: str, files: list[str], extra: dict,
                    release: str = PLATFORM_RELEASE, namespace: str = PLATFORM_NAMESPACE,
                    chart: Path | None = None) -> Rendering:
    chart = chart or platform_chart_for(tmp_dir, files, extra)
    args = ["template", release, str(chart), "--namespace", namespace,
            *platform_args(tmp_dir, name, files, extra, chart)]
    text = run_helm(args).stdout
    docs = [d for d in yaml.safe_load_all(text) if d]
    return Rendering(name=name, release=release, text=text, docs=docs)


@pytest.fixture(scope="session")
def platform_renderings(render_dir) -> dict[str, Rendering]:
    return {name: render_platform(render_dir, name, files, extra, release)
            for name, (files, extra, release) in PLATFORM_RENDERINGS.items()}


@pytest.fixture(params=list(PLATFORM_RENDERINGS))
def platform_rendering(request, platform_renderings) -> Rendering:
    return platform_renderings[request.param]
