"""rename, demote, retire, rescope and check --fix in-process: every refusal is one `error:`
line with the right exit code and leaves files and the git index exactly as they were; dry
runs say what would change and change nothing; a package that is gone shows everywhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import InProcess
from tests.helpers import assert_clean_failure, commit_all, make_workspace, run, snapshot

Cli = Callable[..., InProcess]


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """web -> url-parser -> text-tools, and a lone notes; all seeds, committed; web's code
    imports url-parser."""
    root = make_workspace(
        tmp_path / "acme",
        {"text-tools": [], "url-parser": ["text-tools"], "web": ["url-parser"], "notes": []},
    )
    (root / "seeds/web/src/acme/web/parse.py").write_text(
        "from acme import url_parser\n\nPARSE = url_parser\n"
    )
    (root / "NOTES.md").write_text("Parsing lives in seeds/url-parser (acme-url-parser).\n")
    commit_all(root, "web parses")
    return root


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    """core base <- core mid <- seed app; a lone core `solo`; committed."""
    return make_workspace(
        tmp_path / "acme",
        {"base": [], "mid": ["base"], "app": ["mid"], "solo": []},
        core=("base", "mid", "solo"),
    )


def refused(cli: Cli, root: Path, cases: list[tuple[list[str], int, str]]) -> None:
    before = snapshot(root)
    for args, code, needle in cases:
        assert_clean_failure(cli(*args, cwd=root), code, needle)
        assert snapshot(root) == before, args


def test_rename_refusals(chain: Path, cli: Cli) -> None:
    (chain / "seeds/loose").mkdir()
    (chain / "seeds/loose/notes.txt").write_text("a folder, not a package\n")
    (chain / ".gitignore").write_text("/dist/\n.venv/\nseeds/secret-*/\n")
    commit_all(chain, "loose and secret")
    refused(
        cli,
        chain,
        [
            (["rename", "ghost", "x"], 2, "no package named 'ghost'"),
            (["rename", "url-parser", "Url_Parser"], 2, "invalid new package name"),
            (["rename", "url-parser", "class"], 2, "Python keyword"),
            (["rename", "url-parser", "url-parser"], 2, "already called url-parser"),
            (["rename", "url-parser", "acme-url-parser"], 2, "already called url-parser"),
            (["rename", "url-parser", "notes"], 1, "already used by seeds/notes"),
            (["rename", "url-parser", "acme-notes"], 1, "already used by seeds/notes"),
            (["rename", "url-parser", "loose"], 1, "already used by seeds/loose"),
            (["rename", "url-parser", "secret-parser"], 2, "git ignores seeds/secret-parser"),
            (["rename", "url-parser"], 2, "missing argument"),
        ],
    )
    manifest = chain / "seeds/web/pyproject.toml"
    manifest.write_text(manifest.read_text() + "# my edit\n")
    refused(
        cli,
        chain,
        [
            (["rename", "url-parser", "uri-parser"], 1,
             "files that `proto rename` must change have uncommitted changes: "
             "seeds/web/pyproject.toml"),
            (["rename", "url-parser", "uri-parser", "--commit"], 1,
             "--commit would also commit your uncommitted changes in: seeds/web/pyproject.toml"),
        ],
    )  # fmt: skip
    run("git", "checkout", "--", "seeds/web/pyproject.toml", cwd=chain)
    readme = chain / "seeds/url-parser/README.md"
    readme.write_text("mine\n")
    run("git", "add", "seeds/url-parser/README.md", cwd=chain)
    refused(
        cli,
        chain,
        [(["rename", "url-parser", "uri-parser"], 1, "seeds/url-parser has uncommitted changes")],
    )


def test_rename_refuses_a_symlink_and_needs_git(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"real": []})
    (root / "seeds/linked").symlink_to(root / "seeds/real")
    (root / "seeds/real/pyproject.toml").write_text('[project]\nname = "acme-real"\n')
    refused(cli, root, [(["rename", "linked", "other"], 1, "symbolic link")])
    bare = make_workspace(tmp_path / "bare", {"a": []}, commit=False)
    assert_clean_failure(cli("rename", "a", "b", cwd=bare), 1, "not a git repository")


def test_rename_dry_run_lists_every_change(chain: Path, cli: Cli) -> None:
    before = snapshot(chain)
    dry = cli("rename", "url-parser", "uri-parser", "--dry-run", "--commit", cwd=chain)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Would rename url-parser to uri-parser:",
        "  seeds/url-parser -> seeds/uri-parser (3 tracked files)",
        "  seeds/uri-parser/src/acme/url_parser -> seeds/uri-parser/src/acme/uri_parser",
        "  seeds/uri-parser/tests/test_url_parser.py -> seeds/uri-parser/tests/test_uri_parser.py",
        "  acme-url-parser -> acme-uri-parser (distribution)",
        "  acme.url_parser -> acme.uri_parser (import)",
        "Would rewrite:",
        "  NOTES.md",
        "  seeds/uri-parser/pyproject.toml",
        "  seeds/web/pyproject.toml",
        "  seeds/web/src/acme/web/parse.py",
        "Comments or docstrings still say an old name (left as they are):",
        "  seeds/uri-parser/src/acme/uri_parser/__init__.py",
        "Would relock: uv lock --upgrade-package acme-uri-parser",
        "Would commit: Rename url-parser to uri-parser",
    ]
    assert snapshot(chain) == before


def test_demote_refusals_and_dry_run(layered: Path, cli: Cli) -> None:
    (layered / "seeds/solo").mkdir()
    (layered / "seeds/solo/keep.txt").write_text("in the way\n")
    refused(
        cli,
        layered,
        [
            (["demote", "ghost"], 2, "no package named 'ghost'"),
            (["demote", "app"], 1, "'app' is already a seed"),
            (["demote", "base"], 1, "the core package 'mid' depends on 'base'"),
            (["demote", "base", "--commit"], 1, "`proto demote base --commit --with-dependents`"),
            (["demote", "solo"], 1, "seeds/solo already exists"),
            (["demote"], 2, "missing argument"),
        ],
    )
    (layered / "seeds/solo/keep.txt").unlink()
    (layered / "seeds/solo").rmdir()
    before = snapshot(layered)
    dry = cli("demote", "base", "--with-dependents", "--dry-run", cwd=layered)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Would demote, dependents first:",
        "  core/mid -> seeds/mid (3 tracked files)",
        "  core/base -> seeds/base (3 tracked files)",
        "Would switch each package's stage settings to seed (status classifier, answers, mypy)",
        "Would relock: uv lock --upgrade-package acme-mid --upgrade-package acme-base",
    ]
    assert snapshot(layered) == before


def test_retire_refusals(chain: Path, cli: Cli) -> None:
    notes = chain / "seeds/notes/pyproject.toml"
    notes.write_text(
        notes.read_text() + '\n[dependency-groups]\ndev = ["acme-text-tools"]\n\n'
        "[tool.uv.sources]\nacme-text-tools = { workspace = true }\n"
    )
    (chain / "seeds/notes/tests/test_more.py").write_text("import acme.web\n")
    commit_all(chain, "notes tests use text-tools and web")
    refused(
        cli,
        chain,
        [
            (["retire", "ghost"], 2, "no package named 'ghost'"),
            (["retire", "url-parser"], 1,
             "cannot retire 'url-parser' while other packages use it: 'web' depends on "
             "'url-parser'"),
            (["retire", "url-parser"], 1, "`proto depend web url-parser --remove`"),
            (["retire", "text-tools", "url-parser"], 1,
             "'notes' has 'text-tools' in a dependency group"),
            (["retire", "text-tools", "url-parser"], 1,
             "take it out of [dependency-groups] in seeds/notes/pyproject.toml"),
            (["retire", "web"], 1, "seeds/notes/tests/test_more.py line 1 imports acme.web"),
            (["retire"], 2, "missing argument"),
        ],
    )  # fmt: skip
    (chain / "seeds/notes/scratch.txt").write_text("not committed\n")
    refused(
        cli,
        chain,
        [
            (["retire", "notes"], 1, "has uncommitted changes: seeds/notes/scratch.txt"),
            (["retire", "notes"], 1, "--allow-dirty"),
        ],
    )  # fmt: skip
    (chain / "seeds/notes/scratch.txt").unlink()
    (chain / "uv.lock").write_text("# a lock\n")
    commit_all(chain, "a lock")
    (chain / "uv.lock").write_text("# a lock, edited\n")
    refused(cli, chain, [(["retire", "notes", "--commit"], 1, "changes in: uv.lock")])


def test_retire_dry_run_names_the_way_back(chain: Path, cli: Cli) -> None:
    last = run("git", "log", "-1", "--format=%H", "--", "seeds/notes", cwd=chain).strip()[:12]
    before = snapshot(chain)
    dry = cli("retire", "notes", "--dry-run", "--commit", cwd=chain)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Would retire:",
        "  seeds/notes (3 tracked files)",
        "Would relock: uv lock",
        "Would commit: Retire notes",
        f"seeds/notes is last in commit {last} ('Start', Test Maker); to bring it back: "
        f"git checkout {last} -- seeds/notes && uv lock",  # no mypy lists in this workspace
    ]
    assert snapshot(chain) == before


def test_rescope_refusals_and_dry_run(chain: Path, cli: Cli) -> None:
    web = chain / "seeds/web/pyproject.toml"
    web.write_text(
        web.read_text().replace('"acme-url-parser",', '"acme-url-parser",\n    "newco-notes",')
    )
    commit_all(chain, "web uses newco-notes from the index")
    refused(
        cli,
        chain,
        [
            (["rescope", "Acme"], 2, "invalid scope 'Acme'"),
            (["rescope", "json"], 2, "hides the module 'json'"),
            (["rescope", "acme"], 2, "the scope is already 'acme'"),
            (["rescope", "newco"], 1, "'web' depends on 'newco-notes' from outside the workspace"),
            (["rescope"], 2, "missing argument"),
        ],
    )  # fmt: skip
    before = snapshot(chain)
    dry = cli("rescope", "team", "--dry-run", cwd=chain)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[:7] == [
        "Would rescope acme to team:",
        "  acme -> team (scope)",
        "  acme -> team (import namespace)",
        "  acme-notes -> team-notes",
        "  acme-text-tools -> team-text-tools",
        "  acme-url-parser -> team-url-parser",
        "  acme-web -> team-web",
    ]
    assert "  seeds/web/src/acme -> seeds/web/src/team" in lines
    assert "  pyproject.toml" in lines
    assert "  seeds/web/src/team/web/parse.py" in lines  # where it is after the move
    assert lines[-1].startswith("Would relock: uv lock --upgrade-package team-notes")
    assert snapshot(chain) == before
    readme = chain / "seeds/web/README.md"
    readme.write_text("acme-web: a README\n")
    commit_all(chain, "a README")
    readme.write_text("acme-web: a README, edited\n")
    refused(cli, chain, [(["rescope", "team"], 1, "uncommitted changes: seeds/web/README.md")])


def test_a_package_that_is_gone_shows_everywhere(chain: Path, cli: Cli) -> None:
    run("git", "rm", "-rq", "seeds/url-parser", cwd=chain)
    commit_all(chain, "url-parser deleted by hand")
    check = cli("check", "--json", cwd=chain)
    assert check.returncode == 1
    assert [v for v in json.loads(check.stdout) if v["rule"] == "missing-package"] == [
        {
            "rule": "missing-package",
            "package": "web",
            "message": "'web' depends on 'acme-url-parser', which is not in the workspace "
            "(retired, renamed or deleted?); remove the dependency with "
            "`proto depend web url-parser --remove` (or `proto check --fix`)",
            "path": "seeds/web/pyproject.toml",
        }
    ]
    listed = json.loads(cli("list", "--json", cwd=chain).stdout)
    web = next(record for record in listed if record["name"] == "web")
    assert web["dependencies"] == []
    assert web["missing_dependencies"] == ["url-parser"]
    assert web["external_dependencies"] == []
    assert "web         seed   0.1.0    url-parser (missing)  -" in cli("list", cwd=chain).stdout
    assert cli("graph", cwd=chain).stdout.splitlines()[-2:] == [
        "web (seed)",
        "└── url-parser (missing)",
    ]
    data = json.loads(cli("graph", "--format", "json", cwd=chain).stdout)
    assert data["missing"] == [
        {"from": "web", "to": "url-parser", "distribution": "acme-url-parser"}
    ]
    mermaid = cli("graph", "--format", "mermaid", cwd=chain).stdout
    assert "    pkg_web -.-> missing_pkg_url_parser\n" in mermaid
    doctor = cli("doctor", cwd=chain)
    assert (
        "missing-package: 'web' depends on 'acme-url-parser', which is not in the workspace\n"
        in doctor.stdout
    )
    assert "  to fix: proto depend web url-parser --remove\n" in doctor.stdout
    before = snapshot(chain)
    assert_clean_failure(cli("depend", "web", "ghost", "--remove", cwd=chain), 2, "'ghost'")
    dry = cli("depend", "web", "url-parser", "--remove", "--dry-run", cwd=chain)
    assert (
        dry.stdout == "Would remove url-parser from seeds/web/pyproject.toml, then run: uv lock\n"
    )
    dry = cli("depend", "web", "acme-url-parser", "--remove", "--dry-run", cwd=chain)
    assert dry.returncode == 0, dry.stderr
    fix = cli("check", "--fix", "--dry-run", cwd=chain)
    assert fix.stdout.splitlines() == [
        "Would fix:",
        "  seeds/web/pyproject.toml: removed acme-url-parser (not in the workspace)",
        "Would relock: uv lock",
    ]
    assert snapshot(chain) == before


def test_check_fix_never_declares_a_forbidden_edge(layered: Path, cli: Cli) -> None:
    (layered / "core/base/src/acme/base/uses.py").write_text("from acme import app\n")
    (layered / "seeds/app/tests/test_more.py").write_text("import acme.solo\n")
    commit_all(layered, "imports")
    before = snapshot(layered)
    assert_clean_failure(cli("check", "--dry-run", cwd=layered), 2, "--dry-run goes with --fix")
    dry = cli("check", "--fix", "--dry-run", cwd=layered)
    forbidden = (
        "undeclared-import: core/base/src/acme/base/uses.py: line 1 imports acme.app but "
        "'base' does not declare it, and a core package never depends on a seed; graduate it "
        "(`proto graduate app --force`) or remove the import"
    )
    assert dry.returncode == 1, dry.stderr  # what --fix leaves is said, and fails, as --fix
    assert dry.stdout.splitlines() == [
        "Would fix:",
        "  seeds/app/pyproject.toml: declared acme-solo in the dev dependency group "
        "(seeds/app/tests/test_more.py line 1 imports it)",
        "Would relock: uv lock",
        forbidden,
    ]
    assert "1 problem would remain after --fix" in dry.stderr
    report = cli("check", cwd=layered)
    assert forbidden in report.stdout.splitlines()
    assert "seeds/app/tests/test_more.py" in report.stdout  # fixed by --fix, so not above
    assert snapshot(layered) == before
    assert cli("graduate", "app", "--force", "--dry-run", cwd=layered).returncode == 0  # the hint
    (layered / "seeds/app/tests/test_more.py").unlink()
    (layered / "core/base/src/acme/base/uses.py").unlink()
    commit_all(layered, "no imports of siblings")
    nothing = cli("check", "--fix", "--dry-run", cwd=layered)
    assert nothing.stdout.splitlines() == [
        "Nothing for --fix to change.",
        "lock-stale: uv.lock: uv.lock is missing; run `uv lock`",  # --fix does not lock
    ]
    assert nothing.returncode == 1


def test_a_package_that_is_gone_and_shared_goes_in_one_change(chain: Path, cli: Cli) -> None:
    notes = chain / "seeds/notes/pyproject.toml"
    notes.write_text(
        notes.read_text().replace(
            "dependencies = [\n", 'dependencies = [\n    "acme-text-tools",\n'
        )
        + "\n[tool.uv.sources]\nacme-text-tools = { workspace = true }\n"
    )
    run("git", "rm", "-rq", "seeds/text-tools", cwd=chain)
    commit_all(chain, "text-tools deleted, notes and url-parser still use it")
    refused(
        cli,
        chain,
        [
            (["depend", "url-parser", "text-tools", "--remove"], 1,
             "'notes' also depends on acme-text-tools, which is not in the workspace"),
        ],
    )  # fmt: skip
    report = cli("check", cwd=chain).stdout
    assert report.count("(from all 2 packages that declare it)") == 2
    dry = cli("check", "--fix", "--dry-run", cwd=chain)
    assert dry.stdout.splitlines() == [
        "Would fix:",
        "  seeds/notes/pyproject.toml: removed acme-text-tools (not in the workspace)",
        "  seeds/url-parser/pyproject.toml: removed acme-text-tools (not in the workspace)",
        "Would relock: uv lock",
    ]
