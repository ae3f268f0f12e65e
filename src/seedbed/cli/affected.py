"""`proto affected`: the packages changed since a ref, and their dependents."""

from __future__ import annotations

import json as jsonlib
from enum import StrEnum
from typing import Annotated

import typer

from seedbed.cli.output import echo_json, warn


class AffectedFormat(StrEnum):
    """Output formats of `proto affected`."""

    names = "names"
    json = "json"
    github_matrix = "github-matrix"


def command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REF",
            help="Compare with this ref. Default: origin/HEAD, origin/main or origin/master, "
            "else HEAD.",
        ),
    ] = None,
    format: Annotated[
        AffectedFormat, typer.Option("--format", help="Output format.")
    ] = AffectedFormat.names,
    all_packages: Annotated[
        bool, typer.Option("--all", help="Select every package (e.g. in a shallow clone).")
    ] = False,
    max_jobs: Annotated[
        int | None,
        typer.Option(
            "--max-jobs",
            metavar="N",
            min=1,
            max=256,  # GitHub's limit of jobs per matrix
            help="With github-matrix: one matrix of at most N shards, each listing its packages.",
        ),
    ] = None,
) -> None:
    """Packages changed since REF (committed, staged, unstaged, untracked) and their dependents.

    github-matrix prints one JSON object per line, each ready for `strategy.matrix` and holding
    at most 256 packages (GitHub's job limit); usually there is exactly one line. With
    --max-jobs N it prints one matrix of at most N shards instead, each entry holding a share
    of the packages (`packages`: space-separated names), so any number of packages fits.
    """
    from seedbed.errors import InvalidInputError
    from seedbed.model import workspace
    from seedbed.operations import affected

    if max_jobs is not None and format is not AffectedFormat.github_matrix:
        raise InvalidInputError("--max-jobs goes with --format github-matrix")
    found = affected.plan_affected(workspace.load(), since, all_packages=all_packages)
    if found.selection.warning is not None:
        warn(*found.selection.warning)
    if max_jobs is not None:
        typer.echo(jsonlib.dumps(affected.shards(found, max_jobs), separators=(",", ":")))
    elif format is AffectedFormat.names:
        for package in found.packages:
            typer.echo(package.short)
    elif format is AffectedFormat.json:
        echo_json(affected.report(found))
    else:
        for matrix in affected.matrices(found):
            typer.echo(jsonlib.dumps(matrix, separators=(",", ":")))
