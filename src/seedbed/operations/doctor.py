"""`proto doctor`: find what an interrupted command (or a hand edit) left behind, and with
`--fix` repair what can be repaired without a decision of yours.

Found and fixed: an interrupted command (undone from its journal: files, moves, the index,
the branch head, uv.lock), a stale uv.lock (relocked with the command that works after moves),
leftover scratch folders and the worktrees of `update` and `sheriff`. Found and reported:
unresolved conflict markers left by `proto update`, dependencies on workspace packages that
no longer exist, and root mypy lists that do not list the packages on disk.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import git, journal, scratch, transaction, typecheck, uv
from seedbed.errors import ProtoError
from seedbed.model import graph, lockfile
from seedbed.model.names import normalize
from seedbed.model.workspace import LOCK, MANIFEST, Workspace, load, read_text

CONFLICT_MARKER = "<<<<<<< before updating"
SCRATCH_PREFIX = ".proto-"  # what `new` and other commands render into, in the workspace
# the throw-away worktrees of commands (in the system's temporary folder), by their prefix
WORKTREE_PREFIXES = {"proto-update-": "proto update", "proto-sheriff-": "proto sheriff"}


@dataclass
class Finding:
    """One thing that is not as it should be: what, where, and how it is (or can be) fixed."""

    kind: str  # interrupted | running | stale-lock | leftover | conflict | missing-package
    # | mypy-lists | broken
    message: str
    path: str | None = None
    fix: str | None = None  # what --fix does, or the command that fixes it
    fixable: bool = False
    fixed: bool = False
    upgrade: tuple[str, ...] = ()  # for a stale lock: the members to relock with --upgrade-package

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "kind": self.kind,
            "message": self.message,
            "path": self.path,
            "fix": self.fix,
            "fixed": self.fixed,
        }


@dataclass
class Diagnosis:
    """Everything doctor found in the workspace at *root*."""

    root: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when nothing is left to fix ("running" is not a problem)."""
        return all(f.fixed or f.kind == "running" for f in self.findings)

    @property
    def fix_would_heal(self) -> bool:
        """True when `--fix` would leave nothing to fix: every finding is fixable."""
        return all(f.fixed or f.fixable or f.kind == "running" for f in self.findings)


def diagnose(root: Path) -> Diagnosis:
    """Look, change nothing."""
    found = Diagnosis(root)
    holder = journal.running(root)
    if holder is not None:
        found.findings.append(
            Finding("running", f"{holder.describe()} is changing the workspace right now")
        )
    interrupted = journal.Journal.find(journal.state_dir(root))
    if interrupted is not None and holder is None and not interrupted.done:
        touched = interrupted.touched()
        shown = ", ".join(touched[:8]) + (" …" if len(touched) > 8 else "")
        found.findings.append(
            Finding(
                "interrupted",
                f"{interrupted.holder.describe()} was interrupted "
                f"{journal.age(interrupted.holder.started)}; it had changed: {shown or 'nothing'}",
                fix="put everything back as it was before that command",
                fixable=True,
            )
        )
        return found  # the rest is judged once the interrupted command is undone
    found.findings += _leftovers(root)
    try:
        workspace = load(root)
    except ProtoError as error:
        found.findings.append(Finding("broken", error.message, fix=error.hint))
        return found
    found.findings += _conflicts(workspace)
    found.findings += _missing_packages(workspace)
    found.findings += _mypy_lists(workspace)
    found.findings += _stale_lock(workspace)
    return found


def _leftovers(root: Path) -> list[Finding]:
    found = [
        Finding(
            "leftover",
            f"{path.name} is the scratch folder of a command that was killed",
            path.name,
            fix="remove it",
            fixable=True,
        )
        for path in scratch.leftovers(root, SCRATCH_PREFIX)
    ]
    if git.is_repository(root):
        for path in scratch.worktree_leftovers(root, tuple(WORKTREE_PREFIXES)):
            name = path.parent.name
            command = next(c for p, c in WORKTREE_PREFIXES.items() if name.startswith(p))
            found.append(
                Finding(
                    "leftover",
                    f"{path} is the worktree of a `{command}` that was killed",
                    str(path),
                    fix="remove it",
                    fixable=True,
                )
            )
    return found


