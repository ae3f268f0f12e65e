"""Time `proto check` and `proto affected` from 100 to 1,000 packages against the raw work they
stand on (`uv lock --check`, `git diff --name-only`, `uv tree --invert`), and profile `proto check`.

For each size a synthetic workspace is generated (`workspace_gen.generate`, locked, committed on
`main`) and must pass `proto check`; then, as subprocesses in it, `--repeat` runs of each command
(the order rotating every round, after one untimed run whose output is checked):

1. on `main`: `proto check`, `proto check --json`, `proto check` with the ast scan forced serial
   and forced into a process pool (`PARALLEL_FROM_BYTES` patched in a `python -c` harness),
   and the raw
   work: `uv lock --check --offline`, a `python -c` that ast-parses every source file,
   `ruff check --select F401 --no-cache .` (if ruff is installed), `proto --version` (start-up);
2. on a branch `change` whose one commit edits a mid-graph provider package and a leaf:
   `proto affected --since HEAD~1` (names, and `--format github-matrix`), and the raw work:
   `git diff --name-only HEAD~1` and `uv tree --invert --frozen --package P --package L`;
3. on a branch `lock-edit` whose one commit changes only the provider's version in uv.lock:
   `proto affected --since HEAD~1`;
4. in-process, each phase of both commands (loading, graph, every rule, git, selection); and, at
   the largest size, a cProfile of `proto check` and what it imports (`python -X importtime`).

    python benchmarks/bench_scale.py [--sizes 100,250,500,1000] [--repeat 5] [--out FILE.json]

Needs no network: the synthetic workspaces depend on nothing outside themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from bench_graph import SCOPE, distribution, imports, importtime, row, workspace_facts
from bench_new import describe, environment, run, timed, timed_run, tool, write
from workspace_gen import GIT, GIT_COMMIT, Spec, generate

from seedbed.model import imports as scanning
from seedbed.model import workspace
from seedbed.model.graph import Graph
from seedbed.operations import check as rules
from seedbed.operations import select as selection

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "scale.json"
DEFAULT_SIZES = "100,250,500,1000"
SERIAL = 10**9  # a PARALLEL_FROM_BYTES no workspace reaches: the ast scan never uses the pool
PROFILE_TOP = 15
PAD = Path(textwrap.__file__)  # real code (about 500 lines) appended to sources for the pool test

Command = list[str | Path]

AST_SCAN = """\
import ast, pathlib
files = [p for stage in ("core", "seeds") for p in sorted(pathlib.Path(stage).rglob("*.py"))]
for path in files:
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
print(len(files))
"""

CHECK_LABELS = {
    "proto_check": "proto check",
    "proto_check_json": "proto check --json",
    "check_serial": "proto check, ast scan serial (python -c, PARALLEL_FROM_BYTES = 10**9)",
    "check_pool": "proto check, ast scan in a process pool (python -c, PARALLEL_FROM_BYTES = 0)",
    "uv_lock_check": "uv lock --check --offline",
    "ast_parse": "python -c: ast.parse every .py under core/ and seeds/",
    "ruff_f401": "ruff check --select F401 --no-cache .",
    "proto_version": "proto --version (start-up only)",
}
AFFECTED_LABELS = {
    "proto_affected": "proto affected --since HEAD~1",
    "proto_affected_matrix": "proto affected --since HEAD~1 --format github-matrix",
    "git_diff": "git diff --name-only HEAD~1",
    "uv_tree_invert": "uv tree --invert --frozen --package P --package L",
    "by_hand": "git diff + uv tree --invert (sum per round)",
    "proto_affected_lock": "proto affected --since HEAD~1, uv.lock-only change",
}
LABELS = {**CHECK_LABELS, **AFFECTED_LABELS}
RATIOS = {  # key: (label, numerator, denominator)
    "check/uv_lock_check": ("proto check / uv lock --check", "proto_check", "uv_lock_check"),
    "check/ast_parse": ("proto check / ast.parse every file", "proto_check", "ast_parse"),
    "affected/by_hand": ("proto affected / git diff + uv tree", "proto_affected", "by_hand"),
    "affected/git_diff": ("proto affected / git diff", "proto_affected", "git_diff"),
}
PHASE_LABELS = {
    "load": "workspace.load (read every manifest)",
    "graph": "Graph.of",
    "core-depends-on-seed": "rule core-depends-on-seed",
    "cycle": "rule cycle",
    "find_sources": "… find .py files (rglob src/, tests/ per package)",
    "undeclared_serial": "rule undeclared-import, serial",
    "undeclared_pool": "rule undeclared-import, process pool",
    "source-not-workspace": "rule source-not-workspace",
    "bad-name": "rule bad-name",
    "stray-member": "rule stray-member",
    "lock-stale": "rule lock-stale (uv lock --check --offline)",
    "check": "check() as proto check runs it",
    "merge_base": "affected: merge_base HEAD~1 (3 git calls)",
    "changed_files": "affected: changed_files (git diff + git ls-files)",
    "select": "affected: select (graph, changed files, dependents)",
    "order": "affected: Selection.names (cycle check, order)",
    "select_lock": "affected: select, uv.lock-only change",
    "lock_affected": "affected: … of which lock_affected (parse both locks, closures)",
    "lock_parse": "affected: … of which parsing both uv.lock texts (tomllib)",
    "padded_serial": "rule undeclared-import, serial, every __init__.py padded",
    "padded_pool": "rule undeclared-import, process pool, every __init__.py padded",
}
# the cumulative table: seedbed's functions and the library calls they spend their time in
CUMULATIVE_FRAMES = re.compile(
    r"^(seedbed/|tomllib/_parser\.py:\d+\(loads\)|subprocess\.py:\d+\(run\)"
    r"|ast\.py:\d+\(parse\)|pathlib\.py:\d+\(rglob\)|concurrent/futures/)"
)


# The workspace and its changes ------------------------------------------------------------------


def pick(specs: list[Spec]) -> tuple[Spec, Spec]:
    """A mid-graph provider (it has dependencies and dependents, its depth nearest half the
    longest chain, then the most direct dependents) and a leaf (no dependents, the middle one)."""
    dependents = Counter(dep for spec in specs for dep in spec.deps)
    middle = max(spec.depth for spec in specs) / 2
    providers = [spec for spec in specs if spec.deps and dependents[spec.index]]
    leaves = [spec for spec in specs if not dependents[spec.index]]
    if not providers or not leaves:
        raise SystemExit("error: no mid-graph provider or no leaf in this workspace; raise --sizes")
    provider = min(providers, key=lambda s: (abs(s.depth - middle), -dependents[s.index], s.index))
    return provider, leaves[len(leaves) // 2]


def dependents_of(specs: list[Spec], start: Spec) -> set[str]:
    """Short names of every package that depends on *start*, directly or not."""
    reverse: dict[int, list[int]] = {spec.index: [] for spec in specs}
    for spec in specs:
        for dep in spec.deps:
            reverse[dep].append(spec.index)
    seen: set[int] = set()
    pending = [start.index]
    while pending:
        for consumer in reverse[pending.pop()]:
            if consumer not in seen:
                seen.add(consumer)
                pending.append(consumer)
    return {specs[index].short for index in seen}


def init_file(root: Path, spec: Spec) -> Path:
    """The package's `__init__.py`, as workspace_gen writes it."""
    ident = spec.short.replace("-", "_")
    return root / spec.stage / spec.short / "src" / SCOPE / ident / "__init__.py"


