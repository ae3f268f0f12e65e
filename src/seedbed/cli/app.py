"""The `proto` command line: the command table, global options and error handling.

Each command has its own module in `seedbed.cli`; each imports its operation (and through it
Copier, tomlkit or rich) inside its body, so `proto --help` and the read-only commands start
fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from typer import _click
from typer.core import TyperCommand

from seedbed import __version__
from seedbed.errors import EXIT_USAGE, Interrupted, ProtoError, redact


def _version(value: bool) -> None:
    if value:
        typer.echo(f"proto (seedbed) {__version__}")
        raise typer.Exit


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


GLOBAL_OPTIONS = ("-C", "--directory", "--version")

# The command table, in the order `proto --help` lists it: each is `seedbed.cli.<name>.command`.
COMMANDS = (
    "init", "new", "depend", "list", "graph", "graduate", "demote", "rename", "retire",
    "rescope", "check", "affected", "run", "sheriff", "version", "publish", "update", "kinds",
    "doctor",
)  # fmt: skip


class Command(TyperCommand):
    """A command whose usage line and argument list name arguments the way the docs write
    them (`DEST`, `[NAME]...`, `PROVIDER...`): typer 0.29 would show `{DEST}` and types such as
    `<path>` or `<list[str]>`."""

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        """`[OPTIONS]`, then each argument as people write it."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name, more = _argument_label(param)
                pieces.append((name if param.required else f"[{name}]") + more)
        return pieces

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """The Arguments and Options sections, arguments without their Python type."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(("".join(_argument_label(param)), record[1]))
            else:
                options.append(record)
        for title, records in (("Arguments", arguments), ("Options", options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


def _argument_label(param: _click.Parameter) -> tuple[str, str]:
    """An argument's name and `...` when it takes several values."""
    return param.metavar or (param.name or "").upper(), "..." if param.nargs != 1 else ""


def application(names: Iterable[str] = COMMANDS, *, runnable: bool = True) -> typer.Typer:
    """The `proto` app with the commands *names* (all of them by default). Not *runnable*:
    each command only shows its help in the command list (`proto --help`, a mistyped name),
    which spares building every command's options (~45 ms)."""
    app = typer.Typer(
        name="proto",
        help="Bootstrap and tend a prototyping monorepo: one git repo, one uv workspace, every "
        "prototype its own package (seeds/ for experiments, core/ for what others rely on).",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    for name in names:
        function = importlib.import_module(f"seedbed.cli.{name}").command
        app.command(name, cls=Command)(function if runnable else _listed(function))
    return app


def _listed(function: Callable[..., None]) -> Callable[[], None]:
    """A stand-in for a command in the command list: its help, no options, no body."""

    def listed() -> None:
        raise AssertionError("a command of the list only was run")  # `requested` prevents it

    listed.__doc__ = function.__doc__
    return listed


def requested(argv: list[str]) -> tuple[str, ...]:
    """The commands a command line needs: the one it names, when it names one after the global
    options; else all (for `proto --help`, and so that a mistyped name gets click's error).
    Importing and building one command instead of all saves ~70 ms of every run."""
    words = iter(argv)
    for word in words:
        if word in ("-C", "--directory"):
            next(words, None)
        elif word in COMMANDS:
            return (word,)
        elif word in ("-h", "--help") or not word.startswith("-"):
            break
    return COMMANDS


def fail(message: str, hint: str | None, code: int) -> NoReturn:
    """Print one `error:` line (and a `hint:` line) on stderr and exit with *code*."""
    typer.echo(f"error: {redact(message)}", err=True)
    if hint:
        typer.echo(f"hint: {redact(hint)}", err=True)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `proto` script: turns every known failure into an `error:` line."""
    from typer.main import get_command

    args = sys.argv[1:] if argv is None else argv
    names = requested(args)
    runnable = len(names) == 1 or any(word in COMMANDS for word in args)
    command = get_command(application(names, runnable=runnable))
    try:
        code = command.main(args=args, prog_name="proto", standalone_mode=False)
    except ProtoError as error:
        if os.environ.get("PROTO_DEBUG") == "1":
            raise
        fail(error.message, error.hint, error.exit_code)
    except _click.exceptions.NoArgsIsHelpError as error:
        typer.echo(error.format_message())
        sys.exit(EXIT_USAGE)
    except _click.exceptions.UsageError as error:
        ctx = error.ctx  # None for an option's missing value: then the command named
        if ctx is not None:
            where = ctx.command_path
        else:
            where = f"proto {names[0]}" if len(names) == 1 else "proto"
        hint = f"see `{where} --help`"
        option = getattr(error, "option_name", None)
        if isinstance(error, _click.exceptions.NoSuchOption) and option in GLOBAL_OPTIONS:
            verb = where.removeprefix("proto").strip()
            usage = (
                "proto --version" if option == "--version" else f"proto {option} PATH {verb} ..."
            )
            hint = f"{option} is a global option: it goes before the command (`{usage}`)"
        fail(_first_lower(error.format_message()), hint, EXIT_USAGE)
    except _click.exceptions.ClickException as error:
        fail(error.format_message(), None, error.exit_code)
    except typer.Abort:
        fail("aborted", None, 130)
    except KeyboardInterrupt:
        fail("interrupted (Ctrl-C); every change was undone", None, 130)
    except Interrupted as stop:
        fail(f"stopped by {stop}; every change was undone", None, 128 + stop.signum)
    except OSError as error:  # the disk is full, a file is read-only, ...
        if os.environ.get("PROTO_DEBUG") == "1":
            raise
        where = f": {error.filename}" if error.filename else ""
        fail(
            f"{error.strerror or error}{where}",
            "fix that (free some space, check permissions) and run the command again",
            1,
        )
    except Exception as error:  # a bug in proto: still one line, and the way to see more
        if os.environ.get("PROTO_DEBUG") == "1":
            raise
        fail(
            f"internal error: {type(error).__name__}: {error}",
            "this is a bug in proto; rerun with PROTO_DEBUG=1 for the traceback and report it",
            1,
        )
    sys.exit(code if isinstance(code, int) else 0)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
