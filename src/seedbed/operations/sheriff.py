"""`proto sheriff NAME...`: the rollback stance, automated. For each package, find the commit
that turned a task red, and (with --revert, core only) revert it on the current branch.

plan_sheriff resolves the packages, the task and --good, and refuses before anything runs.
sheriff() works in one scratch worktree (a temporary folder; the user's work tree, index and
branch are never touched; removed however the command ends): it confirms the task fails at
HEAD, picks the good end (--good; else the newest commit at which the task cache recorded a
pass; else the package's first commit), keeps only the first-parent commits in between that
can change the task's result (tasks/history.py), and bisects them (tasks/bisect.py), every
result keyed and cached as `proto run` does. A revert is made and the task run with it in the
scratch worktree first; only a revert that applies cleanly and makes every task pass is carried
over to the branch, in one transaction.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import git, githistory, scratch
from seedbed.effects.transaction import Transaction, changing, interruptible
from seedbed.errors import InvalidInputError, ProtoError, ToolFailedError
from seedbed.model.workspace import STAGE_DIRS, Package, Workspace
from seedbed.tasks import definitions, history
from seedbed.tasks.bisect import bisect
from seedbed.tasks.cache import Cache
from seedbed.tasks.trials import Trial, Trials

WORKTREE_PREFIX = "proto-sheriff-"  # `proto doctor --fix` removes what a killed run leaves
DEFAULT_TASK = "test"
NO_IDENTITY = ProtoError(
    "git has no identity configured, so the revert cannot be committed",
    "set user.name and user.email with `git config`, then run it again",
)
EXIT_CODE = re.compile(r"\(exit code -?\d+\)")
FROM = {"--good": "--good", "cache": "the task cache", "first": "the package's first commit"}


@dataclass(frozen=True)
class SheriffPlan:
    """The packages to clear, the task, HEAD and --good (resolved), whether to revert, and
    whether only to try the revert in the scratch worktree (dry run)."""

    workspace: Workspace
    packages: tuple[Package, ...]
    task: str
    head: str
    good: str | None
    revert: bool
    dry_run: bool = False


@dataclass(frozen=True)
class Tested:
    """A commit at which the task's result was established: how, and what it printed."""

    commit: git.Commit
    passed: bool
    cached: bool


@dataclass(frozen=True)
class Finding:
    """The commit that turned *task* red on *package*, between *good* and *bad* (HEAD)."""

    package: Package
    task: str
    good: str
    chosen_by: str  # "--good", "cache" or "first"
    bad: str
    culprit: git.Commit
    passed_at: str  # the last commit before the culprit that was tried (it passed there)
    output: str  # what the task printed at the culprit
    tested: tuple[Tested, ...]  # in history order
    commits: int  # commits after good, up to HEAD
    candidates: int  # of those, the ones that can change the result


@dataclass(frozen=True)
class Revert:
    """A revert commit made on the branch (None in a dry run: it was only tried in the
    scratch worktree): the culprit, the new commit, the findings."""

    culprit: git.Commit
    commit: str | None
    findings: tuple[Finding, ...]


