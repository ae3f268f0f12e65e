"""Read-only paths stay fast: they never import Copier, GitPython, rich, tomlkit or LibCST."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("copier", "git", "rich", "plumbum", "tomlkit", "pydantic", "libcst")


def imported_modules(*argv: str, cwd: Path | None = None) -> set[str]:
    code = f"from seedbed.cli.app import main; main({list(argv)!r})"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True, text=True, cwd=cwd, check=False,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["new", "--help"], ["init", "-h"], ["run", "--help"],
     ["sheriff", "--help"]],
)  # fmt: skip
def test_help_and_version_import_nothing_heavy(argv: list[str]) -> None:
    loaded = imported_modules(*argv)
    assert "seedbed" in loaded
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


@pytest.mark.parametrize(
    "argv",
    [["new", "Bad_Name"], ["list", "--json"], ["graph"], ["check"], ["affected"], ["kinds"],
     ["version"], ["graduate", "nothing-here"], ["doctor"], ["update", "--check"],
     ["run", "no-such-task"], ["run", "test", "-p", "nothing-here"],
     ["rename", "nothing-here", "x"], ["demote", "nothing-here"], ["retire", "nothing-here"],
     ["rescope", "Bad_Scope"], ["check", "--fix", "--dry-run"], ["sheriff", "nothing-here"],
     ["sheriff", "notes", "--task", "no-such-task"]],
    ids=lambda argv: " ".join(argv),
)  # fmt: skip
def test_read_only_commands_import_nothing_heavy(base_workspace: Path, argv: list[str]) -> None:
    loaded = imported_modules(*argv, cwd=base_workspace)
    assert "seedbed" in loaded
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
