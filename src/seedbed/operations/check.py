"""`proto check`: the workspace's boundary and consistency rules, every violation reported.

Each rule has a stable id (documented in docs/checks.md). `uv lock --check` starts before the
workspace is read and runs in the background meanwhile; the sources are listed once by git and
every rule works from that listing (`model.imports`: unchanged files' imports come from a
stash by blob id).
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import typecheck, uv
from seedbed.model import graph as graph_model
from seedbed.model import imports
from seedbed.model.graph import Graph
from seedbed.model.names import identifier, normalize, requirement_name
from seedbed.model.workspace import LOCK, MANIFEST, STAGE_DIRS, Package, Workspace, load
from seedbed.operations import select
from seedbed.operations.hints import graduate_command

RULES = (
    "core-depends-on-seed",
    "cycle",
    "missing-package",
    "undeclared-import",
    "source-not-workspace",
    "bad-name",
    "stray-member",
    "mypy-lists",
    "lock-stale",
)


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which, where, and what to do."""

    rule: str
    package: str | None
    message: str
    path: str
    line: int = field(default=0, repr=False)  # for sorting only: 0 when it is about a file
    subject: str = field(default="", compare=False, repr=False)  # what --fix would act on

    def as_dict(self) -> dict[str, str | None]:
        """The JSON form."""
        return {
            "rule": self.rule,
            "package": self.package,
            "message": self.message,
            "path": self.path,
        }


def check_at(root: Path) -> tuple[Workspace, list[Violation]]:
    """The workspace at *root* and its violations, with `uv lock --check` started before the
    workspace is even read, so the two overlap."""
    pending_lock = uv.start_lock_check(root) if (root / LOCK).is_file() else None
    try:
        workspace = load(root)
    except BaseException:
        if pending_lock is not None:
            pending_lock.kill()
            pending_lock.wait()
        raise
    return workspace, violations(workspace, pending_lock=pending_lock)


def violations(
    workspace: Workspace, *, lock: bool = True, pending_lock: subprocess.Popen[str] | None = None
) -> list[Violation]:
    """Every violation in the workspace, sorted by rule (in RULES order), package, path and
    line number."""
    if lock and pending_lock is None:
        pending_lock = _start_lock_check(workspace)  # runs while we scan
    graph = Graph.of(workspace)
    sources = select.python_sources(workspace)
    found = [
        *core_depends_on_seed(graph),
        *cycles(graph),
        *missing_packages(workspace),
        *undeclared_imports(workspace, graph, sources),
        *sources_not_workspace(workspace, graph),
        *bad_names(workspace, set(sources)),
        *stray_members(workspace),
        *mypy_lists(workspace),
    ]
    if lock:
        found += lock_stale(workspace, pending_lock)
    return sorted(
        found, key=lambda v: (RULES.index(v.rule), v.package or "", v.path, v.line, v.message)
    )


def core_depends_on_seed(graph: Graph) -> Iterator[Violation]:
    """A core package declares a dependency on a seed."""
    for name, package in sorted(graph.packages.items()):
        if package.stage != "core":
            continue
        for provider in graph.dependencies(name):
            if graph.packages[provider].stage == "seed":
                yield Violation(
                    "core-depends-on-seed",
                    name,
                    f"core package '{name}' depends on the seed '{provider}'; graduate it "
                    f"(`{graduate_command(graph, [provider])}`) or remove the dependency",
                    package.manifest,
                )


def cycles(graph: Graph) -> Iterator[Violation]:
    """Each group of packages that depend on each other in a circle, with one cycle named."""
    for cycle in graph.cycles():
        yield Violation(
            "cycle",
            cycle[0],
            f"workspace dependencies form a cycle: {' -> '.join(cycle)}; "
            "remove one of these dependencies",
            graph.packages[cycle[0]].manifest,
        )


