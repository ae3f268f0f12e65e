"""Run the `uv` binary that ships with the `uv` package (so no separate uv install is needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from seedbed.errors import ProtoError, ToolFailedError


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


def lock(root: Path) -> None:
    """Bring uv.lock in line with the manifests."""
    run_uv(["lock"], root)
