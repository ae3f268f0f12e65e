"""Names: scope, short name, distribution and import name, and their validation.

A short name (`url-parser`) and a scope (`acme-protos`) are lowercase letters, digits and single
hyphens, starting with a letter. The distribution is `<scope>-<short>`; the import name is
`<scope_ident>.<short_ident>` (namespace style) or `<scope_ident>_<short_ident>` (flat style).
"""

from __future__ import annotations

import functools
import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from seedbed.errors import InvalidInputError

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
MAX_LENGTH = 64  # a distribution is scope + name: both well inside a file name's 255 bytes
# Top-level modules a namespace scope must not shadow besides the standard library: the
# workspace's own tools and what the built-in kinds import.
TOOL_MODULES = frozenset(
    {
        "_pytest", "anyio", "click", "copier", "git", "hatchling", "httpx", "mypy", "nox",
        "packaging", "pip", "pkg_resources", "pydantic", "pytest", "rich", "ruff", "seedbed",
        "setuptools", "starlette", "tomli", "typer", "typing_extensions", "uv", "uvicorn",
    }
)  # fmt: skip
ImportStyle = Literal["namespace", "flat"]
IMPORT_STYLES: tuple[ImportStyle, ...] = ("namespace", "flat")


def identifier(name: str) -> str:
    """The Python identifier form of a valid name: hyphens become underscores."""
    return name.replace("-", "_")


@functools.cache  # the same few hundred names recur across thousands of manifests
def normalize(name: str) -> str:
    """PEP 503 normalisation: lowercase, runs of `-`, `_` and `.` become one hyphen."""
    return re.sub(r"[-_.]+", "-", name).lower()


