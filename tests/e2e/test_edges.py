"""Situations a new user runs into: a workspace inside a bigger repository, odd files, an
update that fails half-way, names git would ignore, manifests edited into odd shapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import Runner, assert_clean_failure, make_history, render_old, run, snapshot

pytestmark = pytest.mark.e2e


def test_a_workspace_in_a_subfolder_of_a_repository(
    base_graph_workspace: Path, tmp_path: Path, proto: Runner
) -> None:
    mono = tmp_path / "mono"
    shutil.copytree(base_graph_workspace, mono / "protos", ignore=shutil.ignore_patterns(".git"))
    (mono / "README.md").write_text("Our monorepo of everything.\n")
    run("git", "init", "-q", cwd=mono)
    run("git", "add", "-A", cwd=mono)
    run("git", "commit", "-qm", "Everything", cwd=mono)
    root = mono / "protos"
    (root / "seeds/url-parser/README.md").write_text("changed\n")
    assert proto("affected", cwd=root).stdout.split() == ["url-parser", "web"]
    run("git", "checkout", "--", ".", cwd=mono)
    result = proto("graduate", "text-tools", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    shown = run("git", "show", "--name-status", "-M", "--format=", "HEAD", cwd=mono)
    assert "protos/core/text-tools/pyproject.toml" in shown
    assert proto("affected", "--since", "HEAD~1", cwd=root).stdout.split() == [
        "text-tools", "url-parser", "web"
    ]  # fmt: skip


def test_a_failed_update_puts_everything_back(tmp_path: Path, proto: Runner) -> None:
    bundle = make_history(tmp_path)
    root = tmp_path / "ws"
    answers = {"scope": "acme", "import_style": "namespace", "python_version": "3.11"}
    render_old(bundle, {"template": "workspace", **answers}, root)
    for name in ("one", "two"):
        package = {"template": "package", "name": name, "kind": "lib", "stage": "seed"}
        render_old(bundle, {**package, **answers}, root / "seeds" / name)
    broken = root / "seeds/two/.copier-answers.yml"
    answers_text = broken.read_text()
    gone = "https://git.example.invalid/gone.git"
    broken.write_text(answers_text.replace("https://seedbed.invalid/templates.git", gone))
    run("git", "init", "-q", cwd=root)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "old", cwd=root)
    before = snapshot(root)
    env = {"SEEDBED_TEMPLATE_HISTORY": str(bundle)}
    unreachable = proto("update", cwd=root, env=env)  # found out before anything changes
    assert_clean_failure(unreachable, 1, f"cannot reach the template repository {gone}")
    assert snapshot(root) == before
    # an answer the template refuses only shows when Copier renders `two`, after the others
    broken.write_text(answers_text.replace("name: two", "name: Two Words"))
    run("git", "commit", "-qam", "a bad answer", cwd=root)
    before = snapshot(root)
    result = proto("update", cwd=root, env=env)
    assert_clean_failure(result, 1, "updating two (seeds/two) failed, so nothing was updated")
    assert snapshot(root) == before  # the workspace and `one` were updated, then put back


def test_names_git_ignores_are_refused_and_build_is_fine(workspace: Path, proto: Runner) -> None:
    gitignore = workspace / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "seeds/secret-*/\n")
    run("git", "commit", "-qam", "ignore secrets", cwd=workspace)
    before = snapshot(workspace)
    assert_clean_failure(proto("new", "secret-sauce", cwd=workspace), 2, "git ignores")
    assert snapshot(workspace) == before
    assert proto("new", "build", cwd=workspace).returncode == 0
    assert "?? seeds/build/" in run("git", "status", "--porcelain", cwd=workspace)


def test_odd_files_and_odd_manifests(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    notes = root / "NOTES.txt"
    notes.write_bytes(b"see seeds/text-tools\r\nand more\r\n")
    (root / "legacy.txt").write_bytes(b"caf\xe9 seeds/text-tools\n")  # Latin-1, not UTF-8
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "odd files", cwd=root)
    result = proto("graduate", "text-tools", cwd=root)
    assert result.returncode == 0, result.stderr
    assert notes.read_bytes() == b"see core/text-tools\r\nand more\r\n"  # line endings kept
    assert (root / "legacy.txt").read_bytes() == b"caf\xe9 seeds/text-tools\n"  # left alone


def test_all_bumps_every_package(graph_workspace: Path, proto: Runner) -> None:
    bumped = proto("version", "--all", "--bump", "patch", cwd=graph_workspace)
    assert bumped.returncode == 0, bumped.stderr
    assert bumped.stdout.count("-> 0.1.1") == 4
