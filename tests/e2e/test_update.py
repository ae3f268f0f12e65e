"""`proto update` and team kinds, with real git repositories as template sources.

A workspace and a package are made from template v0.0.9 (as an older seedbed would have), edited
as a user would, then updated to this seedbed's templates: user edits kept, template changes
applied, conflicts named, nothing else touched, and a second update is a no-op."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from tests.helpers import (
    ANSWERS,
    OLD,
    Runner,
    assert_clean_failure,
    make_history,
    render_old,
    run,
    snapshot,
)

pytestmark = pytest.mark.e2e


def test_update_merges_template_changes_and_keeps_user_edits(
    old_workspace: tuple[Path, dict[str, str]], proto: Runner
) -> None:
    root, env = old_workspace
    before = snapshot(root)
    preview = proto("update", "--dry-run", cwd=root, env=env)
    assert preview.returncode == 1, preview.stderr  # it would leave a conflict
    assert f"workspace: would update {OLD} -> v0.1.0" in preview.stdout
    assert "conflict: seeds/tool/README.md" in preview.stdout
    assert snapshot(root) == before

    result = proto("update", "--json", cwd=root, env=env)
    assert result.returncode == 1, result.stderr
    report = {r["name"]: r for r in json.loads(result.stdout)}
    assert report["workspace"]["status"] == "updated"
    assert report["tool"]["status"] == "conflicts"
    assert report["tool"]["conflicts"] == ["seeds/tool/README.md"]

    # template changes landed: a changed ruff rule, new files
    lint = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "B" in lint["select"]
    assert (root / ".vscode/extensions.json").is_file()
    assert (root / "seeds/tool/src/acme/tool/py.typed").is_file()
    # user edits kept, files the user deleted stay deleted
    assert "Our own notes." in (root / "README.md").read_text()
    assert tomllib.loads((root / "seeds/tool/pyproject.toml").read_text())["project"][
        "dependencies"
    ] == ["six"]
    assert not (root / ".vscode/settings.json").exists()
    assert not (root / "seeds/tool/tests/test_tool.py").exists()
    # the conflict is inline and unmerged in git
    readme = (root / "seeds/tool/README.md").read_text()
    assert "<<<<<<< before updating\nIt parses URLs, fast." in readme
    assert ">>>>>>> after updating" in readme
    status = run("git", "status", "--porcelain", cwd=root)
    assert "UU seeds/tool/README.md" in status
    assert "_commit: v0.1.0" in (root / "seeds/tool/.copier-answers.yml").read_text()
    action = (root / ".github/actions/setup-proto/action.yml").read_text()
    assert 'SEEDBED_REQUIREMENT: "seedbed==0.1.0"' in action  # the default follows the update
    changed = {line[3:] for line in status.splitlines()}
    assert changed <= {
        ".copier-answers.yml", "pyproject.toml", ".vscode/", "seeds/tool/.copier-answers.yml",
        ".github/workflows/ci.yml", ".github/workflows/publish.yml",
        ".github/actions/setup-proto/action.yml",
        "seeds/tool/README.md", "seeds/tool/src/acme/tool/py.typed", "uv.lock",
    }  # fmt: skip

    dirty = proto("update", cwd=root, env=env)
    assert_clean_failure(dirty, 1, "uncommitted changes", "seeds/tool/README.md")
    readme_path = root / "seeds/tool/README.md"
    markers = ("<<<<<<<", "=======", ">>>>>>>")
    kept = [line for line in readme.splitlines(keepends=True) if not line.startswith(markers)]
    readme_path.write_text("".join(kept))
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "Update the templates", cwd=root)
    again = proto("update", cwd=root, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "workspace: already current (v0.1.0)",
        "tool: already current (v0.1.0)",
    ]
    assert run("git", "status", "--porcelain", cwd=root) == ""


def test_update_works_offline_from_the_embedded_history(
    old_workspace: tuple[Path, dict[str, str]], proto: Runner
) -> None:
    """No remote is reachable for git: only local files may be read."""
    root, env = old_workspace
    offline = {**env, "GIT_ALLOW_PROTOCOL": "file", "UV_OFFLINE": "1",
               "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}  # fmt: skip
    result = proto("update", "tool", cwd=root, env=offline)
    assert result.returncode == 1, result.stderr  # the README conflict
    assert f"tool: updated {OLD} -> v0.1.0" in result.stdout
    assert (root / "seeds/tool/src/acme/tool/py.typed").is_file()


def test_a_version_missing_from_the_history_is_named(
    old_workspace: tuple[Path, dict[str, str]], proto: Runner
) -> None:
    root, _ = old_workspace
    before = snapshot(root)
    result = proto("update", cwd=root, env={"SEEDBED_TEMPLATE_HISTORY": ""})
    assert_clean_failure(result, 1, f"made with templates {OLD}", "--template-source")
    assert snapshot(root) == before


def test_a_team_folder_kind_is_created_and_updated(workspace: Path, proto: Runner) -> None:
    root = workspace
    template = root / "templates/widget"
    (template / "src/{{ import_path }}").mkdir(parents=True)
    # every value the template uses is a question, so Copier stores it and can re-render the
    # old version on update (it re-renders from the stored answers only)
    questions = ("name", "scope", "import_name", "python_version")
    (template / "copier.yml").write_text("".join(f"{q}:\n  type: str\n" for q in questions))
    (template / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    (template / "pyproject.toml.jinja").write_text(
        '[project]\nname = "{{ scope }}-{{ name }}"\nversion = "0.1.0"\n'
        'requires-python = ">=3.11"\n\n[build-system]\nrequires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n\n[tool.hatch.build.targets.wheel]\n'
        "packages = [\"src/{{ scope | replace('-', '_') }}\"]\n"
    )
    (template / "src/{{ import_path }}/__init__.py").write_text('"""A widget."""\n')
    (template / "WIDGET.md").write_text("widget v1\n")
    (template / "USAGE.md.jinja").write_text(
        "v1: import {{ import_name }} on {{ python_version }}\n"
    )
    manifest = root / "pyproject.toml"
    manifest.write_text(
        manifest.read_text() + '\n[tool.proto.kinds]\nwidget = "templates/widget"\n'
    )
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "A widget kind", cwd=root)

    kinds = json.loads(proto("kinds", "--json", cwd=root).stdout)
    assert [k["name"] for k in kinds] == ["lib", "cli", "app", "widget"]
    assert kinds[3]["path"] == "templates/widget"

    made = proto("new", "gizmo", "--kind", "widget", cwd=root)
    assert made.returncode == 0, made.stderr
    answers = (root / "seeds/gizmo/.copier-answers.yml").read_text()
    assert "_src_path: https://seedbed.invalid/workspace/templates/widget.git" in answers
    assert (root / "seeds/gizmo/src/acme_protos/gizmo/__init__.py").is_file()
    (root / "seeds/gizmo/NOTES.md").write_text("ours\n")
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "gizmo", cwd=root)

    (template / "WIDGET.md").write_text("widget v2\n")
    (template / "USAGE.md.jinja").write_text(
        "v2: import {{ import_name }} on {{ python_version }}\n"
    )
    run("git", "commit", "-qam", "widget v2", cwd=root)
    updated = proto("update", "gizmo", cwd=root)
    assert updated.returncode == 0, updated.stderr
    assert (root / "seeds/gizmo/WIDGET.md").read_text() == "widget v2\n"
    python = (root / ".python-version").read_text().strip()
    usage = (root / "seeds/gizmo/USAGE.md").read_text()
    assert usage == f"v2: import acme_protos.gizmo on {python}\n"
    assert (root / "seeds/gizmo/NOTES.md").read_text() == "ours\n"
    run("git", "commit", "-qam", "updated", cwd=root)
    assert "already current" in proto("update", "gizmo", cwd=root).stdout


def test_a_git_kind_with_tasks_needs_trust(workspace: Path, proto: Runner, tmp_path: Path) -> None:
    source = tmp_path / "risky"
    source.mkdir()
    (source / "copier.yml").write_text(
        'name:\n  type: str\nscope:\n  type: str\n_tasks:\n  - "touch task-ran"\n'
    )
    (source / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    (source / "pyproject.toml.jinja").write_text(
        '[project]\nname = "{{ scope }}-{{ name }}"\nversion = "0.1.0"\n'
    )
    run("git", "init", "-q", cwd=source)
    run("git", "add", "-A", cwd=source)
    run("git", "commit", "-qm", "v1", cwd=source)
    run("git", "tag", "v1", cwd=source)
    url = "https://git.example.invalid/acme/risky.git"
    manifest = workspace / "pyproject.toml"
    manifest.write_text(
        manifest.read_text()
        + f'\n[tool.proto.kinds]\nrisky = {{ url = "{url}", version = "v1" }}\n'
    )
    run("git", "commit", "-qam", "risky kind", cwd=workspace)
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    env = {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{source}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": url,
    }
    before = snapshot(workspace)
    refused = proto("new", "boom", "--kind", "risky", cwd=workspace, env=env)
    assert_clean_failure(refused, 1, "uses tasks", "--trust")
    assert snapshot(workspace) == before
    trusted = proto("new", "boom", "--kind", "risky", "--trust", cwd=workspace, env=env)
    assert trusted.returncode == 0, trusted.stderr
    assert (workspace / "seeds/boom/task-ran").is_file()
    assert f"_src_path: {url}" in (workspace / "seeds/boom/.copier-answers.yml").read_text()
    assert_clean_failure(proto("new", "x", "--kind", "nope", cwd=workspace), 2, "risky")


def test_a_git_kind_without_a_version_follows_its_latest_tag(
    workspace: Path, proto: Runner, tmp_path: Path
) -> None:
    source = tmp_path / "service"
    source.mkdir()
    (source / "copier.yml").write_text("name:\n  type: str\nscope:\n  type: str\n")
    (source / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    (source / "pyproject.toml.jinja").write_text(
        '[project]\nname = "{{ scope }}-{{ name }}"\nversion = "0.1.0"\n'
    )
    (source / "SERVICE.md").write_text("v1.0\n")
    run("git", "init", "-q", cwd=source)
    run("git", "add", "-A", cwd=source)
    run("git", "commit", "-qm", "v1.0", cwd=source)
    run("git", "tag", "v1.0.0", cwd=source)
    (source / "SERVICE.md").write_text("v1.1\n")
    run("git", "commit", "-qam", "v1.1", cwd=source)
    run("git", "tag", "v1.1.0", cwd=source)
    (source / "SERVICE.md").write_text("v2 beta\n")
    run("git", "commit", "-qam", "v2 beta", cwd=source)
    run("git", "tag", "v2.0.0b1", cwd=source)  # a pre-release: Copier skips it, so does proto
    url = "https://git.example.invalid/acme/service.git"
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    env = {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{source}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": url,
    }
    manifest = workspace / "pyproject.toml"
    manifest.write_text(manifest.read_text() + f'\n[tool.proto.kinds]\nservice = "{url}"\n')
    run("git", "commit", "-qam", "service kind", cwd=workspace)
    made = proto("new", "api", "--kind", "service", cwd=workspace, env=env)
    assert made.returncode == 0, made.stderr
    assert (workspace / "seeds/api/SERVICE.md").read_text() == "v1.1\n"
    assert "_commit: v1.1.0" in (workspace / "seeds/api/.copier-answers.yml").read_text()
    run("git", "add", "-A", cwd=workspace)
    run("git", "commit", "-qm", "api", cwd=workspace)
    again = proto("update", "api", cwd=workspace, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "api: already current (v1.1.0)\n"
    assert run("git", "status", "--porcelain", cwd=workspace) == ""

    (source / "SERVICE.md").write_text("v1.2\n")
    run("git", "commit", "-qam", "v1.2", cwd=source)
    run("git", "tag", "v1.2.0", cwd=source)
    updated = proto("update", "api", cwd=workspace, env=env)
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout == "api: updated v1.1.0 -> v1.2.0 (2 files)\n"
    assert (workspace / "seeds/api/SERVICE.md").read_text() == "v1.2\n"


def test_update_check_lists_what_is_out_of_date_and_changes_nothing(
    old_workspace: tuple[Path, dict[str, str]], proto: Runner
) -> None:
    root, env = old_workspace
    (root / "scratch.txt").write_text("not committed: --check needs no clean tree\n")
    before = snapshot(root)
    result = proto("update", "--check", cwd=root, env=env)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "Template updates are available (run `proto update` to take them in):",
        f"  workspace: {OLD} -> v0.1.0",
        f"  tool: {OLD} -> v0.1.0",
    ]
    data = json.loads(proto("update", "--check", "--json", "tool", cwd=root, env=env).stdout)
    assert data == [{"name": "tool", "path": "seeds/tool", "from": OLD, "to": "v0.1.0",
                     "available": True}]  # fmt: skip
    assert snapshot(root) == before

    (root / "scratch.txt").unlink()
    updated = proto("update", cwd=root, env=env)
    assert updated.returncode == 1  # the README conflict
    readme = root / "seeds/tool/README.md"
    markers = ("<<<<<<<", "=======", ">>>>>>>")
    readme.write_text("".join(line for line in readme.read_text().splitlines(keepends=True)
                              if not line.startswith(markers)))  # fmt: skip
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "updated", cwd=root)
    current = proto("update", "--check", cwd=root, env=env)
    assert current.returncode == 0, current.stderr
    assert current.stdout == "Every template is current (2 targets).\n"


def test_update_keeps_a_seedbed_requirement_the_team_chose(tmp_path: Path, proto: Runner) -> None:
    bundle = make_history(tmp_path)
    root = tmp_path / "ws"
    requirement = "seedbed @ git+https://git.example.com/acme/seedbed@v0.0.9"
    render_old(bundle, {"template": "workspace", "seedbed_version": "0.0.9",
                        "seedbed_requirement": requirement, **ANSWERS}, root)  # fmt: skip
    run("git", "init", "-q", cwd=root)
    run("git", "add", "-A", cwd=root)
    run("git", "commit", "-qm", "Made with seedbed 0.0.9", cwd=root)
    result = proto("update", cwd=root, env={"SEEDBED_TEMPLATE_HISTORY": str(bundle)})
    assert result.returncode == 0, result.stderr
    action = (root / ".github/actions/setup-proto/action.yml").read_text()
    assert f'SEEDBED_REQUIREMENT: "{requirement}"' in action
    assert f"seedbed_requirement: {requirement}" in (root / ".copier-answers.yml").read_text()
    assert "seedbed_version: 0.1.0" in (root / ".copier-answers.yml").read_text()
