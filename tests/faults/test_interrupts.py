"""Interrupted, concurrent and starved runs leave the workspace whole.

Each command that changes files is stopped at each of its steps by a real signal to its real
process (tests/faults/stopper.py): SIGTERM (a CI cancel, `timeout`) and SIGHUP (a closed
terminal) must leave the workspace exactly as before; SIGKILL leaves a journal that makes every
writer refuse until `proto doctor --fix` puts everything back. Either way `uv lock --check`
passes afterwards and no user edit is lost.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import (
    BIN,
    PROTO,
    Runner,
    assert_clean_failure,
    commit_all,
    run,
    snapshot,
    untouched,
)

pytestmark = pytest.mark.e2e

STOPPER = Path(__file__).with_name("stopper.py")
UV = "seedbed.effects.uv:run_uv"
GIT = "seedbed.effects.git"
WRITE = "seedbed.effects.transaction:Transaction.write_bytes"

# (command, target, when): `when` is the call to stop at, "+DELAY" to stop while it runs.
# The first two stop before anything changed; the rest after some of the change is made.
CASES = [
    (["new", "gamma", "--depends-on", "notes"], "seedbed.templating.copier:render", "1"),
    (["depend", "notes", "text-tools"], WRITE, "1"),
    (["new", "gamma", "--depends-on", "notes"], UV, "1+0.3"),
    (["depend", "web", "url-parser", "--remove"], UV, "1+0.3"),
    (["graduate", "url-parser", "--with-deps", "--commit"], f"{GIT}:move", "2"),
    (
        ["graduate", "url-parser", "--with-deps", "--commit"],
        "seedbed.effects.mentions:rewrite",
        "1",
    ),
    (["graduate", "url-parser", "--with-deps", "--commit"], UV, "1+0.3"),
    (["graduate", "url-parser", "--with-deps", "--commit"], f"{GIT}:commit", "1"),
    (["version", "--all", "--bump", "minor"], UV, "1+0.3"),
    (["rename", "url-parser", "uri-parser", "--commit"], f"{GIT}:commit", "1"),
    (["rescope", "newco"], WRITE, "5"),
    (["retire", "notes"], UV, "1+0.3"),
]


def stop(root: Path, args: list[str], target: str, when: str, signal_name: str):
    return subprocess.run(
        [sys.executable, STOPPER, target, when, signal_name, "--", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def edited(graph_workspace: Path) -> Path:
    """The three-seed workspace with a mention to rewrite and a user's uncommitted edits."""
    (graph_workspace / "NOTES.md").write_text("Start in seeds/url-parser.\n")
    commit_all(graph_workspace, "notes")
    (graph_workspace / "NOTES.md").write_text("Start in seeds/url-parser.\nMy idea.\n")
    (graph_workspace / "scratch.txt").write_text("not committed\n")
    return graph_workspace


def ids(case: tuple[list[str], str, str]) -> str:
    return f"{case[0][0]}@{case[1].rsplit(':', 1)[1]}#{case[2]}"


@pytest.mark.parametrize("signal_name", ["TERM", "HUP"])
@pytest.mark.parametrize(("args", "target", "when"), CASES, ids=[ids(c) for c in CASES])
def test_a_stop_signal_rolls_everything_back(
    edited: Path, proto: Runner, args: list[str], target: str, when: str, signal_name: str
) -> None:
    if "--commit" in args:  # --commit refuses uncommitted edits in files it would commit
        run("git", "checkout", "NOTES.md", cwd=edited)
    before = snapshot(edited)
    result = stop(edited, args, target, when, signal_name)
    assert_clean_failure(result, 128 + {"TERM": 15, "HUP": 1}[signal_name], "every change")
    assert snapshot(edited) == before
    assert proto("doctor", cwd=edited).returncode == 0
    run(BIN / "uv", "lock", "--check", cwd=edited)


@pytest.mark.parametrize(("args", "target", "when"), CASES, ids=[ids(c) for c in CASES])
def test_sigkill_is_repaired_by_doctor(
    edited: Path, proto: Runner, args: list[str], target: str, when: str
) -> None:
    if "--commit" in args:
        run("git", "checkout", "NOTES.md", cwd=edited)
    before = snapshot(edited)
    head = run("git", "rev-parse", "HEAD", cwd=edited)
    killed = stop(edited, args, target, when, "KILL")
    assert killed.returncode == -9, killed.stderr
    report = proto("doctor", cwd=edited)
    if CASES.index((args, target, when)) >= 2:  # killed after it changed something
        assert report.returncode == 1
        assert f"proto {args[0]}" in report.stdout
        assert "--fix" in report.stdout
        refused = proto("new", "later", cwd=edited)
        assert_clean_failure(refused, 1, "was interrupted", "proto doctor --fix")
    else:  # killed before: at most its scratch folder is left
        assert report.returncode == 0 or report.stdout.startswith("leftover: .proto-new-")
    fixed = proto("doctor", "--fix", cwd=edited)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert snapshot(edited) == before
    assert run("git", "rev-parse", "HEAD", cwd=edited) == head
    assert proto("doctor", cwd=edited).stdout == "The workspace is healthy.\n"
    run(BIN / "uv", "lock", "--check", cwd=edited)


