"""Time `proto sheriff` against a plain `git bisect run` on a synthetic workspace with a long
history in which few commits touch the red package's closure.

A workspace of `--count` packages (`workspace_gen.generate(..., lock=True, tools=True)`) gets
`--commits` commits: each edits the README of a random package outside the target's closure,
but `--related` of them, which edit a module of a package in it (harmlessly), and one, the
culprit, which breaks a dependency of the target (its tests check a value computed from its
dependencies). Then, from the same starting state (task cache empty, environments made):

- **proto sheriff TARGET --json**: its wall time, how many commits it tested (the task ran or
  came from the cache there), and whether it named the culprit;
- **git bisect run proto run test -p TARGET --no-cache** between the first commit and HEAD (in
  the work tree, as people do it by hand): its wall time and how many commits it ran the task
  at, and whether it named the culprit.

    python benchmarks/bench_sheriff.py [--count 100] [--commits 1000] [--related 10] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_new import environment, run, tool, write
from workspace_gen import GIT, GIT_COMMIT, Spec, generate

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "sheriff.json"


def closure(specs: list[Spec], index: int) -> set[int]:
    """*index* and every package it depends on, transitively."""
    found, stack = set(), [index]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(specs[current].deps)
    return found


def module(spec: Spec, scope_ident: str = "bench") -> str:
    """The package's __init__.py, relative to the workspace root."""
    return f"{spec.stage}/{spec.short}/src/{scope_ident}/{spec.short.replace('-', '_')}/__init__.py"


def commit(root: Path, path: str, edit: Any, message: str) -> str:  # noqa: ANN401
    """Apply *edit* (text -> text) to one file and commit it; the commit's id."""
    target = root / path
    target.write_text(edit(target.read_text() if target.exists() else ""))
    run([*GIT, "add", "--all"], root)
    run([*GIT, *GIT_COMMIT, "-m", message], root)
    return run(["git", "rev-parse", "HEAD"], root).strip()


