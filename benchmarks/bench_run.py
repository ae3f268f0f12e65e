"""Time `proto run`: fully cached runs against the goals, and a cold run against the noxfile
that workspaces had before (`uv run nox -s lint typecheck tests`).

Each workspace is synthetic (`workspace_gen.generate(..., lock=True, tools=True)`: mypy, pytest
and ruff as the root's dev tools, so locking needs the package index or a warm uv cache), and
every command runs as a subprocess in it. Before the first run, every package's editable is
built once into uv's cache (`uv sync --all-packages` into a scratch environment), as on a
machine where `uv sync` ran once: task environments install them, and so does nox.

1. **cached, 200 packages**: one untimed `proto run lint typecheck test` (it must pass), then
   `--repeat` timed runs, each checked to have served every task from the cache (goal: < 2 s).
2. **cached lint, 1,000 packages**: one untimed `proto run lint`, then `--repeat` rounds of
   `proto run lint` (every task cached) and `uv lock --check`, alternating (goal: within 2x).
3. **cold, `--cold-size` packages** (default 50: a cold run at 200 takes minutes on two CPUs):
   nox and the old workspace noxfile (`baseline_noxfile.py`) are added to the workspace. Then,
   alternating, `proto run lint
   typecheck test` with `.proto/` removed (no environments, no cache) and `uv run nox -s lint
   typecheck tests` with `.nox/` and the tool caches removed; then both again after a change to
   one mid-graph package (environments kept): proto reruns that package's tasks and its
   dependents' typecheck and test, nox reruns everything.

    python benchmarks/bench_run.py [--repeat 5] [--cold-size 50] [--out benchmarks/results/run.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_new import describe, environment, ratio, run, timed, timed_run, tool, write
from bench_scale import rotate
from workspace_gen import DEV_TOOLS, GIT, GIT_COMMIT, Spec, generate

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "run.json"
BASELINE_NOXFILE = Path(__file__).resolve().parent / "baseline_noxfile.py"
TASKS = ("lint", "typecheck", "test")
GOAL_CACHED_S = 2.0
GOAL_LINT_RATIO = 2.0


def proto_run(*tasks: str) -> list[str | Path]:
    """The `proto run` command line, with --json so that the result can be checked."""
    return [tool("proto"), "run", *tasks, "--json"]


def results(stdout: str) -> list[dict[str, Any]]:
    """The JSON array `proto run --json` printed."""
    data = json.loads(stdout)
    if not isinstance(data, list):
        raise SystemExit(f"error: proto run printed {stdout[:200]}")
    return data


def check_passed(stdout: str, count: int, tasks: int, *, cached: bool | None = None) -> None:
    """Every task of every package passed (and came from the cache, or not, if asked)."""
    data = results(stdout)
    if len(data) != count * tasks or any(r["status"] != "passed" for r in data):
        failed = [f"{r['package']} {r['task']}" for r in data if r["status"] != "passed"]
        raise SystemExit(f"error: proto run: {len(data)} results, failed: {failed[:10]}")
    if cached is not None and any(r["cached"] != cached for r in data):
        raise SystemExit(f"error: proto run: expected every task cached={cached}")


def timed_checked(command: list[str | Path], root: Path, check: Callable[[str], None]) -> float:
    """Seconds of one run of *command*, its stdout checked."""
    seconds, stdout = timed_run(command, root)
    check(stdout)
    return seconds


def workspace(
    parent: Path, count: int, *, nox: bool = False, warm: bool = True
) -> tuple[Path, list[Spec]]:
    """A locked, committed synthetic workspace of *count* packages with the dev tools (and nox
    with the old noxfile); with *warm*, every package's editable built once into uv's cache."""
    root = parent / f"ws{count}"
    made = generate(root, count, seed=1, lock=True, tools=True)
    if warm:  # as on a machine where `uv sync --all-packages` ran once: editables built
        scratch = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(parent / f"warm-up-{count}")}
        run([tool("uv"), "sync", "--all-packages", "--frozen", "--quiet"], root, scratch)
    if nox:
        manifest = root / "pyproject.toml"
        dev = ", ".join(f'"{tool}"' for tool in DEV_TOOLS)
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(text.replace(f"dev = [{dev}]", f'dev = [{dev}, "nox>=2024.10.9"]'))
        shutil.copy(BASELINE_NOXFILE, root / "noxfile.py")
        run([tool("uv"), "lock"], root)
        run([*GIT, "add", "--all"], root)
        run([*GIT, *GIT_COMMIT, "-m", "nox and the old noxfile"], root)
    return root, made.specs


def bench_cached(parent: Path, count: int, repeat: int) -> dict[str, Any]:
    """Fully cached `proto run lint typecheck test`."""
    root, _ = workspace(parent, count)
    cold, stdout = timed_run(proto_run(*TASKS), root)
    check_passed(stdout, count, len(TASKS), cached=False)
    measures = {
        "proto_run_cached": lambda: timed_checked(
            proto_run(*TASKS), root,
            lambda out: check_passed(out, count, len(TASKS), cached=True),
        ),
    }  # fmt: skip
    runs = rotate(measures, repeat)
    return {"packages": count, "first_run_s": cold, "runs": runs}


def bench_lint(parent: Path, count: int, repeat: int) -> dict[str, Any]:
    """Fully cached `proto run lint` against `uv lock --check`."""
    root, _ = workspace(parent, count, warm=False)  # lint needs no package environments
    cold, stdout = timed_run(proto_run("lint"), root)
    check_passed(stdout, count, 1, cached=False)
    measures = {
        "proto_run_lint_cached": lambda: timed_checked(
            proto_run("lint"), root, lambda out: check_passed(out, count, 1, cached=True)
        ),
        "uv_lock_check": lambda: timed([tool("uv"), "lock", "--check"], root),
    }
    runs = rotate(measures, repeat)
    return {"packages": count, "first_run_s": cold, "runs": runs}


def middle(specs: list[Spec]) -> Spec:
    """A package with dependencies and dependents, near the middle of the graph."""
    dependents = {spec.index: 0 for spec in specs}
    for spec in specs:
        for dep in spec.deps:
            dependents[dep] += 1
    inner = [s for s in specs if s.deps and dependents[s.index]]
    deepest = max(spec.depth for spec in specs)
    return min(inner, key=lambda s: (abs(s.depth - deepest // 2), -dependents[s.index], s.index))


def bench_cold(parent: Path, count: int, repeat: int) -> dict[str, Any]:
    """Cold `proto run lint typecheck test` against `uv run nox -s lint typecheck tests`, then
    both again after one package changed."""
    # both methods install every package as an editable, which uv builds once (workspace())
    root, specs = workspace(parent, count, nox=True)
    nox = [tool("uv"), "run", "nox", "-s", "lint", "typecheck", "tests"]
    on_path = {**os.environ, "PATH": f"{tool('uv').parent}{os.pathsep}{os.environ['PATH']}"}

    def proto_cold() -> float:
        shutil.rmtree(root / ".proto", ignore_errors=True)
        return timed_checked(
            proto_run(*TASKS), root, lambda out: check_passed(out, count, len(TASKS))
        )

    def nox_cold() -> float:
        for folder in (".nox", ".venv", ".mypy_cache", ".ruff_cache"):
            shutil.rmtree(root / folder, ignore_errors=True)
        return timed(nox, root, on_path)  # the noxfile runs `uv` from PATH

    cold = rotate({"proto_run_cold": proto_cold, "nox_cold": nox_cold}, repeat)
    changed = middle(specs)
    module = (
        root / changed.stage / changed.short / "src" / "bench" / changed.short.replace("-", "_")
    )
    init = module / "__init__.py"
    original = init.read_text(encoding="utf-8")
    edits = iter(range(10**6))

    def change() -> None:
        init.write_text(original + f"\n\ndef extra_{next(edits)}() -> int:\n    return VALUE\n")

    def proto_after_change() -> float:
        change()
        seconds, stdout = timed_run(proto_run(*TASKS), root)
        ran = [r for r in results(stdout) if not r["cached"]]
        rerun_counts.append(len(ran))
        return seconds

    def nox_after_change() -> float:
        change()
        return timed(nox, root, on_path)

    rerun_counts: list[int] = []
    warm = rotate({"proto_run_one_change": proto_after_change, "nox_one_change": nox_after_change},
                  repeat)  # fmt: skip
    init.write_text(original, encoding="utf-8")
    return {
        "packages": count,
        "changed_package": changed.short,
        "tasks_rerun_after_change": rerun_counts,
        "runs": {**cold, **warm},
    }


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """Min and median of every measure, the ratios and whether the goals are met."""
    cached = report["cached"]["runs"]["proto_run_cached"]
    lint = report["lint"]["runs"]
    cold = report["cold"]["runs"]
    return {
        "stats": {
            section: {key: describe(times) for key, times in report[section]["runs"].items()}
            for section in ("cached", "lint", "cold")
        },
        "ratios": {
            "lint_cached_over_uv_lock_check": ratio(
                lint["proto_run_lint_cached"], lint["uv_lock_check"]
            ),
            "proto_cold_over_nox_cold": ratio(cold["proto_run_cold"], cold["nox_cold"]),
            "proto_over_nox_after_one_change": ratio(
                cold["proto_run_one_change"], cold["nox_one_change"]
            ),
        },
        "goals": {
            "cached_under_2s": statistics.median(cached) < GOAL_CACHED_S,
            "lint_within_2x": statistics.median(lint["proto_run_lint_cached"])
            <= GOAL_LINT_RATIO * statistics.median(lint["uv_lock_check"]),
        },
    }


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables."""
    stats, ratios, goals = report["stats"], report["ratios"], report["goals"]
    env = report["environment"]
    sizes = {key: report[key]["packages"] for key in ("cached", "lint", "cold")}
    labels = {
        "proto_run_cached": "`proto run lint typecheck test`, every task cached",
        "proto_run_lint_cached": "`proto run lint`, every task cached",
        "uv_lock_check": "`uv lock --check`",
        "proto_run_cold": "`proto run lint typecheck test`, cold (no `.proto/`)",
        "nox_cold": "`uv run nox -s lint typecheck tests`, cold (no `.nox/`)",
        "proto_run_one_change": "`proto run lint typecheck test` after one package changed",
        "nox_one_change": "`uv run nox -s lint typecheck tests` after one package changed",
    }
    lines = [f"`proto run`, {report['repeat']} runs each (min and median, seconds)", ""]
    for section, title in (("cached", "Fully cached"), ("lint", "Fully cached lint"),
                           ("cold", "Cold, and after one change")):  # fmt: skip
        lines += [f"**{title}**, {sizes[section]} packages", "",
                  "| command | min (s) | median (s) |", "| --- | ---: | ---: |"]  # fmt: skip
        for key, value in stats[section].items():
            lines.append(f"| {labels[key]} | {value['min']:.3f} | {value['median']:.3f} |")
        lines.append("")
    reran = report["cold"]["tasks_rerun_after_change"]
    lines += [
        "| ratio | min | median |",
        "| --- | ---: | ---: |",
        *(
            f"| {name.replace('_', ' ')} | {value['min']:.2f} | {value['median']:.2f} |"
            for name, value in ratios.items()
        ),
        "",
        f"First (cold) runs: {report['cached']['first_run_s']:.1f} s for "
        f"`proto run lint typecheck test` on {sizes['cached']} packages, "
        f"{report['lint']['first_run_s']:.1f} s for `proto run lint` on {sizes['lint']}. "
        f"After changing `{report['cold']['changed_package']}`, proto reran "
        f"{min(reran)}-{max(reran)} of {3 * sizes['cold']} tasks; nox reruns every session.",
        "",
        f"Goals: cached run under {GOAL_CACHED_S:.0f} s: "
        f"{'met' if goals['cached_under_2s'] else 'NOT met'}; cached lint within "
        f"{GOAL_LINT_RATIO:.0f}x of `uv lock --check`: "
        f"{'met' if goals['lint_within_2x'] else 'NOT met'} (medians).",
        "",
        f"{env['proto']}, {env['uv']}, Python {env['python']}, {env['cpus']} CPUs, "
        f"{env['system']}, {env['date']}; load average {report['load_before']} before, "
        f"{report['load_after']} after",
    ]
    return "\n".join(lines) + "\n"


