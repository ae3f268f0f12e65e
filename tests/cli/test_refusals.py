"""Bad input and bad situations, decided before any change: one `error:` line, the right exit
code, and the files and git index exactly as they were (in-process, on hand-made workspaces)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import InProcess
from tests.helpers import assert_clean_failure, commit_all, make_workspace, run, snapshot

Cli = Callable[..., InProcess]

BAD_NAMES = [
    ("", "is empty"),
    ("url parser", "did you mean 'url-parser'"),
    ("UrlParser", "did you mean 'urlparser'"),
    ("url_parser", "did you mean 'url-parser'"),
    ("url.parser", "did you mean 'url-parser'"),
    ("../escape", "not a path"),
    ("seeds/x", "not a path"),
    ("9lives", "start with a letter"),
    ("dash-", "start or end with a hyphen"),
    ("lambda", "Python keyword"),
    ("taken", "already used by seeds/taken"),
    ("acme-taken", "already used by seeds/taken"),
    ("hand-made", "differs only by normalisation from seeds/hand_made"),
    ("TAKEN", "'taken' is seeds/taken already: pick another name"),  # not "did you mean"
]


def test_new_refuses_bad_and_taken_names(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"taken": []})
    (root / "seeds/hand_made").mkdir()
    (root / "seeds/hand_made/notes.txt").write_text("made by hand\n")
    before = snapshot(root)
    for name, needle in BAD_NAMES:
        assert_clean_failure(cli("new", name, cwd=root), 2, needle)
    assert_clean_failure(cli("new", "x", "--kind", "gui", cwd=root), 2, "gui")
    assert_clean_failure(
        cli("new", "x", "--depends-on", "nope", cwd=root), 2, "no package named 'nope'"
    )
    assert_clean_failure(cli("new", "x", "--frobnicate", cwd=root), 2, "--frobnicate")
    assert_clean_failure(cli("new", cwd=root), 2, "proto new --help")
    assert_clean_failure(cli("-C", root / "nowhere", "new", "x", cwd=root), 2, "not a folder")
    (root / ".gitignore").write_text("seeds/secret-*/\n")
    commit_all(root, "ignore secrets")
    ignored = snapshot(root)
    assert_clean_failure(cli("new", "secret-sauce", cwd=root), 2, "git ignores")
    assert snapshot(root) == ignored
    assert before["files"] != ignored["files"]  # the .gitignore edit, nothing else


def test_outside_a_workspace_and_a_corrupt_root(tmp_path: Path, cli: Cli) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert_clean_failure(
        cli("new", "x", cwd=outside), 1, "not inside a seedbed workspace", "proto init"
    )
    assert list(outside.iterdir()) == []
    root = make_workspace(tmp_path / "acme", {"notes": []})
    manifest = root / "pyproject.toml"
    manifest.write_text(manifest.read_text() + "\n[tool.proto\n")
    before = snapshot(root)
    assert_clean_failure(cli("new", "x", cwd=root / "seeds"), 1, "is not valid TOML")
    assert snapshot(root) == before


def test_odd_manifests_give_one_line_in_every_command(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"notes": []})
    manifest = root / "seeds/notes/pyproject.toml"
    manifest.write_text('project = "notes"\n')
    for command in (["list"], ["check"], ["graph"], ["new", "x"], ["version"]):
        assert_clean_failure(cli(*command, cwd=root), 1, "seeds/notes/pyproject.toml")
    manifest.write_bytes(b'[project]\nname = "caf\xe9"\n')
    assert_clean_failure(cli("list", cwd=root), 1, "not UTF-8")


def test_init_refusals_leave_no_trace(tmp_path: Path, cli: Cli) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine\n")
    assert_clean_failure(cli("init", busy, cwd=tmp_path), 1, "is not empty")
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert_clean_failure(cli("init", a_file, cwd=tmp_path), 2, "is not a folder")
    assert_clean_failure(cli("init", tmp_path / "ws", "--scope", "Acme", cwd=tmp_path), 2, "'acme'")
    for python, says in [
        ("2.7", "Python 2.7 is older than the oldest the templates support"),
        ("3.x", "invalid Python version '3.x'"),
        ("4.1", "use the form 3.Y"),
    ]:
        assert_clean_failure(cli("init", tmp_path / "ws", "--python", python, cwd=tmp_path), 2,
                             says)  # fmt: skip
    assert_clean_failure(cli("init", tmp_path / "123", cwd=tmp_path), 2, "--scope")
    assert_clean_failure(
        cli("init", tmp_path / "ws", "--import-style", "deep", cwd=tmp_path), 2, "deep"
    )
    assert not (tmp_path / "ws").exists()
    root = make_workspace(tmp_path / "acme", {"notes": []})
    before = snapshot(root)
    assert_clean_failure(
        cli("init", root / "seeds" / "inner", cwd=tmp_path), 1, "inside the seedbed workspace"
    )
    assert snapshot(root) == before


def test_init_without_git(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    no_tools = tmp_path / "bin"
    no_tools.mkdir()
    monkeypatch.setenv("PATH", str(no_tools))
    assert_clean_failure(cli("init", "ws", cwd=tmp_path), 1, "git is not installed")
    assert not (tmp_path / "ws").exists()


def test_depend_refusals(chain: Path, cli: Cli) -> None:
    before = snapshot(chain)
    cases = [
        (["depend", "ghost", "notes"], 2, "no package named 'ghost'"),
        (["depend", "notes", "ghost"], 2, "no package named 'ghost'"),
        (["depend", "notes", "notes"], 2, "cannot depend on itself"),
        (["depend", "text-tools", "web"], 1, "text-tools -> web -> url-parser -> text-tools"),
        (["depend", "notes"], 2, "missing argument"),
    ]
    for args, code, needle in cases:
        assert_clean_failure(cli(*args, cwd=chain), code, needle)
    dry = cli("depend", "notes", "web", "--dry-run", cwd=chain)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == "Would add web to seeds/notes/pyproject.toml, then run: uv lock\n"
    same = cli("depend", "web", "url-parser", cwd=chain)
    assert same.stdout == "web already depends on url-parser: nothing to do\n"
    assert snapshot(chain) == before


def test_a_core_package_never_depends_on_a_seed(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"base": [], "notes": []}, core=("base",))
    before = snapshot(root)
    result = cli("depend", "base", "notes", cwd=root)
    assert_clean_failure(
        result, 1, "a core package never depends on a seed", "`proto graduate notes --force`"
    )
    assert snapshot(root) == before


def test_graduate_refusals(chain: Path, cli: Cli) -> None:
    root = chain
    run("git", "mv", "seeds/text-tools", "core/text-tools", cwd=root)
    commit_all(root, "text-tools is core")
    (root / "core/url-parser").mkdir()
    (root / "core/url-parser/keep.txt").write_text("in the way\n")
    manifest = root / "seeds/web/pyproject.toml"
    manifest.write_text(manifest.read_text() + "# edited\n")
    before = snapshot(root)
    cases = [
        (["graduate", "ghost"], 2, "no package named 'ghost'"),
        (["graduate", "text-tools"], 1, "already in core"),
        (["graduate", "notes"], 1, "no package depends on 'notes' yet"),
        (["graduate", "url-parser"], 1, "core/url-parser already exists"),
        (["graduate", "web", "--force"], 1, "seeds that would be left behind: url-parser"),
        (
            ["graduate", "web", "notes", "--force"],
            1,  # notes depends on nothing: not named
            "error: 'web' depends on seeds that would be left behind: url-parser",
        ),
        (["graduate", "web", "--force", "--with-deps"], 1, "core/url-parser already exists"),
        (["graduate"], 2, "missing argument"),
    ]
    for args, code, needle in cases:
        assert_clean_failure(cli(*args, cwd=root), code, needle)
    (root / "core/url-parser/keep.txt").unlink()
    (root / "core/url-parser").rmdir()
    assert_clean_failure(cli("graduate", "web", "--force", "--with-deps", cwd=root), 1,
                         "seeds/web has uncommitted changes", "--allow-dirty")  # fmt: skip
    (root / "core/url-parser").mkdir()
    (root / "core/url-parser/keep.txt").write_text("in the way\n")
    assert snapshot(root) == before

    dry = cli("graduate", "notes", "--force", "--dry-run", cwd=root)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Would graduate, in dependency order:",
        "  seeds/notes -> core/notes (3 tracked files)",
        "Would switch each package's stage settings to core (status classifier, answers, mypy)",
        "Would relock: uv lock --upgrade-package acme-notes",
    ]
    assert snapshot(root) == before


def test_graduate_commit_refusals(chain: Path, cli: Cli) -> None:
    (chain / "NOTES.md").write_text("Start with seeds/text-tools.\n")
    commit_all(chain)
    (chain / "NOTES.md").write_text("Start with seeds/text-tools.\nNot committed yet.\n")
    before = snapshot(chain)
    result = cli("graduate", "text-tools", "--commit", cwd=chain)
    assert_clean_failure(result, 1, "would also commit your uncommitted changes in: NOTES.md")
    (chain / "seeds/fresh").mkdir()
    (chain / "seeds/fresh/pyproject.toml").write_text('[project]\nname = "acme-fresh"\n')
    result = cli("graduate", "fresh", "--force", "--commit", "--allow-dirty", cwd=chain)
    assert_clean_failure(result, 1, "never been committed", "without --commit")
    (chain / "seeds/fresh/pyproject.toml").unlink()
    (chain / "seeds/fresh").rmdir()
    assert snapshot(chain) == before


def test_graduate_outside_git(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"a": [], "b": ["a"]}, commit=False)
    result = cli("graduate", "a", cwd=root)
    assert_clean_failure(result, 1, "not a git repository", "git init")


def test_version_refusals_and_reports(chain: Path, cli: Cli) -> None:
    before = snapshot(chain)
    shown = cli("version", cwd=chain)
    assert shown.stdout.splitlines() == [
        "notes 0.1.0", "text-tools 0.1.0", "url-parser 0.1.0", "web 0.1.0"
    ]  # fmt: skip
    cases = [
        (["version", "web", "--set", "banana"], 2, "not a valid version"),
        (["version", "web", "--set", "1.0", "--bump", "patch"], 2, "either --bump or --set"),
        (["version", "ghost", "--bump", "patch"], 2, "no package named 'ghost'"),
        (["version", "--bump", "huge"], 2, "huge"),
        (["version", "--bump", "major"], 2, "name the packages"),
        (["version", "--all", "web", "--bump", "major"], 2, "--all goes without names"),
        (["version", "web", "--since", "HEAD", "--bump", "major"], 2, "--since goes with"),
    ]
    for args, code, needle in cases:
        assert_clean_failure(cli(*args, cwd=chain), code, needle)
    dry = cli("version", "web", "--set", "1.0.0", "--dry-run", cwd=chain)
    assert dry.stdout == "web 0.1.0 would become 1.0.0\n"
    data = cli("version", "web", "notes", "--bump", "pre", "--dry-run", "--json", cwd=chain)
    assert data.stdout.startswith('[\n  {"name": "web", "distribution": ')  # a line each
    assert json.loads(data.stdout) == [
        {"name": "web", "distribution": "acme-web", "version": "0.1.1rc1", "previous": "0.1.0"},
        {"name": "notes", "distribution": "acme-notes", "version": "0.1.1rc1",
         "previous": "0.1.0"},
    ]  # fmt: skip
    assert snapshot(chain) == before


def test_version_set_refuses_local_and_backward_versions(chain: Path, cli: Cli) -> None:
    manifest = chain / "seeds/web/pyproject.toml"
    manifest.write_text(manifest.read_text().replace('version = "0.1.0"', 'version = "1!2.0.0"'))
    commit_all(chain, "web has an epoch")
    before = snapshot(chain)
    cases = [
        (["version", "web", "--set", "1.2.3+local"], 2, "local version (+local)", "--set 1.2.3"),
        (["version", "notes", "--set", "0.0.9"], 1, "backwards: notes 0.1.0", "--force"),
        (["version", "web", "notes", "--set", "3.0"], 1, "backwards: web 1!2.0.0"),
        (["version", "notes", "--bump", "patch", "--force"], 2, "--force goes with --set"),
    ]
    for args, code, *needles in cases:
        assert_clean_failure(cli(*args, cwd=chain), code, *needles)
    forced = cli("version", "notes", "--set", "0.0.9", "--force", "--dry-run", cwd=chain)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout == "notes 0.1.0 would become 0.0.9\n"
    kept = cli("version", "web", "--bump", "minor", "--dry-run", cwd=chain)
    assert kept.stdout == "web 1!2.0.0 would become 1!2.1.0\n"
    same = cli("version", "notes", "--set", "0.1.0", "--dry-run", cwd=chain)
    assert same.stdout == "notes 0.1.0\n"  # setting the same version is not a step back
    assert snapshot(chain) == before


def test_publish_refusals(chain: Path, cli: Cli) -> None:
    assert_clean_failure(cli("publish", cwd=chain), 2, "name at least one package")
    assert_clean_failure(cli("publish", "web", "--affected", cwd=chain), 2, "not both")
    manifest = chain / "seeds/notes/pyproject.toml"
    manifest.write_text(manifest.read_text().replace('version = "0.1.0"', 'dynamic = ["version"]'))
    assert_clean_failure(cli("publish", "notes", "--dry-run", cwd=chain), 1, "no static")
    assert cli("version", "notes", cwd=chain).stdout == "notes (dynamic)\n"
    (chain / "seeds/text-tools/scratch.txt").write_text("not committed\n")
    assert_clean_failure(
        cli("publish", "text-tools", "--tag", "--dry-run", cwd=chain),
        1,
        "--tag would tag HEAD",
        "seeds/text-tools/scratch.txt",
    )