@pytest.mark.parametrize("signal_name", ["TERM", "KILL"])
def test_init_stopped_while_locking_leaves_no_workspace(
    tmp_path: Path, proto: Runner, signal_name: str
) -> None:
    stopped = stop(tmp_path, ["init", "ws"], UV, "1+0.3", signal_name)
    assert stopped.returncode != 0
    assert not (tmp_path / "ws").exists()
    assert [p.name.startswith(".proto-init-") for p in tmp_path.iterdir()] == (
        [True] if signal_name == "KILL" else []
    )
    again = proto("init", "ws", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]  # the leftover was cleared


def test_update_stopped_while_applying_leaves_no_half_rendered_package(
    old_workspace: tuple[Path, dict[str, str]], proto: Runner
) -> None:
    root, env = old_workspace
    before = snapshot(root)
    for signal_name, when in (("TERM", "3"), ("KILL", "3"), ("TERM", "1")):
        target = WRITE if when == "3" else "seedbed.templating.copier:update"
        result = subprocess.run(
            [sys.executable, STOPPER, target, when, signal_name, "--", "update"],
            cwd=root, capture_output=True, text=True, check=False, env={**os.environ, **env},
        )  # fmt: skip
        assert result.returncode != 0
        if signal_name == "KILL":
            assert proto("doctor", "--fix", cwd=root).returncode == 0
        assert snapshot(root) == before, (signal_name, when)
        worktrees = run("git", "worktree", "list", cwd=root).splitlines()
        assert len(worktrees) == 1 or signal_name == "KILL"
    assert proto("doctor", "--fix", cwd=root).returncode == 0
    assert run("git", "worktree", "list", cwd=root).count("\n") == 1


