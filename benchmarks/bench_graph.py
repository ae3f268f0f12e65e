"""Time `proto list`, `proto graph` and `proto graduate` in a synthetic workspace of COUNT packages
against the raw uv and git commands they compete with.

One workspace is generated (`workspace_gen.generate`, locked and committed), then, as subprocesses
in it:

1. `proto list --json` against `uv workspace list` (names) and `uv workspace list --paths`, with
   `uv workspace metadata` (preview; also gives the dependencies), `proto graph --format json`,
   `proto list` and `proto --version` (start-up alone) for reference;
2. `proto graduate NAME` against `git mv seeds/NAME core/NAME` + `uv lock --upgrade-package DIST`,
   each run on a fresh seed that others depend on and that depends on no seed, the workspace reset
   to its commit after every run; and `proto graduate NAME --dry-run`;
3. which top-level modules `graduate NAME --dry-run` (and the real graduation) import, from
   `python -X importtime`: planning must not import Copier or GitPython.

    python benchmarks/bench_graph.py [--count 500] [--repeat 7] [--seed 1] [--out FILE.json]

Needs no network: the synthetic workspace has no dependencies outside itself.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

from bench_new import Env, describe, environment, ratio, run, timed, timed_run, tool, write
from workspace_gen import Generated, Spec, generate

SCOPE = "bench"
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "graph.json"

# key: (label, tool, arguments); timed in this order, rotated by one each round.
LISTING: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "proto_list_json": ("proto list --json", "proto", ("list", "--json")),
    "uv_workspace_list": ("uv workspace list", "uv", ("workspace", "list")),
    "uv_workspace_list_paths": (
        "uv workspace list --paths",
        "uv",
        ("workspace", "list", "--paths"),
    ),
    "uv_workspace_metadata": (
        "uv workspace metadata (preview)",
        "uv",
        ("workspace", "metadata", "--preview-features", "workspace-metadata"),
    ),
    "proto_graph_json": ("proto graph --format json", "proto", ("graph", "--format", "json")),
    "proto_list": ("proto list", "proto", ("list",)),
    "proto_version": ("proto --version (start-up only)", "proto", ("--version",)),
}
OPTIONAL = {"uv_workspace_metadata"}  # a preview command: skipped if this uv lacks it
COMPARED = ("uv_workspace_list", "uv_workspace_list_paths")  # proto list --json against these

GRADUATE_LABELS = {
    "proto": "proto graduate NAME",
    "by_hand": "git mv seeds/NAME core/NAME + uv lock --upgrade-package DIST",
    "by_hand_git_mv": "… of which git mv",
    "by_hand_uv_lock": "… of which uv lock --upgrade-package",
    "proto_dry_run": "proto graduate NAME --dry-run",
}
WATCHED = {"copier": "copier", "gitpython": "git"}  # what planning must not import


# Listing ----------------------------------------------------------------------------------------


def bench_listing(root: Path, repeat: int, count: int) -> tuple[dict[str, list[float]], list[str]]:
    """Seconds per LISTING command, *repeat* runs each after one untimed check run."""
    commands: dict[str, list[str | Path]] = {
        key: [tool(name), *args] for key, (_, name, args) in LISTING.items()
    }
    notes: list[str] = []
    for key, command in list(commands.items()):
        argv = [str(part) for part in command]
        result = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            if key not in OPTIONAL:
                raise SystemExit(f"error: `{' '.join(argv)}` failed:\n{result.stderr}")
            reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
            notes.append(f"skipped `{LISTING[key][0]}`: it failed here ({reason})")
            del commands[key]
        else:
            check_listing(key, result.stdout, count)
    runs: dict[str, list[float]] = {key: [] for key in commands}
    keys = list(commands)
    for index in range(repeat):
        shift = index % len(keys)
        for key in keys[shift:] + keys[:shift]:
            runs[key].append(timed(commands[key], root))
    return runs, notes


def check_listing(key: str, stdout: str, count: int) -> None:
    """Both sides of the comparison must list every package."""
    if key == "proto_list_json":
        listed = len(json.loads(stdout))
    elif key in COMPARED:
        listed = len(stdout.splitlines())
    else:
        return
    if listed != count:
        raise SystemExit(f"error: `{LISTING[key][0]}` listed {listed} packages, not {count}")


# Graduation -------------------------------------------------------------------------------------


def candidates(specs: list[Spec]) -> list[Spec]:
    """Seeds that graduate alone: some package depends on them and none of their dependencies
    is a seed. Sorted so that neighbours are alike (dependents, then dependencies, then index)."""
    dependents = Counter(dep for spec in specs for dep in spec.deps)
    found = [
        spec
        for spec in specs
        if spec.stage == "seeds"
        and dependents[spec.index]
        and all(specs[dep].stage == "core" for dep in spec.deps)
    ]
    return sorted(found, key=lambda spec: (dependents[spec.index], len(spec.deps), spec.index))


def distribution(spec: Spec) -> str:
    """The distribution name workspace_gen gives *spec*."""
    return f"{SCOPE}-{spec.short}"


def reset(root: Path) -> None:
    """Back to the generated commit: index, work tree, no untracked files or folders."""
    run(["git", "reset", "--hard", "-q"], root)
    run(["git", "clean", "-fdq"], root)


def check_graduated(root: Path, spec: Spec) -> None:
    """The package is in core/ and uv.lock points there."""
    moved = (root / "core" / spec.short / "pyproject.toml").is_file()
    gone = not (root / "seeds" / spec.short).exists()
    relocked = f'editable = "core/{spec.short}"' in (root / "uv.lock").read_text(encoding="utf-8")
    if not (moved and gone and relocked):
        shown = f"moved {moved}, seeds/ folder gone {gone}, relocked {relocked}"
        raise SystemExit(f"error: {spec.short} did not graduate ({shown})")


def graduate_by_hand(root: Path, spec: Spec, env: Env = None) -> tuple[float, float]:
    """Seconds of `git mv seeds/NAME core/NAME` and of `uv lock --upgrade-package DIST`."""
    move = timed(["git", "mv", f"seeds/{spec.short}", f"core/{spec.short}"], root, env)
    lock = timed([tool("uv"), "lock", "--upgrade-package", distribution(spec)], root, env)
    return move, lock


def edited_files(output: str) -> list[str]:
    """The files `proto graduate` lists under its `Edited ...:` heading."""
    edited: list[str] = []
    inside = False
    for line in output.splitlines():
        if not line.startswith(" "):
            inside = line.startswith("Edited")
        elif inside:
            edited.append(line.strip())
    return edited


def bench_graduate(root: Path, specs: list[Spec], repeat: int) -> dict[str, Any]:
    """proto against by hand, alternating, a different seed every run; then the dry run."""
    pool = candidates(specs)
    if not pool:
        raise SystemExit("error: no seed graduates alone in this workspace; raise --count")
    notes: list[str] = []
    if len(pool) < 2 * repeat:
        notes.append(
            f"only {len(pool)} seeds graduate alone, so some were graduated more than once "
            "(from the same reset workspace)"
        )
    runs: dict[str, list[float]] = {key: [] for key in GRADUATE_LABELS}
    seeds: dict[str, list[str]] = {"proto": [], "by_hand": []}
    outputs: list[str] = []
    for index in range(repeat):
        # neighbours in the sorted pool are alike; swap which method gets which every round
        pair = (pool[2 * index % len(pool)], pool[(2 * index + 1) % len(pool)])
        mine, theirs = pair if index % 2 == 0 else pair[::-1]
        for method in ("proto", "by_hand") if index % 2 == 0 else ("by_hand", "proto"):
            if method == "proto":
                seconds, output = timed_run([tool("proto"), "graduate", mine.short], root)
                runs["proto"].append(seconds)
                outputs.append(output)
                check_graduated(root, mine)
                seeds["proto"].append(mine.short)
            else:
                move, lock = graduate_by_hand(root, theirs)
                runs["by_hand"].append(move + lock)
                runs["by_hand_git_mv"].append(move)
                runs["by_hand_uv_lock"].append(lock)
                check_graduated(root, theirs)
                seeds["by_hand"].append(theirs.short)
            reset(root)
    for _ in range(repeat):
        runs["proto_dry_run"].append(
            timed([tool("proto"), "graduate", pool[0].short, "--dry-run"], root)
        )
    edited = sorted({path for output in outputs for path in edited_files(output)})
    return {
        "methods": {key: describe(times) for key, times in runs.items()},
        "ratio_proto_by_hand": ratio(runs["proto"], runs["by_hand"]),
        "seeds": seeds,
        "candidates": len(pool),
        "proto_edited": edited,
        "proto_output": outputs[0],
        "notes": notes,
    }


# Imports ----------------------------------------------------------------------------------------


ImportRow = tuple[int, int, str]  # self µs, cumulative µs, module name indented by its depth


def importtime(root: Path, code: str) -> list[ImportRow]:
    """Every import of `python -X importtime -c CODE` run in *root*."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"error: `python -c {code!r}` failed:\n{result.stderr}")
    rows: list[ImportRow] = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:"):
            fields = line[len("import time:") :].split("|")
            if len(fields) == 3 and fields[0].strip().isdigit():
                rows.append((int(fields[0]), int(fields[1]), fields[2][1:]))
    return rows


