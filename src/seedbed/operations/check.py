"""`proto check`: the workspace's boundary and consistency rules, every violation reported.

Each rule has a stable id (documented in docs/checks.md). Sources are scanned once; only files
that mention the scope's import name are parsed, in parallel processes when there are many.
`uv lock --check` runs in the background meanwhile.
"""

from __future__ import annotations

import ast
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import git, uv
from seedbed.model import stash
from seedbed.model.graph import Graph
from seedbed.model.names import identifier, normalize, requirement_name
from seedbed.model.workspace import LOCK, MANIFEST, STAGE_DIRS, Package, Workspace, load

RULES = (
    "core-depends-on-seed",
    "cycle",
    "undeclared-import",
    "source-not-workspace",
    "bad-name",
    "stray-member",
    "lock-stale",
)
# Source bytes to scan before a process pool pays for its start-up (measured: the pool wins
# once a serial parse takes more than ~40 ms, about 0.4 MB; benchmarks/bench_scale.py).
PARALLEL_FROM_BYTES = 400_000


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which, where, and what to do."""

    rule: str
    package: str | None
    message: str
    path: str
    line: int = field(default=0, repr=False)  # for sorting only: 0 when it is about a file

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
    sources = python_sources(workspace)
    found = [
        *core_depends_on_seed(graph),
        *cycles(graph),
        *undeclared_imports(workspace, graph, sources),
        *sources_not_workspace(workspace, graph),
        *bad_names(workspace, set(sources)),
        *stray_members(workspace),
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
                    f"(`proto graduate {provider}`) or remove the dependency",
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


# Where statements nest: only statements can be imports, so expressions are never walked.
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def imported_modules(path: str, marker: str) -> list[tuple[str, int]]:
    """Absolute imports in a file that mention *marker*, with line numbers.

    Imports under `if TYPE_CHECKING:` are skipped: they never run, so they need no
    runtime dependency. A file that does not parse yields nothing (ruff reports it).
    """
    try:
        with open(path, encoding="utf-8") as file:  # noqa: PTH123 (no Path per file)
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return []
    if marker not in text:
        return []
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return []
    found: list[tuple[str, int]] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
        for body in _BODIES:
            nested = getattr(node, body, None)
            if isinstance(nested, list):
                pending.extend(nested)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _scan(job: tuple[str, str]) -> list[tuple[str, int]]:
    return imported_modules(*job)


def undeclared_imports(
    workspace: Workspace, graph: Graph, sources: dict[str, str | None]
) -> Iterator[Violation]:
    """A package imports another workspace package without declaring the dependency."""
    scope = workspace.scope
    marker = identifier(scope.name)
    by_import = {scope.import_name(p.short): p.short for p in workspace.packages}
    by_folder = {p.path.as_posix(): p for p in workspace.packages}
    jobs: list[tuple[Package, str, str]] = []
    for relative in sources:
        stage_dir, name, part, _ = relative.split("/", 3)
        package = by_folder.get(f"{stage_dir}/{name}")
        if package is not None and part in ("src", "tests"):
            jobs.append((package, part, relative))
    results = _imports_of(workspace.root, [(rel, sources[rel]) for _, _, rel in jobs], marker)
    members = {normalize(p.distribution): p.short for p in workspace.packages}
    reported: set[tuple[str, str, str]] = set()
    for (package, part, rel), imports in zip(jobs, results, strict=True):
        declared = set(graph.dependencies(package.short))
        if part == "tests":
            declared |= {
                members[name]
                for req in package.group_requirements
                if (name := requirement_name(req) or "") in members
            }
        for module, line in imports:
            target = _owner(module, by_import)
            if target is None or target == package.short or target in declared:
                continue
            if (package.short, target, rel) in reported:
                continue
            reported.add((package.short, target, rel))
            fix = (
                f"run `proto depend {package.short} {target}`"
                if part == "src"
                else f"declare it in a dependency group (e.g. dev) of {package.short}, or run "
                f"`proto depend {package.short} {target}`"
            )
            yield Violation(
                "undeclared-import",
                package.short,
                f"line {line} imports {scope.import_name(target)} but '{package.short}' does "
                f"not declare it; {fix}",
                rel,
                line,
            )


def python_sources(workspace: Workspace) -> dict[str, str | None]:
    """Every .py file under a package's src/ or tests/, relative to the root, with git's blob
    id when the file is tracked and unchanged (None for a changed or untracked one): from
    `git ls-files` (ignored and deleted files left out; ~10 ms for 20,000 files), or a walk of
    the folders where the workspace is not a git repository."""
    root = workspace.root
    patterns = [f"{d}/*/{part}/*.py" for d in STAGE_DIRS.values() for part in ("src", "tests")]
    if not git.is_repository(root):
        return {
            p.relative_to(root).as_posix(): None
            for package in workspace.packages
            for part in ("src", "tests")
            for p in (root / package.path / part).rglob("*.py")
        }

    def listing(*options: str) -> list[str]:
        out = git.run_git(["ls-files", "-z", *options, "--", *patterns], root)
        return [entry for entry in out.split("\0") if entry]

    found: dict[str, str | None] = {}
    for entry in listing("--stage"):  # "mode blob stage\tpath"; stage > 0: a conflict
        info, _, path = entry.partition("\t")
        _, blob, stage = info.split(" ")
        found[path] = blob if stage == "0" and path not in found else None
    for path in listing("--modified"):  # changed in the work tree (or deleted: dropped below)
        found[path] = None
    for path in listing("--deleted"):
        found.pop(path, None)
    found.update(dict.fromkeys(listing("--others", "--exclude-standard")))
    return dict(sorted(found.items()))


IMPORTS_STASH = 1  # format of the stash of each unchanged file's imports, by blob id


def _imports_of(
    root: Path, files: list[tuple[str, str | None]], marker: str
) -> list[list[tuple[str, int]]]:
    """The imports (mentioning *marker*) of each file, in order. A tracked, unchanged file is
    looked up by its blob id in a stash of earlier scans; the rest are parsed, in a process
    pool when there is much to parse and more than two CPUs (on two, `uv lock --check` runs
    beside us and a pool only competes with it: measured)."""
    cache_file = stash.path(root, "imports")
    cache = stash.load(cache_file, IMPORTS_STASH)
    results: list[list[tuple[str, int]] | None] = [
        cache.get((blob, marker)) if blob else None for _, blob in files
    ]
    missing = [i for i, found in enumerate(results) if found is None]
    args = [(os.path.join(root, files[i][0]), marker) for i in missing]  # noqa: PTH118
    if (os.cpu_count() or 1) > 2 and _size(path for path, _ in args) >= PARALLEL_FROM_BYTES:
        with ProcessPoolExecutor() as pool:
            scanned = list(pool.map(_scan, args, chunksize=64))
    else:
        scanned = [_scan(arg) for arg in args]
    for index, imports in zip(missing, scanned, strict=True):
        results[index] = imports
    kept = {(blob, marker): found for (_, blob), found in zip(files, results, strict=True) if blob}
    if missing or kept.keys() != cache.keys():
        stash.save(cache_file, IMPORTS_STASH, kept)
    return [found or [] for found in results]


def _size(paths: Iterator[str]) -> int:
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size  # noqa: PTH116
        except OSError:  # a dangling symlink, a file deleted meanwhile
            continue
    return total


def _owner(module: str, by_import: dict[str, str]) -> str | None:
    """The package whose import name is *module* or a parent of it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        owner = by_import.get(".".join(parts[:end]))
        if owner is not None:
            return owner
    return None
