"""`proto check`: each rule broken by hand, as a user would, is reported with a usable message;
a clean workspace reports nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Runner, run

pytestmark = pytest.mark.e2e


def violations(proto: Runner, root: Path) -> list[dict[str, str]]:
    result = proto("check", "--json", cwd=root)
    found = json.loads(result.stdout)
    assert result.returncode == (1 if found else 0), result.stderr
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, path)
    path.write_text(text.replace(old, new))


def test_a_clean_workspace_passes(graph_workspace: Path, proto: Runner) -> None:
    result = proto("check", cwd=graph_workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 9 rules pass for 4 packages." in result.stdout
    assert violations(proto, graph_workspace) == []


def test_every_rule_broken_by_hand_is_reported(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    assert proto("graduate", "text-tools", "--commit", cwd=root).returncode == 0
    # core-depends-on-seed (and lock-stale: the lock no longer matches)
    text_tools = root / "core/text-tools/pyproject.toml"
    edit(text_tools, "dependencies = [\n]", 'dependencies = [\n    "acme-protos-notes",\n]')
    text_tools.write_text(
        text_tools.read_text() + "\n[tool.uv.sources]\nacme-protos-notes = { workspace = true }\n"
    )
    # cycle: notes -> web -> url-parser -> text-tools -> notes
    notes = root / "seeds/notes/pyproject.toml"
    edit(notes, "dependencies = [\n]", 'dependencies = [\n    "acme-protos-web",\n]')
    # source-not-workspace (notes has no source for web)
    # undeclared-import, and one that must not count (TYPE_CHECKING) and a declared one
    web_init = root / "seeds/web/src/acme_protos/web/__init__.py"
    web_init.write_text(
        "from typing import TYPE_CHECKING\n\nimport acme_protos.url_parser\n"
        "from acme_protos import notes\n\nif TYPE_CHECKING:\n    import acme_protos.text_tools\n"
        + web_init.read_text()
    )
    # bad-name: the import path is not the one the scope and style imply
    src = root / "seeds/url-parser/src/acme_protos"
    (src / "url_parser").rename(src / "urlparser")
    # bad-name: a regular package hides the namespace
    (root / "seeds/notes/src/acme_protos/__init__.py").write_text("")
    # stray-member: a folder in a stage that is not a package
    (root / "seeds/scratch").mkdir()
    (root / "seeds/scratch/idea.py").write_text("print('hi')\n")

    found = violations(proto, root)
    by_rule: dict[str, list[dict[str, str]]] = {}
    for violation in found:
        assert set(violation) == {"rule", "package", "message", "path"}
        by_rule.setdefault(violation["rule"], []).append(violation)
    assert list(by_rule) == [
        "core-depends-on-seed",
        "cycle",
        "undeclared-import",
        "source-not-workspace",
        "bad-name",
        "stray-member",
        "lock-stale",
    ]
    [core] = by_rule["core-depends-on-seed"]
    assert core["package"] == "text-tools"
    assert "proto graduate notes" in core["message"]
    [cycle] = by_rule["cycle"]
    assert "notes -> web -> url-parser -> text-tools -> notes" in cycle["message"]
    undeclared = by_rule["undeclared-import"]
    assert [(v["package"], v["path"]) for v in undeclared] == [
        ("web", "seeds/web/src/acme_protos/web/__init__.py")
    ]
    assert "line 4 imports acme_protos.notes" in undeclared[0]["message"]
    # notes already depends on web here: declaring it is no fix, and the message says why
    assert "declaring it would make a cycle (web -> notes -> web)" in undeclared[0]["message"]
    [source] = by_rule["source-not-workspace"]
    assert source["package"] == "notes"
    assert "{ workspace = true }" in source["message"]
    bad = sorted(v["path"] for v in by_rule["bad-name"])
    assert bad == [
        "seeds/notes/src/acme_protos/__init__.py",
        "seeds/url-parser/src/acme_protos/url_parser",
    ]
    assert by_rule["stray-member"][0]["path"] == "seeds/scratch"
    assert by_rule["lock-stale"][0]["path"] == "uv.lock"

    text = proto("check", cwd=root)
    assert text.returncode == 1
    assert "undeclared-import: seeds/web/src/acme_protos/web/__init__.py: line 4" in text.stdout
    assert "problems found" in text.stderr


def test_a_distribution_that_does_not_match_its_folder(
    graph_workspace: Path, proto: Runner
) -> None:
    edit(graph_workspace / "seeds/notes/pyproject.toml", 'name = "acme-protos-notes"',
         'name = "acme-protos-jottings"')  # fmt: skip
    found = {(v["rule"], v["path"]) for v in violations(proto, graph_workspace)}
    assert ("bad-name", "seeds/notes/pyproject.toml") in found


def test_tests_may_declare_a_sibling_in_a_dependency_group(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    test = root / "seeds/notes/tests/test_with_web.py"
    test.write_text("import acme_protos.web\n")
    [violation] = violations(proto, root)
    assert violation["rule"] == "undeclared-import"
    manifest = root / "seeds/notes/pyproject.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[dependency-groups]\ndev = ["acme-protos-web"]\n\n'
        + "[tool.uv.sources]\nacme-protos-web = { workspace = true }\n"
    )
    run("uv", "lock", cwd=root)
    assert violations(proto, root) == []