# A PEP 508 requirement's leading name, and what may follow it: extras, a version, a marker, a URL.
_REQUIREMENT_NAME = re.compile(
    r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?=$|[\[(;@<>=!~,\s])"
)


@functools.cache
def requirement_name(requirement: str) -> str | None:
    """The normalised project name a requirement string names (None when it names none).

    Only the leading name is read (about 100 times faster than a full parse): the rest of a
    broken requirement is for `is_valid_requirement`, `proto check` and uv to judge."""
    found = _REQUIREMENT_NAME.match(requirement)
    return normalize(found[1]) if found else None


def is_valid_requirement(requirement: str) -> bool:
    """Whether *requirement* is a complete, valid PEP 508 requirement."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(requirement)
    except InvalidRequirement:
        return False
    return True


def suggest(name: str) -> str | None:
    """A valid name close to an invalid one, if there is an obvious one."""
    candidate = re.sub(r"[\s_.\-]+", "-", name.strip().lower()).strip("-")
    if NAME_PATTERN.fullmatch(candidate) and not keyword.iskeyword(identifier(candidate)):
        return candidate
    return None


def _refuse(what: str, name: str, problem: str, hint: str | None = None) -> InvalidInputError:
    suggestion = suggest(name)
    if hint is None and suggestion and suggestion != name:
        hint = f"did you mean '{suggestion}'?"
    return InvalidInputError(f"invalid {what} '{name}': {problem}", hint)


def validate_name(name: str, what: str = "package name") -> str:
    """Return *name* if it is a valid short name or scope, else raise InvalidInputError (exit 2)."""
    rule = "use lowercase letters, digits and single hyphens, starting with a letter"
    if not name:
        raise InvalidInputError(f"the {what} is empty", rule)
    if any(sep in name for sep in ("/", "\\")) or ".." in name:
        raise _refuse(what, name, "it must be a plain name, not a path", rule)
    if any(char.isspace() for char in name):
        raise _refuse(what, name, "it contains spaces")
    if name != name.lower():
        raise _refuse(what, name, "it contains uppercase letters")
    if "_" in name or "." in name:
        raise _refuse(what, name, "use hyphens, not underscores or dots")
    if name[0].isdigit():
        raise _refuse(what, name, "it must start with a letter, not a digit", rule)
    if name[0] == "-" or name[-1] == "-":
        raise _refuse(what, name, "it must not start or end with a hyphen")
    if "--" in name:
        raise _refuse(what, name, "use single hyphens")
    if not NAME_PATTERN.fullmatch(name):
        raise _refuse(what, name, "only lowercase letters, digits and hyphens are allowed", rule)
    if keyword.iskeyword(identifier(name)):
        raise InvalidInputError(
            f"invalid {what} '{name}': its import form '{identifier(name)}' is a Python keyword",
            "pick another name, e.g. add a word to it",
        )
    if len(name) > MAX_LENGTH:
        raise InvalidInputError(
            f"invalid {what} '{name[:20]}…': it has {len(name)} characters, more than {MAX_LENGTH}",
            "pick a shorter name",
        )
    return name


def validate_scope(scope: str, import_style: ImportStyle = "namespace") -> str:
    """Return *scope* if it is a valid scope whose import name shadows no module that the
    packages' code needs (the standard library, the workspace's tools), else raise
    InvalidInputError (exit 2)."""
    validate_name(scope, "scope")
    top = identifier(scope)
    if import_style == "namespace" and (top in sys.stdlib_module_names or top in TOOL_MODULES):
        where = "the standard library" if top in sys.stdlib_module_names else "a tool it uses"
        raise InvalidInputError(
            f"invalid scope '{scope}': packages would import as {top}.NAME, which hides "
            f"the module '{top}' of {where}",
            f"pick another scope, e.g. '{scope}-protos'",
        )
    return scope


@dataclass(frozen=True)
class Scope:
    """A team's scope and import style: turns short names into distribution and import names."""

    name: str
    import_style: ImportStyle = "namespace"

    def distribution(self, short: str) -> str:
        """`url-parser` -> `acme-protos-url-parser`."""
        return f"{self.name}-{short}"

    def import_name(self, short: str) -> str:
        """`url-parser` -> `acme_protos.url_parser` (namespace) or `acme_protos_url_parser`."""
        separator = "." if self.import_style == "namespace" else "_"
        return f"{identifier(self.name)}{separator}{identifier(short)}"

    def short_name(self, name: str) -> str:
        """Accept a short or a distribution name; return the short form."""
        prefix = f"{self.name}-"
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
        return name


def scope_from_folder(folder_name: str) -> str:
    """The default scope for a workspace folder: its name, normalised to the name rule."""
    candidate = re.sub(r"[^a-z0-9]+", "-", folder_name.lower()).strip("-")
    candidate = re.sub(r"^[0-9-]+", "", candidate)
    if not candidate:
        raise InvalidInputError(
            f"cannot derive a scope from the folder name '{folder_name}'",
            "pass one with --scope, e.g. --scope acme-protos",
        )
    return validate_scope(candidate)


def rename_module(dotted: str, renames: Mapping[str, str]) -> str | None:
    """*dotted* (a module path such as `acme_protos.url_parser.core`) after the renames
    `old module -> new module`, the longest old module that is *dotted* or a parent of it
    winning; None when no rename reaches it."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        new = renames.get(".".join(parts[:end]))
        if new is not None:
            return ".".join([new, *parts[end:]])
    return None


def is_dotted(text: str) -> bool:
    """True for a dotted Python path: identifiers joined by dots (`a.b_c.d`)."""
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def rename_target(text: str, renames: Mapping[str, str]) -> str | None:
    """An import target as entry points, `python -m`, `mock.patch` and uvicorn write it,
    `module.path` or `module.path:attribute`, after the module renames; None when *text* is
    not such a target or no rename reaches it."""
    module, colon, attribute = text.partition(":")
    if not is_dotted(module) or (colon and not is_dotted(attribute)):
        return None
    new = rename_module(module, renames)
    return None if new is None else f"{new}{colon}{attribute}"
