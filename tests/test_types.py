"""newsbot type-checks under `mypy --strict` (STYLE: type hints everywhere, and true)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def test_newsbot_passes_mypy_strict(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    out, err, status = api.run(["--strict", "--cache-dir", str(tmp_path), "--config-file",
                                str(PROJECT / "pyproject.toml"), str(PROJECT / "newsbot")])
    assert status == 0, out + err
