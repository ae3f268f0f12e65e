"""Generate a synthetic seedbed workspace of COUNT packages for benchmarks, without `proto new`.

The packages form a random DAG fixed by the seed: each depends on 0-4 earlier packages, with a
preference for a few popular hub packages. The lowest-index packages (about core_fraction of
them) live in core/, the rest in seeds/, so a core package never depends on a seed. The result
is committed to a fresh git repository, and optionally locked with `uv lock`.

    python benchmarks/workspace_gen.py DEST --count 500 --seed 1 [--lock]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MAX_DEPS = 4
DEP_COUNT_WEIGHTS = (20, 30, 25, 15, 10)  # how often a package has 0, 1, 2, 3, 4 dependencies
HUB_SHARE = 0.5  # chance that one dependency is drawn from the hubs
DEV_TOOLS = ("mypy>=1.13", "pytest>=8.3", "ruff>=0.8")  # with tools=True, as the template has
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
GIT_COMMIT = ["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify"]


@dataclass(frozen=True)
class Spec:
    """One generated package."""

    index: int
    short: str
    stage: str  # "core" or "seeds", the folder it lives in
    deps: tuple[int, ...]  # indexes of the packages it depends on (all lower)
    depth: int  # 1 + the longest dependency chain below it: the package's VALUE


@dataclass
class Generated:
    """What generate() made, and how long each step took (seconds)."""

    root: Path
    specs: list[Spec]
    timings: dict[str, float] = field(default_factory=dict)


def plan(count: int, seed: int, core_fraction: float = 0.2) -> list[Spec]:
    """The packages and their dependency DAG, deterministic from *seed*."""
    if count < 1 or not 0.0 <= core_fraction <= 1.0:
        raise ValueError("count must be >= 1 and core_fraction within [0, 1]")
    rng = random.Random(seed)
    width = max(4, len(str(count - 1)))
    core = round(count * core_fraction)
    hubs = sorted(rng.sample(range(max(core, 1)), min(max(core, 1), max(2, count // 50))))
    specs: list[Spec] = []
    for index in range(count):
        wanted = rng.choices(range(MAX_DEPS + 1), DEP_COUNT_WEIGHTS)[0]
        available_hubs = [hub for hub in hubs if hub < index]
        deps: set[int] = set()
        while len(deps) < min(wanted, index):
            if available_hubs and rng.random() < HUB_SHARE:
                deps.add(rng.choice(available_hubs))
            else:
                deps.add(rng.randrange(index))
        ordered = tuple(sorted(deps))
        specs.append(
            Spec(
                index=index,
                short=f"pkg-{index:0{width}d}",
                stage="core" if index < core else "seeds",
                deps=ordered,
                depth=1 + max((specs[dep].depth for dep in ordered), default=0),
            )
        )
    return specs


def root_manifest(scope: str, tools: tuple[str, ...] = ()) -> str:
    """The workspace root's pyproject.toml, like the template's; the dev group holds *tools*
    (none by default, so that locking needs no network)."""
    dev = ", ".join(f'"{tool}"' for tool in tools)
    return f"""\
[tool.uv.workspace]
members = ["core/*", "seeds/*"]

[dependency-groups]
dev = [{dev}]

[tool.proto]
scope = "{scope}"
import-style = "namespace"

[tool.pytest.ini_options]
addopts = ["--import-mode=importlib"]

[tool.mypy]
explicit_package_bases = true

[tool.ruff]
line-length = 100
"""


def package_manifest(scope: str, spec: Spec, specs: list[Spec]) -> str:
    """One package's pyproject.toml: hatchling, workspace sources for its dependencies."""
    deps = [f"{scope}-{specs[dep].short}" for dep in spec.deps]
    listed = "".join(f'\n    "{dep}",' for dep in deps)
    text = f"""\
[project]
name = "{scope}-{spec.short}"
version = "0.1.0"
description = "Synthetic package {spec.index} of the {scope} workspace"
requires-python = ">=3.11"
dependencies = [{listed}{chr(10) if deps else ""}]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/{scope.replace("-", "_")}"]
"""
    if deps:
        text += "\n[tool.uv.sources]\n" + "".join(
            f"{dep} = {{ workspace = true }}\n" for dep in deps
        )
    return text


def package_code(scope_ident: str, spec: Spec, specs: list[Spec]) -> str:
    """The package's __init__.py: imports every dependency and defines VALUE (its depth)."""
    imports = [
        f"from {scope_ident}.{specs[dep].short.replace('-', '_')} import VALUE as _d{number}\n"
        for number, dep in enumerate(spec.deps)
    ]
    terms = ", ".join(f"_d{number}" for number in range(len(spec.deps)))
    value = {0: "1", 1: "1 + _d0"}.get(len(spec.deps), f"1 + max({terms})")
    body = "".join(imports) + ("\n" if imports else "")
    return f'"""Synthetic package {spec.short}."""\n\n{body}VALUE = {value}\n'


