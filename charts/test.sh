#!/usr/bin/env bash
# Checks of the Helm charts under charts/: helm lint --strict, render-time assertions
# (Pod Security restricted, resources, tokens, pinned images, guardrails, network flows,
# values schema, setup Job naming, script syntax) and, when a cluster answers, server-side
# validation plus a real install / upgrade / uninstall.
#
# Needs helm (and kubectl for the cluster checks) on PATH: testenv's `cluster env` puts
# both there. Installs pytest and PyYAML when missing, and php-cli / shellcheck when it can
# (their checks are skipped otherwise).
#
#   charts/test.sh                       # all checks; cluster checks skip without a cluster
#   STOREFLEET_REQUIRE_CLUSTER=1 charts/test.sh   # a missing cluster is a failure
#   charts/test.sh -k netpol             # extra arguments go to pytest
#
# Last line: "N passed, N failed". Exit status non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

fail_setup() {
	echo "charts/test.sh: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

command -v helm >/dev/null 2>&1 ||
	fail_setup "helm not found on PATH: run \`eval \"\$(testenv/cluster env)\"\` (or put a helm 3.14+/4.x on PATH)"
echo "helm: $(command -v helm) ($(helm version --template '{{.Version}}' 2>/dev/null || echo '?'))"

python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || fail_setup "python3 not found"
if ! "$python" -c 'import pytest, yaml' >/dev/null 2>&1; then
	echo "installing pytest and PyYAML"
	"$python" -m pip install --quiet --disable-pip-version-check pytest PyYAML ||
		"$python" -m pip install --quiet --disable-pip-version-check --user pytest PyYAML ||
		fail_setup "could not install pytest and PyYAML with pip"
fi

# Optional linters for the scripts the chart ships (PHP and shell); best effort, quiet.
if { ! command -v php >/dev/null 2>&1 || ! command -v shellcheck >/dev/null 2>&1; } &&
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${STOREFLEET_NO_APT:-}" ]; then
	echo "installing php-cli, php-mysql and shellcheck (apt) for the script checks"
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-mysql shellcheck ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-mysql shellcheck; }; } \
		>/dev/null 2>&1 || echo "  (not installed: the PHP and shellcheck checks will be skipped)"
fi

if [ -n "${KUBECONFIG:-}" ] && command -v kubectl >/dev/null 2>&1 && kubectl get ns >/dev/null 2>&1; then
	echo "cluster: reachable through KUBECONFIG=$KUBECONFIG"
elif [ "${STOREFLEET_REQUIRE_CLUSTER:-}" = 1 ]; then
	echo "cluster: NOT reachable and STOREFLEET_REQUIRE_CLUSTER=1: the cluster checks will fail"
else
	echo "cluster: not reachable (KUBECONFIG unset or kubectl get ns fails): cluster checks are skipped"
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
set +e
"$python" -m pytest tests -q -rfEs -p no:cacheprovider --junitxml="$results/junit.xml" "$@"
status=$?
set -e

# The closing line counts every check: passed, and failed (failures + errors).
summary=$("$python" - "$results/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("0 0 0")
    raise SystemExit
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = failed = skipped = 0
for s in suites:
    tests += int(s.get("tests", 0))
    failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
    skipped += int(s.get("skipped", 0))
print(tests - failed - skipped, failed, skipped)
PY
)
read -r passed failed skipped <<<"$summary"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1 # pytest failed without a test failure (collection or usage error)
fi
if [ "$skipped" -gt 0 ]; then
	echo "skipped: $skipped check(s) (see the pytest summary above for why)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