@dataclass
class SheriffResult:
    """Every finding; every package that has none (or a revert that could not be made), as
    the error it is; the reverts made."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[ProtoError] = field(default_factory=list)
    reverts: list[Revert] = field(default_factory=list)


def plan_sheriff(
    workspace: Workspace,
    names: list[str],
    *,
    task: str = DEFAULT_TASK,
    good: str | None = None,
    revert: bool = False,
    dry_run: bool = False,
) -> SheriffPlan:
    """Resolve what to search and refuse what cannot be searched, before anything runs."""
    packages = tuple(workspace.resolve(names))
    definitions.resolve(definitions.catalog(workspace.proto_config), [task])
    root = workspace.root
    git.require_repository(root, "there is no history to search")
    head = git.rev_parse(root, "HEAD^{commit}")
    if head is None:
        raise ProtoError("the repository has no commits yet, so there is no history to search")
    good_sha = None
    if good is not None:
        good_sha = git.rev_parse(root, f"{good}^{{commit}}")
        hint = "pass a commit of `git log --first-parent --oneline` at which the task passed"
        if good_sha is None:
            raise InvalidInputError(f"--good '{good}' is not a commit, branch or tag here", hint)
        if good_sha not in githistory.first_parent_line(root, head):
            raise InvalidInputError(f"--good '{good}' is not on the first-parent history of HEAD",
                                    hint)  # fmt: skip
    if revert:
        branch = git.run_git(["symbolic-ref", "--quiet", "HEAD"], root, ok=(0, 1)).strip()
        if not branch:
            raise ProtoError(
                "HEAD is detached, so there is no branch to commit a revert on",
                "check out the branch first (`git switch main`)",
            )
        git.require_clean(root, ["."], "the work tree", "commit or stash them first: --revert "
                          "commits the revert alone", untracked=False)  # fmt: skip
    return SheriffPlan(workspace, packages, task, head, good_sha, revert, dry_run)


def sheriff(
    plan: SheriffPlan, notify: Callable[[str, str, str], None] | None = None
) -> SheriffResult:
    """Search for every package's culprit, then revert them (with --revert, when every search
    found one and every package is core); *notify(package, task, commit)* before each run."""
    root = plan.workspace.root
    cache = Cache.for_workspace(root)
    reader = history.Reader(root, plan.workspace)
    result = SheriffResult()
    with interruptible(), scratch.worktree(root, plan.head, WORKTREE_PREFIX) as tree:
        trials = Trials(tree, cache, notify or (lambda package, task, commit: None))
        for package in plan.packages:
            try:
                result.findings.append(_hunt(plan, package, trials, reader, cache))
            except ProtoError as problem:
                result.problems.append(problem)
        if plan.revert:
            result.problems += [
                _fix_forward(f) for f in result.findings if f.package.stage == "seed"
            ]
            if not result.problems:
                try:
                    result.reverts = _revert(plan, result.findings, trials)
                except ProtoError as problem:
                    result.problems.append(problem)
    cache.trim()
    return result


def _hunt(
    plan: SheriffPlan, package: Package, trials: Trials, reader: history.Reader, cache: Cache
) -> Finding:
    """The commit that turned the task red on *package*; a ProtoError says why there is none."""
    root, short, task, head = plan.workspace.root, package.short, plan.task, plan.head
    name = f"{short} {task}"
    at_head = trials.at(short, task, head)
    if at_head.passed:
        how = ", from the task cache" if at_head.cached else ""
        raise ProtoError(
            f"{name} passes at HEAD ({head[:12]}{how}): there is no culprit to find",
            f"`proto run {task} -p {short}` shows how it does in your work tree",
        )
    if plan.good:
        good, chosen_by = plan.good, "--good"
    else:
        good, chosen_by = _default_good(root, package, task, cache, head)
    changes = githistory.first_parent_changes(root, good, head) if good != head else []
    candidates = history.candidates(changes, good, short, reader)
    points = [good, *candidates]
    if points[-1] != head:
        points.append(head)
    verdict = bisect(
        len(points) - 1,
        lambda point, again: trials.at(short, task, points[point], again=again).passed,
    )
    mine = [trial for who, what, trial in trials.log if (who, what) == (short, task)]
    order = {sha: index for index, sha in enumerate([good, *(sha for sha, _ in changes)])}
    shas = sorted({trial.commit for trial in mine}, key=lambda sha: order.get(sha, len(order)))
    described = git.commits(root, shas)
    if verdict.kind == "red-at-good":
        raise _red_at_good(name, described[good], chosen_by, _last(mine, good))
    if verdict.kind == "flaky":
        sha = points[verdict.point]
        raise ProtoError(
            f'{name} is flaky: at {sha[:12]} ("{described[sha].subject}") it both passed and '
            "failed, so no commit is to blame",
            f"make it deterministic, then run the sheriff again (`proto run {task} -p {short}` "
            "twice shows it)",
        )
    culprit = points[verdict.point]
    first = {sha: next(t for t in mine if t.commit == sha) for sha in shas}
    return Finding(
        package, task, good, chosen_by, head, described[culprit], points[verdict.point - 1],
        _last(mine, culprit).output,
        tuple(Tested(described[sha], first[sha].passed, first[sha].cached) for sha in shas),
        len(changes), len(candidates),
    )  # fmt: skip


def _last(trials: list[Trial], commit: str) -> Trial:
    return [trial for trial in trials if trial.commit == commit][-1]


def _default_good(
    root: Path, package: Package, task: str, cache: Cache, head: str
) -> tuple[str, str]:
    """The newest first-parent commit at which the cache recorded a pass of *task* on
    *package*; else the package's first commit."""
    recorded = {
        commit for record in cache.passing(package.short, task) for commit in record.commits
    }
    for sha in githistory.first_parent_line(root, head)[1:]:
        if sha in recorded:
            return sha, "cache"
    folders = [f"{stage}/{package.short}" for stage in STAGE_DIRS.values()]
    touched = githistory.first_parent_line(root, head, folders)
    if not touched:
        raise ProtoError(f"{package.path.as_posix()} has never been committed, so no commit can "
                         "have turned it red", "commit it first")  # fmt: skip
    return touched[-1], "first"


