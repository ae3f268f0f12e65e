"""Render the embedded templates with Copier: `proto init` (workspace) and `proto new` (package).

Each operation renders into a scratch folder first, so a dry run can list exactly what would be
created and a real run never leaves half-rendered files behind.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed import __version__, git
from seedbed.errors import InvalidInputError, ProtoError, ToolFailedError
from seedbed.names import ImportStyle, Scope, normalize, validate_name
from seedbed.render import render, render_preview
from seedbed.workspace import STAGE_DIRS, Workspace

if TYPE_CHECKING:
    from seedbed.kinds import Kind


def default_python() -> str:
    """The X.Y of the running interpreter."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def git_identity(cwd: Path | None = None) -> tuple[str, str]:
    """The user's git name and email ('' when unset)."""
    return git.config_value("user.name", cwd), git.config_value("user.email", cwd)


# ---------------------------------------------------------------------------- init


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

    def data(self) -> dict[str, Any]:
        """The Copier answers."""
        answers: dict[str, Any] = {
            "template": "workspace",
            "seeds_fix_forward": self.seeds_fix_forward,
            "seedbed_version": __version__,
            "scope": self.scope.name,
            "import_style": self.scope.import_style,
            "python_version": self.python,
            "author_name": self.author_name,
            "author_email": self.author_email,
        }
        if self.description:
            answers["description"] = self.description
        return answers


@dataclass
class InitResult:
    """What `proto init` did."""

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
) -> InitPlan:
    """Check the destination and the options; refuse before anything is written."""
    from seedbed.names import scope_from_folder
    from seedbed.workspace import find_root

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
        outer = find_root(dest.parent.resolve())
    except ProtoError:
        outer = None
    if outer is not None:
        raise ProtoError(
            f"{dest} is inside the seedbed workspace {outer}",
            "a workspace cannot hold another one; use `proto new NAME` to add a package",
        )
    scope_name = (
        validate_name(scope, "scope") if scope is not None else scope_from_folder(dest.name)
    )
    python = python or default_python()
    if not _is_python_version(python):
        raise InvalidInputError(f"invalid Python version '{python}'", "use the form X.Y, e.g. 3.12")
    if author_name is None or author_email is None:
        git_name, git_email = git_identity()
        author_name = git_name if author_name is None else author_name
        author_email = git_email if author_email is None else author_email
    return InitPlan(
        dest=dest,
        scope=Scope(scope_name, import_style),
        python=python,
        description=description or "",
        author_name=author_name,
        author_email=author_email,
        seeds_fix_forward=seeds_fix_forward,
    )


def _is_python_version(text: str) -> bool:
    major, dot, minor = text.partition(".")
    return major == "3" and dot == "." and minor.isdigit() and int(minor) >= 8


def init_workspace(plan: InitPlan, *, dry_run: bool = False) -> InitResult:
    """Render the workspace, `git init`, `uv lock`, and make the first commit."""
    if dry_run:
        return InitResult(plan, render_preview(plan.data()))
    from seedbed import uv

    created_dest = not plan.dest.exists()
    plan.dest.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".proto-init-", dir=plan.dest.parent))
    try:
        files = render(plan.data(), scratch / "out")
        plan.dest.mkdir(exist_ok=True)
        for child in (scratch / "out").iterdir():
            child.rename(plan.dest / child.name)
        git.init(plan.dest)
    except BaseException:
        _undo_init(plan.dest, created_dest)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = InitResult(plan, files)
    try:
        uv.lock(plan.dest)
        result.locked = True
    except ToolFailedError as error:
        result.lock_error = error
    git.stage_all(plan.dest)
    result.committed = git.commit(plan.dest, f"Start the {plan.scope.name} workspace with seedbed")
    return result


def _undo_init(dest: Path, created: bool) -> None:
    """Remove what a failed init put into *dest* (which was new or empty before)."""
    if not dest.exists():
        return
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- new


@dataclass(frozen=True)
class NewPlan:
    """What `proto new` will render, and where."""

    workspace: Workspace
    short: str
    kind: Kind
    description: str
    depends_on: tuple[str, ...]  # distributions
    author_name: str
    author_email: str
    python: str
    trust: bool = False

    @property
    def path(self) -> Path:
        """The package folder, relative to the workspace root."""
        return Path(STAGE_DIRS["seed"]) / self.short

    @property
    def distribution(self) -> str:
        """The package's distribution name."""
        return self.workspace.scope.distribution(self.short)

    @property
    def import_name(self) -> str:
        """The package's import name."""
        return self.workspace.scope.import_name(self.short)

    def data(self) -> dict[str, Any]:
        """The Copier answers."""
        return package_data(
            self.workspace.scope,
            self.short,
            kind=self.kind.name,
            stage="seed",
            python=self.python,
            author=(self.author_name, self.author_email),
            description=self.description,
        )


