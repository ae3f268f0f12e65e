"""Renaming things everywhere the workspace names them, shared by rename and rescope.

A `Renaming` says what changes name: modules, distributions, paths, and the words of the scope
in READMEs and AGENTS.md. `plan_edits` works out, in memory and before anything is written,
the new text of every file that names them, each file once and each kind of file with the tool
that understands it:

- Python files: LibCST (`effects.pycode`): imports, bindings, attribute chains, import-target
  strings; then whole-path mentions;
- manifests: tomlkit (`effects.tomledit`): `[project] name`, every requirement list and
  `[tool.uv.sources]`, entry points, hatch's wheel packages, ruff's known-first-party,
  `[tool.proto] scope`; then whole-path and whole-name mentions;
- answers files: `templating.answers` (`name`, `scope`, derived values);
- other text files git tracks (READMEs, docs, CI workflows): whole-path and whole-name
  mentions (`effects.mentions`), and the scope's words in READMEs and AGENTS.md (prose the
  workspace template writes about the scope: `acme-protos-NAME`, `acme_protos.NAME`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from seedbed.effects import git, mentions, typecheck, uv
from seedbed.effects.transaction import changing
from seedbed.model.names import Scope, normalize
from seedbed.model.workspace import LOCK, MANIFEST, Workspace, read_text
from seedbed.operations import reshape
from seedbed.templating import answers

PYTHON_SUFFIXES = (".py", ".pyi")
STRUCTURED = (*PYTHON_SUFFIXES, ".toml", ".cfg", ".ini", ".yml", ".yaml", ".json")

AGENTS = "AGENTS.md"  # the workspace's guide for coding agents, from the template


@dataclass(frozen=True)
class Renaming:
    """What changes name, and to what."""

    modules: dict[str, str]  # dotted import names, old -> new
    distributions: dict[str, str]  # normalised old distribution -> new distribution
    paths: dict[str, str] = field(default_factory=dict)  # whole-path mentions, old -> new
    names: dict[str, str] = field(default_factory=dict)  # whole-name mentions in text
    words: dict[str, str] = field(default_factory=dict)  # scope words, in READMEs, AGENTS.md
    # a renamed package's short name, renamed in its own folder only: whole words in its
    # prose (README and other text files; not code, TOML or answers) and its script name
    local: dict[str, dict[str, str]] = field(default_factory=dict)
    hatch: dict[str, str] = field(default_factory=dict)  # wheel `packages` entries
    first_party: dict[str, str] = field(default_factory=dict)  # ruff's known-first-party
    answers: dict[str, tuple[Scope, str | None]] = field(default_factory=dict)
    scope: str | None = None  # the new [tool.proto] scope


@dataclass(frozen=True)
class Edits:
    """The new text of every file that changes (by its path before any move), the Python
    files that could not be rewritten, and those whose comments or docstrings still name an
    old module (left as they are: free text)."""

    texts: dict[str, str]
    unparsable: dict[str, str]  # path -> why
    still_mentioning: tuple[str, ...]


def plan_edits(workspace: Workspace, renaming: Renaming) -> Edits:
    """Every file's new text; reads only."""
    from seedbed.effects import pycode

    root = workspace.root
    texts: dict[str, str] = {}
    unparsable: dict[str, str] = {}
    left: list[str] = []
    path_rules = mentions.path_rules(renaming.paths)
    in_code = mentions.Rules(path_rules)
    in_text = mentions.Rules([*path_rules, *mentions.name_rules(renaming.names)])
    in_readmes = mentions.Rules(mentions.name_rules(renaming.words, prefix=True))
    # AGENTS.md names the scope in path patterns too (`<stage>/NAME/src/acme_protos/NAME/`)
    in_agents = mentions.Rules(mentions.name_rules(renaming.words, prefix=True, in_paths=True))
    manifests = [MANIFEST, *(package.manifest for package in workspace.packages)]
    python = pycode.files_referring(root, renaming.modules) if renaming.modules else []
    needles = [*renaming.paths, *renaming.names, *renaming.words]
    others = git.files_mentioning(root, needles) if needles else []
    local = {
        folder: (git.files_mentioning(root, list(words), pathspecs=(folder,)), words)
        for folder, words in renaming.local.items()
    }
    inside = {path for found, _ in local.values() for path in found}
    for path in sorted({*manifests, *renaming.answers, *python, *others, *inside} - {LOCK}):
        text = read_text(root / path)
        if text is None:
            continue
        new = text
        if path.endswith(PYTHON_SUFFIXES):
            if renaming.modules and path in python:
                try:
                    new = pycode.rename_modules(new, renaming.modules)
                except pycode.CodeError as error:
                    unparsable[path] = error.message
                    continue
            new = in_code.replace(new)
            words = [renaming.modules, *(w for found, w in local.values() if path in found)]
            if any(_says(new, names) for names in words):
                left.append(path)
        else:
            if path in manifests:
                new = _manifest(new, path == MANIFEST, renaming, _local(path, renaming))
            if path in renaming.answers:
                new = answers.renamed(new, *renaming.answers[path])
            new = in_text.replace(new)
            if PurePosixPath(path).name.lower().startswith("readme"):
                new = in_readmes.replace(new)
            elif path == AGENTS:
                new = in_agents.replace(new)
            if not path.endswith(STRUCTURED) and path not in renaming.answers:
                new = mentions.replace(new, mentions.name_rules(_local(path, renaming)))
        if new != text:
            texts[path] = new
    return Edits(texts, unparsable, tuple(sorted(set(left))))


