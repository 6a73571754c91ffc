"""medusa-store's Redis start script, as rendered into its ConfigMap: valid sh, and run here
against a stand-in redis-server to show that the password reaches the config file only
(mode 0600), never the command line."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

PASSWORD = "Zx9redisPasswordValue0123456789abcd"


def start_script(medusa_renderings) -> str:
    cm = next(d for d in medusa_renderings["defaults"].of_kind("ConfigMap")
              if d["metadata"]["labels"]["app.kubernetes.io/component"] == "redis")
    return cm["data"]["start.sh"]


def test_sh_syntax(medusa_renderings, tmp_path):
    path = tmp_path / "start.sh"
    path.write_text(start_script(medusa_renderings))
    for shell in ("sh", "bash", "dash"):
        if shutil.which(shell):
            proc = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True)
            assert proc.returncode == 0, f"{shell}: {proc.stderr}"


def test_shellcheck(medusa_renderings, tmp_path):
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck not installed")
    path = tmp_path / "start.sh"
    path.write_text(start_script(medusa_renderings))
    proc = subprocess.run(["shellcheck", "-s", "sh", "-S", "warning", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def run_start(medusa_renderings, tmp_path: Path, env_password: str | None) -> tuple[subprocess.CompletedProcess, Path]:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    argv_log = tmp_path / "argv"
    # The stand-in records its command line and the config it was given.
    fake = bin_dir / "redis-server"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$0" "$@" > {argv_log}\ncat "$1" > {tmp_path}/seen.conf\n')
    fake.chmod(0o755)
    script = start_script(medusa_renderings).replace("/run/redis/", f"{run_dir}/")
    path = tmp_path / "start.sh"
    path.write_text(script)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    if env_password is not None:
        env["REDIS_PASSWORD"] = env_password
    proc = subprocess.run(["sh", str(path)], capture_output=True, text=True, env=env, timeout=30)
    return proc, tmp_path


def test_password_goes_to_a_private_config_file_only(medusa_renderings, tmp_path):
    proc, out = run_start(medusa_renderings, tmp_path, PASSWORD)
    assert proc.returncode == 0, proc.stderr
    argv = (out / "argv").read_text()
    assert PASSWORD not in argv and argv.split("\n")[1] == str(out / "run" / "redis.conf")
    conf = (out / "run" / "redis.conf")
    assert f'requirepass "{PASSWORD}"' in conf.read_text().splitlines()
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert PASSWORD not in proc.stdout + proc.stderr
    lines = conf.read_text().splitlines()
    assert "maxmemory-policy noeviction" in lines and "appendonly no" in lines and 'save ""' in lines


def test_missing_password_fails_clearly(medusa_renderings, tmp_path):
    proc, out = run_start(medusa_renderings, tmp_path, "")
    assert proc.returncode != 0
    assert "REDIS_PASSWORD is empty" in proc.stderr
    assert not (out / "argv").exists(), "redis-server must not start without a password"
