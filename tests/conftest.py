"""Shared fixtures: hermetic git, the installed `proto` command, an in-process `proto`, and real
workspaces (made once per session, copied per test)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from tests.helpers import (
    ANSWERS,
    BIN,
    PROTO,
    Runner,
    commit_all,
    make_history,
    render_old,
    run,
)

# Property tests judge results, not speed: on a busy 2-core machine a deadline only adds noise.
settings.register_profile("seedbed", deadline=None)
settings.load_profile("seedbed")


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
    assert PROTO.exists(), f"the proto script is not installed next to {PROTO.parent}"

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


@dataclass
class InProcess:
    """What an in-process run of proto left (the same fields as a finished process)."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., InProcess]:
    """Run proto's command line in this process (fast: no interpreter start-up), from *cwd*."""
    from seedbed.cli.app import main

    def invoke(*args: str | Path, cwd: Path) -> InProcess:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            main([str(arg) for arg in args])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        out, err = capsys.readouterr()
        return InProcess(code, out, err)

    return invoke


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
    commit_all(root, "Add packages")
    return root


@pytest.fixture
def graph_workspace(base_graph_workspace: Path, tmp_path: Path) -> Path:
    """A fresh copy of the three-seed workspace."""
    target = tmp_path / "acme-protos"
    shutil.copytree(base_graph_workspace, target, symlinks=True)
    return target


@pytest.fixture
def old_workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A committed workspace with one package, both made from template v0.0.9, then edited."""
    bundle = make_history(tmp_path)
    root = tmp_path / "ws"
    render_old(bundle, {"template": "workspace", "seedbed_version": "0.0.9", **ANSWERS}, root)
    package = {"template": "package", "name": "tool", "kind": "lib", "stage": "seed"}
    render_old(bundle, {**package, **ANSWERS}, root / "seeds/tool")
    manifest = root / "pyproject.toml"  # the mypy lists, as `proto new` keeps them
    listed = 'files = ["seeds/tool/src"]\nmypy_path = ["seeds/tool/src"]\n'
    manifest.write_text(manifest.read_text().replace("files = []\nmypy_path = []\n", listed))
    assert listed in manifest.read_text()
    run("git", "init", "-q", cwd=root)
    run(BIN / "uv", "lock", cwd=root)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "Made with seedbed 0.0.9", cwd=root)
    # the user's own edits
    (root / "README.md").write_text((root / "README.md").read_text() + "\nOur own notes.\n")
    readme = root / "seeds/tool/README.md"
    readme.write_text(readme.read_text().replace("TODO: say more.", "It parses URLs, fast."))
    (root / ".vscode/settings.json").unlink()
    (root / "seeds/tool/tests/test_tool.py").unlink()
    manifest = root / "seeds/tool/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace("dependencies = [\n]", 'dependencies = ["six"]')
    )
    run(BIN / "uv", "lock", cwd=root)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "Our edits", cwd=root)
    return root, {"SEEDBED_TEMPLATE_HISTORY": str(bundle)}
