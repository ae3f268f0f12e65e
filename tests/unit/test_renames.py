"""Renames outside Python code: requirements, sources, entry points and scripts in manifests
(tomlkit, comments kept), answers files, whole-name mentions in text; the dangling edges a
workspace can have; a folder discarded by a transaction comes back on rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from seedbed.effects import mentions, tomledit
from seedbed.effects.transaction import Transaction
from seedbed.model import lockfile, workspace
from seedbed.model.graph import Graph, missing
from seedbed.model.names import Scope
from seedbed.templating import answers
from tests.helpers import make_workspace, run

MANIFEST = """\
[project]
name = "acme-web"
dependencies = [
    # the parser
    "Acme_URL.Parser[fast]>=1; python_version >= '3.11'",  # why
    "requests",
]

[project.optional-dependencies]
extra = ["acme-url-parser"]

[project.scripts]
web = "acme.url_parser.cli:main"
url-parser = "acme.url_parser.cli:app"

[project.entry-points."acme.plugins"]
parse = "acme.url_parser:plugin"

[dependency-groups]
dev = ["acme-url-parser", { include-group = "lint" }]

[tool.hatch.build.targets.wheel]
packages = ["src/acme"]

[tool.uv.sources]
requests = { path = "../requests" }  # vendored
acme-url-parser = { workspace = true }  # ours
"""


def test_requirements_sources_and_entry_points_are_renamed_in_place() -> None:
    document = tomlkit.parse(MANIFEST)
    assert tomledit.rename_requirements(document, {"acme-url-parser": "acme-uri-parser"})
    assert tomledit.rename_entry_points(document, {"acme.url_parser": "acme.uri_parser"})
    assert tomledit.rename_scripts(document, {"url-parser": "uri-parser"})
    text = tomledit.dumps(document)
    assert "\"acme-uri-parser[fast]>=1; python_version >= '3.11'\",  # why" in text
    assert "    # the parser\n" in text
    assert 'extra = ["acme-uri-parser"]' in text
    assert 'dev = ["acme-uri-parser", { include-group = "lint" }]' in text
    assert 'web = "acme.uri_parser.cli:main"\nuri-parser = "acme.uri_parser.cli:app"' in text
    assert 'parse = "acme.uri_parser:plugin"' in text
    assert 'requests = { path = "../requests" }  # vendored\n' in text
    assert "acme-uri-parser = { workspace = true }  # ours\n" in text
    assert "url" not in text.lower()
    again = tomlkit.parse(text)
    assert not tomledit.rename_requirements(again, {"acme-url-parser": "acme-uri-parser"})


def test_split_tool_tables_are_found() -> None:
    text = (
        '[project]\nname = "x"\ndependencies = ["acme-a"]\n\n[tool.uv.sources]\n'
        "acme-a = { workspace = true }\n\n[dependency-groups]\ndev = []\n\n"
        '[tool.ruff.lint.isort]\nknown-first-party = ["acme"]\n'
    )
    document = tomlkit.parse(text)
    assert tomledit.rename_requirements(document, {"acme-a": "newco-a"})
    first_party = ("tool", "ruff", "lint", "isort", "known-first-party")
    assert tomledit.rename_in_array(document, first_party, {"acme": "newco"})
    assert tomledit.set_string(document, ("project", "name"), "y")
    assert not tomledit.set_string(document, ("tool", "proto", "scope"), "y")  # not there
    out = tomlkit.parse(tomledit.dumps(document))
    assert out["tool"]["uv"]["sources"] == {"newco-a": {"workspace": True}}
    assert out["tool"]["ruff"]["lint"]["isort"]["known-first-party"] == ["newco"]


def test_a_group_dependency_gets_its_own_table_after_project() -> None:
    document = tomlkit.parse('[project]\nname = "x"\n\n[build-system]\nrequires = []\n')
    tomledit.add_workspace_dependencies(document, ["acme-a"], group="dev")
    assert tomledit.dumps(document) == (
        '[project]\nname = "x"\n\n[dependency-groups]\ndev = [\n    "acme-a",\n]\n\n'
        "[build-system]\nrequires = []\n\n[tool.uv.sources]\nacme-a = { workspace = true }\n"
    )
    removed = tomledit.remove_workspace_dependencies(document, ["acme-a"], everywhere=True)
    assert removed == ["acme-a"]
    assert "acme-a" not in tomledit.dumps(document)


def test_answers_are_renamed_where_the_file_has_them() -> None:
    text = (
        "# Changes here will be overwritten by Copier\r\n_commit: v1\r\ndescription: The a\r\n"
        "name: url-parser\r\nscope: acme\r\ndistribution: acme-url-parser\r\n"
        "import_path: acme/url_parser\r\n"
    )
    renamed = answers.renamed(text, Scope("acme"), "uri-parser")
    assert renamed == text.replace("url-parser", "uri-parser").replace("url_parser", "uri_parser")
    rescoped = answers.renamed(text, Scope("newco", "flat"))
    assert "scope: newco\r\n" in rescoped
    assert "distribution: newco-url-parser\r\n" in rescoped
    assert "import_path: newco_url_parser\r\n" in rescoped
    workspace_answers = "_commit: v1\nscope: acme\ntemplate: workspace\n"
    assert answers.renamed(workspace_answers, Scope("newco")) == workspace_answers.replace(
        "acme", "newco"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uses acme-url-parser>=1", "uses acme-uri-parser>=1"),
        ("`acme_url.parser.core`", "`acme_uri.parser.core`"),
        ("acme-url-parser-v2 and x.acme_url.parser", "acme-url-parser-v2 and x.acme_url.parser"),
        ("https://pypi.org/project/acme-url-parser/", "https://pypi.org/project/acme-url-parser/"),
        ("tag acme-url-parser@0.1.0.", "tag acme-uri-parser@0.1.0."),
    ],
)
def test_whole_name_mentions(text: str, expected: str) -> None:
    rules = mentions.name_rules(
        {"acme-url-parser": "acme-uri-parser", "acme_url.parser": "acme_uri.parser"}
    )
    assert mentions.replace(text, rules) == expected


def test_scope_words_in_readmes_take_names_along() -> None:
    rules = mentions.name_rules({"acme": "newco", "acme_x": "newco_x"}, prefix=True)
    text = "# acme\nacme-NAME@1, acme_x_y, import acme_x.y; not acmes or team/acme.\n"
    assert mentions.replace(text, rules) == (
        "# newco\nnewco-NAME@1, newco_x_y, import newco_x.y; not acmes or team/acme.\n"
    )


def test_dangling_dependencies_are_found_and_kept_apart(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", {"a": [], "web": ["a", "gone"]}, commit=False)
    manifest = root / "seeds/web/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace('"acme-gone",', '"acme-gone",\n    "requests",')
        + '\n[dependency-groups]\ndev = ["acme-old"]\n'
    )
    loaded = workspace.load(root)
    graph = Graph.of(loaded)
    assert graph.missing == {"web": ("acme-gone",)}
    assert graph.external["web"] == ("requests",)
    assert graph.dependencies("web") == ("a",)
    web = loaded.get("web")
    assert [name for name, _ in missing(loaded, web)] == ["acme-gone", "acme-old"]
    assert [name for name, _ in missing(loaded, web, groups=False)] == ["acme-gone"]


def test_moved_members_need_an_upgrade() -> None:
    lock = (
        '[[package]]\nname = "acme-a"\nsource = { editable = "seeds/a" }\n\n'
        '[[package]]\nname = "acme-b"\nsource = { editable = "seeds/b" }\n'
    )
    members = [("acme-a", "core/a"), ("acme-b", "seeds/b"), ("acme-new", "seeds/new")]
    assert lockfile.moved_members(lock, members) == ("acme-a",)


def test_a_discarded_folder_comes_back_whole(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", {"a": []})
    (root / "seeds/a/__pycache__").mkdir()
    (root / "seeds/a/__pycache__/x.pyc").write_bytes(b"\0")
    (root / "seeds/a/scratch.txt").write_text("untracked\n")
    index = run("git", "ls-files", "--stage", cwd=root)
    trash = root / ".proto-retire-test"
    trash.mkdir()
    transaction = Transaction(root)
    transaction.keep_index()
    transaction.discard(root / "seeds/a", trash, with_git=True)
    assert not (root / "seeds/a").exists()
    assert "seeds/a/" not in run("git", "ls-files", cwd=root)
    transaction.rollback()
    assert (root / "seeds/a/__pycache__/x.pyc").read_bytes() == b"\0"
    assert (root / "seeds/a/scratch.txt").read_text() == "untracked\n"
    assert run("git", "ls-files", "--stage", cwd=root) == index
    assert list(trash.iterdir()) == []


NAMES = [f"acme-pkg-{i}" for i in range(12)] + [f"acme_pkg.m{i}" for i in range(6)]
PATHS = [f"seeds/pkg-{i}" for i in range(12)] + ["src/acme_pkg"]
PIECES = [*NAMES, *PATHS, "./", "../", ".", "-", "_", "/", ":", "@", " ", "\n", "x", "v2",
          "https://h/", "`", ">=1", "README.md"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_many_rules_give_what_each_rule_in_turn_gives(pieces: list[str]) -> None:
    """Checking thousands of rules through `candidates` changes nothing in the result."""
    text = "".join(pieces)
    rules = [
        *mentions.path_rules({path: f"core/{path[6:]}" for path in PATHS}),
        *mentions.name_rules({name: name.replace("acme", "newco") for name in NAMES}),
    ]
    expected = text
    for rule in rules:
        expected = rule.pattern.sub(rule.template, expected)
    assert len(rules) > 16
    assert mentions.Rules(rules).replace(text) == expected


def test_code_keeps_its_line_endings_and_text() -> None:
    from seedbed.effects.pycode import rename_modules

    source = "from acme import url_parser\r\n# é ünïcode\r\nx = url_parser.f()\r\n"
    assert rename_modules(source, {"acme.url_parser": "acme.uri_parser"}) == source.replace(
        "url_parser", "uri_parser"
    )
