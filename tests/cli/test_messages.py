"""What proto says, said right: counts, hints for common slips, usage lines as the docs write
them, orderly reports, and messages that name the real problem (in-process, hand-made
workspaces)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from seedbed.cli.app import COMMANDS
from tests.conftest import InProcess
from tests.helpers import BIN, assert_clean_failure, commit_all, make_workspace, run, snapshot

Cli = Callable[..., InProcess]


def test_check_counts_one_package_as_one(tmp_path: Path, cli: Cli) -> None:
    root = make_workspace(tmp_path / "acme", {"notes": []})
    manifest = root / "pyproject.toml"  # no dev tools, so the lock needs no package index
    manifest.write_text(manifest.read_text().replace('[dependency-groups]\ndev = ["pytest"]\n', ""))
    run(BIN / "uv", "lock", "--offline", cwd=root)
    result = cli("check", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "All 9 rules pass for 1 package.\n"


def test_a_global_option_after_the_command_gets_a_hint(chain: Path, cli: Cli) -> None:
    result = cli("list", "-C", chain, cwd=chain.parent)
    assert_clean_failure(result, 2, "no such option: -C")
    assert result.stderr.splitlines()[1] == (
        "hint: -C is a global option: it goes before the command (`proto -C PATH list ...`)"
    )
    version = cli("check", "--version", cwd=chain)
    assert_clean_failure(version, 2, "it goes before the command (`proto --version`)")
    other = cli("list", "--frobnicate", cwd=chain)
    assert_clean_failure(other, 2, "no such option: --frobnicate", "see `proto list --help`")
    no_value = cli("sheriff", "notes", "--task", cwd=chain)  # click gives no context here
    assert_clean_failure(no_value, 2, "option '--task' requires an argument",
                         "see `proto sheriff --help`")  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_lines_name_arguments_as_the_docs_do(command: str, cli: Cli, tmp_path: Path) -> None:
    result = cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    usage = result.stdout.split("\n\n", 1)[0]
    assert usage.startswith(f"Usage: proto {command} [OPTIONS]")
    arguments = result.stdout.split("Arguments:\n", 1)[-1].split("\n\n", 1)[0]
    for text in (usage, arguments):
        assert "{" not in text, text
        assert "<" not in text, text
        assert "...." not in text, text  # `TASK...`, not `TASK......`


def test_usage_of_the_commands_with_arguments(cli: Cli, tmp_path: Path) -> None:
    def usage(command: str) -> str:
        return cli(command, "--help", cwd=tmp_path).stdout.splitlines()[0]

    assert usage("init") == "Usage: proto init [OPTIONS] DEST"
    assert usage("depend") == "Usage: proto depend [OPTIONS] CONSUMER PROVIDER..."
    assert usage("graduate") == "Usage: proto graduate [OPTIONS] NAME..."
    assert usage("version") == "Usage: proto version [OPTIONS] [NAME]..."
    help_text = cli("depend", "--help", cwd=tmp_path).stdout
    assert "  PROVIDER...  The packages it uses.  [required]\n" in help_text


def test_trust_says_what_it_allows(cli: Cli, tmp_path: Path) -> None:
    for command in ("new", "update"):
        text = " ".join(cli(command, "--help", cwd=tmp_path).stdout.split())
        assert "tasks, migrations or Jinja extensions" in text


def test_check_orders_lines_by_number(chain: Path, cli: Cli) -> None:
    module = chain / "seeds/notes/src/acme/notes/__init__.py"
    lines = ['"""notes."""'] + ["x = 1"] * 4 + ["import acme.web"] + ["y = 2"] * 3
    module.write_text("\n".join([*lines, "import acme.text_tools", ""]))
    found = json.loads(cli("check", "--json", cwd=chain).stdout)
    messages = [v["message"] for v in found if v["rule"] == "undeclared-import"]
    assert [m.split(" imports")[0] for m in messages] == ["line 6", "line 10"]
    assert list(found[0]) == ["rule", "package", "message", "path"]


def test_a_manifest_without_a_name_is_reported_as_such(chain: Path, cli: Cli) -> None:
    manifest = chain / "seeds/notes/pyproject.toml"
    manifest.write_text(manifest.read_text().replace('name = "acme-notes"\n', ""))
    found = json.loads(cli("check", "--json", cwd=chain).stdout)
    assert {"rule": "bad-name", "package": "notes", "path": "seeds/notes/pyproject.toml",
            "message": "seeds/notes/pyproject.toml has no [project] name; it must be "
                       "'acme-notes' (scope + folder name)"} in found  # fmt: skip


def test_a_scope_that_is_not_a_string_says_so(chain: Path, cli: Cli) -> None:
    manifest = chain / "pyproject.toml"
    manifest.write_text(manifest.read_text().replace('scope = "acme"', "scope = 5"))
    result = cli("list", cwd=chain)
    assert_clean_failure(result, 1, "[tool.proto] scope must be a string, not 5", 'scope = "')


def test_kinds_needs_no_package_manifest(chain: Path, cli: Cli) -> None:
    (chain / "seeds/notes/pyproject.toml").write_text("[project\n")
    result = cli("kinds", cwd=chain)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["lib", "cli", "app"]


def test_publish_affected_with_nothing_affected_says_so(chain: Path, cli: Cli) -> None:
    before = snapshot(chain)
    result = cli("publish", "--affected", "--since", "HEAD", cwd=chain)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Nothing to publish: no package changed since HEAD, and nothing depends on a changed one\n"
    )
    assert snapshot(chain) == before


@pytest.mark.parametrize(
    ("src_path", "commit", "needles"),
    [
        ("templates/", "", ["records the template as 'templates/', a path relative to wherever "
                            "Copier ran", "_src_path: https://seedbed.invalid/templates.git",
                            "_commit: vX.Y.Z"]),
        ("/nowhere/templates", "v1", ["'/nowhere/templates', which is not on this machine"]),
        ("", "", ["records no template (_src_path)"]),
        ("https://git.example.invalid/t.git", "v1", ["cannot reach the template repository "
                                                     "https://git.example.invalid/t.git"]),
    ],
    ids=["relative", "missing", "none", "unreachable"],
)  # fmt: skip
def test_update_says_what_to_do_with_a_template_it_cannot_use(
    chain: Path, cli: Cli, src_path: str, commit: str, needles: list[str]
) -> None:
    """As a workspace made with plain `copier copy templates/ ...` records it."""
    lines = [f"_src_path: {src_path}" if src_path else "", f"_commit: {commit}" if commit else ""]
    (chain / ".copier-answers.yml").write_text("\n".join(["template: workspace", *lines, ""]))
    commit_all(chain, "answers")
    before = snapshot(chain)
    result = cli("update", cwd=chain)
    assert_clean_failure(result, 1, ".copier-answers.yml", *needles)
    assert snapshot(chain) == before


def test_a_description_must_be_one_line(chain: Path, cli: Cli, tmp_path: Path) -> None:
    before = snapshot(chain)
    result = cli("new", "x", "--description", "two\nlines", cwd=chain)
    assert_clean_failure(result, 2, "the description must be one line of text")
    assert snapshot(chain) == before
    result = cli("init", tmp_path / "ws", "--description", "a\ttab", cwd=tmp_path)
    assert_clean_failure(result, 2, "the description must be one line of text")
    assert not (tmp_path / "ws").exists()


def test_tagging_off_the_default_branch_is_a_warning(chain: Path) -> None:
    from seedbed.model import workspace
    from seedbed.operations import publish

    def warnings() -> tuple[tuple[str, str], ...]:
        return publish.plan_publish(workspace.load(chain), ["notes"], tag=True).warnings

    assert warnings() == ()  # on main
    run("git", "checkout", "-qb", "feature", cwd=chain)
    assert warnings() == ()  # a branch, but its HEAD is on main too
    (chain / "seeds/notes/CHANGES.md").write_text("a change\n")
    commit_all(chain, "on the feature branch")
    assert warnings() == ((
        "--tag tags commits on the branch 'feature', which main does not have: the tags may "
        "point at commits that never reach main",
        "tag on main once the change is merged (`git tag --delete TAG` removes a tag)",
    ),)  # fmt: skip
    run("git", "checkout", "-q", "--detach", cwd=chain)
    assert warnings()[0][0].startswith("--tag tags commits on a detached HEAD, which main")
    run("git", "checkout", "-q", "main", cwd=chain)
    run("git", "merge", "-q", "--ff-only", "feature", cwd=chain)
    assert warnings() == ()


def test_publish_unpublished_needs_a_reachable_index(chain: Path, cli: Cli) -> None:
    result = cli("publish", "--unpublished", "--check-url", "http://127.0.0.1:9/simple/",
                 cwd=chain)  # fmt: skip
    assert_clean_failure(result, 1, "cannot reach the package index http://127.0.0.1:9/simple/")
    assert_clean_failure(cli("publish", cwd=chain), 2, "or pass --affected or --unpublished")


@pytest.mark.parametrize(
    ("requirement", "needle"),
    [("-e .", "not an option"), ("seedbed==", "invalid seedbed requirement 'seedbed=='"),
     ("two\nlines", "one requirement on one line"), ("", "not an option")],
)  # fmt: skip
def test_init_refuses_a_seedbed_requirement_ci_cannot_install(
    tmp_path: Path, cli: Cli, requirement: str, needle: str
) -> None:
    result = cli("init", "ws", "--seedbed-requirement", requirement, cwd=tmp_path)
    assert_clean_failure(result, 2, needle)
    assert not (tmp_path / "ws").exists()


def test_seedbed_requirements_ci_can_install() -> None:
    from seedbed.templating.answers import check_requirement

    good = [
        "seedbed==0.1.0",
        "seedbed @ git+https://github.com/acme/seedbed@v0.1.0",
        "acme-seedbed>=2",
        "git+https://github.com/acme/seedbed.git",
        " seedbed ",
    ]
    assert [check_requirement(text) for text in good] == [text.strip() for text in good]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_built_alone_is_the_command_of_the_whole_app(name: str) -> None:
    from typer import _click
    from typer.main import get_command

    from seedbed.cli.app import application

    alone = get_command(application([name])).commands[name]  # type: ignore[attr-defined]
    whole = get_command(application()).commands[name]  # type: ignore[attr-defined]
    assert alone is not whole
    help_of = [_click.Context(c, info_name=name).get_help() for c in (alone, whole)]
    assert help_of[0] == help_of[1]
    assert "Usage: " in help_of[0]


def test_the_command_list_of_help_is_the_whole_apps() -> None:
    from typer import _click
    from typer.main import get_command

    from seedbed.cli.app import application

    listed, whole = (get_command(application(runnable=r)) for r in (False, True))
    help_of = [_click.Context(g, info_name="proto").get_help() for g in (listed, whole)]
    assert help_of[0] == help_of[1]
    assert all(f"  {name} " in help_of[0] for name in COMMANDS)
