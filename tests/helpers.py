"""Test support: running commands, snapshots of a workspace, the one-error-line assertion,
small hand-made workspaces for in-process tests, and a template history with an older version
(v0.0.9) before this seedbed's, as an older seedbed would have made workspaces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from seedbed import __version__
from seedbed.model.names import identifier
from seedbed.templating import copier, history
from seedbed.templating.source import TEMPLATE_URL, Source, embedded_templates

BIN = Path(sys.executable).parent
PROTO = BIN / "proto"

Runner = Callable[..., subprocess.CompletedProcess[str]]


class Outcome(Protocol):
    """What a run of proto left: its exit code and output (a process, or an in-process run)."""

    returncode: int
    stdout: str
    stderr: str


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command that must succeed; return its stdout."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def commit_all(root: Path, message: str = "wip") -> None:
    """Stage everything and commit it."""
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", message, cwd=root)


def snapshot(root: Path) -> dict[str, object]:
    """Everything a failed command must leave as it was: files, git status and git index."""
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
    dirs = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_dir() and ".git" not in path.relative_to(root).parts
    )
    status = run("git", "status", "--porcelain=v1", "--untracked-files=all", cwd=root)
    index = run("git", "ls-files", "--stage", cwd=root)
    return {"files": files, "dirs": dirs, "status": status, "index": index}


def assert_clean_failure(result: Outcome, code: int, *needles: str) -> None:
    """One `error:` line (and maybe a `hint:`), the exit code, no traceback, every needle."""
    stderr = result.stderr
    assert result.returncode == code, (result.returncode, stderr)
    lines = stderr.strip().splitlines()
    assert lines, "no message on stderr"
    assert lines[0].startswith("error: "), stderr
    assert all(line.startswith(("error: ", "hint: ")) for line in lines), stderr
    assert len([line for line in lines if line.startswith("error: ")]) == 1
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, (needle, stderr)


def fail_on_call(number: int, real: Callable[..., object]) -> Callable[..., object]:
    """*real*, except that its *number*-th call raises a ProtoError (a failure injected at
    one step of a change)."""
    from seedbed.errors import ProtoError

    calls = {"count": 0}

    def wrapper(*args: object, **kwargs: object) -> object:
        calls["count"] += 1
        if calls["count"] == number:
            raise ProtoError("injected failure")
        return real(*args, **kwargs)

    return wrapper


# ------------------------------------------------------------------ hand-made workspaces

ROOT_MANIFEST = """\
[project]
name = "{scope}"
version = "0"
requires-python = ">=3.11"

[dependency-groups]
dev = ["pytest"]

[tool.uv]
package = false

[tool.uv.workspace]
members = ["core/*", "seeds/*"]

[tool.proto]
scope = "{scope}"
import-style = "{style}"
"""


def make_workspace(
    root: Path,
    packages: dict[str, list[str]],
    *,
    core: tuple[str, ...] = (),
    scope: str = "acme",
    style: str = "namespace",
    commit: bool = True,
) -> Path:
    """A small workspace written by hand, as `proto init` + `proto new` lay it out (no lock,
    no template answers): each package maps to the short names it depends on. Fast enough
    for in-process tests of refusals and reports."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(ROOT_MANIFEST.format(scope=scope, style=style))
    (root / ".gitignore").write_text("/dist/\n.venv/\n")
    for stage in ("seeds", "core"):  # the stage profiles, as the workspace template has them
        (root / stage).mkdir(exist_ok=True)
        (root / stage / "ruff.toml").write_text('extend = "../pyproject.toml"\n')
    for short, providers in packages.items():
        stage = "core" if short in core else "seeds"
        folder = root / stage / short
        dependencies = "".join(f'    "{scope}-{p}",\n' for p in providers)
        sources = "".join(f"{scope}-{p} = {{ workspace = true }}\n" for p in providers)
        manifest = (
            f'[project]\nname = "{scope}-{short}"\nversion = "0.1.0"\n'
            f"dependencies = [\n{dependencies}]\n"
        )
        if sources:
            manifest += f"\n[tool.uv.sources]\n{sources}"
        separator = "." if style == "namespace" else "_"
        module = (
            folder / "src" / f"{identifier(scope)}{separator}{identifier(short)}".replace(".", "/")
        )
        module.mkdir(parents=True)
        (module / "__init__.py").write_text(f'"""{short}."""\n')
        (folder / "tests").mkdir()
        (folder / "tests" / f"test_{identifier(short)}.py").write_text("def test_it():\n    pass\n")
        (folder / "pyproject.toml").write_text(manifest)
    if commit:
        run("git", "init", "-q", cwd=root)
        commit_all(root, "Start")
    return root


# ------------------------------------------------------------------ template history

OLD = "v0.0.9"


def old_templates(target: Path) -> None:
    """Today's templates, turned back into 'v0.0.9': before a ruff rule, two files and a
    README rewrite were added."""
    shutil.copytree(embedded_templates(), target, ignore=shutil.ignore_patterns("__pycache__"))
    root_toml = target / "workspace/pyproject.toml.jinja"
    text = root_toml.read_text()
    assert '"UP", "B"]' in text
    root_toml.write_text(text.replace('"UP", "B"]', '"UP"]'))
    (target / "workspace/.vscode/extensions.json").unlink()
    (target / "package/src/{{ import_path }}/py.typed").unlink()
    readme = target / "package/README.md.jinja"
    readme.write_text(
        readme.read_text().replace("{{ description }}", "{{ description }}\n\nTODO: say more.")
    )


def make_history(tmp: Path) -> Path:
    """A bundle with tags v0.0.9 (old_templates) and v<this version> (today's templates)."""
    source = tmp / "seedbed-src"
    source.mkdir()
    run("git", "init", "-q", cwd=source)
    old_templates(source / "templates")
    run("git", "add", "-A", cwd=source)
    run("git", "commit", "-qm", "templates 0.0.9", cwd=source)
    run("git", "tag", OLD, cwd=source)
    repo = history.build(embedded_templates(), __version__, tmp / "history", source)
    return history.bundle(repo, tmp / "templates.bundle")


def render_old(bundle: Path, data: dict[str, object], into: Path) -> None:
    """Render the old version, as seedbed 0.0.9 would have."""
    copier.render(data, into, Source(TEMPLATE_URL, OLD, {TEMPLATE_URL: bundle}))
