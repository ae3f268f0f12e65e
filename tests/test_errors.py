"""Bad input and bad situations: one `error:` line, the right exit code, nothing changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BIN, Runner, snapshot

pytestmark = pytest.mark.e2e


def assert_clean_failure(result: object, code: int, *needles: str) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == code, (result.returncode, stderr)  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert lines, "no message on stderr"
    assert lines[0].startswith("error: "), stderr
    assert all(line.startswith(("error: ", "hint: ")) for line in lines), stderr
    assert len([line for line in lines if line.startswith("error: ")]) == 1
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, (needle, stderr)


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
    ("acme-protos-taken", "already used by seeds/taken"),
    ("hand-made", "differs only by normalisation from seeds/hand_made"),
]


def test_bad_package_names_change_nothing(workspace: Path, proto: Runner) -> None:
    assert proto("new", "taken", cwd=workspace).returncode == 0
    (workspace / "seeds/hand_made").mkdir()
    (workspace / "seeds/hand_made/notes.txt").write_text("made by hand\n")
    before = snapshot(workspace)
    for name, needle in BAD_NAMES:
        assert_clean_failure(proto("new", name, cwd=workspace), 2, needle)
    assert snapshot(workspace) == before


def test_bad_options_and_references_change_nothing(workspace: Path, proto: Runner) -> None:
    before = snapshot(workspace)
    assert_clean_failure(proto("new", "x", "--kind", "gui", cwd=workspace), 2, "gui")
    assert_clean_failure(
        proto("new", "x", "--depends-on", "nope", cwd=workspace), 2, "no package named 'nope'"
    )
    assert_clean_failure(proto("new", "x", "--frobnicate", cwd=workspace), 2, "--frobnicate")
    assert_clean_failure(proto("new", cwd=workspace), 2, "proto new --help")
    assert_clean_failure(proto("-C", workspace / "nowhere", "new", "x"), 2, "not a folder")
    assert snapshot(workspace) == before


def test_outside_a_workspace(tmp_path: Path, proto: Runner) -> None:
    assert_clean_failure(
        proto("new", "x", cwd=tmp_path), 1, "not inside a seedbed workspace", "proto init"
    )
    assert list(tmp_path.iterdir()) == []


def test_corrupt_root_manifest(workspace: Path, proto: Runner) -> None:
    manifest = workspace / "pyproject.toml"
    manifest.write_text(manifest.read_text() + "\n[tool.proto\n")
    before = snapshot(workspace)
    assert_clean_failure(proto("new", "x", cwd=workspace / "seeds"), 1, "is not valid TOML")
    assert snapshot(workspace) == before


def test_failed_lock_rolls_new_back(workspace: Path, proto: Runner, tmp_path: Path) -> None:
    """uv cannot resolve typer offline with an empty cache: the package must not stay behind."""
    before = snapshot(workspace)
    offline = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    result = proto("new", "tool", "--kind", "cli", cwd=workspace, env=offline)
    assert_clean_failure(result, 1, "`uv lock` failed", "unsatisfiable")
    assert snapshot(workspace) == before


def test_init_refusals_leave_no_trace(tmp_path: Path, proto: Runner, workspace: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine\n")
    assert_clean_failure(proto("init", busy), 1, "is not empty")
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert_clean_failure(proto("init", a_file), 2, "is not a folder")

    assert_clean_failure(proto("init", tmp_path / "ws", "--scope", "Acme"), 2, "'acme'")
    assert_clean_failure(proto("init", tmp_path / "ws", "--python", "2.7"), 2, "X.Y")
    assert_clean_failure(proto("init", tmp_path / "123"), 2, "--scope")
    assert_clean_failure(proto("init", tmp_path / "ws", "--import-style", "deep"), 2, "deep")
    assert not (tmp_path / "ws").exists()

    before = snapshot(workspace)
    assert_clean_failure(
        proto("init", workspace / "seeds" / "inner"), 1, "inside the seedbed workspace"
    )
    assert snapshot(workspace) == before


def test_init_without_git(tmp_path: Path, proto: Runner) -> None:
    no_tools = tmp_path / "bin"
    no_tools.mkdir()
    result = proto("init", "ws", cwd=tmp_path, env={"PATH": str(no_tools)})
    assert_clean_failure(result, 1, "git is not installed")
    assert not (tmp_path / "ws").exists()


def test_init_keeps_the_workspace_when_the_lock_cannot_be_made(
    tmp_path: Path, proto: Runner
) -> None:
    offline = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    result = proto("init", "ws", cwd=tmp_path, env=offline)
    assert_clean_failure(result, 1, "the workspace was created", "`uv lock` failed", "uv lock")
    root = tmp_path / "ws"
    assert (root / "pyproject.toml").is_file()
    assert not (root / "uv.lock").exists()
    assert "Created the ws workspace" in result.stdout
    # The one command the hint names finishes the job.
    uv = shutil.which("uv", path=str(BIN))
    assert uv is not None
    import subprocess

    subprocess.run([uv, "lock"], cwd=root, check=True, capture_output=True)
    assert (root / "uv.lock").is_file()
