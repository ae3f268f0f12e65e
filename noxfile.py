"""Developer sessions for seedbed itself: `nox -l` lists them."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
PYTHON = "3.11"


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check, and the import contracts between the layers."""
    session.install("ruff", "import-linter", "-e", ".")
    paths = ["."]  # everything ruff reads, the Python in docs/*.md too
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    session.run("lint-imports")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Mypy, strict, on src/."""
    session.install("-e", ".[test]")
    session.run("mypy", "--strict", "src/seedbed")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite against an installed (non-editable) seedbed."""
    session.install(".[test]")
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the MkDocs site with --strict."""
    session.install(".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time proto against the work it wraps; figures go to benchmarks/results/."""
    session.install(".")
    for name in ("new", "graph", "scale", "run", "sheriff"):
        out = f"benchmarks/results/{name}.json"
        session.run("python", f"benchmarks/bench_{name}.py", "--out", out, *session.posargs)
