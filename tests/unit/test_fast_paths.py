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


def cli_modules_after(*argv: str) -> set[str]:
    code = (
        "import sys\nfrom seedbed.cli.app import main\ntry:\n"
        f"    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(m for m in sys.modules if m.startswith('seedbed.cli.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return set(result.stdout.split())


def test_a_command_line_builds_only_the_command_it_names() -> None:
    """Importing and building all nineteen commands costs ~70 ms that `proto list` need not pay."""
    from seedbed.cli.app import COMMANDS

    shared = {"seedbed.cli.app", "seedbed.cli.options", "seedbed.cli.output"}
    commands = {f"seedbed.cli.{name}" for name in COMMANDS}
    assert cli_modules_after("-C", ".", "list", "--help") & commands == {"seedbed.cli.list"}
    assert cli_modules_after("--directory", "graph", "list", "--help") & commands == {
        "seedbed.cli.list"  # `graph` is -C's folder here
    }
    assert cli_modules_after("--help") >= commands | shared  # every command is listed
    assert cli_modules_after("lst") >= commands  # so that click can say "did you mean 'list'"
