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
    return {"setup.sh": setup["setup.sh"], "wait.php": setup["wait.php"],
            "configure.php": setup["configure.php"], "prepare-docroot.sh": wordpress["prepare-docroot.sh"]}


@pytest.mark.parametrize("script, shell", [("setup.sh", "sh"), ("setup.sh", "bash"),
                                           ("prepare-docroot.sh", "bash")])
def test_shell_syntax(renderings, tmp_path, script, shell):
    binary = shutil.which(shell)
    assert binary, f"{shell} not found"
    path = tmp_path / script
    path.write_text(scripts(renderings)[script])
    proc = subprocess.run([binary, "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", ["setup.sh", "prepare-docroot.sh"])
def test_shellcheck(renderings, tmp_path, script):
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck not installed")
    path = tmp_path / script
    path.write_text(scripts(renderings)[script])
    proc = subprocess.run(["shellcheck", "-S", "warning", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("script", ["wait.php", "configure.php"])
def test_php_syntax(renderings, tmp_path, script):
    if not shutil.which("php"):
        pytest.skip("php not installed (charts/test.sh installs php-cli when it can)")
    path = tmp_path / script
    path.write_text(scripts(renderings)[script])
    proc = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_setup_script_keeps_secrets_out_of_argv(renderings):
    """The admin password is read by configure.php from the environment; the shell script
    never expands it, so it cannot end up on a command line."""
    text = scripts(renderings)["setup.sh"]
    assert "$WORDPRESS_ADMIN_PASSWORD" not in text and "${WORDPRESS_ADMIN_PASSWORD" not in text
    assert "set -eu" in text


def test_products_render_as_json(renderings):
    products = json.loads(configmap(renderings["defaults"], "-setup")["products.json"])
    assert [p["sku"] for p in products] == ["sf-mug", "sf-tshirt", "sf-stickers"]