def _red_at_good(name: str, good: git.Commit, chosen_by: str, trial: Trial) -> ProtoError:
    where = f'{good.short} ("{good.subject}", from {FROM[chosen_by]})'
    lines = [line.strip(" =") for line in trial.output.splitlines()]
    gist = [line for line in lines if line and not EXIT_CODE.fullmatch(line)][-1:] or ["failed"]
    return ProtoError(
        f"{name} already fails at the good end {where}: {gist[0]}",
        "no commit is to blame for a task that failed from the start; if it passed at a later "
        "commit, pass that as --good"
        if chosen_by == "first"
        else "pass an older --good, one at which it passed",
    )


def _fix_forward(finding: Finding) -> ProtoError:
    culprit = finding.culprit
    return ProtoError(
        f"{finding.package.short} is a seed, and seeds fix forward, so nothing was reverted: "
        f'{culprit.short} ("{culprit.subject}") by {culprit.author} turned its {finding.task} '
        "red",
        f"pitch in and fix it forward with the next commit (with {culprit.author}"
        + (f" <{culprit.email}>" if culprit.email else "")
        + "); the sheriff rolls back core packages only",
    )


def _revert(plan: SheriffPlan, findings: list[Finding], trials: Trials) -> list[Revert]:
    """Revert each culprit (newest first) in the scratch worktree, check that every task
    passes there, then carry the revert commits over to the branch in one transaction."""
    root, head = plan.workspace.root, plan.head
    line = githistory.first_parent_line(root, head)
    culprits = sorted({f.culprit.sha for f in findings}, key=line.index)
    trials.checkout(head)
    made: list[tuple[str, tuple[Finding, ...]]] = []  # (revert commit, what it clears)
    for sha in culprits:
        blamed = tuple(f for f in findings if f.culprit.sha == sha)
        _refuse_seeds_only(root, blamed)
        made.append((_revert_in(trials.tree, blamed[0].culprit, _message(blamed)), blamed))
    for finding in findings:
        if not trials.at(finding.package.short, finding.task, made[-1][0]).passed:
            shown = ", ".join(blamed[0].culprit.short for _, blamed in made)
            raise ProtoError(
                f"reverting {shown} does not make {finding.package.short} {finding.task} pass "
                "again, so nothing was reverted",
                "more than one commit may have turned it red: fix it forward, or revert by hand "
                f"and run `proto sheriff {finding.package.short} --task {finding.task}` again",
            )
    if plan.dry_run:
        return [Revert(blamed[0].culprit, None, blamed) for _, blamed in made]
    if git.rev_parse(root, "HEAD") != head:
        raise ProtoError("HEAD moved while the sheriff was searching, so nothing was reverted",
                         "run it again")  # fmt: skip
    reverts = []
    with changing(root, index=True) as transaction:
        for revert, blamed in made:
            _carry(transaction, revert, git.run_git(["log", "-1", "--format=%B", revert], root))
            reverts.append(Revert(blamed[0].culprit, git.rev_parse(root, "HEAD") or "", blamed))
    return reverts


