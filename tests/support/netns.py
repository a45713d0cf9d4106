"""Run the test session inside a network namespace that has only loopback.

Crawl tests start servers on 127.0.0.0/8 and must never reach anything else.
Rather than trust every test to get that right, the whole session re-executes
itself under `unshare -rn` (a new user + network namespace, loopback up), so
any connection outside loopback fails at once. What needs the package
registry (the pywb virtualenv) is prepared before the switch. Where the
system forbids unshare, the session runs as it is; NEWSBOT_TEST_NETNS=0 opts out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MARKER = "NEWSBOT_TEST_NETNS"
WRAPPER = 'ip link set lo up && exec "$0" "$@"'


def pywb_venv_dir() -> Path:
    default = Path.home() / ".cache" / "newsbot-test" / "pywb-venv"
    return Path(os.environ.get("NEWSBOT_PYWB_VENV", default))


def ensure_pywb_venv() -> tuple[Path | None, str]:
    """pywb in a virtualenv of its own (it pins old packages); (bin dir, or None and why)."""
    venv = pywb_venv_dir()
    if (venv / "bin" / "wayback").exists():
        return venv / "bin", ""
    venv.parent.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if made.returncode != 0:
        return None, f"cannot create a virtualenv at {venv}: {made.stderr.strip()[-300:]}"
    proc = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "pywb"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        shutil.rmtree(venv, ignore_errors=True)
        return None, f"cannot install pywb into {venv} (no package registry?): {tail}"
    return venv / "bin", ""


def _unshare_works() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(
        ["unshare", "-rn", "sh", "-c", WRAPPER, "true"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


def reexec_in_loopback_namespace(config: pytest.Config) -> None:
    """Prepare what needs the network, then replace this process by one in a netns."""
    if os.environ.get(MARKER) is not None or not _unshare_works():
        return
    ensure_pywb_venv()
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.stop_global_capturing()  # give the new process the real stdout/stderr
    os.environ[MARKER] = "1"
    argv = [sys.executable, "-m", "pytest", *config.invocation_params.args]
    os.chdir(config.invocation_params.dir)
    os.execvp("unshare", ["unshare", "-rn", "sh", "-c", WRAPPER, *argv])


def in_loopback_namespace() -> bool:
    return os.environ.get(MARKER) == "1"
