"""Version arithmetic: bumps (PEP 440)."""

from __future__ import annotations

import pytest

from seedbed.operations.version import bumped


@pytest.mark.parametrize(
    ("current", "bump", "expected"),
    [
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.9", "minor", "0.2.0"),
        ("1.4.2", "major", "2.0.0"),
        ("1.2.3", "pre", "1.2.4rc1"),
        ("1.2.4rc1", "pre", "1.2.4rc2"),
        ("2.0.0a1", "pre", "2.0.0a2"),
        ("1.2.4rc2", "patch", "1.2.4"),
        ("1.3.0rc1", "minor", "1.3.0"),
        ("2.0.0b3", "major", "2.0.0"),
        ("1.3.1rc1", "minor", "1.4.0"),
        ("1", "patch", "1.0.1"),
    ],
)
def test_bumps(current: str, bump: str, expected: str) -> None:
    assert bumped(current, bump) == expected  # type: ignore[arg-type]
