"""The documentation agrees with the tool: it builds with `mkdocs build --strict`, every
`proto ...` it shows uses real commands and options, and every command's page documents every
option the command takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command

from seedbed.cli.app import COMMANDS, application
from tests.helpers import BIN, proto_mentions, run, unknown_options

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "templates/workspace").glob("*.md.jinja"),
    ]
)
HYPOTHETICAL = {"docs/architecture.md": ["proto rename OLD NEW"]}  # the worked example


def test_the_docs_build_strict(tmp_path: Path) -> None:
    run(BIN / "mkdocs", "build", "--strict", "--quiet", "--site-dir", tmp_path / "site",
        cwd=ROOT, env={"NO_MKDOCS_2_WARNING": "1"})  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_proto_command_shown_is_real(page: Path) -> None:
    allowed = HYPOTHETICAL.get(page.relative_to(ROOT).as_posix(), [])
    wrong = {
        mention: unknown_options(mention)
        for mention in proto_mentions(page.read_text(encoding="utf-8"))
        if mention not in allowed and unknown_options(mention)
    }
    assert wrong == {}


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_page_documents_every_option(name: str) -> None:
    command = get_command(application()).commands[name]  # type: ignore[attr-defined]
    page = (ROOT / "docs/commands" / f"{name}.md").read_text(encoding="utf-8")
    usage = page.split("```text\n", 1)[1].split("```", 1)[0]
    for param in command.params:
        if param.param_type_name != "option" or "--help" in param.opts:
            continue
        option = max(param.opts, key=len)
        assert f"`{option}" in page, f"{name}.md has no row for {option}"
        assert option in usage, f"{name}.md's usage line lacks {option}"


def test_every_command_is_in_each_command_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    index = (ROOT / "docs/index.md").read_text(encoding="utf-8")
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"| `proto {name}" in readme, name
        assert f"[`proto {name}" in index, name
        assert f"commands/{name}.md" in nav, name


@pytest.mark.parametrize("name", COMMANDS)
def test_the_readme_table_shows_every_option_of_each_command(name: str) -> None:
    """The command table in README.md is a summary, but a complete one (`--dry-run` and
    `--json` are said once, below it)."""
    command = get_command(application()).commands[name]  # type: ignore[attr-defined]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `proto {name}"))
    missing = [
        max(param.opts, key=len)
        for param in command.params
        if param.param_type_name == "option"
        and not {"--help", "--dry-run", "--json"} & set(param.opts)
        and not any(opt in row for opt in param.opts)
    ]
    assert missing == [], f"README's row for {name} lacks {missing}"