def load_average() -> str:
    """The 1-minute load average (other work on the machine skews the figures)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    """Run the three benchmarks, write the results, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (default 5)")
    parser.add_argument("--cached-size", type=int, default=200, help="packages (default 200)")
    parser.add_argument("--lint-size", type=int, default=1000, help="packages (default 1000)")
    parser.add_argument("--cold-size", type=int, default=50, help="packages (default 50)")
    parser.add_argument(
        "--cold-repeat", type=int, default=2, help="cold runs per method (default 2)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    args = parser.parse_args(argv)
    if min(args.repeat, args.cold_repeat, args.cached_size, args.lint_size, args.cold_size) < 1:
        parser.error("sizes and repeats must be at least 1")
    report: dict[str, Any] = {"benchmark": "run", "repeat": args.repeat,
                              "load_before": load_average()}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="seedbed-bench-run-") as folder:
        parent = Path(folder)
        report["cached"] = bench_cached(parent, args.cached_size, args.repeat)
        report["lint"] = bench_lint(parent, args.lint_size, args.repeat)
        report["cold"] = bench_cold(parent, args.cold_size, args.cold_repeat)
    report["load_after"] = load_average()
    report.update(summarize(report))
    report["environment"] = environment(("proto", "uv"))
    write(report, args.out, to_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
