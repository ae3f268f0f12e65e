"""End to end: `proto run` on real workspaces, with real uv environments, ruff, mypy and pytest:
the cache, what a change reruns, selection, failures and the two stances, team tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedbed.tasks.cache import Cache
from tests.helpers import Runner, commit_all, run, run_results

pytestmark = pytest.mark.e2e

TASKS = ("lint", "typecheck", "test")
EVERY = ("notes", "text-tools", "url-parser", "web")


def results(proto: Runner, root: Path, *args: str, code: int = 0) -> list[dict[str, object]]:
    return run_results(proto, root, *args, code=code)


def rerun(data: list[dict[str, object]]) -> set[tuple[object, object]]:
    return {(r["package"], r["task"]) for r in data if not r["cached"]}


def test_the_cache_and_exactly_what_a_change_reruns(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    # a workspace made before .proto/ was in the template's .gitignore
    ignore = root / ".gitignore"
    ignore.write_text(ignore.read_text().replace(".proto/\n", ""))
    commit_all(root, "An older .gitignore")

    first = results(proto, root, *TASKS)
    assert [(r["package"], r["task"], r["status"]) for r in first] == [
        (name, task, "passed") for name in EVERY for task in TASKS
    ]
    assert rerun(first) == {(name, task) for name in EVERY for task in TASKS}
    assert rerun(results(proto, root, *TASKS)) == set()  # the second run: all from the cache
    assert run("git", "status", "--porcelain", "--untracked-files=all", cwd=root) == ""
    assert proto("affected", "--since", "HEAD", cwd=root).stdout == ""

    module = root / "seeds/url-parser/src/acme_protos/url_parser/__init__.py"
    module.write_text(
        module.read_text() + '\n\ndef shout(text: str) -> str:\n    """Loud."""\n'
        "    return text.upper()\n"
    )  # fmt: skip
    assert rerun(results(proto, root, *TASKS)) == {
        ("url-parser", "lint"), ("url-parser", "typecheck"), ("url-parser", "test"),
        ("web", "typecheck"), ("web", "test"),
    }  # fmt: skip

    affected = results(proto, root, "test", "--affected", "--since", "HEAD")
    assert [r["package"] for r in affected] == ["url-parser", "web"]
    assert [r["package"] for r in results(proto, root, "lint", "-p", "notes")] == ["notes"]

    commit_all(root, "Shout")
    assert rerun(results(proto, root, *TASKS)) == set()  # committed: same content, same keys
    head = run("git", "rev-parse", "HEAD", cwd=root).strip()
    passing = Cache(root / ".proto/cache").passing("web", "test")
    assert passing[0].commits[-1] == head  # what proto sheriff will look for

    plain = proto("run", "test", "-p", "web", cwd=root)
    assert plain.returncode == 0, plain.stderr
    assert "cached  web  test  (4 passed in" in plain.stderr
    assert plain.stdout.splitlines()[-1] == "1 task: 1 passed (1 cached)"


def test_failures_are_reported_not_cached_and_the_stances_hold(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    graduated = proto("graduate", "text-tools", "--commit", cwd=root)
    assert graduated.returncode == 0, graduated.stderr
    breaking = "\n\ndef test_breaks():\n    assert 1 + 1 == 3\n"
    core_test = root / "core/text-tools/tests/test_text_tools.py"
    core_original = core_test.read_text()
    core_test.write_text(core_original + breaking)
    (root / "seeds/notes/tests/test_notes.py").write_text(
        (root / "seeds/notes/tests/test_notes.py").read_text() + breaking
    )

    failed = proto("run", "test", cwd=root)
    assert failed.returncode == 1
    assert "FAILED tests/test_text_tools.py::test_breaks" in failed.stderr
    assert "FAILED tests/test_notes.py::test_breaks" in failed.stderr
    assert failed.stderr.splitlines()[-2] == "error: 2 tasks failed: notes test, text-tools test"
    statuses = {line.split()[0]: line.split()[3] for line in failed.stdout.splitlines()[1:-1]}
    assert statuses == {"notes": "failed", "text-tools": "failed", "url-parser": "passed",
                        "web": "passed"}  # fmt: skip

    forward = proto("run", "test", "--seeds-fix-forward", cwd=root)
    assert forward.returncode == 1  # core blocks
    assert forward.stderr.splitlines()[-2] == "error: 1 task failed: text-tools test"
    assert "do not fail the run: notes test" in forward.stderr

    core_test.write_text(core_original)
    data = results(proto, root, "test", "--seeds-fix-forward")  # seeds fix forward: exit 0
    assert {r["package"]: r["status"] for r in data} == {
        "notes": "failed", "text-tools": "passed", "url-parser": "passed", "web": "passed"
    }  # fmt: skip
    again = results(proto, root, "test", "--seeds-fix-forward")
    assert rerun(again) == {("notes", "test")}  # a failure is never cached

    # the stage's typing profile: the same untyped function passes in a seed, fails in core
    untyped = "\n\ndef untyped(value):\n    return value\n"
    modules = ("seeds/notes/src/acme_protos/notes", "core/text-tools/src/acme_protos/text_tools")
    for module in modules:
        path = root / module / "__init__.py"
        path.write_text(path.read_text() + untyped)
    typed = results(proto, root, "typecheck", "-p", "notes", "-p", "text-tools", code=1)
    assert [(r["package"], r["status"]) for r in typed] == [
        ("notes", "passed"), ("text-tools", "failed"),
    ]  # fmt: skip


def test_team_tasks_run_in_the_package_folder_and_environment(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    (root / "tools").mkdir()
    (root / "tools/stamp.py").write_text(
        "import os, pathlib, sys\n"
        "out = pathlib.Path(os.environ['PROTO_WORKSPACE'], 'stamps', os.environ['PROTO_PACKAGE'])\n"
        "out.parent.mkdir(exist_ok=True)\n"
        "out.write_text(os.getcwd() + '\\n' + sys.prefix + '\\n' + repr(sys.argv[1:]))\n"
    )
    manifest = root / "pyproject.toml"
    manifest.write_text(
        manifest.read_text() + "\n[tool.proto.tasks]\n"
        "stamp = \"python ../../tools/stamp.py --label 'two words'\"\n"
        "uses-text-tools = ['python', '-c', 'import acme_protos.text_tools']\n"
        'missing = "no-such-program --flag"\n'
    )  # fmt: skip
    data = results(proto, root, "stamp", "-p", "url-parser")
    assert [(r["task"], r["status"]) for r in data] == [("stamp", "passed")]
    where, prefix, args = (root / "stamps/url-parser").read_text().splitlines()
    assert Path(where) == root / "seeds/url-parser"
    assert Path(prefix) == root / ".proto/envs/url-parser"
    assert args == "['--label', 'two words']"
    (root / "stamps/url-parser").unlink()
    assert rerun(results(proto, root, "stamp", "-p", "url-parser")) == set()
    assert not (root / "stamps/url-parser").exists()  # cached: not run again

    # only declared dependencies are importable: url-parser declares text-tools, notes does not
    isolated = proto("run", "uses-text-tools", "-p", "url-parser", "-p", "notes", cwd=root)
    assert isolated.returncode == 1
    assert "No module named 'acme_protos.text_tools'" in isolated.stderr
    assert isolated.stderr.splitlines()[-2] == "error: 1 task failed: notes uses-text-tools"

    missing = proto("run", "missing", "-p", "notes", cwd=root)
    assert missing.returncode == 1
    assert "cannot run no-such-program" in missing.stderr
