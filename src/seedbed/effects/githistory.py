"""Git history, read: the first-parent line and what each commit changed, who wrote a commit,
and files as a commit has them (what `proto sheriff` walks and bisects). Run through
`effects.git`'s runner, like every git command."""

from __future__ import annotations

import subprocess
from pathlib import Path

from seedbed.effects.git import NOT_INSTALLED, run_git, show_prefix
from seedbed.errors import ToolFailedError


def _lines(out: str) -> list[str]:
    return [entry for entry in out.split("\0") if entry]


def first_parent_line(root: Path, head: str, pathspecs: list[str] | None = None) -> list[str]:
    """The commits on the first-parent history of *head*, newest first (only those that
    change *pathspecs* when given, relative to *root*)."""
    args = ["rev-list", "--first-parent", head]
    if pathspecs is not None:
        args += ["--", *pathspecs]
    return run_git(args, root).split()


def first_parent_changes(root: Path, base: str, head: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each commit after *base* up to *head* on the first-parent history, oldest first, with
    the paths it changes against its first parent (a merge: what it brought in), relative to
    *root* and only those under it."""
    out = run_git(
        ["log", "--first-parent", "-m", "--no-renames", "--relative", "--name-only", "-z",
         "--format=%x01%H", f"{base}..{head}", "--"],
        root,
        shown=["log", "--first-parent", f"{base}..{head}"],
    )  # fmt: skip
    found = []
    for chunk in out.split("\x01")[1:]:
        sha, _, rest = chunk.partition("\0")
        paths = tuple(path for path in rest.lstrip("\n").split("\0") if path)
        found.append((sha.strip(), paths))
    found.reverse()
    return found


def parents(root: Path, sha: str) -> list[str]:
    """The parents of a commit, first parent first."""
    return run_git(["rev-list", "--parents", "-n", "1", sha], root).split()[1:]


def read_files(root: Path, rev: str, paths: list[str]) -> dict[str, bytes | None]:
    """The content of each of *paths* (relative to *root*) at commit *rev*, as git stores it;
    None for a path that is not a file there. One `git cat-file --batch` for them all."""
    if not paths:
        return {}
    prefix = show_prefix(root)
    request = "".join(f"{rev}:{prefix}{path}\n" for path in paths).encode()
    out = _run_bytes(["cat-file", "--batch"], root, request)
    found: dict[str, bytes | None] = {}
    position = 0
    for path in paths:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3 or header[1] != b"blob":  # "missing", or a tree
            found[path] = None
            if len(header) == 3:
                position += int(header[2]) + 1
            continue
        size = int(header[2])
        found[path] = out[position : position + size]
        position += size + 1
    return found


def checkout_form(root: Path, rev: str, path: str) -> bytes:
    """A file of commit *rev* as a checkout writes it (line endings and filters applied)."""
    return _run_bytes(["cat-file", "--filters", f"{rev}:{show_prefix(root)}{path}"], root)


def _run_bytes(args: list[str], cwd: Path, input: bytes | None = None) -> bytes:
    """`git ARGS` with bytes in and out (file contents); ToolFailedError on failure."""
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                                check=False)  # fmt: skip
    except OSError as error:
        raise NOT_INSTALLED from error
    if result.returncode != 0:
        raise ToolFailedError(["git", *args], result.stderr.decode(errors="replace"))
    return result.stdout


def subfolders(root: Path, rev: str, folder: str) -> list[str]:
    """The names of the folders directly inside *folder* (relative to *root*) at *rev*."""
    out = run_git(["ls-tree", "-z", rev, "--", f"{folder}/"], root, ok=(0, 128))
    return [
        entry.split("\t", 1)[1].rsplit("/", 1)[-1]
        for entry in _lines(out)
        if entry.split(" ", 2)[1] == "tree"
    ]


def modes(root: Path, rev: str, paths: list[str]) -> dict[str, str]:
    """The mode git records for each of *paths* at *rev* (100644, 100755, 120000...)."""
    out = run_git(["ls-tree", "-z", rev, "--", *paths], root) if paths else ""
    return {entry.split("\t", 1)[1]: entry.split(" ", 1)[0] for entry in _lines(out)}
