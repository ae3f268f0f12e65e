"""Run a program with its output captured: the one way task commands (ruff, mypy, pytest, a
team's own command lines) are started. Never through a shell; portable (the program is looked
up on the PATH the child gets, which Windows would not do by itself)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

NOT_FOUND = 127


@dataclass(frozen=True)
class Captured:
    """How a program ended: its exit code, its stdout and stderr as one text (in the order it
    wrote them), and how long it took."""

    code: int
    output: str
    seconds: float = 0.0


def run_captured(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Captured:
    """Run *argv* in *cwd* with *env* (default: this process's), stdout and stderr captured
    together; never raises for a failing or missing program (exit 127 and a message)."""
    environment = dict(os.environ if env is None else env)
    program = shutil.which(argv[0], path=environment.get("PATH")) or argv[0]
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [program, *argv[1:]],
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as error:
        return Captured(
            NOT_FOUND, f"cannot run {argv[0]}: {error.strerror or error}\n",
            time.perf_counter() - start,
        )  # fmt: skip
    return Captured(result.returncode, result.stdout, time.perf_counter() - start)
