"""The root's mypy lists against the packages on disk, in-process: `proto check` reports lists
that name a package deleted by hand or miss one brought back by hand (`mypy-lists`), `--fix`
rewrites them (its dry run changes nothing), the team's own entries stay; retire, graduate and
demote say exactly which files they edit."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from seedbed.effects import uv
from tests.conftest import InProcess
from tests.helpers import commit_all, make_workspace, run, snapshot

Cli = Callable[..., InProcess]

MYPY = """
[tool.mypy]
files = ["scripts", "core/text-tools/src", "seeds/notes/src", "seeds/web/src"]
mypy_path = ["stubs", "core/text-tools/src", "seeds/notes/src", "seeds/web/src"]

[[tool.mypy.overrides]]
module = ["acme.legacy.*", "acme.text_tools.*"]
disallow_untyped_defs = true
"""


@pytest.fixture
def listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Core text-tools, seeds web (-> text-tools) and notes, with the mypy lists the workspace
    template keeps, plus the team's own entries (scripts, stubs, acme.legacy.*); committed.
    uv's relock is a no-op here (no package index in these tests)."""
    monkeypatch.setattr(uv, "lock", lambda root, upgrade=(): None)
    root = make_workspace(
        tmp_path / "acme", {"text-tools": [], "web": ["text-tools"], "notes": []},
        core=("text-tools",), commit=False, lock=True,
    )  # fmt: skip
    manifest = root / "pyproject.toml"
    manifest.write_text(manifest.read_text() + MYPY)
    run("git", "init", "-q", cwd=root)
    commit_all(root, "Start")
    return root


def mypy_settings(root: Path) -> dict[str, object]:
    mypy = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mypy"]
    assert isinstance(mypy, dict)
    return mypy


def rules(cli: Cli, root: Path, rule: str = "mypy-lists") -> list[dict[str, str | None]]:
    result = cli("check", "--json", cwd=root)
    return [v for v in json.loads(result.stdout) if v["rule"] == rule]


def ruled(cli: Cli, root: Path) -> list[str]:
    """The rules broken, but for lock-stale (a hand-written lock; uv may want the index)."""
    found = json.loads(cli("check", "--json", cwd=root).stdout)
    return [v["rule"] for v in found if v["rule"] != "lock-stale"]


def test_lists_in_line_pass(listed: Path, cli: Cli) -> None:
    assert rules(cli, listed) == []
    dry = cli("check", "--fix", "--dry-run", cwd=listed).stdout  # (and what would remain:
    assert dry.startswith("Nothing for --fix to change.\n")  # a stale hand-written lock)


def test_a_package_deleted_by_hand_is_reported_and_fixed(listed: Path, cli: Cli) -> None:
    run("git", "rm", "-rq", "seeds/notes", cwd=listed)
    commit_all(listed, "notes deleted by hand")
    hint = (
        "; run `proto check --fix` to list the packages as they are (the team's own entries stay)"
    )
    assert rules(cli, listed) == [
        {
            "rule": "mypy-lists",
            "package": None,
            "message": "[tool.mypy] files has seeds/notes/src (no package's src/ now)" + hint,
            "path": "pyproject.toml",
        },
        {
            "rule": "mypy-lists",
            "package": None,
            "message": "[tool.mypy] mypy_path has seeds/notes/src (no package's src/ now)" + hint,
            "path": "pyproject.toml",
        },
    ]
    report = cli("check", cwd=listed)
    assert report.returncode == 1
    assert (
        "mypy-lists: pyproject.toml: [tool.mypy] files has seeds/notes/src "
        "(no package's src/ now)" + hint
    ) in report.stdout.splitlines()
    doctor = cli("doctor", cwd=listed)
    assert doctor.returncode == 1
    assert (
        "mypy-lists: [tool.mypy] files has seeds/notes/src (not the packages on disk)\n"
        "  to fix: proto check --fix\n"
    ) in doctor.stdout
    before = snapshot(listed)
    dry = cli("check", "--fix", "--dry-run", cwd=listed)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Would fix:",
        "  pyproject.toml: [tool.mypy] files: removed seeds/notes/src",
        "  pyproject.toml: [tool.mypy] mypy_path: removed seeds/notes/src",
        "Would relock: uv lock",
    ]
    assert snapshot(listed) == before  # byte for byte
    fixed = cli("check", "--fix", cwd=listed)
    assert fixed.stdout.splitlines()[:4] == [
        "Fixed:",
        "  pyproject.toml: [tool.mypy] files: removed seeds/notes/src",
        "  pyproject.toml: [tool.mypy] mypy_path: removed seeds/notes/src",
        "Relocked uv.lock",
    ]
    mypy = mypy_settings(listed)
    assert mypy["files"] == ["scripts", "core/text-tools/src", "seeds/web/src"]
    assert mypy["mypy_path"] == ["stubs", "core/text-tools/src", "seeds/web/src"]
    assert rules(cli, listed) == []


