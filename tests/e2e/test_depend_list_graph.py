"""End to end: `proto depend`, `proto list`, `proto graph` on a real workspace."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.helpers import BIN, Runner, run

pytestmark = pytest.mark.e2e


def test_depend_adds_and_removes_keeping_comments(graph_workspace: Path, proto: Runner) -> None:
    manifest = graph_workspace / "seeds/notes/pyproject.toml"
    text = manifest.read_text().replace(
        "dependencies = [\n]", "# what notes needs\ndependencies = [\n    # nothing yet\n]"
    )
    manifest.write_text(text + "\n# the end\n")
    result = proto("depend", "notes", "url-parser", "acme-protos-text-tools", cwd=graph_workspace)
    assert result.returncode == 0, result.stderr
    assert "notes now depends on url-parser, text-tools" in result.stdout
    edited = manifest.read_text()
    for comment in ("# what notes needs", "# nothing yet", "# the end"):
        assert comment in edited
    data = tomllib.loads(edited)
    assert data["project"]["dependencies"] == ["acme-protos-url-parser", "acme-protos-text-tools"]
    assert data["tool"]["uv"]["sources"] == {
        "acme-protos-url-parser": {"workspace": True},
        "acme-protos-text-tools": {"workspace": True},
    }
    run(BIN / "uv", "lock", "--check", cwd=graph_workspace)

    again = proto("depend", "notes", "url-parser", cwd=graph_workspace)
    assert again.returncode == 0
    assert "already depends on url-parser: nothing to do" in again.stdout

    removed = proto("depend", "notes", "url-parser", "--remove", cwd=graph_workspace)
    assert removed.returncode == 0, removed.stderr
    data = tomllib.loads(manifest.read_text())
    assert data["project"]["dependencies"] == ["acme-protos-text-tools"]
    assert "acme-protos-url-parser" not in data["tool"]["uv"]["sources"]
    assert "# the end" in manifest.read_text()
    run(BIN / "uv", "lock", "--check", cwd=graph_workspace)
