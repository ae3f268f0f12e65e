"""`proto affected`'s machine formats: GitHub matrices split at GitHub's job limit."""

from __future__ import annotations

from pathlib import Path

from seedbed.model.workspace import Package
from seedbed.operations.affected import GITHUB_MATRIX_LIMIT, Affected, matrices
from seedbed.operations.select import Selection


def test_matrices_split_at_githubs_limit() -> None:
    packages = tuple(
        Package(f"p{i:03d}", "seed", Path(f"seeds/p{i:03d}"), f"acme-p{i:03d}", "0.1.0")
        for i in range(300)
    )
    selection = Selection("abc", {p.short: "changed" for p in packages})
    chunks = matrices(Affected(selection, packages))
    assert [len(c["include"]) for c in chunks] == [GITHUB_MATRIX_LIMIT, 300 - GITHUB_MATRIX_LIMIT]
    assert chunks[1]["include"][0]["name"] == "p256"
    assert matrices(Affected(Selection("abc", {}), ())) == [{"include": []}]
