"""helm lint --strict of every chart with its defaults, values-local.yaml and values-prod.yaml."""

import pytest

from conftest import CHART, MEDUSA_CHART, MEDUSA_STORE_VALUES, STORE_VALUES, run_helm

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