def _local(path: str, renaming: Renaming) -> dict[str, str]:
    """The local words that apply to the file at *path*."""
    return {
        old: new
        for folder, words in renaming.local.items()
        if path.startswith(folder + "/")
        for old, new in words.items()
    }


def _says(text: str, words: dict[str, str]) -> bool:
    """Whether *text* still has any of *words* as a whole word or dotted name (a search for
    the report, not a rewrite)."""
    return any(mentions.name_pattern(word).search(text) for word in words)


def _mentions_any(text: str, renaming: Renaming) -> bool:
    """A cheap test before parsing a manifest: does it name anything that changes?"""
    flat = normalize(text)
    return (
        any(old in flat for old in renaming.distributions)
        or any(old.rsplit(".", 1)[-1] in text for old in renaming.modules)
        or any(old in text for old in (*renaming.hatch, *renaming.first_party))
    )


def _manifest(text: str, is_root: bool, renaming: Renaming, local: dict[str, str]) -> str:
    """A manifest after the renames (tomlkit: comments and layout kept); *local* renames
    the package's own script names."""
    if not (is_root and renaming.scope) and not local and not _mentions_any(text, renaming):
        return text
    import tomlkit

    from seedbed.effects import tomledit

    document = tomlkit.parse(text)
    changed = tomledit.rename_requirements(document, renaming.distributions)
    name = document.get("project", {}).get("name")
    if isinstance(name, str) and normalize(name) in renaming.distributions:
        new_name = renaming.distributions[normalize(name)]
        changed = tomledit.set_string(document, ("project", "name"), new_name) or changed
    changed = tomledit.rename_entry_points(document, renaming.modules) or changed
    changed = tomledit.rename_scripts(document, local) or changed
    wheel = ("tool", "hatch", "build", "targets", "wheel", "packages")
    changed = tomledit.rename_in_array(document, wheel, renaming.hatch) or changed
    for keys in (("tool", "ruff", "lint", "isort"), ("tool", "ruff", "isort")):
        first_party = (*keys, "known-first-party")
        changed = tomledit.rename_in_array(document, first_party, renaming.first_party) or changed
    if is_root and renaming.scope:
        changed = (
            tomledit.set_string(document, ("tool", "proto", "scope"), renaming.scope) or changed
        )
    return tomledit.dumps(document) if changed else text


@dataclass(frozen=True)
class RewritePlan:
    """What rename and rescope share: folders to move, files to rewrite, the relock, and
    whether to commit."""

    workspace: Workspace
    moves: tuple[reshape.Move, ...]
    renaming: Renaming
    edits: Edits
    commit: bool

    @property
    def upgrade(self) -> tuple[str, ...]:
        """The renamed members, relocked with --upgrade-package (uv issue 10296)."""
        return tuple(sorted(set(self.renaming.distributions.values())))

    def lock_command(self) -> list[str]:
        """The relock."""
        return uv.lock_args(self.upgrade)

    def edited(self) -> list[str]:
        """The files rewritten, by their paths after the moves."""
        return sorted(map(reshape.relocator(self.moves), self.edits.texts))

    def unparsable(self) -> dict[str, str]:
        """Python files that name a renamed module but do not parse (paths after the moves),
        and why; they are left as they are."""
        new_path = reshape.relocator(self.moves)
        return {new_path(path): why for path, why in self.edits.unparsable.items()}

    def still_mentioning(self) -> list[str]:
        """Rewritten Python files whose comments or docstrings still name an old module."""
        return list(map(reshape.relocator(self.moves), self.edits.still_mentioning))

    def commit_message(self) -> str:  # pragma: no cover - every plan says its own
        """The commit's message."""
        raise NotImplementedError

    def commit_paths(self) -> list[str]:
        """Exactly what the change touched: the moved folders on both sides, the files
        rewritten outside them, and uv.lock."""
        targets = {m.target for m in self.moves}
        folders = {  # a move inside a moved folder has no source that git knows
            m.source for m in self.moves if reshape.under(m.source, targets) is None
        } | targets
        outside = (path for path in self.edited() if reshape.under(path, folders) is None)
        return [*sorted(folders), *outside, LOCK]


def require_clean(plan: RewritePlan, action: str, *, allow_dirty: bool) -> None:
    """Refuse uncommitted changes in the files the plan rewrites (outside the moved folders,
    which plan_move checked) and, with --commit, in uv.lock."""
    if allow_dirty:
        return
    sources = {move.source for move in plan.moves}
    outside = [path for path in plan.edits.texts if reshape.under(path, sources) is None]
    lock = [LOCK] if plan.commit else []
    reshape.require_clean(plan.workspace.root, [*outside, *lock], action=action, commit=plan.commit)


def apply(plan: RewritePlan, what: str) -> bool:
    """Move, rewrite, relock and (with --commit) commit, as one transaction; True when
    committed. *what* names the change in a message (`rename`)."""
    root = plan.workspace.root
    with changing(root, index=True) as transaction:
        reshape.move_all(transaction, root, plan.moves)
        new_path = reshape.relocator(plan.moves)
        for path, text in plan.edits.texts.items():
            transaction.write_text(root / new_path(path), text)
        # the root's mypy lists follow (old names: modules and distributions, harmless)
        mypy = typecheck.sync(transaction, root, gone=plan.renaming.names)
        transaction.relock(plan.upgrade)
        if plan.commit:
            paths = [*plan.commit_paths(), *([MANIFEST] if mypy else [])]
            return reshape.commit(transaction, plan.commit_message(), paths, what)
    return False