def _conflicts(workspace: Workspace) -> list[Finding]:
    root = workspace.root
    if not git.is_repository(root):
        return []
    return [
        Finding(
            "conflict",
            f"{path} still has conflict markers from `proto update`",
            path,
            fix="keep what you want between the markers, delete them, then `git add` the file",
        )
        for path in git.files_mentioning(root, [CONFLICT_MARKER])
        if CONFLICT_MARKER in (read_text(root / path) or "")
    ]


def _missing_packages(workspace: Workspace) -> list[Finding]:
    prefix = normalize(workspace.scope.name) + "-"
    found = [
        (package, name)
        for package in workspace.packages
        for name, _ in graph.missing(workspace, package)
    ]
    declarers = Counter(name for _, name in found)
    return [
        Finding(
            "missing-package",
            f"'{package.short}' depends on '{name}', which is not in the workspace",
            package.manifest,
            fix=f"proto depend {package.short} {name.removeprefix(prefix)} --remove"
            if declarers[name] == 1
            else "proto check --fix",  # uv locks only once every one is gone
        )
        for package, name in found
    ]


def _mypy_lists(workspace: Workspace) -> list[Finding]:
    """The root's mypy lists name a package that is gone, or miss one (`proto check` calls
    this mypy-lists too, and its --fix mends it)."""
    found = []
    for listed in typecheck.managed(workspace.config, workspace):
        if not listed.stale:
            continue
        parts = [f"has {', '.join(listed.removed)}"] if listed.removed else []
        parts += [f"lacks {', '.join(listed.added)}"] if listed.added else []
        found.append(
            Finding(
                "mypy-lists",
                f"{listed.label} {' and '.join(parts) or 'is out of order'} "
                "(not the packages on disk)",
                MANIFEST,
                fix="proto check --fix",
            )
        )
    return found


def _stale_lock(workspace: Workspace) -> list[Finding]:
    root = workspace.root
    if not (root / LOCK).is_file():
        return [Finding("stale-lock", "uv.lock is missing", LOCK, fix="uv lock", fixable=True)]
    problem = uv.lock_check_problem(uv.start_lock_check(root))
    if problem is None:
        return []
    moved = lockfile.moved_members(
        (root / LOCK).read_text(encoding="utf-8"),
        [(p.distribution, p.path.as_posix()) for p in workspace.packages],
    )
    return [
        Finding(
            "stale-lock",
            f"uv.lock does not match the manifests ({problem})",
            LOCK,
            fix="uv " + " ".join(uv.lock_args(moved)),
            fixable=True,
            upgrade=moved,
        )
    ]


def repair(diagnosis: Diagnosis) -> Diagnosis:
    """Fix what can be fixed (holding the workspace lock), then look again."""
    root = diagnosis.root
    with journal.exclusive(root, repairing=True):
        recovered = transaction.recover(root)
        if recovered is not None and recovered[1]:
            raise transaction.RollbackIncompleteError(
                "some changes of the interrupted command could not be undone: "
                + "; ".join(recovered[1]),
                "fix what is named (permissions, disk space), then run `proto doctor --fix` again",
            )
        after = diagnose(root)
        for finding in after.findings:
            if finding.kind == "leftover" and finding.path is not None:
                if Path(finding.path).is_absolute():  # a worktree, in its scratch folder
                    git.run_git(["worktree", "remove", "--force", finding.path], root, ok=(0, 128))
                    shutil.rmtree(Path(finding.path).parent, ignore_errors=True)
                else:
                    shutil.rmtree(root / finding.path, ignore_errors=True)
                finding.fixed = True
        if git.is_repository(root):
            git.run_git(["worktree", "prune"], root)
        for finding in after.findings:
            if finding.kind == "stale-lock":
                with transaction.changing(root) as change:
                    change.relock(finding.upgrade)
                finding.fixed = True
    if recovered is not None:
        after.findings.insert(
            0,
            Finding(
                "interrupted",
                f"undid the interrupted {recovered[0].holder.describe()}",
                fix="put everything back as it was before that command",
                fixable=True,
                fixed=True,
            ),
        )
    return after