def sources_not_workspace(workspace: Workspace, graph: Graph) -> Iterator[Violation]:
    """A dependency on a workspace package without a `{ workspace = true }` source."""
    members = {normalize(p.distribution) for p in workspace.packages}
    for package in workspace.packages:
        sources = {normalize(key): value for key, value in package.sources.items()}
        for requirement in package.requirements + package.group_requirements:
            name = requirement_name(requirement)
            if name is None or name not in members or name == normalize(package.distribution):
                continue
            source = sources.get(name)
            if isinstance(source, dict) and source.get("workspace") is True:
                continue
            if isinstance(source, dict) and "path" in source:
                problem = "has a path source; moving a package between stages breaks paths"
            elif source is None:
                problem = "has no [tool.uv.sources] entry, so uv would look for it on the index"
            else:
                problem = "has a source that is not the workspace"
            yield Violation(
                "source-not-workspace",
                package.short,
                f"'{package.short}' depends on the workspace package '{name}' but {problem}; "
                f"use {name} = {{ workspace = true }} under [tool.uv.sources]",
                package.manifest,
            )


def bad_names(workspace: Workspace, sources: set[str]) -> Iterator[Violation]:
    """Distribution and import path must be the ones the scope and import style imply.
    (*sources*: the workspace's .py files under src/ and tests/; anything else is looked up.)
    Paths are built as strings: at thousands of packages, Path objects are measurable."""
    scope = workspace.scope
    shared_package = identifier(scope.name)
    for package in workspace.packages:
        folder = package.path.as_posix()
        expected = scope.distribution(package.short)
        if not package.named:
            yield Violation(
                "bad-name",
                package.short,
                f"{package.manifest} has no [project] name; it must be '{expected}' "
                "(scope + folder name)",
                package.manifest,
            )
        elif normalize(package.distribution) != normalize(expected):
            yield Violation(
                "bad-name",
                package.short,
                f"the distribution of {folder} is '{package.distribution}'; "
                f"it must be '{expected}' (scope + folder name)",
                package.manifest,
            )
        import_name = scope.import_name(package.short)
        init = f"{folder}/src/{import_name.replace('.', '/')}/__init__.py"
        if init not in sources and not (workspace.root / init).is_file():
            yield Violation(
                "bad-name",
                package.short,
                f"'{package.short}' must be importable as {import_name}, but {init} does not exist",
                init.removesuffix("/__init__.py"),
            )
        shared = f"{folder}/src/{shared_package}/__init__.py"
        if scope.import_style == "namespace" and shared in sources:
            yield Violation(
                "bad-name",
                package.short,
                f"{shared} makes '{shared_package}' a regular package and "
                "hides every other package's modules; delete it (PEP 420 namespace)",
                shared,
            )


def stray_members(workspace: Workspace) -> Iterator[Violation]:
    """Folders in a stage that are not packages, and packages outside the two stages."""
    root = workspace.root
    seen: dict[str, str] = {}
    members = {p.path.as_posix() for p in workspace.packages}
    for dirname in STAGE_DIRS.values():
        try:
            children = sorted(os.scandir(root / dirname), key=lambda entry: entry.name)
        except OSError:
            continue
        for child in children:
            if not child.is_dir() or child.name.startswith((".", "__")):
                continue
            rel = f"{dirname}/{child.name}"
            if rel not in members:
                yield Violation(
                    "stray-member",
                    None,
                    f"{rel} is not a package (no pyproject.toml); move it out of {dirname}/ "
                    "or give it a pyproject.toml that makes it a package",
                    rel,
                )
            elif child.name in seen:
                yield Violation(
                    "stray-member",
                    child.name,
                    f"{seen[child.name]} and {rel} are both packages named '{child.name}'; "
                    "remove one",
                    rel,
                )
            else:
                seen[child.name] = rel
    config = workspace.config.get("tool", {}).get("uv", {}).get("workspace", {})
    stage_globs = {f"{dirname}/*" for dirname in STAGE_DIRS.values()}
    for pattern in config.get("members", []):
        if pattern in stage_globs:
            continue  # matches exactly the stage folders seen above
        for match in sorted(root.glob(str(pattern))):
            rel = match.relative_to(root).as_posix()
            in_stage = match.parent.parent == root and match.parent.name in STAGE_DIRS.values()
            if match.is_dir() and (match / MANIFEST).is_file() and not in_stage:
                yield Violation(
                    "stray-member",
                    None,
                    f"{rel} is a workspace member outside seeds/ and core/; move it into a stage "
                    f"or drop '{pattern}' from [tool.uv.workspace] members",
                    rel,
                )


