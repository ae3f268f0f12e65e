"""What the read-only commands print, exactly, and their JSON shapes (in-process, on hand-made
workspaces with real git history)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import InProcess
from tests.helpers import assert_clean_failure, commit_all, make_workspace, run

Cli = Callable[..., InProcess]
EVERY = ["notes", "text-tools", "url-parser", "web"]


def names(cli: Cli, root: Path, *args: str) -> list[str]:
    result = cli("affected", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def append(path: Path, text: str = "\n# touched\n") -> None:
    path.write_text(path.read_text() + text)


def test_list_table_and_json(chain: Path, cli: Cli) -> None:
    table = cli("list", cwd=chain / "seeds/web/src")
    assert table.stdout == (
        "NAME        STAGE  VERSION  DEPENDS ON  USED BY     GRADUATE\n"
        "notes       seed   0.1.0    -           -\n"
        "text-tools  seed   0.1.0    -           url-parser  ready\n"
        "url-parser  seed   0.1.0    text-tools  web         ready\n"
        "web         seed   0.1.0    url-parser  -\n"
        "\n"
        "Ready to graduate (others depend on them): text-tools, url-parser\n"
        "  proto graduate text-tools\n"
    )
    assert cli("list", "--stage", "core", cwd=chain).stdout == "No core packages.\n"
    records = json.loads(cli("list", "--json", cwd=chain).stdout)
    assert records[3] == {
        "name": "web",
        "distribution": "acme-web",
        "import_name": "acme.web",
        "stage": "seed",
        "path": "seeds/web",
        "version": "0.1.0",
        "dependencies": ["url-parser"],
        "dependents": [],
        "external_dependencies": [],
        "missing_dependencies": [],
        "ready_to_graduate": False,
    }
    assert json.loads(cli("list", "--stage", "core", "--json", cwd=chain).stdout) == []
    empty = make_workspace(chain.parent / "empty", {})
    assert cli("list", cwd=empty).stdout == "No packages yet: create one with `proto new NAME`.\n"


def test_graph_formats(chain: Path, cli: Cli) -> None:
    assert cli("graph", cwd=chain).stdout == (
        "notes (seed)\nweb (seed)\n└── url-parser (seed)\n    └── text-tools (seed)\n"
    )
    data = json.loads(cli("graph", "--format", "json", cwd=chain).stdout)
    assert data["edges"] == [
        {"from": "url-parser", "to": "text-tools"},
        {"from": "web", "to": "url-parser"},
    ]
    assert data["nodes"][0] == {
        "name": "notes", "distribution": "acme-notes", "stage": "seed", "path": "seeds/notes"
    }  # fmt: skip
    assert "pkg_web --> pkg_url_parser" in cli("graph", "--format", "mermaid", cwd=chain).stdout
    assert '"web" -> "url-parser";' in cli("graph", "--format", "dot", cwd=chain).stdout
    assert_clean_failure(cli("graph", "--format", "png", cwd=chain), 2, "png")


def test_check_reports_rules_and_a_missing_lock(chain: Path, cli: Cli) -> None:
    init = chain / "seeds/notes/src/acme/notes/__init__.py"
    init.write_text('"""notes."""\n\nfrom acme import web\nimport acme.web.forms\n')
    result = cli("check", "--json", cwd=chain)
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert [(v["rule"], v["package"], v["path"]) for v in found] == [
        ("undeclared-import", "notes", "seeds/notes/src/acme/notes/__init__.py"),
        ("lock-stale", None, "uv.lock"),
    ]
    assert "line 3 imports acme.web" in found[0]["message"]  # the first import, not the last
    text = cli("check", cwd=chain)
    assert text.stdout.startswith("undeclared-import: seeds/notes/src/acme/notes/__init__.py:")
    assert text.stderr == "\n2 problems found; `proto check --help` explains each rule\n"


def test_affected_follows_changes_and_dependents(chain: Path, cli: Cli) -> None:
    root = chain
    assert names(cli, root) == []  # nothing changed since HEAD
    append(root / "seeds/web/src/acme/web/__init__.py")  # a leaf, unstaged
    assert names(cli, root) == ["web"]
    append(root / "seeds/text-tools/pyproject.toml")  # a provider, staged
    run("git", "add", "seeds/text-tools/pyproject.toml", cwd=root)
    assert names(cli, root) == ["text-tools", "url-parser", "web"]  # providers first
    commit_all(root)
    assert names(cli, root, "--since", "HEAD~1") == ["text-tools", "url-parser", "web"]
    assert names(cli, root) == []
    (root / "seeds/notes/tests/test_more.py").write_text("def test_more():\n    pass\n")
    assert names(cli, root) == ["notes"]  # untracked counts
    report = json.loads(cli("affected", "--since", "HEAD~1", "--format", "json", cwd=root).stdout)
    assert report["base"] == run("git", "rev-parse", "HEAD~1", cwd=root).strip()
    assert report["packages"][0] == {
        "name": "notes", "distribution": "acme-notes", "path": "seeds/notes", "stage": "seed",
        "reason": "changed",
    }  # fmt: skip
    assert {p["name"]: p["reason"] for p in report["packages"]} == {
        "notes": "changed", "text-tools": "changed", "url-parser": "dependent", "web": "changed"
    }  # fmt: skip
    assert_clean_failure(cli("affected", "--since", "no-such-ref", cwd=root), 2, "no-such-ref")


def test_affected_workspace_and_stage_wide_files(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(
        tmp_path / "acme",
        {"text-tools": [], "url-parser": ["text-tools"], "web": ["url-parser"], "notes": []},
        core=("text-tools",),
    )
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/ci.yml").write_text("on: push\n")
    commit_all(root)
    append(root / ".github/workflows/ci.yml")
    assert sorted(names(cli, root)) == EVERY
    run("git", "checkout", ".github", cwd=root)
    append(root / "core/ruff.toml")  # the core profile: only core packages, and dependents
    assert names(cli, root) == ["text-tools", "url-parser", "web"]
    run("git", "checkout", "core/ruff.toml", cwd=root)
    append(root / "seeds/ruff.toml")
    assert names(cli, root) == ["notes", "url-parser", "web"]


def test_affected_in_a_shallow_clone(chain: Path, cli: Cli, tmp_path: Path) -> None:
    append(chain / "seeds/notes/pyproject.toml")
    commit_all(chain, "second")
    clone = tmp_path / "clone"
    run("git", "clone", "-q", "--depth", "1", f"file://{chain}", clone, cwd=tmp_path)
    result = cli("affected", "--since", "HEAD~1", cwd=clone)
    assert_clean_failure(result, 1, "shallow clone", "git fetch --unshallow", "--all")
    assert sorted(names(cli, clone, "--all")) == EVERY
    append(clone / "seeds/web/pyproject.toml")  # the default is the upstream default branch
    assert names(cli, clone) == ["web"]
    commit_all(clone, "web")
    run("git", "remote", "set-head", "origin", "--delete", cwd=clone)  # as after `git remote add`
    assert names(cli, clone) == ["web"]  # origin/main, not HEAD


def test_affected_github_matrix(chain: Path, cli: Cli) -> None:
    append(chain / "seeds/url-parser/pyproject.toml")
    lines = cli("affected", "--format", "github-matrix", cwd=chain).stdout.splitlines()
    assert lines == [
        '{"include":[{"name":"url-parser","path":"seeds/url-parser","stage":"seed",'
        '"distribution":"acme-url-parser"},{"name":"web","path":"seeds/web","stage":"seed",'
        '"distribution":"acme-web"}]}'
    ]


def test_affected_shards(chain: Path, cli: Cli) -> None:
    append(chain / "seeds/text-tools/pyproject.toml")
    result = cli("affected", "--format", "github-matrix", "--max-jobs", "2", cwd=chain)
    assert result.stdout == (
        '{"include":[{"shard":"1/2","count":2,"packages":"text-tools url-parser"},'
        '{"shard":"2/2","count":1,"packages":"web"}]}\n'
    )
    assert_clean_failure(cli("affected", "--max-jobs", "2", cwd=chain), 2, "--format github-matrix")
    assert_clean_failure(
        cli("affected", "--format", "github-matrix", "--max-jobs", "0", cwd=chain), 2, "--max-jobs"
    )


def test_affected_without_history(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"a": []}, commit=False)
    assert_clean_failure(cli("affected", cwd=root), 1, "not a git repository")
    run("git", "init", "-q", cwd=root)
    assert_clean_failure(cli("affected", cwd=root), 1, "no commits yet", "--all")


def test_kinds(chain: Path, cli: Cli) -> None:
    listed = cli("kinds", cwd=chain).stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["lib", "cli", "app"]
    data = json.loads(cli("kinds", "--json", cwd=chain).stdout)
    assert data[0] == {
        "name": "lib",
        "builtin": True,
        "source": "https://seedbed.invalid/templates.git",
        "version": data[0]["version"],
        "path": None,
        "description": "a library",
    }
    assert data[0]["version"].startswith("v")


def test_affected_keeps_dependency_order_around_a_cycle(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(
        tmp_path / "acme",
        {"zeta": [], "loop-a": ["loop-b", "zeta"], "loop-b": ["loop-a"], "app": ["loop-a"],
         "base": [], "top": ["base"]},
    )  # fmt: skip
    assert names(cli, root, "--all") == ["base", "zeta", "loop-a", "loop-b", "top", "app"]
    append(root / "seeds/zeta/pyproject.toml")
    assert names(cli, root) == ["zeta", "loop-a", "loop-b", "app"]


def test_a_shallow_clone_tells_a_bad_ref_from_a_cut_off_one(
    chain: Path, cli: Cli, tmp_path: Path
) -> None:
    first = run("git", "rev-parse", "HEAD", cwd=chain).strip()
    append(chain / "seeds/notes/pyproject.toml")
    commit_all(chain, "second")
    clone = tmp_path / "clone"
    run("git", "clone", "-q", "--depth", "1", f"file://{chain}", clone, cwd=tmp_path)
    bogus = cli("affected", "--since", "totally-bogus-ref", cwd=clone)
    assert_clean_failure(bogus, 2, "'totally-bogus-ref' is not a commit, branch or tag here")
    for cut_off in ("HEAD~1", "origin/main~1", first, first[:10]):
        result = cli("affected", "--since", cut_off, cwd=clone)
        assert_clean_failure(result, 1, f"'{cut_off}' is not in this shallow clone", "--unshallow")


def test_no_upstream_to_compare_with_is_a_warning(chain: Path, cli: Cli, tmp_path: Path) -> None:
    """As in a CI checkout of a pull request: one commit, and no origin/main to compare with."""
    clone = tmp_path / "clone"
    run("git", "clone", "-q", "--depth", "1", f"file://{chain}", clone, cwd=tmp_path)
    run("git", "remote", "set-head", "origin", "--delete", cwd=clone)
    run("git", "update-ref", "-d", "refs/remotes/origin/main", cwd=clone)
    result = cli("affected", cwd=clone)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "warning: compared with HEAD, since this shallow clone has no origin/HEAD, origin/main "
        "or origin/master: only uncommitted changes count",
        "hint: fetch the base branch with its history (`git fetch --unshallow origin main`) and "
        "pass --since origin/main, or pass --all to select every package",
    ]
    local = cli("affected", cwd=chain)  # a repository that was never pushed
    assert local.returncode == 0
    assert local.stderr.startswith("warning: compared with HEAD, since there is no origin/HEAD")
    assert cli("affected", "--since", "HEAD", cwd=chain).stderr == ""  # asked for: no warning
    versions = cli("version", "--affected", "--bump", "patch", cwd=chain)
    assert versions.returncode == 0, versions.stderr
    assert versions.stderr == local.stderr  # the same words, from version too
    assert versions.stdout == "No packages selected: no version to show or change.\n"
    assert cli("affected", "--all", cwd=clone).stderr == ""


MYPY_LISTS = """
[tool.mypy]
files = ["seeds/notes/src", "seeds/text-tools/src", "seeds/url-parser/src"]
mypy_path = ["seeds/notes/src", "seeds/text-tools/src", "seeds/url-parser/src"]

