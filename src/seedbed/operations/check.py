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

from seedbed.effects import uv
from seedbed.model.graph import Graph
from seedbed.model.names import identifier, normalize, requirement_name
from seedbed.model.workspace import LOCK, MANIFEST, STAGE_DIRS, Package, Workspace

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


def violations(workspace: Workspace, *, lock: bool = True) -> list[Violation]:
    """Every violation in the workspace, sorted by rule (in RULES order), package, path and
    line number."""
    pending_lock = _start_lock_check(workspace) if lock else None  # runs while we scan
    graph = Graph.of(workspace)
    found = [
        *core_depends_on_seed(graph),
        *cycles(graph),
        *undeclared_imports(workspace, graph),
        *sources_not_workspace(workspace, graph),
        *bad_names(workspace),
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


def bad_names(workspace: Workspace) -> Iterator[Violation]:
    """Distribution and import path must be the ones the scope and import style imply."""
    scope = workspace.scope
    for package in workspace.packages:
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
                f"the distribution of {package.path.as_posix()} is '{package.distribution}'; "
                f"it must be '{expected}' (scope + folder name)",
                package.manifest,
            )
        import_path = scope.import_name(package.short).replace(".", "/")
        init = package.path / "src" / import_path / "__init__.py"
        if not (workspace.root / init).is_file():
            yield Violation(
                "bad-name",
                package.short,
                f"'{package.short}' must be importable as {scope.import_name(package.short)}, "
                f"but {init.as_posix()} does not exist",
                init.parent.as_posix(),
            )
        if scope.import_style == "namespace":
            shared = package.path / "src" / identifier(scope.name) / "__init__.py"
            if (workspace.root / shared).is_file():
                yield Violation(
                    "bad-name",
                    package.short,
                    f"{shared.as_posix()} makes '{identifier(scope.name)}' a regular package and "
                    "hides every other package's modules; delete it (PEP 420 namespace)",
                    shared.as_posix(),
                )


def stray_members(workspace: Workspace) -> Iterator[Violation]:
    """Folders in a stage that are not packages, and packages outside the two stages."""
    root = workspace.root
    seen: dict[str, str] = {}
    for dirname in STAGE_DIRS.values():
        folder = root / dirname
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if not child.is_dir() or child.name.startswith((".", "__")):
                continue
            rel = child.relative_to(root).as_posix()
            if not (child / MANIFEST).is_file():
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
    for pattern in config.get("members", []):
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


def imported_modules(path: Path, marker: str) -> list[tuple[str, int]]:
    """Absolute imports in a file that mention *marker*, with line numbers.

    Imports under `if TYPE_CHECKING:` are skipped: they never run, so they need no
    runtime dependency. A file that does not parse yields nothing (ruff reports it).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if marker not in text:
        return []
    try:
        tree = ast.parse(text, filename=str(path))
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
        pending.extend(ast.iter_child_nodes(node))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _scan(job: tuple[str, str]) -> list[tuple[str, int]]:
    return imported_modules(Path(job[0]), job[1])


def undeclared_imports(workspace: Workspace, graph: Graph) -> Iterator[Violation]:
    """A package imports another workspace package without declaring the dependency."""
    scope = workspace.scope
    marker = identifier(scope.name)
    by_import = {scope.import_name(p.short): p.short for p in workspace.packages}
    jobs: list[tuple[Package, str, Path]] = []
    size = 0
    for package in workspace.packages:
        for part in ("src", "tests"):
            folder = workspace.root / package.path / part
            for path in sorted(folder.rglob("*.py")):
                jobs.append((package, part, path))
                size += path.stat().st_size
    args = [(str(path), marker) for _, _, path in jobs]
    if size >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(_scan, args, chunksize=64))
    else:
        results = [_scan(arg) for arg in args]
    members = {normalize(p.distribution): p.short for p in workspace.packages}
    reported: set[tuple[str, str, str]] = set()
    for (package, part, path), imports in zip(jobs, results, strict=True):
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
            rel = path.relative_to(workspace.root).as_posix()
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


def _owner(module: str, by_import: dict[str, str]) -> str | None:
    """The package whose import name is *module* or a parent of it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        owner = by_import.get(".".join(parts[:end]))
        if owner is not None:
            return owner
    return None