def mypy_lists(workspace: Workspace) -> Iterator[Violation]:
    """The root manifest's `[tool.mypy]` lists are not what proto keeps there: a package's
    `src/` that is gone (deleted by hand) or missing (brought back by hand), a core package's
    modules not in the strict override. Read with tomllib (the workspace's root config)."""
    for number, listed in enumerate(typecheck.managed(workspace.config, workspace)):
        if listed.stale:
            yield Violation(
                "mypy-lists",
                None,
                f"{listed.label} {_drift(listed)}; run `proto check --fix` to list the "
                "packages as they are (the team's own entries stay)",
                MANIFEST,
                number,
            )


def _drift(listed: typecheck.Listed) -> str:
    """How a list differs from what proto would write."""
    parts = []
    if listed.removed:
        parts.append(f"has {', '.join(listed.removed)} (no package's {listed.what} now)")
    if listed.added:
        parts.append(f"lacks {', '.join(listed.added)}")
    return " and ".join(parts) or "lists the packages out of order"


def _start_lock_check(workspace: Workspace) -> subprocess.Popen[str] | None:
    """`uv lock --check`, started in the background (None when there is no uv.lock)."""
    if not (workspace.root / LOCK).is_file():
        return None
    return uv.start_lock_check(workspace.root)


def lock_stale(
    workspace: Workspace, pending: subprocess.Popen[str] | None = None
) -> Iterator[Violation]:
    """uv.lock does not match the manifests."""
    if not (workspace.root / LOCK).is_file():
        yield Violation("lock-stale", None, "uv.lock is missing; run `uv lock`", LOCK)
        return
    problem = uv.lock_check_problem(pending or uv.start_lock_check(workspace.root))
    if problem is not None:
        yield Violation(
            "lock-stale",
            None,
            f"uv.lock does not match the manifests ({problem}); run `uv lock` and commit it",
            LOCK,
        )


# ----------------------------------------------------------------------- imports


@dataclass(frozen=True)
class Undeclared:
    """A file of *package* that imports the workspace package *target* undeclared."""

    package: Package
    target: str
    path: str  # relative to the workspace root
    line: int
    part: str  # src | tests


def undeclared(
    workspace: Workspace, graph: Graph, sources: imports.Sources | None = None
) -> list[Undeclared]:
    """Each (package, target, file) whose import of a sibling the package does not declare;
    a file under tests/ may declare it in a dependency group."""
    scope = workspace.scope
    by_import = {scope.import_name(p.short): p.short for p in workspace.packages}
    members = {normalize(p.distribution): p.short for p in workspace.packages}
    found: dict[tuple[str, str, str], Undeclared] = {}
    if sources is None:
        sources = select.python_sources(workspace)
    for package, part, rel, modules in imports.scan(workspace, sources):
        declared = set(graph.dependencies(package.short))
        if part == "tests":
            declared |= {
                members[name]
                for req in package.group_requirements
                if (name := requirement_name(req) or "") in members
            }
        for module, line in sorted(modules, key=lambda found: found[1]):  # the first import
            target = imports.owner(module, by_import)
            if target is None or target == package.short or target in declared:
                continue
            found.setdefault(
                (package.short, target, rel), Undeclared(package, target, rel, line, part)
            )
    return list(found.values())


