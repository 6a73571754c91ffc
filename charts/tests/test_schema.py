"""Wrong types and missing required values fail at install with a message naming the value."""

from __future__ import annotations

import pytest
import yaml

from conftest import CHART, NAMESPACE, STORE_VALUES, run_helm

# (case, values replacing the store fixture's, text expected in helm's error)
BAD_VALUES = [
    ("host missing", {"store": {"host": ""}}, "/store/host"),
    ("host not a name", {"store": {"host": "Shop_Front"}}, "/store/host"),
    ("host not a string", {"store": {"host": 42}}, "/store/host"),
    ("secret missing", {"credentials": {"existingSecret": ""}}, "/credentials/existingSecret"),
    ("secret not a string", {"credentials": {"existingSecret": ["a"]}}, "/credentials/existingSecret"),
    ("store id not a uuid", {"store": {"id": "not-a-uuid"}}, "/store/id"),
    ("admin email", {"store": {"adminEmail": "nobody"}}, "/store/adminEmail"),
    ("replicas as text", {"wordpress": {"replicas": "two"}}, "/wordpress/replicas"),
    ("quota pods as text", {"quota": {"pods": "eight"}}, "/quota/pods"),
    ("quota cpu not a quantity", {"quota": {"limits": {"cpu": "lots"}}}, "/quota/limits/cpu"),
    ("latest tag", {"mariadb": {"image": {"tag": "latest"}}}, "/mariadb/image/tag"),
    ("empty tag", {"wordpress": {"image": {"tag": ""}}}, "/wordpress/image/tag"),
    ("setup image is gone", {"setup": {"image": {"repository": "docker.io/library/wordpress", "tag": "cli-2.12.0"}}},
     "image"),
    ("pull policy", {"imagePullPolicy": "Sometimes"}, "/imagePullPolicy"),
    ("placement typo", {"placement": {"nodeselector": {"a": "b"}}}, "nodeselector"),
    ("placement tolerations not a list", {"placement": {"tolerations": {"key": "x"}}}, "/placement/tolerations"),
    ("unknown source", {"woocommerce": {"source": "github"}}, "/woocommerce/source"),
    ("currency", {"woocommerce": {"currency": "dollars"}}, "/woocommerce/currency"),
    ("product without price", {"woocommerce": {"sampleProducts": [{"name": "x", "stock": 1}]}},
     "/woocommerce/sampleProducts/0"),
    ("product stock negative", {"woocommerce": {"sampleProducts": [{"name": "x", "price": "1", "stock": -1}]}},
     "/woocommerce/sampleProducts/0/stock"),
    ("tls mode", {"ingress": {"tls": {"mode": "letsencrypt"}}}, "/ingress/tls/mode"),
    ("resources without limits", {"wordpress": {"resources": {"limits": None}}}, "/wordpress/resources"),
    ("privileged port", {"wordpress": {"containerPort": 80}}, "/wordpress/containerPort"),
    ("egress not a boolean", {"egress": {"internet": "yes"}}, "/egress/internet"),
    ("typo in a key", {"wordpres": {"replicas": 2}}, "wordpres"),
    ("typo in a nested key", {"mariadb": {"persistance": {"size": "1Gi"}}}, "persistance"),
    # Rules the schema cannot express, checked by templates/validate.yaml.
    ("cert-manager without issuer", {"ingress": {"tls": {"mode": "certManager"}}}, "issuerName"),
    ("existing secret mode without secret", {"ingress": {"tls": {"mode": "existingSecret"}}},
     "ingress.tls.secretName"),
    ("wordpress.org without internet", {"egress": {"internet": False}}, "egress.internet=true"),
    ("autoscaling bounds", {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}}, "minReplicas"),
]


def merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("case, override, message", BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
def test_bad_values_fail_with_a_clear_message(tmp_path, case, override, message):
    values = merge(yaml.safe_load(STORE_VALUES.read_text()), override)
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    proc = run_helm(["template", "shop", str(CHART), "--namespace", NAMESPACE, "-f", str(path)], check=False)
    assert proc.returncode != 0, f"{case}: helm accepted bad values"
    assert message in proc.stderr, f"{case}: error does not name {message!r}:\n{proc.stderr}"


def test_required_values_missing_entirely_fail():
    proc = run_helm(["template", "shop", str(CHART), "--namespace", NAMESPACE], check=False)
    assert proc.returncode != 0
    assert "/store/host" in proc.stderr and "/credentials/existingSecret" in proc.stderr


def test_the_store_fixture_is_enough():
    run_helm(["template", "shop", str(CHART), "--namespace", NAMESPACE, "-f", str(STORE_VALUES)])
