"""The answers: what seedbed tells a template (on `init`, `new` and `update`), what a rendered
project records in its `.copier-answers.yml`, and the settings the package template renders
from the `stage` answer, switched when a package changes stage. The one owner of that file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from seedbed import __version__
from seedbed.effects.transaction import Transaction
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.names import Scope, identifier
from seedbed.model.workspace import MANIFEST, Package, Stage, Workspace, read_text

ANSWERS_FILE = ".copier-answers.yml"
# What the package template renders differently per stage (templates/package/pyproject.toml.jinja).
STATUS_CLASSIFIER: dict[Stage, str] = {
    "seed": "Development Status :: 2 - Pre-Alpha",
    "core": "Development Status :: 4 - Beta",
}


def read(path: Path) -> dict[str, Any]:
    """A Copier answers file."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    except (OSError, yaml.YAMLError) as error:
        raise ProtoError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise ProtoError(f"{path} is not a Copier answers file")
    return data


def check_description(text: str) -> str:
    """A description is one line of text: the templates put it into code, TOML and Markdown.
    Surrounding spaces go (only spaces: no description, so the template's default)."""
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise InvalidInputError(
            "the description must be one line of text, without line breaks, tabs or other "
            "control characters",
            "describe it in one line; README.md has room for more",
        )
    return text.strip()


def default_requirement(version: str = __version__) -> str:
    """What CI installs unless the team says otherwise: this seedbed from the package index."""
    return f"seedbed=={version}"


def check_requirement(text: str) -> str:
    """A requirement CI can hand to `uv tool install`: a PEP 508 requirement (`seedbed==0.1.0`,
    `seedbed @ git+https://...`) or a bare URL; never an option, never more than one line."""
    from packaging.requirements import InvalidRequirement, Requirement

    text = text.strip()
    problem = None
    if not text or text.startswith("-") or any(ord(char) < 32 for char in text):
        problem = "it must be one requirement on one line, not an option"
    elif not re.match(r"(git\+)?(https?|ssh|file)://\S+$", text):
        try:
            Requirement(text)
        except InvalidRequirement as error:
            problem = str(error).splitlines()[0]
    if problem is not None:
        raise InvalidInputError(
            f"invalid seedbed requirement {text!r}: {problem}",
            "e.g. seedbed==0.1.0, 'seedbed @ git+https://github.com/ORG/seedbed@v0.1.0', or a "
            "name on your own index",
        )
    return text


def workspace_data(
    scope: Scope,
    *,
    python: str,
    author: tuple[str, str],
    description: str,
    seeds_fix_forward: bool,
    seedbed_requirement: str | None = None,
) -> dict[str, Any]:
    """The answers seedbed gives the workspace template on `proto init`."""
    from seedbed.effects import uv

    answers: dict[str, Any] = {
        "template": "workspace",
        "seeds_fix_forward": seeds_fix_forward,
        "seedbed_version": __version__,
        "seedbed_requirement": seedbed_requirement or default_requirement(),
        "uv_version": uv.version(),
        "scope": scope.name,
        "import_style": scope.import_style,
        "python_version": python,
        "author_name": author[0],
        "author_email": author[1],
    }
    if description:
        answers["description"] = description
    return answers


def package_data(
    scope: Scope,
    short: str,
    *,
    kind: str,
    stage: str,
    python: str,
    author: tuple[str, str],
    description: str,
) -> dict[str, Any]:
    """The answers seedbed gives a package template, built-in or the team's own, on `new` and
    again on `update` (a team template that does not ask for a value still gets it)."""
    answers: dict[str, Any] = {
        "template": "package",
        "scope": scope.name,
        "import_style": scope.import_style,
        "name": short,
        "kind": kind,
        "stage": stage,
        "python_version": python,
        "author_name": author[0],
        "author_email": author[1],
        # derived values, for team templates (the built-in one computes the same)
        "distribution": scope.distribution(short),
        "import_name": scope.import_name(short),
        "import_path": scope.import_name(short).replace(".", "/"),
    }
    if description:
        answers["description"] = description
    return answers


