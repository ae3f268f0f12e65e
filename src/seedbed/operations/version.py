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
    """The next version.

    major/minor/patch bump that part and reset the ones after it; on a pre-release that is
    already at that level they finalize it instead (1.3.0rc2 --bump minor -> 1.3.0), as npm
    does. pre: 1.2.3 -> 1.2.4rc1, and 1.2.4rc1 -> 1.2.4rc2 (a1 -> a2, b1 -> b2).
    """
    version = parse(current)
    major, minor, patch = [*version.release, 0, 0, 0][:3]
    if bump == "pre":
        if version.pre is not None:
            kind, number = version.pre
            return f"{major}.{minor}.{patch}{kind}{number + 1}"
        return f"{major}.{minor}.{patch + 1}rc1"
    finalizing = version.is_prerelease and version.pre is not None
    if bump == "major":
        if finalizing and minor == 0 and patch == 0:
            return f"{major}.0.0"
        return f"{major + 1}.0.0"
    if bump == "minor":
        if finalizing and patch == 0:
            return f"{major}.{minor}.0"
        return f"{major}.{minor + 1}.0"
    if finalizing:
        return f"{major}.{minor}.{patch}"
    return f"{major}.{minor}.{patch + 1}"


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
) -> VersionPlan:
    """What each selected package's version becomes (showing every package when none is
    selected and nothing changes); refuse invalid versions before writing."""
    if bump is not None and new is not None:
        raise InvalidInputError("use either --bump or --set, not both")
    packages = select.chosen(
        workspace, names, ref=ref, use_affected=use_affected, all_packages=all_packages
    )
    if packages is None:
        if bump is not None or new is not None:
            raise InvalidInputError(
                "name the packages whose version to change",
                "or pass --affected (changed since a ref) or --all (every package)",
            )
        packages = list(workspace.packages)
    if new is not None:
        new = str(parse(new))
    changes = []
    for package in packages:
        if not package.version and (bump is not None or new is not None):
            raise ProtoError(
                f"{package.manifest} has no static [project].version",
                'proto version edits `version = "X.Y.Z"` in [project]; set one there first',
            )
        target = new if new is not None else bumped(package.version, bump) if bump else None
        shown = package.version or "(dynamic)"
        changes.append(VersionChange(package, shown, target or shown))
    return VersionPlan(workspace, tuple(changes))


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
