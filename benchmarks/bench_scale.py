"""Time every `proto` command against the raw work it stands on, from 1,000 to 10,000 packages.

For each size a synthetic workspace is generated (`workspace_gen.generate`: a random DAG,
locked, committed on `main`, plus one commit that edits a provider package for `affected`).
Then each row below runs as subprocesses in it, proto and its baseline alternating round by
round (which goes first alternates too), after one untimed warm-up of each; writing rows put
the workspace back after every run. Ratios are proto / baseline of the medians (and of the
mins), measured in the same run. No timed assertions anywhere: the figures go to
benchmarks/results/scale.json and a Markdown table beside it.

| row | proto | baseline |
| --- | --- | --- |
| list | `proto list --json` | `uv workspace list` |
| graph | `proto graph --format json` | `uv workspace list` |
| check | `proto check` | `uv lock --check` |
| affected | `proto affected --since HEAD~1` | `git diff --name-only HEAD~1` + `uv tree --invert --frozen --package P` |
| graduate | `proto graduate P --force` | `git mv seeds/P core/P` + `uv lock --upgrade-package P` |
| new | `proto new NAME` | `copier copy` of the package template + `uv lock` |
| version | `proto version P --bump patch --dry-run` | `uv version --bump patch --dry-run --package P` |
| help | `proto --help` | `python -c "import typer"` (once, at the first size) |

    python benchmarks/bench_scale.py [--sizes 1000,5000,10000] [--repeat 5] [--out FILE.json]

Needs no network: the synthetic workspaces depend on nothing outside themselves (`new` makes a
`lib` package, which has no dependencies either).
"""  # noqa: E501

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_new import environment, run, tool, write
from workspace_gen import GIT, GIT_COMMIT, generate

from seedbed.templating.source import embedded_templates

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "scale.json"
DEFAULT_SIZES = "1000,5000,10000"
GOALS = {
    "list": 1.5, "graph": 1.5, "check": 1.5, "affected": 1.2, "graduate": 1.3, "new": 1.0,
    "version": 1.5, "help": 1.3,
}  # fmt: skip
READ_ONLY = ("list", "graph", "check", "affected", "version")

Command = list[str | Path]


def timed(commands: list[Command], root: Path) -> float:
    """Seconds for *commands* run one after the other (each must succeed)."""
    start = time.perf_counter()
    for command in commands:
        run(command, root)
    return time.perf_counter() - start


def reset(root: Path) -> None:
    """Put the workspace back as committed (a writing row's changes gone)."""
    run(["git", "reset", "--quiet", "--hard", "HEAD"], root)
    run(["git", "clean", "-fdq", "--", "seeds", "core"], root)


