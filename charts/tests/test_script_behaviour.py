"""What the chart's scripts do, run here against fakes (no WordPress, no database).

prepare-docroot.sh runs on a fake WordPress tree; setup.sh runs with a fake `wp` (which
keeps its state in files) and a fake `php`, so its decisions can be checked: what a first
run installs, that a second run installs nothing, upgrades, and the image source.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from test_scripts import configmap

ADMIN_PASSWORD = "s3cret-admin-password-value"


def write_executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


# --- prepare-docroot.sh -------------------------------------------------------------------

def fake_wordpress(root: Path) -> Path:
    src = root / "src"
    (src / "wp-includes").mkdir(parents=True)
    (src / "wp-includes" / "version.php").write_text("<?php\n$wp_version = '6.8.3';\n")
    (src / "wp-content" / "plugins" / "akismet").mkdir(parents=True)
    (src / "wp-content" / "plugins" / "akismet" / "akismet.php").write_text("image copy")
    (src / "wp-content" / "plugins" / "hello.php").write_text("image hello")
    (src / "wp-content" / "themes" / "twentytwentyfive").mkdir(parents=True)
    (src / "index.php").write_text("<?php // index")
    (src / "wp-config-docker.php").write_text("<?php // config from env")
    return src


def run_prepare(renderings, src: Path, dst: Path) -> subprocess.CompletedProcess:
    script = dst.parent / "prepare-docroot.sh"
    script.write_text(configmap(renderings["defaults"], "-wordpress")["prepare-docroot.sh"])
    env = {**os.environ, "WORDPRESS_SOURCE_DIR": str(src), "WORDPRESS_DOCROOT": str(dst)}
    return subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env)


def test_prepare_docroot_copies_core_and_keeps_volume_plugins(renderings, tmp_path):
    src = fake_wordpress(tmp_path)
    dst = tmp_path / "docroot"
    # The content volume already holds a newer akismet and WooCommerce.
    (dst / "wp-content" / "plugins" / "akismet").mkdir(parents=True)
    (dst / "wp-content" / "plugins" / "akismet" / "akismet.php").write_text("volume copy")
    (dst / "wp-content" / "plugins" / "woocommerce").mkdir()
    proc = run_prepare(renderings, src, dst)
    assert proc.returncode == 0, proc.stderr
    assert (dst / "index.php").read_text() == "<?php // index"
    assert (dst / "wp-config.php").read_text() == "<?php // config from env"
    assert (dst / "wp-content" / "plugins" / "akismet" / "akismet.php").read_text() == "volume copy"
    assert (dst / "wp-content" / "plugins" / "hello.php").read_text() == "image hello"
    assert (dst / "wp-content" / "plugins" / "woocommerce").is_dir()
    assert (dst / "wp-content" / "themes" / "twentytwentyfive").is_dir()
    assert "WordPress 6.8.3 ready" in proc.stdout
    # A second run (container restart) changes nothing and succeeds.
    (dst / "wp-config.php").write_text("kept")
    assert run_prepare(renderings, src, dst).returncode == 0
    assert (dst / "wp-config.php").read_text() == "kept"


def test_prepare_docroot_refuses_an_image_without_wordpress(renderings, tmp_path):
    src = tmp_path / "empty"
    src.mkdir()
    (tmp_path / "docroot").mkdir()
    proc = run_prepare(renderings, src, tmp_path / "docroot")
    assert proc.returncode != 0
    assert "no WordPress" in proc.stderr


# --- setup.sh -----------------------------------------------------------------------------

FAKE_WP = r"""#!/usr/bin/env bash
# Fake wp-cli: state in $FAKE_STATE, every call appended to $FAKE_STATE/calls.
set -eu
echo "$*" >> "$FAKE_STATE/calls"
args=()
for a in "$@"; do case "$a" in --path=*|--no-color) ;; *) args+=("$a") ;; esac; done
set -- "${args[@]}"
case "$1 ${2:-}" in
  "core is-installed") [ -f "$FAKE_STATE/installed" ] ;;
  "core install") touch "$FAKE_STATE/installed" ;;
  "plugin get")
    [ -f "$FAKE_STATE/wc-version" ] || { echo "Error: The 'woocommerce' plugin could not be found." >&2; exit 1; }
    cat "$FAKE_STATE/wc-version" ;;
  "plugin install")
    for a in "$@"; do case "$a" in --version=*) echo "${a#--version=}" > "$FAKE_STATE/wc-version" ;; esac; done ;;
  "plugin is-installed") [ -f "$FAKE_STATE/wc-version" ] ;;
  "plugin is-active") [ -f "$FAKE_STATE/active" ] ;;
  "plugin activate") touch "$FAKE_STATE/active" ;;
  "wc update") echo "No updates required." ;;
  "eval-file "*) [ -z "${FAKE_CONFIGURE_FAILS:-}" ] || exit 1 ;;
  *) echo "fake wp: unexpected: $*" >&2; exit 3 ;;
