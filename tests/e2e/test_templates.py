"""The templates work with plain Copier too, and proto's template source is reproducible."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from seedbed import __version__
from seedbed.templating import history
from seedbed.templating import source as templates
from tests.helpers import BIN, OLD, make_history, run

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
    if (Path(templates.__file__).parent / "templates.bundle").is_file():
        assert found.name == "templates.bundle"
    else:
        assert (found / "HEAD").is_file()
    tags = run("git", "ls-remote", "--tags", found, cwd=tmp_path)
    assert f"refs/tags/{templates.TEMPLATE_TAG}" in tags


def test_answers_record_the_portable_source(base_workspace: Path) -> None:
    answers = (base_workspace / ".copier-answers.yml").read_text()
    assert f"_src_path: {templates.TEMPLATE_URL}\n" in answers
    assert f"_commit: {templates.TEMPLATE_TAG}\n" in answers
