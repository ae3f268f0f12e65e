"""The templates work with plain Copier too, and proto's template source is reproducible."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from seedbed import __version__
from seedbed.templating import history
from seedbed.templating import source as templates
from tests.helpers import BIN, OLD, make_history, proto_mentions, run, unknown_options

pytestmark = pytest.mark.e2e


def test_plain_copier_copy_renders_both_subprojects(tmp_path: Path) -> None:
    source = templates.embedded_templates()
    assert (source / "copier.yml").is_file()
    copier = BIN / "copier"
    run(copier, "copy", "--defaults", "--data", "template=workspace", "--data",
        "scope=team-x", source, tmp_path / "ws", cwd=tmp_path)  # fmt: skip
    run(copier, "copy", "--defaults", "--data", "template=package", "--data", "scope=team-x",
        "--data", "name=probe", "--data", "kind=cli", source, tmp_path / "ws/seeds/probe",
        cwd=tmp_path)  # fmt: skip
    root = tomllib.loads((tmp_path / "ws/pyproject.toml").read_text())
    assert root["tool"]["proto"]["scope"] == "team-x"
    package = tomllib.loads((tmp_path / "ws/seeds/probe/pyproject.toml").read_text())
    assert package["project"]["name"] == "team-x-probe"
    assert (tmp_path / "ws/seeds/probe/src/team_x/probe/cli.py").is_file()


def test_templates_need_no_trust() -> None:
    import yaml

    config = yaml.safe_load((templates.embedded_templates() / "copier.yml").read_text())
    assert "_subdirectory" in config
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


def test_the_template_history_is_the_same_on_every_machine(tmp_path: Path) -> None:
    heads = []
    for machine in ("one", "two"):
        repo = history.build(
            templates.embedded_templates(), __version__, tmp_path / machine / "history"
        )
        heads.append(run("git", "rev-parse", templates.TEMPLATE_TAG, cwd=repo).strip())
        listed = run("git", "ls-tree", "-r", "--name-only", templates.TEMPLATE_TAG, cwd=repo)
        assert "copier.yml" in listed.split()
        assert "__pycache__" not in listed
    assert heads[0] == heads[1]


def test_the_history_keeps_every_released_version(tmp_path: Path) -> None:
    bundle = make_history(tmp_path)
    heads = run("git", "bundle", "list-heads", bundle, cwd=tmp_path)
    assert f"refs/tags/{OLD}" in heads
    assert f"refs/tags/{templates.TEMPLATE_TAG}" in heads
    old = run("git", "show", f"{OLD}:workspace/pyproject.toml.jinja", cwd=tmp_path / "history")
    assert '"UP"]' in old


def test_the_installed_wheel_ships_the_history(tmp_path: Path) -> None:
    """In a regular install the bundle sits next to the package; in a checkout it is built."""
    found = templates.template_history()
    if (templates.PACKAGE_DIR / "templates.bundle").is_file():
        assert found.name == "templates.bundle"
    else:
        assert (found / "HEAD").is_file()
    tags = run("git", "ls-remote", "--tags", found, cwd=tmp_path)
    assert f"refs/tags/{templates.TEMPLATE_TAG}" in tags


def test_answers_record_the_portable_source(base_workspace: Path) -> None:
    answers = (base_workspace / ".copier-answers.yml").read_text()
    assert f"_src_path: {templates.TEMPLATE_URL}\n" in answers
    assert f"_commit: {templates.TEMPLATE_TAG}\n" in answers


DESCRIPTIONS = [
    'Convert "smart" quotes',
    "It's Ada's tool",
    'Both "double" and \'single\', "double" winning',
    "A path C:\\New\\temp, a \\N{BULLET} and a last backslash \\",
    "Café, naïve façade, 🚀 日本語 <tag> & {{ braces }}",
    "A long description " + "that goes on " * 12 + "and on.",
]


def render_every_kind(root: Path, python: str = "3.11") -> list[tuple[Path, str]]:
    """A workspace with a package of every kind for every tricky description, in seeds/ and
    in core/ (the strict profile); returns each package folder with its description."""
    from seedbed.model.names import Scope
    from seedbed.templating import answers, copier
    from seedbed.templating.source import Source

    local = Source(str(templates.embedded_templates()), None, {})  # no history needed: faster
    scope = Scope("acme-protos")
    author = ('Zoë "Z" O\'Neil \\o/', "z@example.com")
    copier.render(
        answers.workspace_data(scope, python=python, author=author, description=DESCRIPTIONS[0],
                               seeds_fix_forward=True),
        root,
        local,
    )  # fmt: skip
    made = []
    # every description in a cli package (where it becomes code), by turns in seeds/ and core/;
    # lib and app, which render it the same way, once in each stage
    cases = [("cli", "core" if index % 2 else "seed", d) for index, d in enumerate(DESCRIPTIONS)]
    cases += [("lib", "seed", DESCRIPTIONS[3]), ("lib", "core", DESCRIPTIONS[4]),
              ("app", "seed", DESCRIPTIONS[2]), ("app", "core", DESCRIPTIONS[0])]  # fmt: skip
    for index, (kind, stage, description) in enumerate(cases):
        name = f"{kind}-{stage}-{index}"
        data = answers.package_data(scope, name, kind=kind, stage=stage, python=python,
                                    author=author, description=description)  # fmt: skip
        folder = root / ("core" if stage == "core" else "seeds") / name
        copier.render(data, folder, local)
        made.append((folder, description))
    return made


def test_any_description_renders_code_that_is_valid_and_format_clean(tmp_path: Path) -> None:
    import ast

    root = tmp_path / "ws"
    made = render_every_kind(root)
    run(BIN / "ruff", "check", ".", cwd=root)
    run(BIN / "ruff", "format", "--check", ".", cwd=root)
    for script in root.rglob("*.py"):  # the oldest Python a workspace may have
        ast.parse(script.read_text(encoding="utf-8"), str(script), feature_version=(3, 10))
    for folder, description in made:
        manifest = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
        assert manifest["project"]["description"] == description
        assert manifest["project"]["authors"] == [
            {"name": 'Zoë "Z" O\'Neil \\o/', "email": "z@example.com"}
        ]
        module = next((folder / "src").glob("acme_protos/*"))
        init = ast.parse((module / "__init__.py").read_text(encoding="utf-8"))
        docstring = ast.get_docstring(init)
        assert docstring == description.replace('"', "'").strip().strip(".") + "."
        if (module / "cli.py").is_file():
            tree = ast.parse((module / "cli.py").read_text(encoding="utf-8"))
            helps = [k.value for n in ast.walk(tree) if isinstance(n, ast.Call)
                     for k in n.keywords if k.arg == "help"]  # fmt: skip
            assert isinstance(helps[0], ast.Constant)
            assert helps[0].value == description
            shown = run(sys.executable, "-c", f"from {module.parent.name}.{module.name}.cli "
                        "import app; app()", "--help", cwd=folder / "src")  # fmt: skip
            assert " ".join(description.split()) in " ".join(shown.split())  # in its --help


def test_a_description_is_one_line(tmp_path: Path) -> None:
    from seedbed.errors import InvalidInputError
    from seedbed.templating.answers import check_description

    for text in ("two\nlines", "a\ttab", "bell\a"):
        with pytest.raises(InvalidInputError, match="one line of text"):
            check_description(text)
    assert check_description("   ") == ""  # no description: the template's default
    assert check_description("  Parses URLs ") == "Parses URLs"
    source = templates.embedded_templates()
    copier = BIN / "copier"
    failed = subprocess.run(
        [copier, "copy", "--defaults", "--data", "template=package", "--data", "scope=team-x",
         "--data", "name=probe", "--data", "description=two\nlines", source, tmp_path / "p"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode != 0
    assert "one line of text" in failed.stdout + failed.stderr


@pytest.mark.parametrize("style", ["namespace", "flat"])
def test_agents_md_is_short_and_names_real_commands(tmp_path: Path, style: str) -> None:
    from seedbed.model.names import Scope
    from seedbed.templating import answers, copier
    from seedbed.templating.source import Source

    local = Source(str(templates.embedded_templates()), None, {})
    data = answers.workspace_data(Scope("acme-protos", style), python="3.11", author=("", ""),  # type: ignore[arg-type]
                                  description="", seeds_fix_forward=True)  # fmt: skip
    copier.render(data, tmp_path / "ws", local)
    text = (tmp_path / "ws/AGENTS.md").read_text()
    assert len(text.splitlines()) <= 60
    assert "README.md" in text
    assert "A core package never depends on a seed." in text
    if style == "flat":
        assert "`acme_protos_NAME`" in text
        assert "namespace" not in text
    else:
        assert "`acme_protos.NAME`" in text
        assert "Never add `src/acme_protos/__init__.py`" in text
    mentions = proto_mentions(text)
    assert len(mentions) >= 6
    assert [m for m in mentions if unknown_options(m)] == []
    assert "{{" not in text
    assert "{%" not in text


def test_a_plain_copier_copy_is_adopted_as_the_docs_say(tmp_path: Path, proto) -> None:
    source = tmp_path / "seedbed"
    shutil.copytree(templates.embedded_templates(), source / "templates")
    run(BIN / "copier", "copy", "--defaults", "--data", "template=workspace", "--data",
        "scope=team-x", "templates/", "ws", cwd=source)  # fmt: skip
    root = source / "ws"
    run("git", "init", "-q", cwd=root)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "copied", cwd=root)
    refused = proto("update", cwd=root)
    assert refused.returncode == 1
    assert "'templates/', a path relative to wherever Copier ran" in refused.stderr
    adopt = (  # the command docs/concepts/updates.md gives
        "sed -i 's|^_src_path: .*|_src_path: https://seedbed.invalid/templates.git\\n"
        f"_commit: {templates.TEMPLATE_TAG}|' .copier-answers.yml"
    )
    run("sh", "-c", adopt, cwd=root)
    run("git", "commit", "-qam", "adopted", cwd=root)
    updated = proto("update", cwd=root)
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout == f"workspace: already current ({templates.TEMPLATE_TAG})\n"


@pytest.mark.parametrize("fix_forward", [True, False], ids=["fix-forward", "strict-seeds"])
def test_the_readme_says_what_ci_does_with_a_red_seed(tmp_path: Path, fix_forward: bool) -> None:
    from seedbed.model.names import Scope
    from seedbed.templating import answers, copier
    from seedbed.templating.source import Source

    local = Source(str(templates.embedded_templates()), None, {})
    data = answers.workspace_data(Scope("acme-protos", "namespace"), python="3.11",  # type: ignore[arg-type]
                                  author=("", ""), description="",
                                  seeds_fix_forward=fix_forward)  # fmt: skip
    copier.render(data, tmp_path / "ws", local)
    text = " ".join((tmp_path / "ws/README.md").read_text().split())
    assert ("a red seed does not block anyone" in text) is fix_forward
    assert ("CI still fails on a red seed" in text) is not fix_forward
    assert ("Any failing task fails the workflow." in text) is not fix_forward