def forbidden(
    graph: Graph, consumer: str, provider: str, part: str, added: Iterable[tuple[str, str]] = ()
) -> str | None:
    """Why declaring *consumer* -> *provider* (for its *part*: a dependency for src/, a
    dependency group for tests/) would break a rule, or None; *added* are edges about to be
    declared too."""
    if graph.packages[consumer].stage == "core" and graph.packages[provider].stage == "seed":
        return (
            "a core package never depends on a seed; graduate it "
            f"(`{graduate_command(graph, [provider])}`) or remove the import"
        )
    if part != "src":  # dependency groups are not edges: no cycle through them
        return None
    extra: dict[str, list[str]] = {}
    for source, target in added:
        extra.setdefault(source, []).append(target)
    back = _path(graph, provider, consumer, extra)
    if back is not None:
        return (
            f"declaring it would make a cycle ({' -> '.join([consumer, *back])}); "
            "move the shared code into a package both can depend on"
        )
    return None


def undeclared_imports(
    workspace: Workspace, graph: Graph, sources: imports.Sources | None = None
) -> Iterator[Violation]:
    """A package imports another workspace package without declaring the dependency."""
    scope = workspace.scope
    for found in undeclared(workspace, graph, sources):
        name, target = found.package.short, found.target
        why = forbidden(graph, name, target, found.part)
        if why is not None:
            fix = why
        elif found.part == "src":
            fix = f"run `proto depend {name} {target}`"
        else:
            fix = (
                f"declare it in a dependency group (e.g. dev) of {name}, or run "
                f"`proto depend {name} {target}`"
            )
        yield Violation(
            "undeclared-import",
            name,
            f"line {found.line} imports {scope.import_name(target)} but '{name}' does "
            f"not declare it{', and ' if why else '; '}{fix}",
            found.path,
            found.line,
            target,
        )


def missing_packages(workspace: Workspace) -> Iterator[Violation]:
    """A dependency on a workspace package that is not in the workspace (any more)."""
    found = [
        (package, name)
        for package in workspace.packages
        for name, _ in graph_model.missing(workspace, package)
    ]
    declarers = Counter(name for _, name in found)
    for package, name in found:
        if declarers[name] == 1:
            short = workspace.scope.short_name(name)
            fix = f"`proto depend {package.short} {short} --remove` (or `proto check --fix`)"
        else:  # uv locks only once every one is gone: one relock for all
            fix = f"`proto check --fix` (from all {declarers[name]} packages that declare it)"
        yield Violation(
            "missing-package",
            package.short,
            f"'{package.short}' depends on '{name}', which is not in the workspace "
            f"(retired, renamed or deleted?); remove the dependency with {fix}",
            package.manifest,
            subject=name,
        )


def _path(graph: Graph, source: str, target: str, extra: dict[str, list[str]]) -> list[str] | None:
    """A dependency path source -> ... -> target, counting the *extra* edges too."""
    if not extra:
        return graph.path(source, target)
    parents: dict[str, str] = {}
    frontier, seen = [source], {source}
    while frontier:
        current = frontier.pop(0)
        if current == target:
            route = [current]
            while route[-1] != source:
                route.append(parents[route[-1]])
            return route[::-1]
        for provider in (*graph.dependencies(current), *extra.get(current, ())):
            if provider not in seen:
                seen.add(provider)
                parents[provider] = current
                frontier.append(provider)
    return None


# ----------------------------------------------------------------------- --fix

FIX_GROUP = "dev"  # where a sibling that only tests import gets declared


@dataclass(frozen=True)
class Fix:
    """One change `proto check --fix` makes to a package's manifest."""

    package: Package
    distribution: str
    action: str  # declare | declare-group | remove
    reason: str

    def describe(self) -> str:
        """`seeds/web/pyproject.toml: declared acme-notes (... line 3 imports it)`."""
        where = {
            "declare": "declared {}",
            "declare-group": f"declared {{}} in the {FIX_GROUP} dependency group",
            "remove": "removed {}",
        }[self.action].format(self.distribution)
        return f"{self.package.manifest}: {where} ({self.reason})"


@dataclass(frozen=True)
class FixPlan:
    """What `proto check --fix` will change."""

    workspace: Workspace
    fixes: tuple[Fix, ...]
    mypy: tuple[typecheck.Listed, ...] = ()  # the root's mypy lists to bring in line

    def describe(self) -> list[str]:
        """One line per change, the manifests' first, then the root's mypy lists."""
        return [fix.describe() for fix in self.fixes] + [
            f"{MANIFEST}: {listed.label}: " + _changes(listed) for listed in self.mypy
        ]