def package_test(scope_ident: str, spec: Spec) -> str:
    """The package's test: VALUE is the length of its longest dependency chain."""
    ident = spec.short.replace("-", "_")
    return (
        f"from {scope_ident}.{ident} import VALUE\n\n\n"
        f"def test_value_is_the_depth() -> None:\n    assert VALUE == {spec.depth}\n"
    )


def write_workspace(root: Path, scope: str, specs: list[Spec], tools: tuple[str, ...] = ()) -> None:
    """Write the root files and every package under *root*."""
    scope_ident = scope.replace("-", "_")
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(root_manifest(scope, tools), encoding="utf-8")
    (root / ".python-version").write_text(
        f"{sys.version_info[0]}.{sys.version_info[1]}\n", encoding="utf-8"
    )
    (root / ".gitignore").write_text(
        "__pycache__/\n.venv/\n*.egg-info/\n.proto/\n.nox/\n.mypy_cache/\n.ruff_cache/\n/dist/\n",
        encoding="utf-8",
    )
    for stage in ("core", "seeds"):
        (root / stage).mkdir(exist_ok=True)
        (root / stage / "ruff.toml").write_text('extend = "../pyproject.toml"\n', encoding="utf-8")
    for spec in specs:
        folder = root / spec.stage / spec.short
        code = folder / "src" / scope_ident / spec.short.replace("-", "_")
        code.mkdir(parents=True)
        (folder / "tests").mkdir()
        (folder / "pyproject.toml").write_text(
            package_manifest(scope, spec, specs), encoding="utf-8"
        )
        (code / "__init__.py").write_text(package_code(scope_ident, spec, specs), encoding="utf-8")
        (code / "py.typed").write_text("", encoding="utf-8")
        test = folder / "tests" / f"test_{spec.short.replace('-', '_')}.py"
        test.write_text(package_test(scope_ident, spec), encoding="utf-8")


def uv_binary() -> str:
    """The uv next to the running interpreter, else the one on PATH."""
    local = Path(sys.executable).parent / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        raise SystemExit("error: uv not found")
    return found


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"error: `{' '.join(command)}` failed:\n{result.stderr}")


def generate(
    root: Path,
    count: int,
    seed: int,
    scope: str = "bench",
    core_fraction: float = 0.2,
    *,
    lock: bool = False,
    tools: bool = False,
) -> Generated:
    """Write a workspace of *count* packages into the new or empty folder *root*, and commit it.
    With *tools*, the root's dev group holds mypy, pytest and ruff (locking needs the index)."""
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"error: {root} is not empty")
    result = Generated(root, plan(count, seed, core_fraction))
    start = time.perf_counter()
    write_workspace(root, scope, result.specs, DEV_TOOLS if tools else ())
    result.timings["write"] = time.perf_counter() - start
    if lock:
        start = time.perf_counter()
        _run([uv_binary(), "lock"], root)
        result.timings["lock"] = time.perf_counter() - start
    start = time.perf_counter()
    _run([*GIT, "init", "--quiet", "--initial-branch=main"], root)
    _run([*GIT, "add", "--all"], root)
    _run([*GIT, *GIT_COMMIT, "-m", f"Synthetic {scope} workspace: {count} packages"], root)
    result.timings["git"] = time.perf_counter() - start
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: generate DEST and print what was made and how long each step took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dest", type=Path, help="new or empty folder")
    parser.add_argument("--count", type=int, default=500, help="number of packages (500)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the DAG (1)")
    parser.add_argument("--scope", default="bench", help="scope of every package (bench)")
    parser.add_argument("--core-fraction", type=float, default=0.2, help="share in core/ (0.2)")
    parser.add_argument("--lock", action="store_true", help="run `uv lock` before committing")
    parser.add_argument("--tools", action="store_true", help="mypy, pytest, ruff as dev tools")
    args = parser.parse_args(argv)
    made = generate(
        args.dest, args.count, args.seed, args.scope, args.core_fraction, lock=args.lock,
        tools=args.tools,
    )  # fmt: skip
    edges = sum(len(spec.deps) for spec in made.specs)
    core = sum(spec.stage == "core" for spec in made.specs)
    depth = max(spec.depth for spec in made.specs)
    steps = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in made.timings.items())
    print(f"{made.root}: {len(made.specs)} packages ({core} core), {edges} dependencies, ", end="")
    print(f"longest chain {depth}; {steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