def workspace_update_data(stored: dict[str, Any]) -> dict[str, Any]:
    """What `proto update` tells the workspace template: the running seedbed and its uv, so CI
    installs what the team runs. A requirement the team chose (a git URL, its own index) stays;
    the default one follows the running seedbed."""
    from seedbed.effects import uv

    data: dict[str, Any] = {"seedbed_version": __version__, "uv_version": uv.version()}
    requirement = stored.get("seedbed_requirement")
    was_default = default_requirement(str(stored.get("seedbed_version", "")))
    if requirement is None or requirement == was_default:
        data["seedbed_requirement"] = default_requirement()
    return data


def update_data(workspace: Workspace, package: Package, stored: dict[str, Any]) -> dict[str, Any]:
    """What `proto new` gave the template, with the stored answers winning, and the stage the
    package has now (a graduated package updates with the core profile)."""
    answered = {key: value for key, value in stored.items() if not key.startswith("_")}
    computed = package_data(
        workspace.scope,
        package.short,
        kind=str(answered.get("kind", "lib")),
        stage=package.stage,
        python=workspace.python,
        author=(str(answered.get("author_name", "")), str(answered.get("author_email", ""))),
        description=str(answered.get("description", "")),
    )
    return {**computed, **answered, "stage": package.stage}


def stamp(path: Path, url: str, ref: str) -> None:
    """Record in the answers file at *path* the template source *url* at version *ref*, as
    Copier writes them when it renders from git (`_commit` sorts just before `_src_path`)."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("_commit:")]
    stamped = "".join(
        f"_commit: {ref}\n_src_path: {url}\n" if line.startswith("_src_path:") else line
        for line in lines
    )
    path.write_text(stamped, encoding="utf-8")


def set_answer(text: str, key: str, value: str) -> str:
    """The answers file *text* with the top-level scalar *key* set to *value* (line endings,
    comments and every other line kept)."""
    return re.sub(rf"(?m)^{re.escape(key)}: [^\r\n]*(\r?)$", rf"{key}: {value}\1", text)


def _present(text: str, key: str) -> bool:
    return re.search(rf"(?m)^{re.escape(key)}: ", text) is not None


def renamed(text: str, scope: Scope, short: str | None = None) -> str:
    """An answers file's *text* after a package is renamed to *short* or the workspace moves
    to *scope*: `scope`, `name` and the derived values a team template may store
    (`distribution`, `import_name`, `import_path`, `name_ident`, `scope_ident`), each set only
    where the file has it (a workspace's answers file has no `name`)."""
    values = {"scope": scope.name, "scope_ident": identifier(scope.name)}
    name = short if short is not None else _answer(text, "name")
    if name:
        values |= {
            "name": name,
            "name_ident": identifier(name),
            "distribution": scope.distribution(name),
            "import_name": scope.import_name(name),
            "import_path": scope.import_name(name).replace(".", "/"),
        }
    for key, value in values.items():
        if _present(text, key):
            text = set_answer(text, key, value)
    return text


def _answer(text: str, key: str) -> str:
    """A top-level scalar answer, unquoted."""
    match = re.search(rf"(?m)^{re.escape(key)}: ([^\r\n]*)\r?$", text)
    return match[1].strip().strip("'\"") if match else ""


def switch_stage(transaction: Transaction, folder: Path, stage: Stage) -> list[Path]:
    """Switch what the package template rendered from its stage (the status classifier and the
    `stage` answer) in the package at *folder* to *stage*; return the files changed."""
    from seedbed.effects import tomledit

    changed = []
    other: Stage = "core" if stage == "seed" else "seed"
    manifest = folder / MANIFEST
    document = tomledit.load(manifest)
    if tomledit.replace_in_array(
        document, ("project", "classifiers"), STATUS_CLASSIFIER[other], STATUS_CLASSIFIER[stage]
    ):
        transaction.write_text(manifest, tomledit.dumps(document))
        changed.append(manifest)
    answers = folder / ANSWERS_FILE
    text = read_text(answers)
    if text is not None:
        new = set_answer(text, "stage", stage)
        if new != text:
            transaction.write_text(answers, new)
            changed.append(answers)
    return changed
