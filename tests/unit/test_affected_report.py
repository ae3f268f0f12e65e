"""`proto affected`'s machine formats: GitHub matrices split at GitHub's job limit, and shards
of packages for `proto run` (--max-jobs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedbed.errors import InvalidInputError
from seedbed.model.workspace import Package
from seedbed.operations.affected import GITHUB_MATRIX_LIMIT, Affected, matrices, shards
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


def test_shards_hold_any_number_of_packages_in_one_matrix() -> None:
    packages = tuple(
        Package(f"p{i:04d}", "seed", Path(f"seeds/p{i:04d}"), f"acme-p{i:04d}", "0.1.0")
        for i in range(5000)
    )
    found = Affected(Selection("abc", {p.short: "changed" for p in packages}), packages)
    matrix = shards(found, 8)
    include = matrix["include"]
    assert [entry["shard"] for entry in include] == [f"{n}/8" for n in range(1, 9)]
    assert [entry["count"] for entry in include] == [625] * 8
    names = [name for entry in include for name in str(entry["packages"]).split()]
    assert names == [p.short for p in packages]  # every package once, in dependency order
    assert len(json.dumps(matrix)) < 100_000  # far below GitHub's 1 MB of job outputs
    uneven = shards(Affected(found.selection, packages[:10]), 4)["include"]
    assert [entry["count"] for entry in uneven] == [3, 3, 2, 2]
    assert shards(Affected(found.selection, packages[:2]), 4)["include"][1] == {
        "shard": "2/2", "count": 1, "packages": "p0001",
    }  # fmt: skip
    assert shards(Affected(Selection("abc", {}), ()), 4) == {"include": []}
    for bad in (0, 257):
        with pytest.raises(InvalidInputError, match="--max-jobs must be between 1 and 256"):
            shards(found, bad)
