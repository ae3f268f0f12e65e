"""Cache keys: every way a task's result can go stale changes its key, and nothing else does.

Pure tests build the workspace, lock and file snapshot in memory (properties with hypothesis);
the git tests read a real repository's files, as `proto run` does."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedbed.model.lockfile import Lock
from seedbed.model.names import Scope
from seedbed.model.workspace import Package, Workspace, load
from seedbed.tasks.definitions import BUILTINS, catalog
from seedbed.tasks.files import Snapshot, group_of, skipped, snapshot
from seedbed.tasks.keys import Keys
from tests.helpers import TOOLS, commit_all, lock_text, make_workspace, run

#   app -> lib -> base        other (alone)          core: base
EDGES = {"base": [], "lib": ["base"], "app": ["lib"], "other": []}
CORE = ("base",)
TASKS = ("lint", "typecheck", "test", "build")


def workspace(
    config: dict[str, Any] | None = None, python: str = "3.11", core: tuple[str, ...] = CORE
) -> Workspace:
    packages = tuple(
        Package(
            short=name, stage="core" if name in core else "seed",
            path=Path("core" if name in core else "seeds") / name, distribution=f"acme-{name}",
            version="0.1.0", requirements=tuple(f"acme-{p}" for p in providers),
        )
        for name, providers in sorted(EDGES.items())
    )  # fmt: skip
    root = Path("/nowhere")
    return _pinned(Workspace(root, Scope("acme"), packages, config or _config()), python)


def _pinned(ws: Workspace, python: str) -> Workspace:
    class Pinned(Workspace):
        @property
        def python(self) -> str:
            return python

    return Pinned(ws.root, ws.scope, ws.packages, ws.config)


def _config(**tool: Any) -> dict[str, Any]:
    return {"tool": {"ruff": {"line-length": 100}, "proto": {"scope": "acme"}, **tool}}


def files() -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {"": {"pyproject.toml": "r0", "README.md": "d0"}}
    groups["seeds"] = {"ruff.toml": "s0"}
    groups["core"] = {"ruff.toml": "c0"}
    for name in EDGES:
        folder = f"{'core' if name in CORE else 'seeds'}/{name}"
        groups[folder] = {"pyproject.toml": f"m-{name}", f"src/acme/{name}.py": f"x-{name}"}
    return groups


def keys(
    groups: dict[str, dict[str, str]] | None = None,
    lock: str | None = None,
    ws: Workspace | None = None,
) -> dict[tuple[str, str], str]:
    ws = ws or workspace()
    text = lock or lock_text(EDGES, core=CORE)
    k = Keys(ws, Lock.parse(text), Snapshot(groups or files(), frozenset(), "c0ffee"))
    tasks = catalog(ws.proto_config)
    return {(p.short, t): k.key(p, tasks[t]) for p in ws.packages for t in TASKS}


def changed(before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]) -> set:
    return {item for item in before if before[item] != after[item]}


BASE = keys()
EVERY = set(BASE)


def every(*names: str, tasks: tuple[str, ...] = TASKS) -> set[tuple[str, str]]:
    return {(n, t) for n in names for t in tasks}


def test_keys_differ_per_package_and_task() -> None:
    assert len(set(BASE.values())) == len(BASE)


def test_a_file_of_a_package_reruns_its_lint_and_the_closure_tasks_of_its_dependents() -> None:
    groups = files()
    groups["seeds/lib"]["src/acme/lib.py"] = "x-lib-2"
    assert changed(BASE, keys(groups)) == every("lib") | every("app", tasks=TASKS[1:])


def test_a_new_or_removed_file_counts() -> None:
    groups = files()
    groups["core/base"]["notes.txt"] = "n"
    assert changed(BASE, keys(groups)) == every("base") | every("lib", "app", tasks=TASKS[1:])
    groups = files()
    del groups["seeds/app"]["src/acme/app.py"]
    assert changed(BASE, keys(groups)) == every("app")


def test_a_stage_profile_reruns_that_stage_only() -> None:
    groups = files()
    groups["seeds"]["ruff.toml"] = "s1"
    assert changed(BASE, keys(groups)) == every("lib", "app", "other")


def test_files_elsewhere_in_the_workspace_change_nothing() -> None:
    groups = files()
    groups[""]["README.md"] = "d1"
    groups["docs"] = {"index.md": "i"}
    assert changed(BASE, keys(groups)) == set()


def test_root_tool_settings_rerun_everything_but_proto_settings_do_not() -> None:
    ws = workspace(_config(ruff={"line-length": 88}))
    assert changed(BASE, keys(ws=ws)) == EVERY
    ws = workspace({"tool": {"ruff": {"line-length": 100}, "proto": {"scope": "acme", "x": 1}}})
    assert changed(BASE, keys(ws=ws)) == set()


def test_a_team_task_replacing_a_builtin_changes_that_task_only() -> None:
    proto = {"scope": "acme", "tasks": {"lint": "ruff check --select ALL ."}}
    ws = workspace({"tool": {"ruff": {"line-length": 100}, "proto": proto}})
    assert changed(BASE, keys(ws=ws)) == every(*EDGES, tasks=("lint",))


def test_the_python_version_reruns_everything() -> None:
    assert changed(BASE, keys(ws=workspace(python="3.12"))) == EVERY


def test_graduating_a_package_reruns_it() -> None:
    moved = workspace(core=("base", "lib"))
    groups = files()
    groups["core/lib"] = groups.pop("seeds/lib")
    after = keys(groups, lock_text(EDGES, core=("base", "lib")), moved)
    # lib: a new stage (profile, strict typing); app: lib's files and content are the same
    assert changed(BASE, after) == every("lib")


def test_a_tool_upgrade_reruns_the_tasks_that_run_it() -> None:
    newer_ruff = lock_text(EDGES, core=CORE, tools={**TOOLS, "ruff": "0.9.0"})
    # lint runs ruff alone; typecheck and test run in an environment with every dev tool
    assert changed(BASE, keys(lock=newer_ruff)) == every(*EDGES, tasks=TASKS[:3])
    newer_pluggy = lock_text(EDGES, core=CORE, tools={**TOOLS, "pluggy": "1.6.0"})
    assert changed(BASE, keys(lock=newer_pluggy)) == every(*EDGES, tasks=TASKS[1:3])


def test_a_lock_change_reruns_the_packages_whose_locked_closure_changed() -> None:
    def lock(version: str) -> str:
        return lock_text(EDGES, core=CORE, external={"attrs": version}, uses={"lib": ["attrs"]})

    before, after = keys(lock=lock("23.0")), keys(lock=lock("24.0"))
    assert changed(before, after) == every("lib", "app", tasks=TASKS[1:])


def test_keys_hold_no_paths_so_machines_agree() -> None:
    moved = _pinned(replace(workspace(), root=Path("/elsewhere/entirely")), "3.11")
    assert keys(ws=moved) == BASE


def test_a_clean_tree_records_the_commit_and_a_dirty_input_does_not() -> None:
    ws = workspace()
    tasks = catalog(ws.proto_config)
    by_name = {p.short: p for p in ws.packages}

    def clean(dirty: set[str], package: str, task: str, head: str | None = "c0") -> bool:
        snap = Snapshot(files(), frozenset(dirty), head)
        return Keys(ws, Lock.parse(lock_text(EDGES, core=CORE)), snap).clean(
            by_name[package], tasks[task]
        )

    assert clean(set(), "app", "test")
    assert not clean(set(), "app", "test", head=None)
    assert not clean({"seeds/lib"}, "app", "test")  # in the closure
    assert clean({"seeds/lib"}, "app", "lint")  # lint covers the package alone
    assert clean({"seeds/other"}, "app", "test")
    assert not clean({"uv.lock"}, "other", "lint")
    assert clean({"README.md"}, "other", "lint")


@settings(max_examples=60, deadline=None)
@given(
    package=st.sampled_from(sorted(EDGES)),
    path=st.text("abcxyz/._", min_size=1, max_size=12).filter(lambda p: not skipped(p)),
    blob=st.text("0123456789abcdef", min_size=1, max_size=8),
)
def test_any_file_change_reruns_exactly_the_package_and_what_depends_on_it(
    package: str, path: str, blob: str
) -> None:
    groups = files()
    folder = f"{'core' if package in CORE else 'seeds'}/{package}"
    if groups[folder].get(path) == blob:
        return
    groups[folder][path] = blob
    dependents = {"base": {"lib", "app"}, "lib": {"app"}}.get(package, set())
    assert changed(BASE, keys(groups)) == every(package) | every(*dependents, tasks=TASKS[1:])


@given(st.lists(st.text("ab/._", min_size=1, max_size=10), min_size=1, max_size=6))
def test_a_group_digest_depends_on_paths_and_contents_only(paths: list[str]) -> None:
    forward = {path: f"id-{path}" for path in paths}
    backward = dict(reversed(list(forward.items())))
    a, b = Snapshot({"g": forward}, frozenset(), None), Snapshot({"g": backward}, frozenset(), None)
    assert a.digest("g") == b.digest("g")
    first = sorted(forward)[0]
    other = Snapshot({"g": {**forward, first: "different"}}, frozenset(), None)
    assert other.digest("g") != a.digest("g")


def test_paths_are_grouped_by_package_and_stage() -> None:
    assert group_of("seeds/url-parser/src/x.py") == ("seeds/url-parser", "src/x.py")
    assert group_of("core/ruff.toml") == ("core", "ruff.toml")
    assert group_of("pyproject.toml") == ("", "pyproject.toml")
    assert group_of("docs/seeds/x.md") == ("", "docs/seeds/x.md")
    assert skipped("seeds/a/src/__pycache__/x.cpython-311.pyc")
    assert skipped("seeds/a/x.pyc")
    assert not skipped("seeds/a/src/x.py")


# ------------------------------------------------------------------ real files, real git


@pytest.fixture
def real(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "acme", {"lib": [], "app": ["lib"]}, lock=True)
    (root / ".gitignore").write_text("/dist/\n.venv/\n*.log\n")
    commit_all(root, "ignore logs")
    return root


def real_keys(root: Path) -> dict[tuple[str, str], str]:
    ws = load(root)
    k = Keys(ws, Lock.parse((root / "uv.lock").read_text()), snapshot(root))
    return {(p.short, t): k.key(p, BUILTINS[t]) for p in ws.packages for t in TASKS}


def test_git_content_ids_go_stale_exactly_when_content_does(real: Path) -> None:
    clean = real_keys(real)
    lib = real / "seeds/lib/src/acme/lib/__init__.py"
    lib_and_app = {("lib", t) for t in TASKS} | {("app", t) for t in TASKS[1:]}

    (real / "seeds/lib/debug.log").write_text("ignored\n")
    (real / "seeds/lib/src/acme/lib/__pycache__").mkdir()
    (real / "seeds/lib/src/acme/lib/__pycache__/x.pyc").write_bytes(b"\0")
    lib.touch()
    assert real_keys(real) == clean  # ignored files, bytecode, a touch: nothing

    original = lib.read_text()
    lib.write_text(original + "X = 1\n")
    modified = real_keys(real)
    assert changed(clean, modified) == lib_and_app
    run("git", "add", "-A", cwd=real)
    assert real_keys(real) == modified  # staged: the index holds the same content
    commit_all(real, "X")
    assert real_keys(real) == modified  # committed: git's blob id is the id proto computed
    lib.write_text(original)
    assert real_keys(real) == clean  # back as it was: the old keys again

    (real / "seeds/lib/new.txt").write_text("untracked\n")
    assert changed(clean, real_keys(real)) == lib_and_app
    (real / "seeds/lib/new.txt").unlink()
    (real / "seeds/lib/tests/test_lib.py").unlink()
    assert changed(clean, real_keys(real)) == lib_and_app


def test_a_copy_elsewhere_has_the_same_keys(real: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "acme"
    shutil.copytree(real, copy, symlinks=True)
    assert real_keys(copy) == real_keys(real)


def test_the_snapshot_says_what_is_uncommitted(real: Path) -> None:
    assert snapshot(real).dirty == frozenset()
    assert snapshot(real).head == run("git", "rev-parse", "HEAD", cwd=real).strip()
    (real / "seeds/app/README.md").write_text("new\n")
    (real / "uv.lock").write_text((real / "uv.lock").read_text() + "\n")
    run("git", "mv", "seeds/lib/tests", "seeds/lib/checks", cwd=real)
    assert snapshot(real).dirty == {"seeds/app", "seeds/lib", "uv.lock"}
