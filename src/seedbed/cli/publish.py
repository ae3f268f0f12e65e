"""`proto publish NAME... | --affected`: build, validate and upload packages."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from seedbed.cli.options import Affected, Json, Names, Since
from seedbed.cli.output import echo_json, echo_list, progress, warn
from seedbed.errors import redact


class TrustedPublishing(StrEnum):
    """uv publish's trusted publishing setting."""

    automatic = "automatic"
    always = "always"
    never = "never"


def command(
    names: Names = None,
    affected: Affected = False,
    since: Since = None,
    unpublished: Annotated[
        bool,
        typer.Option(
            "--unpublished",
            help="Only the packages whose version is not on the index yet. Without names or "
            "--affected: every package on the index whose current version is not there.",
        ),
    ] = False,
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

    Names go after `--` when one could look like an option: `proto publish -- NAME`.

    Credentials come from uv's usual sources: UV_PUBLISH_TOKEN, UV_PUBLISH_USERNAME and
    UV_PUBLISH_PASSWORD, keyring, or trusted publishing.
    """
    from seedbed.cli.session import writing
    from seedbed.operations import publish

    with writing(dry_run) as loaded:
        plan = publish.plan_publish(
            loaded,
            names or [],
            ref=since,
            use_affected=affected,
            unpublished=unpublished,
            publish_url=publish_url,
            check_url=check_url,
            tag=tag,
            trusted_publishing=trusted_publishing.value if trusted_publishing else None,
        )
        for message, hint in plan.warnings:
            warn(message, hint)
        if not json:
            echo_list("Skipped:", [f"{name}: {why}" for name, why in plan.skipped])
        if plan.empty_because is not None and not json:
            typer.echo(f"Nothing to publish: {plan.empty_because}")
            return
        with progress("Building, validating and uploading", dry_run):
            result = publish.apply(plan, dry_run=dry_run)
    if json:
        echo_json(publish.summary(plan, result))
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
        typer.echo(f"Nothing uploaded (--dry-run); would upload to {redact(plan.publish_url)}")
    echo_list("Tagged:", result.tagged)