def make_history(root: Path, specs: list[Spec], target: int, commits: int, related: int,
                 seed: int) -> str:  # fmt: skip
    """Commit the history; return the culprit's id."""
    rng = random.Random(seed)
    inside = sorted(closure(specs, target))
    outside = [spec.index for spec in specs if spec.index not in inside]
    culprit_at = rng.randrange(commits // 4, 3 * commits // 4)
    related_at = set(rng.sample([i for i in range(commits) if i != culprit_at], related))
    culprit = ""
    breaking = specs[target].deps[0]
    for number in range(commits):
        if number == culprit_at:
            culprit = commit(root, module(specs[breaking]),
                             lambda text: text.replace("VALUE = 1", "VALUE = 2"),
                             f"Break {specs[breaking].short}")  # fmt: skip
        elif number in related_at:
            spec = specs[rng.choice(inside)]
            commit(root, module(spec), lambda text, n=number: text + f"# note {n}\n",
                   f"Touch {spec.short}")  # fmt: skip
        else:
            spec = specs[rng.choice(outside)]
            path = f"{spec.stage}/{spec.short}/README.md"
            commit(root, path, lambda text, n=number: text + f"note {n}\n",
                   f"Document {spec.short}")  # fmt: skip
    return culprit


def sheriff(root: Path, name: str, cache: Path) -> dict[str, Any]:
    """`proto sheriff NAME --json`, timed."""
    env = {**os.environ, "PROTO_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    out = run([tool("proto"), "sheriff", name, "--json"], root, env)
    seconds = time.perf_counter() - start
    [found] = json.loads(out)
    return {"seconds": seconds, "tested": len(found["tested"]), "culprit": found["culprit"]["sha"]}


def selection(root: Path, first: str, name: str) -> tuple[float, int]:
    """Seconds to read which commits after *first* can change NAME's result, in-process (git
    log and the manifests, uv.lock and root manifest of the commits that change them), and how
    many there are."""
    from seedbed.effects import git
    from seedbed.model.workspace import load
    from seedbed.tasks import history

    start = time.perf_counter()
    changes = git.first_parent_changes(root, first, "HEAD")
    found = history.candidates(changes, first, name, history.Reader(root, load(root)))
    return time.perf_counter() - start, len(found)


def git_bisect(root: Path, name: str, first: str) -> dict[str, Any]:
    """`git bisect run proto run test -p NAME --no-cache` from the first commit to HEAD."""
    run(["git", "bisect", "start", "HEAD", first], root)
    start = time.perf_counter()
    try:
        out = run(["git", "bisect", "run", str(tool("proto")), "run", "test", "-p", name,
                   "--no-cache"], root)  # fmt: skip
    finally:
        seconds = time.perf_counter() - start
        log = run(["git", "bisect", "log"], root)
        run(["git", "bisect", "reset"], root)
    match = re.search(r"([0-9a-f]{40}) is the first bad commit", out)
    steps = sum(1 for line in log.splitlines() if line.startswith("git bisect ") and
                not line.startswith(("git bisect start",)))  # fmt: skip
    return {"seconds": seconds, "tested": steps, "culprit": match.group(1) if match else None}


def bench(count: int, commits: int, related: int, seed: int, parent: Path) -> dict[str, Any]:
    """Make the workspace and its history; time both ways."""
    made = generate(parent / "ws", count, seed, lock=True, tools=True)
    root, specs = made.root, made.specs
    target = next(s.index for s in reversed(specs) if s.stage == "core" and s.deps)
    first = run(["git", "rev-parse", "HEAD"], root).strip()
    name, cache = specs[target].short, parent / "cache"
    # it passes at the first commit; its environment is made, then nothing is cached
    run(
        [tool("proto"), "run", "test", "-p", name],
        root,
        {**os.environ, "PROTO_CACHE_DIR": str(cache)},
    )
    shutil.rmtree(cache)
    start = time.perf_counter()
    culprit = make_history(root, specs, target, commits, related, seed)
    history_s = time.perf_counter() - start
    found = sheriff(root, name, cache)
    found["selection_s"], found["candidates"] = selection(root, first, name)
    plain = git_bisect(root, name, first)
    return {
        "count": count, "commits": commits, "related": related, "seed": seed,
        "target": name, "closure": len(closure(specs, target)), "history_s": history_s,
        "culprit": culprit,
        "sheriff": {**found, "right": found["culprit"] == culprit},
        "git_bisect": {**plain, "right": plain["culprit"] == culprit},
    }  # fmt: skip


def to_markdown(report: dict[str, Any]) -> str:
    """A short Markdown table of the report."""
    env = report["environment"]
    rows = [
        f"| {label} | {data['seconds']:.1f} | {data['tested']} | {('no', 'yes')[data['right']]} |"
        for label, data in (("proto sheriff", report["sheriff"]),
                            ("git bisect run proto run test --no-cache", report["git_bisect"]))
    ]  # fmt: skip
    return "\n".join([
        f"The culprit among {report['commits']} commits, {report['related']} of them in the "
        f"closure of {report['target']} ({report['closure']} packages of {report['count']})",
        "",
        "| method | seconds | commits tested | right culprit |",
        "| --- | ---: | ---: | --- |",
        *rows,
        "",
        f"Choosing the {report['sheriff']['candidates']} candidates among the "
        f"{report['commits']} commits (in the sheriff's time above): "
        f"{report['sheriff']['selection_s']:.2f} s.",
        "",
        f"{env['proto']}, {env['uv']}, Python {env['python']}, {env['cpus']} CPUs, "
        f"{env['system']}, {env['date']}",
    ]) + "\n"  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the results, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100, help="packages (100)")
    parser.add_argument("--commits", type=int, default=1000, help="commits of history (1000)")
    parser.add_argument("--related", type=int, default=10, help="of them, in the closure (10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the JSON goes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-sheriff-") as scratch:
        report = bench(args.count, args.commits, args.related, args.seed, Path(scratch))
    report["environment"] = environment(("proto", "uv"))
    write(report, args.out, to_markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
