"""helm lint --strict of every chart with its defaults, values-local.yaml and values-prod.yaml."""

import pytest

from conftest import CHART, MEDUSA_CHART, MEDUSA_STORE_VALUES, STORE_VALUES, platform_chart_for, run_helm

CASES = [
    (CHART, STORE_VALUES, []),
    (CHART, STORE_VALUES, ["values-local.yaml"]),
    (CHART, STORE_VALUES, ["values-prod.yaml"]),
    (MEDUSA_CHART, MEDUSA_STORE_VALUES, []),
    (MEDUSA_CHART, MEDUSA_STORE_VALUES, ["values-local.yaml"]),
    (MEDUSA_CHART, MEDUSA_STORE_VALUES, ["values-prod.yaml"]),
    (MEDUSA_CHART, MEDUSA_STORE_VALUES, ["values-local.yaml", "../../testenv/store-values/medusa-simulated.yaml"]),
]


@pytest.mark.parametrize("chart, store_values, values_files", CASES,
                         ids=[f"{c.name}:{'+'.join(v) or 'defaults'}" for c, _, v in CASES])
def test_helm_lint_strict(chart, store_values, values_files):
    args = ["lint", "--strict", str(chart)]
    for values_file in values_files:
        args += ["-f", str(chart / values_file)]
    args += ["-f", str(store_values)]
    proc = run_helm(args, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[WARNING]" not in proc.stdout and "[ERROR]" not in proc.stdout, proc.stdout


PLATFORM_CASES = [
    ([], ["--set", "image.repository=registry.example.com/storefleet/storefleet"]),
    (["values-local.yaml"], []),
    (["values-prod.yaml"], []),
    ([], ["--set", "image.repository=registry.example.com/storefleet/storefleet",
          "--set", "database.mode=postgres", "--set", "database.existingSecret=db",
          "--set", "jwtSecret.existingSecret=jwt"]),
]


@pytest.mark.parametrize("values_files, sets", PLATFORM_CASES,
                         ids=["storefleet:defaults", "storefleet:values-local.yaml", "storefleet:values-prod.yaml",
                              "storefleet:postgres"])
def test_platform_helm_lint_strict(tmp_path, values_files, sets):
    # values-prod.yaml enables the PrometheusRule and the dashboard: until files/alerts.yaml
    # and files/dashboard.json are in the chart, lint a copy that has small ones.
    chart = platform_chart_for(tmp_path, values_files, {})
    args = ["lint", "--strict", str(chart)]
    for values_file in values_files:
        args += ["-f", str(chart / values_file)]
    proc = run_helm([*args, *sets], check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[WARNING]" not in proc.stdout and "[ERROR]" not in proc.stdout, proc.stdout
