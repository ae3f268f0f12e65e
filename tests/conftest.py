"""Shared fixtures: the installed `proto` command, hermetic git, and real workspaces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
PROTO = BIN / "proto"

Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session", autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A git identity of our own, no system or user config, and the venv's tools on PATH."""
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test Maker\n\temail = maker@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_GLOBAL", str(config))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        patch.delenv("PROTO_DEBUG", raising=False)
        patch.delenv("VIRTUAL_ENV", raising=False)
        yield


@pytest.fixture(scope="session")
def proto() -> Runner:
    """Run the installed `proto` command; returns the completed process (never raises)."""
    assert PROTO.exists(), f"the proto script is not installed next to {sys.executable}"

    def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
        return subprocess.run(
            [str(PROTO), *map(str, args)],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            check=False,
        )

    return run


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command that must succeed; return its stdout."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def snapshot(root: Path) -> dict[str, object]:
    """Everything a failed command must leave as it was: files, git status and git index."""
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
    dirs = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_dir() and ".git" not in path.relative_to(root).parts
    )
    status = run("git", "status", "--porcelain=v1", "--untracked-files=all", cwd=root)
    index = run("git", "ls-files", "--stage", cwd=root)
    return {"files": files, "dirs": dirs, "status": status, "index": index}


@pytest.fixture(scope="session")
def base_workspace(tmp_path_factory: pytest.TempPathFactory, proto: Runner) -> Path:
    """One `proto init` per test session; tests get copies of it."""
    parent = tmp_path_factory.mktemp("base")
    result = proto("init", "acme-protos", cwd=parent)
    assert result.returncode == 0, result.stderr
    return parent / "acme-protos"


@pytest.fixture
def workspace(base_workspace: Path, tmp_path: Path) -> Path:
    """A fresh copy of a just-initialised workspace (git history, uv.lock and all)."""
    target = tmp_path / "acme-protos"
    shutil.copytree(base_workspace, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def base_graph_workspace(
    tmp_path_factory: pytest.TempPathFactory, base_workspace: Path, proto: Runner
) -> Path:
    """Three committed seeds: web -> url-parser -> text-tools, plus a lone `notes`."""
    root = tmp_path_factory.mktemp("graph") / "acme-protos"
    shutil.copytree(base_workspace, root, symlinks=True)
    for args in (
        ["new", "text-tools"],
        ["new", "url-parser", "--depends-on", "text-tools"],
        ["new", "web", "--kind", "app", "--depends-on", "url-parser"],
        ["new", "notes"],
    ):
        result = proto(*args, cwd=root)
        assert result.returncode == 0, result.stderr
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "Add packages", cwd=root)
    return root


@pytest.fixture
def graph_workspace(base_graph_workspace: Path, tmp_path: Path) -> Path:
    """A fresh copy of the three-seed workspace."""
    target = tmp_path / "acme-protos"
    shutil.copytree(base_graph_workspace, target, symlinks=True)
    return target
