"""helm lint --strict with the defaults, values-local.yaml and values-prod.yaml."""

import pytest

from conftest import CHART, STORE_VALUES, run_helm


@pytest.mark.parametrize("values_file", [None, "values-local.yaml", "values-prod.yaml"])
def test_helm_lint_strict(values_file):
    args = ["lint", "--strict", str(CHART)]
    if values_file:
        args += ["-f", str(CHART / values_file)]
    args += ["-f", str(STORE_VALUES)]
    proc = run_helm(args, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[WARNING]" not in proc.stdout and "[ERROR]" not in proc.stdout, proc.stdout
