"""Every command newsbot installs or documents starts and prints its help: the console
scripts of pyproject.toml (none today: the demo is `scrapy demo`), the `scrapy` commands of
newsbot/commands/, and the modules the README runs with `python -m`."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

from support.crawls import PROJECT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SCRIPTS: dict[str, str] = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"].get(
    "scripts", {}
)
COMMANDS = sorted(
    p.stem for p in (PROJECT / "newsbot" / "commands").glob("*.py") if p.stem != "__init__"
)
MODULES = ["newsbot.dedupstore", "newsbot.demo.server"]


def test_the_installed_console_scripts_are_pyprojects() -> None:
    installed = {
        e.name: e.value
        for e in distribution("newsbot").entry_points
        if e.group == "console_scripts"
    }
    assert installed == SCRIPTS


def help_of(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False
    )


def test_console_script_help() -> None:
    """Every console script (none today) prints its help: a loop, not a parameter set, so
    an empty table is a pass rather than a skip."""
    for name in sorted(SCRIPTS):
        proc = help_of([str(Path(sys.executable).parent / name), "--help"])
        assert proc.returncode == 0 and "usage" in proc.stdout.lower(), (name, proc.stderr[-2000:])


@pytest.mark.slow  # a Scrapy start-up each
@pytest.mark.parametrize("command", COMMANDS)
def test_scrapy_command_help(command: str) -> None:
    proc = help_of([sys.executable, "-m", "scrapy", command, "-h"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"scrapy {command}" in proc.stdout and "Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_module_help(module: str) -> None:
    proc = help_of([sys.executable, "-m", module, "--help"])
    assert proc.returncode == 0 and f"python -m {module}" in proc.stdout, proc.stderr[-2000:]