esac
"""

FAKE_PHP = r"""#!/usr/bin/env bash
# Fake php: wait.php succeeds at once; `-r` runs the version_compare one-liner via sort -V.
set -eu
echo "php $*" >> "$FAKE_STATE/calls"
if [ "$1" = "-r" ]; then
  # php -r '<code>' A B: exit 0 when A > B
  [ "$3" != "$4" ] && [ "$(printf '%s\n%s\n' "$3" "$4" | sort -V | tail -n1)" = "$3" ]
  exit
fi
case "$1" in *wait.php) echo "$2 ready"; exit "${FAKE_WAIT_STATUS:-0}" ;; esac
echo "fake php: unexpected: $*" >&2; exit 3
"""


@pytest.fixture
def setup_env(renderings, tmp_path):
    data = configmap(renderings["defaults"], "-setup")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in ("setup.sh", "wait.php", "configure.php", "products.json"):
        (scripts / name).write_text(data[name])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    write_executable(bin_dir / "wp", FAKE_WP)
    write_executable(bin_dir / "php", FAKE_PHP)
    state = tmp_path / "state"
    state.mkdir()
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin", "FAKE_STATE": str(state),
        "STOREFLEET_SCRIPTS": str(scripts), "WORDPRESS_DOCROOT": str(tmp_path / "docroot"),
        "STOREFLEET_URL": "http://shop.stores.localhost", "STORE_TITLE": "Test Shop",
        "STORE_ADMIN_USER": "shopadmin", "STORE_ADMIN_EMAIL": "owner@example.com",
        "WORDPRESS_ADMIN_PASSWORD": ADMIN_PASSWORD, "WOOCOMMERCE_SOURCE": "wordpress.org",
        "WOOCOMMERCE_VERSION": "10.6.1", "STOREFLEET_RELEASE_REVISION": "1",
        "STOREFLEET_SETUP_CHECKSUM": "0123456789",
    }
    return {"scripts": scripts, "state": state, "env": env}


def run_setup(setup_env, **overrides) -> tuple[subprocess.CompletedProcess, list[str]]:
    calls_file = setup_env["state"] / "calls"
    calls_file.unlink(missing_ok=True)
    env = {**setup_env["env"], **overrides}
    sh = shutil.which("sh")
    proc = subprocess.run([sh, str(setup_env["scripts"] / "setup.sh")], capture_output=True, text=True, env=env)
    calls = calls_file.read_text().splitlines() if calls_file.exists() else []
    return proc, calls


def wp_calls(calls: list[str]) -> list[str]:
    return [" ".join(a for a in c.split() if not a.startswith("--path=") and a != "--no-color")
            for c in calls if not c.startswith("php ")]


def test_first_run_installs_everything(setup_env):
    proc, calls = run_setup(setup_env)
    assert proc.returncode == 0, proc.stderr
    wp = wp_calls(calls)
    assert any(c.startswith("core install --url=http://shop.stores.localhost --title=Test Shop") for c in wp), wp
    assert "plugin install woocommerce --version=10.6.1" in wp
    assert "plugin activate woocommerce" in wp
    assert wp[-1].startswith("eval-file ") and wp[-1].endswith("configure.php")
    assert "php " + str(setup_env["scripts"] / "wait.php") + " database" in calls
    assert "php " + str(setup_env["scripts"] / "wait.php") + " wordpress" in calls
    assert "setup complete" in proc.stdout
    assert not any(ADMIN_PASSWORD in c for c in calls), "the admin password reached a command line"


def test_second_run_changes_nothing(setup_env):
    assert run_setup(setup_env)[0].returncode == 0
    proc, calls = run_setup(setup_env)
    assert proc.returncode == 0, proc.stderr
    wp = wp_calls(calls)
    assert not [c for c in wp if c.startswith(("core install", "plugin install", "plugin activate"))], wp
    assert "WordPress is installed" in proc.stdout and "WooCommerce is active" in proc.stdout


def test_newer_woocommerce_version_is_installed_older_is_kept(setup_env):
    assert run_setup(setup_env)[0].returncode == 0
    proc, calls = run_setup(setup_env, WOOCOMMERCE_VERSION="10.7.0")
    assert proc.returncode == 0, proc.stderr
    assert "plugin install woocommerce --version=10.7.0 --force" in wp_calls(calls)
    proc, calls = run_setup(setup_env, WOOCOMMERCE_VERSION="10.6.1")
    assert proc.returncode == 0
    assert not [c for c in wp_calls(calls) if c.startswith("plugin install")]


def test_image_source_needs_the_plugin_in_the_image(setup_env):
    proc, calls = run_setup(setup_env, WOOCOMMERCE_SOURCE="image")
    assert proc.returncode != 0
    assert "woocommerce.source=image" in proc.stderr
    assert not [c for c in wp_calls(calls) if c.startswith("plugin install")]
    (setup_env["state"] / "wc-version").write_text("10.6.1\n")
    proc, calls = run_setup(setup_env, WOOCOMMERCE_SOURCE="image")
    assert proc.returncode == 0, proc.stderr
    assert "plugin activate woocommerce" in wp_calls(calls)


def test_failures_fail_the_job(setup_env):
    proc, _ = run_setup(setup_env, FAKE_WAIT_STATUS="1")
    assert proc.returncode != 0 and "did not accept queries in time" in proc.stderr
    proc, _ = run_setup(setup_env, FAKE_CONFIGURE_FAILS="1")
    assert proc.returncode != 0 and "setup complete" not in proc.stdout
    proc, _ = run_setup(setup_env, STORE_ADMIN_EMAIL="")
    assert proc.returncode != 0 and "STORE_ADMIN_EMAIL is empty" in proc.stderr


def test_wait_php_gives_up_with_a_reason(renderings, tmp_path):
    php = shutil.which("php")
    if not php:
        pytest.skip("php not installed")
    probe = subprocess.run([php, "-r", "exit(function_exists('mysqli_init') ? 0 : 1);"])
    script = tmp_path / "wait.php"
    script.write_text(configmap(renderings["defaults"], "-setup")["wait.php"])
    proc = subprocess.run([php, str(script)], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage" in proc.stderr
    env = {**os.environ, "SETUP_WAIT_SECONDS": "1", "STOREFLEET_WORDPRESS_PROBE_URL": "http://127.0.0.1:9/wp-login.php",
           "STORE_HOST": "shop.stores.localhost", "STOREFLEET_URL": "http://shop.stores.localhost"}
    proc = subprocess.run([php, str(script), "wordpress"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1 and "wordpress not ready" in proc.stderr, proc.stderr
    if probe.returncode == 0:
        env.update({"WORDPRESS_DB_HOST": "127.0.0.1:9", "WORDPRESS_DB_USER": "u", "WORDPRESS_DB_PASSWORD": "p",
                    "WORDPRESS_DB_NAME": "d"})
        proc = subprocess.run([php, str(script), "database"], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 1 and "cannot connect to 127.0.0.1:9" in proc.stderr, proc.stderr
