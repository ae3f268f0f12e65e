"""Python code rewritten with a concrete syntax tree (LibCST), never with regular expressions:
modules renamed wherever code names them, and every comment, blank line, quote and bracket of
the file kept as it was.

What a module rename `acme_protos.url_parser -> acme_protos.uri_parser` rewrites:

- `import acme_protos.url_parser`, `import acme_protos.url_parser.x as y`;
- `from acme_protos.url_parser.x import y`; `from acme_protos import url_parser [as o]`: the
  imported name, and the local name it binds wherever that binding is used (LibCST's scope
  analysis, so a local variable that happens to share the name is left alone). When the new
  name is already used in the file, the import keeps the old local name instead:
  `from acme_protos import uri_parser as url_parser`;
- attribute chains `acme_protos.url_parser.x` whose first name comes from an import;
- string literals that are exactly an import target, `acme_protos.url_parser.x` or
  `acme_protos.url_parser.x:attr` (`mock.patch`, `importlib.import_module`, uvicorn).

Relative imports, comments, docstrings and any other text are left as they are. LibCST is
imported inside the functions only, so commands that do not rewrite code never load it.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.effects import git
from seedbed.errors import ProtoError
from seedbed.model.names import rename_module, rename_target

if TYPE_CHECKING:
    import libcst as cst

SUFFIXES = ("*.py", "*.pyi")


class CodeError(ProtoError):
    """A Python file that does not parse, so it cannot be rewritten safely."""


def markers(renames: Mapping[str, str]) -> list[str]:
    """Text every file that refers to a renamed module contains: the last part of its name."""
    return sorted({old.rsplit(".", 1)[-1] for old in renames})


def files_referring(root: Path, renames: Mapping[str, str]) -> list[str]:
    """Python files (tracked, or untracked and not ignored; relative to *root*) that may
    refer to a renamed module: those that contain a marker."""
    return git.files_mentioning(root, markers(renames), untracked=True, pathspecs=SUFFIXES)


def rename_modules(source: str, renames: Mapping[str, str]) -> str:
    """*source* with every reference to a renamed module rewritten (see the module's doc);
    raises CodeError when it does not parse.

    LibCST's scope analysis costs ~10 ms a file, ten times the parse and the rewrite, so it
    runs only where a quick look with `ast` says it decides something: a `from PARENT import
    NAME` whose NAME changes (its uses are renamed by scope), or a renamed module's first name
    also bound in another way somewhere in the file (a parameter, an assignment)."""
    import libcst as cst

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise CodeError(
            f"it is not valid Python (line {error.raw_line}): {error.message}"
        ) from error
    names = _Bindings.of(source)
    scopes: Mapping[Any, Any] | None = None
    bindings: dict[int, str] = {}
    aliased: set[int] = set()
    if names is None or names.needs_scopes(renames):
        from libcst.metadata import MetadataWrapper, ScopeProvider

        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        scopes = wrapper.resolve(ScopeProvider)
        module = wrapper.module
        bindings, aliased = _binding_renames(module, scopes, renames)
    other = names.other if names is not None else set()
    return module.visit(_renamer()(renames, scopes, bindings, aliased, other)).code


@dataclass
class _Bindings:
    """What a quick `ast` walk says a file binds: names bound by imports, names bound any
    other way (assignments, parameters, definitions, handlers), and each `from MODULE import
    NAME` without `as`."""

    imported: set[str] = field(default_factory=set)
    other: set[str] = field(default_factory=set)
    from_imports: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, source: str) -> _Bindings | None:
        """The bindings of *source*; None when `ast` cannot parse it."""
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return None
        found = cls()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.imported |= {a.asname or a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                found.imported |= {a.asname or a.name for a in node.names}
                if node.level == 0 and node.module:
                    found.from_imports += [
                        (node.module, a.name) for a in node.names if not a.asname
                    ]
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                found.other.add(node.id)
            elif isinstance(node, ast.arg):
                found.other.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.other.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                found.other.update(node.names)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                found.other.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                found.other.add(node.rest)
        return found

    def needs_scopes(self, renames: Mapping[str, str]) -> bool:
        """Whether only scope analysis can rewrite the file right."""
        for module, name in self.from_imports:
            new = rename_module(f"{module}.{name}", renames)
            if new is not None and new.rpartition(".")[2] != name:
                return True
        heads = {old.split(".")[0] for old in renames}
        return bool(heads & self.imported & self.other)


def _dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of plain names, else None."""
    import libcst as cst

    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _head(node: cst.BaseExpression) -> cst.Name | None:
    import libcst as cst

    while isinstance(node, cst.Attribute):
        node = node.value
    return node if isinstance(node, cst.Name) else None


def _expression(dotted: str) -> cst.Name | cst.Attribute:
    """The expression node for a dotted name."""
    import libcst as cst

    first, *rest = dotted.split(".")
    node: cst.Name | cst.Attribute = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _names_in_use(scopes: Mapping[Any, Any]) -> set[str]:
    """Every name bound or read in any scope of the module."""
    used: set[str] = set()
    for scope in {scope for scope in scopes.values() if scope is not None}:
        used.update(assignment.name for assignment in scope.assignments)
        used.update(access.node.value for access in scope.accesses if hasattr(access.node, "value"))
    return used


def _exported(module: cst.Module) -> set[str]:
    """The strings of the module's `__all__` (a name listed there must keep its name)."""
    import libcst as cst
    import libcst.matchers as m

    found: set[str] = set()
    for assign in m.findall(module, m.Assign(targets=[m.AssignTarget(target=m.Name("__all__"))])):
        assert isinstance(assign, cst.Assign)
        found.update(
            str(string.evaluated_value)
            for string in m.findall(assign.value, m.SimpleString())
            if isinstance(string, cst.SimpleString)
        )
    return found


def _binding_renames(
    module: cst.Module, scopes: Mapping[Any, Any], renames: Mapping[str, str]
) -> tuple[dict[int, str], set[int]]:
    """For each `from PARENT import old` whose module is renamed to `new`: the Name nodes that
    use its binding (id -> `new`), or, when renaming the binding is not safe (the new name is
    taken, `__all__` lists the old one, a use is not a plain name), the alias to keep as
    `new as old`."""
    import libcst as cst
    import libcst.matchers as m
    from libcst.metadata import ImportAssignment

    bindings: dict[int, str] = {}
    aliased: set[int] = set()
    used = exported = None
    for node in m.findall(module, m.ImportFrom()):
        assert isinstance(node, cst.ImportFrom)
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            continue
        parent = _dotted(node.module)
        for alias in node.names:
            if alias.asname is not None or not isinstance(alias.name, cst.Name):
                continue
            old = alias.name.value
            new_full = rename_module(f"{parent}.{old}", renames)
            new = new_full.rsplit(".", 1)[-1] if new_full else old
            if new == old:
                continue
            if used is None:
                used, exported = _names_in_use(scopes), _exported(module)
            scope = scopes.get(node)
            references = [
                reference
                for assignment in (scope.assignments[old] if scope is not None else ())
                if isinstance(assignment, ImportAssignment) and assignment.node is node
                for reference in assignment.references
            ]
            if (
                scope is None
                or new in used
                or old in (exported or ())
                or not all(isinstance(r.node, cst.Name) for r in references)
            ):
                aliased.add(id(alias))
                continue
            for reference in references:
                bindings[id(reference.node)] = new
    return bindings, aliased


@functools.cache
def _renamer() -> type[Any]:
    """The transformer class (made on first use: defining it needs LibCST)."""
    import libcst as cst

    class Renamer(cst.CSTTransformer):
        """Rewrites imports, bindings, attribute chains and import-target strings."""

        def __init__(
            self,
            renames: Mapping[str, str],
            scopes: Mapping[Any, Any] | None,
            bindings: dict[int, str],
            aliased: set[int],
            other: set[str],
        ) -> None:
            super().__init__()
            self.renames = renames
            self.scopes = scopes
            self.bindings = bindings
            self.aliased = aliased
            self.other = other  # names bound other than by an import (without scopes)
            self.not_names: set[int] = set()  # attribute and keyword names: never references

        def _imported(self, name: cst.Name) -> bool:
            """Whether *name* (read in code) refers to an import, or to nothing bound here."""
            from libcst.metadata import ImportAssignment

            if id(name) in self.not_names:
                return False
            if self.scopes is None:  # no other binding shares a renamed name's first part
                return name.value not in self.other
            scope = self.scopes.get(name)
            if scope is None:
                return False
            if name.value not in scope:
                return True
            return all(isinstance(a, ImportAssignment) for a in scope[name.value])

        # imports ------------------------------------------------------------------

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
            aliases = []
            for alias in updated_node.names:
                dotted = _dotted(alias.name)
                new = rename_module(dotted, self.renames) if dotted else None
                aliases.append(alias.with_changes(name=_expression(new)) if new else alias)
            return updated_node.with_changes(names=aliases)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def leave_ImportFrom(
            self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
        ) -> cst.ImportFrom:
            if updated_node.relative or updated_node.module is None:
                return updated_node
            parent = _dotted(updated_node.module)
            if parent is None:
                return updated_node
            new_parent = rename_module(parent, self.renames) or parent
            changes: dict[str, Any] = {}
            if new_parent != parent:
                changes["module"] = _expression(new_parent)
            if not isinstance(updated_node.names, cst.ImportStar):
                aliases = []
                for alias in updated_node.names:
                    aliases.append(self._from_alias(parent, new_parent, alias))
                changes["names"] = aliases
            return updated_node.with_changes(**changes)

        def _from_alias(
            self, parent: str, new_parent: str, alias: cst.ImportAlias
        ) -> cst.ImportAlias:
            if not isinstance(alias.name, cst.Name):
                return alias
            old = alias.name.value
            new_full = rename_module(f"{parent}.{old}", self.renames)
            if new_full is None or new_full.rpartition(".")[0] != new_parent:
                return alias
            new = new_full.rpartition(".")[2]
            if new == old:
                return alias
            if id(alias) in self.aliased:
                return alias.with_changes(name=cst.Name(new), asname=cst.AsName(name=cst.Name(old)))
            asname = alias.asname.name if alias.asname is not None else None
            if isinstance(asname, cst.Name) and asname.value == new:  # `x as b` -> `b`
                return alias.with_changes(name=cst.Name(new), asname=None)
            return alias.with_changes(name=cst.Name(new))

        # names and chains ---------------------------------------------------------

        def visit_Arg(self, node: cst.Arg) -> bool:
            if node.keyword is not None:
                self.not_names.add(id(node.keyword))
            return True

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            self.not_names.add(id(node.attr))
            return True

        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> Any:  # noqa: ANN401
            renamed = self.bindings.get(id(original_node))
            if renamed is not None:
                return updated_node.with_changes(value=renamed)
            new = self.renames.get(original_node.value)
            if new is None:
                return updated_node
            if not self._imported(original_node):
                return updated_node
            return _expression(new).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

        def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> Any:  # noqa: ANN401
            dotted = _dotted(original_node)
            new = self.renames.get(dotted) if dotted else None
            head = _head(original_node)
            if new is None or head is None or not self._imported(head):
                return updated_node
            return _expression(new).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

        # strings ------------------------------------------------------------------

        def leave_SimpleString(
            self, original_node: cst.SimpleString, updated_node: cst.SimpleString
        ) -> cst.SimpleString:
            if "b" in updated_node.prefix.lower():
                return updated_node
            raw = updated_node.raw_value
            if "\\" in raw:
                return updated_node
            new = rename_target(raw, self.renames)
            if new is None:
                return updated_node
            quote = updated_node.quote
            return updated_node.with_changes(value=f"{updated_node.prefix}{quote}{new}{quote}")

    return Renamer
