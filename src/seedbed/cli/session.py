"""The workspace as a command gets it: read-only commands load it; commands that change files
load it while holding the workspace lock, from before they plan until the change is done, so
two writers never plan from the same state (a dry run changes nothing and takes no lock)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seedbed.model.workspace import Workspace, find_root, load


@contextmanager
def writing(dry_run: bool = False) -> Iterator[Workspace]:
    """The workspace around the current folder, for a command that changes it."""
    from seedbed.effects.journal import exclusive, refuse_if_interrupted

    root = find_root(Path.cwd().resolve())[0]
    if dry_run:
        refuse_if_interrupted(root)
        yield load(root)
        return
    with exclusive(root):
        yield load(root)
