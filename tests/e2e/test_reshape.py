"""rename, rescope, demote, retire, a hand-deleted package and check --fix on real workspaces
(real git, uv and Copier): afterwards the workspace's own tests pass, `proto check` and
`uv lock --check` are clean and git follows the history; a refusal changes nothing and a
failure at any step puts everything back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from seedbed.effects import git, uv
from seedbed.effects.transaction import Transaction
from seedbed.errors import ProtoError
from seedbed.model import workspace
from seedbed.operations import rename, retire
from tests.helpers import BIN, Runner, assert_clean_failure, commit_all, fail_on_call, run, snapshot

pytestmark = pytest.mark.e2e

FORMS = '''\
"""Every way code can use url-parser."""

import acme_protos.url_parser
import acme_protos.url_parser as aliased
from acme_protos import url_parser
from acme_protos import url_parser as short
from acme_protos.url_parser import greet

TARGET = "acme_protos.url_parser.greet"


def every_form(name: str) -> list[str]:
    return [
        acme_protos.url_parser.greet(name),
        aliased.greet(name),
        url_parser.greet(name),
        short.greet(name),
        greet(name),
    ]
'''

FORMS_TEST = """\
from unittest import mock

from acme_protos import url_parser
from acme_protos.web.forms import TARGET, every_form


def test_every_form_reaches_the_package() -> None:
    assert every_form("Ada") == ["Hello, Ada!"] * 5


def test_patching_by_its_dotted_path() -> None:
    with mock.patch(TARGET, return_value="patched"):
        assert url_parser.greet("x") == "patched"
    with mock.patch("acme_protos.url_parser.greet", return_value="again"):
        assert url_parser.greet("x") == "again"
