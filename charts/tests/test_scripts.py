"""The scripts the chart runs are syntactically valid, as rendered into the ConfigMaps."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest


def configmap(rendering, suffix: str) -> dict:
    return next(d for d in rendering.of_kind("ConfigMap") if d["metadata"]["name"].endswith(suffix))["data"]


def scripts(renderings) -> dict[str, str]:
    r = renderings["defaults"]
    setup, wordpress = configmap(r, "-setup"), configmap(r, "-wordpress")
    return {"setup.php": setup["setup.php"], "wait.php": setup["wait.php"],
            "configure.php": setup["configure.php"], "prepare-docroot.sh": wordpress["prepare-docroot.sh"]}


def test_setup_configmap_holds_the_php_setup_only(renderings):
    data = configmap(renderings["defaults"], "-setup")
    assert set(data) == {"setup.php", "wait.php", "configure.php", "products.json"}
    for name in ("setup.php", "configure.php"):
        assert "WP_CLI::" not in data[name] and "eval-file" not in data[name], name


@pytest.mark.parametrize("script, shell", [("prepare-docroot.sh", "bash")])
def test_shell_syntax(renderings, tmp_path, script, shell):
    binary = shutil.which(shell)
    assert binary, f"{shell} not found"
    path = tmp_path / script
    path.write_text(scripts(renderings)[script])
    proc = subprocess.run([binary, "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", ["prepare-docroot.sh"])
def test_shellcheck(renderings, tmp_path, script):
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck not installed")
    path = tmp_path / script
    path.write_text(scripts(renderings)[script])
    proc = subprocess.run(["shellcheck", "-S", "warning", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("script", ["setup.php", "wait.php", "configure.php"])
def test_php_syntax(renderings, tmp_path, script):
    if not shutil.which("php"):
        pytest.skip("php not installed (charts/test.sh installs php-cli when it can)")
    path = tmp_path / script
    path.write_text(scripts(renderings)[script])
    proc = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_setup_reads_the_admin_password_from_the_environment_only(renderings):
    """The admin password reaches WordPress from the environment (getenv), never through a
    command line or a log line."""
    text = scripts(renderings)["setup.php"]
    assert "storefleet_env('WORDPRESS_ADMIN_PASSWORD')" in text
    assert "$argv[1]" in text and "$argv[2]" not in text
    configure = scripts(renderings)["configure.php"]
    assert "storefleet_env('WORDPRESS_ADMIN_PASSWORD')" in configure
    for line in (text + configure).splitlines():
        if "storefleet_log(" in line or "storefleet_fail(" in line:
            assert "$password" not in line and "WORDPRESS_ADMIN_PASSWORD')" not in line, line


def test_products_render_as_json(renderings):
    products = json.loads(configmap(renderings["defaults"], "-setup")["products.json"])
    assert [p["sku"] for p in products] == ["sf-mug", "sf-tshirt", "sf-stickers"]
