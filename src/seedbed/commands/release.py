"""`proto version` and `proto publish`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from seedbed.commands.common import DryRun, Json, echo_list, progress

Names = Annotated[
    list[str] | None,
    typer.Argument(help="Packages (short or distribution names).", metavar="NAME"),
]
Affected = Annotated[
    bool, typer.Option("--affected", help="The packages changed since --since, and dependents.")
]
Since = Annotated[
    str | None,
    typer.Option("--since", metavar="REF", help="With --affected. Default: as `proto affected`."),
]


class BumpOption(StrEnum):
    """Which part of the version to bump."""

    major = "major"
    minor = "minor"
    patch = "patch"
    pre = "pre"


class TrustedPublishing(StrEnum):
    """uv publish's trusted publishing setting."""

    automatic = "automatic"
    always = "always"
    never = "never"


def version(
    names: Names = None,
    bump: Annotated[
        BumpOption | None,
        typer.Option(help="major, minor, patch, or pre (1.2.3 -> 1.2.4rc1 -> 1.2.4rc2)."),
    ] = None,
    set_: Annotated[
        str | None, typer.Option("--set", metavar="X.Y.Z", help="Set this version (PEP 440).")
    ] = None,
    affected: Affected = False,
    since: Since = None,
    all_packages: Annotated[
        bool, typer.Option("--all", help="Change every package's version.")
    ] = False,
    json: Json = False,
    dry_run: DryRun = False,
) -> None:
    """Show package versions, or change them with --bump or --set (then relock).

    Shows every package when none is named; changing needs names, --affected or --all.
    """
    from seedbed import versions, workspace
    from seedbed.views import to_json

    loaded = workspace.load()
    packages = versions.select(
        loaded, names or [], since=since, use_affected=affected, every=all_packages,
        changing=bump is not None or set_ is not None,
    )  # fmt: skip
    changes = versions.plan_versions(loaded, packages, bump.value if bump else None, set_)
    changing = [c for c in changes if c.new != c.old]
    if changing and not dry_run:
        with progress("Writing versions and relocking"):
            versions.apply(loaded, changing)
    if json:
        typer.echo(to_json([
            {"name": c.package.short, "distribution": c.package.distribution,
             "version": c.new, "previous": c.old}
            for c in changes
        ]), nl=False)  # fmt: skip
        return
    for change in changes:
        if change.new == change.old:
            typer.echo(f"{change.package.short} {change.old}")
        else:
            verb = "would become" if dry_run else "->"
            typer.echo(f"{change.package.short} {change.old} {verb} {change.new}")


def publish(
    names: Names = None,
    affected: Affected = False,
    since: Since = None,
    publish_url: Annotated[
        str, typer.Option(help="Upload endpoint (default: PyPI).", metavar="URL")
    ] = "https://upload.pypi.org/legacy/",
    check_url: Annotated[
        str | None,
        typer.Option(
            help="Simple index to skip files already uploaded (uv publish --check-url); also "
            "where siblings not in this publish must be. Default: PyPI's, or URL/simple/.",
            metavar="URL",
        ),
    ] = None,
    tag: Annotated[
        bool, typer.Option("--tag", help="Create a git tag <distribution>@<version> for each.")
    ] = False,
    trusted_publishing: Annotated[
        TrustedPublishing | None,
        typer.Option(help="Passed to uv publish (GitHub Actions OIDC)."),
    ] = None,
    json: Json = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Build and validate; upload nothing.")
    ] = False,
) -> None:
    """Build each package on its own (dist/NAME/), pin its workspace siblings to their current
    versions, validate the metadata, and upload in dependency order with uv publish.

    Credentials come from uv's usual sources: UV_PUBLISH_TOKEN, UV_PUBLISH_USERNAME and
    UV_PUBLISH_PASSWORD, keyring, or trusted publishing.
    """
    from seedbed import affected as selection
    from seedbed import publish as operation
    from seedbed import workspace
    from seedbed.views import to_json

    loaded = workspace.load()
    packages = selection.targets(loaded, names or [], since, affected)
    plan = operation.plan_publish(
        loaded,
        packages,
        publish_url=publish_url,
        check_url=check_url,
        tag=tag,
        trusted_publishing=trusted_publishing.value if trusted_publishing else None,
    )
    with progress("Building, validating and uploading", dry_run):
        result = operation.run(plan, dry_run=dry_run)
    if json:
        typer.echo(to_json(operation.summary(plan, result)), nl=False)
        return
    for release in plan.releases:
        short = release.package.short
        pins = ", ".join(f"{name}=={version}" for name, version in release.pins.items())
        state = "built" if dry_run else "published"
        typer.echo(
            f"{state} {release.package.distribution} {release.package.version}"
            + (f" (pins {pins})" if pins else "")
        )
        echo_list("", [f.relative_to(loaded.root).as_posix() for f in result.built[short]])
    if dry_run:
        typer.echo(f"Nothing uploaded (--dry-run); would upload to {plan.publish_url}")
    echo_list("Tagged:", result.tagged)
