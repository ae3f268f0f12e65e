"""`proto run TASK...`: run lint, typecheck, test, build or the team's tasks on packages."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import Affected, Json, Since
from seedbed.cli.output import warn

Packages = Annotated[
    list[str] | None,
    typer.Option(
        "-p", "--package", metavar="NAME",
        help="A package to run on (short or distribution name; repeatable). Default: every "
        "package.",
    ),
]  # fmt: skip


def command(
    tasks: Annotated[
        list[str],
        typer.Argument(
            metavar="TASK",
            help="lint, typecheck, test, build, or a task of [tool.proto.tasks].",
            show_default=False,
        ),
    ],
    package: Packages = None,
    affected: Affected = False,
    since: Since = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "-j", "--jobs", min=1, metavar="N", help="Tasks at once. Default: the number of CPUs."
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Run every task, even those the cache has.")
    ] = False,
    fail_fast: Annotated[
        bool,
        typer.Option("--fail-fast", help="Start nothing more after a failure that fails the run."),
    ] = False,
    seeds_fix_forward: Annotated[
        bool,
        typer.Option(
            "--seeds-fix-forward",
            help="A seed's failure is reported but does not fail the run; a core failure does.",
        ),
    ] = False,
    json: Json = False,
) -> None:
    """Run TASKs on packages, side by side, each in an environment holding only the package
    and its declared dependencies; skip what already passed on the same content.

    Built-in tasks: lint (ruff check and ruff format --check, the stage's profile), typecheck
    (mypy; --strict in core), test (pytest), build (uv build into dist/NAME/, in dependency
    order). A passing task is cached under a key of everything it depends on (.proto/cache/ or
    PROTO_CACHE_DIR). Exit 1 when a task failed (a seed's, with --seeds-fix-forward: not).
    """
    import os

    from seedbed.cli import run_report
    from seedbed.operations import run

    options = run.RunOptions(
        jobs=jobs or os.cpu_count() or 1,
        no_cache=no_cache,
        fail_fast=fail_fast,
        seeds_fix_forward=seeds_fix_forward,
    )
    found, cache = run.load()
    plan = run.plan_run(
        found, tasks, package or [], use_affected=affected, since=since, options=options,
        cache=cache,
    )  # fmt: skip
    if plan.warning is not None:
        warn(*plan.warning)
    with run_report.reporter(plan) as reporter:
        result = run.apply(plan, reporter)
    run_report.conclude(plan, result, json=json)