def commit(root: Path, message: str) -> None:
    """Commit every tracked change."""
    run([*GIT, *GIT_COMMIT, "--all", "-m", message], root)


def make_branches(root: Path, provider: Spec, leaf: Spec) -> None:
    """Branch `change` (edits the provider's and the leaf's code) and `lock-edit` (edits only the
    provider's version in uv.lock, as a relock after an upgrade would), both one commit on main."""
    run(["git", "switch", "-q", "-c", "change"], root)
    for spec in (provider, leaf):
        path = init_file(root, spec)
        added = '\n\ndef describe() -> str:\n    """This package and its VALUE."""\n'
        added += '    return f"{__name__}: {VALUE}"\n'
        path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    commit(root, f"Add describe() to {provider.short} and {leaf.short}")
    run(["git", "switch", "-q", "-c", "lock-edit", "main"], root)
    lock = root / "uv.lock"
    old = f'name = "{distribution(provider)}"\nversion = "0.1.0"\n'
    text = lock.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"error: uv.lock has {text.count(old)} entries like {old!r}, not 1")
    lock.write_text(text.replace(old, old.replace("0.1.0", "0.1.1")), encoding="utf-8")
    commit(root, f"Lock {provider.short} at 0.1.1")
    run(["git", "switch", "-q", "main"], root)


