"""Test support: running commands, snapshots of a workspace, the one-error-line assertion,
small hand-made workspaces for in-process tests, and a template history with an older version
(v0.0.9) before this seedbed's, as an older seedbed would have made workspaces."""

from __future__ import annotations

import json
import os
import re
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


def untouched(root: Path) -> tuple[dict[str, object], str, int]:
    """What `proto sheriff` leaves as it was (and a refused revert too): the snapshot but for
    `.proto/` (the task cache gains the passes it saw), HEAD, and how many worktrees the
    repository has (its scratch worktree is gone, however it ended)."""
    found = snapshot(root)
    files = {k: v for k, v in found["files"].items() if not k.startswith(".proto/")}  # type: ignore[attr-defined]
    dirs = [d for d in found["dirs"] if not d.startswith(".proto")]  # type: ignore[attr-defined]
    head = run("git", "rev-parse", "HEAD", cwd=root).strip()
    worktrees = len(run("git", "worktree", "list", cwd=root).splitlines())
    return {**found, "files": files, "dirs": dirs}, head, worktrees


def run_results(
    runner: Callable[..., Outcome], root: Path, *args: str, code: int = 0, command: str = "run"
) -> list[dict[str, object]]:
    """`proto run ARGS --json` (or another *command*) with *runner* (in-process or the installed
    proto) in *root*: the exit code must be *code*; returns the JSON array it printed."""
    result = runner(command, *args, "--json", cwd=root)
    assert result.returncode == code, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


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


TOOLS = {"ruff": "0.8.0", "mypy": "1.13.0", "pytest": "8.3.0", "pluggy": "1.5.0"}


def lock_text(
    packages: dict[str, list[str]],
    *,
    core: tuple[str, ...] = (),
    scope: str = "acme",
    tools: dict[str, str] | None = None,
    external: dict[str, str] | None = None,
    uses: dict[str, list[str]] | None = None,
) -> str:
    """A uv.lock as uv would write it for a hand-made workspace (enough for proto to read):
    the root's dev group locks *tools* (pytest needs pluggy), *uses* maps a package to the
    *external* distributions (name -> version) it depends on."""
    tools = TOOLS if tools is None else tools
    external = external or {}
    members = sorted(f"{scope}-{short}" for short in packages)
    dev = [name for name in tools if name != "pluggy"]
    text = 'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n[manifest]\n'
    text += f"members = {members!r}\n\n[manifest.dependency-groups]\n".replace("'", '"')
    text += "dev = [" + ", ".join(f'{{ name = "{name}" }}' for name in dev) + "]\n"

    def entry(name: str, version: str, source: str, deps: list[str]) -> str:
        listed = ", ".join(f'{{ name = "{dep}" }}' for dep in deps)
        return (f'\n[[package]]\nname = "{name}"\nversion = "{version}"\nsource = {source}\n'
                f"dependencies = [{listed}]\n")  # fmt: skip

    for short, providers in sorted(packages.items()):
        folder = ("core" if short in core else "seeds") + f"/{short}"
        deps = [f"{scope}-{p}" for p in providers] + (uses or {}).get(short, [])
        text += entry(f"{scope}-{short}", "0.1.0", f'{{ editable = "{folder}" }}', deps)
    registry = '{ registry = "https://pypi.org/simple" }'
    for name, version in sorted({**tools, **external}.items()):
        text += entry(name, version, registry, ["pluggy"] if name == "pytest" else [])
    return text


def make_workspace(
    root: Path,
    packages: dict[str, list[str]],
    *,
    core: tuple[str, ...] = (),
    scope: str = "acme",
    style: str = "namespace",
    commit: bool = True,
    lock: bool = False,
) -> Path:
    """A small workspace written by hand, as `proto init` + `proto new` lay it out (no template
    answers; a hand-written uv.lock with *lock*): each package maps to the short names it
    depends on. Fast enough for in-process tests of refusals and reports."""
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
    if lock:
        (root / "uv.lock").write_text(lock_text(packages, core=core, scope=scope))
    if commit:
        run("git", "init", "-q", cwd=root)
        commit_all(root, "Start")
    return root


# ------------------------------------------------------------------ template history

OLD = "v0.0.9"
ANSWERS = {"scope": "acme", "import_style": "namespace", "python_version": "3.11",
           "author_name": "Ada", "author_email": "ada@example.com"}  # fmt: skip


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


# ------------------------------------------------------------------ docs against the tool

PROTO_COMMAND = re.compile(r"(?:^|[`$]\s*|\s)(proto(?: [^`\n|#]*)?)")
OPTION = re.compile(r"(?<![\w/.-])(--[a-z][a-z-]*|-[A-Za-z])(?![\w-])")


def proto_mentions(text: str) -> list[str]:
    """Every `proto ...` command line in a text: in code blocks and in inline code."""
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.removeprefix("$ ").strip()
            if line.startswith("proto ") and not line.startswith("proto ("):  # not output
                found.append(line.split("  #")[0])
    for span in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
        if span.startswith("proto ") and not span.startswith("proto ("):
            found.append(span)
    return found


def unknown_options(mention: str) -> list[str]:
    """The options in a `proto ...` mention that its command does not take (global options
    count only before the command)."""
    from typer.main import get_command

    from seedbed.cli.app import application

    group = get_command(application())
    mention = re.split(r" \\?\| (?=xargs|jq|awk|sort|head|tail|grep|python|tee|wc)", mention)[0]
    words = [word.strip("[]") for word in mention.split()[1:]]
    words = [word for word in words if word]
    if "--" in words:  # what follows is arguments
        words = words[: words.index("--")]
    while words and words[0] in ("-C", "--directory"):
        words = words[2:]
    global_opts = {"--version", "-h", "--help"}
    if not words or words[0].startswith("-"):
        return [o for o in OPTION.findall(" ".join(words)) if o not in global_opts]
    command = group.commands.get(words[0])  # type: ignore[attr-defined]
    if command is None:
        return [words[0]]
    accepted = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    accepted |= {"-h", "--help"}
    return [o for o in OPTION.findall(" ".join(words[1:])) if o not in accepted]