def _changes(listed: typecheck.Listed) -> str:
    """`removed core/text-tools/src, added seeds/web/src`."""
    parts = []
    if listed.removed:
        parts.append(f"removed {', '.join(listed.removed)}")
    if listed.added:
        parts.append(f"added {', '.join(listed.added)}")
    return ", ".join(parts) or "put in order"


def plan_fix(workspace: Workspace) -> FixPlan:
    """The fixes: declare what code imports (never an edge a rule forbids) and remove
    dependencies on packages that are not in the workspace."""
    graph = Graph.of(workspace)
    found = sorted(
        undeclared(workspace, graph),
        key=lambda u: (u.package.short, u.target, u.part != "src", u.path),
    )
    fixes: list[Fix] = []
    added: list[tuple[str, str]] = []
    done: set[tuple[str, str]] = set()
    for item in found:
        key = (item.package.short, item.target)
        if key in done or forbidden(graph, *key, item.part, added) is not None:
            continue
        done.add(key)
        if item.part == "src":
            added.append(key)
        fixes.append(
            Fix(
                item.package,
                graph.packages[item.target].distribution,
                "declare" if item.part == "src" else "declare-group",
                f"{item.path} line {item.line} imports it",
            )
        )
    for package in workspace.packages:
        for name, _ in graph_model.missing(workspace, package):
            fixes.append(Fix(package, name, "remove", "not in the workspace"))
    stale = tuple(
        listed for listed in typecheck.managed(workspace.config, workspace) if listed.stale
    )
    return FixPlan(
        workspace,
        tuple(sorted(fixes, key=lambda f: (f.package.short, f.action, f.distribution))),
        stale,
    )


def remaining(violations: list[Violation], plan: FixPlan) -> list[Violation]:
    """The violations that applying *plan* would leave (its relock clears a stale lock)."""
    scope = plan.workspace.scope
    fixed = {
        ("missing-package" if f.action == "remove" else "undeclared-import", f.package.short,
         f.distribution if f.action == "remove" else scope.short_name(f.distribution))
        for f in plan.fixes
    }  # fmt: skip
    relocks = bool(plan.fixes or plan.mypy)
    return [
        v
        for v in violations
        if (v.rule, v.package, v.subject) not in fixed
        and not (v.rule == "mypy-lists" and plan.mypy)
        and not (v.rule == "lock-stale" and relocks)
    ]


def apply_fix(plan: FixPlan) -> None:
    """Edit each manifest once (tomlkit: comments kept), bring the root's mypy lists in line
    with the packages and relock, as one transaction."""
    if not plan.fixes and not plan.mypy:
        return
    from seedbed.effects import tomledit
    from seedbed.effects.transaction import changing
    from seedbed.model.lockfile import moved_members
    from seedbed.model.workspace import read_text

    root = plan.workspace.root
    by_package: dict[str, list[Fix]] = {}
    for fix in plan.fixes:
        by_package.setdefault(fix.package.manifest, []).append(fix)
    with changing(root) as transaction:
        for manifest, fixes in sorted(by_package.items()):
            document = tomledit.load(root / manifest)
            for action, group in (("declare", None), ("declare-group", FIX_GROUP)):
                wanted = [f.distribution for f in fixes if f.action == action]
                if wanted:
                    tomledit.add_workspace_dependencies(document, wanted, group=group)
            gone = [f.distribution for f in fixes if f.action == "remove"]
            if gone:
                tomledit.remove_workspace_dependencies(document, gone, everywhere=True)
            transaction.write_text(root / manifest, tomledit.dumps(document))
        if plan.mypy:
            typecheck.sync(transaction, root)
        lock = read_text(root / LOCK) or ""
        members = [(p.distribution, p.path.as_posix()) for p in plan.workspace.packages]
        transaction.relock(moved_members(lock, members))
