"""The project holds itself to its own bar: ruff lint and format, mypy strict, and the import
contracts that keep the layers honest (lint-imports)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import BIN, run

ROOT = Path(__file__).resolve().parents[2]
PATHS = (".",)  # everything ruff reads, the Python in docs/*.md too (.venv is excluded)


def test_ruff_lint_and_format_are_clean() -> None:
    run(BIN / "ruff", "check", *PATHS, cwd=ROOT)
    run(BIN / "ruff", "format", "--check", *PATHS, cwd=ROOT)


def test_mypy_strict_is_clean() -> None:
    run(BIN / "mypy", "--strict", "src/seedbed", cwd=ROOT)


def test_the_import_contracts_are_kept() -> None:
    out = run(BIN / "lint-imports", "--no-cache", cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")})
    assert "0 broken" in out