def imports(root: Path, argv: list[str], startup: set[str]) -> dict[str, Any]:
    """What `main(argv)` imports beyond the interpreter's own *startup* modules."""
    rows = importtime(root, f"from seedbed.cli.app import main; main({argv!r})")
    rows = [row for row in rows if row[2].strip() not in startup]
    tops = {name.strip().split(".")[0] for _, _, name in rows}
    owners = packages_distributions()  # top-level module -> distributions; drops failed imports
    outermost = sorted(
        ((cumulative, name) for _, cumulative, name in rows if not name.startswith(" ")),
        reverse=True,
    )
    return {
        "argv": argv,
        "modules": len(rows),
        "import_seconds": sum(own for own, _, _ in rows) / 1e6,
        "imports": {label: module in tops for label, module in WATCHED.items()},
        "third_party": sorted(
            {dist for top in tops - {"seedbed"} for dist in owners.get(top, [])}, key=str.lower
        ),
        "heaviest": [{"module": name, "seconds": us / 1e6} for us, name in outermost[:5]],
    }


def bench_imports(root: Path, spec: Spec) -> dict[str, Any]:
    """Imports of the planning (`--dry-run`) and of a real graduation (then reset)."""
    startup = {name.strip() for _, _, name in importtime(root, "pass")}
    planning = imports(root, ["graduate", spec.short, "--dry-run"], startup)
    applying = imports(root, ["graduate", spec.short], startup)
    check_graduated(root, spec)
    reset(root)
    return {"dry_run": planning, "apply": applying}


