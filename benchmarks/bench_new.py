"""Time `proto new NAME` against the same work done by hand: `copier copy` + `uv lock`.

Both methods run as subprocesses in one real workspace made once by `proto init` in a temporary
folder, alternating (proto first in even rounds, by hand first in odd ones), each with a fresh
package name. The figures go to a JSON file and a Markdown table next to it.

    python benchmarks/bench_new.py [--repeat 5] [--out benchmarks/results/new.json]

Needs the package index (PyPI) or a warm uv cache: `proto init` locks the workspace's dev tools.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedbed.templating.source import embedded_templates

SCOPE = "bench"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "new.json"
METHODS = ("proto", "by_hand")


def tool(name: str) -> Path:
    """The console script *name* installed next to the running interpreter."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise SystemExit(f"error: {path} not found; install seedbed in this environment")
    return path


Env = dict[str, str] | None


def run(command: list[str | Path], cwd: Path, env: Env = None) -> str:
    """Run *command* in *cwd* (with environment *env*); return its stdout, or stop with stderr.

    Python may write bytecode, whatever the shell says: pip compiles it when it installs proto,
    so users never pay for compiling seedbed's modules (~45 ms a run under
    PYTHONDONTWRITEBYTECODE with an editable install)."""
    env = {k: v for k, v in (os.environ if env is None else env).items()
           if k != "PYTHONDONTWRITEBYTECODE"}  # fmt: skip
    argv = [str(part) for part in command]
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shown = " ".join(map(str, command))
        raise SystemExit(f"error: `{shown}` failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def timed_run(command: list[str | Path], cwd: Path, env: Env = None) -> tuple[float, str]:
    """Wall-clock seconds of one successful run of *command*, and its stdout."""
    start = time.perf_counter()
    stdout = run(command, cwd, env)
    return time.perf_counter() - start, stdout


def timed(command: list[str | Path], cwd: Path, env: Env = None) -> float:
    """Wall-clock seconds of one successful run of *command*."""
    return timed_run(command, cwd, env)[0]


def make_workspace(parent: Path) -> Path:
    """A real workspace made by `proto init` (rendered, git init, uv lock, committed)."""
    root = parent / "ws"
    run([tool("proto"), "init", root, "--scope", SCOPE], parent)
    return root


def git_config(root: Path, key: str) -> str:
    """A git config value as seen in *root* ('' when unset)."""
    result = subprocess.run(
        ["git", "config", key], cwd=root, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def new_with_proto(root: Path, name: str, env: Env = None) -> float:
    """Seconds for `proto new NAME` (render + relock)."""
    return timed([tool("proto"), "new", name], root, env)


def new_by_hand(
    root: Path, name: str, templates: Path, author: tuple[str, str], env: Env = None
) -> float:
    """Seconds for the same work by hand: `copier copy` of the package template, then `uv lock`.

    The author is passed as proto would fill it in (from git config), so both produce the
    same files apart from the answers file's template source.
    """
    copier: list[str | Path] = [
        tool("copier"),
        "copy",
        "--defaults",
        "--data",
        "template=package",
        "--data",
        f"scope={SCOPE}",
        "--data",
        f"name={name}",
        "--data",
        f"author_name={author[0]}",
        "--data",
        f"author_email={author[1]}",
        templates,
        Path("seeds") / name,
    ]
    return timed(copier, root, env) + timed([tool("uv"), "lock"], root, env)


def bench(repeat: int, parent: Path, offline: bool = False) -> dict[str, list[float]]:
    """Run both methods *repeat* times each, alternating; return the seconds per method.

    With *offline*, the timed runs use `UV_OFFLINE=1`: uv relocks from its cache (filled by
    `proto init`) and a slow or stalled index cannot skew the figures.
    """
    root = make_workspace(parent)
    env = {**os.environ, "UV_OFFLINE": "1"} if offline else None
    templates = embedded_templates()
    author = (git_config(root, "user.name"), git_config(root, "user.email"))
    runs: dict[str, list[float]] = {method: [] for method in METHODS}
    for index in range(repeat):
        order = METHODS if index % 2 == 0 else METHODS[::-1]
        for method in order:
            if method == "proto":
                runs[method].append(new_with_proto(root, f"proto-{index}", env))
            else:
                runs[method].append(new_by_hand(root, f"hand-{index}", templates, author, env))
    return runs


def describe(times: list[float]) -> dict[str, Any]:
    """Min and median of one method's seconds, and every run."""
    return {"min": min(times), "median": statistics.median(times), "runs": times}


def ratio(numerator: list[float], denominator: list[float]) -> dict[str, float]:
    """numerator / denominator, of the mins and of the medians."""
    return {
        "min": min(numerator) / min(denominator),
        "median": statistics.median(numerator) / statistics.median(denominator),
    }


def summarize(runs: dict[str, list[float]]) -> dict[str, Any]:
    """Min and median per method, and the proto/by-hand ratios."""
    stats = {method: describe(times) for method, times in runs.items()}
    return {"methods": stats, "ratio_proto_by_hand": ratio(runs["proto"], runs["by_hand"])}


def environment(tools: tuple[str, ...] = ("proto", "uv", "copier")) -> dict[str, Any]:
    """What the figures were measured with, including the `--version` of each of *tools*."""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    for name in tools:
        report[name] = run([tool(name), "--version"], Path.cwd()).strip()
    return report


def to_markdown(report: dict[str, Any]) -> str:
    """A short Markdown table of the report."""
    methods = report["methods"]
    ratio = report["ratio_proto_by_hand"]
    env = report["environment"]
    lines = [
        f"`proto new` vs by hand (`copier copy` + `uv lock`), {report['repeat']} runs each"
        + (", uv offline" if report["offline"] else ""),
        "",
        "| method | min (s) | median (s) |",
        "| --- | ---: | ---: |",
        *(
            f"| {label} | {methods[key]['min']:.3f} | {methods[key]['median']:.3f} |"
            for key, label in (("proto", "proto new"), ("by_hand", "copier copy + uv lock"))
        ),
        f"| ratio proto / by hand | {ratio['min']:.2f} | {ratio['median']:.2f} |",
        "",
        f"{env['proto']}, {env['uv']}, {env['copier']}, Python {env['python']}, "
        f"{env['cpus']} CPUs, {env['system']}, {env['date']}",
    ]
    return "\n".join(lines) + "\n"


def write(
    report: dict[str, Any], out: Path, render: Callable[[dict[str, Any]], str] = to_markdown
) -> Path:
    """Write *report* as JSON to *out* and, rendered, as Markdown next to it; print the
    Markdown and where both went; return the Markdown's path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    markdown = out.with_suffix(".md")
    markdown.write_text(render(report), encoding="utf-8")
    print(markdown.read_text(encoding="utf-8"), end="")
    print(f"\nwrote {out} and {markdown}")
    return markdown


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the results, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="runs per method (default 5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    parser.add_argument(
        "--offline", action="store_true", help="relock from uv's cache only (UV_OFFLINE=1)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="seedbed-bench-") as parent:
        runs = bench(args.repeat, Path(parent), args.offline)
    report = {"benchmark": "new", "repeat": args.repeat, "offline": args.offline}
    report.update(summarize(runs))
    report["environment"] = environment()
    write(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
