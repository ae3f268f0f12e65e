"""The `proto` command line: parse arguments, call one operation, print its result.

Heavy modules (Copier, GitPython, rich) are imported inside the commands that use them, so
`proto --help` and the read-only commands start fast.
"""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from seedbed import __version__
from seedbed.errors import EXIT_USAGE, ProtoError

app = typer.Typer(
    name="proto",
    help="Bootstrap and tend a prototyping monorepo: one git repo, one uv workspace, "
    "every prototype its own package (seeds/ for experiments, core/ for what others rely on).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Kind(StrEnum):
    """Built-in package kinds."""

    lib = "lib"
    cli = "cli"
    app = "app"


class ImportStyleOption(StrEnum):
    """How packages are imported."""

    namespace = "namespace"
    flat = "flat"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"proto (seedbed) {__version__}")
        raise typer.Exit


@app.callback()
def root(
    directory: Annotated[
        Path | None,
        typer.Option("-C", "--directory", help="Act as if proto was started in this folder."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Global options."""
    if directory is not None:
        if not directory.is_dir():
            raise typer.BadParameter(f"{directory} is not a folder", param_hint="-C/--directory")
        os.chdir(directory)


DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be created; change nothing.")
]


@app.command()
def init(
    dest: Annotated[Path, typer.Argument(help="New or empty folder for the workspace.")],
    scope: Annotated[
        str | None,
        typer.Option(help="Team prefix of every package name. Default: DEST's folder name."),
    ] = None,
    python: Annotated[
        str | None,
        typer.Option(help="Python version X.Y for the workspace. Default: the running one."),
    ] = None,
    description: Annotated[str | None, typer.Option(help="One line about the workspace.")] = None,
    import_style: Annotated[
        ImportStyleOption,
        typer.Option(
            help="namespace: import acme_protos.url_parser; flat: import acme_protos_url_parser."
        ),
    ] = ImportStyleOption.namespace,
    author_name: Annotated[str | None, typer.Option(help="Default: git config user.name.")] = None,
    author_email: Annotated[
        str | None, typer.Option(help="Default: git config user.email.")
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a workspace in DEST: render the template, git init, uv lock, first commit."""
    from seedbed import render_output, scaffold

    plan = scaffold.plan_init(
        dest,
        scope,
        python,
        description,
        "flat" if import_style is ImportStyleOption.flat else "namespace",
        author_name,
        author_email,
    )
    with _progress("Creating the workspace (render, git init, uv lock)", dry_run):
        result = scaffold.init_workspace(plan, dry_run=dry_run)
    render_output.init_report(result, dry_run=dry_run)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="Short name, e.g. url-parser.")],
    kind: Annotated[
        Kind, typer.Option(help="lib: a library; cli: a typer command; app: a Starlette web app.")
    ] = Kind.lib,
    depends_on: Annotated[
        list[str] | None,
        typer.Option(
            "--depends-on", help="A workspace package this one uses (repeatable).", metavar="PKG"
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(help="One line about the package.")] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a package in seeds/NAME from the package template and relock the workspace."""
    from seedbed import render_output, scaffold, workspace

    plan = scaffold.plan_new(workspace.load(), name, kind.value, depends_on or [], description)
    with _progress(f"Creating {plan.path.as_posix()} and relocking", dry_run):
        result = scaffold.new_package(plan, dry_run=dry_run)
    render_output.new_report(result, dry_run=dry_run)


def _progress(message: str, dry_run: bool) -> AbstractContextManager[None]:
    from seedbed.console import progress

    return progress("Rendering a preview" if dry_run else message)


def fail(message: str, hint: str | None, code: int) -> NoReturn:
    """Print one `error:` line (and a `hint:` line) on stderr and exit with *code*."""
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"hint: {hint}", err=True)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `proto` script: turns every known failure into an `error:` line."""
    from typer import _click
    from typer.main import get_command

    command = get_command(app)
    try:
        code = command.main(args=argv, prog_name="proto", standalone_mode=False)
    except ProtoError as error:
        if os.environ.get("PROTO_DEBUG") == "1":
            raise
        fail(error.message, error.hint, error.exit_code)
    except _click.exceptions.NoArgsIsHelpError as error:
        typer.echo(error.format_message())
        sys.exit(EXIT_USAGE)
    except _click.exceptions.UsageError as error:
        ctx = error.ctx
        where = ctx.command_path if ctx is not None else "proto"
        fail(_first_lower(error.format_message()), f"see `{where} --help`", EXIT_USAGE)
    except _click.exceptions.ClickException as error:
        fail(error.format_message(), None, error.exit_code)
    except typer.Abort:
        fail("aborted", None, 130)
    except KeyboardInterrupt:
        fail("interrupted", None, 130)
    sys.exit(code if isinstance(code, int) else 0)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
