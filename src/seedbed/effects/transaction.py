"""All-or-nothing changes to a workspace: on any failure, files, folders, the git index and
uv.lock are put back exactly as they were."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from seedbed.effects import git, uv
from seedbed.model.workspace import LOCK


class Transaction:
    """Record what is about to change; `rollback()` (or an exception in `with`) undoes it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, bytes | None] = {}
        self._moves: list[tuple[Path, Path]] = []
        self._created: list[Path] = []
        self._index: tuple[Path, bytes | None] | None = None

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise ValueError(f"{path} is outside the workspace {self.root}")
        return resolved

    def keep(self, path: Path) -> None:
        """Remember *path*'s bytes (or that it did not exist) before it is first changed."""
        resolved = self._inside(path)
        if resolved not in self._files:
            self._files[resolved] = resolved.read_bytes() if resolved.is_file() else None

    def write_text(self, path: Path, text: str) -> None:
        """Keep *path*, then write *text* to it as it is (line endings included)."""
        self.keep(path)
        with path.open("w", encoding="utf-8", newline="") as file:
            file.write(text)

    def keep_index(self) -> None:
        """Remember the git index (the file itself), if the workspace is a git repository."""
        if self._index is not None or not git.is_repository(self.root):
            return
        index = git.git_path(self.root, "index")
        self._index = (index, index.read_bytes() if index.is_file() else None)

    def created(self, path: Path) -> None:
        """Remember a file or folder this transaction creates (removed again on rollback)."""
        self._created.append(self._inside(path))

    def moved(self, source: Path, target: Path) -> None:
        """Remember that *source* was moved to *target*."""
        self._moves.append((self._inside(source), self._inside(target)))

    def relock(self, upgrade: tuple[str, ...] = ()) -> None:
        """Bring uv.lock in line with the edited manifests (kept first, so it rolls back)."""
        self.keep(self.root / LOCK)
        uv.lock(self.root, upgrade)

    def rollback(self) -> None:
        """Undo everything recorded: file contents first (at the paths they were kept at),
        then moves (newest first), then created folders, then the git index."""
        for path, content in self._files.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        for source, target in reversed(self._moves):
            if target.exists() and not source.exists():
                source.parent.mkdir(parents=True, exist_ok=True)
                target.replace(source)
        for path in reversed(self._created):
            if path.is_dir() and not path.is_symlink() and path != self.root:
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
        if self._index is not None:
            index, content = self._index
            if content is None:
                index.unlink(missing_ok=True)
            else:
                index.write_bytes(content)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            self.rollback()


@contextmanager
def changing(root: Path, *, index: bool = False) -> Iterator[Transaction]:
    """One change to the workspace at *root*, all or nothing: the body edits through the
    transaction it is given (and relocks with `transaction.relock()`); any exception puts
    everything back. With *index*, the git index is kept too (for `git mv`, `git commit`)."""
    with Transaction(root) as transaction:
        if index:
            transaction.keep_index()
        yield transaction
