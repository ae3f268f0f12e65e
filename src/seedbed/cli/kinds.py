"""`proto kinds`: the package kinds on offer."""

from __future__ import annotations

import typer

from seedbed.cli.options import Json
from seedbed.cli.output import echo_json


def command(json: Json = False) -> None:
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
    from seedbed.model import workspace
    from seedbed.operations import kinds

    found = kinds.plan_kinds(workspace.load(packages=False))  # package manifests: not needed
    if json:
        echo_json(kinds.records(found))
        return
    width = max(len(kind.name) for kind in found)
    for kind in found:
        text = f"{kind.description}, " if kind.description else ""
        typer.echo(f"{kind.name.ljust(width)}  {text}{kind.describe()}")
