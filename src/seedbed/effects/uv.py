"""Run the `uv` binary that ships with the `uv` package (so no separate uv install is needed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from seedbed.effects.process import Captured, run_captured
from seedbed.errors import ProtoError, ToolFailedError, summarize


def uv_binary() -> str:
    """The path of the uv binary: the one from the `uv` package, else one on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise ProtoError("uv is not installed", "install it with `python -m pip install uv`")


def version() -> str:
    """The version of the uv that seedbed runs (X.Y.Z)."""
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed

        return installed("uv")
    except PackageNotFoundError:
        return run_uv(["--version"], Path.cwd()).split()[1]


def run_uv(args: list[str], cwd: Path, hint: str | None = None) -> str:
    """Run `uv ARGS` in *cwd*; return its stdout, or raise ToolFailedError quoting its stderr."""
    command = [uv_binary(), *args]
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise ToolFailedError(["uv", *args], str(error), hint) from error
    if result.returncode != 0:
        raise ToolFailedError(["uv", *args], result.stderr or result.stdout, hint)
    return result.stdout


def python_available(version: str) -> bool:
    """Whether uv can find or download a Python *version* (X.Y) here (no download made)."""
    out = run_uv(["python", "list", version, "--all-versions", "--output-format", "json"], Path())
    try:
        return bool(json.loads(out))
    except ValueError:
        return True  # an older uv without JSON output: let `uv lock` decide


def lock_args(upgrade: tuple[str, ...] = ()) -> list[str]:
    """`uv lock`, upgrading *upgrade* (needed after a member moved: uv issue 10296)."""
    args = ["lock"]
    for distribution in upgrade:
        args += ["--upgrade-package", distribution]
    return args


def lock(root: Path, upgrade: tuple[str, ...] = ()) -> None:
    """Bring uv.lock in line with the manifests."""
    run_uv(lock_args(upgrade), root)


def start_lock_check(root: Path) -> subprocess.Popen[str]:
    """Start `uv lock --check` in the background, to overlap with other work.

    Not --offline: with an empty uv cache (a fresh CI runner) that fails even on a lock
    that matches the manifests.
    """
    return subprocess.Popen(
        [uv_binary(), "lock", "--check"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lock_check_problem(process: subprocess.Popen[str]) -> str | None:
    """Wait for a `uv lock --check` started by start_lock_check: None when the lock is
    current, else uv's reason in one line."""
    stdout, stderr = process.communicate()
    if process.returncode == 0:
        return None
    return summarize(stderr or stdout)[0]


def run_uv_captured(args: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> Captured:
    """Run `uv ARGS` with its output captured; a failure is returned, not raised (task runs
    report it as the task's output)."""
    return run_captured([uv_binary(), *args], cwd, env)


def sync_package_args(distribution: str, *, group: str | None) -> list[str]:
    """`uv sync` of one member into the project environment (UV_PROJECT_ENVIRONMENT): only the
    package, its declared dependencies and *group*, at the versions uv.lock holds."""
    args = ["sync", "--package", distribution, "--exact", "--frozen", "--no-progress"]
    return [*args, "--group", group] if group else args


def export_group_args(group: str) -> list[str]:
    """`uv export` of a dependency group of the workspace at its locked versions, as
    requirements with markers (no hashes, no workspace members)."""
    return ["export", "--frozen", "--only-group", group, "--no-emit-workspace", "--no-hashes",
            "--no-header", "--no-annotate", "--no-progress"]  # fmt: skip


def venv_args(path: Path, *, clear: bool) -> list[str]:
    """`uv venv` at *path*, replacing what is there when *clear* (uv picks the Python that
    .python-version asks for)."""
    return ["venv", "--quiet", "--clear" if clear else "--allow-existing", str(path)]


def install_locked_args(python: Path, requirements: Path) -> list[str]:
    """`uv pip install` of pinned requirements into the environment of *python*, taking
    nothing that is not listed (the list is a whole locked closure)."""
    return ["pip", "install", "--quiet", "--no-deps", "--python", str(python),
            "-r", str(requirements)]  # fmt: skip
