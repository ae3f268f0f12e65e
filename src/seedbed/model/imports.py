"""What the workspace's code imports: the absolute imports of each package's src/ and tests/
files that mention the scope, read with `ast` (pure reads).

The files come from one listing (`effects.git.python_sources`: git's blob id for each
unchanged file), so an unchanged file's imports come from a stash (`model.stash`) keyed by its
blob id; only changed and untracked files are parsed, in a process pool only when there is a
lot to parse and more than two CPUs (on two, the `uv lock --check` that `proto check` starts
beside the scan needs the other one: measured, a pool then only competes with it).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from seedbed.model import stash
from seedbed.model.names import identifier
from seedbed.model.workspace import STAGE_DIRS, Package, Workspace

PARTS = ("src", "tests")
# The pathspecs of every file the scan reads (git's `*` also matches `/`).
PATTERNS = tuple(f"{d}/*/{part}/*.py" for d in STAGE_DIRS.values() for part in PARTS)
# Source bytes to parse before a process pool pays for its start-up (measured: the pool wins
# once a serial parse takes more than ~40 ms, about 0.4 MB; benchmarks/bench_scale.py).
PARALLEL_FROM_BYTES = 400_000
STASH = "imports"
STASH_FORMAT = 1
# Where statements nest: only statements can be imports, so expressions are never walked.
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")

Imports = list[tuple[str, int]]  # (module, line)
Sources = dict[str, str | None]  # file relative to the root -> blob id when unchanged


def imported_modules(path: str, marker: str) -> Imports:
    """Absolute imports in a file that mentions *marker*, with line numbers.

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
    found: Imports = []
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


def _scan(job: tuple[str, str]) -> Imports:
    return imported_modules(*job)


def walked_sources(workspace: Workspace) -> Sources:
    """The files to scan found by walking the folders (a workspace that is not a git
    repository: no blob ids, so nothing comes from the stash)."""
    root = workspace.root
    return {
        p.relative_to(root).as_posix(): None
        for package in workspace.packages
        for part in PARTS
        for p in sorted((root / package.path / part).rglob("*.py"))
    }


def scan(
    workspace: Workspace, sources: Sources, packages: Iterable[Package] | None = None
) -> Iterator[tuple[Package, str, str, Imports]]:
    """Each file of *sources* under src/ and tests/ of *packages* (default: all), with its
    part (`src` or `tests`), its path relative to the root, and the absolute imports it makes
    that mention the scope."""
    marker = identifier(workspace.scope.name)
    chosen = workspace.packages if packages is None else tuple(packages)
    by_folder = {p.path.as_posix(): p for p in chosen}
    jobs: list[tuple[Package, str, str]] = []
    for relative in sources:
        stage_dir, name, part, _ = [*relative.split("/", 3), "", "", ""][:4]
        package = by_folder.get(f"{stage_dir}/{name}")
        if package is not None and part in PARTS:
            jobs.append((package, part, relative))
    files = [(relative, sources[relative]) for _, _, relative in jobs]
    scanned = _imports_of(workspace.root, files, marker, every=packages is None)
    for (package, part, relative), found in zip(jobs, scanned, strict=True):
        yield package, part, relative, found


def _imports_of(
    root: Path, files: list[tuple[str, str | None]], marker: str, *, every: bool
) -> list[Imports]:
    """The imports (mentioning *marker*) of each file, in order: an unchanged file's from the
    stash by its blob id, the rest parsed. A scan of *every* package keeps only what it saw."""
    where = stash.path(root, STASH)
    cache = stash.load(where, STASH_FORMAT)
    results: list[Imports | None] = [
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
    if not every:
        kept = {**cache, **kept}
    if missing or kept.keys() != cache.keys():
        stash.save(where, STASH_FORMAT, kept)
    return [found or [] for found in results]


def _size(paths: Iterator[str]) -> int:
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size  # noqa: PTH116
        except OSError:  # a dangling symlink, a file deleted meanwhile
            continue
    return total


def owner(module: str, by_import: dict[str, str]) -> str | None:
    """The package whose import name is *module* or a parent of it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = by_import.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None
