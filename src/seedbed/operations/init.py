"""`proto init`: render the workspace template into a new or empty folder, `git init`,
`uv lock`, and make the first commit.

It renders into a scratch folder first, so a dry run can list exactly what would be created and
a failed run leaves the destination as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.effects import git, scratch, uv
from seedbed.effects.transaction import Transaction, interruptible
from seedbed.errors import InvalidInputError, ProtoError, ToolFailedError
from seedbed.model.names import ImportStyle, Scope, scope_from_folder, validate_scope
from seedbed.model.workspace import (
    OLDEST_PYTHON,
    find_root,
    is_python_version,
    is_supported_python,
    running_python,
)
from seedbed.templating import answers

SCRATCH_PREFIX = ".proto-init-"


@dataclass(frozen=True)
class InitPlan:
    """What `proto init` will render, and where."""

    dest: Path
    scope: Scope
    python: str
    description: str
    author_name: str
    author_email: str
    seeds_fix_forward: bool = True
    seedbed_requirement: str | None = None  # what CI installs; None: this seedbed from PyPI
    outer: Path | None = None  # the git repository DEST is inside, if any: no repository of its own

    @property
    def commit_message(self) -> str:
        """The first commit's message."""
        return f"Start the {self.scope.name} workspace with seedbed"

    def data(self) -> dict[str, Any]:
        """The Copier answers."""
        return answers.workspace_data(
            self.scope,
            python=self.python,
            author=(self.author_name, self.author_email),
            description=self.description,
            seeds_fix_forward=self.seeds_fix_forward,
            seedbed_requirement=self.seedbed_requirement,
        )


@dataclass
class InitResult:
    """What `proto init` did (or, for a dry run, would create)."""

    plan: InitPlan
    files: list[Path]
    locked: bool = False
    lock_error: ToolFailedError | None = None
    committed: bool = False


def plan_init(
    dest: Path,
    scope: str | None,
    python: str | None,
    description: str | None,
    import_style: ImportStyle,
    author_name: str | None,
    author_email: str | None,
    seeds_fix_forward: bool = True,
    seedbed_requirement: str | None = None,
) -> InitPlan:
    """Check the destination and the options; refuse before anything is written."""
    dest = dest.expanduser().absolute()
    if dest.exists() and not dest.is_dir():
        raise InvalidInputError(
            f"{dest} exists and is not a folder", "choose a new or empty folder"
        )
    if dest.is_dir() and any(dest.iterdir()):
        raise ProtoError(
            f"{dest} is not empty", "choose a new or empty folder; proto init never overwrites"
        )
    try:
        outer: Path | None = find_root(dest.parent.resolve())[0]
    except ProtoError:
        outer = None
    if outer is not None:
        raise ProtoError(
            f"{dest} is inside the seedbed workspace {outer}",
            "a workspace cannot hold another one; use `proto new NAME` to add a package",
        )
    existing = next(folder for folder in (dest, *dest.parents) if folder.exists())
    repository = git.toplevel(existing) if git.is_repository(existing) else None
    scope_name = (
        validate_scope(scope, import_style) if scope is not None else scope_from_folder(dest.name)
    )
    if seedbed_requirement is not None:
        seedbed_requirement = answers.check_requirement(seedbed_requirement)
    python = python or running_python()
    major, _, minor = python.partition(".")
    if not (major.isdigit() and minor.isdigit()) or int(major) > 3:
        raise InvalidInputError(
            f"invalid Python version '{python}'", "use the form 3.Y (CPython 3), e.g. 3.12"
        )
    if not is_python_version(python) or not is_supported_python(python):  # 2.7, 3.9
        raise InvalidInputError(
            f"Python {python} is older than the oldest the templates support ({OLDEST_PYTHON})",
            f"pass --python {OLDEST_PYTHON} or newer (the app kind's Starlette needs it)",
        )
    uv.uv_binary()  # refuse now if uv is missing, not after rendering
    if python != running_python() and not uv.python_available(python):
        raise InvalidInputError(
            f"Python {python} is not one uv can find or install",
            "`uv python list --all-versions` shows the versions there are",
        )
    if author_name is None or author_email is None:
        git_name, git_email = git.identity()
        author_name = git_name if author_name is None else author_name
        author_email = git_email if author_email is None else author_email
    return InitPlan(
        dest=dest,
        scope=Scope(scope_name, import_style),
        python=python,
        description=answers.check_description(description or ""),
        author_name=author_name,
        author_email=author_email,
        seeds_fix_forward=seeds_fix_forward,
        seedbed_requirement=seedbed_requirement,
        outer=repository,
    )


def preview(plan: InitPlan) -> InitResult:
    """The files `apply` would create; nothing is written."""
    from seedbed.templating import copier

    return InitResult(plan, copier.render_preview(plan.data()))


def apply(plan: InitPlan) -> InitResult:
    """Render the workspace, `git init`, `uv lock` and make the first commit, all in a scratch
    folder next to DEST, then move it into place in one rename (into an empty DEST: each
    entry, all or none): an interrupted init leaves DEST as it was (and its scratch folder is
    cleared by the next init there).

    A lock that cannot be made (no index) is reported in the result; the workspace is kept
    and committed without it. Inside an existing repository there is no `git init` and no
    commit: the files are left for the user to commit there (nothing is staged).
    """
    from seedbed.templating import copier

    dest = plan.dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    scratch.clear_stale(dest.parent, SCRATCH_PREFIX)
    with interruptible(), scratch.folder(dest.parent, SCRATCH_PREFIX) as work:
        built = work / "out"
        files = copier.render(plan.data(), built)
        if plan.outer is None:
            git.init(built)
        result = InitResult(plan, files)
        try:
            uv.lock(built)
            result.locked = True
        except ToolFailedError as error:
            result.lock_error = error
        if plan.outer is None:
            git.stage_all(built)
            result.committed = git.commit(built, plan.commit_message)
        if not dest.exists():
            built.rename(dest)
            return result
        # DEST is an empty folder (plan_init refused anything else), maybe the current one:
        # it stays, and what was built moves into it, all of it or none
        with Transaction(dest) as transaction:
            for child in sorted(built.iterdir()):
                transaction.created(dest / child.name)
                child.rename(dest / child.name)
    return result
