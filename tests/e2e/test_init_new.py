"""End to end: `proto init` and `proto new` with the real git, uv and Copier, checked the way a
team would check a fresh workspace: lock, lint, types, isolated tests, build, install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from seedbed.templating.source import TEMPLATE_TAG
from tests.helpers import BIN, PROTO, Runner, assert_clean_failure, run, snapshot

pytestmark = pytest.mark.e2e


def uv(*args: str | Path, cwd: Path) -> str:
    return run(BIN / "uv", *args, cwd=cwd)


def test_init_makes_a_committed_locked_workspace(base_workspace: Path) -> None:
    root = base_workspace
    for expected in (
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "AGENTS.md",
        ".gitignore",
        ".python-version",
        ".copier-answers.yml",
        ".github/workflows/ci.yml",
        ".vscode/settings.json",
        ".vscode/extensions.json",
        "seeds/ruff.toml",
        "core/ruff.toml",
    ):
        assert (root / expected).is_file(), expected
    manifest = tomllib.loads((root / "pyproject.toml").read_text())
    assert manifest["tool"]["proto"] == {"scope": "acme-protos", "import-style": "namespace"}
    assert manifest["tool"]["uv"]["workspace"]["members"] == ["core/*", "seeds/*"]
    assert "--import-mode=importlib" in manifest["tool"]["pytest"]["ini_options"]["addopts"]
    assert {"pytest", "ruff", "mypy"} <= {
        dep.split(">")[0] for dep in manifest["dependency-groups"]["dev"]
    }
    assert ".proto/" in (root / ".gitignore").read_text().splitlines()
    assert (root / ".python-version").read_text().strip() == (
        f"{sys.version_info.major}.{sys.version_info.minor}"
    )
    answers = (root / ".copier-answers.yml").read_text()
    assert "_src_path: https://seedbed.invalid/templates.git" in answers
    assert "_commit: v" in answers
    assert "/tmp" not in answers
    assert str(Path.home()) not in answers
    assert run("git", "log", "--format=%s", cwd=root).strip().startswith("Start the acme-protos")
    assert run("git", "status", "--porcelain", cwd=root) == ""
    assert "uv.lock" in run("git", "ls-files", cwd=root).split()
    uv("lock", "--check", cwd=root)
    run(BIN / "validate-pyproject", "pyproject.toml", cwd=root)


@pytest.mark.parametrize("kind", ["lib", "cli", "app"])
def test_new_package_passes_every_workspace_check(
    kind: str, workspace: Path, proto: Runner, tmp_path: Path
) -> None:
    created = proto("new", "text-tools", cwd=workspace)
    assert created.returncode == 0, created.stderr
    result = proto(
        "new", "acme-protos-thing", "--kind", kind, "--depends-on", "text-tools",
        "--description", "Does the thing.", cwd=workspace / "seeds",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created seeds/thing" in result.stdout
    assert "proto run test -p thing" in result.stdout
    assert "uv run --all-packages pytest seeds/thing" in result.stdout
    next_steps = result.stdout.split("Next:\n", 1)[1].splitlines()
    programs = {"proto": PROTO, "uv": BIN / "uv"}
    for line in next_steps:  # what proto says to run next works, as printed, on a fresh clone
        command = line.split("#", 1)[0].split()
        assert command[0] in programs, line
        assert "passed" in run(programs[command[0]], *command[1:], cwd=workspace), line

    package = workspace / "seeds" / "thing"
    manifest = tomllib.loads((package / "pyproject.toml").read_text())
    assert manifest["project"]["name"] == "acme-protos-thing"
    assert manifest["project"]["description"] == "Does the thing."
    assert "acme-protos-text-tools" in manifest["project"]["dependencies"]
    assert manifest["tool"]["uv"]["sources"]["acme-protos-text-tools"] == {"workspace": True}
    assert (package / "src/acme_protos/thing/__init__.py").is_file()
    assert (package / "src/acme_protos/thing/py.typed").is_file()
    assert not (package / "src/acme_protos/__init__.py").exists()  # PEP 420 namespace
    answers = (package / ".copier-answers.yml").read_text()
    assert f"kind: {kind}" in answers
    assert "_src_path: https://seedbed.invalid" in answers

    uv("lock", "--check", cwd=workspace)
    uv("run", "ruff", "check", ".", cwd=workspace)
    uv("run", "ruff", "format", "--check", ".", cwd=workspace)
    for path in ("pyproject.toml", "seeds/thing/pyproject.toml"):
        run(BIN / "validate-pyproject", path, cwd=workspace)

    # every built-in task passes on the fresh package and the one it depends on; then the cache
    tasks = ("lint", "typecheck", "test", "build")
    ran = proto("run", *tasks, "--json", cwd=workspace)
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert [(r["package"], r["task"], r["status"]) for r in results] == [
        (name, task, "passed") for name in ("text-tools", "thing") for task in tasks
    ]
    again = json.loads(proto("run", *tasks, "--json", cwd=workspace).stdout)
    assert [(r["task"], r["status"], r["cached"]) for r in again] == [
        (task, "passed", True) for _ in range(2) for task in tasks
    ]
    status = run("git", "status", "--porcelain", "--untracked-files=all", cwd=workspace)
    assert ".proto" not in status  # git never sees what runs leave
    assert "dist/" not in status

    venv = tmp_path / "venv"
    uv("venv", "--quiet", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    wheels = [f"--find-links={workspace / 'dist' / name}" for name in ("text-tools", "thing")]
    uv("pip", "install", "--python", python, *wheels, "acme-protos-thing", cwd=tmp_path)
    code = "import acme_protos.thing as t, acme_protos.text_tools; print(t.greet('Ada'))"
    assert run(python, "-c", code, cwd=tmp_path).strip() == "Hello, Ada!"
    if kind == "cli":
        assert run(venv / "bin" / "thing", "--name", "Bo", cwd=tmp_path) == "Hello, Bo!\n"
        assert run(python, "-m", "acme_protos.thing", cwd=tmp_path) == "Hello, world!\n"
    if kind == "app":
        assert run(python, "-c", "import acme_protos.thing.app as a; print(a.app)", cwd=tmp_path)


def test_package_tests_are_isolated_from_undeclared_packages(
    workspace: Path, proto: Runner
) -> None:
    """The per-package test session holds only declared dependencies: an undeclared import of a
    sibling fails there, even though the shared .venv would let it pass."""
    for name in ("provider", "consumer"):
        assert proto("new", name, cwd=workspace).returncode == 0
    test = workspace / "seeds/consumer/tests/test_uses_provider.py"
    test.write_text("def test_uses_provider():\n    import acme_protos.provider  # noqa: F401\n")
    isolated = proto("run", "test", "-p", "consumer", cwd=workspace)
    assert isolated.returncode == 1, isolated.stderr
    assert "No module named 'acme_protos.provider'" in isolated.stderr
    assert "FAILED tests/test_uses_provider.py::test_uses_provider" in isolated.stderr
    assert "error: 1 task failed: consumer test" in isolated.stderr
    assert proto("new", "other", "--depends-on", "provider", cwd=workspace).returncode == 0


def test_flat_import_style(tmp_path: Path, proto: Runner) -> None:
    init = proto("init", "lab", "--scope", "lab-team", "--import-style", "flat", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    root = tmp_path / "lab"
    assert proto("new", "probe", "--kind", "cli", cwd=root).returncode == 0
    init_py = root / "seeds/probe/src/lab_team_probe/__init__.py"
    assert init_py.is_file()
    manifest = tomllib.loads((root / "seeds/probe/pyproject.toml").read_text())
    assert manifest["project"]["scripts"] == {"probe": "lab_team_probe.cli:app"}
    uv("run", "ruff", "check", ".", cwd=root)
    checked = proto("run", "lint", "typecheck", "test", cwd=root)
    assert checked.returncode == 0, checked.stderr


def test_dry_runs_change_nothing(tmp_path: Path, workspace: Path, proto: Runner) -> None:
    before = snapshot(workspace)
    result = proto("new", "preview-me", "--kind", "app", "--dry-run", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "Would create seeds/preview-me" in result.stdout
    assert "seeds/preview-me/src/acme_protos/preview_me/app.py" in result.stdout
    assert snapshot(workspace) == before

    result = proto("init", tmp_path / "later", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  later/pyproject.toml\n" in result.stdout
    assert not (tmp_path / "later").exists()


def test_init_without_git_identity_leaves_files_staged(tmp_path: Path, proto: Runner) -> None:
    empty_config = tmp_path / "gitconfig"
    empty_config.write_text("")
    env = {"GIT_CONFIG_GLOBAL": str(empty_config), "EMAIL": "", "GIT_AUTHOR_NAME": ""}
    result = proto("init", "solo", cwd=tmp_path, env=env)
    root = tmp_path / "solo"
    assert result.returncode == 0, result.stderr
    assert "nothing was committed" in result.stderr
    assert "git config --global user.name" in result.stderr
    status = run("git", "status", "--porcelain", cwd=root)
    assert "A  pyproject.toml" in status
    assert "A  uv.lock" in status


def test_root_tools_check_every_package_with_its_stage_profile(
    workspace: Path, proto: Runner
) -> None:
    """What an editor and a developer run at the root: `uv run mypy` (every package, strict for
    core), `uv run mypy FILE` (any file), `ruff check` and `ruff format --check`."""
    root = workspace
    for args in (["new", "base"], ["new", "tool", "--kind", "cli", "--depends-on", "base"],
                 ["new", "site", "--kind", "app", "--depends-on", "base"]):  # fmt: skip
        assert proto(*args, cwd=root).returncode == 0
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "packages", cwd=root)
    graduated = proto("graduate", "tool", "--with-deps", "--force", "--commit", cwd=root)
    assert graduated.returncode == 0, graduated.stderr
    assert run("git", "status", "--porcelain", cwd=root) == ""
    mypy_config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy_config["files"] == ["core/base/src", "core/tool/src", "seeds/site/src"]
    assert mypy_config["mypy_path"] == mypy_config["files"]
    assert mypy_config["overrides"][0]["module"] == ["acme_protos.base.*", "acme_protos.tool.*"]
    settings = json.loads((root / ".vscode/settings.json").read_text())
    assert settings["mypy-type-checker.cwd"] == "${workspaceFolder}"
    assert settings["mypy-type-checker.importStrategy"] == "fromEnvironment"

    agents = (root / "AGENTS.md").read_text().split("## Check your work", 1)[1]
    checks = agents.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    assert checks[0] == "uv sync --all-packages"
    for line in checks:  # what AGENTS.md tells an agent to run passes on this workspace
        tool, *args = line.split()
        run(BIN / tool, *args, cwd=root)
    assert run("git", "status", "--porcelain", cwd=root) == ""  # `ruff format .` changed nothing
    assert "no issues found in 6 source files" in uv("run", "mypy", cwd=root)
    for path in ("core/tool/src/acme_protos/tool/cli.py", "seeds/site/src/acme_protos/site/app.py"):
        assert "no issues found in 1 source file" in uv("run", "mypy", path, cwd=root)
    uv("run", "ruff", "check", cwd=root)
    uv("run", "ruff", "format", "--check", cwd=root)
    untyped = "\n\ndef untyped(x):\n    return x\n"
    for stage, name in (("core", "base"), ("seeds", "site")):
        module = root / stage / name / "src/acme_protos" / name / "__init__.py"
        module.write_text(module.read_text() + untyped)
    strict = subprocess.run([BIN / "uv", "run", "mypy"], cwd=root, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert strict.returncode == 1
    assert strict.stdout.count("error:") == 1
    assert "core/base/src/acme_protos/base/__init__.py:" in strict.stdout  # core: strict
    lenient = "seeds/site/src/acme_protos/site/__init__.py"
    assert "no issues found" in uv("run", "mypy", lenient, cwd=root)  # seeds: lenient


def older_python() -> Path | None:
    """A CPython 3.10 on this machine: one uv finds, or a pyenv install (uv cannot fetch one
    without the network)."""
    found = subprocess.run([BIN / "uv", "python", "find", "3.10"], capture_output=True,
                           text=True, check=False)  # fmt: skip
    candidates = [Path(found.stdout.strip())] if found.returncode == 0 else []
    candidates += sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))
    for candidate in candidates:
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                               capture_output=True, text=True, check=False)  # fmt: skip
        if probe.stdout.strip() == "(3, 10)":
            return candidate
    return None


OLDER = older_python()


@pytest.mark.skipif(OLDER is None, reason="no Python 3.10 here, and uv cannot download one")
def test_a_workspace_on_an_older_python_works_on_it(tmp_path: Path, proto: Runner) -> None:
    """`proto init --python 3.10`: every generated script and package runs on 3.10."""
    assert OLDER is not None
    env = {"PATH": f"{OLDER.parent}{os.pathsep}{os.environ['PATH']}",
           "UV_PYTHON_DOWNLOADS": "never"}  # fmt: skip
    assert proto("init", "old", "--python", "3.10", cwd=tmp_path, env=env).returncode == 0
    root = tmp_path / "old"
    for args in (["new", "base"], ["new", "tool", "--kind", "cli", "--depends-on", "base"],
                 ["new", "site", "--kind", "app"]):  # fmt: skip
        made = proto(*args, cwd=root, env=env)
        assert made.returncode == 0, made.stderr
    assert '"starlette>=1.7"' in (root / "seeds/site/pyproject.toml").read_text()

    def uv_old(*args: str) -> str:
        return run(BIN / "uv", *args, cwd=root, env=env)

    uv_old("sync", "--all-packages", "--quiet")
    assert "3.10." in run(root / ".venv/bin/python", "--version", cwd=root)
    isolated = proto("run", "test", "typecheck", "-p", "tool", cwd=root, env=env)
    assert isolated.returncode == 0, isolated.stdout + isolated.stderr  # its own 3.10 env
    assert "9 passed" in uv_old("run", "--all-packages", "pytest", "-q")
    assert "no issues found" in uv_old("run", "mypy")
    uv_old("run", "ruff", "check")
    uv_old("run", "ruff", "format", "--check")


def test_init_refuses_a_python_older_than_the_templates_support(
    tmp_path: Path, proto: Runner
) -> None:
    result = proto("init", "ws", "--python", "3.9", cwd=tmp_path)
    assert_clean_failure(result, 2, "Python 3.9 is older than", "--python 3.10")
    assert not (tmp_path / "ws").exists()


def test_init_inside_an_existing_repository(tmp_path: Path, proto: Runner) -> None:
    """No nested repository: the workspace is a folder of the outer one, committed by its owner
    as proto says, and every command works there."""
    outer = tmp_path / "monorepo"
    outer.mkdir()
    run("git", "init", "-q", cwd=outer)
    (outer / "README.md").write_text("The team's repository.\n")
    run("git", "add", "README.md", cwd=outer)
    run("git", "commit", "-qm", "Start", cwd=outer)
    (outer / "notes.txt").write_text("staged, not ours to commit\n")
    run("git", "add", "notes.txt", cwd=outer)
    index = run("git", "ls-files", "--stage", cwd=outer)
    head = run("git", "rev-parse", "HEAD", cwd=outer)

    (outer / "protos").mkdir()
    result = proto("init", ".", cwd=outer / "protos")
    assert result.returncode == 0, result.stderr
    root = outer / "protos"
    assert not (root / ".git").exists()
    assert run("git", "ls-files", "--stage", cwd=outer) == index  # nothing staged
    assert run("git", "rev-parse", "HEAD", cwd=outer) == head  # nothing committed
    lines = result.stdout.splitlines()
    assert (
        f"It is inside the git repository {outer}, so it has no repository of its own" in (lines[2])
    )
    commit = lines[3].strip()
    assert commit == (
        "git -C . add . && git -C . commit -m 'Start the protos workspace with seedbed' -- ."
    )
    assert lines[-2:] == ["Next:", "  proto new my-first-idea"]  # no `cd .`
    run("sh", "-c", commit, cwd=root)  # as printed, from where proto ran
    assert run("git", "diff", "--cached", "--name-only", cwd=outer) == "notes.txt\n"
    assert "protos/pyproject.toml" in run("git", "ls-files", cwd=outer)

    for args in (["new", "alpha"], ["new", "beta", "--depends-on", "alpha"]):
        assert proto(*args, cwd=root).returncode == 0
    run("git", "add", ".", cwd=root)
    run("git", "commit", "-qm", "packages", "--", ".", cwd=root)
    (outer / "README.md").write_text("Changed outside the workspace.\n")
    assert proto("affected", "--since", "HEAD~1", cwd=root).stdout == "alpha\nbeta\n"
    assert proto("check", cwd=root).stdout == "All 9 rules pass for 2 packages.\n"
    graduated = proto("graduate", "alpha", "--commit", cwd=root)
    assert graduated.returncode == 0, graduated.stderr
    assert run("git", "log", "-1", "--format=%s", cwd=outer) == "Graduate alpha to core\n"
    assert run("git", "diff", "--cached", "--name-only", cwd=outer) == "notes.txt\n"
    updated = proto("update", cwd=root)
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.splitlines()[0] == f"workspace: already current ({TEMPLATE_TAG})"
    assert proto("version", "beta", "--bump", "patch", cwd=root).returncode == 0
