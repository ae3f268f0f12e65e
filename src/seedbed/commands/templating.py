"""`proto update` and `proto kinds`."""

from __future__ import annotations

import json as jsonlib
from typing import Annotated

import typer

from seedbed.commands.common import DryRun, Json, echo_list, progress
from seedbed.errors import EXIT_REFUSED


def update(
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
    trust: Annotated[
        bool, typer.Option("--trust", help="Allow templates that run tasks or migrations.")
    ] = False,
    json: Json = False,
    dry_run: DryRun = False,
) -> None:
    """Apply template updates (Copier's 3-way merge) to the workspace and its packages.

    Your edits are kept and the templates' changes merged in; where both changed the same
    lines, the file gets inline conflict markers and is listed. Needs a clean work tree.
    Exits 1 when conflicts are left to resolve.
    """  # fmt: skip
    from seedbed import update as operation
    from seedbed import workspace

    loaded = workspace.load()
    targets = operation.plan_update(loaded, names or [], template_source)
    with progress("Updating from the templates", dry_run):
        results, lock_problem = operation.apply(loaded, targets, dry_run=dry_run, trust=trust)
    if json:
        typer.echo(jsonlib.dumps([
            {"name": r.target.name, "path": r.target.path, "status": r.status,
             "from": r.target.current, "to": r.target.wanted, "changed": r.changed,
             "conflicts": r.conflicts}
            for r in results
        ], indent=2))  # fmt: skip
    else:
        for result in results:
            target = result.target
            if result.status == "current":
                typer.echo(f"{target.name}: already current ({target.current})")
                continue
            verb = "would update" if dry_run else "updated"
            changes = f"{len(result.changed)} file{'s' if len(result.changed) != 1 else ''}"
            wanted = target.wanted or "latest"
            if len(wanted) == 40:  # a commit of a folder kind: show it as git does
                wanted = wanted[:7]
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


def kinds(json: Json = False) -> None:
    """The package kinds on offer: built in (lib, cli, app) and the team's own.

    A team kind is a Copier template named in the root pyproject.toml:

    \b
    [tool.proto.kinds]
    widget = "templates/widget"       # a folder committed in this repository
    service = { url = "https://github.com/acme/service-template.git", version = "v1.2.0" }

    `proto new NAME --kind widget` renders it into seeds/NAME with the answers scope,
    import_style, name, kind, stage, python_version, author_name, author_email,
    description, distribution, import_name and import_path; its [project] name must be
    `{{ scope }}-{{ name }}`. Declare each value your template uses as a question in its
    copier.yml: Copier re-renders the old version from stored answers when it updates.
    """
    from seedbed import kinds as catalogue
    from seedbed import workspace

    found = catalogue.load(workspace.load())
    if json:
        typer.echo(jsonlib.dumps([
            {"name": k.name, "builtin": k.builtin, "source": k.url, "version": k.version,
             "path": k.folder, "description": k.description}
            for k in found.values()
        ], indent=2))  # fmt: skip
        return
    width = max(len(name) for name in found)
    for kind in found.values():
        text = f"{kind.description}, " if kind.description else ""
        typer.echo(f"{kind.name.ljust(width)}  {text}{kind.describe()}")
