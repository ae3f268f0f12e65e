"""End to end: `proto init` and `proto new` with the real git, uv and Copier, checked the way a
team would check a fresh workspace: lock, lint, types, isolated tests, build, install."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import BIN, PROTO, Runner, run, snapshot

pytestmark = pytest.mark.e2e


def uv(*args: str | Path, cwd: Path) -> str:
    return run(BIN / "uv", *args, cwd=cwd)


def test_init_makes_a_committed_locked_workspace(base_workspace: Path) -> None:
    root = base_workspace
    for expected in (
        "pyproject.toml",
        "uv.lock",
        "README.md",
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
