"""`proto sheriff NAME...`: find the commit that turned a package's task red; revert it (core)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from seedbed.cli.options import Json
from seedbed.errors import ProtoError

if TYPE_CHECKING:
    from seedbed.operations.sheriff import Finding, Revert, SheriffPlan, SheriffResult

RULE = "-" * 8
CHOSEN = {
    "--good": "(--good)",
    "cache": "(the newest commit at which it passed, from the task cache)",
    "first": "(the package's first commit)",
}


def command(
    names: Annotated[
        list[str],
        typer.Argument(help="Red packages (short or distribution names).", metavar="NAME"),
    ],
    task: Annotated[
        str,
        typer.Option(
            "--task",
            metavar="TASK",
            help="The task that is red: lint, typecheck, "
            "test, build or a task of [tool.proto.tasks].",
        ),
    ] = "test",
    good: Annotated[
        str | None,
        typer.Option(
            "--good",
            metavar="REF",
            help="A commit at which the task passed. Default: the newest "
            "one the task cache recorded, else the package's first commit.",
        ),
    ] = None,
    revert: Annotated[
        bool,
        typer.Option(
            "--revert",
            help="Commit the revert of the culprit on the current branch "
            "(core packages only), once the task passes with it.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="With --revert: make the revert and run the task with it in the scratch "
            "worktree only; commit nothing. (Without --revert nothing changes anyway.)",
        ),
    ] = False,
    json: Json = False,
) -> None:
    """Find the commit that turned TASK red on each package: bisect the first-parent commits
    since the last good one that can change its result, in a scratch worktree (your work tree,
    index and branch are not touched), reusing the task cache.

    Core rolls back: with --revert, the culprit's revert is committed on the current branch,
    if it applies cleanly and the task passes with it. Seeds fix forward: they are never
    reverted. Exit 1 when a package is not red, already red at the good commit, flaky, or
    cannot be reverted.
    """
    from seedbed.cli.session import writing
    from seedbed.model.workspace import load
    from seedbed.operations import sheriff

    if revert:
        with writing(dry_run) as workspace:
            plan = sheriff.plan_sheriff(
                workspace, names, task=task, good=good, revert=True, dry_run=dry_run
            )
            result = _search(plan)
    else:
        plan = sheriff.plan_sheriff(load(), names, task=task, good=good)
        result = _search(plan)
    if json:
        from seedbed.cli.output import echo_json

        echo_json([_as_json(finding) for finding in result.findings])
    else:
        for finding in result.findings:
            _show(finding)
        for made in result.reverts:
            _show_revert(made)
    _conclude(result)


def _search(plan: SheriffPlan) -> SheriffResult:
    """Run the search, naming on a terminal what runs."""
    import sys

    from seedbed.operations import sheriff

    if not sys.stderr.isatty():
        return sheriff.sheriff(plan)
    from rich.console import Console

    with Console(stderr=True).status("Searching") as status:

        def notify(package: str, task: str, commit: str) -> None:
            status.update(f"Running {package} {task} at {commit[:12]}")

        return sheriff.sheriff(plan, notify)


def _as_json(finding: Finding) -> dict[str, Any]:
    culprit = finding.culprit
    return {
        "package": finding.package.short,
        "task": finding.task,
        "good": finding.good,
        "bad": finding.bad,
        "culprit": {"sha": culprit.sha, "subject": culprit.subject, "author": culprit.author},
        "tested": [tested.commit.sha for tested in finding.tested],
    }


def _show(finding: Finding) -> None:
    culprit, name = finding.culprit, f"{finding.package.short} {finding.task}"
    email = f" <{culprit.email}>" if culprit.email else ""
    typer.echo(
        f'{name}: turned red by {culprit.short} "{culprit.subject}" ({culprit.author}{email})'
    )
    typer.echo(f"  good  {finding.good[:12]}  {CHOSEN[finding.chosen_by]}")
    typer.echo(f"  bad   {finding.bad[:12]}  (HEAD)")
    commits = f"{finding.commits} commit{'s' if finding.commits != 1 else ''}"
    typer.echo(f"  {commits} since the good one, {finding.candidates} of which can change {name}")
    typer.echo("  tested:")
    for tested in finding.tested:
        verdict = "passed" if tested.passed else "failed"
        how = " (cached)" if tested.cached else ""
        typer.echo(f"    {tested.commit.short}  {verdict + how:<15}  {tested.commit.subject}")
    where = f"{name} at {culprit.short}"
    typer.echo(f"{RULE} output of {where} {RULE}")
    typer.echo(finding.output.rstrip("\n"))
    typer.echo(f"{RULE} end of {where} {RULE}")


def _show_revert(made: Revert) -> None:
    cleared = ", ".join(f"{f.package.short} {f.task}" for f in made.findings)
    culprit = f'{made.culprit.short} "{made.culprit.subject}"'
    passes = "passes" if len(made.findings) == 1 else "pass"
    if made.commit is None:
        typer.echo(
            f"Would revert {culprit}: {cleared} {passes} with the revert "
            "(tried in the scratch worktree; nothing committed)."
        )
    else:
        typer.echo(f"Reverted {culprit} in {made.commit[:12]}: {cleared} {passes} again.")


def _conclude(result: SheriffResult) -> None:
    """Fail with one error line when a package has no culprit or a revert was not made."""
    problems = result.problems
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ProtoError(
            f"{len(problems)} problems: " + "; ".join(p.message for p in problems),
            problems[0].hint,
        )
