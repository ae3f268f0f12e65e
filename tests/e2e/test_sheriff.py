"""End to end: `proto sheriff` on real workspaces with a history, real uv environments and
pytest: the culprit named among unrelated commits that are never tried, the work tree left
alone, a red core package reverted (and green again), a red seed refused, a flaky task caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Runner, assert_clean_failure, commit_all, run, run_results, untouched

pytestmark = pytest.mark.e2e

TEXT_TOOLS = "core/text-tools/src/acme_protos/text_tools/__init__.py"
USES_TEXT_TOOLS = """

def test_text_tools_greets() -> None:
    from acme_protos.text_tools import greet as text_tools_greet

    assert text_tools_greet("Bo") == "Hello, Bo!"
"""


def change(root: Path, message: str, path: str, edit: str) -> str:
    """Commit an edit of one file (`+text` appends, `old=>new` replaces); the commit's id."""
    target = root / path
    text = target.read_text() if target.exists() else ""
    if edit.startswith("+"):
        text += edit[1:]
    else:
        old, new = edit.split("=>")
        assert old in text, (path, old)
        text = text.replace(old, new)
    target.write_text(text)
    commit_all(root, message)
    return run("git", "rev-parse", "HEAD", cwd=root).strip()


def sheriff_json(proto: Runner, root: Path, *args: str) -> list[dict[str, object]]:
    return run_results(proto, root, *args, command="sheriff")


@pytest.fixture
def red_core(graph_workspace: Path, proto: Runner) -> tuple[Path, dict[str, str]]:
    """text-tools and url-parser graduated; url-parser's tests use text-tools; a history in
    which "Say hi" breaks text-tools (and so url-parser) among commits of other packages."""
    root = graph_workspace
    added = run("git", "rev-parse", "HEAD", cwd=root).strip()
    graduated = proto("graduate", "url-parser", "--with-deps", "--commit", cwd=root)
    assert graduated.returncode == 0, graduated.stderr
    tests = "core/url-parser/tests/test_url_parser.py"
    shas = {"Add packages": added, "Graduate": run("git", "rev-parse", "HEAD", cwd=root).strip()}
    for message, path, edit in [
        ("url-parser tests text-tools", tests, "+" + USES_TEXT_TOOLS),
        ("Notes", "seeds/notes/README.md", "+\nMore notes.\n"),
        ("Tidy text-tools", TEXT_TOOLS, "Return a friendly=>Return a kind"),
        ("Web", "seeds/web/README.md", "+\nAbout the web.\n"),
        ("Say hi", TEXT_TOOLS, 'f"Hello, {cleaned}!"=>f"Hi, {cleaned}!"'),
        ("More notes", "seeds/notes/README.md", "+\nEven more.\n"),
        ("Document url-parser", "core/url-parser/README.md", "+\nHow to use it.\n"),
    ]:
        shas[message] = change(root, message, path, edit)
    return root, shas


