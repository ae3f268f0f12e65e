"""`proto new`: render a package template (built-in or the team's own kind) into seeds/NAME,
declare its workspace dependencies and relock.

The template renders into a scratch folder first, so a dry run can list exactly what would be
created and a real run never leaves half-rendered files behind.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.effects import git, scratch, typecheck
from seedbed.effects.transaction import changing
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.names import normalize, suggest, validate_name
from seedbed.model.workspace import MANIFEST, STAGE_DIRS, Workspace, read_toml
from seedbed.templating import answers, kinds, trust
from seedbed.templating.source import Source

SCRATCH_PREFIX = ".proto-new-"  # `proto doctor` removes what a killed run leaves


@dataclass(frozen=True)
class NewPlan:
    """What `proto new` will render, from where, and where to."""

    workspace: Workspace
    short: str
    kind: kinds.Kind
    source: Source
    description: str
    depends_on: tuple[str, ...]  # distributions
    author_name: str
    author_email: str
    trust: bool = False

    @property
    def path(self) -> Path:
        """The package folder, relative to the workspace root."""
        return Path(STAGE_DIRS["seed"]) / self.short

    @property
    def listed_for_mypy(self) -> bool:
        """Whether the root manifest's mypy settings list the packages (proto keeps them)."""
        mypy = self.workspace.config.get("tool", {}).get("mypy", {})
        return isinstance(mypy, dict) and isinstance(mypy.get("mypy_path"), list)

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
        return answers.package_data(
            self.workspace.scope,
            self.short,
            kind=self.kind.name,
            stage="seed",
            python=self.workspace.python,
            author=(self.author_name, self.author_email),
            description=self.description,
        )


@dataclass
class NewResult:
    """What `proto new` did (or, for a dry run, would do)."""

    plan: NewPlan
    files: list[Path] = field(default_factory=list)
    listed: bool = False  # added to the root manifest's mypy settings


def plan_new(
    workspace: Workspace,
    name: str,
    kind: str,
    depends_on: list[str],
    description: str | None,
    *,
    trust: bool = False,
) -> NewPlan:
    """Validate the name, kind and dependencies, and make the template reachable; refuse
    before anything is written."""
    try:
        short = validate_name(workspace.scope.short_name(name))
    except InvalidInputError as invalid:
        close = suggest(workspace.scope.short_name(name))
        holder = workspace.taken_names().get(normalize(close)) if close else None
        if holder is None:
            raise
        raise InvalidInputError(invalid.message, f"'{close}' is {holder.as_posix()} already: "
                                "pick another name") from invalid  # fmt: skip
    description = answers.check_description(description or "")
    available = kinds.load(workspace)
    if kind not in available:
        raise InvalidInputError(
            f"unknown kind '{kind}'",
            f"choose one of: {', '.join(available)} (`proto kinds` says what each makes)",
        )
    taken = workspace.taken_names()
    used_by = taken.get(normalize(short)) or taken.get(
        normalize(workspace.scope.distribution(short))
    )
    if used_by is not None:
        same = used_by.name == short
        problem = "is already used by" if same else "differs only by normalisation from"
        raise InvalidInputError(
            f"package name '{short}' {problem} {used_by.as_posix()}", "pick another name"
        )
    if git.is_repository(workspace.root) and git.is_ignored(
        workspace.root, f"{STAGE_DIRS['seed']}/{short}/{MANIFEST}"
    ):
        raise InvalidInputError(
            f"git ignores seeds/{short} (.gitignore), so the package would never be committed",
            "pick another name, or change .gitignore",
        )
    providers = [package.distribution for package in workspace.resolve(depends_on)]
    author_name, author_email = git.identity(workspace.root)
    return NewPlan(
        workspace=workspace,
        short=short,
        kind=available[kind],
        source=kinds.resolve(workspace, available[kind]),
        description=description,
        depends_on=tuple(providers),
        author_name=author_name,
        author_email=author_email,
        trust=trust,
    )


def _render(plan: NewPlan, into: Path) -> list[Path]:
    """Render the package into *into* (a scratch folder) and check what came out: a team
    template must make a package that fits the workspace, and (without --trust) one whose
    build runs none of the template's own code."""
    from seedbed.templating import copier

    files = copier.render(plan.data(), into, plan.source, trust=plan.trust)
    manifest = into / MANIFEST
    name = read_toml(manifest).get("project", {}).get("name") if manifest.is_file() else None
    if name is None or normalize(str(name)) != normalize(plan.distribution):
        raise ProtoError(
            f"the template of kind '{plan.kind.name}' did not make a package named "
            f"{plan.distribution} (its pyproject.toml has {name!r})",
            "its [project] name must be '{{ scope }}-{{ name }}'; see `proto kinds --help`",
        )
    risks = [] if plan.trust or plan.kind.builtin else trust.build_risks(into)
    if risks:
        raise ProtoError(
            f"the template of kind '{plan.kind.name}' makes a package whose build would run "
            f"code from the template: {'; '.join(risks)}",
            "pass --trust if you trust where this template comes from "
            "(`proto new --help` says what it allows)",
        )
    return files


def preview(plan: NewPlan) -> NewResult:
    """The files `apply` would create (rendered and checked in a scratch folder); nothing is
    written to the workspace."""
    with tempfile.TemporaryDirectory(prefix="proto-preview-") as folder:
        return NewResult(plan, _render(plan, Path(folder) / plan.short))


def apply(plan: NewPlan) -> NewResult:
    """Render the package into seeds/NAME, add its dependencies, relock; undo all on failure."""
    from seedbed.effects import tomledit

    root = plan.workspace.root
    target = root / plan.path
    with changing(root) as transaction, scratch.folder(root, SCRATCH_PREFIX) as work:
        rendered = work / plan.short
        files = _render(plan, rendered)
        transaction.make_parents(target)
        transaction.created(target)
        rendered.rename(target)
        if plan.depends_on:
            manifest = target / MANIFEST
            document = tomledit.load(manifest)
            tomledit.add_workspace_dependencies(document, list(plan.depends_on))
            tomledit.dump(manifest, document)
        listed = typecheck.sync(transaction, root)
        transaction.relock()
    return NewResult(plan, files, listed)
