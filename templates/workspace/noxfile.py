"""Checks for every package in this workspace: `uv run nox -l` lists the sessions.

- `nox -s lint`: ruff lint and format check over the whole workspace.
- `nox -s typecheck`: mypy, lenient for seeds/, strict for core/.
- `nox -s tests`: each package's tests in an environment that holds only that package
  and its declared dependencies, so an undeclared import fails here and not in production.
  `nox -s tests -- url-parser other` runs only the named packages.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).parent
STAGES = ("core", "seeds")

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]


def packages() -> dict[str, tuple[str, Path]]:
    """Map each package's short and distribution name to its distribution name and folder."""
    found: dict[str, tuple[str, Path]] = {}
    for stage in STAGES:
        for manifest in sorted((ROOT / stage).glob("*/pyproject.toml")):
            with manifest.open("rb") as file:
                name = tomllib.load(file)["project"]["name"]
            found[manifest.parent.name] = found[name] = (name, manifest.parent)
    return found


def sources(*stages: str) -> list[str]:
    """The src folders of the packages in the given stages."""
    return [str(path) for stage in stages for path in sorted((ROOT / stage).glob("*/src"))]


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check, each package with its stage's profile."""
    session.run("uv", "run", "ruff", "check", ".", external=True)
    session.run("uv", "run", "ruff", "format", "--check", ".", external=True)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Mypy: lenient for seeds, strict for core."""
    # Every package's src is on the search path, so imports between packages resolve.
    env = {"MYPYPATH": os.pathsep.join(sources(*STAGES))}
    for stage, flags in (("seeds", []), ("core", ["--strict"])):
        if sources(stage):
            session.run(
                "uv",
                "run",
                "--all-packages",
                "mypy",
                *flags,
                *sources(stage),
                env=env,
                external=True,
            )


@nox.session
def tests(session: nox.Session) -> None:
    """Each package's tests, in its own environment with only its declared dependencies."""
    available = packages()
    selected = session.posargs or sorted({folder.name for _, folder in available.values()})
    unknown = [name for name in selected if name not in available]
    if unknown:
        session.error(f"unknown package(s): {', '.join(unknown)}")
    for name in selected:
        distribution, folder = available[name]
        venv = str(ROOT / ".nox" / f"pkg-{folder.name}")
        env = {"UV_PROJECT_ENVIRONMENT": venv, "VIRTUAL_ENV": venv}
        session.run(
            "uv",
            "run",
            "--package",
            distribution,
            "--exact",
            "--with",
            "pytest",
            "pytest",
            str(folder / "tests"),
            env=env,
            external=True,
        )
