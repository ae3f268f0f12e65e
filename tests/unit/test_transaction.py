"""The transaction and its journal: every recorded change undone newest first, from memory or
from disk, idempotently; an undo that cannot finish goes on and says what it left."""

from __future__ import annotations

import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedbed.effects import journal, transaction
from seedbed.effects.transaction import RollbackIncompleteError, Transaction, changing, recover
from tests.helpers import make_workspace, run


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    (folder / "seeds/a/src").mkdir(parents=True)
    (folder / "seeds/a/pyproject.toml").write_text("[project]\nname = 'a'\n")
    (folder / "seeds/a/src/x.py").write_text("x = 1\n")
    (folder / "notes.txt").write_bytes(b"line\r\n")
    return folder


def crash(
    context: AbstractContextManager[Transaction], body: Callable[[Transaction], object]
) -> None:
    """Make changes through *body* inside *context*, then fail."""
    with context as t:
        body(t)
        raise RuntimeError("boom")


def change_everything(t: Transaction, root: Path) -> None:
    t.keep(root / "seeds/a/src/x.py")  # kept before the move that carries it
    t.make_parents(root / "core/a")
    t.move(root / "seeds/a", root / "core/a", with_git=False)
    t.write_text(root / "core/a/pyproject.toml", "[project]\nname = 'b'\n")
    t.write_text(root / "notes.txt", "changed\n")
    t.write_bytes(root / "new/deep/file.bin", b"\0\1")
    t.remove(root / "core/a/src/x.py")


def test_an_exception_undoes_everything_newest_first(root: Path) -> None:
    before = tree(root)
    with pytest.raises(RuntimeError):
        crash(Transaction(root), lambda t: change_everything(t, root))
    assert tree(root) == before
    assert not (root / "core").exists()
    assert not (root / "new").exists()


def test_the_journal_on_disk_undoes_the_same(root: Path) -> None:
    before = tree(root)
    state = journal.state_dir(root)  # not a git repository: .proto/
    with journal.exclusive(root) as holder:
        record = journal.Journal.begin(state, root, holder)
        change_everything(Transaction(root, record), root)
    # as if killed here: the journal is on disk, nothing was undone
    found = journal.Journal.find(state)
    assert found is not None
    assert not found.done
    assert "seeds/a -> core/a" in found.touched()
    with pytest.raises(Exception, match="was interrupted"):
        journal.refuse_if_interrupted(root)
    recovered = recover(root)
    assert recovered is not None
    assert recovered[1] == []
    assert {k: v for k, v in tree(root).items() if not k.startswith(".proto/")} == before
    assert journal.Journal.find(state) is None
    assert recover(root) is None  # nothing left: a second fix is a no-op


def test_a_torn_last_line_is_ignored(root: Path) -> None:
    state = journal.state_dir(root)
    with journal.exclusive(root) as holder:
        record = journal.Journal.begin(state, root, holder)
        Transaction(root, record).write_text(root / "notes.txt", "changed\n")
    with (state / "journal/log.jsonl").open("a") as log:
        log.write('{"op": "keep", "pa')  # the process died while writing this line
    recovered = recover(root)
    assert recovered is not None
    assert recovered[1] == []
    assert (root / "notes.txt").read_bytes() == b"line\r\n"


def test_undo_goes_on_past_a_step_it_cannot_do(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = transaction._restore

    def stubborn(path: Path, content: bytes | None, mode: int | None) -> None:
        if path.name == "notes.txt":
            raise PermissionError(13, "Permission denied")
        real(path, content, mode)

    monkeypatch.setattr(transaction, "_restore", stubborn)
    with pytest.raises(RollbackIncompleteError) as caught:
        crash(Transaction(root), lambda t: change_everything(t, root))
    assert "notes.txt: Permission denied" in caught.value.message
    assert (root / "seeds/a/pyproject.toml").read_text() == "[project]\nname = 'a'\n"
    assert not (root / "core").exists()  # everything else was undone


def test_changing_keeps_the_journal_when_the_undo_is_incomplete(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stubborn(path: Path, content: bytes | None, mode: int | None) -> None:
        raise OSError(28, "No space left on device")

    def change(t: Transaction) -> None:
        t.write_text(root / "notes.txt", "changed\n")
        monkeypatch.setattr(transaction, "_restore", stubborn)

    with pytest.raises(RollbackIncompleteError):
        crash(changing(root), change)
    monkeypatch.undo()
    with pytest.raises(Exception, match="was interrupted"):
        journal.refuse_if_interrupted(root)
    assert recover(root) is not None
    assert (root / "notes.txt").read_bytes() == b"line\r\n"


def test_a_read_only_file_gets_its_bytes_and_mode_back(root: Path) -> None:
    notes = root / "notes.txt"
    notes.chmod(0o444)

    def change(t: Transaction) -> None:
        t.keep(notes)
        notes.chmod(0o644)
        notes.write_text("changed\n")

    with pytest.raises(RuntimeError):
        crash(Transaction(root), change)
    assert notes.read_bytes() == b"line\r\n"
    assert stat.S_IMODE(notes.stat().st_mode) == 0o444


def test_paths_outside_the_workspace_are_refused(root: Path, tmp_path: Path) -> None:
    (root / "link").symlink_to(tmp_path)
    t = Transaction(root)
    with pytest.raises(ValueError, match="outside the workspace"):
        t.keep(root / "../elsewhere.txt")
    with pytest.raises(ValueError, match="outside the workspace"):
        t.write_text(tmp_path / "x.txt", "no")


def test_git_moves_commits_and_the_index_are_undone(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "acme", {"a": []})
    head = run("git", "rev-parse", "HEAD", cwd=root)
    index = (root / ".git/index").read_bytes()

    def change(t: Transaction) -> None:
        t.make_parents(root / "core/a")
        t.move(root / "seeds/a", root / "core/a", with_git=True)
        assert t.commit("Move a", ["seeds/a", "core/a"])

    with pytest.raises(RuntimeError):
        crash(changing(root, index=True), change)
    assert run("git", "rev-parse", "HEAD", cwd=root) == head
    assert (root / ".git/index").read_bytes() == index
    assert run("git", "status", "--porcelain", cwd=root) == ""


operations = st.lists(
    st.tuples(st.sampled_from(["write", "remove", "mkdir"]), st.sampled_from(["a", "b", "d/c"])),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(steps=operations)
def test_any_sequence_of_changes_is_undone(tmp_path_factory: pytest.TempPathFactory,
                                           steps: list[tuple[str, str]]) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("prop")
    (root / "a").write_text("a\n")
    (root / "d").mkdir()
    (root / "d/c").write_text("c\n")
    before = tree(root), sorted(root.iterdir())

    def change(t: Transaction) -> None:
        for kind, name in steps:
            path = root / name
            if kind == "write" and not path.is_dir():
                t.write_text(path, f"{kind} {name}\n")
            elif kind == "remove" and path.is_file():
                t.remove(path)
            elif kind == "mkdir" and not path.exists():
                t.make_parents(path / "x")

    with pytest.raises(RuntimeError):
        crash(Transaction(root), change)
    assert (tree(root), sorted(root.iterdir())) == before
