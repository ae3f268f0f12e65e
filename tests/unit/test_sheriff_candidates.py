"""Which commits the sheriff tries (tasks/history.py): exactly those that can change a task's
result on the package: its files and its dependencies' files (as each commit declares them),
its stage's profile, Python, workspace-wide settings, and uv.lock only where the package's
locked closure (or the dev tools) changed. Read from git alone, on the first-parent history."""

from __future__ import annotations

from pathlib import Path

from seedbed.effects import githistory
from seedbed.model.workspace import load
from seedbed.tasks import history
from tests.helpers import lock_text, make_workspace, run

PACKAGES = {"text-tools": [], "url-parser": ["text-tools"], "web": ["url-parser"], "notes": []}
CORE = ("text-tools", "url-parser")
USES = {"text-tools": ["attrs"], "notes": ["six"]}


def commit(root: Path, message: str, files: dict[str, str | None]) -> str:
    for path, text in files.items():
        target = root / path
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", message, cwd=root)
    return run("git", "rev-parse", "HEAD", cwd=root).strip()


def lock(**versions: str) -> str:
    external = {"attrs": "23.1.0", "six": "1.16.0", **versions}
    return lock_text(PACKAGES, core=CORE, external=external, uses=USES)


def tried(root: Path, start: str, short: str = "url-parser") -> list[str]:
    changes = githistory.first_parent_changes(root, start, "HEAD")
    found = history.candidates(changes, start, short, history.Reader(root, load(root)))
    subjects = dict(
        line.split(" ", 1) for line in run("git", "log", "--format=%H %s", cwd=root).splitlines()
    )
    return [subjects[sha] for sha in found]


def test_only_commits_that_can_change_the_result_are_tried(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", PACKAGES, core=CORE, commit=False)
    (root / "uv.lock").write_text(lock())
    manifest = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        manifest + '\n[tool.mypy]\nfiles = ["core/url-parser/src"]\nmypy_path = []\n'
    )
    run("git", "init", "-q", cwd=root)
    start = commit(root, "Start", {})
    mypy = (root / "pyproject.toml").read_text()
    url_parser = (root / "core/url-parser/pyproject.toml").read_text()
    module = "src/acme/{}/__init__.py"
    commit(root, "yes: its own file", {f"core/url-parser/{module.format('url_parser')}": "A = 1\n"})
    commit(root, "yes: a dependency's file", {"core/text-tools/README.md": "words\n"})
    commit(root, "no: a dependent's file", {"seeds/web/README.md": "words\n"})
    commit(root, "no: another seed", {"seeds/notes/README.md": "words\n"})
    commit(root, "no: the root README and CI", {"README.md": "x\n", ".github/ci.yml": "x: 1\n"})
    commit(root, "no: the seeds' profile", {"seeds/ruff.toml": 'extend = "../pyproject.toml"\n#\n'})
    commit(root, "yes: core's profile", {"core/ruff.toml": 'extend = "../pyproject.toml"\n#\n'})
    commit(root, "yes: the Python version", {".python-version": "3.12\n"})
    notes_listed = mypy.replace('files = ["core/url-parser/src"]',
                                'files = ["core/url-parser/src", "seeds/notes/src"]')  # fmt: skip
    commit(root, "no: another package in the mypy lists", {"pyproject.toml": notes_listed})
    commit(root, "yes: a setting", {"pyproject.toml": notes_listed + "\n[tool.ruff]\nfix = 1\n"})
    commit(root, "no: a lock change for another package", {"uv.lock": lock(six="1.17.0")})
    commit(root, "yes: a lock change in its closure", {"uv.lock": lock(six="1.17.0", attrs="24.1")})
    commit(root, "yes: a dev tool moves", {"uv.lock": lock_text(
        PACKAGES, core=CORE, external={"attrs": "24.1", "six": "1.17.0"}, uses=USES,
        tools={"ruff": "0.8.0", "mypy": "1.13.0", "pytest": "8.4.0", "pluggy": "1.5.0"},
    )})  # fmt: skip
    needs_notes = url_parser.replace('"acme-text-tools",', '"acme-text-tools",\n    "acme-notes",')
    commit(root, "yes: it depends on notes now", {"core/url-parser/pyproject.toml": needs_notes})
    commit(root, "yes: notes, while it is a dependency", {"seeds/notes/README.md": "more\n"})
    commit(root, "yes: it drops notes", {"core/url-parser/pyproject.toml": url_parser})
    commit(root, "no: notes, once it is not", {"seeds/notes/README.md": "even more\n"})
    found = tried(root, start)
    assert found == [s for s in subjects_of(root, start) if s.startswith("yes")]
    assert tried(root, start, "notes") == [  # notes' own view of the same history
        "no: another seed", "no: the seeds' profile", "yes: the Python version",
        "no: another package in the mypy lists", "yes: a setting",
        "no: a lock change for another package", "yes: a dev tool moves",
        "yes: notes, while it is a dependency", "no: notes, once it is not",
    ]  # fmt: skip


def subjects_of(root: Path, start: str) -> list[str]:
    return run("git", "log", "--reverse", "--format=%s", f"{start}..HEAD", cwd=root).splitlines()


def test_a_merge_is_one_commit_and_a_move_keeps_the_package(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", PACKAGES, core=CORE, lock=True)
    start = run("git", "rev-parse", "HEAD", cwd=root).strip()
    run("git", "switch", "-q", "-c", "side", cwd=root)
    commit(root, "side: text-tools", {"core/text-tools/README.md": "a\n"})
    commit(root, "side: notes", {"seeds/notes/README.md": "a\n"})
    run("git", "switch", "-q", "main", cwd=root)
    commit(root, "main: web", {"seeds/web/README.md": "a\n"})
    run("git", "merge", "-q", "--no-ff", "side", "-m", "Merge side", cwd=root)
    run("git", "switch", "-q", "-c", "notes-only", cwd=root)
    commit(root, "side: notes again", {"seeds/notes/README.md": "b\n"})
    run("git", "switch", "-q", "main", cwd=root)
    run("git", "merge", "-q", "--no-ff", "notes-only", "-m", "Merge notes", cwd=root)
    assert tried(root, start) == ["Merge side"]  # first parents only: side commits are not tried
    run("git", "mv", "seeds/notes", "core/notes", cwd=root)
    run("git", "commit", "-qm", "Graduate notes", cwd=root)
    commit(root, "notes in core", {"core/notes/README.md": "c\n"})
    assert tried(root, start) == ["Merge side"]
    assert tried(root, start, "notes")[-3:] == ["Merge notes", "Graduate notes", "notes in core"]
