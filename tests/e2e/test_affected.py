"""`proto affected`: histories with a leaf change, a provider with a chain of dependents, a
workspace-wide file, a stage-wide file, the lock, uncommitted work, and a shallow clone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import BIN, Runner, run

pytestmark = pytest.mark.e2e


def names(proto: Runner, root: Path, *args: str) -> list[str]:
    result = proto("affected", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def commit(root: Path, message: str = "change") -> None:
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", message, cwd=root)


def append(path: Path, text: str = "\n# touched\n") -> None:
    path.write_text(path.read_text() + text)


def test_a_lock_change_selects_only_the_packages_it_touches(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    manifest = root / "seeds/notes/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace("dependencies = [\n]", 'dependencies = ["six"]')
    )
    run(BIN / "uv", "lock", cwd=root)
    commit(root, "notes uses six")
    run(BIN / "uv", "lock", "--upgrade-package", "six==1.15.0", cwd=root)
    assert run("git", "status", "--porcelain", cwd=root).split() == ["M", "uv.lock"]
    assert names(proto, root) == ["notes"]
    report = json.loads(proto("affected", "--format", "json", cwd=root).stdout)
    assert report["packages"][0]["reason"] == "lock"
    commit(root, "six 1.15")
    run(BIN / "uv", "lock", "--upgrade-package", "pytest==8.3.0", cwd=root)  # a dev tool
    assert sorted(names(proto, root)) == ["notes", "text-tools", "url-parser", "web"]