# Timing subprocesses ----------------------------------------------------------------------------


def check_harness(parallel_from: int) -> Command:
    """`proto check` in a `python -c` that first sets seedbed.model.imports.PARALLEL_FROM_BYTES."""
    code = (
        f"import seedbed.model.imports as scan; scan.PARALLEL_FROM_BYTES = {parallel_from}; "
        "from seedbed.cli.app import main; main(['check'])"
    )
    return [sys.executable, "-c", code]


def require_clean(root: Path, count: int) -> None:
    """`proto check` must pass on the generated workspace; else stop and show what fired."""
    argv = [str(tool("proto")), "check"]
    result = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0 or f"pass for {count} packages" not in result.stdout:
        raise SystemExit(
            f"error: `proto check` exited {result.returncode} on the generated workspace of "
            f"{count} packages (fix workspace_gen):\n{result.stdout}{result.stderr}"
        )


def tree_names(stdout: str) -> set[str]:
    """Distribution names in `uv tree` output."""
    return set(re.findall(rf"({SCOPE}-pkg-\d+) v", stdout))


def matrix_names(stdout: str) -> set[str]:
    """Package names in `proto affected --format github-matrix` output."""
    return {entry["name"] for line in stdout.splitlines() for entry in json.loads(line)["include"]}


def rotate(measures: Mapping[str, Callable[[], float]], repeat: int) -> dict[str, list[float]]:
    """*repeat* seconds from each of *measures*, the order rotating by one every round (so that
    a slow spell on a busy machine does not always hit the same one)."""
    runs: dict[str, list[float]] = {key: [] for key in measures}
    keys = list(measures)
    for index in range(repeat):
        shift = index % len(keys)
        for key in keys[shift:] + keys[:shift]:
            runs[key].append(measures[key]())
    return runs


def time_commands(
    root: Path,
    commands: dict[str, Command],
    repeat: int,
    expected: dict[str, Callable[[str], bool]],
) -> dict[str, list[float]]:
    """One untimed run of each command, its stdout checked by *expected* (when there), then
    *repeat* timed runs of each, the order rotating by one every round."""
    for key, command in commands.items():
        stdout = run(command, root)
        if key in expected and not expected[key](stdout):
            raise SystemExit(f"error: `{LABELS[key]}` printed something unexpected:\n{stdout}")
    measures = {key: partial(timed, command, root) for key, command in commands.items()}
    return rotate(measures, repeat)


def bench_check(root: Path, count: int, repeat: int) -> dict[str, list[float]]:
    """The check commands, on the clean workspace."""
    commands: dict[str, Command] = {
        "proto_check": [tool("proto"), "check"],
        "proto_check_json": [tool("proto"), "check", "--json"],
        "check_serial": check_harness(SERIAL),
        "check_pool": check_harness(0),
        "uv_lock_check": [tool("uv"), "lock", "--check", "--offline"],
        "ast_parse": [sys.executable, "-c", AST_SCAN],
        "proto_version": [tool("proto"), "--version"],
    }
    if (Path(sys.executable).parent / "ruff").exists():  # optional
        ruff: Command = [tool("ruff"), "check", "--select", "F401", "--no-cache", "--quiet", "."]
        commands["ruff_f401"] = ruff
    passes = f"All {len(rules.RULES)} rules pass for {count} packages."
    expected: dict[str, Callable[[str], bool]] = {
        "proto_check": lambda out: out.strip() == passes,
        "proto_check_json": lambda out: json.loads(out) == [],
        "check_serial": lambda out: out.strip() == passes,
        "check_pool": lambda out: out.strip() == passes,
        "ast_parse": lambda out: int(out) == 2 * count,
    }
    return time_commands(root, commands, repeat, expected)


