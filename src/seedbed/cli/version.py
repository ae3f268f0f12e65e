"""`proto version [NAME...]`: show or change package versions."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from seedbed.cli.options import Affected, DryRun, Json, Names, Since
from seedbed.cli.output import echo_json, progress, warn


class BumpOption(StrEnum):
    """Which part of the version to bump."""

    major = "major"
    minor = "minor"
    patch = "patch"
    pre = "pre"


def command(
    names: Names = None,
    bump: Annotated[
        BumpOption | None,
        typer.Option(
            help="major, minor, patch, or pre (1.2.3 -> 1.2.4rc1 -> 1.2.4rc2); a pre-release "
            "or .dev release is finished (1.0.0.dev3 --bump patch -> 1.0.0)."
        ),
    ] = None,
    set_: Annotated[
        str | None,
        typer.Option("--set", metavar="X.Y.Z", help="Set this version (PEP 440, not local)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="With --set: allow a version lower than the current.")
    ] = False,
    affected: Affected = False,
    since: Since = None,
    all_packages: Annotated[
        bool, typer.Option("--all", help="Change every package's version.")
    ] = False,
    json: Json = False,
    dry_run: DryRun = False,
) -> None:
    """Show package versions, or change them with --bump or --set (then relock).

    Shows every package when none is named; changing needs names, --affected or --all.
    """
    from seedbed.cli.session import writing
    from seedbed.operations import version

    changing = bump is not None or set_ is not None
    with writing(dry_run or not changing) as workspace:
        plan = version.plan_version(
            workspace,
            names or [],
            ref=since,
            use_affected=affected,
            all_packages=all_packages,
            bump=bump.value if bump else None,
            new=set_,
            force=force,
        )
        if plan.warning is not None:
            warn(*plan.warning)
        if plan.changing and not dry_run:
            with progress("Writing versions and relocking"):
                version.apply(plan)
    if json:
        echo_json([
            {"name": c.package.short, "distribution": c.package.distribution,
             "version": c.new, "previous": c.old}
            for c in plan.changes
        ])  # fmt: skip
        return
    if not plan.changes:
        typer.echo("No packages selected: no version to show or change.")
    for change in plan.changes:
        if change.new == change.old:
            typer.echo(f"{change.package.short} {change.old}")
        else:
            verb = "would become" if dry_run else "->"
            typer.echo(f"{change.package.short} {change.old} {verb} {change.new}")
