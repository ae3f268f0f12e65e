"""`proto affected`: histories with a leaf change, a provider with a chain of dependents, a
workspace-wide file, a stage-wide file, the lock, uncommitted work, and a shallow clone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedbed.affected import GITHUB_MATRIX_LIMIT, matrices
from seedbed.names import Scope
from seedbed.workspace import Package, Workspace
from tests.conftest import BIN, Runner, run
from tests.test_errors import assert_clean_failure

pytestmark = pytest.mark.e2e


def names(proto: Runner, root: Path, *args: str) -> list[str]:
    result = proto("affected", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def commit(root: Path, message: str = "change") -> None:
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", message, cwd=root)


def append(path: Path, text: str = "\n# touched\n") -> None:
    path.write_text(path.read_text() + text)


def test_changes_select_packages_and_their_dependents(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    assert names(proto, root) == []  # nothing changed since HEAD

    append(root / "seeds/web/src/acme_protos/web/app.py")  # a leaf, unstaged
    assert names(proto, root) == ["web"]

    append(root / "seeds/text-tools/README.md", "\nMore.\n")  # a provider, staged
    run("git", "add", "seeds/text-tools/README.md", cwd=root)
    assert names(proto, root) == ["text-tools", "url-parser", "web"]  # providers first
    commit(root)
    assert names(proto, root, "--since", "HEAD~1") == ["text-tools", "url-parser", "web"]
    assert names(proto, root) == []

    (root / "seeds/notes/tests/test_more.py").write_text("def test_more():\n    pass\n")
    assert names(proto, root) == ["notes"]  # untracked counts

    report = json.loads(proto("affected", "--since", "HEAD~1", "--format", "json", cwd=root).stdout)
    reasons = {p["name"]: p["reason"] for p in report["packages"]}
    assert reasons == {
        "notes": "changed",
        "text-tools": "changed",
        "url-parser": "dependent",
        "web": "changed",
    }
    assert report["base"] == run("git", "rev-parse", "HEAD~1", cwd=root).strip()


def test_workspace_and_stage_wide_files(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    every = ["notes", "text-tools", "url-parser", "web"]
    append(root / "noxfile.py")
    assert sorted(names(proto, root)) == every
    run("git", "checkout", "noxfile.py", cwd=root)
    append(root / ".github/workflows/ci.yml")
    assert sorted(names(proto, root)) == every
    run("git", "checkout", ".github", cwd=root)
    assert proto("graduate", "text-tools", "--commit", cwd=root).returncode == 0
    append(root / "core/ruff.toml")  # the core profile: only core packages, and dependents
    assert names(proto, root) == ["text-tools", "url-parser", "web"]
    run("git", "checkout", "core/ruff.toml", cwd=root)
    append(root / "seeds/ruff.toml")
    assert names(proto, root) == ["notes", "url-parser", "web"]


def test_a_lock_change_selects_only_the_packages_it_touches(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    manifest = root / "seeds/notes/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace("dependencies = [\n]", 'dependencies = ["six"]')
    )
    run(BIN / "uv", "lock", cwd=root)
    commit(root, "notes uses six")
    run(BIN / "uv", "lock", "--upgrade-package", "six==1.15.0", cwd=root)
    assert run("git", "status", "--porcelain", cwd=root).split() == ["M", "uv.lock"]
    assert names(proto, root) == ["notes"]
    report = json.loads(proto("affected", "--format", "json", cwd=root).stdout)
    assert report["packages"][0]["reason"] == "lock"
    commit(root, "six 1.15")
    run(BIN / "uv", "lock", "--upgrade-package", "pytest==8.3.0", cwd=root)  # a dev tool
    assert sorted(names(proto, root)) == ["notes", "text-tools", "url-parser", "web"]


def test_a_shallow_clone_says_to_fetch_more(
    graph_workspace: Path, proto: Runner, tmp_path: Path
) -> None:
    root = graph_workspace
    append(root / "seeds/notes/README.md")
    commit(root, "second")
    clone = tmp_path / "clone"
    run("git", "clone", "-q", "--depth", "1", f"file://{root}", clone, cwd=tmp_path)
    result = proto("affected", "--since", "HEAD~1", cwd=clone)
    assert_clean_failure(result, 1, "shallow clone", "git fetch --unshallow", "--all")
    assert sorted(names(proto, clone, "--all")) == ["notes", "text-tools", "url-parser", "web"]
    # in a clone the default is the upstream default branch
    (clone / "seeds/web/README.md").write_text("changed\n")
    assert names(proto, clone) == ["web"]
    commit(clone, "web")
    run("git", "remote", "set-head", "origin", "--delete", cwd=clone)  # as after `git remote add`
    assert names(proto, clone) == ["web"]  # origin/main, not HEAD
    assert_clean_failure(proto("affected", "--since", "no-such-ref", cwd=root), 2, "no-such-ref")


def test_github_matrix_format(graph_workspace: Path, proto: Runner) -> None:
    append(graph_workspace / "seeds/url-parser/README.md")
    lines = proto("affected", "--format", "github-matrix", cwd=graph_workspace).stdout.splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "include": [
                {"name": "url-parser", "path": "seeds/url-parser", "stage": "seed",
                 "distribution": "acme-protos-url-parser"},
                {"name": "web", "path": "seeds/web", "stage": "seed",
                 "distribution": "acme-protos-web"},
            ]
        }
    ]  # fmt: skip


def test_matrices_split_at_githubs_limit() -> None:
    packages = tuple(
        Package(f"p{i:03d}", "seed", Path(f"seeds/p{i:03d}"), f"acme-p{i:03d}", "0.1.0")
        for i in range(300)
    )
    workspace = Workspace(Path("/ws"), Scope("acme"), packages)
    chunks = matrices(workspace, [p.short for p in packages])
    assert [len(c["include"]) for c in chunks] == [GITHUB_MATRIX_LIMIT, 300 - GITHUB_MATRIX_LIMIT]
    assert chunks[1]["include"][0]["name"] == "p256"
    assert matrices(workspace, []) == [{"include": []}]