def package_data(
    scope: Scope,
    short: str,
    *,
    kind: str,
    stage: str,
    python: str,
    author: tuple[str, str],
    description: str,
) -> dict[str, Any]:
    """The answers seedbed gives a package template, built-in or the team's own, on `new` and
    again on `update` (a team template that does not ask for a value still gets it)."""
    answers: dict[str, Any] = {
        "template": "package",
        "scope": scope.name,
        "import_style": scope.import_style,
        "name": short,
        "kind": kind,
        "stage": stage,
        "python_version": python,
        "author_name": author[0],
        "author_email": author[1],
        # derived values, for team templates (the built-in one computes the same)
        "distribution": scope.distribution(short),
        "import_name": scope.import_name(short),
        "import_path": scope.import_name(short).replace(".", "/"),
    }
    if description:
        answers["description"] = description
    return answers


@dataclass
class NewResult:
    """What `proto new` did (or, for a dry run, would do)."""

    plan: NewPlan
    files: list[Path] = field(default_factory=list)


def plan_new(
    workspace: Workspace,
    name: str,
    kind: str,
    depends_on: list[str],
    description: str | None,
    *,
    trust: bool = False,
) -> NewPlan:
    """Validate the name, kind and dependencies; refuse before anything is written."""
    from seedbed import kinds

    short = validate_name(workspace.scope.short_name(name))
    available = kinds.load(workspace)
    if kind not in available:
        raise InvalidInputError(
            f"unknown kind '{kind}'",
            f"choose one of: {', '.join(available)} (`proto kinds` says what each makes)",
        )
    used_by = workspace.taken_names().get(normalize(short)) or workspace.taken_names().get(
        normalize(workspace.scope.distribution(short))
    )
    if used_by is not None:
        same = used_by.name == short
        problem = "is already used by" if same else "differs only by normalisation from"
        raise InvalidInputError(
            f"package name '{short}' {problem} {used_by.as_posix()}", "pick another name"
        )
    if git.is_repository(workspace.root) and git.is_ignored(
        workspace.root, f"seeds/{short}/pyproject.toml"
    ):
        raise InvalidInputError(
            f"git ignores seeds/{short} (.gitignore), so the package would never be committed",
            "pick another name, or change .gitignore",
        )
    providers: list[str] = []
    for wanted in depends_on:
        provider = workspace.get(wanted).distribution
        if provider not in providers:
            providers.append(provider)
    author_name, author_email = git_identity(workspace.root)
    return NewPlan(
        workspace=workspace,
        short=short,
        kind=available[kind],
        description=description or "",
        depends_on=tuple(providers),
        author_name=author_name,
        author_email=author_email,
        python=workspace_python(workspace.root),
        trust=trust,
    )


def _check_rendered_package(plan: NewPlan, rendered: Path) -> None:
    """A team template must make a package that fits the workspace."""
    from seedbed.workspace import read_toml

    manifest = rendered / "pyproject.toml"
    name = read_toml(manifest).get("project", {}).get("name") if manifest.is_file() else None
    if name is None or normalize(str(name)) != normalize(plan.distribution):
        raise ProtoError(
            f"the template of kind '{plan.kind.name}' did not make a package named "
            f"{plan.distribution} (its pyproject.toml has {name!r})",
            "its [project] name must be '{{ scope }}-{{ name }}'; see `proto kinds --help`",
        )


def workspace_python(root: Path) -> str:
    """The workspace's Python X.Y (its .python-version), else the running one."""
    pinned = root / ".python-version"
    if pinned.is_file():
        first = pinned.read_text(encoding="utf-8").strip().splitlines()
        if first and _is_python_version(first[0].strip()):
            return first[0].strip()
    return default_python()


def new_package(plan: NewPlan, *, dry_run: bool = False) -> NewResult:
    """Render the package into seeds/NAME, add its dependencies, relock; undo all on failure."""
    from seedbed import kinds

    source = kinds.resolve(plan.workspace, plan.kind)
    if dry_run:
        return NewResult(plan, render_preview(plan.data(), source, trust=plan.trust))
    from seedbed import tomledit, uv
    from seedbed.transaction import Transaction

    root = plan.workspace.root
    target = root / plan.path
    with (
        Transaction(root) as transaction,
        tempfile.TemporaryDirectory(prefix=".proto-", dir=root) as scratch,
    ):
        transaction.keep(root / "uv.lock")
        rendered = Path(scratch) / plan.short
        files = render(plan.data(), rendered, source, trust=plan.trust)
        _check_rendered_package(plan, rendered)
        if not target.parent.exists():
            target.parent.mkdir()
            transaction.created(target.parent)
        rendered.rename(target)
        transaction.created(target)
        if plan.depends_on:
            manifest = target / "pyproject.toml"
            document = tomledit.load(manifest)
            tomledit.add_workspace_dependencies(document, list(plan.depends_on))
            tomledit.dump(manifest, document)
        uv.lock(root)
    return NewResult(plan, files)
