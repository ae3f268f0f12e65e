"""Git effects (GitPython). Imported only by the commands that change a repository."""

from __future__ import annotations

from pathlib import Path

from seedbed.errors import ProtoError, ToolFailedError

try:
    import git
except ImportError as _error:  # GitPython refuses to import when the git binary is missing
    raise ProtoError(
        "git is not installed or cannot be run", "install git (https://git-scm.com) and try again"
    ) from _error


def config_value(key: str, cwd: Path | None = None) -> str:
    """A git config value as git would see it from *cwd*, or '' when unset."""
    try:
        return str(git.Git(str(cwd) if cwd else None).config("--get", key)).strip()
    except git.GitCommandError:
        return ""


def init(path: Path) -> git.Repo:
    """`git init` *path*, on branch `main` unless the user's git config names another default."""
    args = [] if config_value("init.defaultBranch") else ["--initial-branch=main"]
    try:
        git.Git(str(path)).init(*args)
    except git.GitCommandError as error:
        raise ToolFailedError(["git", "init", *args], str(error.stderr)) from error
    return git.Repo(str(path))


def stage_all(repo: git.Repo) -> None:
    """`git add -A` in the repository's work tree."""
    try:
        repo.git.add("-A")
    except git.GitCommandError as error:
        raise ToolFailedError(["git", "add", "-A"], str(error.stderr)) from error


def commit(repo: git.Repo, message: str) -> bool:
    """Commit what is staged; False (nothing committed) when git has no identity configured."""
    try:
        repo.git.commit("-m", message)
    except git.GitCommandError as error:
        stderr = str(error.stderr)
        if "tell me who you are" in stderr or "empty ident" in stderr:
            return False
        raise ToolFailedError(["git", "commit", "-m", message], stderr) from error
    return True