def test_two_writers_take_turns(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    first, second = (
        subprocess.Popen([PROTO, "new", name], cwd=root, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for name in ("gamma", "delta")
    )  # fmt: skip
    outputs = [process.communicate() for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    lock = (root / "uv.lock").read_text()
    assert 'name = "acme-protos-gamma"' in lock
    assert 'name = "acme-protos-delta"' in lock
    run(BIN / "uv", "lock", "--check", cwd=root)

    same = [
        subprocess.Popen([PROTO, "new", "epsilon"], cwd=root, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    results = [(process.wait(), process.communicate()[1]) for process in same]
    assert sorted(code for code, _ in results) == [0, 2], results
    assert any("already used by seeds/epsilon" in err for _, err in results)


def test_a_busy_workspace_is_refused_after_the_wait(graph_workspace: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, STOPPER, "seedbed.effects.uv:run_uv", "1+30", "SLEEP", "--",
         "depend", "notes", "text-tools"],
        cwd=graph_workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        holding = graph_workspace / ".git/seedbed/root/holder.json"
        for _ in range(100):  # until the holder has the lock
            if holding.exists() and f'"pid": {holder.pid}' in holding.read_text():
                break
            subprocess.run(["sleep", "0.1"], check=True)
        waited = subprocess.run(
            [PROTO, "new", "zeta"], cwd=graph_workspace, capture_output=True, text=True,
            env={**os.environ, "PROTO_LOCK_TIMEOUT": "1"}, check=False,
        )  # fmt: skip
        assert waited.returncode == 1, waited.stderr
        assert "waiting for `proto depend notes text-tools`" in waited.stderr
        assert "error: the workspace is busy" in waited.stderr
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert not (graph_workspace / "seeds/zeta").exists()


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 32 MB tmpfs (needs root and mount); skipped where it cannot be mounted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_changes_nothing(
    small_disk: Path, base_graph_workspace: Path, proto: Runner
) -> None:
    root = small_disk / "ws"
    shutil.copytree(base_graph_workspace, root, symlinks=True)
    before = snapshot(root)
    filler = small_disk / "filler"
    fill(filler)
    for args in (["depend", "notes", "text-tools"], ["new", "gamma"], ["graduate", "text-tools"]):
        result = proto(*args, cwd=root)
        assert_clean_failure(result, 1)
        assert "No space left on device" in result.stderr, result.stderr
        filler.unlink()  # room for git's own bookkeeping while we look
        assert snapshot(root) == before, args
        fill(filler)


def fill(filler: Path) -> None:
    """Fill the disk *filler* is on to the last byte (unbuffered: nothing left to flush)."""
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 65536)
        except OSError:
            pass


# ------------------------------------------------------------------ proto sheriff --revert

SHERIFF = ["sheriff", "text-tools", "--revert"]


def worktree_count(root: Path) -> int:
    return len(run("git", "worktree", "list", cwd=root).splitlines())


@pytest.fixture
def red_core(graph_workspace: Path, proto: Runner) -> Path:
    """text-tools in core, turned red by a commit, then an unrelated commit."""
    root = graph_workspace
    assert proto("graduate", "text-tools", "--commit", cwd=root).returncode == 0
    tests = root / "core/text-tools/tests/test_text_tools.py"
    tests.write_text(tests.read_text() + "\n\ndef test_breaks():\n    assert 1 + 1 == 3\n")
    commit_all(root, "Break text-tools")
    (root / "seeds/notes/README.md").write_text("More notes.\n")
    commit_all(root, "Notes")
    return root


@pytest.mark.parametrize(
    ("target", "when"),
    [("seedbed.tasks.runner:run_task", "2+0.5"), (WRITE, "1"), (f"{GIT}:commit", "1")],
    ids=["while-searching", "while-writing", "before-committing"],
)
def test_sheriff_stopped_by_sigterm_leaves_everything_as_it_was(
    red_core: Path, target: str, when: str
) -> None:
    before = untouched(red_core)
    result = stop(red_core, SHERIFF, target, when, "TERM")
    assert_clean_failure(result, 128 + 15, "stopped by SIGTERM", "every change")
    assert untouched(red_core) == before  # the scratch worktree is gone too


@pytest.mark.parametrize(
    ("target", "when"),
    [("seedbed.tasks.runner:run_task", "2+0.5"), (f"{GIT}:commit", "1")],
    ids=["while-searching", "before-committing"],
)
def test_sheriff_killed_is_repaired_by_doctor(
    red_core: Path, proto: Runner, target: str, when: str
) -> None:
    before = untouched(red_core)
    killed = stop(red_core, SHERIFF, target, when, "KILL")
    assert killed.returncode == -9, killed.stderr
    assert worktree_count(red_core) == 2  # the scratch worktree is left
    report = proto("doctor", cwd=red_core)
    assert report.returncode == 1
    if target.endswith(":commit"):  # killed inside the transaction: its journal is left
        assert "interrupted: `proto sheriff text-tools --revert`" in report.stdout
        refused = proto("new", "later", cwd=red_core)
        assert_clean_failure(refused, 1, "was interrupted", "proto doctor --fix")
    else:
        assert "is the worktree of a `proto sheriff` that was killed" in report.stdout
    fixed = proto("doctor", "--fix", cwd=red_core)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert untouched(red_core) == before
    assert proto("doctor", cwd=red_core).stdout == "The workspace is healthy.\n"
    again = proto(*SHERIFF, cwd=red_core)  # and the sheriff does its job afterwards
    assert again.returncode == 0, again.stderr
    assert run("git", "log", "-1", "--format=%s", cwd=red_core) == 'Revert "Break text-tools"\n'


# ------------------------------------------------------------------ proto check --fix


@pytest.mark.parametrize("signal_name", ["TERM", "KILL"])
def test_check_fix_stopped_while_relocking(
    graph_workspace: Path, proto: Runner, signal_name: str
) -> None:
    """The manifest it declared a dependency in, and the mypy lists, come back with the lock."""
    root = graph_workspace
    view = "from acme_protos.notes import greet\n\nVIEW = greet\n"
    (root / "seeds/web/src/acme_protos/web/notes_view.py").write_text(view)
    commit_all(root, "web shows notes, undeclared")
    before = snapshot(root)
    stopped = stop(root, ["check", "--fix"], UV, "1+0.3", signal_name)
    if signal_name == "TERM":
        assert_clean_failure(stopped, 143, "every change was undone")
    else:
        assert stopped.returncode == -9, stopped.stderr
        assert_clean_failure(proto("check", "--fix", cwd=root), 1, "proto doctor --fix")
        assert proto("doctor", "--fix", cwd=root).returncode == 0
    assert snapshot(root) == before
    fixed = proto("check", "--fix", cwd=root)  # and it does its job afterwards
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "declared acme-protos-notes" in fixed.stdout
