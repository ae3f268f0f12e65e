"""`proto sheriff` in-process on hand-made workspaces with a history: refusals, the JSON shape,
which commits are tried, reverts and what stops them, exit codes. Tasks are not really run: a
stand-in fails a package's task while a file of the package or its dependencies says BROKEN
(tests/e2e/test_sheriff.py runs them for real)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from seedbed.model.workspace import Package
from seedbed.tasks import runner
from seedbed.tasks.definitions import Task
from seedbed.tasks.envs import Environments
from tests.conftest import InProcess
from tests.helpers import (
    assert_clean_failure,
    make_workspace,
    run,
    run_results,
    snapshot,
    untouched,
)

Cli = Callable[..., InProcess]
PACKAGES = {"text-tools": [], "url-parser": ["text-tools"], "web": ["url-parser"], "notes": []}
CORE = ("text-tools", "url-parser")
MODULE = "core/text-tools/src/acme/text_tools/__init__.py"


@dataclass
class Stand:
    """Stands in for running tasks: a task fails while any file of the package or of its
    workspace dependencies holds BROKEN (every other run, when flaky); records what ran where."""

    flaky: bool = False
    ran: list[tuple[str, str]] = field(default_factory=list)  # (package, commit)

    def run_task(self, task: Task, package: Package, environments: Environments) -> runner.Outcome:
        root, keys = environments.root, environments.keys
        self.ran.append((package.short, run("git", "rev-parse", "HEAD", cwd=root).strip()))
        folders = [package.path.as_posix(), *(keys.folders[n] for n in keys.closure(package))]
        broken = [
            path.relative_to(root).as_posix()
            for folder in folders
            for path in sorted((root / folder).rglob("*"))
            if path.is_file() and "BROKEN" in path.read_text(errors="replace")
        ]
        if self.flaky:
            broken = ["(flaky)"] if len(self.ran) % 2 else []
        if broken:
            return runner.Outcome(False, f"$ pytest\nFAILED: {', '.join(broken)} is broken\n", 0.2)
        return runner.Outcome(True, "$ pytest\n3 passed in 0.01s\n", 0.2)


@pytest.fixture
def stand(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stand:
    stand = Stand()
    monkeypatch.setattr(runner, "run_task", stand.run_task)
    monkeypatch.setattr(Environments, "current", lambda self, package: True)
    monkeypatch.setenv("PROTO_CACHE_DIR", str(tmp_path / "cache"))
    return stand


def commit(root: Path, message: str, files: dict[str, str]) -> str:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", message, cwd=root)
    return head(root)


def head(root: Path) -> str:
    return run("git", "rev-parse", "HEAD", cwd=root).strip()


def worktrees(root: Path) -> int:
    return len(run("git", "worktree", "list", cwd=root).splitlines())


@pytest.fixture
def red(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """text-tools and url-parser in core (url-parser uses text-tools), web and notes seeds; a
    history in which "Break text-tools" turns both core packages red, among unrelated commits."""
    root = make_workspace(tmp_path / "acme", PACKAGES, core=CORE, lock=True)
    shas = {"Start": head(root)}
    for message, path, text in [
        ("Notes", "seeds/notes/README.md", "words\n"),
        ("Tidy text-tools", MODULE, '"""text-tools, tidied."""\n'),
        ("Web", "seeds/web/README.md", "words\n"),
        ("Break text-tools", MODULE, '"""text-tools."""\nBROKEN = True\n'),
        ("More notes", "seeds/notes/README.md", "more words\n"),
        ("Document url-parser", "core/url-parser/README.md", "how\n"),
    ]:
        shas[message] = commit(root, message, {path: text})
    return root, shas


def sheriff(cli: Cli, root: Path, *args: str, code: int = 0) -> list[dict[str, object]]:
    return run_results(cli, root, *args, code=code, command="sheriff")


def test_the_culprit_and_only_commits_that_can_change_the_result_tried(
    cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand
) -> None:
    root, shas = red
    (root / "seeds/notes/README.md").write_text("my uncommitted edit\n")
    (root / "scratch.txt").write_text("untracked\n")
    before = untouched(root)
    [found] = sheriff(cli, root, "url-parser")
    assert list(found) == ["package", "task", "good", "bad", "culprit", "tested"]
    assert found["package"] == "url-parser"
    assert found["task"] == "test"
    assert found["good"] == shas["Start"]  # nothing in the cache: the package's first commit
    assert found["bad"] == shas["Document url-parser"]
    assert found["culprit"] == {"sha": shas["Break text-tools"], "subject": "Break text-tools",
                                "author": "Test Maker"}  # fmt: skip
    tested = set(found["tested"])  # type: ignore[arg-type]
    assert tested <= {shas[s] for s in ("Start", "Tidy text-tools", "Break text-tools",
                                        "Document url-parser")}  # fmt: skip
    assert not tested & {shas["Notes"], shas["Web"], shas["More notes"]}
    assert {commit for _, commit in stand.ran} <= tested
    assert untouched(root) == before  # work tree, index, branch; the scratch worktree is gone

    text = cli("sheriff", "url-parser", cwd=root)
    assert text.returncode == 0, text.stderr
    short = shas["Break text-tools"][:12]
    assert text.stdout.splitlines()[0] == (
        f'url-parser test: turned red by {short} "Break text-tools" '
        "(Test Maker <maker@example.com>)"
    )
    # the first search recorded the passes it saw: the newest is the good end now
    good = shas["Tidy text-tools"][:12]
    assert f"  good  {good}  (the newest commit at which it passed, from the task cache)" in (
        text.stdout
    )
    assert f"    {short}  failed           Break text-tools" in text.stdout
    assert f"-------- output of url-parser test at {short} --------" in text.stdout
    assert f"FAILED: {MODULE} is broken" in text.stdout
    assert text.stderr == ""


def test_the_good_end_comes_from_the_task_cache(
    cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand
) -> None:
    root, shas = red
    run("git", "checkout", "-q", shas["Web"], cwd=root)
    assert cli("run", "test", "-p", "url-parser", "-p", "web", cwd=root).returncode == 0
    run("git", "checkout", "-q", "main", cwd=root)
    stand.ran.clear()
    found = sheriff(cli, root, "url-parser", "web")
    assert [f["good"] for f in found] == [shas["Web"], shas["Web"]]
    assert [f["culprit"]["sha"] for f in found] == [shas["Break text-tools"]] * 2  # type: ignore[index]
    assert shas["Start"] not in found[0]["tested"]  # type: ignore[operator]
    # --good wins over the cache; several names, one JSON object each, in the order given
    [given] = sheriff(cli, root, "acme-url-parser", "--good", shas["Tidy text-tools"])
    assert given["good"] == shas["Tidy text-tools"]
    assert given["package"] == "url-parser"


def test_refusals_change_nothing(cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand) -> None:
    root, shas = red
    before = snapshot(root)
    assert_clean_failure(cli("sheriff", cwd=root), 2, "missing argument 'NAME'")
    assert_clean_failure(cli("sheriff", "nope", cwd=root), 2, "no package named 'nope'",
                         "packages: notes, text-tools, url-parser, web")  # fmt: skip
    assert_clean_failure(
        cli("sheriff", "web", "--task", "tests", cwd=root), 2, "no task named 'tests'",
        "tasks: build, lint, test, typecheck",
    )  # fmt: skip
    assert_clean_failure(cli("sheriff", "web", "--good", "nope", cwd=root), 2,
                         "--good 'nope' is not a commit")  # fmt: skip
    run("git", "switch", "-q", "-c", "side", cwd=root)
    aside = commit(root, "Aside", {"seeds/notes/README.md": "aside\n"})
    run("git", "switch", "-q", "main", cwd=root)
    assert_clean_failure(cli("sheriff", "web", "--good", aside, cwd=root), 2,
                         "not on the first-parent history of HEAD")  # fmt: skip
    assert stand.ran == []
    assert snapshot(root) == before

    assert_clean_failure(cli("sheriff", "notes", cwd=root), 1, "notes test passes at HEAD (",
                         "there is no culprit to find", "`proto run test -p notes`")  # fmt: skip
    assert_clean_failure(
        cli("sheriff", "url-parser", "--good", shas["Break text-tools"], cwd=root), 1,
        "url-parser test already fails at the good end", "from --good): FAILED: ",
        "pass an older --good",
    )  # fmt: skip
    (root / "seeds/notes/BROKEN").write_text("BROKEN\n")  # HEAD is searched, not the work tree
    assert_clean_failure(cli("sheriff", "notes", cwd=root), 1, "notes test passes at HEAD")
    assert worktrees(root) == 1


def test_a_package_that_never_passed(cli: Cli, tmp_path: Path, stand: Stand) -> None:
    root = make_workspace(tmp_path / "acme", PACKAGES, core=CORE, lock=True)
    commit(root, "Broken from the start", {"seeds/late/pyproject.toml": '[project]\nname = '
           '"acme-late"\nversion = "0.1.0"\n', "seeds/late/BROKEN": "BROKEN\n"})  # fmt: skip
    commit(root, "Late words", {"seeds/late/README.md": "words\n"})
    assert_clean_failure(
        cli("sheriff", "late", cwd=root), 1, "late test already fails at the good end",
        "from the package's first commit): FAILED: seeds/late/BROKEN is broken",
        "no commit is to blame for a task that failed from the start",
    )  # fmt: skip


def test_a_flaky_task_is_reported_not_blamed(
    cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand
) -> None:
    root, _ = red
    stand.flaky = True  # fails at every other run, whatever the content
    flaky = cli("sheriff", "url-parser", "--revert", cwd=root)
    assert_clean_failure(flaky, 1, "url-parser test is flaky: at", "it both passed and failed",
                         "so no commit is to blame", "make it deterministic")  # fmt: skip
    assert len({commit for _, commit in stand.ran}) < len(stand.ran)  # one commit, run again
    assert run("git", "log", "-1", "--format=%s", cwd=root) == "Document url-parser\n"


def test_revert_a_core_package(cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand) -> None:
    root, shas = red
    (root / "scratch.txt").write_text("untracked files may stay\n")
    culprit = shas["Break text-tools"]
    before = untouched(root)
    tried = cli("sheriff", "url-parser", "text-tools", "--revert", "--dry-run", cwd=root)
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.splitlines()[-1] == (
        f'Would revert {culprit[:12]} "Break text-tools": url-parser test, text-tools test '
        "pass with the revert (tried in the scratch worktree; nothing committed)."
    )
    assert untouched(root) == before
    assert worktrees(root) == 1
    result = cli("sheriff", "url-parser", "text-tools", "--revert", cwd=root)
    assert result.returncode == 0, result.stderr
    assert run("git", "rev-parse", "HEAD~1", cwd=root).strip() == shas["Document url-parser"]
    message = run("git", "log", "-1", "--format=%B", cwd=root)
    assert message.startswith(f'Revert "Break text-tools"\n\nThis reverts commit {culprit}.\n')
    start = shas["Tidy text-tools"][:12]  # the last commit tried before the culprit
    assert f"- url-parser test: passes at {start}, fails from {culprit[:12]} on" in message
    assert f"- text-tools test: passes at {start}, fails from {culprit[:12]} on" in message
    assert result.stdout.splitlines()[-1] == (
        f'Reverted {culprit[:12]} "Break text-tools" in {head(root)[:12]}: url-parser test, '
        "text-tools test pass again."
    )
    assert (root / MODULE).read_text() == '"""text-tools, tidied."""\n'
    assert run("git", "status", "--porcelain", cwd=root) == "?? scratch.txt\n"
    stand.ran.clear()
    assert cli("run", "test", "-p", "url-parser", cwd=root).returncode == 0
    assert stand.ran == []  # the revert was run in the scratch worktree: same content, cached
    assert worktrees(root) == 1


def test_reverts_refused_leave_everything_as_it_was(
    cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand
) -> None:
    root, _ = red
    (root / "seeds/web/README.md").write_text("an edit\n")
    dirty = snapshot(root)
    for dry_run in ([], ["--dry-run"]):  # a dry run refuses what the revert would refuse
        assert_clean_failure(cli("sheriff", "url-parser", "--revert", *dry_run, cwd=root), 1,
                             "the work tree has uncommitted changes: seeds/web/README.md",
                             "commit or stash them first")  # fmt: skip
    assert snapshot(root) == dirty
    run("git", "checkout", "-q", "seeds/web/README.md", cwd=root)
    run("git", "checkout", "-q", "--detach", cwd=root)
    assert_clean_failure(cli("sheriff", "url-parser", "--revert", cwd=root), 1, "HEAD is detached")
    run("git", "checkout", "-q", "main", cwd=root)
    assert stand.ran == []

    # a seed fixes forward: the culprit is named, nothing is reverted
    commit(root, "Break web", {"seeds/web/src/acme/web/__init__.py": "BROKEN = 1\n"})
    commit(root, "Notes again", {"seeds/notes/README.md": "again\n"})
    before = untouched(root)
    refused = cli("sheriff", "web", "--revert", cwd=root)
    assert_clean_failure(refused, 1, "web is a seed, and seeds fix forward, so nothing was "
                         "reverted:", '"Break text-tools") by Test Maker turned its test red',
                         "pitch in and fix it forward", "maker@example.com")  # fmt: skip
    assert "web test: turned red by" in refused.stdout  # the finding is still shown
    # with a core package alongside: all or nothing
    assert_clean_failure(cli("sheriff", "url-parser", "web", "--revert", cwd=root), 1, "seed")
    assert untouched(root) == before


def test_a_revert_that_does_not_fix_or_does_not_apply_leaves_nothing(
    cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand
) -> None:
    root, _ = red
    url_parser = "core/url-parser/src/acme/url_parser/__init__.py"
    commit(root, "Break url-parser too", {url_parser: "BROKEN = 2\n"})
    before = untouched(root)
    assert_clean_failure(cli("sheriff", "url-parser", "--revert", cwd=root), 1,
                         "does not make url-parser test pass again, so nothing was reverted",
                         "more than one commit may have turned it red")  # fmt: skip
    assert untouched(root) == before

    commit(root, "Fix url-parser", {url_parser: '"""url-parser."""\n'})
    commit(root, "Rework the break", {MODULE: '"""text-tools."""\nBROKEN = "still"\n'})
    before = untouched(root)
    assert_clean_failure(cli("sheriff", "text-tools", "--revert", cwd=root), 1,
                         '"Break text-tools") does not apply cleanly on HEAD (conflicts in '
                         f"{MODULE})", "git revert")  # fmt: skip
    assert untouched(root) == before


def test_a_commit_that_only_touched_other_seeds_is_never_reverted(
    cli: Cli, tmp_path: Path, stand: Stand
) -> None:
    # a core package on a seed breaks the one hard rule; the sheriff still does not roll back
    # a seed's commit for it
    root = make_workspace(tmp_path / "acme", {"alpha": ["beta"], "beta": []}, core=("alpha",),
                          lock=True)  # fmt: skip
    commit(root, "Break beta", {"seeds/beta/src/acme/beta/__init__.py": "BROKEN = 1\n"})
    before = untouched(root)
    assert_clean_failure(cli("sheriff", "alpha", "--revert", cwd=root), 1,
                         '"Break beta") changed only other seeds, which fix forward',
                         "proto check")  # fmt: skip
    assert untouched(root) == before


def test_a_revert_removes_what_the_culprit_added_and_restores_modes(
    cli: Cli, tmp_path: Path, stand: Stand
) -> None:
    root = make_workspace(tmp_path / "acme", PACKAGES, core=CORE, lock=True)
    script = root / "core/text-tools/run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    commit(root, "A script", {})
    script.chmod(0o644)
    commit(root, "Break text-tools with a file", {"core/text-tools/BROKEN.txt": "BROKEN\n"})
    commit(root, "Notes", {"seeds/notes/README.md": "words\n"})
    result = cli("sheriff", "text-tools", "--revert", cwd=root)
    assert result.returncode == 0, result.stderr
    assert not (root / "core/text-tools/BROKEN.txt").exists()
    assert script.stat().st_mode & 0o111  # executable again, as before the culprit
    assert run("git", "status", "--porcelain", cwd=root) == ""
    assert run("git", "show", "--stat", "--format=%s", "HEAD", cwd=root).splitlines()[0] == (
        'Revert "Break text-tools with a file"'
    )


def test_the_repositorys_hooks_do_not_run_in_the_scratch_worktree(
    cli: Cli, red: tuple[Path, dict[str, str]], stand: Stand, tmp_path: Path
) -> None:
    root, _ = red
    ran = tmp_path / "hooks-ran"
    for hook in ("post-checkout", "pre-commit", "commit-msg"):
        script = root / ".git/hooks" / hook
        script.write_text(f'#!/bin/sh\necho {hook} "$PWD" >> {ran}\n')
        script.chmod(0o755)
    result = cli("sheriff", "url-parser", "--revert", cwd=root)
    assert result.returncode == 0, result.stderr
    # the branch's commit is the user's: its hooks run there, and only there
    assert sorted(line.split()[0] for line in ran.read_text().splitlines()) == [
        "commit-msg", "pre-commit",
    ]  # fmt: skip
    assert all(line.split()[1] == str(root) for line in ran.read_text().splitlines())