def pair(
    root: Path,
    proto: list[Command],
    baseline: list[Command],
    repeat: int,
    after: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Interleaved runs of proto and its baseline; their figures and ratios."""
    runs: dict[str, list[float]] = {"proto": [], "baseline": []}
    for round_ in range(repeat + 1):  # round 0 warms caches up and is not counted
        order = ("proto", "baseline") if round_ % 2 == 0 else ("baseline", "proto")
        for method in order:
            seconds = timed(proto if method == "proto" else baseline, root)
            if after is not None:
                after()
            if round_:
                runs[method].append(seconds)
    stats = {m: {"min": min(t), "median": statistics.median(t), "runs": t} for m, t in runs.items()}
    return {
        **stats,
        "ratio": {
            "min": stats["proto"]["min"] / stats["baseline"]["min"],
            "median": stats["proto"]["median"] / stats["baseline"]["median"],
        },
    }


def rows(root: Path, provider: str, leaf: str, repeat: int, first: bool) -> dict[str, Any]:
    """Every row at one size."""
    proto, uv, python = tool("proto"), tool("uv"), Path(sys.executable)
    dist = f"bench-{provider}"
    by_hand_new: list[Command] = [
        [tool("copier"), "copy", "--defaults", "--quiet", "--data", "template=package", "--data",
         "scope=bench", "--data", "name=fresh-idea", embedded_templates(), "seeds/fresh-idea"],
        [uv, "lock"],
    ]  # fmt: skip
    found: dict[str, Any] = {
        "list": pair(root, [[proto, "list", "--json"]], [[uv, "workspace", "list"]], repeat),
        "graph": pair(
            root, [[proto, "graph", "--format", "json"]], [[uv, "workspace", "list"]], repeat
        ),
        "check": pair(root, [[proto, "check"]], [[uv, "lock", "--check"]], repeat),
        "affected": pair(
            root,
            [[proto, "affected", "--since", "HEAD~1"]],
            [
                ["git", "diff", "--name-only", "HEAD~1"],
                [uv, "tree", "--invert", "--frozen", "--package", dist],
            ],
            repeat,
        ),
        "version": pair(
            root,
            [[proto, "version", provider, "--bump", "patch", "--dry-run"]],
            [[uv, "version", "--bump", "patch", "--dry-run", "--package", dist]],
            repeat,
        ),
        "graduate": pair(
            root,
            [[proto, "graduate", leaf, "--force"]],
            [
                ["git", "mv", f"seeds/{leaf}", f"core/{leaf}"],
                [uv, "lock", "--upgrade-package", f"bench-{leaf}"],
            ],
            repeat,
            after=lambda: reset(root),
        ),
        "new": pair(root, [[proto, "new", "fresh-idea"]], by_hand_new, repeat, lambda: reset(root)),
    }
    if first:
        found["help"] = pair(root, [[proto, "--help"]], [[python, "-c", "import typer"]], repeat)
    return found


def bench_size(count: int, repeat: int, parent: Path, first: bool) -> dict[str, Any]:
    """Generate a workspace of *count* packages and time every row in it."""
    made = generate(parent / f"ws-{count}", count, seed=1, lock=True)
    root, specs = made.root, made.specs
    seeds = [spec for spec in specs if spec.stage == "seeds"]
    used = {dep for spec in specs for dep in spec.deps}
    provider = next(spec.short for spec in seeds if spec.index in used)
    stage = {spec.index: spec.stage for spec in specs}
    leaf = next(  # graduates alone: nothing depends on it, and it depends only on core
        spec.short
        for spec in reversed(seeds)
        if spec.index not in used and all(stage[dep] == "core" for dep in spec.deps)
    )
    readme = root / "seeds" / provider / "README.md"  # a change for `affected` to find
    readme.write_text("Edited.\n", encoding="utf-8")
    run([*GIT, "add", "-A"], root)
    run([*GIT, *GIT_COMMIT, "-m", "Edit a provider"], root)
    report = {"count": count, "provider": provider, "leaf": leaf}
    report["rows"] = rows(root, provider, leaf, repeat, first)
    shutil.rmtree(root, ignore_errors=True)
    return report


def to_markdown(report: dict[str, Any]) -> str:
    """Ratios per row and size, the absolute medians, and the goals."""
    sizes = report["sizes"]
    names = list(sizes[0]["rows"])
    header = " | ".join(f"{s['count']:,}" for s in sizes)
    lines = [
        f"proto / baseline, median of {report['repeat']} interleaved runs (goal in brackets)",
        "",
        f"| row | {header} |",
        "| --- |" + " ---: |" * len(sizes),
    ]
    for name in names:
        cells = [
            f"{s['rows'][name]['ratio']['median']:.2f}x" if name in s["rows"] else "" for s in sizes
        ]
        lines.append(f"| {name} (<= {GOALS[name]}x) | " + " | ".join(cells) + " |")
    lines += ["", "Medians in seconds, proto / baseline:", "", f"| row | {header} |"]
    lines.append("| --- |" + " ---: |" * len(sizes))
    for name in names:
        cells = [
            " / ".join(f"{s['rows'][name][m]['median']:.3f}" for m in ("proto", "baseline"))
            if name in s["rows"]
            else ""
            for s in sizes
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    largest = sizes[-1]
    slow = [n for n in READ_ONLY if largest["rows"][n]["proto"]["median"] >= 1.0]
    lines += [
        "",
        f"Read-only commands at {largest['count']:,} packages under 1 s: "
        + ("all" if not slow else f"all but {', '.join(slow)}"),
        "",
        f"{report['environment']['proto']}, {report['environment']['uv']}, "
        f"{report['environment']['cpus']} CPUs, {report['environment']['date']}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run every row at every size, write the results, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"package counts ({DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=5, help="runs per method and row (5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.repeat < 1 or min(sizes) < 10:
        parser.error("--repeat must be at least 1 and every size at least 10")
    report: dict[str, Any] = {"benchmark": "scale", "repeat": args.repeat, "sizes": []}
    with tempfile.TemporaryDirectory(prefix="seedbed-bench-scale-") as parent:
        for index, count in enumerate(sizes):
            print(f"{count} packages…", file=sys.stderr)
            report["sizes"].append(bench_size(count, args.repeat, Path(parent), index == 0))
    report["environment"] = environment()
    write(report, args.out, to_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
