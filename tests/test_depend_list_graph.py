"""End to end: `proto depend`, `proto list`, `proto graph` on a real workspace."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import BIN, Runner, run, snapshot
from tests.test_errors import assert_clean_failure

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


def test_depend_refusals_change_nothing(graph_workspace: Path, proto: Runner) -> None:
    before = snapshot(graph_workspace)
    cases = [
        (["depend", "ghost", "notes"], 2, "no package named 'ghost'"),
        (["depend", "notes", "ghost"], 2, "no package named 'ghost'"),
        (["depend", "notes", "notes"], 2, "cannot depend on itself"),
        (["depend", "text-tools", "web"], 1, "text-tools -> web -> url-parser -> text-tools"),
        (["depend", "notes"], 2, "missing argument"),
    ]
    for args, code, needle in cases:
        assert_clean_failure(proto(*args, cwd=graph_workspace), code, needle)
    dry = proto("depend", "notes", "web", "--dry-run", cwd=graph_workspace)
    assert dry.returncode == 0
    assert "Would add web" in dry.stdout
    assert snapshot(graph_workspace) == before


def test_a_core_package_never_depends_on_a_seed(graph_workspace: Path, proto: Runner) -> None:
    graduated = proto("graduate", "text-tools", "--commit", cwd=graph_workspace)
    assert graduated.returncode == 0, graduated.stderr
    before = snapshot(graph_workspace)
    result = proto("depend", "text-tools", "notes", cwd=graph_workspace)
    assert_clean_failure(
        result, 1, "a core package never depends on a seed", "`proto graduate notes --force`"
    )
    assert snapshot(graph_workspace) == before


def test_list_and_graph(graph_workspace: Path, proto: Runner) -> None:
    table = proto("list", cwd=graph_workspace / "seeds/web/src")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "NAME",
        "STAGE",
        "VERSION",
        "DEPENDS",
        "ON",
        "USED",
        "BY",
        "GRADUATE",
    ]
    assert lines[3].split() == ["url-parser", "seed", "0.1.0", "text-tools", "web", "ready"]
    assert "Ready to graduate (others depend on them): text-tools, url-parser" in table.stdout
    assert "  proto graduate text-tools\n" in table.stdout
    assert proto("list", "--stage", "core", cwd=graph_workspace).stdout == "No core packages.\n"

    records = json.loads(proto("list", "--json", cwd=graph_workspace).stdout)
    assert [r["name"] for r in records] == ["notes", "text-tools", "url-parser", "web"]
    web = records[3]
    assert web["dependencies"] == ["url-parser"]
    assert web["path"] == "seeds/web"
    assert web["import_name"] == "acme_protos.web"
    assert any(dep.startswith("starlette") for dep in web["external_dependencies"])
    seeds_only = json.loads(proto("list", "--stage", "core", "--json", cwd=graph_workspace).stdout)
    assert seeds_only == []

    text = proto("graph", cwd=graph_workspace).stdout
    assert "web (seed)\n└── url-parser (seed)\n    └── text-tools (seed)\n" in text
    graph = json.loads(proto("graph", "--format", "json", cwd=graph_workspace).stdout)
    assert {"from": "web", "to": "url-parser"} in graph["edges"]
    assert {n["name"]: n["stage"] for n in graph["nodes"]}["notes"] == "seed"
    assert (
        "pkg_web --> pkg_url_parser"
        in proto("graph", "--format", "mermaid", cwd=graph_workspace).stdout
    )
    assert '"web" -> "url-parser";' in proto("graph", "--format", "dot", cwd=graph_workspace).stdout
    assert_clean_failure(proto("graph", "--format", "png", cwd=graph_workspace), 2, "png")