def test_a_core_package_deleted_by_hand_goes_with_its_dependents_fix(
    listed: Path, cli: Cli
) -> None:
    """One --fix, one transaction: web's dependency on the deleted package and the lists."""
    run("git", "rm", "-rq", "core/text-tools", cwd=listed)
    commit_all(listed, "text-tools deleted by hand")
    assert ruled(cli, listed) == ["missing-package", "mypy-lists", "mypy-lists"]
    fixed = cli("check", "--fix", cwd=listed)
    assert fixed.stdout.splitlines()[:5] == [
        "Fixed:",
        "  seeds/web/pyproject.toml: removed acme-text-tools (not in the workspace)",
        "  pyproject.toml: [tool.mypy] files: removed core/text-tools/src",
        "  pyproject.toml: [tool.mypy] mypy_path: removed core/text-tools/src",
        "Relocked uv.lock",
    ]
    mypy = mypy_settings(listed)
    assert mypy["files"] == ["scripts", "seeds/notes/src", "seeds/web/src"]
    # as every command's sync does: a module no package has looks like the team's own
    assert mypy["overrides"] == [  # type: ignore[comparison-overlap]
        {"module": ["acme.legacy.*", "acme.text_tools.*"], "disallow_untyped_defs": True}
    ]
    assert ruled(cli, listed) == []


def test_a_package_brought_back_by_hand_is_reported_and_fixed(listed: Path, cli: Cli) -> None:
    last = run("git", "rev-parse", "--short=12", "HEAD", cwd=listed).strip()
    retired = cli("retire", "notes", "--commit", cwd=listed)
    assert retired.returncode == 0, retired.stderr
    assert "seeds/notes/src" not in (listed / "pyproject.toml").read_text()
    assert rules(cli, listed) == []
    run("git", "checkout", last, "--", "seeds/notes", cwd=listed)  # the way back, by hand
    found = rules(cli, listed)
    assert [v["message"].split(";")[0] for v in found] == [  # type: ignore[union-attr]
        "[tool.mypy] files lacks seeds/notes/src",
        "[tool.mypy] mypy_path lacks seeds/notes/src",
    ]
    before = snapshot(listed)
    dry = cli("check", "--fix", "--dry-run", cwd=listed)
    assert dry.stdout.splitlines() == [
        "Would fix:",
        "  pyproject.toml: [tool.mypy] files: added seeds/notes/src",
        "  pyproject.toml: [tool.mypy] mypy_path: added seeds/notes/src",
        "Would relock: uv lock",
    ]
    assert snapshot(listed) == before
    assert cli("check", "--fix", cwd=listed).stdout.startswith("Fixed:\n")
    mypy = mypy_settings(listed)
    assert mypy["files"] == ["scripts", "core/text-tools/src", "seeds/notes/src", "seeds/web/src"]
    assert rules(cli, listed) == []


