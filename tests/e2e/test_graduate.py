"""`proto graduate`: the happy paths as a careful engineer would check them, every refusal, and
a failure forced at every step leaving the tree, the index and uv.lock exactly as they were."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from seedbed.effects import git, mentions, uv
from seedbed.errors import ProtoError
from seedbed.model import workspace
from seedbed.operations import graduate
from seedbed.templating import answers
from tests.helpers import (
    BIN,
    Runner,
    assert_clean_failure,
    commit_all,
    fail_on_call,
    run,
    snapshot,
)

pytestmark = pytest.mark.e2e


def test_graduate_with_deps_moves_history_mentions_stage_and_lock(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    workflow = root / ".github/workflows/ci.yml"
    workflow.write_text(workflow.read_text() + "# paths: seeds/url-parser/** seeds/url-parser-v2\n")
    commit_all(root, "Mention the paths")
    (root / "seeds/url-parser/scratch.txt").write_text("not tracked\n")

    result = proto("graduate", "url-parser", "--with-deps", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("seeds/text-tools -> core/text-tools") < result.stdout.index(
        "seeds/url-parser -> core/url-parser"
    )
    assert ".github/workflows/ci.yml" in result.stdout

    status = run("git", "status", "--porcelain", cwd=root).splitlines()
    renames = [line for line in status if line.startswith("R")]
    module = "url-parser/src/acme_protos/url_parser/__init__.py"
    assert f"R  seeds/{module} -> core/{module}" in renames
    assert "?? core/url-parser/scratch.txt" in status  # moved along, still untracked
    staged_other = [line for line in status if line[0] not in "R?" and line[0] != " "]
    assert staged_other == []  # nothing but the renames is staged
    assert not (root / "seeds/url-parser").exists()

    ci = workflow.read_text()
    assert "# paths: core/url-parser/** seeds/url-parser-v2" in ci
    manifest = tomllib.loads((root / "core/url-parser/pyproject.toml").read_text())
    assert "Development Status :: 4 - Beta" in manifest["project"]["classifiers"]
    assert "stage: core" in (root / "core/url-parser/.copier-answers.yml").read_text()
    assert "pytest core/url-parser " in (root / "core/url-parser/README.md").read_text()

    run(BIN / "uv", "lock", "--check", cwd=root)
    listed = proto("list", "--json", cwd=root).stdout
    assert '"stage": "core"' in listed
    # imports unchanged, every dependent's tests still pass, each in its own environment
    checked = proto("run", "test", "typecheck", "-p", "web", "-p", "url-parser", cwd=root)
    assert checked.returncode == 0, checked.stderr
    run(BIN / "uv", "run", "ruff", "check", ".", cwd=root)  # core profile is clean on the template


def test_commit_records_one_commit_of_renames(graph_workspace: Path, proto: Runner) -> None:
    result = proto("graduate", "text-tools", "--commit", cwd=graph_workspace)
    assert result.returncode == 0, result.stderr
    assert run("git", "log", "-1", "--format=%s", cwd=graph_workspace).strip() == (
        "Graduate text-tools to core"
    )
    shown = run("git", "show", "--name-status", "-M", "--format=", "HEAD", cwd=graph_workspace)
    assert "R100\tseeds/text-tools/src/acme_protos/text_tools/__init__.py" in shown
    assert "M\tuv.lock" in shown
    assert run("git", "status", "--porcelain", cwd=graph_workspace) == ""
    log = run("git", "log", "--follow", "--format=%s", "--", "core/text-tools/pyproject.toml",
              cwd=graph_workspace)  # fmt: skip
    assert "Add packages" in log  # history kept across the move


def test_plain_uv_lock_breaks_after_a_move_but_graduate_does_not(
    graph_workspace: Path, proto: Runner
) -> None:
    """uv issue 10296: a provider whose dependents sort after it breaks a plain `uv lock`."""
    root = graph_workspace
    assert proto("new", "alpha", cwd=root).returncode == 0
    assert proto("new", "omega", "--depends-on", "alpha", cwd=root).returncode == 0
    commit_all(root)
    run("git", "mv", "seeds/alpha", "core/alpha", cwd=root)
    broken = subprocess.run([BIN / "uv", "lock"], cwd=root, capture_output=True, text=True)
    assert broken.returncode != 0
    assert "Distribution not found" in broken.stderr
    run("git", "mv", "core/alpha", "seeds/alpha", cwd=root)
    result = proto("graduate", "alpha", cwd=root)
    assert result.returncode == 0, result.stderr
    run(BIN / "uv", "lock", "--check", cwd=root)


STEPS = [
    ("first git mv", git, "move", 1),
    ("second git mv", git, "move", 2),
    ("rewriting a mention", mentions, "rewrite", 2),
    ("switching the second stage", answers, "switch_stage", 2),
    ("relock", uv, "run_uv", 1),
    ("commit", git, "commit", 1),
]


@pytest.mark.parametrize(("step", "module", "function", "call"), STEPS, ids=[s[0] for s in STEPS])
def test_a_failure_at_any_step_restores_everything(
    graph_workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    module: object,
    function: str,
    call: int,
) -> None:
    root = graph_workspace
    (root / "docs.md").write_text("See seeds/url-parser and seeds/text-tools.\n")
    commit_all(root)
    (root / "seeds/url-parser/scratch.txt").write_text("untracked\n")
    (root / "notes.txt").write_text("staged, unrelated\n")
    run("git", "add", "notes.txt", cwd=root)
    before = snapshot(root)
    lock = (root / "uv.lock").read_bytes()

    plan = graduate.plan_graduate(workspace.load(root), ["url-parser"], with_deps=True, commit=True)
    monkeypatch.setattr(module, function, fail_on_call(call, getattr(module, function)))
    with pytest.raises(ProtoError, match="injected failure"):
        graduate.apply(plan)
    assert snapshot(root) == before, step
    assert (root / "uv.lock").read_bytes() == lock


def test_a_rejecting_commit_hook_undoes_the_graduation(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(root)
    result = proto("graduate", "url-parser", "--with-deps", "--commit", cwd=root)
    assert_clean_failure(result, 1, "git commit", "hook says no")
    assert snapshot(root) == before


def test_commit_refuses_to_sweep_in_unrelated_edits(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    notes = root / "NOTES.md"
    notes.write_text("Start with seeds/text-tools.\n")
    commit_all(root)
    notes.write_text(notes.read_text() + "A thought I have not committed yet.\n")
    before = snapshot(root)
    result = proto("graduate", "text-tools", "--commit", cwd=root)
    assert_clean_failure(result, 1, "would also commit your uncommitted changes in: NOTES.md")
    assert snapshot(root) == before
    plain = proto("graduate", "text-tools", cwd=root)
    assert plain.returncode == 0, plain.stderr
    assert notes.read_text() == "Start with core/text-tools.\nA thought I have not committed yet.\n"
    assert "uv sync --all-packages" in plain.stdout