def _refuse_seeds_only(root: Path, blamed: tuple[Finding, ...]) -> None:
    """Never revert a commit that only touched seeds other than the red packages."""
    culprit = blamed[0].culprit
    parent = githistory.parents(root, culprit.sha)[0]  # a culprit comes after the good end
    paths = git.run_git(["diff", "--name-only", "-z", parent, culprit.sha, "--"], root).split("\0")
    prefix = git.show_prefix(root)
    own = {f"{prefix}{f.package.path.as_posix()}/" for f in blamed}
    seeds = f"{prefix}{STAGE_DIRS['seed']}/"
    changed = [p for p in paths if p]
    if changed and all(p.startswith(seeds) and not p.startswith(tuple(own)) for p in changed):
        raise ProtoError(
            f'{culprit.short} ("{culprit.subject}") changed only other seeds, which fix '
            "forward, so the sheriff does not revert it",
            "a core package never depends on a seed: `proto check` says what crosses the line",
        )
    if any(not p.startswith(prefix) for p in changed):
        raise ProtoError(
            f'{culprit.short} ("{culprit.subject}") also changed files outside the workspace, '
            "so the sheriff does not revert it",
            f"revert it by hand: `git revert {culprit.short}`",
        )


def _message(blamed: tuple[Finding, ...]) -> str:
    culprit = blamed[0].culprit
    lines = "\n".join(
        f"- {f.package.short} {f.task}: passes at {f.passed_at[:12]}, fails from {culprit.short} on"
        for f in blamed
    )
    return (
        f'Revert "{culprit.subject}"\n\nThis reverts commit {culprit.sha}.\n\n'
        "It turned core packages red, and they pass again with the revert (found by proto "
        f"sheriff):\n{lines}\n"
    )


def _revert_in(tree: Path, culprit: git.Commit, message: str) -> str:
    """Revert *culprit* in the scratch worktree and commit it there; its id."""
    mainline = ["-m", "1"] if len(githistory.parents(tree, culprit.sha)) > 1 else []
    try:
        git.run_git([*git.NO_HOOKS, "revert", "--no-commit", *mainline, culprit.sha], tree)
    except ToolFailedError:
        conflicts = git.run_git(["diff", "--name-only", "--diff-filter=U"], tree).split()
        git.run_git(["revert", "--abort"], tree, ok=(0, 128))
        raise ProtoError(
            f'the revert of {culprit.short} ("{culprit.subject}") does not apply cleanly on '
            "HEAD"
            + (f" (conflicts in {', '.join(conflicts)})" if conflicts else "")
            + ", so nothing was reverted",
            f"revert it by hand (`git revert {culprit.short}`) and resolve the conflicts, or fix "
            "it forward",
        ) from None
    if not all(git.identity(tree)):
        raise NO_IDENTITY
    git.run_git([*git.NO_HOOKS, "commit", "--quiet", "--allow-empty", "-m", message], tree)
    return git.rev_parse(tree, "HEAD") or ""


def _carry(transaction: Transaction, revert: str, message: str) -> None:
    """Make the branch's next commit the same as the scratch worktree's *revert*: write each
    file it changes, stage them, commit, and check the trees are the same."""
    root = transaction.root
    listed = git.run_git(["diff", "--name-status", "--no-renames", "--relative", "-z",
                          f"{revert}^", revert, "--"], root).split("\0")  # fmt: skip
    changes = list(zip(listed[0::2], listed[1::2], strict=False))
    paths = [path for _, path in changes if path]
    modes = githistory.modes(root, revert, paths)
    for status, path in changes:
        target = root / path
        if status == "D":
            transaction.remove(target)
            continue
        if modes.get(path) == "120000":
            raise ProtoError(f"the revert changes the symbolic link {path}",
                             "revert it by hand with `git revert`")  # fmt: skip
        if status == "A" and (target.exists() or target.is_symlink()):
            raise ProtoError(f"the revert would overwrite {path}, which git does not track",
                             "move it away, then run it again")  # fmt: skip
        transaction.write_bytes(target, githistory.checkout_form(root, revert, path))
        mode = stat.S_IMODE(target.stat().st_mode)
        target.chmod(mode | (mode & 0o444) >> 2 if modes.get(path) == "100755" else mode & ~0o111)
    git.stage(root, paths)
    if not transaction.commit(message, paths):
        raise NO_IDENTITY
    if git.rev_parse(root, "HEAD^{tree}") != git.rev_parse(root, f"{revert}^{{tree}}"):
        raise ProtoError("the revert commit came out different from the one the sheriff checked "
                         "(a commit hook changed it?), so nothing was reverted")  # fmt: skip
