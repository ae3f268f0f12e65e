"""`proto affected`: the packages changed since a git ref, plus everything that depends on them,
in dependency order, as names, a JSON report or GitHub Actions matrices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seedbed.errors import InvalidInputError
from seedbed.model.graph import Graph
from seedbed.model.workspace import Package, Workspace
from seedbed.operations import select

GITHUB_MATRIX_LIMIT = 256


@dataclass(frozen=True)
class Affected:
    """The selection and the packages in it, providers before consumers."""

    selection: select.Selection
    packages: tuple[Package, ...]


def plan_affected(workspace: Workspace, ref: str | None, *, all_packages: bool) -> Affected:
    """What changed since *ref* (default: the upstream default branch), or every package."""
    graph = Graph.of(workspace)
    selection = select.affected(workspace, ref, graph, all_packages=all_packages)
    return Affected(selection, tuple(graph.packages[n] for n in selection.names(graph)))


def report(affected: Affected) -> dict[str, Any]:
    """The `--format json` report: the base commit and each package with why it is in."""
    return {
        "base": affected.selection.base,
        "packages": [
            {
                "name": package.short,
                "distribution": package.distribution,
                "path": package.path.as_posix(),
                "stage": package.stage,
                "reason": affected.selection.reasons[package.short],
            }
            for package in sorted(affected.packages, key=lambda p: p.short)
        ],
    }


def matrices(affected: Affected) -> list[dict[str, list[dict[str, str]]]]:
    """GitHub Actions `strategy.matrix` objects, at most 256 entries each."""
    include = [
        {
            "name": package.short,
            "path": package.path.as_posix(),
            "stage": package.stage,
            "distribution": package.distribution,
        }
        for package in affected.packages
    ]
    chunks = [
        include[start : start + GITHUB_MATRIX_LIMIT]
        for start in range(0, len(include), GITHUB_MATRIX_LIMIT)
    ]
    return [{"include": chunk} for chunk in chunks] or [{"include": []}]


def shards(affected: Affected, max_jobs: int) -> dict[str, list[dict[str, str | int]]]:
    """One GitHub Actions `strategy.matrix` of at most *max_jobs* shards, each with its share
    of the packages (contiguous in dependency order, sizes differing by one at most) as a
    space-separated list: any number of packages fits in one matrix."""
    if not 1 <= max_jobs <= GITHUB_MATRIX_LIMIT:
        raise InvalidInputError(
            f"--max-jobs must be between 1 and {GITHUB_MATRIX_LIMIT} (GitHub's limit per "
            f"matrix), not {max_jobs}"
        )
    names = [package.short for package in affected.packages]
    count = min(max_jobs, len(names))
    include: list[dict[str, str | int]] = []
    start = 0
    for index in range(count):
        size = len(names) // count + (1 if index < len(names) % count else 0)
        share = names[start : start + size]
        start += size
        include.append({"shard": f"{index + 1}/{count}", "count": len(share),
                        "packages": " ".join(share)})  # fmt: skip
    return {"include": include}
