"""`proto depend CONSUMER PROVIDER...`: add or remove workspace dependencies."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import DryRun
from seedbed.cli.output import progress


def command(
    consumer: Annotated[
        str, typer.Argument(help="The package that uses the others.", metavar="CONSUMER")
    ],
    providers: Annotated[
        list[str], typer.Argument(help="The packages it uses.", metavar="PROVIDER")
    ],
    remove: Annotated[bool, typer.Option("--remove", help="Take the dependencies out.")] = False,
    dry_run: DryRun = False,
) -> None:
    """Add (or --remove) workspace dependencies of CONSUMER on PROVIDER..., then relock."""
    from seedbed.cli.session import writing
    from seedbed.operations import depend

    with writing(dry_run) as workspace:
        plan = depend.plan_depend(workspace, consumer, providers, remove=remove)
        who = plan.consumer.short
        for provider in plan.unchanged:
            state = "does not depend" if remove else "already depends"
            typer.echo(f"{who} {state} on {provider.short}: nothing to do")
        if not plan.change and not plan.missing:
            return
        names = ", ".join(plan.names)
        manifest = plan.consumer.manifest
        if dry_run:
            action = f"remove {names} from" if remove else f"add {names} to"
            typer.echo(f"Would {action} {manifest}, then run: uv lock")
            return
        with progress("Editing and relocking"):
            depend.apply(plan)
    state = "no longer depends" if remove else "now depends"
    typer.echo(f"{who} {state} on {names} ({manifest}); relocked uv.lock")
