"""How `proto run` shows itself: a line per finished task on stderr (with a live progress
display on a terminal), a failing task's whole output at once, then a summary table on stdout
(or the JSON array with --json) and the verdict."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from seedbed.cli.output import echo_json, table
from seedbed.errors import ProtoError

if TYPE_CHECKING:
    from seedbed.model.workspace import Package
    from seedbed.operations.run import RunPlan, RunResult, TaskResult
    from seedbed.tasks.definitions import Task

RULE = "-" * 8
STYLES = {"passed": "green", "cached": "cyan", "failed": "bold red"}


def verdict(result: TaskResult) -> str:
    """How a task ended: passed, failed, failed (fix-forward) or not run."""
    if result.status == "failed" and not result.blocking:
        return "failed (fix-forward)"
    return result.status


class PlainReporter:
    """One line per finished task on stderr; a failure's output right after its line."""

    def __init__(self, plan: RunPlan) -> None:
        self.width = max((len(p.short) for p in plan.packages), default=0)
        self.task_width = max(len(t.name) for t in plan.tasks)
        self.count = 0
        self.total = 0

    def starting(self, total: int) -> None:
        """Remember how many tasks there are."""
        self.total = total

    def started(self, package: Package, task: Task) -> None:
        """Nothing: plain output shows a task when it ends."""

    def finished(self, result: TaskResult) -> None:
        """Print the task's line, and a failure's whole output."""
        self.count += 1
        self.emit(self.line(result), result)
        if result.status == "failed":
            self.emit_output(result)

    def line(self, result: TaskResult) -> str:
        """`[3/12] passed  url-parser  test  1.20s` (a cached one: its stored summary)."""
        word = "FAILED" if result.status == "failed" else "cached" if result.cached else "passed"
        detail = f"({result.output})" if result.cached else f"{result.duration_s:.2f}s"
        if result.status == "failed" and not result.blocking:
            detail += "  (a seed: fixes forward, does not fail the run)"
        counter = f"[{self.count}/{self.total}]"
        return (f"{counter:>9} {word:<6}  {result.package.short:<{self.width}}  "
                f"{result.task.name:<{self.task_width}}  {detail}")  # fmt: skip

    def emit(self, line: str, result: TaskResult) -> None:
        """Write one line."""
        typer.echo(line, err=True)

    def emit_output(self, result: TaskResult) -> None:
        """Write a failure's output, framed."""
        name = f"{result.package.short} {result.task.name}"
        typer.echo(f"{RULE} output of {name} {RULE}", err=True)
        typer.echo(result.output.rstrip("\n"), err=True)
        typer.echo(f"{RULE} end of {name} {RULE}", err=True)


class LiveReporter(PlainReporter):
    """On a terminal: the same lines, coloured, above a progress bar naming what runs."""

    def __init__(self, plan: RunPlan) -> None:
        from rich import progress
        from rich.console import Console

        super().__init__(plan)
        self.console = Console(stderr=True, highlight=False)
        self.progress = progress.Progress(
            progress.SpinnerColumn(), progress.BarColumn(), progress.MofNCompleteColumn(),
            progress.TimeElapsedColumn(), progress.TextColumn("{task.description}"),
            console=self.console, transient=True,
        )  # fmt: skip
        self.bar = self.progress.add_task("", total=None)
        self.running: list[str] = []

    def starting(self, total: int) -> None:
        """Show the bar."""
        super().starting(total)
        self.progress.update(self.bar, total=total)
        self.progress.start()

    def started(self, package: Package, task: Task) -> None:
        """Name the task among those running."""
        self.running.append(f"{package.short} {task.name}")
        self.describe()

    def finished(self, result: TaskResult) -> None:
        """Print the line above the bar, advance it."""
        name = f"{result.package.short} {result.task.name}"
        if name in self.running:
            self.running.remove(name)
        super().finished(result)
        self.progress.advance(self.bar)
        self.describe()

    def describe(self) -> None:
        """The running tasks, as many as fit in a line."""
        shown = ", ".join(self.running[:3]) + (" …" if len(self.running) > 3 else "")
        self.progress.update(self.bar, description=shown)

    def emit(self, line: str, result: TaskResult) -> None:
        """A coloured line."""
        from rich.text import Text

        style = STYLES.get("cached" if result.cached else result.status, "")
        self.progress.console.print(Text(line, style=style), soft_wrap=True)

    def emit_output(self, result: TaskResult) -> None:
        """A failure's output, as it was printed."""
        from rich.text import Text

        name = f"{result.package.short} {result.task.name}"
        self.progress.console.print(Text(f"{RULE} output of {name} {RULE}", style="red"))
        self.progress.console.print(Text(result.output.rstrip("\n")), soft_wrap=True)
        self.progress.console.print(Text(f"{RULE} end of {name} {RULE}", style="red"))

    def stop(self) -> None:
        """Take the bar away."""
        self.progress.stop()


@contextmanager
def reporter(plan: RunPlan) -> Iterator[PlainReporter]:
    """The live display on a terminal, plain lines elsewhere."""
    if not sys.stderr.isatty():
        yield PlainReporter(plan)
        return
    live = LiveReporter(plan)
    try:
        yield live
    finally:
        live.stop()


def summary_rows(result: RunResult) -> list[list[str]]:
    """The summary table: a header and a row per task."""
    rows = [["package", "stage", "task", "result", "time", "cached"]]
    for r in result.results:
        time = "-" if r.cached or r.status == "not run" else f"{r.duration_s:.2f}s"
        rows.append([r.package.short, r.package.stage, r.task.name, verdict(r), time,
                     "yes" if r.cached else "no"])  # fmt: skip
    return rows


def counts(result: RunResult) -> str:
    """`12 tasks: 10 passed (4 cached), 2 failed`."""
    passed = result.with_status("passed")
    cached = sum(1 for r in passed if r.cached)
    parts = [f"{len(passed)} passed" + (f" ({cached} cached)" if cached else "")]
    failed = result.with_status("failed")
    if failed:
        forward = len(failed) - len(result.blocking_failures)
        parts.append(f"{len(failed)} failed" + (f" ({forward} fix forward)" if forward else ""))
    if result.with_status("not run"):
        parts.append(f"{len(result.with_status('not run'))} not run")
    total = len(result.results)
    return f"{total} task{'s' if total != 1 else ''}: " + ", ".join(parts)


def conclude(plan: RunPlan, result: RunResult, *, json: bool) -> None:
    """Print the summary (or JSON), then fail with one error line if a task failed."""
    from seedbed.operations.run import report

    if json:
        echo_json(report(result))
    elif not result.results:
        typer.echo("No packages selected: nothing to run.")
    else:
        typer.echo(table(summary_rows(result)), nl=False)
        typer.echo(counts(result))
    names = [f"{r.package.short} {r.task.name}" for r in result.blocking_failures]
    forward = [f"{r.package.short} {r.task.name}" for r in result.with_status("failed")
               if not r.blocking]  # fmt: skip
    if forward:
        typer.echo(f"warning: seeds fix forward, so these failures do not fail the run: "
                   f"{', '.join(forward)}", err=True)  # fmt: skip
    if names:
        stopped = len(result.with_status("not run"))
        raise ProtoError(
            f"{len(names)} task{'s' if len(names) != 1 else ''} failed: {', '.join(names)}"
            + (f"; stopped there (--fail-fast), {stopped} not run" if stopped else ""),
            "each failure's output is above; run one again with "
            f"`proto run {result.blocking_failures[0].task.name} "
            f"-p {result.blocking_failures[0].package.short}`",
        )