def bench_affected(
    root: Path, specs: list[Spec], provider: Spec, leaf: Spec, repeat: int
) -> dict[str, list[float]]:
    """The affected commands on branch `change`, then `proto affected` on `lock-edit`."""
    lock_expected = {provider.short} | dependents_of(specs, provider)
    change_expected = lock_expected | {leaf.short}
    by_dist = {distribution(spec): spec.short for spec in specs}
    since = ["--since", "HEAD~1"]
    commands: dict[str, Command] = {
        "proto_affected": [tool("proto"), "affected", *since],
        "proto_affected_matrix": [tool("proto"), "affected", *since, "--format", "github-matrix"],
        "git_diff": ["git", "diff", "--name-only", "HEAD~1"],
        "uv_tree_invert": [
            tool("uv"),
            "tree",
            "--invert",
            "--frozen",
            "--package",
            distribution(provider),
            "--package",
            distribution(leaf),
        ],
    }
    expected: dict[str, Callable[[str], bool]] = {
        "proto_affected": lambda out: set(out.split()) == change_expected,
        "proto_affected_matrix": lambda out: matrix_names(out) == change_expected,
        "git_diff": lambda out: len(out.split()) == 2,
        "uv_tree_invert": lambda out: {by_dist[d] for d in tree_names(out)} == change_expected,
    }
    run(["git", "switch", "-q", "change"], root)
    runs = time_commands(root, commands, repeat, expected)
    runs["by_hand"] = [a + b for a, b in zip(runs["git_diff"], runs["uv_tree_invert"], strict=True)]
    run(["git", "switch", "-q", "lock-edit"], root)
    lock_only = {"proto_affected_lock": commands["proto_affected"]}
    lock_check = {"proto_affected_lock": lambda out: set(out.split()) == lock_expected}
    runs.update(time_commands(root, lock_only, repeat, lock_check))
    run(["git", "switch", "-q", "main"], root)
    return runs


# Phases, in-process -----------------------------------------------------------------------------


def seconds(call: Callable[[], object]) -> Callable[[], float]:
    """A measure: the seconds of one call of *call*."""

    def measure() -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    return measure


