"""`proto update [NAME...]`: apply template updates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from seedbed.cli.options import DryRun, Json, Trust
from seedbed.cli.output import echo_json, echo_list, plural, progress
from seedbed.errors import EXIT_REFUSED

if TYPE_CHECKING:
    from seedbed.operations.update import Target


def command(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Packages to update. Default: the workspace and every package.", metavar="NAME"
        ),
    ] = None,
    template_source: Annotated[
        str | None,
        typer.Option(
            help="A git URL or path of the seedbed templates to use instead of the history "
            "inside this seedbed (for versions it does not have).",
            metavar="URL-OR-PATH",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only say whether template updates are available: exit 1 listing them, "
            "0 when everything is current. Changes nothing; needs no clean work tree.",
        ),
    ] = False,
    trust: Trust = False,
    json: Json = False,
    dry_run: DryRun = False,
) -> None:
    """Apply template updates (Copier's 3-way merge) to the workspace and its packages.

    Your edits are kept and the templates' changes merged in; where both changed the same
    lines, the file gets inline conflict markers and is listed. Needs a clean work tree.
    Exits 1 when conflicts are left to resolve.
    """  # fmt: skip
    from seedbed.cli.session import writing
    from seedbed.operations import update

    with writing(dry_run or check) as loaded:
        targets = update.plan_update(loaded, names or [], template_source, check=check)
        if check:
            _report_available(update.available(targets), targets, json=json)
            return
        with progress("Updating from the templates", dry_run):
            results, lock_problem = update.apply(loaded, targets, dry_run=dry_run, trust=trust)
    if json:
        echo_json([
            {"name": r.target.name, "path": r.target.path, "status": r.status,
             "from": r.target.current, "to": r.target.wanted, "changed": r.changed,
             "conflicts": r.conflicts}
            for r in results
        ])  # fmt: skip
    else:
        for result in results:
            target = result.target
            if result.status == "current":
                typer.echo(f"{target.name}: already current ({target.current})")
                continue
            verb = "would update" if dry_run else "updated"
            changes = plural(len(result.changed), "file")
            wanted = _shown_version(target.wanted)
            typer.echo(f"{target.name}: {verb} {target.current} -> {wanted} ({changes})")
            echo_list("", [f"conflict: {path}" for path in result.conflicts])
        if any(r.conflicts for r in results):
            typer.echo(
                "\nResolve each conflict: keep what you want between `<<<<<<< before updating`"
                " (yours), `=======` and `>>>>>>> after updating` (the template's), delete the"
                " markers, then `git add FILE`."
            )
    if lock_problem:
        typer.echo(f"warning: uv.lock was not regenerated: {lock_problem}", err=True)
    if any(r.conflicts for r in results):
        raise typer.Exit(EXIT_REFUSED)


def _report_available(available: list[Target], targets: list[Target], *, json: bool) -> None:
    """`--check`: what an update would change, by target; exit 1 when there is something."""
    if json:
        echo_json([
            {"name": t.name, "path": t.path, "from": t.current, "to": t.wanted,
             "available": t in available}
            for t in targets
        ])  # fmt: skip
    elif available:
        echo_list(
            "Template updates are available (run `proto update` to take them in):",
            [f"{t.name}: {t.current or '?'} -> {_shown_version(t.wanted)}" for t in available],
        )
    else:
        typer.echo(f"Every template is current ({plural(len(targets), 'target')}).")
    if available:
        raise typer.Exit(EXIT_REFUSED)


def _shown_version(version: str | None) -> str:
    """A version as people read it: `latest` for none, a commit abbreviated as git does."""
    if version is None:
        return "latest"
    return version[:7] if len(version) == 40 else version
