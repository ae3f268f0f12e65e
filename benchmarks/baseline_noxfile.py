"""The workspace noxfile seedbed generated before `proto run` (kept for bench_run.py, which copies
it into a synthetic workspace as noxfile.py): `uv run nox -l` lists the sessions.

- `nox -s lint`: ruff lint and format check, each package with its stage's profile.
- `nox -s typecheck`: mypy, lenient for seeds/, strict for core/.
- `nox -s tests`: each package's tests in an environment that holds only that package and
  its declared dependencies, so an undeclared import fails here and not in production.

Every session takes package names (short or distribution) after `--`:
`uv run nox -s lint typecheck tests -- url-parser`. Only what changed, plus everything that
depends on it: `proto affected --format names | xargs -r uv run nox -s tests --`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nox

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: nox depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).parent
STAGES = ("core", "seeds")

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]


@dataclass(frozen=True)
class Package:
    """A workspace member."""

    name: str
    distribution: str
    folder: Path
    stage: str


def packages() -> list[Package]:
    """Every package of the workspace, core first."""
    found = []
    for stage in STAGES:
        for manifest in sorted((ROOT / stage).glob("*/pyproject.toml")):
            with manifest.open("rb") as file:
                distribution = tomllib.load(file)["project"]["name"]
            found.append(Package(manifest.parent.name, distribution, manifest.parent, stage))
    return found


def selected(session: nox.Session) -> list[Package]:
    """The packages named after `--` (all when none are named)."""
    available = packages()
    if not session.posargs:
        return available
    by_name = {key: p for p in available for key in (p.name, p.distribution)}
    unknown = [name for name in session.posargs if name not in by_name]
    if unknown:
        session.error(f"unknown package(s): {', '.join(unknown)}")
    return [by_name[name] for name in dict.fromkeys(session.posargs)]


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check, each package with its stage's profile."""
    paths = [str(p.folder) for p in selected(session)] if session.posargs else ["."]
    session.run("uv", "run", "ruff", "check", *paths, external=True)
    session.run("uv", "run", "ruff", "format", "--check", *paths, external=True)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Mypy: lenient for seeds, strict for core."""
    # Every package's src is on the search path, so imports between packages resolve.
    every_src = [str(p.folder / "src") for p in packages()]
    env = {"MYPYPATH": os.pathsep.join(every_src)}
    chosen = selected(session)
    for stage, flags in (("seeds", []), ("core", ["--strict"])):
        sources = [str(p.folder / "src") for p in chosen if p.stage == stage]
        if sources:
            command = ["uv", "run", "--all-packages", "mypy", *flags, *sources]
            session.run(*command, env=env, external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """Each package's tests, in its own environment with only its declared dependencies."""
    for package in selected(session):
        venv = str(ROOT / ".nox" / f"pkg-{package.name}")
        env = {"UV_PROJECT_ENVIRONMENT": venv, "VIRTUAL_ENV": venv}
        command = ["uv", "run", "--package", package.distribution, "--exact", "--with", "pytest"]
        session.run(*command, "pytest", str(package.folder / "tests"), env=env, external=True)