# Report -----------------------------------------------------------------------------------------


def workspace_facts(made: Generated) -> dict[str, Any]:
    """The shape of the generated workspace and how long generating it took."""
    return {
        "packages": len(made.specs),
        "core": sum(spec.stage == "core" for spec in made.specs),
        "dependencies": sum(len(spec.deps) for spec in made.specs),
        "longest_chain": max(spec.depth for spec in made.specs),
        "generate_seconds": made.timings,
    }


def bench(count: int, repeat: int, seed: int, parent: Path) -> dict[str, Any]:
    """Generate the workspace and run every part; return the report (without environment)."""
    made = generate(parent / "ws", count, seed, SCOPE, lock=True)
    root = made.root
    listing_runs, listing_notes = bench_listing(root, repeat, count)
    listing: dict[str, Any] = {
        "methods": {
            key: {"command": LISTING[key][0], **describe(times)}
            for key, times in listing_runs.items()
        },
        "ratios": {
            f"proto_list_json/{key}": ratio(listing_runs["proto_list_json"], listing_runs[key])
            for key in COMPARED
        },
        "notes": listing_notes,
    }
    graduate = bench_graduate(root, made.specs, repeat)
    return {
        "benchmark": "graph",
        "count": count,
        "repeat": repeat,
        "seed": seed,
        "workspace": workspace_facts(made),
        "listing": listing,
        "graduate": graduate,
        "imports": bench_imports(root, candidates(made.specs)[0]),
    }


