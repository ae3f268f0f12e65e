"""Git effects. Read-only queries run the git binary directly (fast, nothing heavy imported);
changes go through GitPython, imported only by the commands that change a repository."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.errors import ProtoError, ToolFailedError

if TYPE_CHECKING:
    from git import Repo

NOT_INSTALLED = ProtoError(
    "git is not installed or cannot be run", "install git (https://git-scm.com) and try again"
)


def run_git(args: list[str], cwd: Path, *, ok: tuple[int, ...] = (0,)) -> str:
    """Run `git ARGS` in *cwd*; return stdout; raise ToolFailedError on other exit codes."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise NOT_INSTALLED from error
    if result.returncode not in ok:
        raise ToolFailedError(["git", *args], result.stderr or result.stdout)
    return result.stdout


def config_value(key: str, cwd: Path | None = None) -> str:
    """A git config value as git would see it from *cwd*, or '' when unset."""
    return run_git(["config", "--get", key], cwd or Path.cwd(), ok=(0, 1)).strip()


def is_repository(root: Path) -> bool:
    """True when *root* is inside a git work tree."""
    out = run_git(["rev-parse", "--is-inside-work-tree"], root, ok=(0, 128)).strip()
    return out == "true"


def is_ignored(root: Path, path: str) -> bool:
    """Whether git ignores *path* (a file or folder that may not exist yet)."""
    try:
        result = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", path],
            cwd=root, capture_output=True, check=False,
        )  # fmt: skip
    except OSError as error:
        raise NOT_INSTALLED from error
    return result.returncode == 0


def tracked(root: Path, pathspec: str) -> list[str]:
    """Tracked files under *pathspec*, relative to *root*."""
    out = run_git(["ls-files", "-z", "--", pathspec], root)
    return [path for path in out.split("\0") if path]


def untracked(root: Path, pathspec: str) -> list[str]:
    """Untracked files under *pathspec* that are not ignored."""
    out = run_git(["ls-files", "-z", "--others", "--exclude-standard", "--", pathspec], root)
    return [path for path in out.split("\0") if path]


def changed_tracked(root: Path, pathspec: str) -> list[str]:
    """Tracked files under *pathspec* with staged or unstaged changes."""
    out = run_git(["status", "--porcelain=v1", "-z", "--untracked-files=no", "--", pathspec], root)
    entries = [entry for entry in out.split("\0") if entry]
    return [entry[3:] for entry in entries if len(entry) > 3 and entry[:2] != "??"]


def files_mentioning(root: Path, needles: list[str]) -> list[str]:
    """Tracked files whose work-tree text contains any of *needles* (fixed strings)."""
    if not needles:
        return []
    args = ["grep", "-l", "-z", "-I", "-F"]
    for needle in needles:
        args += ["-e", needle]
    out = run_git(args, root, ok=(0, 1))
    return [path for path in out.split("\0") if path]


def _repo(path: Path) -> Repo:
    try:
        from git import Repo
    except ImportError as error:  # GitPython refuses to import when the git binary is missing
        raise NOT_INSTALLED from error
    return Repo(str(path), search_parent_directories=True)


def _stderr(error: Exception) -> str:
    """The git's own stderr from a GitCommandError (GitPython wraps it as `stderr: '...'`)."""
    text = str(getattr(error, "stderr", "")).strip()
    if text.startswith("stderr: '") and text.endswith("'"):
        text = text[len("stderr: '") : -1]
    return text


def _gitpython_call(repo: Repo, args: list[str], shown: list[str] | None = None) -> None:
    from git import GitCommandError

    try:
        repo.git.execute(["git", *args])
    except GitCommandError as error:
        raise ToolFailedError(["git", *(shown or args)], _stderr(error)) from error


def init(path: Path) -> None:
    """`git init` *path*, on branch `main` unless the user's git config names another default."""
    args = [] if config_value("init.defaultBranch", path) else ["--initial-branch=main"]
    run_git(["init", "--quiet", *args], path)


def stage_all(root: Path) -> None:
    """`git add -A` in the work tree."""
    _gitpython_call(_repo(root), ["add", "-A"])


def move(root: Path, source: str, target: str) -> None:
    """`git mv SOURCE TARGET`: tracked files are staged as renames, untracked ones move along."""
    # GitPython runs git at the repository's top, which may be above the workspace root
    absolute = [str(root / source), str(root / target)]
    _gitpython_call(_repo(root), ["mv", *absolute], shown=["mv", source, target])


def commit(root: Path, message: str, paths: list[str] | None = None) -> bool:
    """Commit what is staged (or only *paths*); False when git has no identity configured."""
    args = ["commit", "--quiet", "-m", message]
    if paths is not None:
        args += ["--", *(str(root / path) for path in paths)]
    try:
        _gitpython_call(_repo(root), args, shown=["commit"])
    except ToolFailedError as error:
        if "tell me who you are" in error.output or "empty ident" in error.output:
            return False
        error.hint = error.hint or "git refused the commit (a hook?); fix that and run it again"
        raise
    return True
