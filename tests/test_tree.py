"""The tree as DESIGN.md describes it: small modules, each named in the README's layout."""

from __future__ import annotations

import re

from support.crawls import PROJECT

MAX_LINES = 400  # issue 16: a module past this is two modules


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        str(path.relative_to(PROJECT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (PROJECT / "newsbot").rglob("*.py")
    }
    assert len(sizes) > 50
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_every_package_is_in_the_readmes_layout() -> None:
    layout = (PROJECT / "README.md").read_text(encoding="utf-8")
    packages = sorted(path.parent.name for path in (PROJECT / "newsbot").glob("*/__init__.py"))
    missing = [name for name in packages if not re.search(rf"\b{name}/", layout)]
    assert packages and missing == []