def row(label: str, stats: dict[str, Any], digits: int = 3) -> str:
    """One Markdown table row of a min and a median."""
    return f"| {label} | {stats['min']:.{digits}f} | {stats['median']:.{digits}f} |"


def import_line(label: str, found: dict[str, Any]) -> str:
    """One Markdown bullet about what a command imported."""
    yes_no = {True: "**yes**", False: "no"}
    heaviest = ", ".join(f"{h['module'].strip()} {h['seconds']:.3f}" for h in found["heaviest"])
    return (
        f"- `{label}`: Copier {yes_no[found['imports']['copier']]}, GitPython (`git`) "
        f"{yes_no[found['imports']['gitpython']]}; {found['modules']} modules in "
        f"{found['import_seconds']:.3f} s beyond start-up; distributions: "
        f"{', '.join(found['third_party'])}; "
        f"heaviest (s): {heaviest}"
    )


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables and notes."""
    shape = report["workspace"]
    listing, graduate, env = report["listing"], report["graduate"], report["environment"]
    header = ["| command | min (s) | median (s) |", "| --- | ---: | ---: |"]
    edited = ", ".join(graduate["proto_edited"]) or "nothing"
    methods, last = graduate["methods"], "proto_dry_run"
    lines = [
        f"Listing a synthetic workspace of {shape['packages']} packages ({shape['core']} core, "
        f"{shape['dependencies']} dependencies), {report['repeat']} runs each",
        "",
        *header,
        *(row(method["command"], method) for method in listing["methods"].values()),
        *(
            row(f"ratio proto list --json / {LISTING[key.split('/')[1]][0]}", value, 2)
            for key, value in listing["ratios"].items()
        ),
        "",
        f"`proto graduate` against by hand, {report['repeat']} runs each, a different seed each "
        "run (workspace reset to its commit after every run)",
        "",
        *header,
        *(row(GRADUATE_LABELS[key], methods[key]) for key in GRADUATE_LABELS if key != last),
        row("ratio proto / by hand", graduate["ratio_proto_by_hand"], 2),
        row(GRADUATE_LABELS[last], methods[last]),
        "",
        "Imports (`python -X importtime`, in-process `main([...])`):",
        "",
        import_line("graduate NAME --dry-run", report["imports"]["dry_run"]),
        import_line("graduate NAME", report["imports"]["apply"]),
        "",
        "Notes:",
        "",
        "- besides the move and the relock, `proto graduate` read and checked every manifest "
        "(stage, dependents, seeds left behind, free target), asked git about the repository, "
        "uncommitted changes and tracked files mentioning `seeds/NAME`, kept the git index and "
        "uv.lock for rollback, and switched the stage settings (status classifier, answers file); "
        f"here it edited: {edited} (synthetic packages have no classifier, no answers file, and "
        "nothing but uv.lock mentions their path)",
        *(f"- {note}" for note in listing["notes"] + graduate["notes"]),
        "",
        f"{env['proto']}, {env['uv']}, {env['git']}, Python {env['python']}, {env['cpus']} CPUs, "
        f"{env['system']}, {env['date']}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the results, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=500, help="packages in the workspace (500)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (default 7)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the workspace (1)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.count < 2:
        parser.error("--repeat must be at least 1 and --count at least 2")
    with tempfile.TemporaryDirectory(prefix="seedbed-bench-graph-") as parent:
        report = bench(args.count, args.repeat, args.seed, Path(parent))
    report["environment"] = environment(("proto", "uv"))
    report["environment"]["git"] = run(["git", "--version"], Path.cwd()).strip()
    write(report, args.out, to_markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
