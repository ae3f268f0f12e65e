"""Fixtures of the in-process command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_workspace


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """web -> url-parser -> text-tools, and a lone notes; all seeds, committed."""
    return make_workspace(
        tmp_path / "acme",
        {"text-tools": [], "url-parser": ["text-tools"], "web": ["url-parser"], "notes": []},
    )
