"""The NetworkPolicies allow exactly the flows a store needs.

A small evaluator of Kubernetes NetworkPolicy semantics (additive allow rules; a pod is
isolated in a direction once any policy selects it for that direction; a connection needs
the egress side and the ingress side to allow it) runs over the rendered policies.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pytest

from conftest import NAMESPACE, Rendering, pod_template_metadata


@dataclass
class Peer:
    """A pod (labels + namespace labels) or an address outside the cluster."""
    name: str
    namespace: str | None = None
    labels: dict = field(default_factory=dict)
    ns_labels: dict = field(default_factory=dict)
    ip: str | None = None


def selector_matches(selector: dict | None, labels: dict) -> bool:
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def peer_matches(rule_peer: dict, peer: Peer, policy_ns: str) -> bool:
    if "ipBlock" in rule_peer:
        if peer.ip is None:
            return False  # pods are modelled by labels only
        block = rule_peer["ipBlock"]
        addr = ipaddress.ip_address(peer.ip)
        if addr not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(addr in ipaddress.ip_network(e) for e in block.get("except", []))
    if peer.ip is not None:
        return False
    ns_sel, pod_sel = rule_peer.get("namespaceSelector"), rule_peer.get("podSelector")
    if ns_sel is None:
        in_ns = peer.namespace == policy_ns
    else:
        in_ns = selector_matches(ns_sel, peer.ns_labels)
    return in_ns and (pod_sel is None or selector_matches(pod_sel, peer.labels))


def port_matches(ports: list | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    return any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in ports)


def direction_allows(policies: list[dict], subject: Peer, other: Peer, port: int, protocol: str,
                     direction: str) -> bool:
    """Whether `subject` may send (Egress) to / receive (Ingress) from `other`."""
    if subject.ip is not None or subject.namespace != NAMESPACE:
        return True  # outside the store namespace: not governed by these policies
    selecting = [p for p in policies
                 if selector_matches(p["spec"]["podSelector"], subject.labels)
                 and direction in p["spec"].get("policyTypes", ["Ingress"])]
    if not selecting:
        return True
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    for policy in selecting:
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(p, other, NAMESPACE) for p in peers)) and \
                    port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def allowed(r: Rendering, src: Peer, dst: Peer, port: int, protocol: str = "TCP") -> bool:
    policies = r.of_kind("NetworkPolicy")
    return (direction_allows(policies, src, dst, port, protocol, "Egress")
            and direction_allows(policies, dst, src, port, protocol, "Ingress"))


def store_pods(r: Rendering) -> dict[str, Peer]:
    ns_labels = {"kubernetes.io/metadata.name": NAMESPACE}
    pods = {}
    for doc in r.docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            labels = pod_template_metadata(doc)["labels"]
            component = labels["app.kubernetes.io/component"]
            pods[component] = Peer(component, NAMESPACE, labels, ns_labels)
    return pods


INGRESS_CONTROLLER = Peer("ingress-nginx", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"},
                          {"kubernetes.io/metadata.name": "ingress-nginx"})
KUBE_DNS = Peer("coredns", "kube-system", {"k8s-app": "kube-dns"}, {"kubernetes.io/metadata.name": "kube-system"})
OTHER_STORE = Peer("other", "store-other", {"app.kubernetes.io/component": "wordpress"},
                   {"kubernetes.io/metadata.name": "store-other"})
API_SERVER = Peer("api", ip="10.96.0.1")
INTERNET = Peer("wordpress.org", ip="198.143.164.252")
METADATA = Peer("metadata", ip="169.254.169.254")

NETPOL_RENDERINGS = ["defaults", "local", "prod", "hpa-pdb", "woocommerce-from-image", "long-name"]


@pytest.mark.parametrize("name", NETPOL_RENDERINGS)
def test_store_flows(renderings, name):
    r = renderings[name]
    pods = store_pods(r)
    wp, db, setup = pods["wordpress"], pods["mariadb"], pods["setup"]
    expected = [
        # (source, destination, port, protocol, allowed)
        (INGRESS_CONTROLLER, wp, 8080, "TCP", True),
        (INGRESS_CONTROLLER, db, 3306, "TCP", False),
        (INGRESS_CONTROLLER, setup, 8080, "TCP", False),
        (OTHER_STORE, wp, 8080, "TCP", False),
        (OTHER_STORE, db, 3306, "TCP", False),
        (wp, db, 3306, "TCP", True),
        (setup, db, 3306, "TCP", True),
        (setup, wp, 8080, "TCP", True),
        (wp, setup, 8080, "TCP", False),
        (db, wp, 8080, "TCP", False),
        (wp, db, 22, "TCP", False),
        (wp, OTHER_STORE, 8080, "TCP", False),
        (db, INTERNET, 443, "TCP", False),
        (wp, API_SERVER, 443, "TCP", False),
        (setup, API_SERVER, 443, "TCP", False),
        (setup, METADATA, 80, "TCP", False),
        (wp, INTERNET, 80, "TCP", False),
    ]
    for pod in (wp, db, setup):
        expected += [(pod, KUBE_DNS, 53, "UDP", True), (pod, KUBE_DNS, 53, "TCP", True),
                     (pod, KUBE_DNS, 80, "TCP", False)]
    internet = any(p["metadata"]["name"].endswith("allow-internet-https") for p in r.of_kind("NetworkPolicy"))
    expected += [(wp, INTERNET, 443, "TCP", internet), (setup, INTERNET, 443, "TCP", internet),
                 (setup, METADATA, 443, "TCP", False)]
    wrong = [f"{s.name} -> {d.name}:{port}/{proto} should be {'allowed' if ok else 'denied'}"
             for s, d, port, proto, ok in expected if allowed(r, s, d, port, proto) != ok]
    assert not wrong, "\n".join(wrong)


def test_internet_egress_follows_the_value(renderings):
    def has_internet(r):
        return any(p["metadata"]["name"].endswith("allow-internet-https") for p in r.of_kind("NetworkPolicy"))
    assert has_internet(renderings["local"]) and has_internet(renderings["defaults"])
    assert not has_internet(renderings["prod"]) and not has_internet(renderings["woocommerce-from-image"])


def test_setup_reaches_the_internet_when_allowed(renderings):
    r = renderings["local"]
    assert allowed(r, store_pods(r)["setup"], INTERNET, 443)
    r = renderings["prod"]
    assert not allowed(r, store_pods(r)["setup"], INTERNET, 443)
