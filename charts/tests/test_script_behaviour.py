"""What the chart's scripts do, run here for real where that needs no cluster.

prepare-docroot.sh runs on a fake WordPress tree, as the current user and (when these
checks run as root) as uid 33 against volume roots shaped like the ones kubelet creates
(an emptyDir root owned by root with mode 0777, a PVC root owned by root:33 with mode
2775), twice (the second run is a restarted pod). setup.php runs up to the point where it
needs a database: its checks of the environment and its failure messages.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from test_scripts import configmap

ADMIN_PASSWORD = "s3cret-admin-password-value"


# --- prepare-docroot.sh -------------------------------------------------------------------

def fake_wordpress(root: Path) -> Path:
    src = root / "src"
    (src / "wp-includes").mkdir(parents=True)
    (src / "wp-includes" / "version.php").write_text("<?php\n$wp_version = '6.8.3';\n")
    (src / "wp-content" / "plugins" / "akismet").mkdir(parents=True)
    (src / "wp-content" / "plugins" / "akismet" / "akismet.php").write_text("image copy")
    (src / "wp-content" / "plugins" / "hello.php").write_text("image hello")
    (src / "wp-content" / "themes" / "twentytwentyfive").mkdir(parents=True)
    (src / "wp-content" / "themes" / "twentytwentyfive" / "style.css").write_text("/* theme */")
    (src / "index.php").write_text("<?php // index")
    (src / ".htaccess").write_text("# rewrite rules")
    (src / "wp-config-docker.php").write_text("<?php // config from env")
    # Like the official image: world-writable directories the copy must not reproduce
    # on the volume roots.
    for d in (src, src / "wp-content", src / "wp-content" / "plugins", src / "wp-content" / "themes"):
        d.chmod(0o777)
    return src


def run_prepare(renderings, src: Path, docroot: Path, content: Path, plugins_on_volume: bool,
                as_uid: int | None = None) -> subprocess.CompletedProcess:
    script = docroot.parent / "prepare-docroot.sh"
    script.write_text(configmap(renderings["defaults"], "-wordpress")["prepare-docroot.sh"])
    script.chmod(0o644)
    env = {"PATH": "/usr/bin:/bin", "WORDPRESS_SOURCE_DIR": str(src), "WORDPRESS_DOCROOT": str(docroot),
           "STOREFLEET_CONTENT_DIR": str(content),
           "STOREFLEET_PLUGINS_ON_VOLUME": "true" if plugins_on_volume else "false"}
    command = ["bash", str(script)]
    if as_uid is not None:
        command = ["setpriv", f"--reuid={as_uid}", f"--regid={as_uid}", "--init-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env)


def volume_dirs(tmp_path: Path) -> tuple[Path, Path]:
    docroot, content = tmp_path / "docroot", tmp_path / "content"
    docroot.mkdir()
    content.mkdir()
    return docroot, content


def test_prepare_docroot_copies_core_and_lays_out_the_content_volume(renderings, tmp_path):
    src = fake_wordpress(tmp_path)
    docroot, content = volume_dirs(tmp_path)
    # The content volume already holds a newer akismet and WooCommerce.
    (content / "plugins" / "akismet").mkdir(parents=True)
    (content / "plugins" / "akismet" / "akismet.php").write_text("volume copy")
    (content / "plugins" / "woocommerce").mkdir()
    proc = run_prepare(renderings, src, docroot, content, plugins_on_volume=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (docroot / "index.php").read_text() == "<?php // index"
    assert (docroot / ".htaccess").is_file()
    assert (docroot / "wp-config.php").read_text() == "<?php // config from env"
    assert (docroot / "wp-content" / "themes" / "twentytwentyfive" / "style.css").is_file()
    # Mount points: empty directories in the docroot; the plugins live on the volume.
    assert (docroot / "wp-content" / "uploads").is_dir() and not any((docroot / "wp-content" / "uploads").iterdir())
    assert (docroot / "wp-content" / "plugins").is_dir() and not any((docroot / "wp-content" / "plugins").iterdir())
    assert (docroot / "wp-content" / "upgrade").is_dir()
    assert (content / "uploads").is_dir()
    assert (content / "plugins" / "akismet" / "akismet.php").read_text() == "volume copy"
    assert (content / "plugins" / "hello.php").read_text() == "image hello"
    assert (content / "plugins" / "woocommerce").is_dir()
    assert "WordPress 6.8.3 ready" in proc.stdout
    # A second run (restarted pod) changes nothing and succeeds.
    (docroot / "wp-config.php").write_text("kept")
    proc = run_prepare(renderings, src, docroot, content, plugins_on_volume=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert (docroot / "wp-config.php").read_text() == "kept"


def test_prepare_docroot_keeps_image_plugins_in_the_docroot_for_source_image(renderings, tmp_path):
    src = fake_wordpress(tmp_path)
    docroot, content = volume_dirs(tmp_path)
    proc = run_prepare(renderings, src, docroot, content, plugins_on_volume=False)
    assert proc.returncode == 0, proc.stderr
    assert (docroot / "wp-content" / "plugins" / "akismet" / "akismet.php").read_text() == "image copy"
    assert not (content / "plugins").exists()
    assert (content / "uploads").is_dir()


def test_prepare_docroot_refuses_an_image_without_wordpress(renderings, tmp_path):
    src = tmp_path / "empty"
    src.mkdir()
    docroot, content = volume_dirs(tmp_path)
    proc = run_prepare(renderings, src, docroot, content, plugins_on_volume=True)
    assert proc.returncode != 0
    assert "no WordPress" in proc.stderr


def uid33_tree() -> tuple[Path, Path, Path, Path]:
    """A readable fake WordPress and empty volume roots in a fresh directory, for running the
    script as uid 33 (skips without root and setpriv). Returns base, source, docroot, content."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the script as uid 33")
    base = Path(tempfile.mkdtemp(prefix="prepare-docroot-"))
    base.chmod(0o755)
    src = fake_wordpress(base)
    for p in [src, *src.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if p.is_dir() else 0))
    docroot, content = volume_dirs(base)
    return base, src, docroot, content