[[tool.mypy.overrides]]
module = []
disallow_untyped_defs = true
"""


def test_affected_sees_through_the_mypy_lists_proto_keeps(tmp_path: Path, cli: Cli) -> None:
    """A graduation (or a new package) edits the root pyproject.toml's mypy lists; that alone
    does not make every package affected, but any other change to it does."""
    from seedbed.effects import typecheck
    from seedbed.effects.transaction import changing

    root = make_workspace(
        tmp_path / "acme", {"text-tools": [], "url-parser": ["text-tools"], "notes": []}
    )
    append(root / "pyproject.toml", MYPY_LISTS)
    commit_all(root, "mypy lists")
    run("git", "mv", "seeds/text-tools", "core/text-tools", cwd=root)
    with changing(root) as transaction:
        assert typecheck.sync(transaction, root)
    assert 'module = [\n    "acme.text_tools.*",\n]' in (root / "pyproject.toml").read_text()
    assert names(cli, root, "--since", "HEAD") == ["text-tools", "url-parser"]
    commit_all(root, "graduated")
    append(root / "pyproject.toml", "\n# a comment changes no setting\n")
    assert names(cli, root, "--since", "HEAD") == []
    append(root / "pyproject.toml", "\n[tool.ruff]\nline-length = 90\n")
    assert names(cli, root, "--since", "HEAD") == ["notes", "text-tools", "url-parser"]
