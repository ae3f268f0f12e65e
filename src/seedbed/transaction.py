"""All-or-nothing changes to a workspace: on any failure, files, folders and the git index are
put back exactly as they were."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import TracebackType


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

    def keep_index(self) -> None:
        """Remember the git index (the file itself), if the workspace is a git repository."""
        if self._index is not None:
            return
        result = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-path", "index"],
            cwd=self.root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode == 0:
            index = Path(result.stdout.strip())
            self._index = (index, index.read_bytes() if index.is_file() else None)

    def created(self, folder: Path) -> None:
        """Remember a folder this transaction creates (removed again on rollback)."""
        self._created.append(self._inside(folder))

    def moved(self, source: Path, target: Path) -> None:
        """Remember that *source* was moved to *target*."""
        self._moves.append((self._inside(source), self._inside(target)))

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
        for folder in reversed(self._created):
            if folder.exists() and folder != self.root:
                shutil.rmtree(folder)
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
