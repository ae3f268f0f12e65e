"""What the workspace's code imports: absolute imports of each package's src/ and tests/
files, read with `ast` (pure reads; files that do not mention the scope are not parsed), in
parallel processes when there is a lot to read."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from seedbed.model.names import identifier
from seedbed.model.workspace import Package, Workspace

PARTS = ("src", "tests")
# Source bytes to scan before a process pool pays for its start-up (measured: the pool wins
# once a serial parse takes more than ~40 ms, about 0.4 MB; benchmarks/bench_scale.py).
PARALLEL_FROM_BYTES = 400_000

Imports = list[tuple[str, int]]  # (module, line)


def imported_modules(path: Path, marker: str) -> Imports:
    """Absolute imports in a file that mentions *marker*, with line numbers.

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
        pending.extend(ast.iter_child_nodes(node))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _scan(job: tuple[str, str]) -> Imports:
    return imported_modules(Path(job[0]), job[1])


def scan(
    workspace: Workspace, packages: Iterable[Package] | None = None
) -> Iterator[tuple[Package, str, Path, Imports]]:
    """Each `.py` file under src/ and tests/ of *packages* (default: all), with its part
    (`src` or `tests`) and the absolute imports it makes that mention the scope."""
    marker = identifier(workspace.scope.name)
    jobs: list[tuple[Package, str, Path]] = []
    size = 0
    for package in workspace.packages if packages is None else packages:
        for part in PARTS:
            folder = workspace.root / package.path / part
            for path in sorted(folder.rglob("*.py")):
                try:
                    size += path.stat().st_size
                except OSError:  # a dangling symlink, a file deleted meanwhile
                    continue
                jobs.append((package, part, path))
    args = [(str(path), marker) for _, _, path in jobs]
    if size >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(_scan, args, chunksize=64))
    else:
        results = [_scan(arg) for arg in args]
    for (package, part, path), found in zip(jobs, results, strict=True):
        yield package, part, path, found


def owner(module: str, by_import: dict[str, str]) -> str | None:
    """The package whose import name is *module* or a parent of it."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = by_import.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None