@pytest.mark.parametrize("docroot_mode, docroot_group", [(0o777, 0), (0o2777, 33)],
                         ids=["emptydir-root-0777", "emptydir-fsgroup-setgid"])
@pytest.mark.parametrize("plugins_on_volume", [True, False], ids=["plugins-on-volume", "plugins-in-image"])
def test_prepare_docroot_as_uid_33_on_kubelet_shaped_roots(renderings, docroot_mode, docroot_group,
                                                            plugins_on_volume):
    """The failure seen on a real node: uid 33 may write into the volume roots but not chmod
    them, and must not meet directories that the runtime created as root."""
    base, src, docroot, content = uid33_tree()
    try:
        os.chown(docroot, 0, docroot_group)
        docroot.chmod(docroot_mode)
        os.chown(content, 0, 33)
        content.chmod(0o2775)
        for run in (1, 2):
            proc = run_prepare(renderings, src, docroot, content, plugins_on_volume, as_uid=33)
            assert proc.returncode == 0, f"run {run}: {proc.stderr}"
            assert proc.stderr == "", f"run {run}: {proc.stderr}"
        # The roots are untouched; everything below them belongs to uid 33.
        assert stat.S_IMODE(docroot.stat().st_mode) == docroot_mode
        assert stat.S_IMODE(content.stat().st_mode) == 0o2775
        assert (docroot.stat().st_uid, content.stat().st_uid) == (0, 0)
        written = [docroot / "wp-content" / "uploads", docroot / "wp-content" / "upgrade", content / "uploads"]
        if plugins_on_volume:
            written += [content / "plugins", docroot / "wp-content" / "plugins"]
        for d in written:
            assert d.is_dir() and d.stat().st_uid == 33, d
        for p in [*docroot.rglob("*"), *content.rglob("*")]:
            assert p.lstat().st_uid == 33, f"{p} is not owned by uid 33"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_prepare_docroot_explains_an_unwritable_volume(renderings, tmp_path):
    base, src, docroot, content = uid33_tree()
    try:
        docroot.chmod(0o777)
        content.chmod(0o755)  # root-owned, no fsGroup
        proc = run_prepare(renderings, src, docroot, content, True, as_uid=33)
        assert proc.returncode != 0
        assert "the content volume" in proc.stderr and "not writable by uid 33" in proc.stderr, proc.stderr
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- setup.php ----------------------------------------------------------------------------

