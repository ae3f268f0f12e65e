"""Failures only a real run shows: uv cannot lock (no index), so `new` rolls back and `init`
keeps the workspace with the one command that finishes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import BIN, Runner, assert_clean_failure, snapshot

pytestmark = pytest.mark.e2e


def test_failed_lock_rolls_new_back(workspace: Path, proto: Runner, tmp_path: Path) -> None:
    """uv cannot resolve typer offline with an empty cache: the package must not stay behind."""
    before = snapshot(workspace)
    offline = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    result = proto("new", "tool", "--kind", "cli", cwd=workspace, env=offline)
    assert_clean_failure(result, 1, "`uv lock` failed", "unsatisfiable")
    assert snapshot(workspace) == before


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