def clock(calls: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Seconds of *repeat* calls of each of *calls*, the order rotating."""
    return rotate({key: seconds(call) for key, call in calls.items()}, repeat)


def with_parallel_from(value: int, call: Callable[[], object]) -> Callable[[], object]:
    """*call* with seedbed.model.imports.PARALLEL_FROM_BYTES set to *value* while it runs."""

    def patched() -> object:
        saved = scanning.PARALLEL_FROM_BYTES
        scanning.PARALLEL_FROM_BYTES = value
        try:
            return call()
        finally:
            scanning.PARALLEL_FROM_BYTES = saved

    return patched


def find_sources(ws: workspace.Workspace) -> list[Path]:
    """The files undeclared-import scans, found the way it finds them."""
    return [
        path
        for package in ws.packages
        for part in ("src", "tests")
        for path in sorted((ws.root / package.path / part).rglob("*.py"))
    ]


def bench_phases(root: Path, repeat: int) -> dict[str, list[float]]:
    """Each step of `proto check` (on main) and `proto affected` (on change, lock-edit)."""
    ws = workspace.load(root)
    graph = Graph.of(ws)
    steps: dict[str, Callable[[], object]] = {
        "load": lambda: workspace.load(root),
        "graph": lambda: Graph.of(ws),
        "core-depends-on-seed": lambda: list(rules.core_depends_on_seed(graph)),
        "cycle": lambda: list(rules.cycles(graph)),
        "find_sources": lambda: find_sources(ws),
        "undeclared_serial": with_parallel_from(
            SERIAL, lambda: list(rules.undeclared_imports(ws, graph))
        ),
        "undeclared_pool": with_parallel_from(0, lambda: list(rules.undeclared_imports(ws, graph))),
        "source-not-workspace": lambda: list(rules.sources_not_workspace(ws, graph)),
        "bad-name": lambda: list(rules.bad_names(ws)),
        "stray-member": lambda: list(rules.stray_members(ws)),
        "lock-stale": lambda: list(rules.lock_stale(ws)),
        "check": lambda: rules.violations(ws),
    }
    runs = clock(steps, repeat)
    run(["git", "switch", "-q", "change"], root)
    base = selection.merge_base(ws, "HEAD~1")
    chosen = selection.since(ws, base, graph)
    steps = {
        "merge_base": lambda: selection.merge_base(ws, "HEAD~1"),
        "changed_files": lambda: selection.changed_files(ws, base),
        "select": lambda: selection.since(ws, base, graph),
        "order": lambda: chosen.names(graph),
    }
    runs.update(clock(steps, repeat))
    run(["git", "switch", "-q", "lock-edit"], root)
    lock_base = selection.merge_base(ws, "HEAD~1")
    old_lock = run(["git", "show", f"{lock_base}:uv.lock"], root)
    texts = (old_lock, (root / "uv.lock").read_text(encoding="utf-8"))
    steps = {
        "select_lock": lambda: selection.since(ws, lock_base, graph),
        "lock_affected": lambda: selection.lock_affected(ws, lock_base),
        "lock_parse": lambda: [tomllib.loads(text) for text in texts],
    }
    runs.update(clock(steps, repeat))
    run(["git", "switch", "-q", "main"], root)
    return runs


def bench_padded(root: Path, specs: list[Spec], repeat: int) -> dict[str, list[float]]:
    """The undeclared-import rule, serial against the process pool, after appending PAD (real
    code) to every package's `__init__.py`: the generated files are a few lines long."""
    pad = "\n" + PAD.read_text(encoding="utf-8")
    for spec in specs:
        path = init_file(root, spec)
        path.write_text(path.read_text(encoding="utf-8") + pad, encoding="utf-8")
    ws = workspace.load(root)
    graph = Graph.of(ws)
    if list(rules.undeclared_imports(ws, graph)):
        raise SystemExit(f"error: undeclared-import fires once {PAD.name} is appended")

    def scan() -> object:
        return list(rules.undeclared_imports(ws, graph))

    steps = {
        "padded_serial": with_parallel_from(SERIAL, scan),
        "padded_pool": with_parallel_from(0, scan),
    }
    runs = clock(steps, repeat)
    run(["git", "checkout", "-q", "--", "."], root)
    return runs


# Profile ----------------------------------------------------------------------------------------


def where(file: str, line: int, function: str) -> str:
    """A short label for one profiled function: path from the package or stdlib folder on."""
    if file == "~":
        return function
    file = re.sub(r".*/(site-packages|src)/", "", file)
    file = re.sub(r".*/lib/python3\.\d+/", "", file)
    return f"{file}:{line}({function})"


def profile_check(root: Path, folder: Path, top: int = PROFILE_TOP) -> dict[str, Any]:
    """cProfile of `proto check` (imports included) run in *root*: the top functions by own time,
    and by cumulative time those of seedbed and the library calls in CUMULATIVE_FRAMES."""
    out = folder / "check.prof"
    statement = "from seedbed.cli.app import main; main(['check'])"
    code = f"import cProfile; cProfile.run({statement!r}, {str(out)!r})"
    seconds, _ = timed_run([sys.executable, "-c", code], root)
    stats = pstats.Stats(str(out))
    table: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = vars(stats)["stats"]
    rows: list[dict[str, Any]] = [
        {"function": where(*key), "calls": calls, "own": own, "cumulative": cumulative}
        for key, (_, calls, own, cumulative, _) in table.items()
    ]
    ours = [r for r in rows if CUMULATIVE_FRAMES.match(r["function"])]
    return {
        "wall_seconds": seconds,
        "profiled_seconds": max(r["cumulative"] for r in rows),
        "by_own_time": sorted(rows, key=lambda r: -r["own"])[:top],
        "by_cumulative_time": sorted(ours, key=lambda r: -r["cumulative"])[:top],
    }


def what_imports(root: Path, argv: list[str]) -> dict[str, Any]:
    """What `main(argv)` imports beyond the interpreter's start-up (`python -X importtime`)."""
    startup = {name.strip() for _, _, name in importtime(root, "pass")}
    return imports(root, argv, startup)


# Report -----------------------------------------------------------------------------------------


def bench_size(size: int, repeat: int, seed: int, parent: Path, deep: bool) -> dict[str, Any]:
    """Everything at one size; with *deep*, the profile and the imports too."""
    made = generate(parent / f"ws{size}", size, seed, SCOPE, lock=True)
    root = made.root
    require_clean(root, size)
    provider, leaf = pick(made.specs)
    make_branches(root, provider, leaf)
    runs = bench_check(root, size, repeat)
    runs.update(bench_affected(root, made.specs, provider, leaf, repeat))
    phases = bench_phases(root, repeat)
    facts = workspace_facts(made)
    facts["py_files"] = len(find_sources(workspace.load(root)))
    facts["lock_kib"] = (root / "uv.lock").stat().st_size / 1024
    result: dict[str, Any] = {
        "workspace": facts,
        "change": {
            "provider": provider.short,
            "provider_depth": provider.depth,
            "provider_dependents": len(dependents_of(made.specs, provider)),
            "leaf": leaf.short,
        },
        "commands": {
            key: {"command": LABELS[key], **describe(times)} for key, times in runs.items()
        },
        "ratios": {
            key: {
                "min": min(runs[top]) / min(runs[bottom]),
                "median": statistics.median(runs[top]) / statistics.median(runs[bottom]),
            }
            for key, (_, top, bottom) in RATIOS.items()
        },
        "phases": {key: describe(times) for key, times in phases.items()},
    }
    if deep:
        with tempfile.TemporaryDirectory(prefix="seedbed-bench-prof-") as folder:
            result["profile"] = profile_check(root, Path(folder))
        result["imports"] = {"check": what_imports(root, ["check"])}
        run(["git", "switch", "-q", "change"], root)
        result["imports"]["affected"] = what_imports(root, ["affected", "--since", "HEAD~1"])
        run(["git", "switch", "-q", "main"], root)
    result["phases"].update(
        {key: describe(times) for key, times in bench_padded(root, made.specs, repeat).items()}
    )
    facts["padded_lines"] = len(PAD.read_text(encoding="utf-8").splitlines())
    return result


def growth(results: dict[str, Any], section: str) -> dict[str, dict[str, float]]:
    """Per key of *section*: largest-size time / smallest-size time (min and median), and the
    median's extra milliseconds per 100 more packages."""
    sizes = sorted(results, key=int)
    small, large = results[sizes[0]][section], results[sizes[-1]][section]
    extra = max(int(sizes[-1]) - int(sizes[0]), 1)
    return {
        key: {
            "min": large[key]["min"] / small[key]["min"],
            "median": large[key]["median"] / small[key]["median"],
            "ms_per_100": (large[key]["median"] - small[key]["median"]) * 1e5 / extra,
        }
        for key in large
        if key in small
    }


def bench(sizes: list[int], repeat: int, seed: int) -> dict[str, Any]:
    """Every size, smallest first, each in its own temporary folder."""
    results: dict[str, Any] = {}
    for size in sizes:
        print(f"{size} packages ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"seedbed-bench-scale-{size}-") as parent:
            results[str(size)] = bench_size(size, repeat, seed, Path(parent), size == sizes[-1])
    report: dict[str, Any] = {
        "benchmark": "scale",
        "sizes": sizes,
        "repeat": repeat,
        "seed": seed,
        "results": results,
    }
    report["growth"] = {  # with one size: ratios of 1, nothing per 100 more packages
        "commands": growth(results, "commands"),
        "phases": growth(results, "phases"),
    }
    return report


def size_table(size: str, result: dict[str, Any]) -> list[str]:
    """The Markdown table of one size."""
    change = result["change"]
    header = ["| command | min (s) | median (s) |", "| --- | ---: | ---: |"]
    commands = result["commands"]
    return [
        f"### {size} packages",
        "",
        f"Changed on branch `change`: {change['provider']} (depth {change['provider_depth']}, "
        f"{change['provider_dependents']} dependents) and the leaf {change['leaf']}.",
        "",
        *header,
        *(row(value["command"], value) for value in commands.values()),
        *(row(f"ratio {label}", result["ratios"][key], 2) for key, (label, _, _) in RATIOS.items()),
        "",
    ]


def growth_table(
    report: dict[str, Any], section: str, labels: dict[str, str], scale: float, unit: str
) -> list[str]:
    """Medians per size of every key of *section*, and (with two sizes or more) how they grow."""
    sizes = [str(size) for size in report["sizes"]]
    results, grown = report["results"], report["growth"][section]
    first, last = sizes[0], sizes[-1]
    ratios = len(sizes) > 1
    extra = f" | {last} / {first} (median) | {last} / {first} (min) | ms per 100 more packages"
    return [
        f"| {'command' if section == 'commands' else 'phase'} | "
        + " | ".join(f"{size} ({unit})" for size in sizes)
        + (extra if ratios else "")
        + " |",
        "| --- |" + " ---: |" * (len(sizes) + 3 * ratios),
        *(
            f"| {labels[key]} | "
            + " | ".join(f"{results[size][section][key]['median'] * scale:.3g}" for size in sizes)
            + (
                f" | {value['median']:.2f} | {value['min']:.2f} | {value['ms_per_100']:.1f}"
                if ratios
                else ""
            )
            + " |"
            for key, value in grown.items()
        ),
        "",
    ]


def profile_lines(report: dict[str, Any]) -> list[str]:
    """The profile and the imports of the largest size, as Markdown."""
    size = str(report["sizes"][-1])
    deep = report["results"][size]
    profile = deep["profile"]
    header = ["| function | calls | own (ms) | cumulative (ms) |", "| --- | ---: | ---: | ---: |"]

    def table(rows: list[dict[str, Any]]) -> list[str]:
        return [
            f"| `{r['function']}` | {r['calls']} | {r['own'] * 1e3:.1f} | "
            f"{r['cumulative'] * 1e3:.1f} |"
            for r in rows
        ]

    def imported(label: str, found: dict[str, Any]) -> str:
        heaviest = ", ".join(f"{h['module'].strip()} {h['seconds']:.3f}" for h in found["heaviest"])
        return (
            f"- `{label}`: {found['modules']} modules in {found['import_seconds']:.3f} s beyond "
            f"start-up; distributions: {', '.join(found['third_party'])}; heaviest (s): {heaviest}"
        )

    return [
        f"## Profile of `proto check` at {size} packages",
        "",
        f"cProfile, one run including imports: {profile['profiled_seconds']:.3f} s profiled, "
        f"{profile['wall_seconds']:.3f} s wall with the profiler. The process pool's workers and "
        "the uv subprocess are not profiled: their time shows as waiting (`poll`, `acquire`).",
        "",
        "By own time:",
        "",
        *header,
        *table(profile["by_own_time"]),
        "",
        "By cumulative time, seedbed's functions and the library calls they make (toml, "
        "subprocess, ast, pathlib, concurrent.futures):",
        "",
        *header,
        *table(profile["by_cumulative_time"]),
        "",
        "Imports (`python -X importtime`, in-process `main([...])`):",
        "",
        *(imported(f"proto {command}", found) for command, found in deep["imports"].items()),
        "",
    ]


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables."""
    results, env = report["results"], report["environment"]
    sizes = [str(size) for size in report["sizes"]]
    lines = [
        "# `proto check` and `proto affected` by workspace size",
        "",
        f"Synthetic workspaces (`workspace_gen`, seed {report['seed']}), {report['repeat']} runs "
        "per command, order rotating. `proto check` passes on every one.",
        "",
        "| packages | core | dependencies | longest chain | .py files | uv.lock (KiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {size} | {w['core']} | {w['dependencies']} | {w['longest_chain']} | "
            f"{w['py_files']} | {w['lock_kib']:.0f} |"
            for size in sizes
            for w in [results[size]["workspace"]]
        ),
        "",
        *(line for size in sizes for line in size_table(size, results[size])),
    ]
    padded = results[sizes[-1]]["workspace"]["padded_lines"]
    lines += [
        "## Growth",
        "",
        "Subprocesses, median seconds:",
        "",
        *growth_table(report, "commands", LABELS, 1, "s"),
        "In-process phases, median milliseconds (imports done, the order rotating). The padded "
        f"rows append {PAD.name} ({padded} lines of real code) to every package's `__init__.py` "
        "first (the generated files are a few lines long), to see when the process pool pays off.",
        "",
        *growth_table(report, "phases", PHASE_LABELS, 1e3, "ms"),
    ]
    lines += profile_lines(report)
    lines += [
        f"{env['proto']}, {env['uv']}, {env['git']}, Python {env['python']}, {env['cpus']} CPUs, "
        f"{env['system']}, {env['date']}; load average {env['load_before']:.2f} before, "
        f"{env['load_after']:.2f} after (other work on the machine skews the figures)",
    ]
    return "\n".join(lines) + "\n"


def parse_sizes(text: str) -> list[int]:
    """`100,250` -> [100, 250], sorted, without repeats."""
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        message = f"not a comma-separated list of integers: {text}"
        raise argparse.ArgumentTypeError(message) from None
    if not sizes or sizes[0] < 10:
        raise argparse.ArgumentTypeError("every size must be at least 10")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the results, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES), help=DEFAULT_SIZES
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per command (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the workspaces (1)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    load_before = os.getloadavg()[0]
    report = bench(args.sizes, args.repeat, args.seed)
    report["environment"] = environment(("proto", "uv"))
    report["environment"]["load_before"] = load_before
    report["environment"]["load_after"] = os.getloadavg()[0]
    report["environment"]["git"] = run(["git", "--version"], Path.cwd()).strip()
    write(report, args.out, to_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
