"""`proto version`: show and change package versions (PEP 440), keeping each file's formatting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from packaging.version import InvalidVersion, Version

from seedbed.effects.transaction import changing
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.workspace import Package, Workspace
from seedbed.operations import select

Bump = Literal["major", "minor", "patch", "pre"]


def parse(text: str) -> Version:
    """A PEP 440 version, or an InvalidInputError that says so."""
    try:
        return Version(text)
    except InvalidVersion as error:
        raise InvalidInputError(
            f"'{text}' is not a valid version (PEP 440)", "use a form like 1.2.3, 1.2.3rc1 or 2.0"
        ) from error


def bumped(current: str, bump: Bump) -> str:
    """The next version: never lower than *current*, never local, in the same epoch.

    major/minor/patch bump that part and reset the ones after it. A version that is not
    finished yet (a pre-release, or a development release of a final release) is finished
    instead when it is already at that level, as npm does: 1.3.0rc2 --bump minor -> 1.3.0,
    1.0.0.dev3 --bump patch -> 1.0.0. pre: 1.2.3 -> 1.2.4rc1, 1.2.4rc1 -> 1.2.4rc2 (a1 -> a2,
    b1 -> b2), 1.0.0.dev3 -> 1.0.0rc1 and 1.0.0rc1.dev2 -> 1.0.0rc1.
    """
    version = parse(current)
    epoch = f"{version.epoch}!" if version.epoch else ""
    release = [*version.release, 0, 0][: max(3, len(version.release))]
    pre, dev, post = version.pre, version.dev, version.post
    developing = dev is not None and post is None  # X.Y.Z.devN comes before X.Y.Z
    if bump == "pre":
        if pre is not None:
            kind, number = pre
            return f"{epoch}{_dotted(release)}{kind}{number if developing else number + 1}"
        if developing:
            return f"{epoch}{_dotted(release)}rc1"
        return f"{epoch}{_dotted([*release[:2], release[2] + 1])}rc1"
    level = {"major": 0, "minor": 1, "patch": 2}[bump]
    unfinished = pre is not None or developing
    if unfinished and not any(release[level + 1 :]):
        return f"{epoch}{_dotted(release)}"
    return f"{epoch}{_dotted([*release[:level], release[level] + 1, *[0] * (2 - level)])}"


def _dotted(release: list[int]) -> str:
    return ".".join(str(part) for part in release)


def settable(text: str) -> Version:
    """The version `--set` asks for: PEP 440 and public (package indexes refuse local ones)."""
    version = parse(text)
    if version.local is not None:
        raise InvalidInputError(
            f"'{text}' is a local version (+{version.local}), which package indexes refuse",
            f"set the public version: --set {version.public}",
        )
    return version


@dataclass(frozen=True)
class VersionChange:
    """One package's version before and after."""

    package: Package
    old: str
    new: str


@dataclass(frozen=True)
class VersionPlan:
    """Each selected package's version before and after."""

    workspace: Workspace
    changes: tuple[VersionChange, ...]
    warning: tuple[str, str] | None = None  # (message, hint) from --affected

    @property
    def changing(self) -> list[VersionChange]:
        """The changes that change something."""
        return [c for c in self.changes if c.new != c.old]


def plan_version(
    workspace: Workspace,
    names: list[str],
    *,
    ref: str | None = None,
    use_affected: bool = False,
    all_packages: bool = False,
    bump: Bump | None = None,
    new: str | None = None,
    force: bool = False,
) -> VersionPlan:
    """What each selected package's version becomes (showing every package when none is
    selected and nothing changes); refuse invalid versions and, without *force*, versions
    that go backwards, before writing."""
    if bump is not None and new is not None:
        raise InvalidInputError("use either --bump or --set, not both")
    if force and new is None:
        raise InvalidInputError("--force goes with --set", "a bump never goes backwards")
    wanted = settable(new) if new is not None else None
    chosen = select.chosen(
        workspace, names, ref=ref, use_affected=use_affected, all_packages=all_packages
    )
    packages = chosen.packages
    if packages is None:
        if bump is not None or new is not None:
            raise InvalidInputError(
                "name the packages whose version to change",
                "or pass --affected (changed since a ref) or --all (every package)",
            )
        packages = list(workspace.packages)
    changes = []
    for package in packages:
        if not package.version and (bump is not None or new is not None):
            raise ProtoError(
                f"{package.manifest} has no static [project].version",
                'proto version edits `version = "X.Y.Z"` in [project]; set one there first',
            )
        shown = package.version or "(dynamic)"
        if wanted is not None:
            target = str(wanted)
        else:
            target = bumped(package.version, bump) if bump is not None else shown
        changes.append(VersionChange(package, shown, target))
    if wanted is not None and not force:
        backwards = [c for c in changes if parse(c.old) > wanted]
        if backwards:
            which = ", ".join(f"{c.package.short} {c.old}" for c in backwards)
            raise ProtoError(
                f"--set {wanted} would take versions backwards: {which}",
                "package indexes and installers take the highest version; pass --force to "
                "set it anyway",
            )
    return VersionPlan(workspace, tuple(changes), chosen.warning)


def apply(plan: VersionPlan) -> None:
    """Write the new versions, then relock (the lock records workspace versions)."""
    from seedbed.effects import tomledit

    root = plan.workspace.root
    with changing(root) as transaction:
        for change in plan.changing:
            manifest = root / change.package.manifest
            document = tomledit.load(manifest)
            document["project"]["version"] = change.new
            transaction.write_text(manifest, tomledit.dumps(document))
        transaction.relock()