"""


def passes(proto: Runner, root: Path, *folders: str) -> None:
    """`proto check` and `uv lock --check` are clean, and the tests under *folders* pass."""
    checked = proto("check", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    run(BIN / "uv", "lock", "--check", cwd=root)
    out = run(BIN / "uv", "run", "--all-packages", "pytest", "-q", *folders, cwd=root)
    assert " passed" in out
    assert "failed" not in out


def test_rename_rewrites_every_import_form_and_keeps_history(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    (root / "seeds/web/src/acme_protos/web/forms.py").write_text(FORMS)
    (root / "seeds/web/tests/test_forms.py").write_text(FORMS_TEST)
    (root / "ARCHITECTURE.md").write_text(
        "URLs: seeds/url-parser (acme-protos-url-parser, `acme_protos.url_parser`).\n"
    )
    commit_all(root, "web uses url-parser every way")

    result = proto("rename", "url-parser", "uri-parser", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Committed: Rename url-parser to uri-parser" in result.stdout
    assert not (root / "seeds/url-parser").exists()
    forms = (root / "seeds/web/src/acme_protos/web/forms.py").read_text()
    assert forms == FORMS.replace("url_parser", "uri_parser")
    assert (root / "seeds/uri-parser/src/acme_protos/uri_parser/__init__.py").is_file()
    assert (root / "seeds/uri-parser/tests/test_uri_parser.py").is_file()
    manifest = tomllib.loads((root / "seeds/web/pyproject.toml").read_text())
    assert "acme-protos-uri-parser" in manifest["project"]["dependencies"]
    assert manifest["tool"]["uv"]["sources"] == {"acme-protos-uri-parser": {"workspace": True}}
    assert "name: uri-parser" in (root / "seeds/uri-parser/.copier-answers.yml").read_text()
    assert (root / "ARCHITECTURE.md").read_text() == (
        "URLs: seeds/uri-parser (acme-protos-uri-parser, `acme_protos.uri_parser`).\n"
    )
    assert run("git", "status", "--porcelain", cwd=root) == ""
    log = run("git", "log", "--follow", "--format=%s", "--",
              "seeds/uri-parser/src/acme_protos/uri_parser/__init__.py", cwd=root)  # fmt: skip
    assert log.splitlines() == ["Rename url-parser to uri-parser", "Add packages"]
    passes(proto, root, "seeds/web", "seeds/uri-parser")


def test_rename_and_rescope_in_a_flat_workspace(tmp_path: Path, proto: Runner) -> None:
    assert proto("init", "flat", "--import-style", "flat", cwd=tmp_path).returncode == 0
    root = tmp_path / "flat"
    assert proto("new", "url-parser", cwd=root).returncode == 0
    assert (
        proto("new", "web", "--kind", "cli", "--depends-on", "url-parser", cwd=root).returncode == 0
    )
    (root / "seeds/web/tests/test_uses.py").write_text(
        "from unittest import mock\n\nimport flat_url_parser\n"
        "from flat_url_parser import greet\n\n\n"
        "def test_uses() -> None:\n"
        '    with mock.patch("flat_url_parser.greet", return_value="x"):\n'
        '        assert flat_url_parser.greet("a") == "x"\n'
        '    assert greet("Ada") == "Hello, Ada!"\n'
    )
    commit_all(root, "packages")
    result = proto("rename", "url-parser", "uri-parser", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "  seeds/uri-parser/src/flat_url_parser -> seeds/uri-parser/src/flat_uri_parser" in (
        result.stdout
    )
    wheel = tomllib.loads((root / "seeds/uri-parser/pyproject.toml").read_text())["tool"]["hatch"]
    assert wheel["build"]["targets"]["wheel"]["packages"] == ["src/flat_uri_parser"]
    assert "import flat_uri_parser\n" in (root / "seeds/web/tests/test_uses.py").read_text()
    passes(proto, root, "seeds")
    commit_all(root, "renamed")

    rescoped = proto("rescope", "beta", "--commit", cwd=root)  # flat: every top-level module
    assert rescoped.returncode == 0, rescoped.stderr
    assert "  seeds/web/src/flat_web -> seeds/web/src/beta_web" in rescoped.stdout
    assert "import beta_uri_parser\n" in (root / "seeds/web/tests/test_uses.py").read_text()
    config = tomllib.loads((root / "pyproject.toml").read_text())
    assert config["tool"]["ruff"]["lint"]["isort"]["known-first-party"] == ["beta_*"]
    passes(proto, root, "seeds")


def test_rescope_a_workspace_then_all_tests_pass(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    (root / "seeds/web/src/acme_protos/web/forms.py").write_text(FORMS)
    (root / "seeds/web/tests/test_forms.py").write_text(FORMS_TEST)
    commit_all(root, "web uses url-parser every way")
    result = proto("rescope", "newco", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Committed: Rescope acme-protos to newco" in result.stdout
    config = tomllib.loads((root / "pyproject.toml").read_text())
    assert config["tool"]["proto"]["scope"] == "newco"
    assert config["tool"]["ruff"]["lint"]["isort"]["known-first-party"] == ["newco"]
    assert "scope: newco" in (root / ".copier-answers.yml").read_text()
    readme = (root / "README.md").read_text()
    assert "`newco-url-parser`" in readme
    assert "acme" not in readme.lower()
    agents = (root / "AGENTS.md").read_text()  # what coding agents are told: the new scope
    assert "acme" not in agents.lower()
    assert "`newco-NAME`" in agents
    for package in ("text-tools", "url-parser", "web", "notes"):
        folder = root / "seeds" / package
        assert not (folder / "src/acme_protos").exists()
        name = tomllib.loads((folder / "pyproject.toml").read_text())["project"]["name"]
        assert name == f"newco-{package}"
        assert "scope: newco" in (folder / ".copier-answers.yml").read_text()
    assert "import newco.url_parser\n" in (root / "seeds/web/src/newco/web/forms.py").read_text()
    assert run("git", "status", "--porcelain", cwd=root) == ""
    passes(proto, root, "seeds")


def test_demote_is_refused_then_takes_its_dependents(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    assert proto("graduate", "url-parser", "--with-deps", "--commit", cwd=root).returncode == 0
    before = snapshot(root)
    refused = proto("demote", "text-tools", cwd=root)
    assert_clean_failure(refused, 1, "the core package 'url-parser' depends on 'text-tools'")
    assert "proto demote text-tools --with-dependents" in refused.stderr
    assert snapshot(root) == before
    result = proto("demote", "text-tools", "--with-dependents", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("core/url-parser -> seeds/url-parser") < result.stdout.index(
        "core/text-tools -> seeds/text-tools"
    )
    for package in ("text-tools", "url-parser"):
        manifest = tomllib.loads((root / f"seeds/{package}/pyproject.toml").read_text())
        assert "Development Status :: 2 - Pre-Alpha" in manifest["project"]["classifiers"]
        assert "stage: seed" in (root / f"seeds/{package}/.copier-answers.yml").read_text()
    assert "pytest seeds/url-parser " in (root / "seeds/url-parser/README.md").read_text()
    assert list((root / "core").iterdir()) == [root / "core/ruff.toml"]
    log = run("git", "log", "--follow", "--format=%s", "--",
              "seeds/text-tools/pyproject.toml", cwd=root)  # fmt: skip
    assert log.splitlines() == [
        "Demote url-parser, text-tools to seeds",
        "Graduate text-tools, url-parser to core",
        "Add packages",
    ]
    passes(proto, root, "seeds/url-parser", "seeds/text-tools")


def test_retire_is_refused_while_used_then_a_leaf_goes_into_history(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    before = snapshot(root)
    refused = proto("retire", "url-parser", cwd=root)
    assert_clean_failure(
        refused, 1, "'web' depends on 'url-parser'", "`proto depend web url-parser --remove`"
    )
    assert snapshot(root) == before
    last = run("git", "rev-parse", "HEAD", cwd=root).strip()[:12]
    (root / "seeds/web/__pycache__").mkdir()  # ignored files go too
    (root / "seeds/web/__pycache__/x.pyc").write_bytes(b"\0")
    result = proto("retire", "web", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    way_back = f"git checkout {last} -- seeds/web && proto check --fix"
    assert f"seeds/web is last in commit {last} ('Add packages', Test Maker)" in result.stdout
    assert way_back in result.stdout
    assert not (root / "seeds/web").exists()
    assert not list(root.glob(".proto-*"))
    assert run("git", "log", "-1", "--format=%s", cwd=root).strip() == "Retire web"
    assert run("git", "status", "--porcelain", cwd=root) == ""
    assert "acme-protos-web" not in (root / "uv.lock").read_text()
    passes(proto, root, "seeds/url-parser")
    assert "Still mention" not in result.stdout  # retire rewrote the root's mypy lists
    run("git", "checkout", last, "--", "seeds/web", cwd=root)  # the way back works
    fixed = proto("check", "--fix", cwd=root)  # mypy lists and the lock
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "seeds/web/src" in (root / "pyproject.toml").read_text()
    passes(proto, root, "seeds/web")


def test_a_hand_deleted_package_is_reported_and_its_dependency_removable(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    run("git", "rm", "-rq", "seeds/text-tools", cwd=root)
    commit_all(root, "text-tools deleted by hand")
    checked = proto("check", cwd=root)
    assert checked.returncode == 1
    assert (
        "missing-package: seeds/url-parser/pyproject.toml: 'url-parser' depends on "
        "'acme-protos-text-tools', which is not in the workspace"
    ) in checked.stdout
    assert (  # and `uv run mypy` would fail on the folder that is gone
        "mypy-lists: pyproject.toml: [tool.mypy] files has seeds/text-tools/src"
    ) in checked.stdout
    assert "url-parser (missing)" not in proto("list", cwd=root).stdout
    assert "text-tools (missing)" in proto("list", cwd=root).stdout
    removed = proto("depend", "url-parser", "text-tools", "--remove", cwd=root)
    assert removed.returncode == 0, removed.stderr
    assert "url-parser no longer depends on text-tools" in removed.stdout
    assert "text-tools" not in (root / "seeds/url-parser/pyproject.toml").read_text()
    fixed = proto("check", "--fix", cwd=root)  # the mypy lists, as the report said
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "seeds/text-tools/src" not in (root / "pyproject.toml").read_text()
    passes(proto, root, "seeds/url-parser")


def test_check_fix_declares_imports_but_never_core_on_seed(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    (root / "seeds/web/src/acme_protos/web/notes_view.py").write_text(
        "from acme_protos.notes import greet\n\nVIEW = greet\n"
    )
    commit_all(root, "web shows notes")
    fixed = proto("check", "--fix", cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.startswith(
        "Fixed:\n  seeds/web/pyproject.toml: declared acme-protos-notes "
        "(seeds/web/src/acme_protos/web/notes_view.py line 1 imports it)\nRelocked uv.lock\n"
    )
    assert "All 9 rules pass" in fixed.stdout
    manifest = tomllib.loads((root / "seeds/web/pyproject.toml").read_text())
    assert "acme-protos-notes" in manifest["project"]["dependencies"]
    run(BIN / "uv", "lock", "--check", cwd=root)
    commit_all(root, "fixed")

    assert proto("graduate", "text-tools", "--commit", cwd=root).returncode == 0
    (root / "core/text-tools/src/acme_protos/text_tools/extra.py").write_text(
        "import acme_protos.notes\n"
    )
    commit_all(root, "core imports a seed")
    before = snapshot(root)
    refused = proto("check", "--fix", cwd=root)
    assert refused.returncode == 1
    assert "Fixed:" not in refused.stdout
    assert "a core package never depends on a seed" in refused.stdout
    assert snapshot(root) == before


# ------------------------------------------------------------------ failures at every step

RENAME_STEPS = [
    ("the folder move", git, "move", 1),
    ("the import folder move", git, "move", 2),
    ("a rewrite", Transaction, "write_bytes", 3),
    ("relock", uv, "run_uv", 1),
    ("commit", git, "commit", 1),
]


@pytest.mark.parametrize(
    ("step", "owner", "function", "call"), RENAME_STEPS, ids=[s[0] for s in RENAME_STEPS]
)
def test_a_failed_rename_restores_everything(
    graph_workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    owner: object,
    function: str,
    call: int,
) -> None:
    root = graph_workspace
    (root / "seeds/web/src/acme_protos/web/forms.py").write_text(FORMS)
    commit_all(root)
    (root / "seeds/url-parser/scratch.txt").write_text("untracked\n")
    before = snapshot(root)
    plan = rename.plan_rename(workspace.load(root), "url-parser", "uri-parser", commit=True)
    monkeypatch.setattr(owner, function, fail_on_call(call, getattr(owner, function)))
    with pytest.raises(ProtoError, match="injected failure"):
        rename.apply(plan)
    assert snapshot(root) == before, step


@pytest.mark.parametrize(("owner", "function"), [(git, "remove_cached"), (uv, "run_uv")])
def test_a_failed_retirement_restores_everything(
    graph_workspace: Path, monkeypatch: pytest.MonkeyPatch, owner: object, function: str
) -> None:
    root = graph_workspace
    (root / "seeds/notes/scratch.txt").write_text("untracked\n")
    before = snapshot(root)
    plan = retire.plan_retire(workspace.load(root), ["notes"], allow_dirty=True)
    monkeypatch.setattr(owner, function, fail_on_call(1, getattr(owner, function)))
    with pytest.raises(ProtoError, match="injected failure"):
        retire.apply(plan)
    assert snapshot(root) == before
    assert not list(root.glob(".proto-*"))