@pytest.fixture
def setup_env(renderings, tmp_path):
    if not shutil.which("php"):
        pytest.skip("php not installed (charts/test.sh installs php-cli when it can)")
    data = configmap(renderings["defaults"], "-setup")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in ("setup.php", "wait.php", "configure.php", "products.json"):
        (scripts / name).write_text(data[name])
    docroot = tmp_path / "docroot"
    docroot.mkdir()
    (docroot / "wp-load.php").write_text("<?php exit(3);")
    (docroot / "wp-config.php").write_text("<?php")
    env = {
        "PATH": "/usr/bin:/bin", "WORDPRESS_DOCROOT": str(docroot),
        "STOREFLEET_URL": "http://shop.stores.localhost", "STORE_HOST": "shop.stores.localhost",
        "STORE_TITLE": "Test Shop", "STORE_ADMIN_USER": "shopadmin", "STORE_ADMIN_EMAIL": "owner@example.com",
        "WORDPRESS_ADMIN_PASSWORD": ADMIN_PASSWORD, "WOOCOMMERCE_SOURCE": "wordpress.org",
        "WOOCOMMERCE_VERSION": "10.6.1", "STOREFLEET_RELEASE_REVISION": "1",
        "STOREFLEET_SETUP_CHECKSUM": "0123456789", "STOREFLEET_CHART": "woocommerce-store-0.1.0",
        # Nothing listens on port 9: the database never answers.
        "WORDPRESS_DB_HOST": "127.0.0.1:9", "WORDPRESS_DB_NAME": "wordpress", "WORDPRESS_DB_USER": "wordpress",
        "WORDPRESS_DB_PASSWORD": "db-secret-value", "SETUP_WAIT_SECONDS": "1",
        "STOREFLEET_TERMINATION_LOG": str(tmp_path / "termination-log"),
    }
    (tmp_path / "termination-log").write_text("")
    return {"scripts": scripts, "env": env, "tmp": tmp_path}


def run_setup(setup_env, **overrides) -> subprocess.CompletedProcess:
    env = {**setup_env["env"], **overrides}
    return subprocess.run(["php", str(setup_env["scripts"] / "setup.php")], capture_output=True, text=True,
                          env=env, timeout=120)


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if "ERROR:" in line]


@pytest.mark.parametrize("override, message", [
    ({"STORE_ADMIN_EMAIL": ""}, "environment variable STORE_ADMIN_EMAIL is empty"),
    ({"WORDPRESS_ADMIN_PASSWORD": ""}, "environment variable WORDPRESS_ADMIN_PASSWORD is empty"),
    ({"WOOCOMMERCE_SOURCE": "github"}, "woocommerce.source must be wordpress.org or image, not 'github'"),
    ({"WOOCOMMERCE_VERSION": "latest"}, "woocommerce.version 'latest' is not a version number"),
    ({"WORDPRESS_DOCROOT": "/nonexistent"}, "no WordPress in /nonexistent"),
])
def test_setup_refuses_a_bad_environment_with_one_line(setup_env, override, message):
    proc = run_setup(setup_env, **override)
    assert proc.returncode == 1
    assert len(error_lines(proc)) == 1 and message in error_lines(proc)[0], proc.stderr
    assert message in (setup_env["tmp"] / "termination-log").read_text()


def test_setup_fails_when_the_database_never_answers(setup_env):
    proc = run_setup(setup_env)
    assert proc.returncode == 1
    assert "ERROR: the database did not accept queries in time" in proc.stderr, proc.stderr
    assert "cannot connect to 127.0.0.1:9" in proc.stderr
    for secret in (ADMIN_PASSWORD, "db-secret-value"):
        assert secret not in proc.stdout + proc.stderr


def test_setup_keeps_secrets_out_of_argv(setup_env):
    """Every process setup.php starts gets its arguments from this list: the PHP binary,
    ini settings, a script and a step name; secrets stay in the environment."""
    text = (setup_env["scripts"] / "setup.php").read_text()
    assert text.count("proc_open(") == 1
    assert "$command = array(PHP_BINARY);" in text
    for call in ("storefleet_run(array(\"$scripts/wait.php\", 'database'))",
                 "storefleet_run(array(\"$scripts/wait.php\", 'wordpress'))",
                 "storefleet_run(array(__FILE__, $step), array('STOREFLEET_STEP_RESULT_FILE' => $result))"):
        assert call in text, call
    assert text.count("storefleet_run(") == 4  # the definition and the three calls above


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