def test_the_teams_entries_stay_and_a_core_package_missing_from_strict(
    listed: Path, cli: Cli
) -> None:
    manifest = listed / "pyproject.toml"
    manifest.write_text(
        manifest.read_text()
        .replace('"acme.legacy.*", "acme.text_tools.*"', '"acme.legacy.*"')
        .replace('"stubs", ', '"stubs", "tools/src", "seeds/gone/src", ')
    )
    commit_all(listed, "lists edited by hand")
    assert [v["message"].split(";")[0] for v in rules(cli, listed)] == [  # type: ignore[union-attr]
        "[tool.mypy] mypy_path has seeds/gone/src (no package's src/ now)",
        "[[tool.mypy.overrides]] module (the strict one) lacks acme.text_tools.*",
    ]
    fixed = cli("check", "--fix", cwd=listed)
    assert fixed.stdout.splitlines()[:3] == [
        "Fixed:",
        "  pyproject.toml: [tool.mypy] mypy_path: removed seeds/gone/src",
        "  pyproject.toml: [[tool.mypy.overrides]] module (the strict one): added "
        "acme.text_tools.*",
    ]
    mypy = mypy_settings(listed)
    assert mypy["mypy_path"] == [
        "stubs", "tools/src", "core/text-tools/src", "seeds/notes/src", "seeds/web/src",
    ]  # fmt: skip
    assert mypy["files"] == ["scripts", "core/text-tools/src", "seeds/notes/src", "seeds/web/src"]
    assert rules(cli, listed) == []


def test_a_workspace_without_mypy_lists_is_fine(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"web": [], "notes": []})
    run("git", "rm", "-rq", "seeds/notes", cwd=root)
    commit_all(root, "notes deleted by hand")
    assert rules(cli, root) == []
    manifest = root / "pyproject.toml"
    manifest.write_text(manifest.read_text() + '\n[tool.mypy]\nfiles = ["seeds/notes/src"]\n')
    commit_all(root, "files, but no mypy_path: not proto's to keep")
    assert rules(cli, root) == []
    before = snapshot(root)
    dry = cli("check", "--fix", "--dry-run", cwd=root).stdout
    assert dry.startswith("Nothing for --fix to change.\n")
    assert snapshot(root) == before


def test_retire_reports_the_mypy_edit_and_the_way_back(listed: Path, cli: Cli) -> None:
    last = run("git", "rev-parse", "--short=12", "HEAD", cwd=listed).strip()
    before = snapshot(listed)
    dry = cli("retire", "notes", "--dry-run", "--commit", cwd=listed)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Would retire:",
        "  seeds/notes (3 tracked files)",
        "Would rewrite:",
        "  pyproject.toml (mypy lists)",
        "Would relock: uv lock",
        "Would commit: Retire notes",
        f"seeds/notes is last in commit {last} ('Start', Test Maker); to bring it back: "
        f"git checkout {last} -- seeds/notes && proto check --fix",
    ]  # pyproject.toml is not under "Still mention": retire rewrites its only mentions
    assert snapshot(listed) == before
    done = cli("retire", "notes", "--commit", cwd=listed)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:5] == [
        "Retired:",
        "  seeds/notes (3 tracked files)",
        "Edited:",
        "  pyproject.toml (mypy lists)",
        "Relocked: uv lock",
    ]
    assert not any(line.startswith("Still mention") for line in lines)
    shown = run("git", "show", "--stat", "--format=", "HEAD", cwd=listed)
    assert "pyproject.toml" in shown
    assert run("git", "status", "--porcelain", cwd=listed) == ""


def test_retire_still_names_other_mentions_in_the_root_manifest(listed: Path, cli: Cli) -> None:
    manifest = listed / "pyproject.toml"
    manifest.write_text(manifest.read_text() + "\n# notes: see seeds/notes/README.md\n")
    commit_all(listed, "a comment")
    dry = cli("retire", "notes", "--dry-run", cwd=listed)
    assert dry.stdout.splitlines()[-2:] == [
        "Still mention the retired folders (left as they are):",
        "  pyproject.toml",
    ]
    assert "  pyproject.toml (mypy lists)" in dry.stdout.splitlines()


@pytest.mark.parametrize("args", [["graduate", "web", "--force"], ["demote", "text-tools"]])
def test_graduate_and_demote_list_the_root_manifest_once(
    listed: Path, cli: Cli, args: list[str]
) -> None:
    """Both rewrite the root manifest's mentions of the old path and sync its mypy lists."""
    result = cli(*args, "--commit", cwd=listed)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    edited = lines[lines.index("Edited (mentions of the old paths, stage settings):") + 1 :]
    edited = [line for line in edited if line.startswith("  ")]
    assert edited.count("  pyproject.toml") == 1, result.stdout
    assert rules(cli, listed) == []
    assert run("git", "status", "--porcelain", cwd=listed) == ""
