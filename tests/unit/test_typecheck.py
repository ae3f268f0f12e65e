"""The root's mypy lists follow the packages: every src/ in files and mypy_path, core modules in
the strict override; the team's own entries stay, and unmanaged configurations are left alone."""

from __future__ import annotations

import tomllib
from pathlib import Path

from seedbed.effects import typecheck
from seedbed.effects.transaction import changing
from tests.helpers import make_workspace

MYPY = """
[tool.mypy]
files = ["scripts"]
mypy_path = ["stubs", "seeds/gone/src"]
explicit_package_bases = true

[[tool.mypy.overrides]]
module = ["yaml.*"]
ignore_missing_imports = true

[[tool.mypy.overrides]]
module = ["acme.legacy.*", "acme.gone.*"]
disallow_untyped_defs = true
"""


def test_sync_lists_every_package_and_keeps_the_teams_entries(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", {"a": [], "b": ["a"]}, core=("a",), commit=False)
    manifest = root / "pyproject.toml"
    manifest.write_text(manifest.read_text() + MYPY)
    with changing(root) as transaction:
        assert typecheck.sync(transaction, root)
    mypy = tomllib.loads(manifest.read_text())["tool"]["mypy"]
    assert mypy["files"] == ["scripts", "core/a/src", "seeds/b/src"]
    assert mypy["mypy_path"] == ["stubs", "core/a/src", "seeds/b/src"]
    assert mypy["overrides"][0]["module"] == ["yaml.*"]
    assert mypy["overrides"][1]["module"] == ["acme.legacy.*", "acme.gone.*", "acme.a.*"]
    text = manifest.read_text()
    with changing(root) as transaction:
        assert not typecheck.sync(transaction, root)  # nothing to do the second time
    assert manifest.read_text() == text
    assert 'files = [\n    "scripts",\n    "core/a/src",\n    "seeds/b/src",\n]\n' in text


def test_a_workspace_without_the_lists_is_left_alone(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", {"a": []}, commit=False)
    manifest = root / "pyproject.toml"
    manifest.write_text(manifest.read_text() + "\n[tool.mypy]\nstrict = true\n")
    before = manifest.read_text()
    with changing(root) as transaction:
        assert not typecheck.sync(transaction, root)
    assert manifest.read_text() == before