def test_the_sheriff_finds_and_reverts_what_turned_core_red(
    red_core: tuple[Path, dict[str, str]], proto: Runner
) -> None:
    root, shas = red_core
    (root / "seeds/notes/README.md").write_text("an edit of mine\n")
    (root / "mine.txt").write_text("untracked\n")
    before = untouched(root)
    [found] = sheriff_json(proto, root, "url-parser")
    assert found["culprit"] == {"sha": shas["Say hi"], "subject": "Say hi",
                                "author": "Test Maker"}  # fmt: skip
    assert found["good"] == shas["Add packages"]  # nothing cached: url-parser's first commit
    assert found["bad"] == shas["Document url-parser"]
    tested = set(found["tested"])  # type: ignore[arg-type]
    assert shas["Say hi"] in tested
    assert not tested & {shas["Notes"], shas["Web"], shas["More notes"]}  # never tried
    assert untouched(root) == before  # work tree, index, branch; the worktree is gone

    run("git", "checkout", "--", "seeds/notes/README.md", cwd=root)
    before = untouched(root)
    tried = proto("sheriff", "url-parser", "--revert", "--dry-run", cwd=root)
    assert tried.returncode == 0, tried.stderr
    assert (
        f'Would revert {shas["Say hi"][:12]} "Say hi": url-parser test passes with the revert '
        "(tried in the scratch worktree; nothing committed)." in tried.stdout
    )
    assert untouched(root) == before  # nothing committed, staged or written
    reverted = proto("sheriff", "url-parser", "--revert", cwd=root)
    assert reverted.returncode == 0, reverted.stderr
    short = shas["Say hi"][:12]
    assert f'url-parser test: turned red by {short} "Say hi" (Test Maker' in reverted.stdout
    assert "AssertionError: assert 'Hi, Bo!' == 'Hello, Bo!'" in reverted.stdout  # its output
    assert f'Reverted {short} "Say hi" in ' in reverted.stdout
    message = run("git", "log", "-1", "--format=%B", cwd=root)
    assert message.startswith(f'Revert "Say hi"\n\nThis reverts commit {shas["Say hi"]}.')
    assert (
        f"- url-parser test: passes at {shas['Tidy text-tools'][:12]}, fails from {short} on"
        in message
    )
    assert run("git", "status", "--porcelain", cwd=root) == "?? mine.txt\n"
    again = proto("run", "test", "-p", "url-parser", "-p", "text-tools", "--json", cwd=root)
    assert again.returncode == 0, again.stderr
    assert {(r["package"], r["status"]) for r in json.loads(again.stdout)} == {
        ("url-parser", "passed"), ("text-tools", "passed"),
    }  # fmt: skip

    # a seed fixes forward: its culprit is named, nothing is reverted
    notes_tests = "seeds/notes/tests/test_notes.py"
    broke = change(root, "Break notes", notes_tests, "+\n\ndef test_breaks():\n    assert 0\n")
    change(root, "Web again", "seeds/web/README.md", "+\nAgain.\n")
    before = untouched(root)
    refused = proto("sheriff", "notes", "--revert", cwd=root)
    assert_clean_failure(
        refused, 1, "notes is a seed, and seeds fix forward, so nothing was reverted: "
        f'{broke[:12]} ("Break notes") by Test Maker turned its test red',
        "pitch in and fix it forward",
    )  # fmt: skip
    assert f'notes test: turned red by {broke[:12]} "Break notes"' in refused.stdout
    assert untouched(root) == before


def test_a_flaky_task_is_reported_as_flaky(
    graph_workspace: Path, proto: Runner, tmp_path: Path
) -> None:
    root = graph_workspace
    counter = tmp_path / "runs"  # outside the repository: no commit changes it
    script = tmp_path / "flaky.py"
    script.write_text(
        "import pathlib, sys\n"
        f"counter = pathlib.Path({str(counter)!r})\n"
        "runs = int(counter.read_text()) if counter.exists() else 0\n"
        "counter.write_text(str(runs + 1))\n"
        "sys.exit(1 if runs % 2 == 0 else 0)  # fails at the first run, then every other\n"
    )
    task = f'+\n[tool.proto.tasks]\nflaky = "python {script}"\n'
    added = change(root, "A flaky task", "pyproject.toml", task)
    change(root, "Notes", "seeds/notes/README.md", "+\nMore.\n")
    change(root, "Text", "seeds/text-tools/README.md", "+\nMore.\n")
    never = proto("sheriff", "url-parser", "--task", "flaky", cwd=root)  # no such task back then
    assert_clean_failure(never, 1, "url-parser flaky already fails at the good end",
                         "there is no task 'flaky' at this commit")  # fmt: skip
    counter.unlink(missing_ok=True)
    result = proto("sheriff", "url-parser", "--task", "flaky", "--good", added, cwd=root)
    assert_clean_failure(result, 1, "url-parser flaky is flaky: at ", "it both passed and failed",
                         "so no commit is to blame")  # fmt: skip
    assert int(counter.read_text()) >= 4  # HEAD, the good end, and the culprit again
    assert run("git", "status", "--porcelain", cwd=root) == ""
    assert len(run("git", "worktree", "list", cwd=root).splitlines()) == 1
